// Rainfall-dependent infiltration and inflow (RDII) by the RTK unit-hydrograph method, as EPA
// SWMM 5.2 computes it ([HYDROGRAPHS], [RDII]; Reference Manual Vol. I §3.4 and User's Manual
// "Unit Hydrographs"). Each unit hydrograph group has up to three triangular unit hydrographs
// (short, medium and long term response) per month: R, the fraction of rainfall that enters the
// sewer; T, the time to peak; K, the ratio of recession time to T. Rainfall, less what an
// initial abstraction holds back, is convolved with each triangle; the group's flow per unit
// area times a node's sewershed area is the node's RDII inflow. SI throughout: m, s, m/s, m³.
#pragma once

#include <array>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

namespace rencheng::drainage {

struct Network;

/// The RDII inflow of every [RDII] node over a whole run, computed up front on SWMM's RDII step
/// (the runoff wet step) and held constant over each step, as SWMM's RDII interface file holds it.
class RdiiInflows {
public:
    /// `rain_ms(g, t)`: rain gage g's rainfall intensity at t s from the start (m/s);
    /// `month0(t)`: the calendar month (0..11) at t. `rdii_step_s`: the runoff wet step;
    /// `duration_s`: the simulated duration. The network's unit hydrograph groups must each have
    /// a rain gage (the reader makes sure).
    RdiiInflows(const Network& net, double rdii_step_s, double duration_s,
                const std::function<double(int, double)>& rain_ms,
                const std::function<int(double)>& month0);

    /// The inflows of an RDII interface file ([FILES] USE RDII), instead of computed: SWMM's
    /// binary file (its nodes by SWMM's numbers, Network::swmm_node_order; flows in cfs as
    /// 4-byte floats) or its text form (node names, flows in the units it names). Each value
    /// holds for the file's time step from its time; there is none between. Every node of the
    /// file must have an [RDII] line (binary) or be in the network (text), as SWMM demands.
    /// Throws rencheng::Error naming the file (and the line of a text file) when it is not one.
    static RdiiInflows read_file(const Network& net, const std::filesystem::path& path);
    /// Same, from the file's bytes; `file` names it in errors.
    static RdiiInflows read_bytes(const Network& net, const std::string& bytes,
                                  const std::string& file);
    /// Writes the computed inflows as SWMM writes its RDII file ([FILES] SAVE RDII, rdii.c
    /// createRdiiFile): "SWMM5-RDII", the RDII step and the number of RDII nodes (4-byte
    /// integers), their SWMM node numbers, then for every step with an inflow anywhere its date
    /// (SWMM's 8-byte day number) and each node's flow in cfs (4-byte floats). Written to a
    /// temporary file renamed over `path`; throws Error(kWriteFailed) on failure.
    void write_file(const Network& net, const std::filesystem::path& path) const;
    /// Read from a file (no rainfall, no RDII produced: SWMM reports neither then).
    bool from_file() const { return !file_node_.empty(); }
    bool empty() const { return nodes_.empty() && file_node_.empty(); }
    /// Calls add(node, q) with every RDII node's inflow q (m³/s) during the step beginning at t
    /// and returns their sum.
    double add_inflows(double t, const std::function<void(int, double)>& add) const;
    /// Rain that fell on the sewersheds (their areas times the gage depths), m³ (SWMM's
    /// "Sewershed Rainfall").
    double sewershed_rain_m3() const { return rain_m3_; }
    /// RDII produced over the run, m³ (SWMM's "RDII Produced").
    double rdii_produced_m3() const { return rdii_m3_; }
    /// The step over which each RDII value holds, s.
    double step_s() const { return step_s_; }

private:
    struct NodeInflow {
        std::int32_t node = -1;
        std::int32_t group = -1;
        double area_m2 = 0;
    };
    double flow_m3s(const NodeInflow& n, std::size_t k) const;

    RdiiInflows() = default;
    std::vector<NodeInflow> nodes_;
    std::vector<std::vector<double>> group_rdii_ms_; ///< per group, per RDII step: m/s
    /// From a file: its nodes, the times its values start (s from the simulation start) and the
    /// values, m³/s [time][node].
    std::vector<std::int32_t> file_node_;
    std::vector<double> file_time_s_, file_flow_m3s_;
    double step_s_ = 0;
    double rain_m3_ = 0, rdii_m3_ = 0;
};

} // namespace rencheng::drainage
