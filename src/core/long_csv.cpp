// Long and summary CSV rows, and CSV text streamed to a file in blocks.
#include "core/long_csv.hpp"

#include <charconv>
#include <ostream>

#include "core/atomic_file.hpp"

namespace rencheng {

void append_csv_field(std::string& out, std::string_view field) {
    if (field.find_first_of(",\"\n\r") == std::string_view::npos) {
        out += field;
        return;
    }
    out += '"';
    for (const char c : field) {
        if (c == '"')
            out += '"';
        out += c;
    }
    out += '"';
}

std::string csv_field(std::string_view field) {
    std::string out;
    append_csv_field(out, field);
    return out;
}

void append_csv_number(std::string& out, double v) {
    char buf[32];
    const auto r = std::to_chars(buf, buf + sizeof buf, v == 0 ? 0.0 : v);
    out.append(buf, r.ptr);
}

void append_long_row(std::string& out, std::int64_t t, std::string_view type, std::string_view id,
                     std::string_view quantity, double v) {
    char buf[24];
    const auto r = std::to_chars(buf, buf + sizeof buf, t);
    out.append(buf, r.ptr);
    out += ',';
    append_summary_row(out, type, id, quantity, v);
}

void append_summary_row(std::string& out, std::string_view type, std::string_view id,
                        std::string_view quantity, double v) {
    out += type;
    out += ',';
    append_csv_field(out, id);
    out += ',';
    out += quantity;
    out += ',';
    append_csv_number(out, v);
    out += '\n';
}

void CsvBuffer::flush_block() {
    if (sink_ != nullptr && text_.size() >= kBlock)
        write();
}

void CsvBuffer::finish() {
    if (sink_ != nullptr)
        write();
}

void CsvBuffer::write() {
    sink_->write(text_.data(), static_cast<std::streamsize>(text_.size()));
    text_.clear();
}

void write_csv_atomic(const std::filesystem::path& path,
                      const std::function<void(CsvBuffer&)>& fill) {
    AtomicFile file(path);
    CsvBuffer buffer(&file.stream());
    fill(buffer);
    buffer.finish();
    file.commit();
}

} // namespace rencheng
