// JSON reading through nlohmann::json's SAX interface, tracking the line of every feature.
#include "core/json_reader.hpp"

#include <algorithm>
#include <iterator>

namespace rencheng {

namespace {

constexpr std::size_t kMaxDepth = 512; // deeper documents are refused, not parsed

// Where the parser has read up to. The iterator below updates it on every increment, so the SAX
// handler knows the byte offset and line of the event it receives without rescanning the text.
struct ReadPosition {
    std::size_t offset = 0;     // bytes consumed by the lexer
    int line = 1;               // 1-based line of `offset`
    std::size_t line_start = 0; // offset of the first byte of that line
};

// A forward iterator over the text that reports how far nlohmann's input adapter has read.
// nlohmann reads through `*it` then `++it` (iterator_input_adapter::get_character).
class CountingIterator {
public:
    using iterator_category = std::forward_iterator_tag;
    using value_type = char;
    using difference_type = std::ptrdiff_t;
    using pointer = const char*;
    using reference = const char&;

    CountingIterator() = default;
    CountingIterator(const char* p, const char* begin, ReadPosition* pos)
        : p_(p), begin_(begin), pos_(pos) {}
    reference operator*() const { return *p_; }
    CountingIterator& operator++() {
        const bool newline = *p_ == '\n';
        ++p_;
        if (pos_ != nullptr) {
            pos_->offset = static_cast<std::size_t>(p_ - begin_);
            if (newline) {
                ++pos_->line;
                pos_->line_start = pos_->offset;
            }
        }
        return *this;
    }
    CountingIterator operator++(int) {
        CountingIterator old = *this;
        ++*this;
        return old;
    }
    friend bool operator==(const CountingIterator& a, const CountingIterator& b) {
        return a.p_ == b.p_;
    }

private:
    const char* p_ = nullptr;
    const char* begin_ = nullptr;
    ReadPosition* pos_ = nullptr;
};

// Line and column (1-based) of byte `offset` in `text`, by counting from the start.
std::pair<int, int> line_column(std::string_view text, std::size_t offset) {
    offset = std::min(offset, text.size());
    const std::string_view before = text.substr(0, offset);
    const auto line = 1 + std::count(before.begin(), before.end(), '\n');
    const auto last_newline = before.rfind('\n');
    const std::size_t line_start = last_newline == std::string_view::npos ? 0 : last_newline + 1;
    return {static_cast<int>(line), static_cast<int>(offset - line_start) + 1};
}

// Builds the DOM like nlohmann's json_sax_dom_parser, and in addition reports duplicate keys,
// refuses nesting deeper than kMaxDepth and records the line of each element of the top-level
// "features" array. Containers are tracked on an explicit stack, so nothing recurses.
class DomBuilder {
public:
    using json = nlohmann::json;
    using number_integer_t = json::number_integer_t;
    using number_unsigned_t = json::number_unsigned_t;
    using number_float_t = json::number_float_t;
    using string_t = json::string_t;
    using binary_t = json::binary_t;

    DomBuilder(std::string_view text, const std::string& file, Diagnostics& diags,
               const ReadPosition& pos, JsonDocument& doc)
        : text_(text), file_(file), diags_(diags), pos_(pos), doc_(doc) {}

    bool null() { return put(json(nullptr)); }
    bool boolean(bool v) { return put(json(v)); }
    bool number_integer(number_integer_t v) { return put(json(v)); }
    bool number_unsigned(number_unsigned_t v) { return put(json(v)); }
    bool number_float(number_float_t v, const string_t&) { return put(json(v)); }
    bool string(string_t& v) { return put(json(std::move(v))); }
    bool binary(binary_t& v) { return put(json::binary(std::move(v))); }

    bool start_object(std::size_t) { return open(json::object()); }
    bool end_object() { return close(); }
    bool start_array(std::size_t) { return open(json::array()); }
    bool end_array() { return close(); }

    bool key(string_t& k) {
        json& object = *stack_.back();
        if (object.contains(k)) {
            // The lexer has just read the key and its closing quote; report at the key's start.
            const std::size_t end = pos_.offset;
            const std::size_t start = text_.rfind('"', end >= 2 ? end - 2 : 0);
            const auto [line, column] = position_of(start == std::string_view::npos ? end : start);
            diags_.error(ErrorCode::kJsonSyntax, file_, line, column, k,
                         "duplicate key \"" + k + "\" in an object (the last value is kept)");
        }
        pending_key_ = &object[k];
        if (stack_.size() == 1 && k == "features") { // a repeated key: the last one counts
            features_key_ = pending_key_;
            features_ = nullptr;
            doc_.feature_lines.clear();
        }
        return true;
    }

    bool parse_error(std::size_t position, const std::string&,
                     const nlohmann::detail::exception& ex) {
        // `position` counts the characters read including the offending one (or the end).
        const auto [line, column] = position_of(position > 0 ? position - 1 : 0);
        diags_.error(ErrorCode::kJsonSyntax, file_, line, column, "", clean_message(ex.what()));
        failed_ = true;
        return false;
    }

    [[nodiscard]] bool failed() const { return failed_; }

private:
    std::string_view text_;
    const std::string& file_;
    Diagnostics& diags_;
    const ReadPosition& pos_;
    JsonDocument& doc_;
    std::vector<json*> stack_;
    json* pending_key_ = nullptr;  // slot for the value after a key
    json* features_key_ = nullptr; // slot of the top-level "features" value
    json* features_ = nullptr;     // the top-level "features" array, once started
    bool failed_ = false;

    // nlohmann's what() is "[json.exception.parse_error.101] parse error at line 1, column 2:
    // syntax error ..."; keep what follows the position, which we report ourselves.
    static std::string clean_message(std::string_view what) {
        const auto colon = what.find(": ");
        if (what.starts_with("[json.exception") && colon != std::string_view::npos)
            what.remove_prefix(colon + 2);
        return std::string(what);
    }

    // Line and column of byte `at`, which is at or shortly before where the lexer is: counted
    // back from the lexer's line, so that a document's elements cost O(size) in all.
    std::pair<int, int> position_of(std::size_t at) const {
        if (at > pos_.offset)
            return line_column(text_, at);
        int line = pos_.line;
        std::size_t start = pos_.line_start;
        while (at < start) { // step back one line; text_[start - 1] is its newline
            --line;
            const auto prev = start >= 2 ? text_.rfind('\n', start - 2) : std::string_view::npos;
            start = prev == std::string_view::npos ? 0 : prev + 1;
        }
        return {line, static_cast<int>(at - start) + 1};
    }

    // Line of the element that just started or ended, found by stepping back over blanks.
    int element_line() const {
        std::size_t at = std::min(pos_.offset, text_.size());
        while (at > 0 && std::string_view(" \t\r\n,").find(text_[at - 1]) != std::string_view::npos)
            --at;
        return position_of(at > 0 ? at - 1 : 0).first;
    }

    json* place(json&& value) {
        if (stack_.empty()) {
            doc_.root = std::move(value);
            return &doc_.root;
        }
        json& parent = *stack_.back();
        if (parent.is_array()) {
            if (&parent == features_)
                doc_.feature_lines.push_back(element_line());
            parent.push_back(std::move(value));
            return &parent.back();
        }
        *pending_key_ = std::move(value);
        return pending_key_;
    }

    bool put(json&& value) {
        place(std::move(value));
        return true;
    }

    bool open(json&& container) {
        if (stack_.size() >= kMaxDepth) {
            const auto [line, column] = position_of(pos_.offset > 0 ? pos_.offset - 1 : 0);
            diags_.error(ErrorCode::kJsonSyntax, file_, line, column, "",
                         "nesting deeper than " + std::to_string(kMaxDepth) + " levels");
            failed_ = true;
            return false;
        }
        json* slot = place(std::move(container));
        if (stack_.size() == 1 && slot == features_key_ && slot->is_array()) {
            features_ = slot;
        }
        stack_.push_back(slot);
        return true;
    }

    bool close() {
        stack_.pop_back();
        return true;
    }
};

} // namespace

JsonDocument parse_json(std::string_view text, const std::string& file, Diagnostics& diags) {
    JsonDocument doc;
    try {
        ReadPosition pos;
        DomBuilder builder(text, file, diags, pos, doc);
        const CountingIterator first(text.data(), text.data(), &pos);
        const CountingIterator last(text.data() + text.size(), text.data(), nullptr);
        const bool ok = nlohmann::json::sax_parse(first, last, &builder);
        if (!ok || builder.failed()) {
            if (!builder.failed()) // the parser stopped without telling why
                diags.error(ErrorCode::kJsonSyntax, file, 0, 0, "", "invalid JSON");
            doc = JsonDocument{};
        }
    } catch (const std::exception& e) {
        // Nothing may escape to the caller (fuzzed): e.g. out of memory on a huge input.
        diags.error(ErrorCode::kJsonSyntax, file, 0, 0, "",
                    std::string("cannot parse JSON: ") + e.what());
        doc = JsonDocument{};
    }
    return doc;
}

} // namespace rencheng
