// Atomic file and folder output (write aside, then rename), and whole-file reading.
#include "core/atomic_file.hpp"

#include <cerrno>
#include <cstring>
#include <system_error>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/error.hpp"

namespace fs = std::filesystem;

namespace rencheng {

namespace {

std::string errno_text() {
    return std::strerror(errno);
}

[[noreturn]] void write_failed(const fs::path& file, const std::string& what,
                               const std::string& reason) {
    throw Error(ErrorCode::kWriteFailed, "cannot " + what + " " + file.string() + ": " + reason);
}

// `<target>.tmp-<pid>-<n>` with the first n whose file could be created exclusively (O_EXCL), so
// two writers never share a temporary file, without a process-wide counter (no global state).
fs::path reserve_temp_file(const fs::path& target) {
    const std::string base = target.string() + ".tmp-" + std::to_string(::getpid()) + "-";
    for (int n = 0;; ++n) {
        fs::path candidate = base + std::to_string(n);
        const int fd = ::open(candidate.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
        if (fd >= 0) {
            ::close(fd);
            return candidate;
        }
        if (errno != EEXIST || n >= 10000)
            write_failed(target, "create a temporary file for", errno_text());
    }
}

// The same for a folder (mkdir is exclusive by itself).
fs::path reserve_temp_dir(const fs::path& target, const char* tag) {
    const std::string base = target.string() + tag + std::to_string(::getpid()) + "-";
    for (int n = 0;; ++n) {
        fs::path candidate = base + std::to_string(n);
        if (::mkdir(candidate.c_str(), 0777) == 0)
            return candidate;
        if (errno != EEXIST || n >= 10000)
            write_failed(target, "create a temporary folder for", errno_text());
    }
}

bool is_non_empty_or_file(const fs::path& p) {
    std::error_code ec;
    const auto st = fs::symlink_status(p, ec);
    if (ec || !fs::exists(st))
        return false;
    if (!fs::is_directory(st))
        return true;
    return !fs::is_empty(p, ec) || ec;
}

} // namespace

AtomicFile::AtomicFile(fs::path target) : target_(std::move(target)) {
    temp_ = reserve_temp_file(target_);
    out_.open(temp_, std::ios::binary | std::ios::trunc);
    if (!out_) {
        const std::string reason = errno_text();
        std::error_code ec;
        fs::remove(temp_, ec);
        write_failed(temp_, "open", reason);
    }
}

AtomicFile::~AtomicFile() {
    if (committed_)
        return;
    if (out_.is_open())
        out_.close();
    std::error_code ec; // a destructor must not throw; a leftover temp file is the worst case
    fs::remove(temp_, ec);
}

void AtomicFile::commit() {
    if (committed_)
        return;
    errno = 0;
    out_.flush();
    if (!out_)
        write_failed(temp_, "write", errno != 0 ? errno_text() : "stream error");
    out_.close();
    if (out_.fail())
        write_failed(temp_, "close", errno != 0 ? errno_text() : "stream error");
    std::error_code ec;
    // rename(2) replaces the target atomically when both are on one file system, which holds
    // because the temporary file is in the target's folder.
    fs::rename(temp_, target_, ec);
    if (ec)
        write_failed(target_, "rename " + temp_.string() + " to", ec.message());
    committed_ = true;
}

void write_file_atomic(const fs::path& path, std::string_view content) {
    AtomicFile file(path);
    file.stream().write(content.data(), static_cast<std::streamsize>(content.size()));
    file.commit();
}

AtomicDirectory::AtomicDirectory(fs::path target, bool replace)
    : target_(std::move(target).lexically_normal()), replace_(replace) {
    if (!target_.has_filename())
        target_ = target_.parent_path(); // "out/" names "out"
    if (!replace_ && is_non_empty_or_file(target_))
        throw Error(ErrorCode::kOutputExists,
                    "output " + target_.string() + " exists and is not empty");
    std::error_code ec;
    if (fs::exists(target_, ec) && !fs::is_directory(target_, ec))
        throw Error(ErrorCode::kOutputExists, "output " + target_.string() + " is not a folder");
    // Parent folders are created so that `--out runs/a/b` works on a fresh checkout.
    const fs::path parent = target_.parent_path();
    if (!parent.empty()) {
        fs::create_directories(parent, ec);
        if (ec)
            write_failed(parent, "create folder", ec.message());
    }
    temp_ = reserve_temp_dir(target_, ".tmp-");
}

AtomicDirectory::~AtomicDirectory() {
    if (committed_)
        return;
    std::error_code ec;
    fs::remove_all(temp_, ec);
}

void AtomicDirectory::commit() {
    if (committed_)
        return;
    std::error_code ec;
    if (!replace_ && is_non_empty_or_file(target_))
        throw Error(ErrorCode::kOutputExists,
                    "output " + target_.string() + " appeared while it was being written");
    fs::path old;
    if (fs::exists(target_, ec)) {
        // Move the old folder aside first: rename(2) cannot replace a non-empty folder.
        old = reserve_temp_dir(target_, ".old-");
        fs::remove(old, ec);
        fs::rename(target_, old, ec);
        if (ec)
            write_failed(target_, "move aside", ec.message());
    }
    fs::rename(temp_, target_, ec);
    if (ec) {
        const std::string reason = ec.message();
        if (!old.empty())
            fs::rename(old, target_, ec); // put the old output back
        write_failed(target_, "rename " + temp_.string() + " to", reason);
    }
    committed_ = true;
    if (!old.empty())
        fs::remove_all(old, ec);
}

std::string read_file(const fs::path& path) {
    std::error_code ec;
    const auto st = fs::status(path, ec);
    if (!fs::exists(st))
        throw Error(ErrorCode::kFileNotFound, "cannot open " + path.string() + ": no such file");
    if (fs::is_directory(st))
        throw Error(ErrorCode::kFileUnreadable,
                    "cannot read " + path.string() + ": it is a folder");
    errno = 0;
    std::ifstream in(path, std::ios::binary);
    if (!in)
        throw Error(ErrorCode::kFileUnreadable, "cannot open " + path.string() + ": " +
                                                    (errno != 0 ? errno_text() : "open failed"));
    std::string content;
    char buffer[1 << 16];
    while (in.read(buffer, sizeof buffer) || in.gcount() > 0)
        content.append(buffer, static_cast<std::size_t>(in.gcount()));
    if (in.bad())
        throw Error(ErrorCode::kFileUnreadable, "cannot read " + path.string() + ": " +
                                                    (errno != 0 ? errno_text() : "read failed"));
    return content;
}

std::optional<std::string> read_file(const fs::path& path, Diagnostics& diags) {
    try {
        return read_file(path);
    } catch (const Error& e) {
        diags.error(e.code(), path.string(), 0, 0, "", e.what());
        return std::nullopt;
    }
}

} // namespace rencheng
