// Accessibility on the road network: nearest-facility travel times (multi-source Dijkstra),
// population within a time threshold, nodes cut off, emergency-vehicle response times.
#pragma once

#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"
#include "transport/shortest_path.hpp"
#include "transport/tntp.hpp"

namespace rencheng::transport {

/// A value per network node read from a CSV file (facilities, population, shelters …).
struct NodeValue {
    std::int32_t node = -1; ///< 0-based node index
    double value = 0.0;
    std::string name; ///< the optional `name` column, else ""
    int line = 0;     ///< line in the file
};

/// Reads a CSV with a header: column `node` (required, TNTP node number 1..N) and, when
/// `value_column` is not empty, that column (required, a finite number >= 0); an optional
/// `name` column. A node listed twice is an error (kDuplicateId). Every problem goes to `diags`
/// with file, line, column and field.
std::vector<NodeValue> parse_node_values_csv(std::string_view text, const std::string& file,
                                             std::int32_t node_count, std::string_view value_column,
                                             Diagnostics& diags);
std::vector<NodeValue> read_node_values_csv(const std::filesystem::path& path,
                                            std::int32_t node_count, std::string_view value_column,
                                            Diagnostics& diags);

/// Labels of a multi-source search: `time[n]` (network time unit) and the source reached
/// (`source[n]`, an index into the sources given; -1 when cut off).
struct MultiSourceLabels {
    std::vector<double> time;
    std::vector<std::int32_t> source;
};

/// Travel time FROM every node TO its nearest source (e.g. people to the nearest hospital):
/// Dijkstra from all sources at once on the reverse graph. `link_time` >= 0 per link
/// (free-flow times, or congested costs from an assignment); closed links are skipped. The
/// centroid rule of <FIRST THRU NODE> holds: no path passes through a zone below it (a source
/// or the starting node may be one). Ties between sources go to the lower source index.
MultiSourceLabels nearest_source_times_to(const AssignmentNetwork& net,
                                          std::span<const std::int32_t> sources,
                                          std::span<const double> link_time,
                                          std::span<const std::uint8_t> closed = {});

/// Travel time FROM the nearest source TO every node (e.g. fire engines from stations to
/// every address): the same search on the forward graph.
MultiSourceLabels nearest_source_times_from(const AssignmentNetwork& net,
                                            std::span<const std::int32_t> sources,
                                            std::span<const double> link_time,
                                            std::span<const std::uint8_t> closed = {});

/// Population served within a time threshold and population cut off, from labels.
struct AccessibilitySummary {
    double population_total = 0.0;
    double population_within = 0.0;    ///< time <= threshold
    double population_cut_off = 0.0;   ///< no path at all
    std::int32_t nodes_cut_off = 0;    ///< nodes with population > 0 and no path
    double population_mean_time = 0.0; ///< population-weighted mean over those with a path
};

/// `population` has one value per node (>= 0); `threshold` in the network's time unit.
AccessibilitySummary summarise_accessibility(const MultiSourceLabels& labels,
                                             std::span<const double> population, double threshold);

} // namespace rencheng::transport
