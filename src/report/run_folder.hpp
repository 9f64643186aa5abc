// The run folder of a stress test (docs/run-folder.md): summary.json, run.json, timeseries.csv,
// assets.geojson and events.jsonl, from the realizations of an ensemble.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "sim/ensemble.hpp"
#include "sim/simulation.hpp"

namespace rencheng::report {

/// What run.json records: everything that is not a result.
struct RunInfo {
    std::string rencheng_version;
    std::string started_utc; ///< ISO 8601, e.g. "2026-11-29T07:30:14Z"
    double wall_s = 0.0;
    std::size_t threads = 0;
    int mpi_ranks = 1;
    std::string scenario_file;
    std::string city_bundle;
    std::vector<std::string> command;
};

/// summary.json as text: results only, so the same scenario and seed give the same bytes for
/// any thread count (docs/run-folder.md).
std::string format_summary_json(const sim::Simulation& sim, const sim::EnsembleResult& ens);
/// run.json as text.
std::string format_run_json(const sim::Simulation& sim, const sim::EnsembleResult& ens,
                            const RunInfo& info);
/// timeseries.csv: header realization,time_s,scope,id,quantity,value.
std::string format_timeseries_csv(const sim::Simulation& sim, const sim::EnsembleResult& ens);
/// assets.geojson: one feature per asset with damage and service statistics.
std::string format_assets_geojson(const sim::Simulation& sim, const sim::EnsembleResult& ens);
/// events.jsonl: the events of the realizations that kept them, in (realization, time, seq)
/// order.
std::string format_events_jsonl(const sim::Simulation& sim, const sim::EnsembleResult& ens);

/// Writes the five files into `dir` (an existing folder, e.g. AtomicDirectory::path()).
/// Throws Error(kWriteFailed) naming a file that cannot be written.
void write_run_folder(const std::filesystem::path& dir, const sim::Simulation& sim,
                      const sim::EnsembleResult& ens, const RunInfo& info);

} // namespace rencheng::report
