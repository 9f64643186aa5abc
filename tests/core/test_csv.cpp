// Tests of the CSV reader (RFC 4180 with line numbers) and the number parsers.
#include <gtest/gtest.h>

#include "core/csv.hpp"

namespace rencheng {
namespace {

using Fields = std::vector<std::string>;

TEST(Csv, HeaderRowsAndLines) {
    Diagnostics diags;
    const CsvTable t = parse_csv("id,x,y\nA,1,2\nB,3,4\n", "f.csv", diags);
    EXPECT_TRUE(diags.empty()) << diags.format();
    EXPECT_EQ(t.file, "f.csv");
    EXPECT_EQ(t.header, (Fields{"id", "x", "y"}));
    ASSERT_EQ(t.rows.size(), 2u);
    EXPECT_EQ(t.rows[0].fields, (Fields{"A", "1", "2"}));
    EXPECT_EQ(t.rows[0].line, 2);
    EXPECT_EQ(t.rows[1].line, 3);
    EXPECT_EQ(t.column("y"), 2);
    EXPECT_EQ(t.column("z"), -1);
}

TEST(Csv, QuotingCommasAndDoubledQuotes) {
    Diagnostics diags;
    const CsvTable t = parse_csv("a,b,c\n\"x,y\",\"say \"\"hi\"\"\",\"\"\n,,\n", "q.csv", diags);
    EXPECT_TRUE(diags.empty()) << diags.format();
    ASSERT_EQ(t.rows.size(), 2u);
    EXPECT_EQ(t.rows[0].fields, (Fields{"x,y", "say \"hi\"", ""}));
    EXPECT_EQ(t.rows[1].fields, (Fields{"", "", ""}));
}

TEST(Csv, CrlfAndMissingFinalNewline) {
    Diagnostics diags;
    const CsvTable t = parse_csv("a,b\r\n1,2\r\n\"3\",4", "w.csv", diags);
    EXPECT_TRUE(diags.empty()) << diags.format();
    EXPECT_EQ(t.header, (Fields{"a", "b"}));
    ASSERT_EQ(t.rows.size(), 2u);
    EXPECT_EQ(t.rows[0].fields, (Fields{"1", "2"}));
    EXPECT_EQ(t.rows[1].fields, (Fields{"3", "4"}));
    EXPECT_EQ(t.rows[1].line, 3);
}

TEST(Csv, EmbeddedNewlineKeepsLineNumbers) {
    Diagnostics diags;
    const CsvTable t =
        parse_csv("id,note\nA,\"two\nlines\"\nB,\"three\r\nline\nfield\"\nC,x\n", "n.csv", diags);
    EXPECT_TRUE(diags.empty()) << diags.format();
    ASSERT_EQ(t.rows.size(), 3u);
    EXPECT_EQ(t.rows[0].fields[1], "two\nlines");
    EXPECT_EQ(t.rows[0].line, 2);
    EXPECT_EQ(t.rows[1].fields[1], "three\r\nline\nfield");
    EXPECT_EQ(t.rows[1].line, 4); // where the row starts
    EXPECT_EQ(t.rows[2].line, 7);
}

TEST(Csv, SkipsBlankAndCommentLines) {
    Diagnostics diags;
    const CsvTable t = parse_csv("# comment\n\nid,v\n  \n1,a\n#2,b\n\t\r\n3,c\n", "c.csv", diags);
    EXPECT_TRUE(diags.empty()) << diags.format();
    EXPECT_EQ(t.header, (Fields{"id", "v"}));
    ASSERT_EQ(t.rows.size(), 2u);
    EXPECT_EQ(t.rows[0].line, 5);
    EXPECT_EQ(t.rows[1].line, 8);
    EXPECT_EQ(t.rows[1].fields, (Fields{"3", "c"}));
}

TEST(Csv, WrongFieldCountIsReportedAndRowDropped) {
    Diagnostics diags;
    const CsvTable t = parse_csv("a,b\n1,2\n3\n4,5,6\n7,8\n", "bad.csv", diags);
    ASSERT_EQ(diags.error_count(), 2u);
    EXPECT_EQ(format_diagnostic(diags.items()[0]),
              "bad.csv:3:1: error E203: row has 1 fields, the header 2");
    EXPECT_EQ(diags.items()[1].line, 4);
    EXPECT_EQ(diags.items()[1].code, ErrorCode::kCsvSyntax);
    ASSERT_EQ(t.rows.size(), 2u);
    EXPECT_EQ(t.rows[1].line, 5);
}

TEST(Csv, UnterminatedQuoteNamesWhereItOpened) {
    Diagnostics diags;
    const CsvTable t = parse_csv("a,b\n1,2\n3,\"open\n4,5\n", "u.csv", diags);
    ASSERT_EQ(diags.error_count(), 1u);
    EXPECT_EQ(diags.items()[0].line, 3);
    EXPECT_EQ(diags.items()[0].column, 3);
    EXPECT_EQ(t.rows.size(), 1u);
}

TEST(Csv, TextAfterClosingQuote) {
    Diagnostics diags;
    const CsvTable t = parse_csv("a,b\n\"x\"y,1\n2,3\n", "t.csv", diags);
    ASSERT_EQ(diags.error_count(), 1u);
    EXPECT_EQ(diags.items()[0].line, 2);
    EXPECT_EQ(diags.items()[0].column, 4);
    ASSERT_EQ(t.rows.size(), 1u); // recovers at the next line
    EXPECT_EQ(t.rows[0].fields, (Fields{"2", "3"}));
}

TEST(Csv, BadHeaders) {
    Diagnostics diags;
    parse_csv("id,,id\n1,2,3\n", "h.csv", diags);
    EXPECT_EQ(diags.error_count(), 2u);
    Diagnostics empty;
    const CsvTable t = parse_csv("# only a comment\n\n", "e.csv", empty);
    EXPECT_EQ(empty.error_count(), 1u);
    EXPECT_TRUE(t.header.empty());
}

TEST(Csv, ByteOrderMarkIsIgnored) {
    Diagnostics diags;
    const CsvTable t = parse_csv("\xEF\xBB\xBFid,v\n1,2\n", "bom.csv", diags);
    EXPECT_EQ(t.header, (Fields{"id", "v"}));
    EXPECT_EQ(t.column("id"), 0);
}

TEST(Csv, ParseDouble) {
    EXPECT_EQ(parse_double("1.5"), 1.5);
    EXPECT_EQ(parse_double("  -2e3\t"), -2000.0);
    EXPECT_EQ(parse_double("+0.25"), 0.25);
    EXPECT_EQ(parse_double("7"), 7.0);
    EXPECT_FALSE(parse_double(""));
    EXPECT_FALSE(parse_double("   "));
    EXPECT_FALSE(parse_double("1.5m"));
    EXPECT_FALSE(parse_double("1 5"));
    EXPECT_FALSE(parse_double("inf"));
    EXPECT_FALSE(parse_double("-infinity"));
    EXPECT_FALSE(parse_double("nan"));
    EXPECT_FALSE(parse_double("1e999"));
    EXPECT_FALSE(parse_double("+-1"));
    EXPECT_FALSE(parse_double("0x10"));
}

TEST(Csv, ParseInt) {
    EXPECT_EQ(parse_int("42"), 42);
    EXPECT_EQ(parse_int(" -7 "), -7);
    EXPECT_EQ(parse_int("+3"), 3);
    EXPECT_EQ(parse_int("9223372036854775807"), 9223372036854775807LL);
    EXPECT_FALSE(parse_int("9223372036854775808"));
    EXPECT_FALSE(parse_int("1.0"));
    EXPECT_FALSE(parse_int("12a"));
    EXPECT_FALSE(parse_int(""));
}

} // namespace
} // namespace rencheng
