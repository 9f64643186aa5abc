// TNTP files (TransportationNetworks collection): network, trips, node and flow readers.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/csr.hpp"
#include "core/error.hpp"

namespace rencheng::transport {

/// A network for static traffic assignment, as a TNTP `_net` file defines it. Struct-of-arrays
/// over directed links; node i (0-based) is TNTP node number i + 1, and zones are the nodes
/// 1..zone_count. Times and lengths keep the file's units (the TransportationNetworks files use
/// minutes for time; the distance and toll units are the network's own, see docs/transport.md).
struct AssignmentNetwork {
    std::int32_t node_count = 0;
    std::int32_t zone_count = 0;
    /// TNTP <FIRST THRU NODE>: zone nodes numbered below it may start or end a path but never
    /// lie inside one (their links are centroid connectors).
    std::int32_t first_thru_node = 1;

    // Links (0-based node indices)
    std::vector<std::int32_t> init;
    std::vector<std::int32_t> term;
    std::vector<double> capacity;       ///< BPR capacity, vehicles per hour
    std::vector<double> length;         ///< in the network's distance unit
    std::vector<double> free_flow_time; ///< in the network's time unit (minutes)
    std::vector<double> b;              ///< BPR alpha
    std::vector<double> power;          ///< BPR beta
    std::vector<double> speed;          ///< speed limit, informational
    std::vector<double> toll;           ///< in the network's toll unit
    std::vector<std::int32_t> link_type;
    std::vector<int> source_line; ///< line in the input file, 0 when built in code

    CsrGraph out; ///< out-arcs of every node; arc ids are link indices
    CsrGraph in;  ///< in-arcs of every node; arc ids are link indices

    [[nodiscard]] std::int32_t link_count() const { return static_cast<std::int32_t>(init.size()); }
    /// True when paths may pass through node `n` (0-based): it is not a zone below
    /// first_thru_node.
    [[nodiscard]] bool passable(std::int32_t n) const {
        return n >= zone_count || n + 1 >= first_thru_node;
    }
    /// "<init>-<term>" with TNTP node numbers, the id the long CSV uses.
    [[nodiscard]] std::string link_label(std::int32_t link) const;
    /// Index of the first link from TNTP node `init_number` to `term_number`, or -1.
    [[nodiscard]] std::int32_t find_link(std::int32_t init_number, std::int32_t term_number) const;
    /// Appends a link (0-based nodes) with the given BPR parameters; call build_graph() after.
    void add_link(std::int32_t from, std::int32_t to, double capacity_vehh, double length_units,
                  double free_flow_time_min, double bpr_b, double bpr_power,
                  double toll_units = 0.0);
    /// (Re)builds `out` and `in` from the link arrays (counting sort).
    void build_graph();
};

/// Origin–destination demand in vehicles per hour, per origin zone in CSR form: the demands of
/// origin o (0-based zone) are entries origin_begin[o] .. origin_begin[o+1]-1, destinations
/// ascending and distinct. Intrazonal demand (o == d) is kept out.
struct TripTable {
    std::int32_t zone_count = 0;
    std::vector<std::int32_t> origin_begin; ///< size zone_count + 1
    std::vector<std::int32_t> destination;  ///< 0-based zone
    std::vector<double> demand;             ///< vehicles per hour, >= 0
    double declared_total = -1.0;           ///< <TOTAL OD FLOW>, -1 when absent

    [[nodiscard]] double total() const;
    /// Builds the table from (origin, destination, demand) triples, 0-based zones; repeated
    /// pairs are summed and intrazonal entries dropped.
    static TripTable from_entries(std::int32_t zone_count, std::vector<std::int32_t> origins,
                                  std::vector<std::int32_t> destinations,
                                  std::vector<double> demands);
};

/// A `_flow` file: link volumes and costs (the best-known solutions of the collection).
struct TntpFlows {
    std::vector<std::int32_t> from; ///< TNTP node numbers
    std::vector<std::int32_t> to;
    std::vector<double> volume; ///< vehicles per hour
    std::vector<double> cost;   ///< link cost as given
    std::vector<int> source_line;
};

/// A `_node` file: node coordinates in the file's coordinate system.
struct TntpNodes {
    std::vector<std::int32_t> node; ///< TNTP node numbers
    std::vector<double> x;
    std::vector<double> y;
};

/// Reads a `_net` file: metadata (<NUMBER OF ZONES> required; <NUMBER OF NODES>,
/// <FIRST THRU NODE> default 1, <NUMBER OF LINKS> checked when present) up to <END OF METADATA>,
/// then one link per line: init term capacity length free_flow_time b power [speed toll type],
/// '~' starts a comment, a trailing ';' is optional. Every problem goes to `diags` with file,
/// line, column and the field's name; the parser never throws on bad input.
AssignmentNetwork parse_tntp_net(std::string_view text, const std::string& file,
                                 Diagnostics& diags);
AssignmentNetwork read_tntp_net(const std::filesystem::path& path, Diagnostics& diags);

/// Reads a `_trips` file: metadata (<NUMBER OF ZONES> required, <TOTAL OD FLOW> checked to
/// 1e-6 relative as a warning) then blocks "Origin o" followed by "d : q;" entries.
TripTable parse_tntp_trips(std::string_view text, const std::string& file, Diagnostics& diags);
TripTable read_tntp_trips(const std::filesystem::path& path, Diagnostics& diags);

/// Reads a `_flow` file: an optional header line, then "from to volume cost" per line.
TntpFlows parse_tntp_flow(std::string_view text, const std::string& file, Diagnostics& diags);
TntpFlows read_tntp_flow(const std::filesystem::path& path, Diagnostics& diags);

/// Reads a `_node` file: an optional header line, then "node x y" per line.
TntpNodes parse_tntp_nodes(std::string_view text, const std::string& file, Diagnostics& diags);
TntpNodes read_tntp_nodes(const std::filesystem::path& path, Diagnostics& diags);

/// Writes a `_net` file that parse_tntp_net reads back to the same network: metadata (zones,
/// nodes, first thru node, links), the column comment, then one link per line with all ten
/// fields; numbers in shortest round-trip form ("%.17g"), so the bytes are the same for the
/// same network. For the synthetic city generator and scenario export.
std::string format_tntp_net(const AssignmentNetwork& net);
/// Writes a `_trips` file (metadata zones and total OD flow, then "Origin o" blocks with five
/// "d : q;" entries per line) that parse_tntp_trips reads back to the same table.
std::string format_tntp_trips(const TripTable& trips);
/// The same, written atomically (core/atomic_file.hpp); throws Error(kWriteFailed).
void write_tntp_net(const std::filesystem::path& path, const AssignmentNetwork& net);
void write_tntp_trips(const std::filesystem::path& path, const TripTable& trips);

/// Checks that `trips` fits `net` (same zone count); adds an error to `diags` otherwise.
bool check_trips_fit(const AssignmentNetwork& net, const TripTable& trips, const std::string& file,
                     Diagnostics& diags);

} // namespace rencheng::transport
