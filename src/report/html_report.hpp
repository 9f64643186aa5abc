// The stress test's report: one self-contained HTML file built from a run folder (docs/report.md).
#pragma once

#include <filesystem>
#include <string>

namespace rencheng::report {

/// Reads the run folder `run_dir` (summary.json, run.json, assets.geojson, timeseries.csv and
/// events.jsonl, as docs/run-folder.md describes them) and returns the report as one HTML document:
/// inline CSS, inline JavaScript, tables and SVG charts rendered here (readable with JavaScript
/// off), English and Chinese labels, and the summary embedded as JSON. The result depends only on
/// the files' content, so the same run folder always gives the same bytes.
/// Throws Error carrying every problem found (kFileNotFound for a missing file, kJsonSyntax /
/// kCsvSyntax with file and line, kMissingKey / kWrongType / kOutOfRange naming the file, the line
/// where known and the JSON path or column).
std::string render_report_html(const std::filesystem::path& run_dir);

/// render_report_html(run_dir), written to `run_dir / "report.html"` atomically: on any error the
/// previous report.html (if any) is untouched and no partial file is left. Throws as
/// render_report_html does, and Error(kWriteFailed) when the file cannot be written.
void write_report_html(const std::filesystem::path& run_dir);

} // namespace rencheng::report
