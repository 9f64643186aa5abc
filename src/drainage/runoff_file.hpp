// SWMM 5.2's runoff interface files ([FILES] SAVE RUNOFF / USE RUNOFF; User's Manual, Interface
// Files): the results of every runoff step of one run, so that later runs route them without
// computing the runoff again (one hydrology, many pipe layouts). A binary file: the stamp
// "SWMM5-RUNOFF", the numbers of subcatchments and pollutants, the flow units code and the number
// of steps as 4-byte integers; then per runoff step its length in seconds (a 4-byte float) and per
// subcatchment 8 + pollutants 4-byte floats in the model's own units: rainfall (in/h or mm/h),
// snow depth (in or mm), evaporation (in/day or mm/day), infiltration (in/h or mm/h), runoff
// (flow units), groundwater flow (flow units), water table elevation (ft or m), upper-zone
// moisture, then the pollutants' washoff concentrations (the pollutant's units per litre, none
// where the runoff is none). SI inside.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace rencheng::drainage {

struct Network;

/// One subcatchment's results over a runoff step, SI.
struct RunoffStepResult {
    double rain_ms = 0;         ///< rainfall rate on the step
    double snow_depth_m = 0;    ///< snow depth (water equivalent) at the step's end
    double evap_ms = 0;         ///< evaporation over the whole area, mean rate on the step
    double infil_ms = 0;        ///< infiltration over the whole area, mean rate on the step
    double runoff_m3s = 0;      ///< outflow at the step's end (LID drains included)
    double groundwater_m3s = 0; ///< aquifer outflow to its node at the step's end
    double water_table_m = 0;   ///< water table elevation (0 without an aquifer)
    double upper_moisture = 0;  ///< upper-zone moisture content (0 without an aquifer)
};

/// The runoff steps of a runoff interface file.
class RunoffFile {
public:
    /// Values per subcatchment and step before the pollutants' concentrations.
    static constexpr std::size_t kValues = 8;

    /// An empty file for `net` (its subcatchments and pollutants), to add steps to.
    explicit RunoffFile(const Network& net);

    /// Reads `path`: the network must have the file's numbers of subcatchments and pollutants
    /// and its flow units (SWMM's rule). Throws rencheng::Error naming the file and what is
    /// wrong: a missing stamp, a count that differs, no steps, a file whose length is not its
    /// steps', a step that is not positive or a value that is not a number.
    static RunoffFile read_file(const Network& net, const std::filesystem::path& path);
    /// Same, from the file's bytes; `file` names it in errors.
    static RunoffFile read_bytes(const Network& net, const std::string& bytes,
                                 const std::string& file);

    /// Appends a step of `step_s` seconds with each subcatchment's results (network order) and
    /// washoff concentrations `washoff` (`[subcatchment * pollutants + p]`, the pollutant's units
    /// per litre, SWMM's Subcatch newQual); an empty `washoff` writes zeros (water quality not
    /// simulated, as SWMM with IGNORE_QUALITY).
    void add_step(double step_s, const std::vector<RunoffStepResult>& results,
                  const std::vector<double>& washoff = {});
    /// The file's bytes (SWMM's layout).
    [[nodiscard]] std::string to_bytes() const;
    /// Writes to_bytes() to `path` (a temporary file, then renamed).
    void write_file(const std::filesystem::path& path) const;

    [[nodiscard]] std::size_t step_count() const { return step_s_.size(); }
    [[nodiscard]] double step_s(std::size_t k) const { return step_s_[k]; }
    /// Subcatchment i's results on step k, SI.
    [[nodiscard]] RunoffStepResult result(std::size_t k, std::size_t i) const;
    /// The number of pollutants the file carries.
    [[nodiscard]] std::size_t pollutant_count() const { return pollutants_; }
    /// Subcatchment i's washoff concentration of pollutant p on step k, the pollutant's units
    /// per litre (as written).
    [[nodiscard]] double washoff(std::size_t k, std::size_t i, std::size_t p) const {
        return static_cast<double>(
            values_[(k * static_cast<std::size_t>(subcatchments_) + i) * width() + kValues + p]);
    }

private:
    RunoffFile() = default;
    [[nodiscard]] std::size_t width() const { return kValues + pollutants_; }

    std::int32_t subcatchments_ = 0;
    std::size_t pollutants_ = 0;
    std::int32_t flow_units_ = 0;
    bool si_ = false;
    double flow_m3s_ = 1; ///< m³/s in one flow unit
    std::vector<float> step_s_;
    std::vector<float> values_; ///< [step][subcatchment][value], as in the file
};

} // namespace rencheng::drainage
