// Atomic file output: write to a temporary file beside the target, then rename.
#pragma once

#include <filesystem>
#include <fstream>
#include <optional>
#include <string>
#include <string_view>

namespace rencheng {

class Diagnostics;

/// Writes a file so that readers see either the old file or the whole new one, never a half-written
/// one: the data go to a temporary file in the same folder, which `commit()` flushes and renames
/// over the target. If the object dies without `commit()` (an exception, an early return) the
/// temporary file is removed and the target is untouched.
class AtomicFile {
public:
    explicit AtomicFile(std::filesystem::path target);
    ~AtomicFile();
    AtomicFile(const AtomicFile&) = delete;
    AtomicFile& operator=(const AtomicFile&) = delete;

    std::ofstream& stream() { return out_; }
    /// Flushes, closes and renames. Throws Error(kWriteFailed) naming the file on any failure.
    void commit();
    [[nodiscard]] const std::filesystem::path& temp_path() const { return temp_; }

private:
    std::filesystem::path target_;
    std::filesystem::path temp_;
    std::ofstream out_;
    bool committed_ = false;
};

/// Writes `content` to `path` atomically.
void write_file_atomic(const std::filesystem::path& path, std::string_view content);

/// Builds a folder atomically: files are written into a temporary sibling folder that `commit()`
/// renames to the target. With `replace`, an existing target is replaced at commit; without it an
/// existing non-empty target (or a file of that name) is an Error(kOutputExists) at construction.
/// Missing parent folders are created at construction. Without `commit()` the temporary folder
/// is removed and the target is untouched.
class AtomicDirectory {
public:
    AtomicDirectory(std::filesystem::path target, bool replace);
    ~AtomicDirectory();
    AtomicDirectory(const AtomicDirectory&) = delete;
    AtomicDirectory& operator=(const AtomicDirectory&) = delete;

    /// Where to write the files now.
    [[nodiscard]] const std::filesystem::path& path() const { return temp_; }
    void commit();

private:
    std::filesystem::path target_;
    std::filesystem::path temp_;
    bool replace_;
    bool committed_ = false;
};

/// Reads a whole file. Throws Error(kFileNotFound / kFileUnreadable) naming it.
std::string read_file(const std::filesystem::path& path);

/// Reads a whole file; nullopt when it cannot, after reporting read_file's error (its code and
/// message) to `diags` at the file's name, line 0.
std::optional<std::string> read_file(const std::filesystem::path& path, Diagnostics& diags);

} // namespace rencheng
