// Water quality routing through the drainage network (SWMM 5.2 Reference Manual Vol. III, ch. 5):
// node mixing, conduits and storage units as completely mixed reactors, decay, treatment, the
// continuity.
#include "drainage/quality_routing.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>

#include "core/error.hpp"
#include "drainage/network.hpp"
#include "drainage/section_rows.hpp"

namespace rencheng::drainage {
namespace {

using swmm_si::kCfs;
using swmm_si::kFoot;
constexpr double kFt3 = kFoot * kFoot * kFoot;
/// SWMM qualrout.c: a negligible volume (1 L, 0.0353147 ft³) and depth (1 mm, 0.003281 ft).
constexpr double kZeroVolume = 0.0353147 * kFt3;
constexpr double kZeroDepth = 0.003281 * kFoot;
/// SWMM's ZERO (1e-10) for flows in cfs.
constexpr double kZeroFlow = 1e-10 * kCfs;

/// Concentration of a completely mixed reactor after a step of `dt`: contents c at volume v1
/// mixed with the inflow's load w_in (concentration × m³/s) at q_in, never above the larger of
/// the contents' and the inflow's concentration (Manual Vol. III eq. 5-3; SWMM getMixedQual).
double mixed(double c, double v1, double w_in, double q_in, double dt) {
    if (q_in <= kZeroFlow)
        return c;
    const double v_in = q_in * dt;
    const double c_in = w_in * dt / v_in;
    const double c_max = std::max(c, c_in);
    return std::max(std::min((c * v1 + w_in * dt) / (v1 + v_in), c_max), 0.0);
}

constexpr std::int32_t kProcessVariables = 5; // HRT, DT, FLOW, DEPTH, AREA

} // namespace

std::optional<std::int32_t> treatment_variable(std::string_view name,
                                               const std::vector<Pollutant>& pollutants) {
    static constexpr const char* kWords[kProcessVariables] = {"HRT", "DT", "FLOW", "DEPTH", "AREA"};
    const auto same = [](std::string_view a, std::string_view b) {
        return a.size() == b.size() &&
               std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
                   return std::toupper(static_cast<unsigned char>(x)) ==
                          std::toupper(static_cast<unsigned char>(y));
               });
    };
    for (std::int32_t k = 0; k < kProcessVariables; ++k)
        if (same(name, kWords[k]))
            return k;
    const auto n = static_cast<std::int32_t>(pollutants.size());
    for (std::int32_t p = 0; p < n; ++p)
        if (same(name, pollutants[static_cast<std::size_t>(p)].id))
            return kProcessVariables + p;
    if (name.size() > 2 && std::toupper(static_cast<unsigned char>(name[0])) == 'R' &&
        name[1] == '_')
        for (std::int32_t p = 0; p < n; ++p)
            if (same(name.substr(2), pollutants[static_cast<std::size_t>(p)].id))
                return kProcessVariables + n + p;
    return std::nullopt;
}

std::vector<NodeTreatment> read_treatment(const Network& net,
                                          const std::vector<Pollutant>& pollutants,
                                          const std::string& file, Diagnostics& diags) {
    std::vector<NodeTreatment> out;
    const auto* raw = net.raw_section("TREATMENT");
    if (raw == nullptr)
        return out;
    rows::RowReader rr(file, diags, "TREATMENT");
    for (std::size_t r = 0; r < raw->rows.size(); ++r) {
        const auto& row = raw->rows[r];
        const int line = raw->line[r];
        if (row.empty())
            continue;
        if (row.size() < 3) {
            rr.error(ErrorCode::kMissingKey, line, row[0],
                     "a treatment needs a node, a pollutant and a function", row);
            continue;
        }
        NodeTreatment t;
        const auto node = net.find_node(row[0]);
        if (!node.valid()) {
            rr.error(ErrorCode::kUnknownReference, line, row[0], "unknown node '" + row[0] + "'",
                     row);
            continue;
        }
        t.node = static_cast<int>(node.idx());
        for (std::size_t p = 0; p < pollutants.size(); ++p)
            if (IdEqual{}(pollutants[p].id, row[1]))
                t.pollutant = static_cast<int>(p);
        if (t.pollutant < 0) {
            rr.error(ErrorCode::kUnknownReference, line, row[0],
                     "unknown pollutant '" + row[1] + "'", row);
            continue;
        }
        std::string text = row[2];
        for (std::size_t k = 3; k < row.size(); ++k)
            text += " " + row[k];
        const char kind = static_cast<char>(std::toupper(static_cast<unsigned char>(text[0])));
        const auto eq = text.find('=');
        if ((kind != 'R' && kind != 'C') || eq == std::string::npos) {
            rr.error(ErrorCode::kUnknownValue, line, row[0],
                     "a treatment function is 'R = ...' or 'C = ...'", row);
            continue;
        }
        t.removal = kind == 'R';
        std::string why;
        auto expr = MathExpression::parse(
            std::string_view(text).substr(eq + 1),
            [&](std::string_view v) { return treatment_variable(v, pollutants); }, why);
        if (!expr) {
            rr.error(ErrorCode::kNumberSyntax, line, row[0],
                     "the expression is not valid (" + why + ")", row);
            continue;
        }
        t.expression = std::move(*expr);
        out.push_back(std::move(t));
    }
    return out;
}

NetworkQuality::NetworkQuality(std::vector<Pollutant> pollutants, FlowRouting model,
                               std::size_t nodes, std::size_t links)
    : pol_(std::move(pollutants)), model_(model) {
    const std::size_t np = pol_.size();
    node_old_.assign(nodes * np, 0.0);
    node_new_.assign(nodes * np, 0.0);
    link_old_.assign(links * np, 0.0);
    link_new_.assign(links * np, 0.0);
    qual_inflow_.assign(nodes, 0.0);
    step_.assign(np, Rates{});
    total_.assign(np, Rates{});
    initial_stored_.assign(np, 0.0);
    hrt_s_.assign(nodes, 0.0);
}

void NetworkQuality::set_treatment(std::vector<NodeTreatment> treatment, const FlowRouter* router,
                                   double flow_per_m3s, double length_per_m) {
    router_ = router;
    flow_per_m3s_ = flow_per_m3s;
    length_per_m_ = length_per_m;
    const std::size_t np = pol_.size();
    treat_at_.assign(qual_inflow_.size(), -1);
    treat_.clear();
    for (auto& t : treatment) {
        auto& at = treat_at_[static_cast<std::size_t>(t.node)];
        if (at < 0) {
            at = static_cast<int>(treat_.size());
            treat_.resize(treat_.size() + np);
        }
        // a later line for the same node and pollutant replaces the earlier (as SWMM)
        treat_[static_cast<std::size_t>(at) + static_cast<std::size_t>(t.pollutant)] = std::move(t);
    }
    ts_.r.assign(np, 0.0);
    ts_.c_in.assign(np, 0.0);
}

double NetworkQuality::treatment_value(std::int32_t var) {
    const auto np = static_cast<std::int32_t>(pol_.size());
    const NodeState& nd = *ts_.nd;
    const auto n = static_cast<std::size_t>(ts_.node);
    switch (var) {
    case 0: // HRT, hours
        return nd.kind == NodeKind::kStorage ? hrt_s_[n] / 3600.0 : 0.0;
    case 1: // DT, s
        return ts_.dt;
    case 2: // FLOW, the file's flow units
        return ts_.q * flow_per_m3s_;
    case 3: // DEPTH, ft or m
        return 0.5 * (nd.old_depth + nd.depth) * length_per_m_;
    case 4: { // AREA, ft² or m² (storage units; 0 elsewhere)
        if (nd.kind != NodeKind::kStorage || router_ == nullptr)
            return 0.0;
        const double a = 0.5 * (router_->storage_surface_area_m2(ts_.node, nd.old_depth) +
                                router_->storage_surface_area_m2(ts_.node, nd.depth));
        return a * length_per_m_ * length_per_m_;
    }
    default:
        break;
    }
    if (var < kProcessVariables + np) { // a pollutant's concentration: of the inflow where that
                                        // pollutant is removed by R (or has no treatment)
        const auto p = static_cast<std::size_t>(var - kProcessVariables);
        const auto& t = treat_[static_cast<std::size_t>(ts_.first) + p];
        return (!t || t->removal) ? ts_.c_in[p] : node_new_[idx(ts_.node, p)];
    }
    const auto p = var - kProcessVariables - np;
    return p < np ? removal(static_cast<std::size_t>(p)) : 0.0;
}

// SWMM getRemoval: the removal fraction of pollutant p at the node being treated, evaluating its
// expression (and, through R_ variables, those of others) once; 10 marks one being evaluated, so
// that a cycle is caught.
double NetworkQuality::removal(std::size_t p) {
    double& r_p = ts_.r[p];
    if (r_p > 1.0 || ts_.error) {
        ts_.error = true;
        return 0.0;
    }
    if (r_p >= 0.0 && r_p <= 1.0)
        return r_p;
    r_p = 10.0;
    const double c0 = node_new_[idx(ts_.node, p)];
    if (c0 == 0.0) {
        ts_.r[p] = 0.0;
        return 0.0;
    }
    const auto& t = treat_[static_cast<std::size_t>(ts_.first) + p];
    double r =
        t ? t->expression.evaluate([this](std::int32_t v) { return treatment_value(v); }) : 0.0;
    r = std::max(0.0, r);
    if (!t || t->removal) {
        ts_.r[p] = std::min(1.0, r);
    } else {
        r = std::min(c0, r);
        ts_.r[p] = 1.0 - r / c0;
    }
    return ts_.r[p];
}

// SWMM treatmnt_treat: the node's mixed concentrations become the treated ones; what treatment
// takes out counts as reacted.
void NetworkQuality::treat(int n, double q, double dt, const NodeState& nd) {
    const std::size_t np = pol_.size();
    ts_.node = n;
    ts_.first = treat_at_[static_cast<std::size_t>(n)];
    ts_.dt = dt;
    ts_.q = q;
    ts_.nd = &nd;
    ts_.error = false;
    std::fill(ts_.r.begin(), ts_.r.end(), -1.0);
    for (std::size_t p = 0; p < np; ++p) {
        const auto& t = treat_[static_cast<std::size_t>(ts_.first) + p];
        if (!t)
            ts_.r[p] = 0.0;
        else if (t->removal && q <= kZeroFlow)
            ts_.r[p] = 0.0;
        else
            removal(p);
    }
    for (std::size_t p = 0; p < np; ++p) {
        const double r = ts_.r[p];
        if (r == 0.0)
            continue;
        const auto& t = treat_[static_cast<std::size_t>(ts_.first) + p];
        double& c = node_new_[idx(n, p)];
        double c_out = 0;
        if (!t || t->removal) {
            c_out = ts_.c_in[p] == 0.0 ? c : (1.0 - r) * ts_.c_in[p];
            c_out = std::min(c_out, c);
        } else {
            c_out = (1.0 - r) * c;
        }
        const double lost = (ts_.c_in[p] * q * dt + node_old_[idx(n, p)] * nd.old_volume -
                             c_out * (q * dt + nd.old_volume)) /
                            dt;
        step_[p].reacted += std::max(0.0, lost);
        c = c_out;
    }
}

void NetworkQuality::init(const std::vector<NodeState>& nodes,
                          const std::vector<LinkState>& links) {
    const std::size_t np = pol_.size();
    for (std::size_t n = 0; n < nodes.size(); ++n)
        for (std::size_t p = 0; p < np; ++p)
            node_old_[n * np + p] = node_new_[n * np + p] =
                nodes[n].depth > kZeroDepth ? pol_[p].initial_concentration : 0.0;
    for (std::size_t j = 0; j < links.size(); ++j)
        for (std::size_t p = 0; p < np; ++p)
            link_old_[j * np + p] = link_new_[j * np + p] =
                links[j].depth > kZeroDepth ? pol_[p].initial_concentration : 0.0;
    for (std::size_t p = 0; p < np; ++p)
        initial_stored_[p] = stored_mass(p, nodes, links);
}

void NetworkQuality::start_from(const std::vector<double>& node_conc,
                                const std::vector<double>& link_conc,
                                const std::vector<double>& residence_s,
                                const std::vector<NodeState>& nodes,
                                const std::vector<LinkState>& links) {
    if (node_conc.size() == node_new_.size())
        node_old_ = node_new_ = node_conc;
    if (link_conc.size() == link_new_.size())
        link_old_ = link_new_ = link_conc;
    if (residence_s.size() == hrt_s_.size())
        hrt_s_ = residence_s;
    for (std::size_t p = 0; p < pol_.size(); ++p)
        initial_stored_[p] = stored_mass(p, nodes, links);
}

void NetworkQuality::begin_step() {
    node_old_.swap(node_new_);
    std::fill(node_new_.begin(), node_new_.end(), 0.0);
    link_old_.swap(link_new_);
    std::fill(link_new_.begin(), link_new_.end(), 0.0);
}

void NetworkQuality::clear_step_totals() {
    std::fill(step_.begin(), step_.end(), Rates{});
}

void NetworkQuality::add_load(int n, std::size_t p, double load, LoadSource source) {
    node_new_[idx(n, p)] += load;
    Rates& r = step_[p];
    switch (source) {
    case LoadSource::kDryWeather:
        r.dw += load;
        break;
    case LoadSource::kWetWeather:
        r.ww += load;
        break;
    case LoadSource::kGroundwater:
        r.gw += load;
        break;
    case LoadSource::kRdii:
        r.ii += load;
        break;
    case LoadSource::kExternal:
        r.ex += load;
        break;
    }
}

double NetworkQuality::reacted(std::size_t p, double c, double v1, double dt) {
    // first-order decay over the step, explicit (SWMM getReactedQual)
    const double k = pol_[p].decay_per_s;
    if (k == 0.0)
        return c;
    const double c2 = std::max(0.0, c * (1.0 - k * dt));
    step_[p].reacted += (c - c2) * v1 / dt;
    return c2;
}

void NetworkQuality::route(double dt, const std::vector<NodeState>& nodes,
                           const std::vector<LinkState>& links,
                           const std::vector<double>& storage_evap_m3,
                           const std::vector<double>& storage_exfil_m3) {
    const std::size_t np = pol_.size();
    // street inlets (SWMM inlet_adjustQualInflows): the net capture carries the pollutants of
    // the step start from the bypass node into the capture node (a net backflow the other way);
    // the flows are the router's node inflows already (SWMM 5.2.4's qualrout_execute takes
    // Node.inflow for the inflow, whatever inlet_adjustQualInflows added)
    for (const InletTransfer& t : transfers_) {
        const double q_net = t.captured_m3s - t.backflow_m3s;
        const int from = q_net > 0.0 ? t.bypass : t.capture;
        const int to = q_net > 0.0 ? t.capture : t.bypass;
        for (std::size_t p = 0; p < np; ++p)
            node_new_[idx(to, p)] += std::abs(q_net) * node_old_[idx(from, p)];
    }
    // each link's outflow carries its concentration at the step start to its downstream node
    for (std::size_t j = 0; j < links.size(); ++j) {
        const LinkState& l = links[j];
        const int n = l.flow < 0.0 ? l.n1 : l.n2;
        const double q = std::abs(l.flow);
        for (std::size_t p = 0; p < np; ++p)
            node_new_[idx(n, p)] += q * link_old_[j * np + p];
    }
    if (!transfers_.empty() && model_ != FlowRouting::kDynwave)
        for (const InletTransfer& t : transfers_) { // SWMM findLinkMassFlow: qLink − captured
            const LinkState& l = links[static_cast<std::size_t>(t.link)];
            const int n = l.flow < 0.0 ? l.n1 : l.n2;
            for (std::size_t p = 0; p < np; ++p)
                node_new_[idx(n, p)] -=
                    t.captured_m3s * link_old_[static_cast<std::size_t>(t.link) * np + p];
        }
    // nodes: storage units (and nodes holding water) as completely mixed reactors, the others
    // mixed at once (SWMM findStorageQual, findNodeQual)
    for (std::size_t n = 0; n < nodes.size(); ++n) {
        const NodeState& nd = nodes[n];
        const double q_in = nd.inflow;
        qual_inflow_[n] = q_in;
        double* c_new = &node_new_[n * np];
        const double* c_old = &node_old_[n * np];
        const bool treated = !treat_at_.empty() && treat_at_[n] >= 0;
        const double q_treat = q_in < kZeroFlow ? 0.0 : q_in;
        if (treated) // the inflow's concentrations, for removals (SWMM treatmnt_setInflow)
            for (std::size_t p = 0; p < np; ++p)
                ts_.c_in[p] = q_treat > 0.0 ? c_new[p] / q_treat : 0.0;
        if (nd.kind == NodeKind::kStorage || nd.old_volume > kZeroVolume) {
            const double v1 = nd.old_volume;
            double q_exfil = 0, f_evap = 1;
            if (nd.kind == NodeKind::kStorage) {
                // hydraulic residence time (water age), for treatment (SWMM updateHRT)
                double& hrt = hrt_s_[n];
                hrt = v1 < 1e-10 * kFt3 ? 0.0 : std::max((hrt + dt) * v1 / (v1 + q_in * dt), 0.0);
                q_exfil = storage_exfil_m3[n] / dt;
                const double v_evap = storage_evap_m3[n];
                if (v_evap > 0.0 && v1 > kZeroVolume)
                    f_evap += v_evap / v1; // evaporation leaves the pollutant behind
            }
            for (std::size_t p = 0; p < np; ++p) {
                double c1 = c_old[p];
                step_[p].seep += q_exfil * c1;
                c1 *= f_evap;
                // decay only where no treatment expression acts on the pollutant
                if (!treated || !treat_[static_cast<std::size_t>(treat_at_[n]) + p])
                    c1 = reacted(p, c1, v1, dt);
                double c2 = mixed(c1, v1, c_new[p], q_in, dt);
                if ((nd.volume <= kZeroVolume || nd.depth <= kZeroDepth) && q_in <= kZeroFlow) {
                    step_[p].final_stored += c2 * nd.volume;
                    c2 = 0.0;
                }
                c_new[p] = c2;
            }
        } else if (q_in > kZeroFlow) {
            for (std::size_t p = 0; p < np; ++p)
                c_new[p] /= q_in;
        } else {
            for (std::size_t p = 0; p < np; ++p)
                c_new[p] = nd.depth > kZeroDepth ? c_old[p] : 0.0;
        }
        if (treated)
            treat(static_cast<int>(n), q_treat, dt, nd);
    }
    // links: conduits as completely mixed reactors fed by their upstream node; other links carry
    // the upstream node's water (SWMM findLinkQual)
    for (std::size_t j = 0; j < links.size(); ++j) {
        const LinkState& l = links[j];
        const int up = l.flow < 0.0 ? l.n2 : l.n1;
        const double* c_up = &node_new_[idx(up, 0)];
        double* c_new = &link_new_[j * np];
        const double* c_old = &link_old_[j * np];
        if (l.kind != LinkKind::kConduit || l.xs.shape() == Shape::kDummy) {
            std::copy(c_up, c_up + np, c_new);
            continue;
        }
        const double barrels = l.barrels;
        double q_in = std::abs(l.q1) * barrels;
        const double q_seep = (l.loss_rate - l.evap_rate) * barrels;
        const double v_evap = l.evap_rate * barrels * dt;
        const double v1 = l.old_volume, v2 = l.volume;
        double f_evap = 1.0;
        if (v_evap > 0.0 && v1 > kZeroVolume)
            f_evap += v_evap / v1;
        if (model_ == FlowRouting::kSteady) {
            // steady flow: the inlet node's water passes at once, decaying over the step (SWMM
            // findSFLinkQual: exponential, and only a positive Kdecay)
            const double* c_in = &node_new_[idx(l.n1, 0)];
            for (std::size_t p = 0; p < np; ++p) {
                const double c1 = c_in[p] * f_evap;
                step_[p].seep += q_seep * c_in[p];
                double c2 = c1;
                if (pol_[p].decay_per_s > 0.0) {
                    c2 = std::max(0.0, c1 * std::exp(-pol_[p].decay_per_s * dt));
                    step_[p].reacted += (c1 - c2) * l.flow;
                }
                c_new[p] = c2;
            }
            continue;
        }
        if (model_ == FlowRouting::kDynwave) // one flow per conduit: the inflow from the volume
            q_in = std::max(q_in + (v2 + q_seep * dt + v_evap - v1) / dt, 0.0);
        for (std::size_t p = 0; p < np; ++p) {
            double c1 = c_old[p];
            step_[p].seep += q_seep * c1;
            c1 = reacted(p, c1 * f_evap, v1, dt);
            double c2 = mixed(c1, v1, c_up[p] * q_in, q_in, dt);
            if (v2 < kZeroVolume || l.depth <= kZeroDepth) {
                step_[p].final_stored += c2 * v2;
                c2 = 0.0;
            }
            c_new[p] = c2;
        }
    }
}

void NetworkQuality::add_outflow(int n, double q, bool flooded) {
    for (std::size_t p = 0; p < pol_.size(); ++p) {
        const double w = q * node_new_[idx(n, p)];
        (flooded ? step_[p].flood : step_[p].out) += w;
    }
}

void NetworkQuality::accumulate(double h) {
    for (std::size_t p = 0; p < pol_.size(); ++p) {
        const Rates& s = step_[p];
        Rates& t = total_[p];
        t.dw += s.dw * h;
        t.ww += s.ww * h;
        t.gw += s.gw * h;
        t.ii += s.ii * h;
        t.ex += s.ex * h;
        t.flood += s.flood * h;
        t.out += s.out * h;
        t.reacted += s.reacted * h;
        t.seep += s.seep * h;
        t.final_stored += s.final_stored; // per call, not per second: SWMM counts it so
    }
}

void NetworkQuality::add_outfall_load(std::size_t outfall, int n, double inflow, double dt) {
    const std::size_t np = pol_.size();
    if (outfall_load_.size() < (outfall + 1) * np)
        outfall_load_.resize((outfall + 1) * np, 0.0);
    for (std::size_t p = 0; p < np; ++p)
        outfall_load_[outfall * np + p] += inflow * node_new_[idx(n, p)] * dt;
}

std::vector<double> NetworkQuality::outfall_loads_kg() const {
    std::vector<double> out = outfall_load_;
    const std::size_t np = pol_.size();
    for (std::size_t k = 0; k < out.size(); ++k)
        out[k] *= Pollutant::kLitresPerM3 * pol_[k % np].kg_per_unit();
    return out;
}

double NetworkQuality::stored_mass(std::size_t p, const std::vector<NodeState>& nodes,
                                   const std::vector<LinkState>& links) const {
    double m = 0;
    for (std::size_t n = 0; n < nodes.size(); ++n)
        m += nodes[n].volume * node_new_[n * pol_.size() + p];
    if (model_ != FlowRouting::kSteady) // SWMM counts no mass in links under steady flow
        for (std::size_t j = 0; j < links.size(); ++j)
            m += links[j].volume * link_new_[j * pol_.size() + p];
    return m;
}

std::vector<RoutingQualityTotals>
NetworkQuality::finish(const std::vector<NodeState>& nodes,
                       const std::vector<LinkState>& links) const {
    std::vector<RoutingQualityTotals> out(pol_.size());
    for (std::size_t p = 0; p < pol_.size(); ++p) {
        const Rates& t = total_[p];
        const double final_stored = t.final_stored + stored_mass(p, nodes, links);
        const double in = t.dw + t.ww + t.gw + t.ii + t.ex + initial_stored_[p];
        const double gone = t.flood + t.out + t.reacted + t.seep + final_stored;
        auto& r = out[p];
        // SWMM: no error below 0.001 of its mass unit × ft³ (the totals in concentration × ft³)
        r.continuity_error_pct = std::abs(in - gone) < 0.001 * kFt3 ? 0.0
                                 : in > 0.0                         ? 100.0 * (1.0 - gone / in)
                                 : gone > 0.0                       ? 100.0 * (in / gone - 1.0)
                                                                    : 0.0;
        const double kg = Pollutant::kLitresPerM3 * pol_[p].kg_per_unit();
        r.dry_weather = t.dw * kg;
        r.wet_weather = t.ww * kg;
        r.groundwater = t.gw * kg;
        r.rdii = t.ii * kg;
        r.external = t.ex * kg;
        r.outflow = t.out * kg;
        r.flooding = t.flood * kg;
        r.exfiltration = t.seep * kg;
        r.reacted = t.reacted * kg;
        r.initial_stored = initial_stored_[p] * kg;
        r.final_stored = final_stored * kg;
    }
    return out;
}

} // namespace rencheng::drainage
