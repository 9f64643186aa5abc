// Contingency analysis: N-1 and sampled N-k over solve_islands, DC screening, ranking.
#include "power/contingency.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <exception>
#include <numeric>
#include <optional>

#include "core/error.hpp"
#include "core/parallel.hpp"
#include "core/rng.hpp"
#include "power/sparse_lu.hpp"

#include <tbb/enumerable_thread_specific.h>

namespace rencheng::power {

namespace {

/// Stream id of the N-k sampling draws (RngStream's purpose field).
constexpr std::uint32_t kNkStream = 1;

/// The consequences of one post-contingency state.
ContingencyOutcome summarise(const Network& net, const IslandingResult& r,
                             const ContingencyOptions& o) {
    ContingencyOutcome out;
    out.islands = static_cast<std::int32_t>(r.islands.size());
    out.de_energised_islands = r.de_energised_islands;
    for (const Island& island : r.islands)
        if (island.status == IslandStatus::kDeEnergised &&
            (island.reason == IslandReason::kAcNotConverged ||
             island.reason == IslandReason::kNotSolvable))
            ++out.non_converged_islands;
    out.load_mw = r.load_mw;
    out.load_lost_mw = r.shed_mw_total;
    for (std::int32_t l = 0; l < net.branches.count(); ++l) {
        const auto k = static_cast<std::size_t>(l);
        const double rate = net.branches.rate_a_mva[k];
        if (!(rate > 0))
            continue;
        const double s = std::max(std::hypot(r.p_from_mw[k], r.q_from_mvar[k]),
                                  std::hypot(r.p_to_mw[k], r.q_to_mvar[k])) /
                         rate;
        if (s > out.max_loading) {
            out.max_loading = s;
            out.worst_branch = BranchIndex{l};
        }
        if (s > 1 + o.overload_tolerance)
            ++out.overloads;
    }
    for (std::int32_t b = 0; b < net.buses.count(); ++b) {
        const auto i = static_cast<std::size_t>(b);
        const std::int32_t isl = r.bus_island[i];
        if (isl < 0 || r.islands[static_cast<std::size_t>(isl)].status != IslandStatus::kEnergised)
            continue;
        const double v = r.vm_pu[i];
        const double excess = std::max(v - net.buses.vmax_pu[i], net.buses.vmin_pu[i] - v);
        if (excess > o.voltage_tolerance_pu) {
            ++out.voltage_violations;
            if (excess > out.max_voltage_violation_pu) {
                out.max_voltage_violation_pu = excess;
                out.worst_bus = BusIndex{b};
            }
        }
    }
    return out;
}

/// The DC sensitivity model of the base case for screening (Wood & Wollenberg, "Power
/// Generation, Operation and Control", 2nd ed., §11.3: PTDF and LODF from the reduced B matrix):
/// B_r θ = P over the buses other than the slack, b_k = 1/(x_k·τ_k).
struct ScreeningModel {
    BusIndex slack;
    std::vector<std::int32_t> var; ///< per bus: its row in B_r, -1 for the slack and buses out
    std::vector<double> b;         ///< per branch: series susceptance, 0 when not in the model
    CscMatrix b_r;
    std::vector<double> slack_spare_mw; ///< PMAX - P of the units at the slack bus
    std::vector<double> base_loading;   ///< per branch: base-case |S| / RATE_A (0 if unrated)
};

std::optional<ScreeningModel> make_screening_model(const Network& net,
                                                   const IslandingResult& base) {
    if (base.islands.size() != 1 || base.islands[0].status != IslandStatus::kEnergised)
        return std::nullopt;
    ScreeningModel m;
    m.slack = base.islands[0].slack;
    const auto nb = static_cast<std::size_t>(net.buses.count());
    const auto nl = static_cast<std::size_t>(net.branches.count());
    m.var.assign(nb, -1);
    std::int32_t n = 0;
    for (std::size_t i = 0; i < nb; ++i)
        if (base.bus_island[i] == 0 && i != m.slack.idx())
            m.var[i] = n++;
    m.b.assign(nl, 0.0);
    struct Entry {
        std::int32_t row, col;
        double v;
    };
    std::vector<Entry> e;
    for (std::size_t i = 0; i < nb; ++i)
        if (m.var[i] >= 0)
            e.push_back({m.var[i], m.var[i], 0.0});
    for (std::size_t k = 0; k < nl; ++k) {
        const auto f = net.branches.from[k], t = net.branches.to[k];
        if (net.branches.status[k] == 0 || !f.valid() || !t.valid() ||
            base.bus_island[f.idx()] != 0 || base.bus_island[t.idx()] != 0)
            continue;
        m.b[k] = 1.0 / (net.branches.x_pu[k] *
                        net.branches.ratio(BranchIndex{static_cast<std::int32_t>(k)}));
        if (!std::isfinite(m.b[k]))
            return std::nullopt;
        const std::int32_t vf = m.var[f.idx()], vt = m.var[t.idx()];
        if (vf >= 0)
            e.push_back({vf, vf, m.b[k]});
        if (vt >= 0)
            e.push_back({vt, vt, m.b[k]});
        if (vf >= 0 && vt >= 0) {
            e.push_back({vf, vt, -m.b[k]});
            e.push_back({vt, vf, -m.b[k]});
        }
    }
    std::sort(e.begin(), e.end(), [](const Entry& x, const Entry& y) {
        return x.col != y.col ? x.col < y.col : x.row < y.row;
    });
    m.b_r.n = n;
    m.b_r.col_start.assign(static_cast<std::size_t>(n) + 1, 0);
    for (std::size_t k = 0; k < e.size(); ++k) {
        if (k > 0 && e[k].row == e[k - 1].row && e[k].col == e[k - 1].col) {
            m.b_r.value.back() += e[k].v;
            continue;
        }
        m.b_r.row.push_back(e[k].row);
        m.b_r.value.push_back(e[k].v);
        ++m.b_r.col_start[static_cast<std::size_t>(e[k].col) + 1];
    }
    for (std::size_t j = 0; j < static_cast<std::size_t>(n); ++j)
        m.b_r.col_start[j + 1] += m.b_r.col_start[j];
    return m;
}

/// Screens one single-element contingency; returns true (and fills `out`) when it is judged safe.
/// `x` is scratch of size B_r.n.
bool screen(const Network& net, const ScreeningModel& m, SparseLu& lu, const Contingency& c,
            const IslandingResult& base, const ContingencyOutcome& base_outcome,
            const ContingencyOptions& o, std::vector<double>& x, ContingencyOutcome& out) {
    std::fill(x.begin(), x.end(), 0.0);
    double scale = 0; // ΔP_l = scale · b_l (x_f - x_t)
    if (c.kind == ContingencyKind::kBranch) {
        const auto k = static_cast<std::size_t>(c.element);
        if (m.b[k] == 0)
            return false;
        const std::int32_t vf = m.var[net.branches.from[k].idx()];
        const std::int32_t vt = m.var[net.branches.to[k].idx()];
        if (vf >= 0)
            x[static_cast<std::size_t>(vf)] += 1;
        if (vt >= 0)
            x[static_cast<std::size_t>(vt)] -= 1;
        lu.solve(x);
        const double tf = vf >= 0 ? x[static_cast<std::size_t>(vf)] : 0.0;
        const double tt = vt >= 0 ? x[static_cast<std::size_t>(vt)] : 0.0;
        const double ptdf_kk = m.b[k] * (tf - tt);
        if (!(1 - ptdf_kk > 1e-6)) // a bridge: the outage islands the network
            return false;
        // LODF_lk = PTDF_l,(f→t) / (1 - PTDF_k,(f→t)); ΔP_l = LODF_lk · P_k.
        scale = base.p_from_mw[k] / (1 - ptdf_kk);
    } else if (c.kind == ContingencyKind::kGenerator) {
        const auto g = static_cast<std::size_t>(c.element);
        const BusIndex bus = net.gens.bus[g];
        const double pg = base.pg_mw[g];
        if (bus == m.slack || pg > m.slack_spare_mw.front())
            return false; // the slack moves or would be redispatched: solve it
        const std::int32_t vb = m.var[bus.idx()];
        if (vb < 0)
            return false;
        x[static_cast<std::size_t>(vb)] = 1;
        lu.solve(x);
        scale = -pg; // the injection lost at the bus, picked up at the slack
    } else {
        return false;
    }
    out = base_outcome;
    out.max_loading = 0;
    out.worst_branch = BranchIndex{};
    out.overloads = 0;
    for (std::int32_t l = 0; l < net.branches.count(); ++l) {
        const auto k = static_cast<std::size_t>(l);
        const double rate = net.branches.rate_a_mva[k];
        if (!(rate > 0) || m.b[k] == 0 || (c.kind == ContingencyKind::kBranch && l == c.element))
            continue;
        const std::int32_t vf = m.var[net.branches.from[k].idx()];
        const std::int32_t vt = m.var[net.branches.to[k].idx()];
        const double dp = scale * m.b[k] *
                          ((vf >= 0 ? x[static_cast<std::size_t>(vf)] : 0.0) -
                           (vt >= 0 ? x[static_cast<std::size_t>(vt)] : 0.0));
        const double s = std::max(std::hypot(base.p_from_mw[k] + dp, base.q_from_mvar[k]),
                                  std::hypot(base.p_to_mw[k] - dp, base.q_to_mvar[k])) /
                         rate;
        // Unsafe: heavily loaded and more than before (a loading the outage changes by no
        // more than screening_increase keeps its base-case verdict).
        if (!(s < o.screening_threshold) && !(s <= m.base_loading[k] + o.screening_increase))
            return false;
        if (s > 1 + o.overload_tolerance)
            ++out.overloads;
        if (s > out.max_loading) {
            out.max_loading = s;
            out.worst_branch = BranchIndex{l};
        }
    }
    out.screened = true;
    return true;
}

double seconds_since(std::chrono::steady_clock::time_point t0) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

} // namespace

std::string_view contingency_kind_name(ContingencyKind k) {
    switch (k) {
    case ContingencyKind::kBase:
        return "base";
    case ContingencyKind::kBranch:
        return "branch";
    case ContingencyKind::kGenerator:
        return "gen";
    case ContingencyKind::kMultiple:
        return "multiple";
    }
    return "?";
}

void ContingencyOptions::validate() const {
    islands.validate();
    if (!(screening_threshold > 0 && screening_threshold <= 1))
        throw Error(ErrorCode::kOutOfRange, "screening_threshold must lie in (0, 1]");
    if (!(screening_increase >= 0))
        throw Error(ErrorCode::kOutOfRange, "screening_increase must not be negative");
    if (!(overload_tolerance >= 0) || !(voltage_tolerance_pu >= 0))
        throw Error(ErrorCode::kOutOfRange, "contingency tolerances must not be negative");
}

std::vector<Contingency> n_minus_1_contingencies(const Network& net, bool branches,
                                                 bool generators) {
    std::vector<Contingency> out;
    if (branches)
        for (std::int32_t k = 0; k < net.branches.count(); ++k)
            if (net.branches.in_service(BranchIndex{k})) {
                Contingency c;
                c.kind = ContingencyKind::kBranch;
                c.element = k;
                c.outages.branches.push_back(BranchIndex{k});
                out.push_back(std::move(c));
            }
    if (generators)
        for (std::int32_t g = 0; g < net.gens.count(); ++g)
            if (net.gens.in_service(GenIndex{g})) {
                Contingency c;
                c.kind = ContingencyKind::kGenerator;
                c.element = g;
                c.outages.gens.push_back(GenIndex{g});
                out.push_back(std::move(c));
            }
    return out;
}

std::vector<Contingency> sample_n_k(const Network& net, std::int32_t count, std::int32_t k_max,
                                    std::uint64_t seed) {
    // Candidates: branches in service, then generators in service (encoded past the branches).
    std::vector<std::int32_t> pool;
    const std::int32_t nl = net.branches.count();
    for (std::int32_t k = 0; k < nl; ++k)
        if (net.branches.in_service(BranchIndex{k}))
            pool.push_back(k);
    for (std::int32_t g = 0; g < net.gens.count(); ++g)
        if (net.gens.in_service(GenIndex{g}))
            pool.push_back(nl + g);
    std::vector<Contingency> out;
    if (pool.empty() || count <= 0 || k_max <= 0)
        return out;
    out.resize(static_cast<std::size_t>(count));
    std::vector<std::int32_t> draw;
    for (std::int32_t s = 0; s < count; ++s) {
        RngStream rng(seed, static_cast<std::uint32_t>(s), kNkStream);
        const auto k =
            std::min<std::size_t>(1 + rng.below(static_cast<std::uint64_t>(k_max)), pool.size());
        // Partial Fisher-Yates shuffle of a fresh copy: the first k are the sample.
        draw = pool;
        for (std::size_t i = 0; i < k; ++i)
            std::swap(draw[i], draw[i + rng.below(draw.size() - i)]);
        Contingency& c = out[static_cast<std::size_t>(s)];
        std::sort(draw.begin(), draw.begin() + static_cast<std::ptrdiff_t>(k));
        for (std::size_t i = 0; i < k; ++i) {
            if (draw[i] < nl)
                c.outages.branches.push_back(BranchIndex{draw[i]});
            else
                c.outages.gens.push_back(GenIndex{draw[i] - nl});
        }
        if (k == 1) {
            c.kind = draw[0] < nl ? ContingencyKind::kBranch : ContingencyKind::kGenerator;
            c.element = draw[0] < nl ? draw[0] : draw[0] - nl;
        } else {
            c.kind = ContingencyKind::kMultiple;
        }
    }
    return out;
}

ContingencyReport analyse_contingencies(const Network& net,
                                        const std::vector<Contingency>& contingencies,
                                        const ContingencyOptions& options) {
    options.validate();
    const auto t0 = std::chrono::steady_clock::now();
    ContingencyReport report;

    IslandOptions base_options = options.islands;
    const IslandingResult base = solve_islands(net, OutageSet{}, base_options);
    report.base = summarise(net, base, options);

    // Every contingency starts from the base case's voltages.
    IslandOptions io = options.islands;
    if (io.initial_vm_pu.empty()) {
        io.initial_vm_pu = base.vm_pu;
        io.initial_va_rad = base.va_rad;
    }

    std::optional<ScreeningModel> model;
    if (options.dc_screening) {
        model = make_screening_model(net, base);
        if (model) {
            double spare = 0;
            for (std::size_t g = 0; g < static_cast<std::size_t>(net.gens.count()); ++g)
                if (net.gens.in_service(GenIndex{static_cast<std::int32_t>(g)}) &&
                    net.gens.bus[g] == model->slack)
                    spare += net.gens.pmax_pu[g] * net.base_mva - base.pg_mw[g];
            model->slack_spare_mw = {spare};
            model->base_loading.assign(static_cast<std::size_t>(net.branches.count()), 0.0);
            for (std::size_t k = 0; k < model->base_loading.size(); ++k)
                if (net.branches.rate_a_mva[k] > 0)
                    model->base_loading[k] =
                        std::max(std::hypot(base.p_from_mw[k], base.q_from_mvar[k]),
                                 std::hypot(base.p_to_mw[k], base.q_to_mvar[k])) /
                        net.branches.rate_a_mva[k];
        }
    }

    const std::size_t n = contingencies.size();
    report.outcomes.resize(n);
    std::vector<std::uint8_t> solved(n, 0);
    // A few chunks per thread for load balance, one workspace per thread (its own factorisation
    // of B_r, and an IslandSolver whose Jacobian pattern and block LU analysis come from the
    // case), made when the thread takes its first chunk: setting one up costs about two Newton
    // solves on the largest cases, so one per chunk cost the 2-thread run more than the 1-thread
    // one. A workspace keeps no state from one contingency to the next (every solve starts from
    // the base case and the block LU has static pivots), so results do not depend on which
    // thread solved what.
    struct Workspace {
        bool ready = false;
        std::optional<IslandSolver> islands;
        SparseLu lu;
        bool screening = false;
        std::vector<double> x;
    };
    tbb::enumerable_thread_specific<Workspace> workspaces;
    const std::size_t grain =
        std::max<std::size_t>(1, n / (4 * std::max<std::size_t>(1, max_threads())));
    parallel_for_chunks(
        n,
        [&](std::size_t begin, std::size_t end) {
            Workspace& w = workspaces.local();
            if (!w.ready) {
                w.ready = true;
                if (model) {
                    try {
                        if (model->b_r.n > 0) {
                            w.lu.analyze(model->b_r);
                            w.screening = w.lu.factor(model->b_r);
                            w.x.resize(static_cast<std::size_t>(model->b_r.n));
                        }
                    } catch (const std::exception&) {
                        w.screening = false;
                    }
                }
            }
            for (std::size_t i = begin; i < end; ++i) {
                const Contingency& c = contingencies[i];
                ContingencyOutcome& out = report.outcomes[i];
                if (w.screening &&
                    screen(net, *model, w.lu, c, base, report.base, options, w.x, out)) {
                    out.kind = c.kind;
                    out.element = c.element;
                    continue;
                }
                try {
                    if (!w.islands)
                        w.islands.emplace(net, io);
                    out = summarise(net, w.islands->solve(c.outages), options);
                } catch (const std::exception&) {
                    // solve_islands does not throw for outages; should it run out of memory,
                    // the contingency is reported as losing all load.
                    out = ContingencyOutcome{};
                    out.load_mw = report.base.load_mw;
                    out.load_lost_mw = report.base.load_mw;
                }
                out.kind = c.kind;
                out.element = c.element;
                solved[i] = 1;
            }
        },
        grain);
    for (std::size_t i = 0; i < n; ++i) {
        if (solved[i])
            ++report.solved;
        else
            ++report.screened;
    }
    report.seconds = seconds_since(t0);
    return report;
}

std::vector<std::int32_t> rank_contingencies(const std::vector<ContingencyOutcome>& outcomes) {
    std::vector<std::int32_t> order(outcomes.size());
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(), [&](std::int32_t a, std::int32_t b) {
        const auto& x = outcomes[static_cast<std::size_t>(a)];
        const auto& y = outcomes[static_cast<std::size_t>(b)];
        if (x.load_lost_mw != y.load_lost_mw)
            return x.load_lost_mw > y.load_lost_mw;
        const double ox = std::max(x.max_loading - 1, 0.0), oy = std::max(y.max_loading - 1, 0.0);
        if (ox != oy)
            return ox > oy;
        if (x.voltage_violations != y.voltage_violations)
            return x.voltage_violations > y.voltage_violations;
        return x.max_voltage_violation_pu > y.max_voltage_violation_pu;
    });
    return order;
}

std::string describe_contingency(const Network& net, const ContingencyOutcome& o) {
    switch (o.kind) {
    case ContingencyKind::kBase:
        return "base case";
    case ContingencyKind::kBranch: {
        const auto k = static_cast<std::size_t>(o.element);
        return "branch " + std::to_string(o.element + 1) + " (bus " +
               std::to_string(net.buses.number[net.branches.from[k].idx()]) + "-" +
               std::to_string(net.buses.number[net.branches.to[k].idx()]) + ")";
    }
    case ContingencyKind::kGenerator:
        return "gen " + std::to_string(o.element + 1) + " (bus " +
               std::to_string(
                   net.buses.number[net.gens.bus[static_cast<std::size_t>(o.element)].idx()]) +
               ")";
    case ContingencyKind::kMultiple:
        return "multiple outages";
    }
    return "?";
}

} // namespace rencheng::power
