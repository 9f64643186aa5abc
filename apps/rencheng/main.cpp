// The `rencheng` command: parses the command line and hands over to one subcommand.
#include <cstdio>
#include <exception>
#include <string>

#include <CLI/CLI.hpp>

#include "command.hpp"
#include "core/error.hpp"

#ifndef RENCHENG_VERSION
#define RENCHENG_VERSION "unknown"
#endif

int main(int argc, char** argv) {
    using namespace rencheng;
    CLI::App app{"RenCheng (韧城): urban resilience engine — model a city's lifelines, stress-test "
                 "them, measure the result.\n城市生命线韧性引擎：建模、压力测试、评估。",
                 "rencheng"};
    app.set_version_flag("--version", std::string("rencheng ") + RENCHENG_VERSION);
    app.require_subcommand(1);
    app.fallthrough();

    cli::CommandContext ctx;
    app.add_flag("-q,--quiet", ctx.quiet, "No progress bar and no chatter / 安静模式");

    cli::add_generate_command(app, ctx);
    cli::add_validate_command(app, ctx);
    cli::add_info_command(app, ctx);
    cli::add_roads_command(app, ctx);
    cli::add_power_command(app, ctx);
    cli::add_water_command(app, ctx);
    cli::add_report_command(app, ctx);
    cli::add_drainage_command(app, ctx);
    cli::add_stress_test_command(app, ctx);
    cli::add_rain_command(app, ctx);
    cli::add_gas_command(app, ctx);
    cli::add_gas_ops_commands(app, ctx); // under `gas`: after add_gas_command

    try {
        app.parse(argc, argv);
    } catch (const CLI::CallForHelp& e) {
        return app.exit(e);
    } catch (const CLI::CallForAllHelp& e) {
        return app.exit(e);
    } catch (const CLI::CallForVersion& e) {
        return app.exit(e);
    } catch (const CLI::ParseError& e) {
        // CLI11 checks for a missing subcommand before it complains about arguments it did not
        // understand, so `rencheng frobnicate` would otherwise read "A subcommand is required".
        std::string what = e.what();
        if (app.get_subcommands().empty() && !app.remaining().empty())
            what = "unknown subcommand or option '" + app.remaining().front() + "'";
        std::fprintf(stderr, "rencheng: %s\nRun 'rencheng --help' for the list of options.\n",
                     what.c_str());
        return exit_status(ErrorCode::kUsage);
    } catch (const Error& e) {
        if (!e.diagnostics().empty()) {
            std::fputs(e.diagnostics().format().c_str(), stderr);
        } else {
            std::fprintf(stderr, "rencheng: error E%03d (%s): %s\n", static_cast<int>(e.code()),
                         std::string(error_code_name(e.code())).c_str(), e.what());
        }
        return exit_status(e.code());
    } catch (const std::exception& e) {
        std::fprintf(stderr, "rencheng: internal error: %s\n", e.what());
        return exit_status(ErrorCode::kInternal);
    }
    return ctx.exit_code;
}
