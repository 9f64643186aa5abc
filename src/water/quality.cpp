#include "water/quality.hpp"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <limits>
#include <utility>

#include "core/error.hpp"
#include "core/units.hpp"

namespace rencheng::water {

namespace {

/// Flow below which a link counts as stagnant (EPANET: 0.005 gpm).
constexpr double kStagnantFlow = 0.005 * units::kUsGallon / units::kMinute;
/// EPANET's reference diffusivity of chlorine (1.3e-8 ft²/s) and viscosity of water (1.1e-5 ft²/s).
constexpr double kDiffusivityChlorine = 1.3e-8 * units::kFoot * units::kFoot;
constexpr double kViscosityWater = 1.1e-5 * units::kFoot * units::kFoot;
/// Potentials and denominators below this are treated as zero (EPANET's TINY).
constexpr double kTiny = 1e-6;
constexpr double kBig = 1e10;
constexpr double kTraceQuality = 100.0;

bool iequals(std::string_view a, std::string_view b) {
    if (a.size() != b.size())
        return false;
    for (std::size_t i = 0; i < a.size(); ++i) {
        const auto x = static_cast<unsigned char>(a[i]);
        const auto y = static_cast<unsigned char>(b[i]);
        if (std::toupper(x) != std::toupper(y))
            return false;
    }
    return true;
}

double sign(double x) {
    return x > 0 ? 1.0 : (x < 0 ? -1.0 : 0.0);
}

/// One hydraulic period as the quality routing sees it.
struct HydraulicPeriod {
    Seconds time_s = 0;
    std::vector<double> flow_m3s;    ///< per link, 0 when closed
    std::vector<double> demand_m3s;  ///< per node: junction outflow (negative: inflow)
    std::vector<double> tank_volume; ///< per tank, m³, at the start of the period
};

/// A parcel of water in a pipe or tank: its volume (m³) and quality.
struct Segment {
    double v = 0;
    double c = 0;
    std::int32_t prev = -1; ///< the next segment upstream (towards the chain's last)
};

class QualitySolver {
public:
    QualitySolver(const Network& net, const HydraulicTopology& topo, QualityModel model,
                  Seconds quality_step)
        : net_(net), topo_(topo), model_(std::move(model)), qstep_(quality_step) {
        const auto nn = static_cast<std::size_t>(net.node_count());
        const auto nl = static_cast<std::size_t>(net.link_count());
        const auto nt = static_cast<std::size_t>(net.tanks.count());
        node_quality_.assign(nn, 0.0);
        tank_quality_.assign(nt, 0.0);
        first_.assign(nl + nt, -1);
        last_.assign(nl + nt, -1);
        flow_dir_.assign(nl, 0);
        sorted_.reserve(nn);
        rate_coefficient_.assign(nl, 0.0);
        setup_reactions();
        source_of_node_.assign(nn, -1);
        for (std::size_t s = 0; s < net.sources.size(); ++s) {
            const auto& src = net.sources[s];
            if (src.node.valid())
                source_of_node_[src.node.idx()] = static_cast<std::int32_t>(s);
        }
        tolerance_ = net.options.tolerance;
    }

    void initialize();
    void start_period(const HydraulicPeriod& period);
    void transport(Seconds dt, Seconds now);
    [[nodiscard]] QualitySnapshot snapshot(Seconds t) const;
    [[nodiscard]] double stored_mass() const;
    [[nodiscard]] std::int64_t max_segments() const { return max_segments_; }
    QualityMassBalance mass;

private:
    void setup_reactions();
    void add_segment(std::size_t chain, double v, double c);
    void release_first(std::size_t chain);
    double withdraw_leading(std::size_t chain, double volume, double& mass_out);
    void reverse_segments(std::size_t chain);
    void sort_nodes();
    bool flow_direction_changed();
    void rate_coefficients();
    void react_pipes(Seconds dt);
    void react_tanks(Seconds dt);
    [[nodiscard]] double pipe_rate(std::size_t k) const;
    [[nodiscard]] double bulk_rate(double c, double kb, double order) const;
    [[nodiscard]] double wall_rate(double c, double d, double kw, double kf) const;
    [[nodiscard]] double pipe_react(std::size_t k, double c, Seconds dt) const;
    [[nodiscard]] double tank_react(double c, double kb, Seconds dt) const;
    void node_inflow(std::size_t k, Seconds dt, double& volin, double& massin);
    void node_outflow(std::size_t k, double c, Seconds dt);
    double node_quality(std::size_t n, double volin, double massin, double volout, Seconds dt,
                        Seconds now);
    [[nodiscard]] double no_flow_quality(std::size_t n) const;
    double source_quality(std::size_t n, double volout, Seconds dt, Seconds now);
    double mix_tank(std::int32_t t, double vin, double win, double vout);
    void mix_complete(std::int32_t t, double vin, double win, double vnet);
    void mix_two_compartment(std::int32_t t, double vin, double win, double vnet);
    void mix_fifo(std::int32_t t, double vin, double win, double vnet);
    void mix_lifo(std::int32_t t, double vin, double win, double vnet);
    [[nodiscard]] double link_volume(std::size_t k) const {
        const double d = net_.diameter_m[k];
        return 0.25 * units::kPi * d * d * net_.length_m[k];
    }
    [[nodiscard]] std::size_t tank_chain(std::int32_t t) const {
        return static_cast<std::size_t>(net_.link_count()) + static_cast<std::size_t>(t);
    }
    /// Pipes react and carry segments from the start; check-valve pipes start empty and do
    /// not react, as in EPANET 2.2 (its initsegs/reactpipes test for plain pipes only).
    [[nodiscard]] bool is_plain_pipe(std::size_t k) const {
        return net_.link_kind[k] == LinkKind::kPipe;
    }
    [[nodiscard]] bool is_pipe(std::size_t k) const {
        return net_.link_kind[k] == LinkKind::kPipe || net_.link_kind[k] == LinkKind::kCvPipe;
    }

    const Network& net_;
    const HydraulicTopology& topo_;
    QualityModel model_;
    Seconds qstep_;
    double tolerance_ = 0.01;

    // Reactions (SI: per second; concentrations in the model's units).
    bool reactive_ = false;
    double bulk_order_ = 1, wall_order_ = 1, tank_order_ = 1;
    double limiting_potential_ = 0;
    double diffusivity_m2s_ = kDiffusivityChlorine;
    double schmidt_ = 0;
    double viscosity_m2s_ = kViscosityWater;
    std::vector<double> kb_;      ///< per link: bulk coefficient, 1/s·(conc)^(1-n)
    std::vector<double> kw_;      ///< per link: wall coefficient, m/s (order 1) or
                                  ///< conc·m/s (order 0: mass per m² per s over 1000 L/m³)
    std::vector<double> tank_kb_; ///< per tank: bulk coefficient, 1/s·(conc)^(1-n)
    std::vector<double> rate_coefficient_; ///< per link: EPANET's Rc for the current period

    const HydraulicPeriod* period_ = nullptr;
    std::vector<double> node_quality_;
    std::vector<double> tank_quality_;
    std::vector<Segment> pool_;
    std::int32_t free_ = -1;
    std::int64_t live_segments_ = 0;
    std::int64_t max_segments_ = 0;
    std::vector<std::int32_t> first_, last_;
    std::vector<std::int8_t> flow_dir_;
    std::vector<std::int32_t> sorted_;
    std::vector<std::int32_t> source_of_node_;
    double source_added_ = 0; ///< quality a node's source added in this step (EPANET SourceQual)
};

void QualitySolver::setup_reactions() {
    const auto nl = static_cast<std::size_t>(net_.link_count());
    const auto nt = static_cast<std::size_t>(net_.tanks.count());
    const bool si = is_si(net_.options.flow_units);
    const double length_unit = si ? 1.0 : units::kFoot;
    const auto& r = net_.reactions;
    bulk_order_ = r.order_bulk.value_or(1.0);
    wall_order_ = r.order_wall.value_or(1.0);
    tank_order_ = r.order_tank.value_or(1.0);
    limiting_potential_ = r.limiting_potential.value_or(0.0);
    // DIFFUSIVITY and VISCOSITY: a multiplier of the reference value when large, else the value
    // itself in ft²/s or m²/s (EPANET 2.2 input rules).
    const double area_unit = length_unit * length_unit;
    const double dif = net_.options.diffusivity;
    if (dif > 1e-4)
        diffusivity_m2s_ = dif * kDiffusivityChlorine;
    else
        diffusivity_m2s_ = dif * area_unit;
    const double vis = net_.options.viscosity;
    if (vis > 1e-3)
        viscosity_m2s_ = vis * kViscosityWater;
    else
        viscosity_m2s_ = vis * area_unit;
    schmidt_ = diffusivity_m2s_ > 0 ? viscosity_m2s_ / diffusivity_m2s_ : 0.0;

    const double global_bulk = r.global_bulk.value_or(0.0);
    const double global_wall = r.global_wall.value_or(0.0);
    const double rfactor = r.roughness_correlation.value_or(0.0);
    kb_.assign(nl, 0.0);
    kw_.assign(nl, 0.0);
    for (std::size_t k = 0; k < nl; ++k) {
        if (!is_pipe(k))
            continue;
        kb_[k] =
            (net_.has_bulk_coefficient[k] ? net_.bulk_coefficient[k] : global_bulk) / units::kDay;
        double kw = 0;
        if (net_.has_wall_coefficient[k]) {
            kw = net_.wall_coefficient[k];
        } else if (rfactor == 0.0) {
            kw = global_wall;
        } else {
            const double c = net_.roughness[k];
            const double d = net_.diameter_m[k];
            if (c > 0 && d > 0) {
                switch (net_.options.headloss) {
                case HeadLossFormula::kHazenWilliams:
                    kw = rfactor / c;
                    break;
                case HeadLossFormula::kDarcyWeisbach:
                    kw = rfactor / std::abs(std::log(c / d));
                    break;
                case HeadLossFormula::kChezyManning:
                    kw = rfactor * c;
                    break;
                }
            }
        }
        // Order 1: length per day → m/s. Order 0: mass per area per day → (conc)·m/s, where one
        // unit of concentration (per litre) over 1 m is 1000 mass units per m².
        if (wall_order_ == 0.0)
            kw_[k] = kw / (area_unit * 1000.0) / units::kDay;
        else
            kw_[k] = kw * length_unit / units::kDay;
    }
    tank_kb_.assign(nt, 0.0);
    for (std::size_t t = 0; t < nt; ++t)
        tank_kb_[t] =
            (net_.tanks.has_bulk_coefficient[t] ? net_.tanks.bulk_coefficient[t] : global_bulk) /
            units::kDay;

    if (model_.kind == QualityKind::kAge) {
        reactive_ = true;
    } else if (model_.kind == QualityKind::kChemical) {
        for (std::size_t k = 0; k < nl; ++k)
            if (is_pipe(k) && (kb_[k] != 0.0 || kw_[k] != 0.0))
                reactive_ = true;
        for (std::size_t t = 0; t < nt; ++t)
            if (tank_kb_[t] != 0.0)
                reactive_ = true;
    }
}

void QualitySolver::add_segment(std::size_t chain, double v, double c) {
    std::int32_t s = free_;
    if (s >= 0) {
        free_ = pool_[static_cast<std::size_t>(s)].prev;
    } else {
        s = static_cast<std::int32_t>(pool_.size());
        pool_.emplace_back();
    }
    Segment& seg = pool_[static_cast<std::size_t>(s)];
    seg.v = v;
    seg.c = c;
    seg.prev = -1;
    if (first_[chain] < 0)
        first_[chain] = s;
    if (last_[chain] >= 0)
        pool_[static_cast<std::size_t>(last_[chain])].prev = s;
    last_[chain] = s;
    ++live_segments_;
    max_segments_ = std::max(max_segments_, live_segments_);
}

/// Drops the chain's first (leading) segment into the free list.
void QualitySolver::release_first(std::size_t chain) {
    const std::int32_t s = first_[chain];
    Segment& seg = pool_[static_cast<std::size_t>(s)];
    first_[chain] = seg.prev;
    if (first_[chain] < 0)
        last_[chain] = -1;
    seg.prev = free_;
    free_ = s;
    --live_segments_;
}

/// Takes `volume` from a tank chain's leading segments (the last segment gives whatever remains,
/// as EPANET's FIFO/LIFO models do), adds the mass taken to `mass_out` and returns the volume
/// taken. The chain always keeps at least one segment.
double QualitySolver::withdraw_leading(std::size_t chain, double volume, double& mass_out) {
    double taken = 0.0;
    while (volume > 0.0) {
        const std::int32_t s = first_[chain];
        if (s < 0)
            break;
        Segment& seg = pool_[static_cast<std::size_t>(s)];
        double vseg = std::min(seg.v, volume);
        if (s == last_[chain])
            vseg = volume;
        taken += vseg;
        mass_out += seg.c * vseg;
        volume -= vseg;
        if (volume >= 0.0 && vseg >= seg.v) {
            if (seg.prev >= 0)
                release_first(chain);
        } else {
            seg.v -= vseg;
        }
    }
    return taken;
}

void QualitySolver::reverse_segments(std::size_t chain) {
    std::int32_t s = first_[chain];
    first_[chain] = last_[chain];
    last_[chain] = s;
    std::int32_t before = -1;
    while (s >= 0) {
        const std::int32_t next = pool_[static_cast<std::size_t>(s)].prev;
        pool_[static_cast<std::size_t>(s)].prev = before;
        before = s;
        s = next;
    }
}

void QualitySolver::initialize() {
    const auto nn = static_cast<std::size_t>(net_.node_count());
    for (std::size_t n = 0; n < nn; ++n)
        node_quality_[n] = model_.kind == QualityKind::kTrace ? 0.0 : net_.initial_quality[n];
    for (std::int32_t t = 0; t < net_.tanks.count(); ++t)
        tank_quality_[static_cast<std::size_t>(t)] =
            node_quality_[net_.tanks.node[static_cast<std::size_t>(t)].idx()];
    if (model_.kind == QualityKind::kTrace)
        node_quality_[model_.trace_node.idx()] = kTraceQuality;

    // One segment per pipe holding its downstream node's quality; one per tank (two for 2COMP).
    for (std::size_t k = 0; k < static_cast<std::size_t>(net_.link_count()); ++k)
        if (is_plain_pipe(k))
            add_segment(k, link_volume(k), node_quality_[net_.to_node[k].idx()]);
    for (std::int32_t t = 0; t < net_.tanks.count(); ++t) {
        const auto ti = static_cast<std::size_t>(t);
        const auto chain = tank_chain(t);
        const double c = net_.initial_quality[net_.tanks.node[ti].idx()];
        const double v = topo_.tank_v0[ti];
        add_segment(chain, v, c);
        if (net_.tanks.mixing[ti] == MixingModel::kTwoCompartment) {
            const double v1 =
                std::max(0.0, v - net_.tanks.mixing_fraction[ti] * topo_.tank_vmax[ti]);
            pool_[static_cast<std::size_t>(first_[chain])].v = v1;
            add_segment(chain, v - v1, c);
        }
    }
    std::fill(flow_dir_.begin(), flow_dir_.end(), std::int8_t{0});
    mass = {};
    mass.initial = stored_mass();
}

double QualitySolver::stored_mass() const {
    double total = 0;
    const auto chains = first_.size();
    for (std::size_t k = 0; k < chains; ++k)
        for (std::int32_t s = first_[k]; s >= 0; s = pool_[static_cast<std::size_t>(s)].prev)
            total += pool_[static_cast<std::size_t>(s)].c * pool_[static_cast<std::size_t>(s)].v;
    return total;
}

bool QualitySolver::flow_direction_changed() {
    bool changed = false;
    for (std::size_t k = 0; k < flow_dir_.size(); ++k) {
        const double q = period_->flow_m3s[k];
        std::int8_t dir = q > 0 ? 1 : (q < 0 ? -1 : 0);
        if (std::abs(q) < kStagnantFlow)
            dir = 0;
        if (dir * flow_dir_[k] < 0)
            reverse_segments(k);
        if (dir != flow_dir_[k])
            changed = true;
        flow_dir_[k] = dir;
    }
    return changed;
}

/// Orders the nodes so that every node comes after the nodes upstream of it (Kahn's algorithm);
/// where the flow has a cycle, a node next to the sorted ones is taken as EPANET does.
void QualitySolver::sort_nodes() {
    const auto nn = static_cast<std::size_t>(net_.node_count());
    std::vector<std::int32_t> indegree(nn, 0);
    for (std::size_t k = 0; k < flow_dir_.size(); ++k) {
        if (flow_dir_[k] == 0)
            continue;
        const NodeIndex n = flow_dir_[k] > 0 ? net_.to_node[k] : net_.from_node[k];
        ++indegree[n.idx()];
    }
    std::vector<std::int32_t> stack;
    stack.reserve(nn);
    for (std::size_t i = 0; i < nn; ++i)
        if (indegree[i] == 0)
            stack.push_back(static_cast<std::int32_t>(i));
    sorted_.clear();
    const CsrGraph& g = topo_.adjacency;
    while (sorted_.size() < nn) {
        if (stack.empty()) {
            std::int32_t pick = -1;
            for (auto it = sorted_.rbegin(); it != sorted_.rend() && pick < 0; ++it)
                for (const std::int32_t m : g.neighbours(*it))
                    if (indegree[static_cast<std::size_t>(m)] > 0) {
                        pick = m;
                        break;
                    }
            for (std::size_t i = 0; i < nn && pick < 0; ++i)
                if (indegree[i] > 0)
                    pick = static_cast<std::int32_t>(i);
            if (pick < 0)
                break;
            indegree[static_cast<std::size_t>(pick)] = 0;
            stack.push_back(pick);
        }
        const std::int32_t i = stack.back();
        stack.pop_back();
        sorted_.push_back(i);
        for (const std::int32_t k : g.arcs(i)) {
            const auto ku = static_cast<std::size_t>(k);
            if (flow_dir_[ku] == 0)
                continue;
            const NodeIndex n = flow_dir_[ku] > 0 ? net_.to_node[ku] : net_.from_node[ku];
            const auto nu = n.idx();
            if (static_cast<std::int32_t>(nu) != i && indegree[nu] > 0 && --indegree[nu] == 0)
                stack.push_back(static_cast<std::int32_t>(nu));
        }
    }
    if (sorted_.size() < nn)
        throw Error(ErrorCode::kInternal, "water quality: the flow could not be ordered");
}

void QualitySolver::start_period(const HydraulicPeriod& period) {
    period_ = &period;
    if (model_.kind == QualityKind::kNone)
        return;
    if (reactive_ && model_.kind != QualityKind::kAge)
        rate_coefficients();
    if (flow_direction_changed() || sorted_.empty())
        sort_nodes();
}

void QualitySolver::rate_coefficients() {
    for (std::size_t k = 0; k < rate_coefficient_.size(); ++k)
        rate_coefficient_[k] = (is_pipe(k) && kw_[k] != 0.0) ? pipe_rate(k) : 0.0;
}

/// EPANET's apparent wall rate coefficient of pipe k: for a first-order wall reaction,
/// (4/d)·kw·kf/(kf + |kw|) in 1/s; for zero order, the mass-transfer coefficient kf in m/s;
/// kf = Sh·D/d with the Sherwood number of the pipe's flow (2 stagnant, Notter–Sleicher
/// turbulent, Graetz laminar). Without diffusivity there is no mass-transfer limit.
double QualitySolver::pipe_rate(std::size_t k) const {
    const double d = net_.diameter_m[k];
    if (schmidt_ == 0.0)
        return wall_order_ == 0.0 ? kBig : kw_[k] * 4.0 / d;
    const double q = period_->flow_m3s[k];
    const double a = 0.25 * units::kPi * d * d;
    const double u = std::abs(q) / a;
    const double re = u * d / viscosity_m2s_;
    double sh = 0;
    if (re < 1.0) {
        sh = 2.0;
    } else if (re >= 2300.0) {
        sh = 0.0149 * std::pow(re, 0.88) * std::pow(schmidt_, 0.333);
    } else {
        const double y = d / net_.length_m[k] * re * schmidt_;
        sh = 3.65 + 0.0668 * y / (1.0 + 0.04 * std::pow(y, 0.667));
    }
    const double kf = sh * diffusivity_m2s_ / d;
    if (wall_order_ == 0.0)
        return kf;
    const double kw = kw_[k];
    return (4.0 / d) * kw * kf / (kf + std::abs(kw));
}

/// Bulk reaction rate kb·potential with EPANET's kinetics: order 0; Michaelis–Menten for a
/// negative order; n-th order with a limiting potential.
double QualitySolver::bulk_rate(double c, double kb, double order) const {
    if (order == 0.0) {
        c = 1.0;
    } else if (order < 0.0) {
        double c1 = limiting_potential_ + sign(kb) * c;
        if (std::abs(c1) < kTiny)
            c1 = sign(c1) * kTiny;
        c = c / c1;
    } else {
        const double c1 =
            limiting_potential_ == 0.0 ? c : std::max(0.0, sign(kb) * (limiting_potential_ - c));
        if (order == 1.0)
            c = c1;
        else if (order == 2.0)
            c = c1 * c;
        else
            c = c1 * std::pow(std::max(0.0, c), order - 1.0);
    }
    if (c < 0)
        c = 0;
    return kb * c;
}

double QualitySolver::wall_rate(double c, double d, double kw, double kf) const {
    if (kw == 0.0 || d == 0.0)
        return 0.0;
    if (wall_order_ == 0.0) {
        // Zero order: the smaller of the reaction rate kw and what mass transfer can bring, kf·c.
        const double transfer = sign(kw) * c * kf;
        const double rate = std::abs(transfer) < std::abs(kw) ? transfer : kw;
        return rate * 4.0 / d;
    }
    return c * kf;
}

double QualitySolver::pipe_react(std::size_t k, double c, Seconds dt) const {
    if (model_.kind == QualityKind::kAge)
        return std::max(0.0, c + static_cast<double>(dt) / units::kHour);
    const double rbulk = bulk_rate(c, kb_[k], bulk_order_);
    const double rwall = wall_rate(c, net_.diameter_m[k], kw_[k], rate_coefficient_[k]);
    return std::max(0.0, c + (rbulk + rwall) * static_cast<double>(dt));
}

double QualitySolver::tank_react(double c, double kb, Seconds dt) const {
    double dc = 0;
    if (model_.kind == QualityKind::kAge)
        dc = static_cast<double>(dt) / units::kHour;
    else
        dc = bulk_rate(c, kb, tank_order_) * static_cast<double>(dt);
    return std::max(0.0, c + dc);
}

void QualitySolver::react_pipes(Seconds dt) {
    for (std::size_t k = 0; k < static_cast<std::size_t>(net_.link_count()); ++k) {
        if (!is_plain_pipe(k))
            continue;
        for (std::int32_t s = first_[k]; s >= 0; s = pool_[static_cast<std::size_t>(s)].prev) {
            Segment& seg = pool_[static_cast<std::size_t>(s)];
            const double before = seg.c;
            seg.c = pipe_react(k, seg.c, dt);
            mass.reacted += (before - seg.c) * seg.v;
        }
    }
}

void QualitySolver::react_tanks(Seconds dt) {
    for (std::int32_t t = 0; t < net_.tanks.count(); ++t) {
        const auto chain = tank_chain(t);
        for (std::int32_t s = first_[chain]; s >= 0; s = pool_[static_cast<std::size_t>(s)].prev) {
            Segment& seg = pool_[static_cast<std::size_t>(s)];
            const double before = seg.c;
            seg.c = tank_react(seg.c, tank_kb_[static_cast<std::size_t>(t)], dt);
            mass.reacted += (before - seg.c) * seg.v;
        }
    }
}

/// Moves the volume a link delivers in dt out of its leading segments into its downstream node.
void QualitySolver::node_inflow(std::size_t k, Seconds dt, double& volin, double& massin) {
    double v = std::abs(period_->flow_m3s[k]) * static_cast<double>(dt);
    while (v > 0.0) {
        const std::int32_t s = first_[k];
        if (s < 0)
            break;
        Segment& seg = pool_[static_cast<std::size_t>(s)];
        const double vseg = std::min(seg.v, v);
        volin += vseg;
        massin += vseg * seg.c;
        v -= vseg;
        if (v >= 0.0 && vseg >= seg.v)
            release_first(k);
        else
            seg.v -= vseg;
    }
}

/// Releases the node's outflow into the upstream end of link k: merged into the last segment
/// when its quality is within the tolerance, else as a new segment.
void QualitySolver::node_outflow(std::size_t k, double c, Seconds dt) {
    const double v = std::abs(period_->flow_m3s[k]) * static_cast<double>(dt);
    if (v == 0.0)
        return;
    const std::int32_t s = last_[k];
    if (s >= 0) {
        Segment& seg = pool_[static_cast<std::size_t>(s)];
        if (std::abs(seg.c - c) < tolerance_) {
            seg.c = (seg.c * seg.v + c * v) / (seg.v + v);
            seg.v += v;
            return;
        }
    }
    add_segment(k, v, c);
}

/// A junction without inflow takes the mean quality of the segments at its ends (reactive
/// constituents only, as EPANET).
double QualitySolver::no_flow_quality(std::size_t n) const {
    const CsrGraph& g = topo_.adjacency;
    double c = 0;
    int count = 0;
    for (const std::int32_t k : g.arcs(static_cast<std::int32_t>(n))) {
        const auto ku = static_cast<std::size_t>(k);
        const int dir = flow_dir_[ku];
        const bool inflow =
            (net_.to_node[ku].idx() == n && dir >= 0) || (net_.from_node[ku].idx() == n && dir < 0);
        if (inflow && first_[ku] >= 0) {
            c += pool_[static_cast<std::size_t>(first_[ku])].c;
            ++count;
        } else if (!inflow && last_[ku] >= 0) {
            c += pool_[static_cast<std::size_t>(last_[ku])].c;
            ++count;
        }
    }
    return count > 0 ? c / count : 0.0;
}

double QualitySolver::source_quality(std::size_t n, double volout, Seconds dt, Seconds now) {
    if (model_.kind != QualityKind::kChemical)
        return 0.0;
    const std::int32_t si = source_of_node_[n];
    if (si < 0)
        return 0.0;
    const Source& src = net_.sources[static_cast<std::size_t>(si)];
    if (src.strength == 0.0)
        return 0.0;
    const double ddt = static_cast<double>(dt);
    if (volout / ddt <= kStagnantFlow)
        return 0.0;
    const bool mass_source = iequals(src.type, "MASS");
    // MASS strength is mass per minute; the others a concentration per litre. One unit of
    // concentration per litre holds 1000 mass units per m³.
    double c = mass_source ? src.strength / units::kMinute / 1000.0 : src.strength;
    if (src.pattern.valid()) {
        const auto& f = net_.patterns[src.pattern.idx()].multipliers;
        if (!f.empty()) {
            const auto step = std::max<Seconds>(1, net_.times.pattern_step);
            const auto i =
                static_cast<std::size_t>((now + net_.times.pattern_start) / step) % f.size();
            c *= f[i];
        }
    }
    if (iequals(src.type, "CONCEN")) {
        if (net_.node_kind[n] == NodeKind::kJunction) {
            const double demand = period_->demand_m3s[n];
            c = demand < 0.0 ? -c * demand * ddt / volout : 0.0;
        }
    } else if (mass_source) {
        c = c * ddt / volout;
    } else if (iequals(src.type, "SETPOINT")) {
        c = std::max(c - node_quality_[n], 0.0);
    } // FLOWPACED: the strength is added as it is
    return c;
}

double QualitySolver::node_quality(std::size_t n, double volin, double massin, double volout,
                                   Seconds dt, Seconds now) {
    const NodeKind kind = net_.node_kind[n];
    const double ddt = static_cast<double>(dt);
    if (kind == NodeKind::kJunction) {
        volin -= std::min(0.0, period_->demand_m3s[n]) * ddt;
        if (volin > 0.0)
            node_quality_[n] = massin / volin;
        else if (reactive_)
            node_quality_[n] = no_flow_quality(n);
    } else if (kind == NodeKind::kTank) {
        node_quality_[n] = mix_tank(net_.tank_of_node[n], volin, massin, volout);
    }
    source_added_ = 0.0;
    if (model_.kind == QualityKind::kTrace) {
        if (n == model_.trace_node.idx()) {
            source_added_ = kind == NodeKind::kReservoir
                                ? kTraceQuality
                                : std::max(kTraceQuality - node_quality_[n], 0.0);
            node_quality_[n] = kTraceQuality;
        }
        return node_quality_[n];
    }
    source_added_ = source_quality(n, volout, dt, now);
    if (source_added_ == 0.0)
        return node_quality_[n];
    switch (kind) {
    case NodeKind::kJunction:
        node_quality_[n] += source_added_;
        return node_quality_[n];
    case NodeKind::kTank:
        return node_quality_[n] + source_added_;
    case NodeKind::kReservoir:
        node_quality_[n] = source_added_;
        return source_added_;
    }
    return node_quality_[n];
}

void QualitySolver::transport(Seconds dt, Seconds now) {
    if (model_.kind == QualityKind::kNone || dt <= 0)
        return;
    if (reactive_) {
        react_pipes(dt);
        react_tanks(dt);
    }
    const CsrGraph& g = topo_.adjacency;
    const double ddt = static_cast<double>(dt);
    for (const std::int32_t ni : sorted_) {
        const auto n = static_cast<std::size_t>(ni);
        double volin = 0, massin = 0, volout = 0;
        for (const std::int32_t k : g.arcs(ni)) {
            const auto ku = static_cast<std::size_t>(k);
            const NodeIndex down = flow_dir_[ku] < 0 ? net_.from_node[ku] : net_.to_node[ku];
            if (down.idx() == n)
                node_inflow(ku, dt, volin, massin);
            else
                volout += std::abs(period_->flow_m3s[ku]);
        }
        if (net_.node_kind[n] == NodeKind::kJunction)
            volout += std::max(0.0, period_->demand_m3s[n]);
        volout *= ddt;
        const double c = node_quality(n, volin, massin, volout, dt, now);
        for (const std::int32_t k : g.arcs(ni)) {
            const auto ku = static_cast<std::size_t>(k);
            const NodeIndex up = flow_dir_[ku] < 0 ? net_.to_node[ku] : net_.from_node[ku];
            if (up.idx() == n)
                node_outflow(ku, c, dt);
        }
        // Mass balance: demands take mass out, sources and reservoirs put it in.
        switch (net_.node_kind[n]) {
        case NodeKind::kJunction:
            mass.outflow += std::max(0.0, period_->demand_m3s[n]) * ddt * node_quality_[n];
            mass.inflow += source_added_ * volout;
            break;
        case NodeKind::kReservoir:
            mass.outflow += massin;
            mass.inflow += (source_added_ > 0.0 ? source_added_ : node_quality_[n]) * volout;
            break;
        case NodeKind::kTank:
            mass.inflow += source_added_ * volout;
            break;
        }
    }
}

double QualitySolver::mix_tank(std::int32_t t, double vin, double win, double vout) {
    const double vnet = vin - vout;
    switch (net_.tanks.mixing[static_cast<std::size_t>(t)]) {
    case MixingModel::kMixed:
        mix_complete(t, vin, win, vnet);
        break;
    case MixingModel::kTwoCompartment:
        mix_two_compartment(t, vin, win, vnet);
        break;
    case MixingModel::kFifo:
        mix_fifo(t, vin, win, vnet);
        break;
    case MixingModel::kLifo:
        mix_lifo(t, vin, win, vnet);
        break;
    }
    return tank_quality_[static_cast<std::size_t>(t)];
}

void QualitySolver::mix_complete(std::int32_t t, double vin, double win, double vnet) {
    const auto ti = static_cast<std::size_t>(t);
    const std::int32_t s = first_[tank_chain(t)];
    if (s < 0)
        return;
    Segment& seg = pool_[static_cast<std::size_t>(s)];
    const double vnew = seg.v + vin;
    if (vnew > 0.0)
        seg.c = (seg.c * seg.v + win) / vnew;
    seg.v = std::max(0.0, seg.v + vnet);
    tank_quality_[ti] = seg.c;
    const double vmax = topo_.tank_vmax[ti];
    if (seg.v > vmax) {
        mass.outflow += (seg.v - vmax) * seg.c;
        seg.v = vmax;
    }
}

void QualitySolver::mix_two_compartment(std::int32_t t, double vin, double win, double vnet) {
    const auto ti = static_cast<std::size_t>(t);
    const auto chain = tank_chain(t);
    if (first_[chain] < 0 || last_[chain] < 0)
        return;
    Segment& mix = pool_[static_cast<std::size_t>(last_[chain])];
    Segment& stag = pool_[static_cast<std::size_t>(first_[chain])];
    const double vmax = topo_.tank_vmax[ti];
    const double vmz = net_.tanks.mixing_fraction[ti] * vmax;
    double vt = 0.0;
    if (vnet > 0.0) {
        vt = std::max(0.0, mix.v + vnet - vmz);
        if (vin > 0.0)
            mix.c = (mix.c * mix.v + win) / (mix.v + vin);
        if (vt > 0.0)
            stag.c = (stag.c * stag.v + mix.c * vt) / (stag.v + vt);
    } else if (vnet < 0.0) {
        if (stag.v > 0.0)
            vt = std::min(stag.v, -vnet);
        if (vin + vt > 0.0)
            mix.c = (mix.c * mix.v + win + stag.c * vt) / (mix.v + vin + vt);
    }
    if (vt > 0.0) {
        if (vnet > 0.0) {
            mix.v = vmz;
            stag.v += vt;
            const double vsz = vmax - vmz;
            if (stag.v > vsz) {
                mass.outflow += (stag.v - vsz) * stag.c;
                stag.v = vsz;
            }
        } else {
            stag.v = std::max(0.0, stag.v - vt);
            mix.v = vmz + vt + vnet;
        }
    } else {
        mix.v = std::max(0.0, std::min(mix.v + vnet, vmz));
        if (vmz - mix.v > 0.0)
            stag.v = 0.0;
    }
    tank_quality_[ti] = mix.c;
}

void QualitySolver::mix_fifo(std::int32_t t, double vin, double win, double vnet) {
    const auto ti = static_cast<std::size_t>(t);
    const auto chain = tank_chain(t);
    if (first_[chain] < 0 || last_[chain] < 0)
        return;
    if (vin > 0.0) {
        const double cin = win / vin;
        Segment& last = pool_[static_cast<std::size_t>(last_[chain])];
        if (std::abs(last.c - cin) < tolerance_)
            last.v += vin;
        else
            add_segment(chain, vin, cin);
    }
    const double vmax = topo_.tank_vmax[ti];
    const bool full = period_->tank_volume[ti] >= vmax && vnet > 0.0;
    double wsum = 0.0;
    const double vsum = withdraw_leading(chain, full ? vin : vin - vnet, wsum);
    if (vsum > 0.0)
        tank_quality_[ti] = wsum / vsum;
    else if (first_[chain] < 0)
        tank_quality_[ti] = 0.0;
    else
        tank_quality_[ti] = pool_[static_cast<std::size_t>(first_[chain])].c;
    if (full)
        mass.outflow += vnet * tank_quality_[ti];
}

void QualitySolver::mix_lifo(std::int32_t t, double vin, double win, double vnet) {
    const auto ti = static_cast<std::size_t>(t);
    const auto chain = tank_chain(t);
    if (first_[chain] < 0 || last_[chain] < 0)
        return;
    const double cin = vin > 0.0 ? win / vin : 0.0;
    tank_quality_[ti] = pool_[static_cast<std::size_t>(last_[chain])].c;
    if (vnet > 0.0) {
        Segment& last = pool_[static_cast<std::size_t>(last_[chain])];
        if (std::abs(last.c - cin) < tolerance_)
            last.v += vnet;
        else
            add_segment(chain, vnet, cin);
        tank_quality_[ti] = pool_[static_cast<std::size_t>(last_[chain])].c;
        if (period_->tank_volume[ti] >= topo_.tank_vmax[ti]) {
            // A full tank overflows from its bottom (oldest) water.
            double wsum = 0.0;
            withdraw_leading(chain, vnet, wsum);
            mass.outflow += wsum;
        }
    } else if (vnet < 0.0) {
        double wsum = 0.0;
        reverse_segments(chain); // LIFO drains from the top: withdraw from the newest end
        const double vsum = withdraw_leading(chain, -vnet, wsum);
        reverse_segments(chain);
        tank_quality_[ti] = (wsum + win) / (vsum + vin);
    }
}

QualitySnapshot QualitySolver::snapshot(Seconds t) const {
    QualitySnapshot snap;
    snap.time_s = t;
    snap.node = node_quality_;
    for (std::int32_t i = 0; i < net_.tanks.count(); ++i)
        snap.node[net_.tanks.node[static_cast<std::size_t>(i)].idx()] =
            tank_quality_[static_cast<std::size_t>(i)];
    const auto nl = static_cast<std::size_t>(net_.link_count());
    snap.link.assign(nl, 0.0);
    for (std::size_t k = 0; k < nl; ++k) {
        double vsum = 0, msum = 0;
        for (std::int32_t s = first_[k]; s >= 0; s = pool_[static_cast<std::size_t>(s)].prev) {
            vsum += pool_[static_cast<std::size_t>(s)].v;
            msum += pool_[static_cast<std::size_t>(s)].c * pool_[static_cast<std::size_t>(s)].v;
        }
        snap.link[k] =
            vsum > 0.0
                ? msum / vsum
                : 0.5 * (snap.node[net_.from_node[k].idx()] + snap.node[net_.to_node[k].idx()]);
    }
    return snap;
}

} // namespace

std::string_view quality_kind_name(QualityKind k) {
    switch (k) {
    case QualityKind::kNone:
        return "none";
    case QualityKind::kChemical:
        return "chemical";
    case QualityKind::kAge:
        return "age";
    case QualityKind::kTrace:
        return "trace";
    }
    return "none";
}

QualityModel quality_model(const Network& net) {
    QualityModel m;
    const auto& t = net.options.quality;
    if (t.empty() || iequals(t[0], "NONE"))
        return m;
    if (iequals(t[0], "AGE")) {
        m.kind = QualityKind::kAge;
        m.units = "hrs";
        return m;
    }
    if (iequals(t[0], "TRACE")) {
        m.kind = QualityKind::kTrace;
        m.units = "%";
        if (t.size() < 2)
            throw Error(ErrorCode::kUnknownValue, "QUALITY TRACE needs the id of the node traced");
        m.trace_node = net.find_node(t[1]);
        if (!m.trace_node.valid())
            throw Error(ErrorCode::kUnknownValue,
                        "QUALITY TRACE names node '" + t[1] + "', which is not in the network");
        return m;
    }
    m.kind = QualityKind::kChemical;
    std::size_t i = 0;
    if (iequals(t[0], "CHEMICAL"))
        i = 1;
    m.chemical_name = i < t.size() ? t[i] : "Chemical";
    m.units = i + 1 < t.size() ? t[i + 1] : "mg/L";
    if (iequals(m.units, "MG/L"))
        m.units = "mg/L";
    else if (iequals(m.units, "UG/L"))
        m.units = "ug/L";
    else
        throw Error(ErrorCode::kUnknownValue,
                    "QUALITY units '" + m.units + "' are not mg/L or ug/L");
    return m;
}

QualityResult simulate_quality(const Network& net, const HydraulicTopology& topo,
                               const EpsOptions& eps, const QualityOptions& options) {
    QualityResult result;
    result.model = options.model ? *options.model : quality_model(net);

    // Record every hydraulic solve: the quality routing replays these periods afterwards, as
    // EPANET replays its hydraulics file.
    std::vector<HydraulicPeriod> periods;
    EpsOptions run = eps;
    const auto user_after = eps.after_solve;
    const auto nn = static_cast<std::size_t>(net.node_count());
    const auto nl = static_cast<std::size_t>(net.link_count());
    run.after_solve = [&](Seconds t, const HydraulicState& state, const HydraulicSummary& sum) {
        if (user_after)
            user_after(t, state, sum);
        if (!periods.empty() && periods.back().time_s == t)
            periods.pop_back(); // a re-solve at the same time replaces the earlier one
        HydraulicPeriod p;
        p.time_s = t;
        p.flow_m3s.resize(nl);
        for (std::size_t k = 0; k < nl; ++k)
            p.flow_m3s[k] = is_closed(state.status[k]) ? 0.0 : state.flow_m3s[k];
        p.demand_m3s.assign(nn, 0.0);
        for (std::size_t n = 0; n < nn; ++n)
            if (net.node_kind[n] == NodeKind::kJunction)
                p.demand_m3s[n] = state.node_demand[n];
        p.tank_volume = state.tank_volume_m3;
        periods.push_back(std::move(p));
    };
    result.hydraulics = simulate_eps(net, topo, run);
    if (result.model.kind == QualityKind::kNone || periods.empty())
        return result;

    Seconds qstep = options.quality_step;
    const Seconds hstep = std::max<Seconds>(1, net.times.hydraulic_step);
    if (qstep <= 0)
        qstep = net.times.quality_step.value_or(hstep / 10);
    qstep = std::max<Seconds>(1, std::min(qstep, hstep));

    QualitySolver solver(net, topo, result.model, qstep);
    solver.initialize();
    const Seconds duration = eps.duration >= 0 ? eps.duration : net.times.duration;
    std::size_t next_report = 0;
    const auto& reports = result.hydraulics.reports;
    for (std::size_t p = 0; p < periods.size(); ++p) {
        const Seconds t0 = periods[p].time_s;
        const Seconds t1 = p + 1 < periods.size() ? periods[p + 1].time_s : duration;
        while (next_report < reports.size() && reports[next_report].time_s <= t0) {
            if (reports[next_report].time_s == t0)
                result.reports.push_back(solver.snapshot(t0));
            ++next_report;
        }
        if (t0 >= duration)
            break;
        solver.start_period(periods[p]);
        for (Seconds t = t0; t < t1;) {
            const Seconds dt = std::min(qstep, t1 - t);
            solver.transport(dt, t0);
            t += dt;
        }
    }
    result.mass_balance = solver.mass;
    auto& mb = result.mass_balance;
    mb.final = solver.stored_mass();
    double in = mb.initial + mb.inflow;
    double out = mb.outflow + mb.final;
    if (mb.reacted > 0.0)
        out += mb.reacted;
    else
        in -= mb.reacted;
    mb.ratio = in == 0.0 ? 1.0 : out / in;
    result.max_segments = solver.max_segments();
    return result;
}

} // namespace rencheng::water
