// Tests of the long and summary CSV rows and of CSV text streamed to a file in blocks.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <limits>
#include <sstream>
#include <stdexcept>

#include <unistd.h>

#include "core/long_csv.hpp"

namespace fs = std::filesystem;

namespace rencheng {
namespace {

TEST(LongCsv, RowQuotesIdsAsRfc4180AndWritesShortestNumbers) {
    std::string out;
    append_long_row(out, 3600, "node", "J-1", "head_m", 0.1);
    append_long_row(out, -5, "link", "a,b", "flow_m3s", -0.0);
    append_long_row(out, 0, "node", "say \"hi\"", "demand_m3s", 1e-300);
    append_summary_row(out, "system", "line\nend", "flood_volume_m3", 2.5);
    EXPECT_EQ(out, "3600,node,J-1,head_m,0.1\n"
                   "-5,link,\"a,b\",flow_m3s,0\n"
                   "0,node,\"say \"\"hi\"\"\",demand_m3s,1e-300\n"
                   "system,\"line\nend\",flood_volume_m3,2.5\n");
}

TEST(LongCsv, FieldsAreQuotedOnlyWhereTheyMustBe) {
    EXPECT_EQ(csv_field("Jn51"), "Jn51");
    EXPECT_EQ(csv_field(""), "");
    EXPECT_EQ(csv_field("a,b"), "\"a,b\"");
    EXPECT_EQ(csv_field("12\" main"), "\"12\"\" main\"");
    EXPECT_EQ(csv_field("two\r\nlines"), "\"two\r\nlines\"");
}

TEST(LongCsv, NumbersReadBackExactly) {
    for (const double v : {1.0 / 3.0, -2.718281828459045, 6.02214076e23, 5e-324,
                           std::numeric_limits<double>::max()}) {
        std::string out;
        append_csv_number(out, v);
        EXPECT_EQ(std::strtod(out.c_str(), nullptr), v) << out;
    }
}

TEST(LongCsv, StreamedTextIsTheSameAsTheWholeAndHandedOnInBlocks) {
    const auto fill = [](CsvBuffer& buffer, std::size_t& largest) {
        buffer.text() += "time_s,type,id,quantity,value\n";
        for (int t = 0; t < 400; ++t) {
            for (int i = 0; i < 200; ++i)
                append_long_row(buffer.text(), t * 60, "node", "N" + std::to_string(i), "head_m",
                                std::sqrt(t + i + 0.5));
            largest = std::max(largest, buffer.text().size());
            buffer.flush_block();
        }
    };
    CsvBuffer whole;
    std::size_t whole_largest = 0;
    fill(whole, whole_largest);
    std::ostringstream sink;
    CsvBuffer streamed(&sink);
    std::size_t streamed_largest = 0;
    fill(streamed, streamed_largest);
    EXPECT_LT(streamed.text().size(), whole.text().size());
    streamed.finish();
    EXPECT_TRUE(streamed.text().empty());
    EXPECT_EQ(sink.str(), whole.text());
    EXPECT_GT(whole.text().size(), std::size_t{3} << 20); // several blocks
    EXPECT_EQ(whole_largest, whole.text().size());
    // never much more than a block plus one reporting time's rows in memory
    EXPECT_LT(streamed_largest, (std::size_t{1} << 20) + 20000);
}

TEST(LongCsv, WriteCsvAtomicLeavesTheTargetUntouchedWhenFillingFails) {
    const fs::path dir =
        fs::temp_directory_path() / ("rencheng-long-csv-" + std::to_string(::getpid()));
    fs::remove_all(dir);
    fs::create_directories(dir);
    const fs::path target = dir / "results.csv";
    std::ofstream(target) << "old\n";
    EXPECT_THROW(write_csv_atomic(target,
                                  [](CsvBuffer& buffer) {
                                      for (int i = 0; i < 100000; ++i)
                                          append_long_row(buffer.text(), i, "node", "N", "head_m",
                                                          i);
                                      buffer.flush_block();
                                      throw std::runtime_error("solver gave up");
                                  }),
                 std::runtime_error);
    const auto read = [](const fs::path& p) {
        std::ifstream in(p);
        return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    };
    EXPECT_EQ(read(target), "old\n");
    EXPECT_EQ(std::distance(fs::directory_iterator(dir), fs::directory_iterator()), 1);
    write_csv_atomic(target, [](CsvBuffer& buffer) {
        append_summary_row(buffer.text(), "system", "system", "x", 1);
    });
    EXPECT_EQ(read(target), "system,system,x,1\n");
    fs::remove_all(dir);
}

} // namespace
} // namespace rencheng
