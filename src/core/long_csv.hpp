// Writing the long results CSV `time_s,type,id,quantity,value` shared by every lifeline
// (DESIGN.md §5) and the summary CSV `type,id,quantity,value`, in memory or streamed to a file.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <iosfwd>
#include <string>
#include <string_view>

namespace rencheng {

/// Appends `field` as one CSV field: as it is, or in double quotes with inner quotes doubled
/// where it holds a comma, a quote or a line end (RFC 4180).
void append_csv_field(std::string& out, std::string_view field);

/// `field` as one CSV field (append_csv_field()'s text).
std::string csv_field(std::string_view field);

/// Appends `v` in the shortest form that reads back to the same double; -0 as 0.
void append_csv_number(std::string& out, double v);

/// Appends the row `t,type,id,quantity,value` and its line end; `id` quoted as RFC 4180 requires.
void append_long_row(std::string& out, std::int64_t t, std::string_view type, std::string_view id,
                     std::string_view quantity, double v);

/// Appends the summary row `type,id,quantity,value` and its line end.
void append_summary_row(std::string& out, std::string_view type, std::string_view id,
                        std::string_view quantity, double v);

/// CSV text built in a string. Without a stream the string keeps the whole text (`text()`);
/// with one, `flush_block()` hands the text on to it whenever a block of about 1 MiB has built up
/// and `finish()` hands on the rest, so a long run's results never sit whole in memory.
class CsvBuffer {
public:
    explicit CsvBuffer(std::ostream* sink = nullptr) : sink_(sink) {}

    std::string& text() { return text_; }
    /// With a stream: writes the text out and empties it once it holds a block.
    void flush_block();
    /// With a stream: writes out what is left.
    void finish();

private:
    static constexpr std::size_t kBlock = std::size_t{1} << 20;
    void write();

    std::ostream* sink_;
    std::string text_;
};

/// Writes the text `fill` builds to `path` atomically (AtomicFile), streamed through a CsvBuffer.
/// Throws Error(kWriteFailed) naming the file on failure; the target is then untouched.
void write_csv_atomic(const std::filesystem::path& path,
                      const std::function<void(CsvBuffer&)>& fill);

} // namespace rencheng
