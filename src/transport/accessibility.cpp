// Accessibility: node tables, multi-source Dijkstra forward and on the reverse graph.
#include "transport/accessibility.hpp"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <unordered_map>

#include "core/atomic_file.hpp"
#include "core/csv.hpp"

namespace rencheng::transport {

std::vector<NodeValue> parse_node_values_csv(std::string_view text, const std::string& file,
                                             std::int32_t node_count, std::string_view value_column,
                                             Diagnostics& diags) {
    std::vector<NodeValue> out;
    const CsvTable table = parse_csv(text, file, diags);
    const int col_node = table.column("node");
    const int col_value = value_column.empty() ? -1 : table.column(value_column);
    const int col_name = table.column("name");
    if (col_node < 0 || (!value_column.empty() && col_value < 0)) {
        diags.error(ErrorCode::kMissingKey, file, 1, 0, "",
                    value_column.empty() ? std::string("the file needs a column 'node'")
                                         : "the file needs the columns 'node' and '" +
                                               std::string(value_column) + "'");
        return out;
    }
    std::unordered_map<std::int32_t, int> seen;
    for (const CsvTable::Row& row : table.rows) {
        const std::string& id = row.fields[static_cast<std::size_t>(col_node)];
        const auto number = parse_int(id);
        if (!number) {
            diags.error(ErrorCode::kNumberSyntax, file, row.line, col_node + 1, id,
                        "field 'node': '" + id + "' is not a node number");
            continue;
        }
        if (*number < 1 || *number > node_count) {
            diags.error(ErrorCode::kUnknownReference, file, row.line, col_node + 1, id,
                        "field 'node': the network has no node " + id + " (nodes are 1.." +
                            std::to_string(node_count) + ")");
            continue;
        }
        NodeValue nv;
        nv.node = static_cast<std::int32_t>(*number - 1);
        nv.line = row.line;
        if (col_value >= 0) {
            const std::string& f = row.fields[static_cast<std::size_t>(col_value)];
            const auto v = parse_double(f);
            if (!v || *v < 0.0) {
                diags.error(v ? ErrorCode::kOutOfRange : ErrorCode::kNumberSyntax, file, row.line,
                            col_value + 1, id,
                            "field '" + std::string(value_column) + "': '" + f +
                                "' is not a number >= 0");
                continue;
            }
            nv.value = *v;
        }
        if (col_name >= 0)
            nv.name = row.fields[static_cast<std::size_t>(col_name)];
        if (const auto [it, fresh] = seen.emplace(nv.node, row.line); !fresh) {
            diags.error(ErrorCode::kDuplicateId, file, row.line, col_node + 1, id,
                        "node " + id + " is already listed on line " + std::to_string(it->second));
            continue;
        }
        out.push_back(std::move(nv));
    }
    return out;
}

std::vector<NodeValue> read_node_values_csv(const std::filesystem::path& path,
                                            std::int32_t node_count, std::string_view value_column,
                                            Diagnostics& diags) {
    if (auto text = read_file(path, diags))
        return parse_node_values_csv(*text, path.string(), node_count, value_column, diags);
    return {};
}

namespace {

struct Entry {
    double key;
    std::int32_t node;
};

/// Min-heap order on the key, then the node number: pops are deterministic.
struct HeapGreater {
    bool operator()(const Entry& a, const Entry& b) const {
        return a.key != b.key ? a.key > b.key : a.node > b.node;
    }
};

/// Multi-source Dijkstra over `graph` (net.out forward, net.in reverse: then `heads` are the
/// links' init nodes). A node is expanded when it is a source or may be passed through.
MultiSourceLabels multi_source(const AssignmentNetwork& net, const CsrGraph& graph,
                               std::span<const std::int32_t> sources,
                               std::span<const double> link_time,
                               std::span<const std::uint8_t> closed) {
    const auto n = static_cast<std::size_t>(net.node_count);
    if (link_time.size() != static_cast<std::size_t>(net.link_count()) ||
        (!closed.empty() && closed.size() != link_time.size()))
        throw Error(ErrorCode::kInconsistent, "accessibility: link times or closures do not "
                                              "match the network's links");
    MultiSourceLabels labels;
    labels.time.assign(n, kUnreachable);
    labels.source.assign(n, -1);
    std::vector<std::uint8_t> is_source(n, 0);
    std::vector<Entry> heap;
    const HeapGreater greater;
    for (std::size_t s = 0; s < sources.size(); ++s) {
        const std::int32_t v = sources[s];
        if (v < 0 || static_cast<std::size_t>(v) >= n)
            throw Error(ErrorCode::kInconsistent,
                        "accessibility: source node index " + std::to_string(v) + " out of range");
        is_source[static_cast<std::size_t>(v)] = 1;
        if (labels.source[static_cast<std::size_t>(v)] >= 0)
            continue; // the same node twice: the lower index keeps it
        labels.time[static_cast<std::size_t>(v)] = 0.0;
        labels.source[static_cast<std::size_t>(v)] = static_cast<std::int32_t>(s);
        heap.push_back({0.0, v});
    }
    std::make_heap(heap.begin(), heap.end(), greater);
    while (!heap.empty()) {
        std::pop_heap(heap.begin(), heap.end(), greater);
        const auto [d, u] = heap.back();
        heap.pop_back();
        const auto uu = static_cast<std::size_t>(u);
        if (d > labels.time[uu])
            continue;
        if (is_source[uu] == 0 && !net.passable(u))
            continue; // a centroid zone ends or starts a path, never carries one on
        for (auto k = static_cast<std::size_t>(graph.offsets[uu]);
             k < static_cast<std::size_t>(graph.offsets[uu + 1]); ++k) {
            const auto a = static_cast<std::size_t>(graph.arc_ids[k]);
            if (!closed.empty() && closed[a] != 0)
                continue;
            const auto v = static_cast<std::size_t>(graph.heads[k]);
            const double nd = d + link_time[a];
            // Equal times: the lower source index wins, so ties do not depend on heap order.
            if (nd < labels.time[v] ||
                (nd == labels.time[v] && labels.source[uu] < labels.source[v])) {
                labels.time[v] = nd;
                labels.source[v] = labels.source[uu];
                heap.push_back({nd, static_cast<std::int32_t>(v)});
                std::push_heap(heap.begin(), heap.end(), greater);
            }
        }
    }
    return labels;
}

} // namespace

MultiSourceLabels nearest_source_times_to(const AssignmentNetwork& net,
                                          std::span<const std::int32_t> sources,
                                          std::span<const double> link_time,
                                          std::span<const std::uint8_t> closed) {
    return multi_source(net, net.in, sources, link_time, closed);
}

MultiSourceLabels nearest_source_times_from(const AssignmentNetwork& net,
                                            std::span<const std::int32_t> sources,
                                            std::span<const double> link_time,
                                            std::span<const std::uint8_t> closed) {
    return multi_source(net, net.out, sources, link_time, closed);
}

AccessibilitySummary summarise_accessibility(const MultiSourceLabels& labels,
                                             std::span<const double> population, double threshold) {
    assert(population.size() == labels.time.size()); // one value per node
    AccessibilitySummary s;
    double weighted = 0.0, reached = 0.0;
    for (std::size_t v = 0; v < population.size(); ++v) {
        const double p = population[v];
        s.population_total += p;
        if (labels.time[v] == kUnreachable) {
            s.population_cut_off += p;
            if (p > 0.0)
                ++s.nodes_cut_off;
            continue;
        }
        reached += p;
        weighted += p * labels.time[v];
        if (labels.time[v] <= threshold)
            s.population_within += p;
    }
    s.population_mean_time = reached > 0.0 ? weighted / reached : 0.0;
    return s;
}

} // namespace rencheng::transport
