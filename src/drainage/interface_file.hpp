// SWMM 5.2's routing interface files ([FILES] SAVE OUTFLOWS / USE INFLOWS; User's Manual,
// Interface Files): the flows leaving one model's outlets, written at every report time, become
// external inflows at the nodes of the same names in another model. A text file: the line
// "SWMM5 Interface File", a title, the report step in seconds, the number of constituents and
// one line per constituent ("FLOW units" first, then pollutants with their units), the number of
// nodes and one name per line, a column heading, then per report time one line per node:
// `node year month day hour minute second flow [concentrations]`. Concentrations are in the
// pollutant's units per litre (as SWMM's Node newQual), matched to a model's pollutants by name.
// SI inside.
#pragma once

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

namespace rencheng::drainage {

struct Network;
struct Pollutant;

/// The content of a SWMM text interface file (routing, or RDII in its text form): its time step,
/// its nodes in the file's order (network node, -1 where the network has none; and the names
/// as written), and per time in the file each node's flow (m³/s).
struct InterfaceText {
    long step_s = 0;
    std::vector<std::int32_t> node;
    std::vector<std::string> name;
    std::vector<double> time_s;   ///< s from the simulation start, increasing
    std::vector<double> flow_m3s; ///< [time][node column]
    /// The file's pollutants (the constituents after FLOW) and their units words (MG/L, UG/L, #/L).
    std::vector<std::string> pollutant, pollutant_units;
    /// [time][node column][pollutant column]: concentrations, the pollutant's units per litre.
    std::vector<double> quality;
};

/// Parses `text` (`file` names it in errors, `kind` in messages: "routing", "RDII"). Throws
/// rencheng::Error naming the file and line of a malformed line (a line short of its
/// concentrations included).
InterfaceText parse_interface_text(const Network& net, const std::string& text,
                                   const std::string& file, const char* kind);

/// The inflows of a USE INFLOWS file, matched to the network's nodes.
class RoutingInflows {
public:
    /// Reads `path` (SWMM's routing interface format). Nodes the network does not have are
    /// skipped, as SWMM skips them; pollutant columns are kept for match_pollutants(). Throws
    /// rencheng::Error naming the file and line of a malformed line, and naming the file when it
    /// carries pollutants but the model has no [POLLUTANTS] (SWMM 5.2.4's error 353).
    RoutingInflows(const Network& net, const std::filesystem::path& path);
    /// Same, from the file's text; `file` names it in errors.
    RoutingInflows(const Network& net, const std::string& text, const std::string& file);

    /// Matches the file's pollutants to the model's `pollutants` by name (SWMM
    /// getIfaceFilePolluts): a model pollutant the file lacks comes in at no concentration, a
    /// file pollutant the model lacks is passed over. Throws rencheng::Error naming the file when
    /// a pollutant's units differ from the model's (SWMM error 'the ... routing interface file
    /// does not match').
    void match_pollutants(const std::vector<Pollutant>& pollutants);

    /// Calls add(node, q) with each node's inflow (m³/s) at t s from the simulation start:
    /// interpolated between the file's two times around t, none before its first time or after
    /// its last (SWMM iface_getNumIfaceNodes). Returns their sum. Where `add` also takes a
    /// `const std::vector<double>&`, it gets the concentrations of the model's pollutants (units
    /// per litre; per match_pollutants(), interpolated as the flow is: SWMM iface_getIfaceQual).
    template <class Add> double add_inflows(double t, Add&& add) const;

private:
    std::string file_;
    std::vector<std::int32_t> node_; ///< per file column: network node, -1: not in the network
    std::vector<double> time_s_;     ///< report times, s from the simulation start
    std::vector<double> flow_m3s_;   ///< [time][column]
    std::vector<std::string> pollutant_, pollutant_units_; ///< the file's pollutants
    std::vector<double> quality_;                          ///< [time][column][file pollutant]
    std::vector<int> column_of_; ///< per model pollutant: its file pollutant, -1: none
};

/// Collects a model's outlet flows at its report times and writes them as a SAVE OUTFLOWS file.
class RoutingOutflows {
public:
    /// Outlets: outfalls under dynamic wave, nodes without an outflowing link otherwise (SWMM
    /// isOutletNode).
    RoutingOutflows(const Network& net, bool dynamic_wave, double report_step_s);
    /// One report time: each outlet's total inflow (m³/s) from `inflow_m3s` (per node) and,
    /// once pollutants are set, its concentrations from `quality` (`[node * pollutants + p]`,
    /// units per litre, SWMM's Node newQual).
    void record(double t_s, const std::vector<double>& inflow_m3s,
                const std::vector<double>& quality = {});
    /// The model's pollutants, written as constituents after FLOW (SWMM openFileForOutput);
    /// `initial` (`[node * pollutants + p]`) gives the concentrations of times recorded before.
    void set_pollutants(const std::vector<Pollutant>& pollutants,
                        const std::vector<double>& initial);
    /// Writes the file atomically (write-then-rename). Throws Error(kWriteFailed) on failure.
    void write(const std::filesystem::path& path) const;

private:
    const Network& net_;
    std::vector<std::int32_t> outlets_;
    double report_step_s_ = 0;
    std::vector<std::string> pollutant_lines_, pollutant_ids_; ///< "ID UNITS", and the IDs
    std::vector<double> time_s_;
    std::vector<double> values_; ///< [time][outlet][flow, concentrations]
};

template <class Add> double RoutingInflows::add_inflows(double t, Add&& add) const {
    if (time_s_.empty() || t < time_s_.front() || t > time_s_.back())
        return 0.0;
    // time_s_[k] <= t <= time_s_[k + 1]
    auto it = std::upper_bound(time_s_.begin(), time_s_.end(), t);
    std::size_t k = static_cast<std::size_t>(it - time_s_.begin());
    k = k > 0 ? k - 1 : 0;
    const std::size_t n = node_.size();
    const double span = k + 1 < time_s_.size() ? time_s_[k + 1] - time_s_[k] : 0.0;
    const double f = span > 0 ? (t - time_s_[k]) / span : 0.0;
    const std::size_t k2 = k + 1 < time_s_.size() ? k + 1 : k;
    double sum = 0;
    const std::size_t nf = pollutant_.size();
    std::vector<double> conc(column_of_.size(), 0.0);
    for (std::size_t c = 0; c < n; ++c) {
        if (node_[c] < 0)
            continue;
        const double q = (1.0 - f) * flow_m3s_[k * n + c] + f * flow_m3s_[k2 * n + c];
        if constexpr (std::is_invocable_v<Add&, std::int32_t, double, const std::vector<double>&>) {
            for (std::size_t p = 0; p < column_of_.size(); ++p) {
                const int x = column_of_[p];
                conc[p] =
                    x < 0 ? 0.0
                          : (1.0 - f) * quality_[(k * n + c) * nf + static_cast<std::size_t>(x)] +
                                f * quality_[(k2 * n + c) * nf + static_cast<std::size_t>(x)];
            }
            add(node_[c], q, static_cast<const std::vector<double>&>(conc));
        } else {
            add(node_[c], q);
        }
        sum += q;
    }
    return sum;
}

} // namespace rencheng::drainage
