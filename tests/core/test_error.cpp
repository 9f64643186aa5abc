// Tests of the error catalogue, diagnostic formatting and the exit-status mapping.
#include <gtest/gtest.h>

#include "core/error.hpp"

namespace rencheng {
namespace {

TEST(Error, FormatsFileLineColumnCodeAndId) {
    Diagnostic d{Severity::kError, ErrorCode::kDuplicateId, "net.csv", 12, 7, "P-3", "twice"};
    EXPECT_EQ(format_diagnostic(d), "net.csv:12:7: error E305 [P-3]: twice");
}

TEST(Error, OmitsUnknownPartsAndMarksWarnings) {
    Diagnostic d{Severity::kWarning, ErrorCode::kOutsideCity, "a.json", 3, 0, "", "far"};
    EXPECT_EQ(format_diagnostic(d), "a.json:3: warning W309: far");
    d.file.clear();
    EXPECT_EQ(format_diagnostic(d), "warning W309: far");
    d.severity = Severity::kError;
    d.code = ErrorCode::kFileNotFound;
    EXPECT_EQ(format_diagnostic(d), "error E101: far");
}

TEST(Error, ExitStatusByBlock) {
    EXPECT_EQ(exit_status(ErrorCode::kFileNotFound), 3);
    EXPECT_EQ(exit_status(ErrorCode::kOutputExists), 3);
    EXPECT_EQ(exit_status(ErrorCode::kCsvSyntax), 1);
    EXPECT_EQ(exit_status(ErrorCode::kUnknownCrs), 1);
    EXPECT_EQ(exit_status(ErrorCode::kNoConvergence), 4);
    EXPECT_EQ(exit_status(ErrorCode::kUsage), 2);
    EXPECT_EQ(exit_status(ErrorCode::kInternal), 70);
}

TEST(Error, CodeNamesAreStable) {
    EXPECT_EQ(error_code_name(ErrorCode::kJsonSyntax), "json-syntax");
    EXPECT_EQ(error_code_name(ErrorCode::kUnknownCrs), "unknown-crs");
    EXPECT_EQ(error_code_name(ErrorCode::kInternal), "internal");
}

TEST(Error, DiagnosticsCountSortAndFormat) {
    Diagnostics diags;
    diags.warning(ErrorCode::kOutsideCity, "b.csv", 2, 1, "", "w");
    diags.error(ErrorCode::kCsvSyntax, "b.csv", 1, 4, "", "e2");
    diags.error(ErrorCode::kCsvSyntax, "a.csv", 9, 1, "", "e1");
    EXPECT_EQ(diags.error_count(), 2u);
    EXPECT_EQ(diags.warning_count(), 1u);
    EXPECT_TRUE(diags.has_errors());
    diags.sort();
    EXPECT_EQ(diags.format(), "a.csv:9:1: error E203: e1\n"
                              "b.csv:1:4: error E203: e2\n"
                              "b.csv:2:1: warning W309: w\n");
}

TEST(Error, ExceptionCarriesCodeAndFirstError) {
    Diagnostics diags;
    diags.warning(ErrorCode::kOutsideCity, "x", 1, 1, "", "just a warning");
    diags.error(ErrorCode::kMissingKey, "x", 2, 3, "", "no key");
    const Error e(ErrorCode::kMissingKey, diags);
    EXPECT_EQ(e.code(), ErrorCode::kMissingKey);
    EXPECT_STREQ(e.what(), "x:2:3: error E301: no key");
    EXPECT_EQ(e.diagnostics().items().size(), 2u);
    EXPECT_GT(e.where().line(), 0u);
}

} // namespace
} // namespace rencheng
