// Arithmetic expressions of SWMM 5.2 control rules (`EXPRESSION name = ...` in [CONTROLS]) and
// custom groundwater flows ([GWF]): numbers, named variables, + − * / ^, unary minus,
// parentheses and the functions COS, SIN, TAN, COT, ABS, SGN, SQRT, LOG (natural), EXP, ASIN,
// ACOS, ATAN, ACOT, SINH, COSH, TANH, COTH, LOG10 and STEP (1 above zero, else 0), as SWMM's
// mathexpr.c reads and evaluates them: a power of a base at or below zero, the square root of a
// negative number, the logarithm of zero or less, COT(0) and LOG10(0) are 0, and a result that
// is not a number is 0. Compiled once into a postfix program; evaluation allocates nothing
// beyond a small stack.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace rencheng::drainage {

class MathExpression {
public:
    MathExpression() = default;
    /// Parses `text`; `variable` maps a name to its index (nullopt: not a variable). Returns
    /// nullopt and sets `error` (what is wrong, with the offending token) when the text is not
    /// an expression.
    static std::optional<MathExpression>
    parse(std::string_view text,
          const std::function<std::optional<std::int32_t>(std::string_view)>& variable,
          std::string& error);

    /// The value with variable i taking `values(i)` (0 where the arithmetic is illegal).
    [[nodiscard]] double evaluate(const std::function<double(std::int32_t)>& values) const;

    /// The variables it reads (indices, each once, in order of first use).
    [[nodiscard]] const std::vector<std::int32_t>& variables() const { return variables_; }

    enum class Op : std::uint8_t {
        kNumber,
        kVariable,
        kAdd,
        kSub,
        kMul,
        kDiv,
        kPow,
        kNeg,
        kCos,
        kSin,
        kTan,
        kCot,
        kAbs,
        kSgn,
        kSqrt,
        kLog,
        kExp,
        kAsin,
        kAcos,
        kAtan,
        kAcot,
        kSinh,
        kCosh,
        kTanh,
        kCoth,
        kLog10,
        kStep
    };
    struct Instruction {
        Op op = Op::kNumber;
        double number = 0;      ///< kNumber
        std::int32_t index = 0; ///< kVariable
    };

private:
    std::vector<Instruction> program_; ///< postfix
    std::vector<std::int32_t> variables_;
};

} // namespace rencheng::drainage
