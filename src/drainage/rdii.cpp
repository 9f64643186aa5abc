#include "drainage/rdii.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <string>

#include "core/atomic_file.hpp"
#include "core/error.hpp"
#include "drainage/interface_file.hpp"
#include "drainage/network.hpp"
#include "drainage/routing.hpp"

namespace rencheng::drainage {

using namespace swmm_si;

namespace {

/// SWMM's smallest RDII inflow of a node (rdii.c ZERO_RDII, 0.0001 cfs): below it, none.
constexpr double kZeroRdii = 0.0001 * kCfs;

/// One triangular unit hydrograph of one month. Times in whole seconds, truncated from the
/// hours written as SWMM truncates them (setUnitHydParams), so that the rain interval and the
/// ordinates come out on SWMM's seconds.
struct Triangle {
    double r = 0;
    std::int64_t t_peak_s = 0, t_base_s = 0;
    double ia_max_m = 0, ia_recovery_ms = 0, ia_init_m = 0;

    /// Ordinate at t after the rain, 1/s: a triangle of unit area over the base time.
    double ordinate(double t) const {
        const auto base = static_cast<double>(t_base_s);
        if (t >= base)
            return 0.0;
        const auto peak = static_cast<double>(t_peak_s);
        const double f = t <= peak ? t / peak : 1.0 - (t - peak) / (base - peak);
        return std::max(f, 0.0) * 2.0 / base;
    }
};

using MonthTable = std::array<std::array<Triangle, 3>, 12>; // [month][short, medium, long]

MonthTable month_table(const UnitHydrograph& uh) {
    MonthTable table{};
    // lines apply in file order: a month's line after an ALL line overrides it, and the reverse
    for (const auto& p : uh.params) {
        Triangle tri;
        tri.r = p.r;
        const double t_h = p.t_s / units::kHour;
        tri.t_peak_s = static_cast<std::int64_t>(t_h * 3600.0);
        tri.t_base_s = static_cast<std::int64_t>(t_h * (1.0 + p.k) * 3600.0);
        tri.ia_max_m = p.dmax_m;
        tri.ia_recovery_ms = p.drecov_ms;
        tri.ia_init_m = p.dinit_m;
        const int first = p.month == 0 ? 0 : p.month - 1;
        const int last = p.month == 0 ? 11 : p.month - 1;
        for (int m = first; m <= last; ++m)
            table[static_cast<std::size_t>(m)][static_cast<std::size_t>(p.response)] = tri;
    }
    return table;
}

/// The past rainfall excess that one triangle of a group convolves: a ring of the last
/// `periods` rain intervals, each with the month whose parameters apply to it.
struct ResponseState {
    std::vector<double> excess_m;
    std::vector<std::uint8_t> month;
    std::size_t next = 0; ///< slot of the next interval
    std::size_t dry = 0;  ///< intervals in a row without excess
    double ia_used_m = 0; ///< initial abstraction filled
};

} // namespace

RdiiInflows::RdiiInflows(const Network& net, double rdii_step_s, double duration_s,
                         const std::function<double(int, double)>& rain_ms,
                         const std::function<int(double)>& month0) {
    const auto step = std::max<std::int64_t>(1, std::llround(rdii_step_s));
    step_s_ = static_cast<double>(step);
    const auto n_groups = net.hydrographs.size();
    std::vector<double> group_area(n_groups, 0.0);
    std::vector<char> group_used(n_groups, 0);
    {
        // a node listed twice keeps its last line (SWMM rdii_readRdiiInflow)
        std::vector<std::int32_t> slot(static_cast<std::size_t>(net.node_count()), -1);
        for (const auto& r : net.rdii) {
            const NodeInflow in{static_cast<std::int32_t>(r.node.idx()),
                                static_cast<std::int32_t>(r.hydrograph.idx()), r.sewer_area_m2};
            auto& s = slot[r.node.idx()];
            if (s < 0) {
                s = static_cast<std::int32_t>(nodes_.size());
                nodes_.push_back(in);
            } else {
                nodes_[static_cast<std::size_t>(s)] = in;
            }
        }
        for (const auto& in : nodes_) {
            group_area[static_cast<std::size_t>(in.group)] += in.area_m2;
            group_used[static_cast<std::size_t>(in.group)] = 1;
        }
    }
    const auto n_steps =
        static_cast<std::size_t>(std::floor(std::max(duration_s, 0.0) / step_s_ + 1e-9)) +
        1; // steps at 0, S, 2S, … up to the end
    group_rdii_ms_.assign(n_groups, {});
    const int start_month = month0(0.0);
    for (std::size_t j = 0; j < n_groups; ++j) {
        if (!group_used[j])
            continue; // no node takes this group's RDII
        const auto& uh = net.hydrographs[j];
        const MonthTable table = month_table(uh);
        // The rain interval: the RDII step, shortened to the shortest rising or falling limb of
        // the group's triangles (SWMM getRainInterval).
        std::int64_t interval = step;
        for (const auto& month : table)
            for (const auto& tri : month)
                if (tri.t_peak_s > 0) {
                    interval = std::min(interval, tri.t_peak_s);
                    const std::int64_t fall = tri.t_base_s - tri.t_peak_s;
                    if (fall > 0)
                        interval = std::min(interval, fall);
                }
        const auto ri = static_cast<double>(interval);
        // The run's rain intervals, and one more: a ring as long holds every interval the run
        // has, so a longer one (a base time longer than the run) would convolve the same sum.
        const auto run_intervals =
            (static_cast<std::int64_t>(n_steps - 1) * step + interval - 1) / interval + 2;
        std::array<ResponseState, 3> state;
        for (std::size_t k = 0; k < 3; ++k) {
            std::int64_t periods = 0;
            for (const auto& month : table)
                periods = std::max(periods, month[k].t_base_s / interval + 1);
            periods = std::min(periods, run_intervals);
            state[k].excess_m.assign(static_cast<std::size_t>(periods), 0.0);
            state[k].month.assign(static_cast<std::size_t>(periods), 0);
            state[k].dry = static_cast<std::size_t>(periods);
            state[k].ia_used_m = table[static_cast<std::size_t>(start_month)][k].ia_init_m;
        }
        const int gage = static_cast<int>(uh.gage.idx());
        auto& out = group_rdii_ms_[j];
        out.assign(n_steps, 0.0);
        std::int64_t rain_t = 0; // start of the next rain interval
        std::int64_t computed_to = 0;
        double rdii = 0;
        for (std::size_t s = 0; s < n_steps; ++s) {
            const auto now = static_cast<std::int64_t>(s) * step;
            // the rain intervals that began before now, through the initial abstraction into
            // each triangle's past rainfall
            while (rain_t < now) {
                const auto t = static_cast<double>(rain_t);
                const int m = month0(t);
                const double depth = rain_ms(gage, t) * ri;
                rain_m3_ += depth * group_area[j];
                for (std::size_t k = 0; k < 3; ++k) {
                    const Triangle& tri = table[static_cast<std::size_t>(m)][k];
                    auto& st = state[k];
                    if (st.excess_m.empty())
                        continue;
                    double excess = 0;
                    if (depth > 0) {
                        const double room = std::max(tri.ia_max_m - st.ia_used_m, 0.0);
                        excess = std::max(depth - room, 0.0);
                        st.ia_used_m += depth - excess;
                    } else {
                        st.ia_used_m = std::max(st.ia_used_m - ri * tri.ia_recovery_ms, 0.0);
                    }
                    st.excess_m[st.next] = excess;
                    st.month[st.next] = static_cast<std::uint8_t>(m);
                    st.next = (st.next + 1) % st.excess_m.size();
                    st.dry = excess > 0 ? 0 : st.dry + 1;
                }
                rain_t += interval;
            }
            // the convolution, once the rain has caught up with the RDII clock (SWMM
            // getUnitHydRdii: between, the last value holds)
            if (now >= computed_to) {
                computed_to = rain_t;
                rdii = 0;
                for (std::size_t k = 0; k < 3; ++k) {
                    const auto& st = state[k];
                    const std::size_t periods = st.excess_m.size();
                    if (st.dry >= periods)
                        continue; // all past intervals dry
                    std::size_t i = st.next;
                    for (std::size_t p = 1; p < periods; ++p) {
                        i = i == 0 ? periods - 1 : i - 1; // the p-th most recent interval
                        const double v = st.excess_m[i];
                        if (v <= 0)
                            continue;
                        const Triangle& tri = table[st.month[i]][k];
                        rdii += tri.r * tri.ordinate((static_cast<double>(p) - 0.5) * ri) * v;
                    }
                }
            }
            out[s] = rdii;
        }
    }
    for (std::size_t s = 0; s < n_steps; ++s)
        for (const auto& n : nodes_)
            rdii_m3_ += flow_m3s(n, s) * step_s_;
}

namespace {

/// The stamp that opens SWMM's binary RDII file (rdii.c FILE_STAMP).
constexpr std::string_view kRdiiStamp = "SWMM5-RDII";

/// m³/s per cfs of SWMM's internal flows in a model of `u` units: SWMM converts with its own
/// factors per cfs (swmm_flow_units_per_cfs), and those are the model's flows as SWMM reports
/// them.
double swmm_cfs(FlowUnits u) {
    return swmm_flow_units_per_cfs(u) * flow_factor(u);
}

} // namespace

RdiiInflows RdiiInflows::read_file(const Network& net, const std::filesystem::path& path) {
    return read_bytes(net, rencheng::read_file(path), path.string());
}

RdiiInflows RdiiInflows::read_bytes(const Network& net, const std::string& bytes,
                                    const std::string& file) {
    RdiiInflows r;
    const auto fail = [&](const std::string& what) {
        throw Error(ErrorCode::kNumberSyntax, file + ": RDII interface file: " + what);
    };
    const Seconds base = seconds_since_epoch(net.options.start);
    if (bytes.compare(0, kRdiiStamp.size(), kRdiiStamp) != 0) {
        // the text form (SWMM readRdiiTextFileHeader): the routing interface file's layout
        InterfaceText t = parse_interface_text(net, bytes, file, "RDII");
        for (std::size_t c = 0; c < t.node.size(); ++c)
            if (t.node[c] < 0)
                fail("node '" + t.name[c] + "' is not in the network");
        if (t.time_s.empty())
            fail("it has no flows");
        for (const double q : t.flow_m3s)
            if (!std::isfinite(q))
                fail("a flow is not a number");
        r.step_s_ = static_cast<double>(t.step_s);
        r.file_node_ = std::move(t.node);
        r.file_time_s_ = std::move(t.time_s);
        r.file_flow_m3s_ = std::move(t.flow_m3s);
        return r;
    }
    std::size_t pos = kRdiiStamp.size();
    const auto take = [&](void* out, std::size_t n) {
        if (pos + n > bytes.size())
            return false;
        std::memcpy(out, bytes.data() + pos, n);
        pos += n;
        return true;
    };
    std::int32_t step = 0, count = 0;
    if (!take(&step, sizeof step) || step <= 0)
        fail("its RDII time step must be > 0");
    if (!take(&count, sizeof count) || count <= 0 || count > net.node_count())
        fail("its number of nodes must be 1 to the network's " + std::to_string(net.node_count()));
    std::vector<char> has_rdii(static_cast<std::size_t>(net.node_count()), 0);
    for (const auto& line : net.rdii)
        has_rdii[line.node.idx()] = 1;
    for (std::int32_t c = 0; c < count; ++c) {
        std::int32_t j = -1;
        if (!take(&j, sizeof j))
            fail("it ends in its list of nodes");
        const std::int32_t node = net.node_of_swmm_number(j);
        if (node < 0)
            fail("node number " + std::to_string(j) + " is not one of the network's 0.." +
                 std::to_string(net.node_count() - 1));
        if (has_rdii[static_cast<std::size_t>(node)] == 0)
            fail("node '" + net.node_id[static_cast<std::size_t>(node)] + "' (SWMM's node " +
                 std::to_string(j) + ") has no [RDII] line");
        r.file_node_.push_back(node);
    }
    r.step_s_ = static_cast<double>(step);
    const double to_si = swmm_cfs(net.options.flow_units);
    std::vector<float> flows(static_cast<std::size_t>(count));
    while (pos < bytes.size()) {
        double day = 0;
        if (!take(&day, sizeof day) || !take(flows.data(), flows.size() * sizeof(float)))
            fail("its record " + std::to_string(r.file_time_s_.size() + 1) + " ends early");
        const double t = std::round((day * 86400.0 - static_cast<double>(base)) * 1000.0) / 1000.0;
        if (!std::isfinite(t) || (!r.file_time_s_.empty() && t <= r.file_time_s_.back()))
            fail("its record " + std::to_string(r.file_time_s_.size() + 1) +
                 " does not come after the one before");
        r.file_time_s_.push_back(t);
        for (const float q : flows) {
            if (!std::isfinite(q))
                fail("its record " + std::to_string(r.file_time_s_.size()) +
                     " has a flow that is not a number");
            r.file_flow_m3s_.push_back(static_cast<double>(q) * to_si);
        }
    }
    if (r.file_time_s_.empty())
        fail("it has no flows");
    return r;
}

void RdiiInflows::write_file(const Network& net, const std::filesystem::path& path) const {
    // SWMM writes its RDII nodes in the order of their node numbers
    std::vector<std::int32_t> number(static_cast<std::size_t>(net.node_count()));
    for (std::int32_t j = 0; j < net.node_count(); ++j)
        number[static_cast<std::size_t>(net.node_of_swmm_number(j))] = j;
    std::vector<const NodeInflow*> order;
    for (const auto& n : nodes_)
        order.push_back(&n);
    std::sort(order.begin(), order.end(), [&](const NodeInflow* a, const NodeInflow* b) {
        return number[static_cast<std::size_t>(a->node)] <
               number[static_cast<std::size_t>(b->node)];
    });
    std::string out(kRdiiStamp);
    const auto put = [&](const void* p, std::size_t n) {
        out.append(static_cast<const char*>(p), n);
    };
    const auto step = static_cast<std::int32_t>(step_s_);
    const auto count = static_cast<std::int32_t>(order.size());
    put(&step, sizeof step);
    put(&count, sizeof count);
    for (const NodeInflow* n : order)
        put(&number[static_cast<std::size_t>(n->node)], sizeof(std::int32_t));
    const double to_cfs = 1.0 / swmm_cfs(net.options.flow_units);
    // SWMM's date of the start: whole days plus the time of day as a fraction of one
    const Seconds start = seconds_since_epoch(net.options.start);
    const double start_day = swmm_day_number(start);
    const std::size_t steps = group_rdii_ms_.empty() ? 0 : group_rdii_ms_.front().size();
    std::vector<float> flows(order.size());
    for (std::size_t k = 0; k < steps; ++k) {
        bool any = false;
        for (std::size_t c = 0; c < order.size(); ++c) {
            const double q = flow_m3s(*order[c], k);
            flows[c] = static_cast<float>(q * to_cfs);
            any = any || q > 0;
        }
        if (!any)
            continue; // SWMM writes the steps with an inflow somewhere
        const double day = start_day + static_cast<double>(k) * step_s_ / 86400.0;
        put(&day, sizeof day);
        put(flows.data(), flows.size() * sizeof(float));
    }
    write_file_atomic(path, out);
}

double RdiiInflows::flow_m3s(const NodeInflow& n, std::size_t k) const {
    const auto& series = group_rdii_ms_[static_cast<std::size_t>(n.group)];
    if (k >= series.size())
        return 0.0;
    const double q = series[k] * n.area_m2;
    return q < kZeroRdii ? 0.0 : q;
}

double RdiiInflows::add_inflows(double t, const std::function<void(int, double)>& add) const {
    if (from_file()) {
        // the record whose step holds 1 ms after t (SWMM rdii_getNumRdiiFlows); none in a gap
        const double at = t + 0.001;
        const auto it = std::upper_bound(file_time_s_.begin(), file_time_s_.end(), at);
        if (it == file_time_s_.begin() || at >= *(it - 1) + step_s_)
            return 0.0;
        const auto k = static_cast<std::size_t>(it - file_time_s_.begin() - 1);
        const std::size_t n = file_node_.size();
        double sum = 0;
        for (std::size_t c = 0; c < n; ++c) {
            const double q = file_flow_m3s_[k * n + c];
            if (std::abs(q) < kFlowTolerance)
                continue;
            add(file_node_[c], q);
            sum += q;
        }
        return sum;
    }
    if (nodes_.empty() || t < 0)
        return 0.0;
    // the value in force 1 ms after t (SWMM getDateTime): a step starting on an RDII time
    // takes that time's value
    const auto k = static_cast<std::size_t>(std::floor((t + 0.001) / step_s_));
    double sum = 0;
    for (const auto& n : nodes_) {
        const double q = flow_m3s(n, k);
        if (q < kFlowTolerance)
            continue;
        add(n.node, q);
        sum += q;
    }
    return sum;
}

} // namespace rencheng::drainage
