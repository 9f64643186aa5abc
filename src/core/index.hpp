// Strong index types: dense 0-based indices that cannot be mixed up between element kinds.
#pragma once

#include <compare>
#include <cstdint>
#include <functional>
#include <limits>

namespace rencheng {

/// A dense 0-based index tagged with the kind of element it indexes. `StrongIndex<NodeTag>` and
/// `StrongIndex<LinkTag>` are different types, so a link index is never passed as a node index.
template <typename Tag, typename Rep = std::int32_t> class StrongIndex {
public:
    using rep_type = Rep;
    static constexpr Rep kInvalid = std::numeric_limits<Rep>::max();

    constexpr StrongIndex() = default;
    constexpr explicit StrongIndex(Rep value) : value_(value) {}

    [[nodiscard]] constexpr Rep value() const { return value_; }
    [[nodiscard]] constexpr bool valid() const { return value_ != kInvalid; }
    /// For subscripting std::vector and friends.
    [[nodiscard]] constexpr std::size_t idx() const { return static_cast<std::size_t>(value_); }

    constexpr auto operator<=>(const StrongIndex&) const = default;
    constexpr StrongIndex& operator++() {
        ++value_;
        return *this;
    }

private:
    Rep value_ = kInvalid;
};

} // namespace rencheng

template <typename Tag, typename Rep> struct std::hash<rencheng::StrongIndex<Tag, Rep>> {
    std::size_t operator()(const rencheng::StrongIndex<Tag, Rep>& i) const noexcept {
        return std::hash<Rep>{}(i.value());
    }
};
