// Damage of a water network: leaks as orifice emitters, closures forced on every solve, and the
// damaged extended-period simulation with its per-step mass balance.
#include "water/damage.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <optional>
#include <sstream>

#include "core/error.hpp"

namespace rencheng::water {

namespace {

constexpr double kPi = 3.14159265358979323846;

bool is_pipe(const Network& net, LinkIndex k) {
    const auto kind = net.link_kind[k.idx()];
    return kind == LinkKind::kPipe || kind == LinkKind::kCvPipe;
}

bool node_ok(const Network& net, NodeIndex n) {
    return n.valid() && n.value() >= 0 && n.value() < net.node_count();
}

bool link_ok(const Network& net, LinkIndex k) {
    return k.valid() && k.value() >= 0 && k.value() < net.link_count();
}

void check_coefficients(std::ostringstream& err, const char* what, std::size_t i, double area,
                        double cd) {
    if (!(area >= 0) || !std::isfinite(area))
        err << what << ' ' << i << ": area must be >= 0 m²\n";
    if (!(cd > 0 && cd <= 1))
        err << what << ' ' << i << ": discharge coefficient must be in (0, 1]\n";
}

/// A leak or break at a point along a pipe, before the pipe is cut there.
struct PipePoint {
    double position = 0;
    bool is_break = false;
    double coefficient = 0; ///< Cd·A·sqrt(2g) at the point (a break: at each broken end)
};

/// `base` if it is a free EPANET id (≤ 31 characters, not in `ids`), else DMG<n> for the
/// smallest free n from `counter` on.
std::string fresh_id(const IdMap& ids, const std::string& base, int& counter) {
    if (base.size() <= 31 && !ids.contains(base))
        return base;
    for (;;) {
        std::string id = "DMG" + std::to_string(++counter);
        if (!ids.contains(id))
            return id;
    }
}

/// Cuts pipe k at its damage points (sorted by position) and puts their leak coefficients on the
/// new junctions.
void cut_at_points(AppliedDamage& out, std::size_t k, std::vector<PipePoint>& points,
                   int& counter) {
    std::stable_sort(points.begin(), points.end(), [](const PipePoint& a, const PipePoint& b) {
        return a.position < b.position;
    });
    Network& dn = out.net;
    const std::string pipe = dn.link_id[k];
    LinkIndex rest{static_cast<std::int32_t>(k)};
    double start = 0; // where `rest` begins along the original pipe
    int n_leak = 0, n_break = 0, n_piece = 0;
    for (const PipePoint& p : points) {
        const double f = std::clamp((p.position - start) / (1 - start), kMinSplitFraction,
                                    1 - kMinSplitFraction);
        const std::string link_id =
            fresh_id(dn.link_index, pipe + "_" + std::to_string(++n_piece), counter);
        LinkIndex piece;
        if (p.is_break) {
            ++n_break;
            const std::string a =
                fresh_id(dn.node_index, pipe + "_break" + std::to_string(n_break) + "a", counter);
            const std::string b =
                fresh_id(dn.node_index, pipe + "_break" + std::to_string(n_break) + "b", counter);
            const PipeBreak cut = break_pipe(dn, rest, f, a, b, link_id);
            out.leak_coefficient_m3s.push_back(p.coefficient);
            out.leak_coefficient_m3s.push_back(p.coefficient);
            piece = cut.link;
        } else {
            const std::string a =
                fresh_id(dn.node_index, pipe + "_leak" + std::to_string(++n_leak), counter);
            const PipeSplit cut = split_pipe(dn, rest, f, a, link_id);
            out.leak_coefficient_m3s.push_back(p.coefficient);
            piece = cut.link;
        }
        out.pieces[k].push_back(piece);
        out.cuts.push_back({static_cast<std::int32_t>(k), p.position, p.is_break});
        start += f * (1 - start);
        rest = piece;
    }
}

/// A control or rule action on a pipe that was cut acts on every piece of it, as it acted on the
/// whole pipe: copies of it naming each piece follow the original. A rule premise on the pipe
/// keeps naming the first piece (which keeps the pipe's index and id) and lists the others, so
/// it reads them all (RulePremise::pieces).
void extend_controls_to_pieces(AppliedDamage& out) {
    const auto& pieces = out.pieces;
    auto split = [&](LinkIndex k) { return k.valid() && !pieces[k.idx()].empty(); };
    std::vector<Control> controls;
    controls.reserve(out.net.controls.size());
    for (const Control& c : out.net.controls) {
        controls.push_back(c);
        if (!split(c.link))
            continue;
        for (const LinkIndex piece : pieces[c.link.idx()]) {
            controls.push_back(c);
            controls.back().link = piece;
        }
    }
    out.net.controls = std::move(controls);
    auto extend = [&](std::vector<RuleAction>& actions) {
        std::vector<RuleAction> all;
        all.reserve(actions.size());
        for (const RuleAction& a : actions) {
            all.push_back(a);
            if (!split(a.link))
                continue;
            for (const LinkIndex piece : pieces[a.link.idx()]) {
                all.push_back(a);
                all.back().link = piece;
            }
        }
        actions = std::move(all);
    };
    for (Rule& r : out.net.rules) {
        extend(r.then_actions);
        extend(r.else_actions);
        for (RulePremise& p : r.premises) {
            using O = RulePremise::Object;
            const bool link_object = p.object == O::kLink || p.object == O::kPipe;
            if (link_object && p.index >= 0 && split(LinkIndex{p.index}))
                p.pieces = pieces[static_cast<std::size_t>(p.index)];
        }
    }
}

void close_links_at(const CsrGraph& adj, NodeIndex n, std::vector<std::uint8_t>& closed) {
    for (const std::int32_t k : adj.arcs(n.value()))
        closed[static_cast<std::size_t>(k)] = 1;
}

} // namespace

std::string DamageState::validate(const Network& net) const {
    std::ostringstream err;
    for (std::size_t i = 0; i < leaks.size(); ++i) {
        const Leak& l = leaks[i];
        if (l.node.valid() == l.link.valid())
            err << "leak " << i << ": give either a node or a link\n";
        else if (l.node.valid() &&
                 (!node_ok(net, l.node) || net.node_kind[l.node.idx()] != NodeKind::kJunction))
            err << "leak " << i << ": node must be a junction\n";
        else if (l.link.valid() && (!link_ok(net, l.link) || !is_pipe(net, l.link)))
            err << "leak " << i << ": link must be a pipe\n";
        if (!(l.position >= 0 && l.position <= 1))
            err << "leak " << i << ": position must be in [0, 1]\n";
        check_coefficients(err, "leak", i, l.area_m2, l.discharge_coefficient);
    }
    for (std::size_t i = 0; i < breaks.size(); ++i) {
        if (!link_ok(net, breaks[i].link) || !is_pipe(net, breaks[i].link))
            err << "break " << i << ": link must be a pipe\n";
        if (!(breaks[i].position >= 0 && breaks[i].position <= 1))
            err << "break " << i << ": position must be in [0, 1]\n";
        check_coefficients(err, "break", i, breaks[i].area_m2, breaks[i].discharge_coefficient);
    }
    for (std::size_t i = 0; i < closed_links.size(); ++i)
        if (!link_ok(net, closed_links[i]))
            err << "closed link " << i << ": no such link\n";
    for (std::size_t i = 0; i < pump_outages.size(); ++i)
        if (!link_ok(net, pump_outages[i]) ||
            net.link_kind[pump_outages[i].idx()] != LinkKind::kPump)
            err << "pump outage " << i << ": link must be a pump\n";
    for (std::size_t i = 0; i < tank_outages.size(); ++i)
        if (!node_ok(net, tank_outages[i]) ||
            net.node_kind[tank_outages[i].idx()] != NodeKind::kTank)
            err << "tank outage " << i << ": node must be a tank\n";
    for (std::size_t i = 0; i < source_losses.size(); ++i)
        if (!node_ok(net, source_losses[i]) ||
            net.node_kind[source_losses[i].idx()] != NodeKind::kReservoir)
            err << "source loss " << i << ": node must be a reservoir\n";
    return err.str();
}

AppliedDamage apply_damage(const Network& net, const DamageState& damage) {
    if (const std::string err = damage.validate(net); !err.empty())
        throw Error(ErrorCode::kOutOfRange, "damage does not fit the network: " + err);
    AppliedDamage out;
    out.net = net;
    out.original_nodes = net.node_count();
    out.original_links = net.link_count();
    const auto nn = static_cast<std::size_t>(net.node_count());
    const auto nl = static_cast<std::size_t>(net.link_count());
    out.leak_coefficient_m3s.assign(nn, 0);
    out.pieces.resize(nl);
    const double sqrt_2g = std::sqrt(2 * kLeakGravity);
    // Leaks at nodes act there; leaks and breaks along pipes are gathered per pipe and cut in.
    std::vector<std::vector<PipePoint>> points(nl);
    for (const Leak& l : damage.leaks) {
        if (!(l.area_m2 > 0))
            continue;
        const double coefficient = l.discharge_coefficient * l.area_m2 * sqrt_2g;
        NodeIndex at = l.node;
        if (!at.valid()) {
            const std::size_t k = l.link.idx();
            // At an end that is a junction the leak acts at that node (no zero-length piece).
            if (l.position <= 0 && net.node_kind[net.from_node[k].idx()] == NodeKind::kJunction)
                at = net.from_node[k];
            else if (l.position >= 1 && net.node_kind[net.to_node[k].idx()] == NodeKind::kJunction)
                at = net.to_node[k];
            else
                points[k].push_back({l.position, false, coefficient});
        }
        if (at.valid())
            out.leak_coefficient_m3s[at.idx()] += coefficient;
    }
    for (const Break& b : damage.breaks) {
        const std::size_t k = b.link.idx();
        const double d = net.diameter_m[k];
        const double area = b.area_m2 > 0 ? b.area_m2 : kPi * d * d / 4;
        points[k].push_back({b.position, true, b.discharge_coefficient * area * sqrt_2g});
    }
    int counter = 0;
    for (std::size_t k = 0; k < nl; ++k)
        if (!points[k].empty())
            cut_at_points(out, k, points[k], counter);
    extend_controls_to_pieces(out);
    out.forced_closed.assign(static_cast<std::size_t>(out.net.link_count()), 0);
    auto close = [&](LinkIndex k) {
        out.forced_closed[k.idx()] = 1;
        for (const LinkIndex piece : out.pieces[k.idx()])
            out.forced_closed[piece.idx()] = 1;
    };
    for (const LinkIndex k : damage.closed_links)
        close(k);
    for (const LinkIndex k : damage.pump_outages)
        close(k);
    if (!damage.tank_outages.empty() || !damage.source_losses.empty()) {
        const CsrGraph adj = out.net.adjacency();
        for (const NodeIndex n : damage.tank_outages)
            close_links_at(adj, n, out.forced_closed);
        for (const NodeIndex n : damage.source_losses)
            close_links_at(adj, n, out.forced_closed);
    }
    const bool any_leak =
        std::any_of(out.leak_coefficient_m3s.begin(), out.leak_coefficient_m3s.end(),
                    [](double k) { return k > 0; });
    if (any_leak) {
        const bool has_emitters =
            std::any_of(net.emitter_coefficient.begin(), net.emitter_coefficient.end(),
                        [](double k) { return k > 0; });
        if (has_emitters && net.options.emitter_exponent != 0.5)
            throw Error(ErrorCode::kUnsupported,
                        "leaks need emitter exponent 0.5 but the network's emitters use " +
                            std::to_string(net.options.emitter_exponent));
        out.net.options.emitter_exponent = 0.5;
        for (std::size_t i = 0; i < out.leak_coefficient_m3s.size(); ++i)
            out.net.emitter_coefficient[i] += out.leak_coefficient_m3s[i];
    }
    return out;
}

void impose_damage(const Network& net, const AppliedDamage& applied, HydraulicState& state) {
    for (std::size_t k = 0; k < applied.forced_closed.size(); ++k) {
        if (!applied.forced_closed[k])
            continue;
        const auto kind = net.link_kind[k];
        if (kind == LinkKind::kPump) {
            state.setting[k] = 0.0;
        } else if (kind == LinkKind::kValve &&
                   net.valves.kind[static_cast<std::size_t>(net.valve_of_link[k])] !=
                       ValveKind::kGpv) {
            state.setting[k] = std::numeric_limits<double>::quiet_NaN();
        }
        state.status[k] = LinkState::kClosed;
    }
}

DamagedTopologyCache::DamagedTopologyCache(std::size_t capacity)
    : capacity_(std::max<std::size_t>(capacity, 1)) {}

const HydraulicTopology& DamagedTopologyCache::topology(const Network& base,
                                                        const AppliedDamage& applied) {
    if (&base != base_ || base.node_count() != base_nodes_ || base.link_count() != base_links_) {
        entries_.clear();
        base_ = &base;
        base_nodes_ = base.node_count();
        base_links_ = base.link_count();
    }
    ++clock_;
    for (Entry& e : entries_)
        if (e.cuts == applied.cuts) {
            e.last_used = clock_;
            ++hits_;
            return *e.topology;
        }
    if (entries_.size() >= capacity_) {
        const auto lru =
            std::min_element(entries_.begin(), entries_.end(), [](const Entry& a, const Entry& b) {
                return a.last_used < b.last_used;
            });
        entries_.erase(lru);
    }
    ++builds_;
    entries_.push_back({applied.cuts, std::make_unique<HydraulicTopology>(applied.net), clock_});
    return *entries_.back().topology;
}

DamageResult simulate_damage(const Network& net, const HydraulicTopology& topo,
                             const DamageState& damage, const EpsOptions& options,
                             DamagedTopologyCache* cache) {
    AppliedDamage applied = apply_damage(net, damage);
    const Network& dnet = applied.net;
    const auto nn = static_cast<std::size_t>(dnet.node_count());
    // A split pipe changes the matrix pattern: the damaged network needs its own topology.
    std::optional<HydraulicTopology> own_topo;
    if (applied.topology_changed() && cache == nullptr)
        own_topo.emplace(dnet);
    const HydraulicTopology& dtopo = !applied.topology_changed() ? topo
                                     : own_topo                  ? *own_topo
                                                                 : cache->topology(net, applied);
    DamageResult out;
    EpsOptions o = options;
    o.hydraulic.emitter_no_backflow =
        options.hydraulic.emitter_no_backflow ||
        std::any_of(applied.leak_coefficient_m3s.begin(), applied.leak_coefficient_m3s.end(),
                    [](double k) { return k > 0; });
    std::vector<double> required(nn, 0);
    o.before_solve = [&](Seconds t, HydraulicState& s) {
        for (std::size_t i = 0; i < nn; ++i)
            required[i] = dnet.node_kind[i] == NodeKind::kJunction ? s.node_demand[i] : 0.0;
        impose_damage(dnet, applied, s);
        if (options.before_solve)
            options.before_solve(t, s);
    };
    o.after_solve = [&](Seconds t, const HydraulicState& s, const HydraulicSummary& sum) {
        DamageStep st;
        st.time_s = t;
        st.summary = sum;
        st.head_m = s.head_m;
        st.flow_m3s.resize(s.flow_m3s.size());
        for (std::size_t k = 0; k < s.flow_m3s.size(); ++k)
            st.flow_m3s[k] = reported_flow(s, k);
        st.required_m3s = required;
        st.delivered_m3s.assign(nn, 0);
        st.leak_m3s.assign(nn, 0);
        st.cut_off = s.cut_off;
        double reservoir_out = 0, gross = 0;
        for (std::size_t i = 0; i < nn; ++i) {
            const double q = s.node_demand[i];
            if (dnet.node_kind[i] != NodeKind::kJunction) {
                gross += std::max(-q, 0.0);
                if (dnet.node_kind[i] == NodeKind::kReservoir)
                    reservoir_out -= q;
                else
                    st.storage_m3s += q;
                continue;
            }
            const double emitted = s.cut_off[i] ? 0.0 : s.emitter_flow[i];
            const double k_total = dnet.emitter_coefficient[i];
            const double leak =
                k_total > 0 ? emitted * applied.leak_coefficient_m3s[i] / k_total : 0.0;
            // the network's own pipe leakage ([LEAKAGE]) counts with its own emitters
            const double background = s.cut_off[i] ? 0.0 : s.leak_fa_flow[i] + s.leak_va_flow[i];
            st.leak_m3s[i] = leak;
            st.leak_total_m3s += leak;
            st.emitter_m3s += emitted - leak + background;
            st.delivered_m3s[i] = q - emitted - background;
            st.demand_m3s += q - emitted - background;
            gross += std::max(-(q - emitted - background), 0.0);
        }
        st.supply_m3s = gross;
        const double imbalance =
            reservoir_out - st.demand_m3s - st.leak_total_m3s - st.emitter_m3s - st.storage_m3s;
        st.mass_balance_error = std::fabs(imbalance) / std::max(gross, 1e-9);
        out.max_mass_balance_error = std::max(out.max_mass_balance_error, st.mass_balance_error);
        out.max_cut_off_junctions = std::max(out.max_cut_off_junctions, sum.cut_off_nodes);
        out.converged = out.converged && sum.converged;
        out.steps.push_back(std::move(st));
        if (options.after_solve)
            options.after_solve(t, s, sum);
    };
    out.eps = simulate_eps(dnet, dtopo, o);
    out.network = std::move(applied.net);
    return out;
}

DamageState random_damage(const Network& net, RngStream& rng, const RandomDamageOptions& options) {
    DamageState d;
    std::vector<LinkIndex> pipes, pumps;
    std::vector<NodeIndex> tanks, reservoirs;
    for (std::int32_t k = 0; k < net.link_count(); ++k) {
        if (is_pipe(net, LinkIndex{k}))
            pipes.emplace_back(k);
        else if (net.link_kind[static_cast<std::size_t>(k)] == LinkKind::kPump)
            pumps.emplace_back(k);
    }
    for (std::int32_t n = 0; n < net.node_count(); ++n) {
        const auto kind = net.node_kind[static_cast<std::size_t>(n)];
        if (kind == NodeKind::kTank)
            tanks.emplace_back(n);
        else if (kind == NodeKind::kReservoir)
            reservoirs.emplace_back(n);
    }
    auto count = [&](int max) {
        return static_cast<int>(rng.below(static_cast<std::uint64_t>(max) + 1));
    };
    auto pick = [&](const auto& v) { return v[static_cast<std::size_t>(rng.below(v.size()))]; };
    if (!pipes.empty()) {
        for (int i = count(options.max_leaks); i > 0; --i) {
            Leak l;
            l.link = pick(pipes);
            l.position = rng.uniform();
            l.area_m2 = rng.uniform(0.0, options.max_leak_area_m2);
            d.leaks.push_back(l);
        }
        for (int i = count(options.max_breaks); i > 0; --i) {
            Break b;
            b.link = pick(pipes);
            b.position = rng.uniform();
            d.breaks.push_back(b);
        }
    }
    if (net.link_count() > 0)
        for (int i = count(options.max_closed_links); i > 0; --i)
            d.closed_links.emplace_back(
                static_cast<std::int32_t>(rng.below(static_cast<std::uint64_t>(net.link_count()))));
    if (!pumps.empty())
        for (int i = count(options.max_pump_outages); i > 0; --i)
            d.pump_outages.push_back(pick(pumps));
    if (!tanks.empty())
        for (int i = count(options.max_tank_outages); i > 0; --i)
            d.tank_outages.push_back(pick(tanks));
    if (!reservoirs.empty())
        for (int i = count(options.max_source_losses); i > 0; --i)
            d.source_losses.push_back(pick(reservoirs));
    return d;
}

} // namespace rencheng::water
