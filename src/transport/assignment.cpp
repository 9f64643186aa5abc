// Static user-equilibrium assignment: BPR costs, Frank-Wolfe and Dial's Algorithm B.
#include "transport/assignment.hpp"

#include <algorithm>
#include <cassert>
#include <chrono>
#include <cmath>
#include <limits>

#include "core/error.hpp"
#include "core/parallel.hpp"
#include "transport/shortest_path.hpp"

namespace rencheng::transport {

std::string_view algorithm_name(AssignmentAlgorithm a) {
    return a == AssignmentAlgorithm::kFrankWolfe ? "fw" : "bush";
}

std::string AssignmentOptions::validate() const {
    if (!(target_gap >= 0.0) || !std::isfinite(target_gap))
        return "the target gap must be a finite number >= 0";
    if (max_iterations < 0)
        return "max_iterations must be >= 0";
    if (!std::isfinite(toll_factor) || toll_factor < 0.0)
        return "the toll factor must be a finite number >= 0";
    if (!std::isfinite(distance_factor) || distance_factor < 0.0)
        return "the distance factor must be a finite number >= 0";
    if (!(max_seconds >= 0.0))
        return "max_seconds must be >= 0";
    if (inner_passes < 1)
        return "inner_passes must be >= 1";
    return {};
}

double bpr_time(double free_flow_time, double b, double power, double capacity, double flow) {
    if (free_flow_time == 0.0 || b == 0.0)
        return free_flow_time;
    const double r = std::max(flow, 0.0) / capacity;
    const double rp = power == 4.0 ? (r * r) * (r * r) : (power == 1.0 ? r : std::pow(r, power));
    return free_flow_time * (1.0 + b * rp);
}

double bpr_derivative(double free_flow_time, double b, double power, double capacity, double flow) {
    if (free_flow_time == 0.0 || b == 0.0 || power == 0.0)
        return 0.0;
    const double r = std::max(flow, 0.0) / capacity;
    const double rp1 = power == 4.0 ? r * r * r : (power == 1.0 ? 1.0 : std::pow(r, power - 1.0));
    return free_flow_time * b * power * rp1 / capacity;
}

namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point t0) {
    return std::chrono::duration<double>(Clock::now() - t0).count();
}

bool out_of_time(const AssignmentOptions& opt, Clock::time_point t0) {
    return opt.max_seconds > 0.0 && seconds_since(t0) >= opt.max_seconds;
}

/// Link cost model: BPR time plus the fixed generalized terms of each link.
class CostModel {
public:
    CostModel(const AssignmentNetwork& net, double toll_factor, double distance_factor)
        : net_(net), fixed_(static_cast<std::size_t>(net.link_count())) {
        for (std::size_t a = 0; a < fixed_.size(); ++a)
            fixed_[a] = toll_factor * net.toll[a] + distance_factor * net.length[a];
    }
    [[nodiscard]] double cost(std::size_t a, double x) const {
        return bpr_time(net_.free_flow_time[a], net_.b[a], net_.power[a], net_.capacity[a], x) +
               fixed_[a];
    }
    [[nodiscard]] double derivative(std::size_t a, double x) const {
        return bpr_derivative(net_.free_flow_time[a], net_.b[a], net_.power[a], net_.capacity[a],
                              x);
    }
    /// Integral of the cost from 0 to x (Beckmann et al. 1956).
    [[nodiscard]] double integral(std::size_t a, double x) const {
        const double t0 = net_.free_flow_time[a];
        double bpr = t0 * x;
        if (t0 != 0.0 && net_.b[a] != 0.0) {
            const double p = net_.power[a];
            const double r = std::max(x, 0.0) / net_.capacity[a];
            bpr = t0 * x * (1.0 + net_.b[a] / (p + 1.0) * std::pow(r, p));
        }
        return bpr + fixed_[a] * x;
    }

private:
    const AssignmentNetwork& net_;
    std::vector<double> fixed_;
};

/// Origins with demand, in zone order.
std::vector<std::int32_t> active_origins(const TripTable& trips) {
    std::vector<std::int32_t> out;
    for (std::int32_t o = 0; o < trips.zone_count; ++o) {
        const auto b = static_cast<std::size_t>(trips.origin_begin[static_cast<std::size_t>(o)]);
        const auto e =
            static_cast<std::size_t>(trips.origin_begin[static_cast<std::size_t>(o) + 1]);
        for (std::size_t k = b; k < e; ++k)
            if (trips.demand[k] > 0.0) {
                out.push_back(o);
                break;
            }
    }
    return out;
}

void check_inputs(const AssignmentNetwork& net, const TripTable& trips,
                  const AssignmentOptions& options) {
    if (auto why = options.validate(); !why.empty())
        throw Error(ErrorCode::kUsage, "assignment options: " + why);
    if (!options.closed.empty() &&
        options.closed.size() != static_cast<std::size_t>(net.link_count()))
        throw Error(ErrorCode::kUsage, "the closure mask has " +
                                           std::to_string(options.closed.size()) + " entries for " +
                                           std::to_string(net.link_count()) + " links");
    for (std::int32_t a = 0; a < net.link_count(); ++a) {
        const auto k = static_cast<std::size_t>(a);
        const double fixed =
            options.toll_factor * net.toll[k] + options.distance_factor * net.length[k];
        if (!(fixed >= 0.0) || !std::isfinite(fixed))
            throw Error(ErrorCode::kOutOfRange, "link " + net.link_label(a) +
                                                    ": the generalized cost's toll and distance "
                                                    "terms must add up to a number >= 0");
    }
    if (trips.zone_count != net.zone_count)
        throw Error(ErrorCode::kInconsistent, "the trips have " + std::to_string(trips.zone_count) +
                                                  " zones but the network has " +
                                                  std::to_string(net.zone_count));
    if (trips.origin_begin.size() != static_cast<std::size_t>(trips.zone_count) + 1 ||
        net.out.node_count() != net.node_count || net.in.node_count() != net.node_count)
        throw Error(ErrorCode::kInternal, "network graph or trip table not built");
}

/// Shortest-path costs summed over the demand of each origin, in parallel over origins; the
/// per-origin sums are added in origin order so that the total is thread-count independent.
void shortest_path_totals(const AssignmentNetwork& net, const TripTable& trips,
                          std::span<const double> cost, std::span<const std::uint8_t> closed,
                          double& sptt, double& unreachable) {
    const auto zones = static_cast<std::size_t>(trips.zone_count);
    std::vector<double> per_origin(zones, 0.0), lost(zones, 0.0);
    parallel_for_chunks(zones, [&](std::size_t begin, std::size_t end) {
        ShortestPathTree tree;
        ShortestPathWorkspace ws;
        for (std::size_t o = begin; o < end; ++o) {
            const auto b = static_cast<std::size_t>(trips.origin_begin[o]);
            const auto e = static_cast<std::size_t>(trips.origin_begin[o + 1]);
            if (b == e)
                continue;
            shortest_paths(net, static_cast<std::int32_t>(o), cost, closed, tree, ws);
            double s = 0.0, u = 0.0;
            for (std::size_t k = b; k < e; ++k) {
                const double d = tree.dist[static_cast<std::size_t>(trips.destination[k])];
                if (d == kUnreachable)
                    u += trips.demand[k];
                else
                    s += trips.demand[k] * d;
            }
            per_origin[o] = s;
            lost[o] = u;
        }
    });
    sptt = 0.0;
    unreachable = 0.0;
    for (std::size_t o = 0; o < zones; ++o) {
        sptt += per_origin[o];
        unreachable += lost[o];
    }
}

GapReport evaluate(const AssignmentNetwork& net, const TripTable& trips, const CostModel& model,
                   std::span<const double> flow, std::span<const std::uint8_t> closed) {
    GapReport r;
    const auto links = static_cast<std::size_t>(net.link_count());
    std::vector<double> cost(links);
    for (std::size_t a = 0; a < links; ++a) {
        cost[a] = model.cost(a, flow[a]);
        r.tstt += flow[a] * cost[a];
        r.beckmann += model.integral(a, flow[a]);
    }
    shortest_path_totals(net, trips, cost, closed, r.sptt, r.unreachable_demand);
    r.relative_gap = r.tstt > 0.0 ? (r.tstt - r.sptt) / r.tstt : 0.0;
    return r;
}

// ---------------------------------------------------------------------------------------------
// Frank-Wolfe (Frank & Wolfe 1956; Sheffi 1985, section 4.1): all-or-nothing direction, exact
// line search by bisection on the derivative of the Beckmann objective along the direction.

/// All-or-nothing loading of every origin's demand on shortest paths at `cost`. Trees are built
/// in parallel in fixed batches and loaded in origin order, so `y` does not depend on threads.
/// Returns the SPTT (sum of demand x shortest cost) and the unreachable demand.
void all_or_nothing(const AssignmentNetwork& net, const TripTable& trips,
                    std::span<const double> cost, std::span<const std::uint8_t> closed,
                    std::vector<double>& y, double& sptt, double& unreachable) {
    constexpr std::size_t kBatch = 64;
    const auto zones = static_cast<std::size_t>(trips.zone_count);
    std::fill(y.begin(), y.end(), 0.0);
    sptt = 0.0;
    unreachable = 0.0;
    std::vector<ShortestPathTree> trees(kBatch);
    for (std::size_t first = 0; first < zones; first += kBatch) {
        const std::size_t count = std::min(kBatch, zones - first);
        parallel_for_chunks(count, [&](std::size_t begin, std::size_t end) {
            ShortestPathWorkspace ws;
            for (std::size_t i = begin; i < end; ++i) {
                const std::size_t o = first + i;
                if (trips.origin_begin[o] == trips.origin_begin[o + 1])
                    continue;
                shortest_paths(net, static_cast<std::int32_t>(o), cost, closed, trees[i], ws);
            }
        });
        for (std::size_t i = 0; i < count; ++i) {
            const std::size_t o = first + i;
            const auto b = static_cast<std::size_t>(trips.origin_begin[o]);
            const auto e = static_cast<std::size_t>(trips.origin_begin[o + 1]);
            const ShortestPathTree& tree = trees[i];
            for (std::size_t k = b; k < e; ++k) {
                const double q = trips.demand[k];
                auto v = static_cast<std::size_t>(trips.destination[k]);
                if (tree.dist[v] == kUnreachable) {
                    unreachable += q;
                    continue;
                }
                sptt += q * tree.dist[v];
                while (tree.pred_link[v] >= 0) {
                    const auto a = static_cast<std::size_t>(tree.pred_link[v]);
                    y[a] += q;
                    v = static_cast<std::size_t>(net.init[a]);
                }
            }
        }
    }
}

AssignmentResult solve_frank_wolfe(const AssignmentNetwork& net, const TripTable& trips,
                                   const AssignmentOptions& opt, const CostModel& model,
                                   Clock::time_point t0) {
    AssignmentResult res;
    const auto links = static_cast<std::size_t>(net.link_count());
    std::vector<double> x(links, 0.0), y(links, 0.0), cost(links);
    double sptt = 0.0, unreachable = 0.0;
    for (std::size_t a = 0; a < links; ++a)
        cost[a] = model.cost(a, 0.0);
    all_or_nothing(net, trips, cost, opt.closed, x, sptt, unreachable);
    for (int it = 0;; ++it) {
        double tstt = 0.0;
        for (std::size_t a = 0; a < links; ++a) {
            cost[a] = model.cost(a, x[a]);
            tstt += x[a] * cost[a];
        }
        all_or_nothing(net, trips, cost, opt.closed, y, sptt, unreachable);
        const double gap = tstt > 0.0 ? (tstt - sptt) / tstt : 0.0;
        res.iterations = it;
        const AssignmentIteration rec{it, gap, tstt, seconds_since(t0)};
        res.history.push_back(rec);
        if (opt.on_iteration)
            opt.on_iteration(rec);
        if (gap <= opt.target_gap) {
            res.converged = true;
            break;
        }
        if (it >= opt.max_iterations || out_of_time(opt, t0))
            break;
        // d/dalpha of the Beckmann objective at x + alpha (y - x).
        auto slope = [&](double alpha) {
            double s = 0.0;
            for (std::size_t a = 0; a < links; ++a) {
                const double dir = y[a] - x[a];
                if (dir != 0.0)
                    s += dir * model.cost(a, x[a] + alpha * dir);
            }
            return s;
        };
        double alpha = 1.0;
        if (slope(1.0) > 0.0) {
            double lo = 0.0, hi = 1.0;
            for (int k = 0; k < 64 && hi - lo > 1e-15; ++k) {
                const double mid = 0.5 * (lo + hi);
                (slope(mid) > 0.0 ? hi : lo) = mid;
            }
            alpha = 0.5 * (lo + hi);
        }
        for (std::size_t a = 0; a < links; ++a)
            x[a] += alpha * (y[a] - x[a]);
    }
    res.flow = std::move(x);
    return res;
}

// ---------------------------------------------------------------------------------------------
// Algorithm B (Dial 2006, "A path-based user-equilibrium traffic assignment algorithm that
// obviates path storage and enumeration", Transp. Res. B 40): one acyclic bush per origin holds
// that origin's link flows. Each visit (1) updates the bush: drops unused links and adds links
// that shorten the longest path, which keeps it acyclic; (2) shifts flow, node by node in
// reverse topological order, from the longest used path segment to the shortest one between
// the node and their last common node, by a Newton step (Dial 2006, sec. 3).

class AlgorithmB {
public:
    AlgorithmB(const AssignmentNetwork& net, const TripTable& trips, const AssignmentOptions& opt,
               const CostModel& model)
        : net_(net), trips_(trips), opt_(opt), model_(model), origins_(active_origins(trips)),
          links_(static_cast<std::size_t>(net.link_count())),
          nodes_(static_cast<std::size_t>(net.node_count)), x_(links_, 0.0), c_(links_), d_(links_),
          bush_flow_(origins_.size()), in_bush_(origins_.size()), flow_eps_(origins_.size(), 0.0),
          min_(nodes_), max_(nodes_), min_pred_(nodes_), max_pred_(nodes_), indeg_(nodes_),
          mark_(nodes_, 0) {
        for (std::size_t a = 0; a < links_; ++a)
            refresh(a);
        order_.reserve(nodes_);
        bush_order_.resize(origins_.size());
    }

    AssignmentResult run(Clock::time_point t0) {
        AssignmentResult res;
        for (std::size_t r = 0; r < origins_.size(); ++r) {
            if (warm_start(r))
                ++res.warm_started_origins;
            else
                initialise(r);
        }
        for (int it = 0;; ++it) {
            recompute_link_flows();
            const GapReport g = evaluate(net_, trips_, model_, x_, opt_.closed);
            res.iterations = it;
            const AssignmentIteration rec{it, g.relative_gap, g.tstt, seconds_since(t0)};
            res.history.push_back(rec);
            if (opt_.on_iteration)
                opt_.on_iteration(rec);
            if (g.relative_gap <= opt_.target_gap) {
                res.converged = true;
                break;
            }
            if (it >= opt_.max_iterations || out_of_time(opt_, t0))
                break;
            for (std::size_t r = 0; r < origins_.size(); ++r) {
                update_bush(r);
                topological_order(r);
                bush_order_[r] = order_;
                for (int pass = 0; pass < opt_.inner_passes; ++pass)
                    if (!equilibrate(r))
                        break;
            }
        }
        res.flow = x_;
        if (opt_.keep_bush_flows) {
            res.bush_flow.assign(static_cast<std::size_t>(trips_.zone_count), {});
            for (std::size_t r = 0; r < origins_.size(); ++r)
                res.bush_flow[static_cast<std::size_t>(origins_[r])] = bush_flow_[r];
        }
        return res;
    }

private:
    [[nodiscard]] bool closed(std::size_t a) const {
        return !opt_.closed.empty() && opt_.closed[a] != 0;
    }
    void refresh(std::size_t a) {
        c_[a] = model_.cost(a, x_[a]);
        d_[a] = model_.derivative(a, x_[a]);
    }

    /// All-or-nothing loading of origin r on its current shortest-path tree, which becomes the
    /// initial bush (costs are updated after each origin: incremental loading).
    void initialise(std::size_t r) {
        const std::int32_t o = origins_[r];
        bush_flow_[r].assign(links_, 0.0);
        flow_eps_[r] = 0.0;
        in_bush_[r].assign(links_, 0);
        shortest_paths(net_, o, c_, opt_.closed, tree_, ws_);
        for (std::size_t n = 0; n < nodes_; ++n)
            if (tree_.pred_link[n] >= 0)
                in_bush_[r][static_cast<std::size_t>(tree_.pred_link[n])] = 1;
        const auto b = static_cast<std::size_t>(trips_.origin_begin[static_cast<std::size_t>(o)]);
        const auto e =
            static_cast<std::size_t>(trips_.origin_begin[static_cast<std::size_t>(o) + 1]);
        for (std::size_t k = b; k < e; ++k) {
            auto v = static_cast<std::size_t>(trips_.destination[k]);
            if (tree_.dist[v] == kUnreachable)
                continue;
            while (tree_.pred_link[v] >= 0) {
                const auto a = static_cast<std::size_t>(tree_.pred_link[v]);
                bush_flow_[r][a] += trips_.demand[k];
                x_[a] += trips_.demand[k];
                flow_eps_[r] = std::max(flow_eps_[r], kFlowTolerance * trips_.demand[k]);
                v = static_cast<std::size_t>(net_.init[a]);
            }
        }
        for (std::size_t a = 0; a < links_; ++a)
            if (bush_flow_[r][a] > 0.0)
                refresh(a);
    }

    /// Starts bush r from the caller's flows of its origin when they are feasible on this
    /// network (see AssignmentOptions::warm_start_bush_flow); returns false, leaving nothing
    /// changed, when they are not.
    bool warm_start(std::size_t r) {
        const std::int32_t o = origins_[r];
        const auto& ws = opt_.warm_start_bush_flow;
        if (static_cast<std::size_t>(o) >= ws.size() ||
            ws[static_cast<std::size_t>(o)].size() != links_)
            return false;
        const auto& w = ws[static_cast<std::size_t>(o)];
        const auto b = static_cast<std::size_t>(trips_.origin_begin[static_cast<std::size_t>(o)]);
        const auto e =
            static_cast<std::size_t>(trips_.origin_begin[static_cast<std::size_t>(o) + 1]);
        double largest = 0.0, total = 0.0;
        std::vector<double> balance(nodes_, 0.0);
        for (std::size_t k = b; k < e; ++k) {
            largest = std::max(largest, trips_.demand[k]);
            total += trips_.demand[k];
            balance[static_cast<std::size_t>(trips_.destination[k])] -= trips_.demand[k];
        }
        balance[static_cast<std::size_t>(o)] += total;
        const double eps = kFlowTolerance * largest;
        std::vector<std::uint8_t> in(links_, 0);
        for (std::size_t a = 0; a < links_; ++a) {
            if (!(w[a] >= 0.0) || !std::isfinite(w[a]))
                return false;
            if (w[a] <= eps)
                continue;
            if (closed(a))
                return false; // this origin used a link that is now closed
            in[a] = 1;
            balance[static_cast<std::size_t>(net_.init[a])] -= w[a];
            balance[static_cast<std::size_t>(net_.term[a])] += w[a];
        }
        for (const double imbalance : balance)
            if (std::abs(imbalance) > 1e-9 * std::max(total, 1.0))
                return false; // not the flows of this origin's demand
        in_bush_[r] = std::move(in);
        if (!try_topological_order(r))
            return false; // cyclic: not a bush
        bush_flow_[r].assign(links_, 0.0);
        flow_eps_[r] = eps;
        for (std::size_t a = 0; a < links_; ++a)
            if (in_bush_[r][a] != 0) {
                bush_flow_[r][a] = w[a];
                x_[a] += w[a];
                refresh(a);
            }
        return true;
    }

    /// Link flows as the sum of the bushes' flows in origin order (removes drift of the
    /// incremental updates and makes the flows independent of the update history's rounding).
    void recompute_link_flows() {
        std::fill(x_.begin(), x_.end(), 0.0);
        for (std::size_t r = 0; r < origins_.size(); ++r) {
            const auto& f = bush_flow_[r];
            for (std::size_t a = 0; a < links_; ++a)
                x_[a] += f[a];
        }
        for (std::size_t a = 0; a < links_; ++a)
            refresh(a);
    }

    /// Kahn's topological order of the nodes reachable in bush r, from its origin.
    void topological_order(std::size_t r) {
        if (!try_topological_order(r)) // a cycle: the bush update rules exclude this
            throw Error(ErrorCode::kInternal, "Algorithm B: bush of origin " +
                                                  std::to_string(origins_[r] + 1) +
                                                  " is not acyclic");
    }

    /// Same; false when some bush link cannot be ordered (a cycle, or a link out of a node the
    /// bush does not reach).
    bool try_topological_order(std::size_t r) {
        const auto& in = in_bush_[r];
        std::fill(indeg_.begin(), indeg_.end(), 0);
        for (std::size_t a = 0; a < links_; ++a)
            if (in[a] != 0)
                ++indeg_[static_cast<std::size_t>(net_.term[a])];
        order_.clear();
        order_.push_back(origins_[r]);
        for (std::size_t head = 0; head < order_.size(); ++head) {
            const auto u = static_cast<std::size_t>(order_[head]);
            for (auto k = static_cast<std::size_t>(net_.out.offsets[u]);
                 k < static_cast<std::size_t>(net_.out.offsets[u + 1]); ++k) {
                const auto a = static_cast<std::size_t>(net_.out.arc_ids[k]);
                if (in[a] == 0)
                    continue;
                const auto v = static_cast<std::size_t>(net_.out.heads[k]);
                if (--indeg_[v] == 0)
                    order_.push_back(static_cast<std::int32_t>(v));
            }
        }
        for (std::size_t n = 0; n < nodes_; ++n)
            if (indeg_[n] > 0)
                return false;
        return true;
    }

    /// Shortest (min_) and longest (max_) path labels over bush r in topological order. The
    /// longest path uses only links with flow when `used_only`, else every bush link.
    void labels(std::size_t r, bool used_only) {
        const auto& in = in_bush_[r];
        const auto& f = bush_flow_[r];
        const double eps = flow_eps_[r];
        std::fill(min_.begin(), min_.end(), kUnreachable);
        std::fill(max_.begin(), max_.end(), kUnreachable);
        for (const std::int32_t node : order_) {
            const auto j = static_cast<std::size_t>(node);
            min_pred_[j] = -1;
            max_pred_[j] = -1;
            if (node == origins_[static_cast<std::size_t>(r)]) {
                min_[j] = 0.0;
                max_[j] = 0.0;
                continue;
            }
            double lo = kUnreachable, hi = -kUnreachable;
            for (auto k = static_cast<std::size_t>(net_.in.offsets[j]);
                 k < static_cast<std::size_t>(net_.in.offsets[j + 1]); ++k) {
                const auto a = static_cast<std::size_t>(net_.in.arc_ids[k]);
                if (in[a] == 0)
                    continue;
                const auto i = static_cast<std::size_t>(net_.in.heads[k]);
                const double lc = min_[i] + c_[a];
                if (lc < lo) {
                    lo = lc;
                    min_pred_[j] = static_cast<std::int32_t>(a);
                }
                if (!used_only || f[a] > eps) {
                    const double hc = max_[i] + c_[a];
                    if (hc > hi) {
                        hi = hc;
                        max_pred_[j] = static_cast<std::int32_t>(a);
                    }
                }
            }
            min_[j] = lo;
            max_[j] = max_pred_[j] >= 0 ? hi : lo;
        }
    }

    /// Drops links without flow (except each node's shortest-path link, which keeps every node
    /// reachable) and adds every link (i, j) with U_i + c_ij < U_j, U the longest-path labels.
    /// Along bush links U strictly grows, and a new link goes from a lower to a higher U, so
    /// the bush stays acyclic (Dial 2006, sec. 4; the added links shorten the longest paths).
    void update_bush(std::size_t r) {
        auto& in = in_bush_[r];
        auto& f = bush_flow_[r];
        const double eps = flow_eps_[r];
        const std::int32_t origin = origins_[r];
        // The order saved at the end of the bush's last visit still holds: flow shifts never
        // add or remove bush links (and any topological order gives the same labels).
        if (bush_order_[r].empty())
            topological_order(r);
        else
            order_ = bush_order_[r];
        labels(r, false);
        for (std::size_t a = 0; a < links_; ++a) {
            if (in[a] == 0 || f[a] > eps)
                continue;
            if (f[a] != 0.0) { // a remnant of rounding, not flow: drop it
                x_[a] = std::max(0.0, x_[a] - f[a]);
                f[a] = 0.0;
                refresh(a);
            }
            if (min_pred_[static_cast<std::size_t>(net_.term[a])] != static_cast<std::int32_t>(a))
                in[a] = 0;
        }
        labels(r, false); // U over the links that remain; the topological order still holds
        for (std::size_t a = 0; a < links_; ++a) {
            if (in[a] != 0 || closed(a))
                continue;
            const std::int32_t i = net_.init[a], j = net_.term[a];
            if (j == origin || (i != origin && !net_.passable(i)))
                continue;
            const double ui = max_[static_cast<std::size_t>(i)];
            if (ui == kUnreachable)
                continue;
            if (ui + c_[a] < max_[static_cast<std::size_t>(j)])
                in[a] = 1;
        }
    }

    /// One flow-shifting pass over bush r (its topological order in order_). Returns whether
    /// any flow moved.
    bool equilibrate(std::size_t r) {
        labels(r, true);
        auto& f = bush_flow_[r];
        const double eps = flow_eps_[r];
        const std::int32_t origin = origins_[r];
        bool moved = false;
        for (auto it = order_.rbegin(); it != order_.rend(); ++it) {
            const auto j = static_cast<std::size_t>(*it);
            if (*it == origin || max_pred_[j] < 0)
                continue;
            // Labels are from the start of the pass; the step below uses current costs.
            if (!(max_[j] - min_[j] > kShiftTolerance * std::max(1.0, max_[j])))
                continue;
            // Mark the shortest path back to the origin, then follow the longest path back to
            // the first marked node: the two segments meet only at their ends.
            ++stamp_;
            for (auto v = j;;) {
                mark_[v] = stamp_;
                if (static_cast<std::int32_t>(v) == origin || min_pred_[v] < 0)
                    break;
                v = static_cast<std::size_t>(net_.init[static_cast<std::size_t>(min_pred_[v])]);
            }
            long_seg_.clear();
            std::size_t v = j;
            bool ok = true;
            do {
                const std::int32_t a = max_pred_[v];
                if (a < 0) {
                    ok = false; // a node whose inflow rounded to zero
                    break;
                }
                long_seg_.push_back(a);
                v = static_cast<std::size_t>(net_.init[static_cast<std::size_t>(a)]);
            } while (mark_[v] != stamp_);
            if (!ok)
                continue;
            const std::size_t divergence = v;
            double c_long = 0.0, d_long = 0.0, room = kUnreachable;
            for (const std::int32_t a : long_seg_) {
                const auto aa = static_cast<std::size_t>(a);
                c_long += c_[aa];
                d_long += d_[aa];
                room = std::min(room, f[aa]);
            }
            short_seg_.clear();
            double c_short = 0.0, d_short = 0.0;
            for (std::size_t w = j; w != divergence;) {
                const std::int32_t a = min_pred_[w];
                short_seg_.push_back(a);
                c_short += c_[static_cast<std::size_t>(a)];
                d_short += d_[static_cast<std::size_t>(a)];
                w = static_cast<std::size_t>(net_.init[static_cast<std::size_t>(a)]);
            }
            const double diff = c_long - c_short;
            if (!(diff > 0.0) || !(room > eps))
                continue;
            // Newton step on the cost difference (Dial 2006, eq. 7), capped by the flow there.
            const double denom = d_long + d_short;
            const double delta = denom > 0.0 ? std::min(diff / denom, room) : room;
            if (!(delta > 0.0))
                continue;
            for (const std::int32_t a : long_seg_) {
                const auto aa = static_cast<std::size_t>(a);
                // A remainder below the flow tolerance is rounding, not flow: it goes too,
                // else it would keep the link "used" and block later shifts.
                const double left = f[aa] - delta;
                const double removed = left <= eps ? f[aa] : delta;
                f[aa] -= removed;
                x_[aa] = std::max(0.0, x_[aa] - removed);
                refresh(aa);
            }
            for (const std::int32_t a : short_seg_) {
                const auto aa = static_cast<std::size_t>(a);
                f[aa] += delta;
                x_[aa] += delta;
                refresh(aa);
            }
            moved = true;
        }
        return moved;
    }

    static constexpr double kShiftTolerance = 1e-14;
    /// Bush flows at or below this times the origin's largest OD demand count as zero.
    static constexpr double kFlowTolerance = 1e-12;

    const AssignmentNetwork& net_;
    const TripTable& trips_;
    const AssignmentOptions& opt_;
    const CostModel& model_;
    std::vector<std::int32_t> origins_;
    std::size_t links_, nodes_;
    std::vector<double> x_, c_, d_;
    std::vector<std::vector<double>> bush_flow_;
    std::vector<std::vector<std::uint8_t>> in_bush_;
    std::vector<double> flow_eps_; ///< per origin: flows at or below are rounding remnants
    /// Per origin: its bush's topological order at the end of its last visit (empty: none yet).
    std::vector<std::vector<std::int32_t>> bush_order_;
    // Scratch
    std::vector<double> min_, max_;
    std::vector<std::int32_t> min_pred_, max_pred_, indeg_, order_, long_seg_, short_seg_;
    std::vector<std::uint32_t> mark_;
    std::uint32_t stamp_ = 0;
    ShortestPathTree tree_;
    ShortestPathWorkspace ws_;
};

} // namespace

std::vector<double> link_costs(const AssignmentNetwork& net, std::span<const double> flow,
                               double toll_factor, double distance_factor) {
    const CostModel model(net, toll_factor, distance_factor);
    std::vector<double> c(static_cast<std::size_t>(net.link_count()));
    for (std::size_t a = 0; a < c.size(); ++a)
        c[a] = model.cost(a, flow[a]);
    return c;
}

GapReport evaluate_flows(const AssignmentNetwork& net, const TripTable& trips,
                         std::span<const double> flow, const AssignmentOptions& options) {
    check_inputs(net, trips, options);
    if (flow.size() != static_cast<std::size_t>(net.link_count()))
        throw Error(ErrorCode::kInconsistent, "flow vector size does not match the links");
    const CostModel model(net, options.toll_factor, options.distance_factor);
    return evaluate(net, trips, model, flow, options.closed);
}

AllOrNothingLoad all_or_nothing_assignment(const AssignmentNetwork& net, const TripTable& trips,
                                           std::span<const double> link_cost,
                                           std::span<const std::uint8_t> closed) {
    const auto links = static_cast<std::size_t>(net.link_count());
    if (link_cost.size() != links || (!closed.empty() && closed.size() != links))
        throw Error(ErrorCode::kInconsistent, "all-or-nothing: cost or closure vector size does "
                                              "not match the links");
    check_inputs(net, trips, AssignmentOptions{});
    AllOrNothingLoad load;
    load.flow.assign(links, 0.0);
    all_or_nothing(net, trips, link_cost, closed, load.flow, load.sptt, load.unreachable_demand);
    return load;
}

AssignmentResult assign_traffic(const AssignmentNetwork& net, const TripTable& trips,
                                const AssignmentOptions& options) {
    check_inputs(net, trips, options);
    const auto t0 = Clock::now();
    const CostModel model(net, options.toll_factor, options.distance_factor);
    AssignmentResult res;
    if (options.algorithm == AssignmentAlgorithm::kFrankWolfe) {
        res = solve_frank_wolfe(net, trips, options, model, t0);
    } else {
        AlgorithmB solver(net, trips, options, model);
        res = solver.run(t0);
    }
    const GapReport g = evaluate(net, trips, model, res.flow, options.closed);
    res.cost = link_costs(net, res.flow, options.toll_factor, options.distance_factor);
    res.relative_gap = g.relative_gap;
    res.tstt = g.tstt;
    res.sptt = g.sptt;
    res.beckmann = g.beckmann;
    res.unreachable_demand = g.unreachable_demand;
    res.assigned_demand = trips.total() - g.unreachable_demand;
    res.seconds = seconds_since(t0);
    return res;
}

} // namespace rencheng::transport
