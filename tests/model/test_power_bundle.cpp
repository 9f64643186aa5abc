// Tests of the bundle's power layer: [power] in city.toml, power.m, power_buses.csv and
// power_switches.csv, the power_bus / power_branch / power_gen asset layers, the writers.
#include <filesystem>
#include <fstream>
#include <string>

#include <gtest/gtest.h>
#include <unistd.h>

#include "model/bundle_writer.hpp"
#include "model/city.hpp"

namespace rencheng::model {
namespace {

namespace fs = std::filesystem;

const fs::path kGood = fs::path(RENCHENG_SOURCE_DIR) / "tests" / "cli" / "good";

// Three buses: a source (1), a feeder head (2), a load point (3); a 1 MW load; a tie 3-1 open.
constexpr const char* kCase = R"(function mpc = tiny
mpc.version = '2';
mpc.baseMVA = 100;
mpc.bus = [
	1	3	0	0	0	0	1	1	0	10	1	1.05	0.95;
	2	1	0	0	0	0	1	1	0	10	1	1.05	0.95;
	3	1	1	0.3	0	0	1	1	0	10	1	1.05	0.95;
];
mpc.gen = [
	1	0	0	10	-10	1	100	1	10	0;
];
mpc.branch = [
	1	2	0.01	0.01	0	9	9	9	0	0	1	-360	360;
	2	3	0.01	0.01	0	9	9	9	0	0	1	-360	360;
	3	1	0.01	0.01	0	9	9	9	0	0	0	-360	360;
];
)";

constexpr const char* kBuses = "bus,lon,lat,kind,name\n"
                               "1,114.26,30.56,substation_10kv,Sub 10kV\n"
                               "2,114.27,30.57,load_10kv,Head\n"
                               "3,114.28,30.58,load_10kv,Tail\n";

constexpr const char* kSwitches = "switch,branch,normally_open,kind\n"
                                  "CB1,1,0,breaker\n"
                                  "SW2,2,0,sectionalising\n"
                                  "TIE1,3,1,tie\n";

class TempBundle {
public:
    explicit TempBundle(const std::string& name)
        : dir_(fs::temp_directory_path() /
               ("rencheng-power-bundle-" + name + "-" + std::to_string(::getpid()))) {
        fs::remove_all(dir_);
        fs::create_directories(dir_);
        for (const auto& e : fs::directory_iterator(kGood))
            fs::copy(e.path(), dir_ / e.path().filename());
        append("city.toml", "\n[power]\nfile = \"power.m\"\nbuses = \"power_buses.csv\"\n"
                            "switches = \"power_switches.csv\"\n");
        write("power.m", kCase);
        write("power_buses.csv", kBuses);
        write("power_switches.csv", kSwitches);
    }
    ~TempBundle() {
        std::error_code ec;
        fs::remove_all(dir_, ec);
    }
    void write(const std::string& file, const std::string& text) const {
        std::ofstream(dir_ / file, std::ios::binary) << text;
    }
    void append(const std::string& file, const std::string& text) const {
        std::ofstream(dir_ / file, std::ios::binary | std::ios::app) << text;
    }
    [[nodiscard]] const fs::path& dir() const { return dir_; }

private:
    fs::path dir_;
};

bool has(const Diagnostics& d, ErrorCode code, const std::string& file_end, int line,
         Severity severity = Severity::kError) {
    for (const auto& x : d.items())
        if (x.severity == severity && x.code == code && x.line == line &&
            x.file.ends_with(file_end))
            return true;
    return false;
}

TEST(PowerBundle, LoadsTheCaseBusesAndSwitches) {
    TempBundle b("good");
    b.append("dependencies.csv", "zone:Z1,power,power_bus:3,0,\n"
                                 "facility:H1,power,power_bus:2,72,0.9\n"
                                 "power_bus:2,power,power_branch:1,,\n"
                                 "power_bus:1,power,power_gen:1,,\n");
    Diagnostics d;
    const City c = load_city(b.dir(), d);
    EXPECT_TRUE(d.empty()) << d.format();
    ASSERT_TRUE(c.power.has_value());
    EXPECT_EQ(c.power->buses.count(), 3);
    ASSERT_EQ(c.power_buses.size(), 3u);
    EXPECT_EQ(c.power_buses[2].bus_number, 3);
    EXPECT_EQ(c.power_buses[2].kind, "load_10kv");
    EXPECT_EQ(c.power_buses[2].name, "Tail");
    EXPECT_DOUBLE_EQ(c.power_buses[2].position.lon, 114.28);
    EXPECT_EQ(c.power_buses[2].source_line, 4);
    ASSERT_EQ(c.power_switches.size(), 3u);
    EXPECT_EQ(c.power_switches[2].id, "TIE1");
    EXPECT_EQ(c.power_switches[2].branch_row, 3);
    EXPECT_TRUE(c.power_switches[2].normally_open);
    EXPECT_EQ(c.power_switches[0].kind, "breaker");
    EXPECT_TRUE(c.has_asset("power_bus:3"));
    EXPECT_FALSE(c.has_asset("power_bus:4"));
    EXPECT_FALSE(c.has_asset("power_bus:03"));
    EXPECT_TRUE(c.has_asset("power_branch:3"));
    EXPECT_FALSE(c.has_asset("power_branch:4"));
    EXPECT_FALSE(c.has_asset("power_branch:0"));
    EXPECT_TRUE(c.has_asset("power_gen:1"));
    EXPECT_FALSE(c.has_asset("power_gen:2"));
    EXPECT_TRUE(AssetRegistry::is_known_layer("power_bus"));
    EXPECT_TRUE(AssetRegistry::is_known_layer("power_branch"));
    EXPECT_TRUE(AssetRegistry::is_known_layer("power_gen"));
    // A city built in memory (no index) answers by scanning, the same way.
    City fresh;
    fresh.power = c.power;
    EXPECT_TRUE(fresh.has_asset("power_bus:3"));
    EXPECT_FALSE(fresh.has_asset("power_bus:-3"));
    EXPECT_TRUE(fresh.has_asset("power_branch:3"));
    EXPECT_FALSE(fresh.has_asset("power_branch:4"));
    EXPECT_TRUE(fresh.has_asset("power_gen:1"));
}

TEST(PowerBundle, BadBusRowsAreReportedWithTheirLines) {
    TempBundle b("bad-buses");
    b.write("power_buses.csv", "bus,lon,lat,kind,name\n"
                               "1,114.26,30.56,substation_10kv,Sub\n"
                               "9,114.27,30.57,load_10kv,Not in the case\n"
                               "1,114.27,30.57,load_10kv,Again\n"
                               "3,120.0,30.58,load_10kv,Far away\n"
                               "x,114.27,30.57,load_10kv,Bad number\n"
                               "2,114.27,30.57,pylon,Bad kind\n");
    Diagnostics d;
    load_city(b.dir(), d);
    EXPECT_TRUE(has(d, ErrorCode::kUnknownReference, "power_buses.csv", 3)) << d.format();
    EXPECT_TRUE(has(d, ErrorCode::kDuplicateId, "power_buses.csv", 4)) << d.format();
    EXPECT_TRUE(has(d, ErrorCode::kOutsideCity, "power_buses.csv", 5)) << d.format();
    EXPECT_TRUE(has(d, ErrorCode::kNumberSyntax, "power_buses.csv", 6)) << d.format();
    EXPECT_TRUE(has(d, ErrorCode::kUnknownValue, "power_buses.csv", 7)) << d.format();
}

TEST(PowerBundle, EveryBusNeedsAPosition) {
    TempBundle b("missing-bus");
    b.write("power_buses.csv", "bus,lon,lat,kind,name\n"
                               "1,114.26,30.56,substation_10kv,Sub\n"
                               "3,114.27,30.57,load_10kv,Tail\n");
    Diagnostics d;
    load_city(b.dir(), d);
    ASSERT_EQ(d.error_count(), 1u) << d.format();
    EXPECT_EQ(d.items()[0].code, ErrorCode::kMissingKey);
    EXPECT_EQ(d.items()[0].element_id, "2");
}

TEST(PowerBundle, BadSwitchRowsAreReportedWithTheirLines) {
    TempBundle b("bad-switches");
    b.write("power_switches.csv", "switch,branch,normally_open,kind\n"
                                  "CB1,1,0,breaker\n"
                                  "CB2,7,0,breaker\n"
                                  "SW2,2,1,sectionalising\n"
                                  "CB1,2,0,breaker\n"
                                  "TIE1,3,yes,tie\n"
                                  "TIE2,3,1,fuse\n"
                                  "TIE3,1,1,tie\n"
                                  "TIE4,3,0,tie\n");
    Diagnostics d;
    load_city(b.dir(), d);
    EXPECT_TRUE(has(d, ErrorCode::kOutOfRange, "power_switches.csv", 3)) << d.format();
    EXPECT_TRUE(has(d, ErrorCode::kInconsistent, "power_switches.csv", 4)) << d.format();
    EXPECT_TRUE(has(d, ErrorCode::kDuplicateId, "power_switches.csv", 5)) << d.format();
    EXPECT_TRUE(has(d, ErrorCode::kWrongType, "power_switches.csv", 6)) << d.format();
    EXPECT_TRUE(has(d, ErrorCode::kUnknownValue, "power_switches.csv", 7)) << d.format();
    // Branch 1 has CB1 already.
    EXPECT_TRUE(has(d, ErrorCode::kDuplicateId, "power_switches.csv", 8)) << d.format();
    // A tie written normally closed: a warning, and its branch is in service: an error.
    EXPECT_TRUE(has(d, ErrorCode::kInconsistent, "power_switches.csv", 9, Severity::kWarning))
        << d.format();
    EXPECT_TRUE(has(d, ErrorCode::kInconsistent, "power_switches.csv", 9)) << d.format();
}

TEST(PowerBundle, BadCaseLeavesNoGridAndItsReferencesUnchecked) {
    TempBundle b("bad-case");
    std::string text = kCase;
    text.replace(text.find("0.3"), 3, "0.x");
    b.write("power.m", text);
    b.append("dependencies.csv", "zone:Z1,power,power_bus:99,0,\n");
    Diagnostics d;
    const City c = load_city(b.dir(), d);
    EXPECT_FALSE(c.power.has_value());
    EXPECT_TRUE(d.has_errors());
    bool case_error = false;
    for (const auto& x : d.items()) {
        EXPECT_FALSE(x.file.ends_with("dependencies.csv")) << d.format();
        case_error = case_error || x.file.ends_with("power.m");
    }
    EXPECT_TRUE(case_error) << d.format();
}

TEST(PowerBundle, UnknownPowerReferencesAreErrors) {
    TempBundle b("refs");
    b.append("dependencies.csv", "zone:Z1,power,power_bus:4,0,\n"
                                 "zone:Z3,power,power_branch:9,0,\n");
    Diagnostics d;
    load_city(b.dir(), d);
    EXPECT_EQ(d.error_count(), 2u) << d.format();
    for (const auto& x : d.items())
        EXPECT_EQ(x.code, ErrorCode::kUnknownReference);
}

TEST(PowerBundle, TomlNeedsTheBusesKey) {
    Diagnostics d;
    const CityToml t = parse_city_toml(
        "[city]\nname = \"x\"\ncrs = \"EPSG:4547\"\nextent = [1, 2, 3, 4]\n\n[power]\n"
        "file = \"power.m\"\nswitch = \"s.csv\"\n",
        "city.toml", d);
    EXPECT_EQ(t.files.power, "power.m");
    EXPECT_EQ(t.power_line, 7);
    EXPECT_TRUE(has(d, ErrorCode::kMissingKey, "city.toml", 6)) << d.format();
    EXPECT_TRUE(has(d, ErrorCode::kUnknownKey, "city.toml", 8)) << d.format();
}

TEST(PowerBundle, WritersReadBack) {
    std::vector<PowerBusInfo> buses = {{7, {114.2612345, 30.5612345}, "generator", "G, one", 0},
                                       {8, {114.5, 30.25}, "load_10kv", "", 0}};
    std::vector<PowerSwitch> switches = {{"TIE1", 3, true, "tie", 0},
                                         {"SW1", 2, false, "sectionalising", 0}};
    Diagnostics d;
    const auto b = parse_power_buses_csv(format_power_buses_csv(buses), "b.csv", d);
    const auto s = parse_power_switches_csv(format_power_switches_csv(switches), "s.csv", d);
    EXPECT_TRUE(d.empty()) << d.format();
    ASSERT_EQ(b.size(), 2u);
    EXPECT_EQ(b[0].bus_number, 7);
    EXPECT_EQ(b[0].name, "G, one");
    EXPECT_EQ(b[0].position, buses[0].position);
    EXPECT_EQ(b[1].kind, "load_10kv");
    ASSERT_EQ(s.size(), 2u);
    EXPECT_EQ(s[0].id, "TIE1");
    EXPECT_TRUE(s[0].normally_open);
    EXPECT_EQ(s[1].branch_row, 2);
    EXPECT_FALSE(s[1].normally_open);
    BundleFiles files;
    files.power = "power.m";
    files.power_buses = "power_buses.csv";
    files.power_switches = "power_switches.csv";
    CityInfo info;
    info.name = "x";
    info.crs = "EPSG:4547";
    info.extent = {1, 2, 3, 4};
    const std::string toml = format_city_toml(info, files, "");
    Diagnostics td;
    const CityToml t = parse_city_toml(toml, "city.toml", td);
    EXPECT_TRUE(td.empty()) << td.format();
    EXPECT_EQ(t.files.power, "power.m");
    EXPECT_EQ(t.files.power_buses, "power_buses.csv");
    EXPECT_EQ(t.files.power_switches, "power_switches.csv");
}

} // namespace
} // namespace rencheng::model
