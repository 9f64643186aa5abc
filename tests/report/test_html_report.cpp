// Tests of the HTML report: content, self-containment, embedded JSON, errors, the CLI, and a
// headless-Chromium rendering (skipped when Chromium is absent).
//
// tests/report/data/full: 3 lifelines (water, power, roads), 3 services, 5 realizations, events of
// realizations 0 and 1. tests/report/data/minimal: water only, 1 realization. Both follow the
// run-folder contract (docs/run-folder.md); make_samples.py beside them says how they were made.
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <regex>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "core/error.hpp"
#include "report/html_report.hpp"
#include "support/run_rencheng.hpp"

namespace rencheng::report {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using test::slurp;

const fs::path kData = fs::path(RENCHENG_SOURCE_DIR) / "tests" / "report" / "data";

std::size_t count(const std::string& text, const std::string& needle) {
    std::size_t n = 0;
    for (std::size_t pos = text.find(needle); pos != std::string::npos;
         pos = text.find(needle, pos + needle.size()))
        ++n;
    return n;
}

/// A fresh copy of a sample run folder in a temporary folder, removed at the end of the test.
class TempRun {
public:
    explicit TempRun(const std::string& sample) {
        static int counter = 0;
        path_ = fs::temp_directory_path() /
                ("rencheng-report-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
        fs::remove_all(path_);
        fs::create_directories(path_);
        fs::copy(kData / sample, path_, fs::copy_options::recursive);
    }
    ~TempRun() {
        std::error_code ec;
        fs::remove_all(path_, ec);
    }
    TempRun(const TempRun&) = delete;
    TempRun& operator=(const TempRun&) = delete;
    [[nodiscard]] const fs::path& path() const { return path_; }
    void write(const std::string& file, const std::string& text) const {
        std::ofstream(path_ / file, std::ios::binary) << text;
    }
    [[nodiscard]] std::string read(const std::string& file) const { return slurp(path_ / file); }

private:
    fs::path path_;
};

/// The text of the embedded data block, parsed.
json embedded_data(const std::string& html) {
    const std::string open = "<script type=\"application/json\" id=\"rc-data\">";
    const std::size_t a = html.find(open);
    EXPECT_NE(a, std::string::npos);
    if (a == std::string::npos)
        return nullptr;
    const std::size_t b = html.find("</script>", a);
    EXPECT_NE(b, std::string::npos);
    return json::parse(html.substr(a + open.size(), b - a - open.size()));
}

/// The error `render_report_html` throws for `dir` (code kInternal and empty text when none).
Error render_error(const fs::path& dir) {
    try {
        (void)render_report_html(dir);
    } catch (const Error& e) {
        return e;
    }
    return Error(ErrorCode::kInternal, "no error");
}

std::string all_diagnostics(const Error& e) {
    return e.diagnostics().empty() ? std::string(e.what()) : e.diagnostics().format();
}

TEST(Report, FullSampleHasEverySection) {
    const std::string html = render_report_html(kData / "full");
    // The map: every feature of assets.geojson is drawn (4 zones, 8 pipes, 9 junctions,
    // 3 buses, 2 branches, 4 roads, 3 facilities).
    EXPECT_EQ(count(html, "<svg xmlns=\"http://www.w3.org/2000/svg\" id=\"rc-map\""), 1u);
    EXPECT_EQ(count(html, "class=\"ft zone\""), 4u);
    EXPECT_EQ(count(html, "class=\"ft ln\""), 8u + 2u + 4u);
    EXPECT_EQ(count(html, "class=\"ft nd\""), 9u + 3u);
    EXPECT_EQ(count(html, "class=\"ft fac\""), 3u);
    EXPECT_NE(html.find("data-asset=\"power_bus:1\""), std::string::npos);
    // Damage state colours for the realization-0 view: power_bus:1 is flooded (blue).
    EXPECT_NE(html.find("--s:#2171b5"), std::string::npos);

    // Curves: 3 service charts with a P10–P90 band each, one restoration chart with 3 lifelines.
    for (const char* svc : {"water", "power", "road_access"})
        EXPECT_NE(html.find(std::string("class=\"band\" data-series=\"") + svc + "\""),
                  std::string::npos)
            << svc;
    EXPECT_NE(html.find("id=\"rc-restoration\""), std::string::npos);
    // roads: restoration, damaged components, repaired components (lifeline scope).
    EXPECT_EQ(count(html, "class=\"curve\" data-series=\"roads\""), 3u);
    EXPECT_NE(html.find("Damaged components"), std::string::npos);
    EXPECT_GE(count(html, "class=\"curve\""), 6u);

    // Headline table, damage table, facilities, causes, criticality, districts, policies.
    EXPECT_NE(html.find("<table class=\"headline\">"), std::string::npos);
    EXPECT_NE(html.find("All services"), std::string::npos);
    EXPECT_NE(html.find("Central Hospital"), std::string::npos);
    EXPECT_NE(html.find("中心医院"), std::string::npos);
    EXPECT_NE(html.find("<code>power_bus:1</code><small>flooded 0.62 m &gt; 0.5 m</small>"),
              std::string::npos);
    EXPECT_NE(html.find("<li>power_bus:1 de-energised</li>"), std::string::npos);
    EXPECT_NE(html.find("id=\"criticality\""), std::string::npos);
    EXPECT_NE(html.find("critical facilities first"), std::string::npos);
    EXPECT_NE(html.find("<th scope=\"row\">South</th>"), std::string::npos);

    // Restoration timeline: the four facility outages of realization 0, F1 restored at 17 h.
    EXPECT_NE(html.find("id=\"rc-timeline\""), std::string::npos);
    EXPECT_EQ(count(html, "<rect class=\"bar"), 4u);
    EXPECT_EQ(count(html, "<rect class=\"bar open\""), 1u); // H1 water: never restored
    EXPECT_NE(html.find("facility:F1 · Road access / 道路通达: 5 h – 17 h"), std::string::npos);

    // Monte Carlo: a histogram of 5 realizations and the exceedance curves.
    EXPECT_NE(html.find("id=\"rc-histogram\""), std::string::npos);
    EXPECT_GE(count(html, "<rect class=\"hbar\""), 1u);
    EXPECT_NE(html.find("id=\"rc-exceedance\""), std::string::npos);
    EXPECT_NE(html.find("class=\"curve\" data-series=\"total\""), std::string::npos);

    // timeseries.csv: crews and district curves.
    EXPECT_NE(html.find("Repair crews at work"), std::string::npos);
    EXPECT_NE(html.find("data-series=\"North\""), std::string::npos);

    // Run information from run.json.
    EXPECT_NE(html.find("2026-11-29T07:00:00Z"), std::string::npos);
    EXPECT_NE(html.find("<code>rencheng stress-test examples/demo-city/scenarios/x.toml</code>"),
              std::string::npos);
}

TEST(Report, BothLanguages) {
    const std::string html = render_report_html(kData / "full");
    EXPECT_NE(html.find("id=\"lang-en\""), std::string::npos);
    EXPECT_NE(html.find("id=\"lang-zh\""), std::string::npos);
    EXPECT_NE(html.find("body:has(#lang-zh:checked) .en { display: none; }"), std::string::npos);
    // Every English label has its Chinese twin.
    EXPECT_EQ(count(html, "<span class=\"en\" lang=\"en\">"),
              count(html, "<span class=\"zh\" lang=\"zh\">"));
    EXPECT_EQ(count(html, "<text class=\"en\""), count(html, "<text class=\"zh\""));
    EXPECT_GT(count(html, "<span class=\"zh\" lang=\"zh\">"), 100u);
    for (const char* zh : {"50 年一遇 3 小时暴雨", "样例城", "概要", "服务与恢复曲线", "恢复时间线",
                           "最大损失的原因链", "构件关键性", "蒙特卡洛分布", "运行信息", "供电"})
        EXPECT_NE(html.find(zh), std::string::npos) << zh;
}

TEST(Report, SelfContained) {
    for (const char* sample : {"full", "minimal"}) {
        const std::string html = render_report_html(kData / sample);
        // No resource is fetched: no src/href/url() pointing anywhere but into the page.
        const std::regex external(R"((src|href)\s*=\s*["']?\s*(https?:|//|file:))",
                                  std::regex::icase);
        EXPECT_FALSE(std::regex_search(html, external)) << sample;
        EXPECT_EQ(html.find("url("), std::string::npos) << sample;
        EXPECT_EQ(html.find("@import"), std::string::npos) << sample;
        // The only URLs are the SVG namespace names.
        const std::size_t urls = count(html, "http://") + count(html, "https://");
        EXPECT_EQ(urls, count(html, "xmlns=\"http://www.w3.org/2000/svg\"")) << sample;
        EXPECT_EQ(count(html, "<script"), 2u) << sample; // the data and the inline script
        EXPECT_EQ(count(html, "<script src"), 0u) << sample;
        EXPECT_EQ(count(html, "<link"), 0u) << sample;
    }
}

TEST(Report, EmbeddedJsonIsValid) {
    const std::string html = render_report_html(kData / "full");
    const json data = embedded_data(html);
    EXPECT_EQ(data["summary"]["scenario"]["name"], "full-demo");
    EXPECT_EQ(data["summary"]["realizations"].size(), 5u);
    EXPECT_EQ(data["run"]["threads"], 2);
    const json original = json::parse(slurp(kData / "full" / "summary.json"));
    EXPECT_EQ(data["summary"], original);
}

TEST(Report, HostileTextIsEscaped) {
    TempRun run("full");
    json summary = json::parse(run.read("summary.json"));
    const std::string evil = "Storm </script><script>alert(1)</script> & <!-- x";
    summary["scenario"]["title"] = evil;
    summary["city"]["name"] = "<b>City</b>";
    summary["facilities"][0]["name"] = "</script>\"'";
    run.write("summary.json", summary.dump(1));
    const std::string html = render_report_html(run.path());
    EXPECT_EQ(html.find("<script>alert"), std::string::npos);
    EXPECT_EQ(html.find("<b>City</b>"), std::string::npos);
    EXPECT_NE(
        html.find("Storm &lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt; &amp; &lt;!-- x"),
        std::string::npos);
    EXPECT_EQ(count(html, "</script>"), 2u);
    EXPECT_EQ(count(html, "<!--"), 0u);
    const json data = embedded_data(html);
    EXPECT_EQ(data["summary"]["scenario"]["title"], evil);
    EXPECT_EQ(data["summary"]["facilities"][0]["name"], "</script>\"'");
}

TEST(Report, MinimalSampleRendersNotesNotBrokenCharts) {
    const std::string html = render_report_html(kData / "minimal");
    EXPECT_NE(html.find("id=\"rc-map\""), std::string::npos);
    EXPECT_EQ(count(html, "class=\"ft "), 4u + 8u + 9u + 3u);
    // One service chart (water) without a band; no power anywhere in the charts.
    EXPECT_NE(html.find("class=\"curve\" data-series=\"water\""), std::string::npos);
    EXPECT_EQ(html.find("class=\"band\""), std::string::npos);
    EXPECT_EQ(html.find("data-series=\"power\""), std::string::npos);
    EXPECT_NE(html.find("One realization: the curves show it alone"), std::string::npos);
    // No distribution from one realization: a note instead of a histogram.
    EXPECT_EQ(html.find("id=\"rc-histogram\""), std::string::npos);
    EXPECT_EQ(html.find("id=\"rc-exceedance\""), std::string::npos);
    EXPECT_NE(html.find("One realization: there is no distribution to show."), std::string::npos);
    // 100 % restoration never reached.
    EXPECT_NE(html.find(">never</span><span class=\"zh\" lang=\"zh\">未恢复"), std::string::npos);
    // No districts or policies: the section is left out.
    EXPECT_EQ(html.find("id=\"districts\""), std::string::npos);
    // Facility outages of realization 0: H1 (never restored) and S1.
    EXPECT_EQ(count(html, "<rect class=\"bar"), 2u);
    // No paths with nothing in them, no NaN anywhere.
    EXPECT_EQ(html.find("d=\"\""), std::string::npos);
    EXPECT_EQ(html.find("nan"), std::string::npos);
    EXPECT_EQ(html.find("inf\""), std::string::npos);
}

TEST(Report, WriteIsAtomicAndDeterministic) {
    TempRun run("full");
    write_report_html(run.path());
    const std::string first = run.read("report.html");
    EXPECT_EQ(first, render_report_html(run.path()));
    write_report_html(run.path());
    EXPECT_EQ(run.read("report.html"), first);
    // Only the report was added.
    std::size_t files = 0;
    for ([[maybe_unused]] const auto& e : fs::directory_iterator(run.path()))
        ++files;
    EXPECT_EQ(files, 6u);
}

TEST(Report, BadInputLeavesTheOldReport) {
    TempRun run("full");
    run.write("report.html", "old report");
    std::string events = run.read("events.jsonl");
    // Break the third line.
    std::size_t pos = 0;
    for (int i = 0; i < 2; ++i)
        pos = events.find('\n', pos) + 1;
    events.insert(pos, "{\"realization\": 0, oops}\n");
    run.write("events.jsonl", events);
    EXPECT_THROW(write_report_html(run.path()), Error);
    EXPECT_EQ(run.read("report.html"), "old report");
    std::size_t files = 0;
    for ([[maybe_unused]] const auto& e : fs::directory_iterator(run.path()))
        ++files;
    EXPECT_EQ(files, 6u); // no temporary file left behind
    const Error e = render_error(run.path());
    EXPECT_EQ(e.code(), ErrorCode::kJsonSyntax);
    EXPECT_NE(all_diagnostics(e).find("events.jsonl:3:"), std::string::npos) << all_diagnostics(e);
}

TEST(Report, ErrorsNameTheFileAndLine) {
    {
        const Error e = render_error(kData / "no-such-run");
        EXPECT_EQ(e.code(), ErrorCode::kFileNotFound);
        EXPECT_NE(all_diagnostics(e).find("no-such-run"), std::string::npos);
    }
    {
        TempRun run("minimal");
        fs::remove(run.path() / "summary.json");
        const Error e = render_error(run.path());
        EXPECT_EQ(e.code(), ErrorCode::kFileNotFound);
        EXPECT_NE(all_diagnostics(e).find("summary.json"), std::string::npos) << all_diagnostics(e);
    }
    {
        TempRun run("minimal");
        std::string csv = run.read("timeseries.csv");
        csv += "0,3600,city,,crews_busy,many\n";
        const long lines = std::count(csv.begin(), csv.end(), '\n');
        run.write("timeseries.csv", csv);
        const Error e = render_error(run.path());
        EXPECT_EQ(e.code(), ErrorCode::kNumberSyntax);
        EXPECT_NE(
            all_diagnostics(e).find("timeseries.csv:" + std::to_string(lines) + ": error E204"),
            std::string::npos)
            << all_diagnostics(e);
        EXPECT_NE(all_diagnostics(e).find("column 'value'"), std::string::npos);
    }
    {
        TempRun run("minimal");
        json summary = json::parse(run.read("summary.json"));
        summary["service_curves"]["water"]["mean"].erase(0);
        summary["metrics"]["water"]["population_hours_lost"]["p50"] = "a lot";
        run.write("summary.json", summary.dump(1));
        const Error e = render_error(run.path());
        const std::string all = all_diagnostics(e);
        EXPECT_NE(all.find("summary.json: error E310 [service_curves.water.mean]: has 12 values "
                           "but time_s has 13"),
                  std::string::npos)
            << all;
        EXPECT_NE(all.find("[metrics.water.population_hours_lost.p50]: expected a number or "
                           "null, got a string"),
                  std::string::npos)
            << all;
    }
    {
        TempRun run("minimal");
        std::string geo = run.read("assets.geojson");
        const std::size_t at = geo.find("\"layer\": \"water_link\"");
        ASSERT_NE(at, std::string::npos);
        geo.replace(at, std::string("\"layer\": \"water_link\"").size(), "\"layer\": 7");
        run.write("assets.geojson", geo);
        const Error e = render_error(run.path());
        EXPECT_EQ(e.code(), ErrorCode::kWrongType);
        // The first pipe is the fifth feature, on line 6.
        EXPECT_NE(all_diagnostics(e).find("assets.geojson:6: error E302 [water_link:P1]"),
                  std::string::npos)
            << all_diagnostics(e);
    }
}

TEST(ReportCli, WritesTheReport) {
    TempRun run("minimal");
    const auto r = test::run_rencheng({"report", run.path().string()});
    EXPECT_EQ(r.status, 0) << r.err;
    EXPECT_NE(r.out.find("report.html"), std::string::npos);
    EXPECT_EQ(run.read("report.html"), render_report_html(run.path()));
}

TEST(ReportCli, BadRunFolderFails) {
    {
        TempRun run("minimal");
        run.write("events.jsonl", "{\"realization\": 0, \"time_s\": 1, \"event\": \"damaged\"}\n");
        const auto r = test::run_rencheng({"report", run.path().string()});
        EXPECT_EQ(r.status, 1);
        EXPECT_NE(r.err.find("events.jsonl:1: error E301: field 'asset' is missing"),
                  std::string::npos)
            << r.err;
        EXPECT_FALSE(fs::exists(run.path() / "report.html"));
    }
    {
        const auto r = test::run_rencheng({"report", (kData / "no-such-run").string()});
        EXPECT_EQ(r.status, 3);
        EXPECT_NE(r.err.find("no-such-run"), std::string::npos) << r.err;
    }
    {
        const auto r = test::run_rencheng({"report"});
        EXPECT_EQ(r.status, 2);
    }
}

// ---------------------------------------------------------------------------------------------
// Headless Chromium: the report opens with no network and no display, the script runs, and the
// rendered DOM has the map and the curves.

/// The Chromium binary: $RENCHENG_CHROMIUM, else chromium / chromium-browser / google-chrome on
/// the PATH; empty when none.
std::string find_chromium() {
    if (const char* env = std::getenv("RENCHENG_CHROMIUM"); env != nullptr && *env != '\0')
        return env;
    const char* path = std::getenv("PATH");
    if (path == nullptr)
        return {};
    for (const char* name : {"chromium", "chromium-browser", "google-chrome"}) {
        std::string dirs = path;
        std::size_t start = 0;
        while (start <= dirs.size()) {
            const std::size_t end = std::min(dirs.find(':', start), dirs.size());
            const fs::path candidate = fs::path(dirs.substr(start, end - start)) / name;
            if (::access(candidate.c_str(), X_OK) == 0)
                return candidate.string();
            start = end + 1;
        }
    }
    return {};
}

std::string shell_quote(const std::string& s) {
    std::string out = "'";
    for (const char c : s)
        out += c == '\'' ? std::string("'\\''") : std::string(1, c);
    return out + "'";
}

/// Runs Chromium headless on `html_file` with `mode` ("--dump-dom" or "--screenshot=…"), stdout to
/// `out_file`; killed after 90 s so the test cannot hang. Returns the exit status of the shell.
int run_chromium(const std::string& chromium, const fs::path& work, const fs::path& html_file,
                 const std::string& mode, const fs::path& out_file) {
    const std::string cmd =
        "HOME=" + shell_quote(work.string()) + " timeout -k 5 90 " + shell_quote(chromium) +
        " --headless --no-sandbox --disable-gpu --no-first-run --no-default-browser-check"
        " --disable-extensions --disable-background-networking --disable-sync"
        " --disable-component-update --disable-default-apps --mute-audio --hide-scrollbars"
        " --user-data-dir=" +
        shell_quote((work / "profile").string()) +
        " --virtual-time-budget=5000 --window-size=1280,2400 " + mode + " " +
        shell_quote("file://" + fs::absolute(html_file).string()) + " > " +
        shell_quote(out_file.string()) + " 2> " + shell_quote((work / "chromium.log").string());
    return std::system(cmd.c_str());
}

TEST(ReportBrowser, HeadlessChromiumRendersMapAndCurves) {
    const std::string chromium = find_chromium();
    if (chromium.empty())
        GTEST_SKIP() << "Chromium not found (install the Debian package 'chromium' with "
                        "scripts/install-deps, or set RENCHENG_CHROMIUM): the rendering test is "
                        "skipped.";
    for (const char* sample : {"full", "minimal"}) {
        TempRun run(sample);
        write_report_html(run.path());
        const fs::path dom_file = run.path() / "dom.html";
        const int status =
            run_chromium(chromium, run.path(), run.path() / "report.html", "--dump-dom", dom_file);
        const std::string dom = slurp(dom_file);
        ASSERT_EQ(status, 0) << "chromium failed (" << status << "):\n"
                             << slurp(run.path() / "chromium.log");
        ASSERT_FALSE(dom.empty()) << slurp(run.path() / "chromium.log");
        // The inline script ran to its end without an exception and parsed the data.
        EXPECT_NE(dom.find("data-report=\"ready\""), std::string::npos) << sample;
        EXPECT_NE(dom.find("id=\"rc-map\""), std::string::npos) << sample;
        EXPECT_EQ(count(dom, "class=\"ft "), std::string(sample) == "full" ? 33u : 24u) << sample;
        EXPECT_GE(count(dom, "class=\"curve\""), 2u) << sample;
        EXPECT_NE(dom.find("id=\"rc-timeline\""), std::string::npos) << sample;
    }
    // A screenshot, to show that the page lays out and paints (a PNG of some size).
    TempRun run("full");
    write_report_html(run.path());
    const fs::path png = run.path() / "report.png";
    const int status =
        run_chromium(chromium, run.path(), run.path() / "report.html",
                     "--screenshot=" + shell_quote(png.string()), run.path() / "stdout.txt");
    ASSERT_EQ(status, 0) << slurp(run.path() / "chromium.log");
    const std::string image = slurp(png);
    ASSERT_GT(image.size(), 20000u) << slurp(run.path() / "chromium.log");
    EXPECT_EQ(image.substr(1, 3), "PNG");
    if (const char* keep = std::getenv("RENCHENG_REPORT_SCREENSHOT"); keep != nullptr && *keep)
        fs::copy_file(png, keep, fs::copy_options::overwrite_existing);
}

} // namespace
} // namespace rencheng::report
