// Tests of atomic file and folder output and of whole-file reading.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <stdexcept>

#include <unistd.h>

#include "core/atomic_file.hpp"
#include "core/error.hpp"

namespace fs = std::filesystem;

namespace rencheng {
namespace {

// A fresh folder per test, removed afterwards.
class AtomicFileTest : public ::testing::Test {
protected:
    void SetUp() override {
        const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
        dir_ = fs::temp_directory_path() /
               ("rencheng-core-" + std::to_string(::getpid()) + "-" + info->name());
        fs::remove_all(dir_);
        fs::create_directories(dir_);
    }
    void TearDown() override { fs::remove_all(dir_); }

    static void put(const fs::path& p, const std::string& s) { std::ofstream(p) << s; }
    static std::string get(const fs::path& p) {
        std::ifstream in(p);
        return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
    }
    // Names of everything in the test folder.
    std::vector<std::string> entries() const {
        std::vector<std::string> out;
        for (const auto& e : fs::directory_iterator(dir_))
            out.push_back(e.path().filename());
        std::sort(out.begin(), out.end());
        return out;
    }

    fs::path dir_;
};

using Names = std::vector<std::string>;

TEST_F(AtomicFileTest, CommitWritesTheWholeFile) {
    const fs::path target = dir_ / "out.txt";
    {
        AtomicFile f(target);
        EXPECT_EQ(f.temp_path().parent_path(), dir_);
        EXPECT_NE(f.temp_path().filename().string().find("out.txt.tmp-"), std::string::npos);
        f.stream() << "hello\n";
        EXPECT_FALSE(fs::exists(target)); // nothing visible before commit
        f.commit();
    }
    EXPECT_EQ(get(target), "hello\n");
    EXPECT_EQ(entries(), (Names{"out.txt"}));
}

TEST_F(AtomicFileTest, WithoutCommitTargetIsUntouchedAndTempRemoved) {
    const fs::path target = dir_ / "out.txt";
    put(target, "old");
    {
        AtomicFile f(target);
        f.stream() << "new content";
        EXPECT_TRUE(fs::exists(f.temp_path()));
    }
    EXPECT_EQ(get(target), "old");
    EXPECT_EQ(entries(), (Names{"out.txt"}));
}

TEST_F(AtomicFileTest, ExceptionUnwindingLeavesNoTrace) {
    const fs::path target = dir_ / "out.txt";
    put(target, "old");
    EXPECT_THROW(
        {
            AtomicFile f(target);
            f.stream() << "partial";
            throw std::runtime_error("failed half way");
        },
        std::runtime_error);
    EXPECT_EQ(get(target), "old");
    EXPECT_EQ(entries(), (Names{"out.txt"}));
}

TEST_F(AtomicFileTest, CommitReplacesContent) {
    const fs::path target = dir_ / "out.txt";
    put(target, "a much longer old content");
    write_file_atomic(target, "new");
    EXPECT_EQ(get(target), "new");
    write_file_atomic(target, std::string("bin\0ary", 7));
    EXPECT_EQ(read_file(target), std::string("bin\0ary", 7));
    EXPECT_EQ(entries(), (Names{"out.txt"}));
}

TEST_F(AtomicFileTest, TwoWritersGetDistinctTempFiles) {
    AtomicFile a(dir_ / "x");
    AtomicFile b(dir_ / "x");
    EXPECT_NE(a.temp_path(), b.temp_path());
    a.stream() << "a";
    b.stream() << "b";
    a.commit();
    b.commit();
    EXPECT_EQ(get(dir_ / "x"), "b");
    EXPECT_EQ(entries(), (Names{"x"}));
}

TEST_F(AtomicFileTest, MissingFolderIsWriteFailedNamingTheFile) {
    try {
        AtomicFile f(dir_ / "no" / "such" / "file.txt");
        FAIL() << "no throw";
    } catch (const Error& e) {
        EXPECT_EQ(e.code(), ErrorCode::kWriteFailed);
        EXPECT_NE(std::string(e.what()).find("file.txt"), std::string::npos) << e.what();
        EXPECT_NE(std::string(e.what()).find("No such file"), std::string::npos) << e.what();
    }
}

TEST_F(AtomicFileTest, ReadFileErrorsNameThePath) {
    try {
        (void)read_file(dir_ / "absent.csv");
        FAIL() << "no throw";
    } catch (const Error& e) {
        EXPECT_EQ(e.code(), ErrorCode::kFileNotFound);
        EXPECT_NE(std::string(e.what()).find("absent.csv"), std::string::npos);
    }
    try {
        (void)read_file(dir_);
        FAIL() << "no throw";
    } catch (const Error& e) {
        EXPECT_EQ(e.code(), ErrorCode::kFileUnreadable);
    }
    put(dir_ / "big", std::string(200000, 'x'));
    EXPECT_EQ(read_file(dir_ / "big").size(), 200000u);
}

TEST_F(AtomicFileTest, DirectoryAppearsOnlyAtCommit) {
    const fs::path target = dir_ / "run";
    {
        AtomicDirectory d(target, false);
        put(d.path() / "summary.json", "{}");
        EXPECT_FALSE(fs::exists(target));
        d.commit();
    }
    EXPECT_EQ(get(target / "summary.json"), "{}");
    EXPECT_EQ(entries(), (Names{"run"}));
}

TEST_F(AtomicFileTest, DirectoryWithoutCommitLeavesNothing) {
    {
        AtomicDirectory d(dir_ / "run", false);
        put(d.path() / "half.csv", "x");
    }
    EXPECT_TRUE(entries().empty());
}

TEST_F(AtomicFileTest, DirectoryRefusesNonEmptyTargetWithoutReplace) {
    const fs::path target = dir_ / "run";
    fs::create_directories(target);
    put(target / "old.txt", "old");
    try {
        AtomicDirectory d(target, false);
        FAIL() << "no throw";
    } catch (const Error& e) {
        EXPECT_EQ(e.code(), ErrorCode::kOutputExists);
        EXPECT_NE(std::string(e.what()).find("run"), std::string::npos);
    }
    EXPECT_EQ(get(target / "old.txt"), "old");
    EXPECT_EQ(entries(), (Names{"run"}));
}

TEST_F(AtomicFileTest, DirectoryAcceptsEmptyTargetAndReplaces) {
    const fs::path target = dir_ / "run";
    fs::create_directories(target);
    {
        AtomicDirectory d(target, false); // empty: allowed
        put(d.path() / "a.txt", "1");
        d.commit();
    }
    EXPECT_EQ(get(target / "a.txt"), "1");
    {
        AtomicDirectory d(target / "", true); // trailing separator names the same folder
        put(d.path() / "b.txt", "2");
        d.commit();
    }
    EXPECT_FALSE(fs::exists(target / "a.txt"));
    EXPECT_EQ(get(target / "b.txt"), "2");
    EXPECT_EQ(entries(), (Names{"run"}));
}

TEST_F(AtomicFileTest, DirectoryCreatesParents) {
    const fs::path target = dir_ / "runs" / "2026" / "a";
    AtomicDirectory d(target, false);
    d.commit();
    EXPECT_TRUE(fs::is_directory(target));
}

} // namespace
} // namespace rencheng
