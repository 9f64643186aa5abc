// Steady-state gas flow by pressure zones: each zone (nodes joined by pipes, resistors, short
// pipes and open valves) is solved by a nodal Newton method (Todini & Pilati 1988 Schur form) on
// its potentials, downstream zones first so that the flow of every regulator or compressor is
// known before its inlet zone is solved; then each zone's pressure level is set.
#include "gas/steady_state.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <sstream>

#include <klu.h>

#include "core/error.hpp"
#include "gas/flow_equations.hpp"

namespace rencheng::gas {

std::string_view component_status_name(ComponentStatus s) {
    switch (s) {
    case ComponentStatus::kSolved:
        return "solved";
    case ComponentStatus::kInfeasible:
        return "infeasible";
    case ComponentStatus::kNoSource:
        return "no_source";
    case ComponentStatus::kNotConverged:
        return "not_converged";
    case ComponentStatus::kUnsupported:
        return "unsupported";
    }
    return "?";
}

void SteadyStateOptions::validate() const {
    if (max_iterations < 1)
        throw Error(ErrorCode::kOutOfRange, "gas solver: max_iterations must be >= 1");
    if (!(flow_tolerance > 0) || !(check_tolerance > 0))
        throw Error(ErrorCode::kOutOfRange, "gas solver: tolerances must be > 0");
}

bool SteadyStateResult::all_solved() const {
    return std::all_of(components.begin(), components.end(), [](const ComponentReport& c) {
        return c.status == ComponentStatus::kSolved;
    });
}

std::vector<double> node_balance_m3s(const Network& net, const std::vector<double>& flow_m3s,
                                     const std::vector<double>& injection_m3s) {
    std::vector<double> b(static_cast<std::size_t>(net.node_count()), 0.0);
    for (std::size_t n = 0; n < b.size(); ++n)
        b[n] = injection_m3s[n] - (net.node_kind[n] == NodeKind::kSource ? 0.0 : net.demand_m3s[n]);
    for (std::size_t k = 0; k < flow_m3s.size(); ++k) {
        const double q = std::isnan(flow_m3s[k]) ? 0.0 : flow_m3s[k];
        b[net.from_node[k].idx()] -= q;
        b[net.to_node[k].idx()] += q;
    }
    return b;
}

namespace {

constexpr double kNan = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();
/// Relative flow change under which a Newton iteration that stops improving is at round-off.
constexpr double kStagnation = 1e-8;
/// Flow scale (m³/s at normal conditions) below which the change is measured absolutely: a zone
/// that carries (almost) no gas, e.g. a district whose customers are all elsewhere, would
/// otherwise compare round-off changes against round-off flows and never stop.
constexpr double kFlowScaleFloor = 1e-3;

std::string bar(double pa) {
    std::ostringstream s;
    s.precision(6);
    s << pa / 1e5 << " bar";
    return s.str();
}

struct UnionFind {
    std::vector<std::int32_t> parent;
    explicit UnionFind(std::int32_t n) : parent(static_cast<std::size_t>(n)) {
        std::iota(parent.begin(), parent.end(), 0);
    }
    std::int32_t find(std::int32_t a) {
        while (parent[static_cast<std::size_t>(a)] != a) {
            auto& p = parent[static_cast<std::size_t>(a)];
            p = parent[static_cast<std::size_t>(p)];
            a = p;
        }
        return a;
    }
    void unite(std::int32_t a, std::int32_t b) {
        a = find(a), b = find(b);
        if (a != b)
            parent[static_cast<std::size_t>(std::max(a, b))] = std::min(a, b);
    }
};

/// Dense numbering 0..count-1 of union-find roots, in order of the lowest member.
std::vector<std::int32_t> number_sets(UnionFind& uf, std::int32_t n, std::int32_t& count) {
    std::vector<std::int32_t> id(static_cast<std::size_t>(n), -1), out(static_cast<std::size_t>(n));
    count = 0;
    for (std::int32_t i = 0; i < n; ++i) {
        const auto r = static_cast<std::size_t>(uf.find(i));
        if (id[r] < 0)
            id[r] = count++;
        out[static_cast<std::size_t>(i)] = id[r];
    }
    return out;
}

bool is_station(ConnectionKind k) {
    return k == ConnectionKind::kRegulator || k == ConnectionKind::kCompressor;
}
bool is_lossless(ConnectionKind k) {
    return k == ConnectionKind::kShortPipe || k == ConnectionKind::kValve;
}

/// The symmetric positive definite system (A W Aᵀ) of one zone's free nodes, factored by KLU with
/// its symbolic analysis done once and reused every Newton iteration.
class ZoneSystem {
public:
    ZoneSystem() { klu_defaults(&common_); }
    ~ZoneSystem() {
        if (numeric_)
            klu_free_numeric(&numeric_, &common_);
        if (symbolic_)
            klu_free_symbolic(&symbolic_, &common_);
    }
    ZoneSystem(const ZoneSystem&) = delete;
    ZoneSystem& operator=(const ZoneSystem&) = delete;

    /// Pattern: the diagonal and the pairs (a, b) of free nodes joined by an element.
    void analyze(std::int32_t n, const std::vector<std::pair<std::int32_t, std::int32_t>>& pairs) {
        n_ = n;
        std::vector<std::vector<std::int32_t>> rows(static_cast<std::size_t>(n));
        for (std::int32_t i = 0; i < n; ++i)
            rows[static_cast<std::size_t>(i)].push_back(i);
        for (auto [a, b] : pairs) {
            rows[static_cast<std::size_t>(b)].push_back(a);
            rows[static_cast<std::size_t>(a)].push_back(b);
        }
        ap_.assign(static_cast<std::size_t>(n) + 1, 0);
        ai_.clear();
        for (std::int32_t j = 0; j < n; ++j) {
            auto& r = rows[static_cast<std::size_t>(j)];
            std::sort(r.begin(), r.end());
            r.erase(std::unique(r.begin(), r.end()), r.end());
            ai_.insert(ai_.end(), r.begin(), r.end());
            ap_[static_cast<std::size_t>(j) + 1] = static_cast<std::int32_t>(ai_.size());
        }
        ax_.assign(ai_.size(), 0.0);
        symbolic_ = klu_analyze(n, ap_.data(), ai_.data(), &common_);
    }
    /// Position of entry (row i, column j) in the value array.
    [[nodiscard]] std::int32_t position(std::int32_t i, std::int32_t j) const {
        const auto b = ai_.begin() + ap_[static_cast<std::size_t>(j)];
        const auto e = ai_.begin() + ap_[static_cast<std::size_t>(j) + 1];
        return static_cast<std::int32_t>(std::lower_bound(b, e, i) - ai_.begin());
    }
    std::vector<double>& values() { return ax_; }
    /// Factors the current values (refactor with the previous pivots when possible) and solves
    /// in place. False when singular.
    bool solve(std::vector<double>& rhs) {
        if (!symbolic_)
            return false;
        bool ok = false;
        if (numeric_)
            ok = klu_refactor(ap_.data(), ai_.data(), ax_.data(), symbolic_, numeric_, &common_) !=
                     0 &&
                 klu_rcond(symbolic_, numeric_, &common_) != 0 && common_.rcond > 1e-14;
        if (!ok) {
            if (numeric_)
                klu_free_numeric(&numeric_, &common_);
            numeric_ = klu_factor(ap_.data(), ai_.data(), ax_.data(), symbolic_, &common_);
            if (!numeric_ || common_.status != KLU_OK)
                return false;
        }
        return klu_solve(symbolic_, numeric_, n_, 1, rhs.data(), &common_) != 0;
    }

private:
    klu_common common_{};
    klu_symbolic* symbolic_ = nullptr;
    klu_numeric* numeric_ = nullptr;
    std::int32_t n_ = 0;
    std::vector<std::int32_t> ap_, ai_;
    std::vector<double> ax_;
};

/// One element of a zone's Newton system: a pipe or resistor between two super nodes.
struct ZoneElement {
    std::int32_t connection;
    std::int32_t a, b; ///< local super-node numbers (from, to)
    LossLaw law;
    double derivative_floor;
};

struct Zone {
    std::vector<std::int32_t> supers;       ///< super nodes in the zone
    std::vector<std::int32_t> elements;     ///< loss connections (pipes, resistors)
    std::vector<std::int32_t> stations_in;  ///< stations whose outlet lies in the zone
    std::vector<std::int32_t> stations_out; ///< stations whose inlet lies in the zone
    std::vector<std::int32_t> fixed_supers; ///< super nodes with a held pressure
    Potential potential = Potential::kSquared;
    bool failed = false;
    bool dependent = false; ///< level follows an upstream zone (ratio compressor)
    ComponentStatus status = ComponentStatus::kSolved;
    std::vector<std::string> messages;
    int iterations = 0;
    std::vector<double> phi;  ///< per local super node: potential (Pa² or Pa)
    std::vector<double> flow; ///< per element
};

double to_potential(Potential p, double pressure_pa) {
    return p == Potential::kSquared ? pressure_pa * pressure_pa : pressure_pa;
}
double to_pressure(Potential p, double phi) {
    return p == Potential::kSquared ? (phi >= 0 ? std::sqrt(phi) : kNan) : phi;
}

class Solver {
public:
    Solver(const Network& net, const SteadyStateOptions& options,
           const std::vector<double>* initial_flow = nullptr)
        : net_(net), opt_(options), initial_flow_(initial_flow) {}
    SteadyStateResult run();

private:
    bool build_topology();
    void classify_zone(std::int32_t z);
    bool solve_zone(std::int32_t z, const std::vector<double>& fixed_phi, bool warm);
    void set_levels_downstream_first();
    void set_dependent_levels();
    void finish_zone(std::int32_t z);
    void check_zone(std::int32_t z);
    void fail(std::int32_t z, ComponentStatus s, std::string message) {
        auto& zone = zones_[static_cast<std::size_t>(z)];
        zone.failed = true;
        zone.status = s;
        zone.messages.push_back(std::move(message));
    }
    void note(std::int32_t z, std::string message) {
        auto& zone = zones_[static_cast<std::size_t>(z)];
        if (zone.status == ComponentStatus::kSolved)
            zone.status = ComponentStatus::kInfeasible;
        zone.messages.push_back(std::move(message));
    }
    [[nodiscard]] std::int32_t local(std::int32_t z, std::int32_t super) const {
        (void)z;
        return local_of_super_[static_cast<std::size_t>(super)];
    }
    /// Net withdrawal of a super node: demands of its members (reference sources excluded) and
    /// the flows of stations drawing from it.
    [[nodiscard]] double super_demand(std::int32_t s) const;
    /// Held pressure of a fixed super node before levels are set (trial or given set-point).
    [[nodiscard]] double given_pressure(std::int32_t s, bool& automatic) const;
    [[nodiscard]] std::string super_name(std::int32_t s) const {
        return net_.node_id[static_cast<std::size_t>(super_rep_[static_cast<std::size_t>(s)])];
    }

    const Network& net_;
    const SteadyStateOptions& opt_;
    const std::vector<double>* initial_flow_; ///< per connection: Newton's start, or null
    std::int32_t n_ = 0, m_ = 0;
    std::vector<std::int32_t> super_of_node_, super_rep_;
    std::vector<std::vector<std::int32_t>> super_members_;
    std::vector<std::int32_t> zone_of_super_, local_of_super_;
    std::vector<Zone> zones_;
    std::vector<std::int32_t> order_; ///< zones, upstream first
    std::vector<std::int32_t> component_of_node_;
    std::int32_t component_count_ = 0;
    std::vector<std::int32_t> station_at_outlet_; ///< per super node: station holding it, or -1
    std::vector<std::uint8_t> reference_source_;  ///< per node: source used as pressure reference
    std::vector<double> station_flow_;            ///< per connection (stations)
    std::vector<double> super_pressure_;          ///< final, per super node
    std::vector<double> injection_;               ///< per node
    std::vector<double> flow_;                    ///< per connection
    std::vector<std::uint8_t> level_auto_;        ///< per zone: its level was chosen by the solver
    std::vector<std::uint8_t> bypass_;            ///< per connection: station run in bypass
    std::vector<std::pair<std::int32_t, std::string>> bypass_notes_; ///< (connection, why)

    [[nodiscard]] bool lossless(std::size_t k) const {
        return is_lossless(net_.connection_kind[k]) || bypass_[k];
    }
    [[nodiscard]] bool station(std::size_t k) const {
        return is_station(net_.connection_kind[k]) && !bypass_[k];
    }
    /// Puts station `k` in bypass (when the options allow) with the reason; false otherwise.
    bool bypass(std::size_t k, const std::string& why) {
        if (!opt_.bypass_unsupported_stations)
            return false;
        bypass_[k] = 1;
        bypass_notes_.emplace_back(static_cast<std::int32_t>(k),
                                   std::string(connection_kind_name(net_.connection_kind[k])) +
                                       " '" + net_.connection_id[k] +
                                       "' runs in bypass (open, no pressure change): " + why);
        return true;
    }
    bool order_zones();
    bool one_automatic_reference();
};

bool Solver::build_topology() {
    n_ = net_.node_count();
    m_ = net_.connection_count();
    // Components over every open connection.
    UnionFind comp(n_), super(n_), zone(n_);
    for (std::int32_t k = 0; k < m_; ++k) {
        const auto ku = static_cast<std::size_t>(k);
        if (!net_.open[ku])
            continue;
        const auto a = net_.from_node[ku].value(), b = net_.to_node[ku].value();
        comp.unite(a, b);
        if (lossless(ku))
            super.unite(a, b);
        if (!station(ku))
            zone.unite(a, b);
    }
    component_of_node_ = number_sets(comp, n_, component_count_);
    std::int32_t super_count = 0, zone_count = 0;
    super_of_node_ = number_sets(super, n_, super_count);
    const auto zone_of_node = number_sets(zone, n_, zone_count);
    super_rep_.assign(static_cast<std::size_t>(super_count), -1);
    super_members_.assign(static_cast<std::size_t>(super_count), {});
    zone_of_super_.assign(static_cast<std::size_t>(super_count), -1);
    for (std::int32_t i = 0; i < n_; ++i) {
        const auto s = static_cast<std::size_t>(super_of_node_[static_cast<std::size_t>(i)]);
        if (super_rep_[s] < 0)
            super_rep_[s] = i;
        super_members_[s].push_back(i);
        zone_of_super_[s] = zone_of_node[static_cast<std::size_t>(i)];
    }
    zones_.assign(static_cast<std::size_t>(zone_count), {});
    local_of_super_.assign(static_cast<std::size_t>(super_count), -1);
    for (std::int32_t s = 0; s < super_count; ++s) {
        auto& z = zones_[static_cast<std::size_t>(zone_of_super_[static_cast<std::size_t>(s)])];
        local_of_super_[static_cast<std::size_t>(s)] = static_cast<std::int32_t>(z.supers.size());
        z.supers.push_back(s);
    }
    station_at_outlet_.assign(static_cast<std::size_t>(super_count), -1);
    for (std::int32_t k = 0; k < m_; ++k) {
        const auto ku = static_cast<std::size_t>(k);
        if (!net_.open[ku] || lossless(ku))
            continue;
        const auto sa = super_of_node_[net_.from_node[ku].idx()];
        const auto sb = super_of_node_[net_.to_node[ku].idx()];
        const auto za = zone_of_super_[static_cast<std::size_t>(sa)];
        const auto zb = zone_of_super_[static_cast<std::size_t>(sb)];
        if (station(ku)) {
            zones_[static_cast<std::size_t>(za)].stations_out.push_back(k);
            zones_[static_cast<std::size_t>(zb)].stations_in.push_back(k);
            if (za == zb && bypass(ku, "its inlet and outlet are also joined by pipes"))
                return false;
            if (za == zb)
                fail(za, ComponentStatus::kUnsupported,
                     std::string(connection_kind_name(net_.connection_kind[ku])) + " '" +
                         net_.connection_id[ku] +
                         "': its inlet and outlet are also joined by pipes (a bypass), which the "
                         "zone method does not handle");
            auto& holder = station_at_outlet_[static_cast<std::size_t>(sb)];
            if (holder >= 0 &&
                bypass(ku, "station '" + net_.connection_id[static_cast<std::size_t>(holder)] +
                               "' already holds the pressure of node '" + super_name(sb) + "'"))
                return false;
            if (holder >= 0)
                fail(zb, ComponentStatus::kUnsupported,
                     "node '" + super_name(sb) + "' is the outlet of two stations ('" +
                         net_.connection_id[static_cast<std::size_t>(holder)] + "' and '" +
                         net_.connection_id[ku] + "')");
            holder = k;
        } else if (sa != sb) {
            zones_[static_cast<std::size_t>(za)].elements.push_back(k);
        }
    }
    return true;
}

double Solver::given_pressure(std::int32_t s, bool& automatic) const {
    automatic = false;
    const auto st = station_at_outlet_[static_cast<std::size_t>(s)];
    if (st >= 0) {
        const auto su = static_cast<std::size_t>(st);
        if (net_.connection_kind[su] == ConnectionKind::kCompressor &&
            net_.compressor_mode[su] == CompressorMode::kRatio) {
            automatic = true;
            return kNan;
        }
        if (is_set(net_.outlet_set_pressure_pa[su]))
            return net_.outlet_set_pressure_pa[su];
        automatic = true;
        return kNan;
    }
    for (auto i : super_members_[static_cast<std::size_t>(s)]) {
        const auto iu = static_cast<std::size_t>(i);
        if (net_.node_kind[iu] == NodeKind::kSource && is_set(net_.set_pressure_pa[iu]))
            return net_.set_pressure_pa[iu];
    }
    automatic = true;
    return kNan;
}

double Solver::super_demand(std::int32_t s) const {
    double d = 0;
    for (auto i : super_members_[static_cast<std::size_t>(s)])
        if (!reference_source_[static_cast<std::size_t>(i)])
            d += net_.demand_m3s[static_cast<std::size_t>(i)];
    return d;
}

void Solver::classify_zone(std::int32_t z) {
    auto& zone = zones_[static_cast<std::size_t>(z)];
    // Potential: GB 50028 low-pressure pipes alone, or squared-pressure elements alone.
    bool low = false, high = false;
    for (auto k : zone.elements) {
        if (net_.connection_kind[static_cast<std::size_t>(k)] == ConnectionKind::kPipe &&
            net_.pressure_class[static_cast<std::size_t>(k)] == PressureClass::kLow)
            low = true;
        else
            high = true;
    }
    if (low && high)
        fail(z, ComponentStatus::kUnsupported,
             "pressure zone of node '" + super_name(zone.supers.front()) +
                 "' joins low-pressure pipes and higher-class pipes without a regulator between "
                 "them");
    zone.potential = low && !high ? Potential::kLinear : Potential::kSquared;
    // Fixed super nodes: set-point sources and station outlets.
    for (auto s : zone.supers) {
        bool fixed = station_at_outlet_[static_cast<std::size_t>(s)] >= 0;
        for (auto i : super_members_[static_cast<std::size_t>(s)]) {
            const auto iu = static_cast<std::size_t>(i);
            if (net_.node_kind[iu] == NodeKind::kSource && is_set(net_.set_pressure_pa[iu])) {
                if (station_at_outlet_[static_cast<std::size_t>(s)] >= 0)
                    fail(z, ComponentStatus::kUnsupported,
                         "source '" + net_.node_id[iu] +
                             "' holds a pressure at the outlet of a station");
                fixed = true;
                reference_source_[iu] = 1;
            }
        }
        if (fixed)
            zone.fixed_supers.push_back(s);
    }
    if (zone.fixed_supers.empty() && opt_.auto_reference) {
        // GasLib operating mode: the source with the largest nominated injection is the
        // pressure reference; its flow becomes free (and is checked against its nomination).
        std::int32_t best = -1;
        for (auto s : zone.supers)
            for (auto i : super_members_[static_cast<std::size_t>(s)]) {
                const auto iu = static_cast<std::size_t>(i);
                if (net_.node_kind[iu] != NodeKind::kSource)
                    continue;
                if (best < 0 ||
                    -net_.demand_m3s[iu] > -net_.demand_m3s[static_cast<std::size_t>(best)])
                    best = i;
            }
        if (best >= 0) {
            reference_source_[static_cast<std::size_t>(best)] = 1;
            zone.fixed_supers.push_back(super_of_node_[static_cast<std::size_t>(best)]);
        }
    }
    if (zone.fixed_supers.empty())
        fail(z, ComponentStatus::kNoSource,
             "no pressure reference for the zone of node '" + super_name(zone.supers.front()) +
                 "': no source with a set-point and no regulator or compressor feeds it");
    for (auto st : zone.stations_in) {
        const auto su = static_cast<std::size_t>(st);
        if (net_.connection_kind[su] == ConnectionKind::kCompressor &&
            net_.compressor_mode[su] == CompressorMode::kRatio) {
            zone.dependent = true;
            if (zone.fixed_supers.size() != 1)
                fail(z, ComponentStatus::kUnsupported,
                     "compressor '" + net_.connection_id[su] +
                         "' in ratio mode feeds a zone with another pressure reference");
        }
    }
}

bool Solver::solve_zone(std::int32_t z, const std::vector<double>& fixed_phi, bool warm) {
    auto& zone = zones_[static_cast<std::size_t>(z)];
    const auto ns = static_cast<std::int32_t>(zone.supers.size());
    // Free numbering.
    std::vector<std::int32_t> free_of(static_cast<std::size_t>(ns), -1);
    std::vector<double> phi(static_cast<std::size_t>(ns), 0.0);
    for (std::size_t f = 0; f < zone.fixed_supers.size(); ++f)
        phi[static_cast<std::size_t>(local(z, zone.fixed_supers[f]))] = fixed_phi[f];
    std::int32_t nf = 0;
    std::vector<std::uint8_t> is_fixed(static_cast<std::size_t>(ns), 0);
    for (auto s : zone.fixed_supers)
        is_fixed[static_cast<std::size_t>(local(z, s))] = 1;
    for (std::int32_t l = 0; l < ns; ++l)
        if (!is_fixed[static_cast<std::size_t>(l)])
            free_of[static_cast<std::size_t>(l)] = nf++;
    std::vector<double> demand(static_cast<std::size_t>(ns), 0.0);
    double throughput = 0;
    for (std::int32_t l = 0; l < ns; ++l) {
        demand[static_cast<std::size_t>(l)] =
            super_demand(zone.supers[static_cast<std::size_t>(l)]);
        throughput += std::abs(demand[static_cast<std::size_t>(l)]);
    }
    for (auto st : zone.stations_out) {
        const auto sa = super_of_node_[net_.from_node[static_cast<std::size_t>(st)].idx()];
        const double q = station_flow_[static_cast<std::size_t>(st)];
        demand[static_cast<std::size_t>(local(z, sa))] += q;
        throughput += std::abs(q);
    }
    // Elements and their laws.
    std::vector<ZoneElement> el;
    el.reserve(zone.elements.size());
    const double q_floor = 1e-9 * std::max(throughput, 1e-6);
    for (auto k : zone.elements) {
        const auto ku = static_cast<std::size_t>(k);
        ZoneElement e{k, local(z, super_of_node_[net_.from_node[ku].idx()]),
                      local(z, super_of_node_[net_.to_node[ku].idx()]), make_loss_law(net_, k), 0};
        double g = 0;
        e.law.head(q_floor, g);
        e.derivative_floor = g;
        el.push_back(e);
    }
    std::vector<double> q(el.size());
    if (warm && zone.flow.size() == el.size()) {
        q = zone.flow;
    } else {
        std::fill(q.begin(), q.end(), std::max(throughput, 1e-6) / std::max<double>(1, el.size()));
        if (initial_flow_ != nullptr)
            for (std::size_t k = 0; k < el.size(); ++k)
                if (const double q0 = (*initial_flow_)[static_cast<std::size_t>(el[k].connection)];
                    std::isfinite(q0))
                    q[k] = q0;
    }
    // Pattern and symbolic analysis, once per zone solve.
    std::vector<std::pair<std::int32_t, std::int32_t>> pairs;
    for (const auto& e : el) {
        const auto fa = free_of[static_cast<std::size_t>(e.a)];
        const auto fb = free_of[static_cast<std::size_t>(e.b)];
        if (fa >= 0 && fb >= 0)
            pairs.emplace_back(fa, fb);
    }
    ZoneSystem sys;
    std::vector<std::int32_t> pos_aa(el.size(), -1), pos_bb(el.size(), -1), pos_ab(el.size(), -1),
        pos_ba(el.size(), -1);
    if (nf > 0) {
        sys.analyze(nf, pairs);
        for (std::size_t k = 0; k < el.size(); ++k) {
            const auto fa = free_of[static_cast<std::size_t>(el[k].a)];
            const auto fb = free_of[static_cast<std::size_t>(el[k].b)];
            if (fa >= 0)
                pos_aa[k] = sys.position(fa, fa);
            if (fb >= 0)
                pos_bb[k] = sys.position(fb, fb);
            if (fa >= 0 && fb >= 0) {
                pos_ab[k] = sys.position(fa, fb);
                pos_ba[k] = sys.position(fb, fa);
            }
        }
    }
    std::vector<double> h(el.size()), g(el.size()), rhs(static_cast<std::size_t>(nf));
    bool converged = false;
    double previous_relative = kInf;
    int it = 0;
    for (; it < opt_.max_iterations; ++it) {
        auto& ax = sys.values();
        std::fill(ax.begin(), ax.end(), 0.0);
        std::fill(rhs.begin(), rhs.end(), 0.0);
        for (std::int32_t l = 0; l < ns; ++l)
            if (free_of[static_cast<std::size_t>(l)] >= 0)
                rhs[static_cast<std::size_t>(free_of[static_cast<std::size_t>(l)])] =
                    -demand[static_cast<std::size_t>(l)]; // Σ out − Σ in = −withdrawal
        for (std::size_t k = 0; k < el.size(); ++k) {
            double d = 0;
            h[k] = el[k].law.head(q[k], d) - el[k].law.elevation_gain_pa;
            g[k] = std::max(d, el[k].derivative_floor);
            const double w = 1.0 / g[k];
            const double c = q[k] - h[k] / g[k]; // A (q − h/g) moves to the right-hand side
            const auto fa = free_of[static_cast<std::size_t>(el[k].a)];
            const auto fb = free_of[static_cast<std::size_t>(el[k].b)];
            if (fa >= 0) {
                ax[static_cast<std::size_t>(pos_aa[k])] += w;
                rhs[static_cast<std::size_t>(fa)] -= c;
                if (fb < 0)
                    rhs[static_cast<std::size_t>(fa)] += w * phi[static_cast<std::size_t>(el[k].b)];
            }
            if (fb >= 0) {
                ax[static_cast<std::size_t>(pos_bb[k])] += w;
                rhs[static_cast<std::size_t>(fb)] += c;
                if (fa < 0)
                    rhs[static_cast<std::size_t>(fb)] += w * phi[static_cast<std::size_t>(el[k].a)];
            }
            if (fa >= 0 && fb >= 0) {
                ax[static_cast<std::size_t>(pos_ab[k])] -= w;
                ax[static_cast<std::size_t>(pos_ba[k])] -= w;
            }
        }
        if (nf > 0 && !sys.solve(rhs)) {
            fail(z, ComponentStatus::kNotConverged,
                 "singular Newton matrix in the zone of node '" + super_name(zone.supers.front()) +
                     "'");
            return false;
        }
        for (std::int32_t l = 0; l < ns; ++l)
            if (free_of[static_cast<std::size_t>(l)] >= 0)
                phi[static_cast<std::size_t>(l)] =
                    rhs[static_cast<std::size_t>(free_of[static_cast<std::size_t>(l)])];
        double change = 0, total = 0;
        for (std::size_t k = 0; k < el.size(); ++k) {
            const double dphi =
                phi[static_cast<std::size_t>(el[k].a)] - phi[static_cast<std::size_t>(el[k].b)];
            const double qn = q[k] - (h[k] - dphi) / g[k];
            change += std::abs(qn - q[k]);
            total += std::abs(qn);
            q[k] = qn;
        }
        if (!std::isfinite(change)) {
            fail(z, ComponentStatus::kNotConverged,
                 "Newton diverged in the zone of node '" + super_name(zone.supers.front()) + "'");
            return false;
        }
        // Converged at the tolerance; or at round-off: Newton converges quadratically, so a
        // relative change below kStagnation that no longer falls tenfold per iteration is the
        // rounding floor of the linear solve, not slow convergence.
        const double relative = change / std::max(total, kFlowScaleFloor);
        if (relative <= opt_.flow_tolerance || el.empty() ||
            (relative <= kStagnation && relative > 0.1 * previous_relative)) {
            converged = true;
            ++it;
            break;
        }
        previous_relative = relative;
    }
    zone.iterations += it;
    zone.phi = phi;
    zone.flow = q;
    if (!converged) {
        std::ostringstream s;
        s << "Newton did not converge in " << opt_.max_iterations
          << " iterations in the zone of node '" << super_name(zone.supers.front()) << "'";
        fail(z, ComponentStatus::kNotConverged, s.str());
        return false;
    }
    // Flow of each station feeding the zone: what its outlet node supplies.
    for (auto st : zone.stations_in) {
        const auto sb = super_of_node_[net_.to_node[static_cast<std::size_t>(st)].idx()];
        const auto l = local(z, sb);
        double out = demand[static_cast<std::size_t>(l)];
        for (std::size_t k = 0; k < el.size(); ++k) {
            if (el[k].a == l)
                out += q[k];
            if (el[k].b == l)
                out -= q[k];
        }
        station_flow_[static_cast<std::size_t>(st)] = out;
    }
    return true;
}

void Solver::set_levels_downstream_first() {
    // Zones downstream first: a zone's level must respect its stations' limits towards zones
    // whose pressures are already set.
    for (auto it = order_.rbegin(); it != order_.rend(); ++it) {
        const auto z = *it;
        auto& zone = zones_[static_cast<std::size_t>(z)];
        if (zone.failed || zone.dependent)
            continue;
        std::vector<double> fixed(zone.fixed_supers.size());
        bool any_auto = false;
        for (std::size_t f = 0; f < fixed.size(); ++f) {
            bool automatic = false;
            const double p = given_pressure(zone.fixed_supers[f], automatic);
            any_auto = any_auto || automatic;
            fixed[f] = automatic ? kNan : to_potential(zone.potential, p);
        }
        if (!any_auto)
            continue; // solved with its given set-points in phase 1
        if (fixed.size() != 1) {
            fail(z, ComponentStatus::kUnsupported,
                 "the zone of node '" + super_name(zone.supers.front()) +
                     "' has several pressure references and one of them has no set-point");
            continue;
        }
        level_auto_[static_cast<std::size_t>(z)] = 1;
        // Offsets δ_s = φ_s − φ_f of the trial solve (φ_f = 0): the level L = φ_f shifts every
        // node alike, because the loss laws depend on potential differences only.
        const auto f = zone.fixed_supers.front();
        const double phi_f = zone.phi[static_cast<std::size_t>(local(z, f))];
        double lo = -kInf, hi = kInf;
        std::string lo_why, hi_why;
        auto bound_pressure = [&](std::int32_t s, double pmin, double pmax,
                                  const std::string& why) {
            const double delta = zone.phi[static_cast<std::size_t>(local(z, s))] - phi_f;
            if (is_set(pmin) && to_potential(zone.potential, pmin) - delta > lo) {
                lo = to_potential(zone.potential, pmin) - delta;
                lo_why = why + " needs at least " + bar(pmin) + " at node '" + super_name(s) + "'";
            }
            if (is_set(pmax) && to_potential(zone.potential, pmax) - delta < hi) {
                hi = to_potential(zone.potential, pmax) - delta;
                hi_why = why + " allows at most " + bar(pmax) + " at node '" + super_name(s) + "'";
            }
        };
        for (auto s : zone.supers)
            for (auto i : super_members_[static_cast<std::size_t>(s)]) {
                const auto iu = static_cast<std::size_t>(i);
                bound_pressure(s, net_.pressure_min_pa[iu], net_.pressure_max_pa[iu],
                               "the pressure bound of node '" + net_.node_id[iu] + "'");
            }
        for (auto st : zone.stations_in) {
            const auto su = static_cast<std::size_t>(st);
            if (is_set(net_.outlet_pressure_max_pa[su]))
                bound_pressure(f, kNan,
                               net_.outlet_pressure_max_pa[su] - net_.pressure_loss_out_pa[su],
                               "the outlet limit of '" + net_.connection_id[su] + "'");
        }
        for (auto st : zone.stations_out) {
            const auto su = static_cast<std::size_t>(st);
            const auto s_in = super_of_node_[net_.from_node[su].idx()];
            const double loss_in = net_.pressure_loss_in_pa[su];
            const double loss_out = net_.pressure_loss_out_pa[su];
            const std::string name = "'" + net_.connection_id[su] + "'";
            if (is_set(net_.inlet_pressure_min_pa[su]))
                bound_pressure(s_in, net_.inlet_pressure_min_pa[su] + loss_in, kNan,
                               "the inlet limit of " + name);
            const auto s_out = super_of_node_[net_.to_node[su].idx()];
            const auto z_out = zone_of_super_[static_cast<std::size_t>(s_out)];
            if (zones_[static_cast<std::size_t>(z_out)].failed ||
                zones_[static_cast<std::size_t>(z_out)].dependent)
                continue;
            const double p_out = super_pressure_[static_cast<std::size_t>(s_out)];
            if (!std::isfinite(p_out))
                continue;
            if (net_.connection_kind[su] == ConnectionKind::kCompressor) {
                // A compressor raises pressure: inlet − loss_in ≤ outlet + loss_out; and its
                // ratio is bounded: outlet + loss_out ≤ r_max (inlet − loss_in).
                bound_pressure(s_in, kNan, p_out + loss_out + loss_in,
                               "compressor " + name + " (outlet " + bar(p_out) + ")");
                if (is_set(net_.max_pressure_ratio[su]))
                    bound_pressure(s_in, (p_out + loss_out) / net_.max_pressure_ratio[su] + loss_in,
                                   kNan, "the ratio limit of compressor " + name);
            } else {
                const double dmin = is_set(net_.pressure_differential_min_pa[su])
                                        ? net_.pressure_differential_min_pa[su]
                                        : 0.0;
                bound_pressure(s_in, p_out + loss_out + loss_in + dmin, kNan,
                               "regulator " + name + " (outlet " + bar(p_out) + ")");
                if (is_set(net_.pressure_differential_max_pa[su]))
                    bound_pressure(s_in, kNan,
                                   p_out + loss_out + loss_in +
                                       net_.pressure_differential_max_pa[su],
                                   "the differential limit of regulator " + name);
            }
        }
        if (!std::isfinite(hi)) {
            fail(z, ComponentStatus::kUnsupported,
                 "no upper pressure bound in the zone of node '" + super_name(f) +
                     "' to choose its automatic pressure level from; give a set-point");
            continue;
        }
        if (lo > hi * (1 + opt_.check_tolerance)) {
            note(z, "infeasible pressures in the zone of node '" + super_name(f) + "': " + hi_why +
                        ", but " + lo_why);
        }
        // The highest level within the bounds (the lowest compression or reduction is not an
        // aim here; a high level keeps customers furthest above their minimum pressure).
        std::vector<double> level{hi};
        solve_zone(z, level, true);
        for (auto s : zone.supers)
            super_pressure_[static_cast<std::size_t>(s)] =
                to_pressure(zone.potential, zone.phi[static_cast<std::size_t>(local(z, s))]);
    }
}

void Solver::set_dependent_levels() {
    for (auto z : order_) {
        auto& zone = zones_[static_cast<std::size_t>(z)];
        if (zone.failed || !zone.dependent)
            continue;
        const auto f = zone.fixed_supers.front();
        const auto st = station_at_outlet_[static_cast<std::size_t>(f)];
        const auto su = static_cast<std::size_t>(st);
        const auto s_in = super_of_node_[net_.from_node[su].idx()];
        const double p_in = super_pressure_[static_cast<std::size_t>(s_in)];
        if (!std::isfinite(p_in)) {
            fail(z, ComponentStatus::kUnsupported,
                 "compressor '" + net_.connection_id[su] + "' has no inlet pressure");
            continue;
        }
        const double p_out = net_.pressure_ratio[su] * (p_in - net_.pressure_loss_in_pa[su]) -
                             net_.pressure_loss_out_pa[su];
        std::vector<double> level{to_potential(zone.potential, p_out)};
        solve_zone(z, level, true);
        for (auto s : zone.supers)
            super_pressure_[static_cast<std::size_t>(s)] =
                to_pressure(zone.potential, zone.phi[static_cast<std::size_t>(local(z, s))]);
    }
}

void Solver::check_zone(std::int32_t z) {
    auto& zone = zones_[static_cast<std::size_t>(z)];
    const double tol = opt_.check_tolerance;
    for (auto s : zone.supers) {
        const double p = super_pressure_[static_cast<std::size_t>(s)];
        for (auto i : super_members_[static_cast<std::size_t>(s)]) {
            const auto iu = static_cast<std::size_t>(i);
            if (!std::isfinite(p)) {
                note(z, "node '" + net_.node_id[iu] +
                            "': the squared pressure would be negative (the gas cannot reach it "
                            "at this flow)");
                continue;
            }
            const double pmin = net_.pressure_min_pa[iu], pmax = net_.pressure_max_pa[iu];
            if (is_set(pmin) && p < pmin * (1 - tol))
                note(z, "node '" + net_.node_id[iu] + "': pressure " + bar(p) +
                            " is below its minimum " + bar(pmin));
            if (is_set(pmax) && p > pmax * (1 + tol))
                note(z, "node '" + net_.node_id[iu] + "': pressure " + bar(p) +
                            " is above its maximum " + bar(pmax));
        }
    }
    for (auto st : zone.stations_out) {
        const auto su = static_cast<std::size_t>(st);
        const auto z_out =
            zone_of_super_[static_cast<std::size_t>(super_of_node_[net_.to_node[su].idx()])];
        if (zones_[static_cast<std::size_t>(z_out)].failed)
            continue; // its outlet zone reports why
        const std::string name = std::string(connection_kind_name(net_.connection_kind[su])) +
                                 " '" + net_.connection_id[su] + "'";
        const double q = station_flow_[su];
        if (q < -1e-12)
            note(z,
                 name + ": would have to pass gas backwards (flow " + std::to_string(q) + " m3/s)");
        const double p_in =
            super_pressure_[static_cast<std::size_t>(super_of_node_[net_.from_node[su].idx()])] -
            net_.pressure_loss_in_pa[su];
        const double p_out =
            super_pressure_[static_cast<std::size_t>(super_of_node_[net_.to_node[su].idx()])] +
            net_.pressure_loss_out_pa[su];
        if (!std::isfinite(p_in) || !std::isfinite(p_out))
            continue;
        if (is_set(net_.inlet_pressure_min_pa[su]) &&
            p_in < net_.inlet_pressure_min_pa[su] * (1 - tol))
            note(z, name + ": inlet pressure " + bar(p_in) + " is below its minimum " +
                        bar(net_.inlet_pressure_min_pa[su]));
        if (is_set(net_.outlet_pressure_max_pa[su]) &&
            p_out > net_.outlet_pressure_max_pa[su] * (1 + tol))
            note(z, name + ": outlet pressure " + bar(p_out) + " is above its maximum " +
                        bar(net_.outlet_pressure_max_pa[su]));
        if (net_.connection_kind[su] == ConnectionKind::kCompressor) {
            if (p_out < p_in * (1 - tol))
                note(z, name + ": outlet " + bar(p_out) + " is below inlet " + bar(p_in) +
                            " (a compressor cannot reduce pressure)");
            if (is_set(net_.max_pressure_ratio[su]) &&
                p_out > net_.max_pressure_ratio[su] * p_in * (1 + tol))
                note(z, name + ": pressure ratio " + std::to_string(p_out / p_in) +
                            " exceeds its maximum " + std::to_string(net_.max_pressure_ratio[su]));
        } else {
            const double dmin = is_set(net_.pressure_differential_min_pa[su])
                                    ? net_.pressure_differential_min_pa[su]
                                    : 0.0;
            if (p_in - p_out < dmin - tol * p_in)
                note(z, name + ": inlet " + bar(p_in) + " is not above outlet " + bar(p_out) +
                            " by its minimum differential " + bar(dmin));
            if (is_set(net_.pressure_differential_max_pa[su]) &&
                p_in - p_out > net_.pressure_differential_max_pa[su] + tol * p_in)
                note(z, name + ": differential " + bar(p_in - p_out) + " exceeds its maximum " +
                            bar(net_.pressure_differential_max_pa[su]));
        }
    }
}

void Solver::finish_zone(std::int32_t z) {
    auto& zone = zones_[static_cast<std::size_t>(z)];
    for (std::size_t k = 0; k < zone.elements.size(); ++k)
        flow_[static_cast<std::size_t>(zone.elements[k])] = zone.flow[k];
    for (auto st : zone.stations_in)
        flow_[static_cast<std::size_t>(st)] = station_flow_[static_cast<std::size_t>(st)];
    // Injection of reference sources: what the zone draws beyond the other nodes' demands.
    for (auto s : zone.supers) {
        for (auto i : super_members_[static_cast<std::size_t>(s)])
            if (reference_source_[static_cast<std::size_t>(i)] &&
                station_at_outlet_[static_cast<std::size_t>(s)] < 0) {
                const auto l = static_cast<std::size_t>(local(z, s));
                double out = super_demand(s);
                for (auto st : zone.stations_out)
                    if (super_of_node_[net_.from_node[static_cast<std::size_t>(st)].idx()] == s)
                        out += station_flow_[static_cast<std::size_t>(st)];
                for (std::size_t k = 0; k < zone.elements.size(); ++k) {
                    const auto ku = static_cast<std::size_t>(zone.elements[k]);
                    if (static_cast<std::size_t>(
                            local(z, super_of_node_[net_.from_node[ku].idx()])) == l)
                        out += zone.flow[k];
                    if (static_cast<std::size_t>(
                            local(z, super_of_node_[net_.to_node[ku].idx()])) == l)
                        out -= zone.flow[k];
                }
                injection_[static_cast<std::size_t>(i)] = out;
                break; // one reference per super node carries its supply
            }
    }
    // Nominated injections of sources that are not references.
    for (auto s : zone.supers)
        for (auto i : super_members_[static_cast<std::size_t>(s)]) {
            const auto iu = static_cast<std::size_t>(i);
            if (net_.node_kind[iu] == NodeKind::kSource && !reference_source_[iu]) {
                injection_[iu] = -net_.demand_m3s[iu];
            }
        }
}

bool Solver::one_automatic_reference() {
    // Several held pressures in one zone fix the split of its supply between them, so they must
    // all be given; a zone with several where one is automatic keeps its first station holding
    // pressure and runs the next in bypass.
    for (std::size_t z = 0; z < zones_.size(); ++z) {
        const Zone& zone = zones_[z];
        int held = 0;
        bool any_auto = false;
        for (auto s : zone.supers)
            for (auto i : super_members_[static_cast<std::size_t>(s)]) {
                const auto iu = static_cast<std::size_t>(i);
                if (net_.node_kind[iu] == NodeKind::kSource && is_set(net_.set_pressure_pa[iu]))
                    ++held;
            }
        for (auto st : zone.stations_in) {
            const auto su = static_cast<std::size_t>(st);
            ++held;
            any_auto = any_auto || !is_set(net_.outlet_set_pressure_pa[su]) ||
                       (net_.connection_kind[su] == ConnectionKind::kCompressor &&
                        net_.compressor_mode[su] == CompressorMode::kRatio);
        }
        if (held > 1 && any_auto && zone.stations_in.size() > 0) {
            const auto st = static_cast<std::size_t>(zone.stations_in.back());
            if (bypass(st, "another pressure is already held in its outlet zone (node '" +
                               super_name(zone.supers.front()) + "')"))
                return false;
        }
    }
    return true;
}

bool Solver::order_zones() {
    // Topological order of the zone graph (edges inlet zone → outlet zone), Kahn's algorithm.
    const auto zone_count = static_cast<std::int32_t>(zones_.size());
    std::vector<std::int32_t> indegree(static_cast<std::size_t>(zone_count), 0);
    for (std::int32_t z = 0; z < zone_count; ++z)
        indegree[static_cast<std::size_t>(z)] =
            static_cast<std::int32_t>(zones_[static_cast<std::size_t>(z)].stations_in.size());
    std::vector<std::int32_t> ready;
    order_.clear();
    for (std::int32_t z = zone_count - 1; z >= 0; --z)
        if (indegree[static_cast<std::size_t>(z)] == 0)
            ready.push_back(z);
    while (!ready.empty()) {
        const auto z = ready.back();
        ready.pop_back();
        order_.push_back(z);
        for (auto st : zones_[static_cast<std::size_t>(z)].stations_out) {
            const auto zb = zone_of_super_[static_cast<std::size_t>(
                super_of_node_[net_.to_node[static_cast<std::size_t>(st)].idx()])];
            if (--indegree[static_cast<std::size_t>(zb)] == 0)
                ready.push_back(zb);
        }
    }
    for (std::int32_t z = 0; z < zone_count; ++z) {
        if (indegree[static_cast<std::size_t>(z)] == 0)
            continue;
        // A station from one zone of the loop into another closes it: bypass the first found.
        for (auto st : zones_[static_cast<std::size_t>(z)].stations_out) {
            const auto zb = zone_of_super_[static_cast<std::size_t>(
                super_of_node_[net_.to_node[static_cast<std::size_t>(st)].idx()])];
            if (indegree[static_cast<std::size_t>(zb)] > 0 &&
                bypass(static_cast<std::size_t>(st), "it closes a loop of pressure zones"))
                return false;
        }
        fail(z, ComponentStatus::kUnsupported,
             "regulators/compressors form a loop through the zone of node '" +
                 super_name(zones_[static_cast<std::size_t>(z)].supers.front()) + "'");
    }
    return true;
}

SteadyStateResult Solver::run() {
    bypass_.assign(static_cast<std::size_t>(net_.connection_count()), 0);
    // Each pass that puts a station in bypass starts over; at most one pass per station.
    while (true) {
        zones_.clear();
        order_.clear();
        if (!build_topology() || !one_automatic_reference())
            continue;
        if (order_zones())
            break;
    }
    reference_source_.assign(static_cast<std::size_t>(n_), 0);
    station_flow_.assign(static_cast<std::size_t>(m_), 0.0);
    const auto zone_count = static_cast<std::int32_t>(zones_.size());
    for (std::int32_t z = 0; z < zone_count; ++z)
        classify_zone(z);
    // Phase 1: flows, downstream first (trial levels φ_f = given or 0).
    super_pressure_.assign(super_rep_.size(), kNan);
    level_auto_.assign(static_cast<std::size_t>(zone_count), 0);
    for (auto it = order_.rbegin(); it != order_.rend(); ++it) {
        const auto z = *it;
        auto& zone = zones_[static_cast<std::size_t>(z)];
        if (zone.failed)
            continue;
        const Zone* failed_below = nullptr;
        for (auto st : zone.stations_out) {
            const auto zb = zone_of_super_[static_cast<std::size_t>(
                super_of_node_[net_.to_node[static_cast<std::size_t>(st)].idx()])];
            if (zones_[static_cast<std::size_t>(zb)].failed)
                failed_below = &zones_[static_cast<std::size_t>(zb)];
        }
        if (failed_below) {
            fail(z, failed_below->status,
                 "the zone of node '" + super_name(zone.supers.front()) +
                     "' is not solved: it feeds a station whose outlet zone could not be solved");
            continue;
        }
        std::vector<double> fixed(zone.fixed_supers.size());
        for (std::size_t f = 0; f < fixed.size(); ++f) {
            bool automatic = false;
            const double p = given_pressure(zone.fixed_supers[f], automatic);
            fixed[f] = automatic ? 0.0 : to_potential(zone.potential, p);
        }
        if (solve_zone(z, fixed, false))
            for (auto s : zone.supers)
                super_pressure_[static_cast<std::size_t>(s)] =
                    to_pressure(zone.potential, zone.phi[static_cast<std::size_t>(local(z, s))]);
    }
    // Phase 2: pressure levels.
    set_levels_downstream_first();
    set_dependent_levels();
    // Results.
    flow_.assign(static_cast<std::size_t>(m_), kNan);
    injection_.assign(static_cast<std::size_t>(n_), 0.0);
    for (std::int32_t z = 0; z < zone_count; ++z)
        if (!zones_[static_cast<std::size_t>(z)].failed) {
            finish_zone(z);
            check_zone(z);
        }
    SteadyStateResult r;
    r.pressure_pa.assign(static_cast<std::size_t>(n_), kNan);
    for (std::int32_t i = 0; i < n_; ++i) {
        const auto s = static_cast<std::size_t>(super_of_node_[static_cast<std::size_t>(i)]);
        if (!zones_[static_cast<std::size_t>(zone_of_super_[s])].failed)
            r.pressure_pa[static_cast<std::size_t>(i)] = super_pressure_[s];
    }
    // Closed connections carry nothing.
    for (std::int32_t k = 0; k < m_; ++k)
        if (!net_.open[static_cast<std::size_t>(k)])
            flow_[static_cast<std::size_t>(k)] = 0.0;
    // Lossless connections (short pipes, open valves) inside a super node: flows on a spanning
    // tree of each super node carry the members' imbalances to the root; connections closing a
    // cycle of lossless connections carry 0 (any split is a solution).
    {
        std::vector<double> excess = node_balance_m3s(net_, flow_, injection_);
        std::vector<std::vector<std::pair<std::int32_t, std::int32_t>>> adj(
            static_cast<std::size_t>(n_));
        for (std::int32_t k = 0; k < m_; ++k) {
            const auto ku = static_cast<std::size_t>(k);
            if (net_.open[ku] && lossless(ku)) {
                adj[net_.from_node[ku].idx()].emplace_back(k, net_.to_node[ku].value());
                adj[net_.to_node[ku].idx()].emplace_back(k, net_.from_node[ku].value());
                flow_[ku] = 0.0;
            }
        }
        std::vector<std::uint8_t> seen(static_cast<std::size_t>(n_), 0);
        std::vector<std::int32_t> order, parent_conn(static_cast<std::size_t>(n_), -1);
        for (std::size_t s = 0; s < super_members_.size(); ++s) {
            const auto root = super_rep_[s];
            if (zones_[static_cast<std::size_t>(zone_of_super_[s])].failed)
                continue;
            order.clear();
            order.push_back(root);
            seen[static_cast<std::size_t>(root)] = 1;
            for (std::size_t h = 0; h < order.size(); ++h)
                for (auto [k, v] : adj[static_cast<std::size_t>(order[h])])
                    if (!seen[static_cast<std::size_t>(v)]) {
                        seen[static_cast<std::size_t>(v)] = 1;
                        parent_conn[static_cast<std::size_t>(v)] = k;
                        order.push_back(v);
                    }
            for (auto h = order.size(); h-- > 1;) {
                const auto v = static_cast<std::size_t>(order[h]);
                const auto k = static_cast<std::size_t>(parent_conn[v]);
                // v has excess e (more in than out): send it towards the parent.
                const double e = excess[v];
                const bool v_is_from = net_.from_node[k].idx() == v;
                flow_[k] = v_is_from ? e : -e;
                const auto p = v_is_from ? net_.to_node[k].idx() : net_.from_node[k].idx();
                excess[p] += e;
                excess[v] = 0;
            }
        }
    }
    r.flow_m3s = flow_;
    r.injection_m3s = injection_;
    r.reference.assign(static_cast<std::size_t>(n_), 0);
    for (std::int32_t i = 0; i < n_; ++i) {
        const auto s = static_cast<std::size_t>(super_of_node_[static_cast<std::size_t>(i)]);
        r.reference[static_cast<std::size_t>(i)] =
            reference_source_[static_cast<std::size_t>(i)] || station_at_outlet_[s] >= 0;
    }
    r.component_of_node = component_of_node_;
    r.bypassed = bypass_;
    // Component reports.
    r.components.resize(static_cast<std::size_t>(component_count_));
    for (std::int32_t c = 0; c < component_count_; ++c)
        r.components[static_cast<std::size_t>(c)].component = c;
    const auto balance = node_balance_m3s(net_, flow_, injection_);
    for (std::int32_t i = 0; i < n_; ++i) {
        auto& rep =
            r.components[static_cast<std::size_t>(component_of_node_[static_cast<std::size_t>(i)])];
        ++rep.node_count;
        const double d = net_.demand_m3s[static_cast<std::size_t>(i)];
        if (d > 0)
            rep.throughput_m3s += d;
        if (std::isfinite(balance[static_cast<std::size_t>(i)]))
            rep.max_balance_error_m3s =
                std::max(rep.max_balance_error_m3s, std::abs(balance[static_cast<std::size_t>(i)]));
    }
    auto rank = [](ComponentStatus s) {
        switch (s) {
        case ComponentStatus::kSolved:
            return 0;
        case ComponentStatus::kInfeasible:
            return 1;
        case ComponentStatus::kNotConverged:
            return 2;
        case ComponentStatus::kUnsupported:
            return 3;
        case ComponentStatus::kNoSource:
            return 4;
        }
        return 0;
    };
    for (std::int32_t z = 0; z < zone_count; ++z) {
        const auto& zone = zones_[static_cast<std::size_t>(z)];
        const auto c = component_of_node_[static_cast<std::size_t>(
            super_rep_[static_cast<std::size_t>(zone.supers.front())])];
        auto& rep = r.components[static_cast<std::size_t>(c)];
        if (rank(zone.status) > rank(rep.status))
            rep.status = zone.status;
        rep.iterations += zone.iterations;
        r.iterations = std::max(r.iterations, zone.iterations);
        rep.messages.insert(rep.messages.end(), zone.messages.begin(), zone.messages.end());
    }
    for (const auto& [k, why] : bypass_notes_)
        r.components[static_cast<std::size_t>(
                         component_of_node_[net_.from_node[static_cast<std::size_t>(k)].idx()])]
            .notes.push_back(why);
    // Reference sources that had a nomination must deliver it (GasLib mode).
    for (std::int32_t i = 0; i < n_; ++i) {
        const auto iu = static_cast<std::size_t>(i);
        if (!reference_source_[iu] || is_set(net_.set_pressure_pa[iu]) ||
            !std::isfinite(r.pressure_pa[iu]))
            continue;
        auto& rep = r.components[static_cast<std::size_t>(component_of_node_[iu])];
        const double nominated = -net_.demand_m3s[iu];
        if (std::abs(injection_[iu] - nominated) > 1e-9 * std::max(rep.throughput_m3s, 1e-12)) {
            if (rep.status == ComponentStatus::kSolved)
                rep.status = ComponentStatus::kInfeasible;
            rep.messages.push_back("source '" + net_.node_id[iu] +
                                   "' (pressure reference) supplies " +
                                   std::to_string(injection_[iu]) + " m3/s but its nomination is " +
                                   std::to_string(nominated) + " m3/s");
        }
        if (is_set(net_.flow_max_m3s[iu]) &&
            injection_[iu] > net_.flow_max_m3s[iu] * (1 + opt_.check_tolerance)) {
            if (rep.status == ComponentStatus::kSolved)
                rep.status = ComponentStatus::kInfeasible;
            rep.messages.push_back("source '" + net_.node_id[iu] + "' would supply " +
                                   std::to_string(injection_[iu]) + " m3/s, above its capacity " +
                                   std::to_string(net_.flow_max_m3s[iu]) + " m3/s");
        }
    }
    return r;
}

} // namespace

SteadyStateResult solve_steady_state(const Network& net, const SteadyStateOptions& options) {
    options.validate();
    Solver solver(net, options);
    return solver.run();
}

SteadyStateResult solve_steady_state(const Network& net, const SteadyStateOptions& options,
                                     const std::vector<double>& initial_flow_m3s) {
    options.validate();
    if (initial_flow_m3s.size() != static_cast<std::size_t>(net.connection_count()))
        throw Error(ErrorCode::kOutOfRange,
                    "gas solver: the initial flows must give one value per connection");
    Solver solver(net, options, &initial_flow_m3s);
    return solver.run();
}

} // namespace rencheng::gas
