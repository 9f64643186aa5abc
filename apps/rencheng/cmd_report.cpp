// `rencheng report RUN_DIR`: rebuilds a run folder's report.html from its result files.
#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>

#include "command.hpp"
#include "report/html_report.hpp"

namespace rencheng::cli {

namespace {

struct ReportOptions {
    std::string run_dir;
};

void run_report(const ReportOptions& opt, CommandContext& ctx) {
    // Errors (a missing or malformed file) propagate as rencheng::Error: main() prints every
    // diagnostic with file and line and exits with the code's status; no report is written.
    report::write_report_html(opt.run_dir);
    if (!ctx.quiet)
        std::printf("wrote %s / 已生成报告\n",
                    (std::filesystem::path(opt.run_dir) / "report.html").string().c_str());
    ctx.exit_code = 0;
}

} // namespace

void add_report_command(CLI::App& app, CommandContext& ctx) {
    auto opt = std::make_shared<ReportOptions>();
    CLI::App* cmd = app.add_subcommand(
        "report", "Rebuild report.html of a stress-test run folder / 根据运行目录重新生成报告");
    cmd->add_option("run_dir", opt->run_dir,
                    "The run folder: holds summary.json, run.json, assets.geojson, "
                    "timeseries.csv and events.jsonl")
        ->required()
        ->type_name("RUN_DIR");
    cmd->footer("Writes RUN_DIR/report.html atomically (docs/report.md). Exit status: 0 written, "
                "1 a file has bad content or syntax, 3 a file is missing or cannot be written.\n");
    cmd->callback([opt, &ctx] { run_report(*opt, ctx); });
}

} // namespace rencheng::cli
