// `rencheng rain design|cities`: design storms from a city's storm intensity formula, and the
// built-in library of formulas.
#include <cmath>
#include <cstdio>
#include <memory>
#include <string>

#include "command.hpp"
#include "core/atomic_file.hpp"
#include "core/csv.hpp"
#include "core/error.hpp"
#include "hazard/rainfall.hpp"

namespace rencheng::cli {

namespace {

struct RainDesignOptions {
    std::string city;
    double return_period_a = 0.0;
    std::string duration = "3h";
    std::string hyetograph = "chicago";
    double peak_ratio = 0.4;
    std::string step = "5min";
    std::string out;
};

/// Parses a duration: a number with s, min (or m) or h; a bare number is minutes, as in the
/// storm intensity formulas. Throws Error(kUsage) naming the option.
std::int64_t parse_duration_s(const std::string& text, const char* option) {
    std::size_t k = 0;
    while (k < text.size() && (std::isdigit(static_cast<unsigned char>(text[k])) || text[k] == '.'))
        ++k;
    const auto value = parse_double(text.substr(0, k));
    const std::string unit = text.substr(k);
    double scale = 0.0;
    if (unit.empty() || unit == "min" || unit == "m")
        scale = 60.0;
    else if (unit == "s")
        scale = 1.0;
    else if (unit == "h")
        scale = 3600.0;
    if (!value || scale == 0.0 || !(*value > 0.0))
        throw Error(ErrorCode::kUsage, std::string(option) + ": '" + text +
                                           "' is not a duration (e.g. 3h, 120min, 300s)");
    const double seconds = *value * scale;
    if (std::abs(seconds - std::round(seconds)) > 1e-6 || seconds > 30.0 * 86400.0)
        throw Error(ErrorCode::kUsage, std::string(option) + ": '" + text +
                                           "' must be a whole number of seconds up to 30 days");
    return static_cast<std::int64_t>(std::llround(seconds));
}

void run_rain_design(const RainDesignOptions& opt, CommandContext& ctx) {
    using namespace rencheng::hazard;
    const CityRainfallFormula* city = find_city_rainfall_formula(opt.city);
    if (!city)
        throw Error(ErrorCode::kUsage, "--city: '" + opt.city +
                                           "' is not in the library (see 'rencheng rain cities')");
    if (!(opt.return_period_a >= city->min_return_period_a &&
          opt.return_period_a <= city->max_return_period_a)) {
        char buf[160];
        std::snprintf(buf, sizeof buf, "--return-period: %g a is outside %s's range %g–%g a",
                      opt.return_period_a, city->name_en.c_str(), city->min_return_period_a,
                      city->max_return_period_a);
        throw Error(ErrorCode::kOutOfRange, buf);
    }
    const std::int64_t duration_s = parse_duration_s(opt.duration, "--duration");
    const std::int64_t step_s = parse_duration_s(opt.step, "--step");
    if (duration_s % step_s != 0)
        throw Error(ErrorCode::kUsage,
                    "--step " + opt.step + " does not divide --duration " + opt.duration);
    if (!(opt.peak_ratio >= 0.0 && opt.peak_ratio <= 1.0))
        throw Error(ErrorCode::kUsage, "--peak-ratio must lie in [0, 1]");

    const IntensityParameters p = city->formula.parameters(opt.return_period_a);
    Hyetograph h;
    if (opt.hyetograph == "chicago")
        h = chicago_hyetograph(p, duration_s, step_s, opt.peak_ratio);
    else if (opt.hyetograph == "uniform")
        h = uniform_hyetograph(p, duration_s, step_s);
    else
        throw Error(ErrorCode::kUsage,
                    "--hyetograph: '" + opt.hyetograph + "' is not chicago or uniform");

    std::string csv = "time_s,intensity_mm_h\n";
    char buf[96];
    for (std::size_t k = 0; k < h.intensity_mm_h.size(); ++k) {
        std::snprintf(buf, sizeof buf, "%lld,%.6f\n",
                      static_cast<long long>(h.start_s + static_cast<std::int64_t>(k) * h.step_s),
                      h.intensity_mm_h[k]);
        csv += buf;
    }
    // With --out the CSV goes to the file and the summary to stdout; without, the CSV is stdout
    // (to pipe it) and the summary goes to stderr.
    std::FILE* summary = stdout;
    if (opt.out.empty()) {
        std::fputs(csv.c_str(), stdout);
        summary = stderr;
    } else {
        write_file_atomic(opt.out, csv);
    }
    if (!city->verified)
        std::fprintf(stderr,
                     "warning: %s's formula is not verified against its official document / "
                     "该城市公式尚未核对官方文件\n",
                     city->name_en.c_str());
    if (!ctx.quiet || !opt.out.empty()) {
        const double minutes = static_cast<double>(duration_s) / 60.0;
        std::fprintf(summary, "%s (%s) %s, P = %g a, %s, %g min, step %lld s\n",
                     city->name_en.c_str(), city->name_zh.c_str(), city->formula.describe().c_str(),
                     opt.return_period_a, opt.hyetograph.c_str(), minutes,
                     static_cast<long long>(step_s));
        std::fprintf(summary, "depth / 雨量: %.2f mm (formula / 公式 %.2f mm)\n", h.depth_mm(),
                     p.depth_mm(minutes));
        std::fprintf(summary, "peak interval intensity / 峰值雨强: %.2f mm/h\n", h.peak_mm_h());
        if (!opt.out.empty())
            std::fprintf(summary, "hyetograph / 雨型: %s\n", opt.out.c_str());
    }
    std::fflush(stdout);
    ctx.exit_code = 0;
}

void run_rain_cities(CommandContext& ctx) {
    using namespace rencheng::hazard;
    std::printf("%-10s %-26s %-9s %-8s %s\n", "key", "city / 城市", "P (a)", "verified",
                "formula and source / 公式与来源");
    for (const auto& c : city_rainfall_formulas()) {
        char range[32];
        std::snprintf(range, sizeof range, "%g-%g", c.min_return_period_a, c.max_return_period_a);
        std::printf("%-10s %-26s %-9s %-8s %s\n", c.key.c_str(),
                    (c.name_en + " " + c.name_zh).c_str(), range,
                    c.verified ? "yes/已核" : "NO/未核", c.formula.describe().c_str());
        std::printf("%-10s %-26s %-9s %-8s source: %s\n", "", "", "", "", c.source.c_str());
        if (!c.note.empty())
            std::printf("%-10s %-26s %-9s %-8s note: %s\n", "", "", "", "", c.note.c_str());
    }
    ctx.exit_code = 0;
}

} // namespace

void add_rain_command(CLI::App& app, CommandContext& ctx) {
    CLI::App* rain = app.add_subcommand(
        "rain", "Design storms from storm intensity formulas / 暴雨强度公式与设计雨型");
    rain->require_subcommand(1);

    auto opt = std::make_shared<RainDesignOptions>();
    CLI::App* design = rain->add_subcommand(
        "design", "Design hyetograph of a city's formula as CSV time_s,intensity_mm_h / "
                  "按城市暴雨强度公式生成设计雨型");
    design->add_option("--city", opt->city, "City key or name (rencheng rain cities) / 城市")
        ->required();
    design
        ->add_option("--return-period", opt->return_period_a,
                     "Return period P, years / 重现期（年）")
        ->required();
    design->add_option("--duration", opt->duration,
                       "Storm duration, e.g. 3h, 120min, 7200s (bare number: minutes; default "
                       "3h) / 降雨历时");
    design->add_option("--hyetograph", opt->hyetograph,
                       "chicago (default; Keifer & Chu 1957) or uniform / 雨型");
    design->add_option("--peak-ratio", opt->peak_ratio,
                       "Chicago peak position r in [0, 1] (default 0.4) / 雨峰系数");
    design->add_option("--step", opt->step, "Time step (default 5min) / 时间步长");
    design->add_option("--out", opt->out,
                       "Write the CSV here (atomically) instead of standard output / 输出文件");
    design->footer("Each interval holds the exact integral of the storm curve, so the depth "
                   "equals the formula's a·t/(t+b)^n. docs/rainfall.md.\nExit status: 0 written, "
                   "1 return period out of the formula's range, 2 usage, 3 output not "
                   "writable.");
    design->callback([opt, &ctx] { run_rain_design(*opt, ctx); });

    CLI::App* cities = rain->add_subcommand(
        "cities", "The built-in storm intensity formulas and whether each is verified / "
                  "内置城市暴雨强度公式及核对状态");
    cities->callback([&ctx] { run_rain_cities(ctx); });
}

} // namespace rencheng::cli
