// Recursive-descent parser and postfix evaluator of control-rule expressions (SWMM 5.2
// mathexpr.c's grammar: a leading sign applies to the first product term, ^ binds tightest and
// to the right, functions take one parenthesised argument).
#include "drainage/math_expression.hpp"

#include <array>
#include <cctype>
#include <cmath>
#include <cstdlib>

#include "drainage/section_rows.hpp"

namespace rencheng::drainage {

namespace {

using Op = MathExpression::Op;

struct Function {
    std::string_view name;
    Op op;
};
constexpr std::array<Function, 19> kFunctions = {{{"COS", Op::kCos},
                                                  {"SIN", Op::kSin},
                                                  {"TAN", Op::kTan},
                                                  {"COT", Op::kCot},
                                                  {"ABS", Op::kAbs},
                                                  {"SGN", Op::kSgn},
                                                  {"SQRT", Op::kSqrt},
                                                  {"LOG", Op::kLog},
                                                  {"EXP", Op::kExp},
                                                  {"ASIN", Op::kAsin},
                                                  {"ACOS", Op::kAcos},
                                                  {"ATAN", Op::kAtan},
                                                  {"ACOT", Op::kAcot},
                                                  {"SINH", Op::kSinh},
                                                  {"COSH", Op::kCosh},
                                                  {"TANH", Op::kTanh},
                                                  {"COTH", Op::kCoth},
                                                  {"LOG10", Op::kLog10},
                                                  {"STEP", Op::kStep}}};

class Parser {
public:
    Parser(std::string_view text,
           const std::function<std::optional<std::int32_t>(std::string_view)>& variable,
           std::vector<MathExpression::Instruction>& out, std::vector<std::int32_t>& used)
        : s_(text), variable_(variable), out_(out), used_(used) {}

    bool parse(std::string& error) {
        if (!expression() || !(skip(), pos_ == s_.size())) {
            if (error_.empty())
                error_ = "unexpected '" + std::string(s_.substr(pos_, 1)) + "'";
            error = error_;
            return false;
        }
        return true;
    }

private:
    void skip() {
        while (pos_ < s_.size() && std::isspace(static_cast<unsigned char>(s_[pos_])))
            ++pos_;
    }
    bool peek(char c) {
        skip();
        return pos_ < s_.size() && s_[pos_] == c;
    }
    void emit(Op op) { out_.push_back({op, 0.0, 0}); }

    // expr := [+|-] term ((+|-) term)*
    bool expression() {
        // parentheses and function arguments nest this deep at most (a line of '(' must not
        // exhaust the stack)
        constexpr int kMaxDepth = 100;
        if (++depth_ > kMaxDepth) {
            error_ = "the expression nests more than 100 levels deep";
            return false;
        }
        const bool ok = expression_body();
        --depth_;
        return ok;
    }
    bool expression_body() {
        bool negate = false;
        if (peek('-') || peek('+')) {
            negate = s_[pos_] == '-';
            ++pos_;
        }
        if (!term())
            return false;
        if (negate)
            emit(Op::kNeg);
        while (peek('+') || peek('-')) {
            const Op op = s_[pos_] == '+' ? Op::kAdd : Op::kSub;
            ++pos_;
            if (!term())
                return false;
            emit(op);
        }
        return true;
    }
    // term := power ((*|/) power)*
    bool term() {
        if (!power())
            return false;
        while (peek('*') || peek('/')) {
            const Op op = s_[pos_] == '*' ? Op::kMul : Op::kDiv;
            ++pos_;
            if (!power())
                return false;
            emit(op);
        }
        return true;
    }
    // power := primary [^ power]
    bool power() {
        if (!primary())
            return false;
        if (peek('^')) {
            ++pos_;
            if (!power())
                return false;
            emit(Op::kPow);
        }
        return true;
    }
    // primary := number | name | function ( expr ) | ( expr )
    bool primary() {
        skip();
        if (pos_ >= s_.size()) {
            error_ = "the expression ends early";
            return false;
        }
        const char c = s_[pos_];
        if (c == '(') {
            ++pos_;
            if (!expression())
                return false;
            if (!peek(')')) {
                error_ = "missing ')'";
                return false;
            }
            ++pos_;
            return true;
        }
        if (std::isdigit(static_cast<unsigned char>(c)) || c == '.') {
            const std::string rest(s_.substr(pos_));
            char* end = nullptr;
            const double v = std::strtod(rest.c_str(), &end);
            if (end == rest.c_str()) {
                error_ = "bad number at '" + rest.substr(0, 8) + "'";
                return false;
            }
            pos_ += static_cast<std::size_t>(end - rest.c_str());
            out_.push_back({Op::kNumber, v, 0});
            return true;
        }
        if (std::isalpha(static_cast<unsigned char>(c)) || c == '_') {
            const std::size_t start = pos_;
            while (pos_ < s_.size() &&
                   (std::isalnum(static_cast<unsigned char>(s_[pos_])) || s_[pos_] == '_'))
                ++pos_;
            const std::string_view name = s_.substr(start, pos_ - start);
            for (const auto& f : kFunctions)
                if (rows::iequals(name, f.name)) {
                    if (!peek('(')) {
                        error_ = "function " + std::string(f.name) + " needs '('";
                        return false;
                    }
                    ++pos_;
                    if (!expression())
                        return false;
                    if (!peek(')')) {
                        error_ = "missing ')' after the argument of " + std::string(f.name);
                        return false;
                    }
                    ++pos_;
                    emit(f.op);
                    return true;
                }
            const auto index = variable_(name);
            if (!index) {
                error_ = "'" + std::string(name) + "' is not a named VARIABLE";
                return false;
            }
            out_.push_back({Op::kVariable, 0.0, *index});
            bool seen = false;
            for (const auto u : used_)
                seen = seen || u == *index;
            if (!seen)
                used_.push_back(*index);
            return true;
        }
        error_ = "unexpected '" + std::string(1, c) + "'";
        return false;
    }

    std::string_view s_;
    std::size_t pos_ = 0;
    const std::function<std::optional<std::int32_t>(std::string_view)>& variable_;
    std::vector<MathExpression::Instruction>& out_;
    std::vector<std::int32_t>& used_;
    std::string error_;
    int depth_ = 0;
};

} // namespace

std::optional<MathExpression>
MathExpression::parse(std::string_view text,
                      const std::function<std::optional<std::int32_t>(std::string_view)>& variable,
                      std::string& error) {
    MathExpression e;
    Parser p(text, variable, e.program_, e.variables_);
    if (!p.parse(error))
        return std::nullopt;
    return e;
}

double MathExpression::evaluate(const std::function<double(std::int32_t)>& values) const {
    std::vector<double> stack;
    stack.reserve(program_.size());
    auto pop = [&]() {
        const double v = stack.back();
        stack.pop_back();
        return v;
    };
    for (const auto& in : program_) {
        switch (in.op) {
        case Op::kNumber:
            stack.push_back(in.number);
            continue;
        case Op::kVariable:
            stack.push_back(values(in.index));
            continue;
        case Op::kAdd:
        case Op::kSub:
        case Op::kMul:
        case Op::kDiv:
        case Op::kPow: {
            const double b = pop(), a = pop();
            double r = 0;
            switch (in.op) {
            case Op::kAdd:
                r = a + b;
                break;
            case Op::kSub:
                r = a - b;
                break;
            case Op::kMul:
                r = a * b;
                break;
            case Op::kDiv:
                r = a / b;
                break;
            default: // a power of a base at or below zero is 0 (SWMM mathexpr.c)
                r = a <= 0.0 ? 0.0 : std::pow(a, b);
                break;
            }
            stack.push_back(r);
            continue;
        }
        default:
            break;
        }
        const double x = pop();
        double r = 0;
        switch (in.op) {
        case Op::kNeg:
            r = -x;
            break;
        case Op::kCos:
            r = std::cos(x);
            break;
        case Op::kSin:
            r = std::sin(x);
            break;
        case Op::kTan:
            r = std::tan(x);
            break;
        case Op::kCot:
            r = x == 0.0 ? 0.0 : 1.0 / std::tan(x);
            break;
        case Op::kAbs:
            r = std::fabs(x);
            break;
        case Op::kSgn:
            r = x > 0 ? 1.0 : (x < 0 ? -1.0 : 0.0);
            break;
        case Op::kSqrt:
            r = x < 0.0 ? 0.0 : std::sqrt(x);
            break;
        case Op::kLog:
            r = x <= 0.0 ? 0.0 : std::log(x);
            break;
        case Op::kExp:
            r = std::exp(x);
            break;
        case Op::kAsin:
            r = std::asin(x);
            break;
        case Op::kAcos:
            r = std::acos(x);
            break;
        case Op::kAtan:
            r = std::atan(x);
            break;
        case Op::kAcot:
            r = 1.57079632679489661923 - std::atan(x);
            break;
        case Op::kSinh:
            r = std::sinh(x);
            break;
        case Op::kCosh:
            r = std::cosh(x);
            break;
        case Op::kTanh:
            r = std::tanh(x);
            break;
        case Op::kCoth:
            r = 1.0 / std::tanh(x);
            break;
        case Op::kLog10:
            r = x == 0.0 ? 0.0 : std::log10(x);
            break;
        case Op::kStep:
            r = x > 0 ? 1.0 : 0.0;
            break;
        default:
            break;
        }
        stack.push_back(r);
    }
    const double result = stack.empty() ? 0.0 : stack.back();
    return std::isnan(result) ? 0.0 : result; // an illegal operation gives 0, as in SWMM
}

} // namespace rencheng::drainage
