// SWMM 5.2 runoff interface files (see runoff_file.hpp for the layout).
#include "drainage/runoff_file.hpp"

#include <cmath>
#include <cstring>
#include <string_view>

#include "core/atomic_file.hpp"
#include "core/error.hpp"
#include "drainage/network.hpp"

namespace rencheng::drainage {
namespace {

constexpr std::string_view kStamp = "SWMM5-RUNOFF";
constexpr double kInch = 0.0254;
constexpr double kFoot = 0.3048;
constexpr std::size_t kHeaderBytes = 12 + 4 * 4;

std::size_t count_pollutants(const Network& net) {
    const auto* raw = net.raw_section("POLLUTANTS");
    return raw ? raw->rows.size() : 0;
}

} // namespace

RunoffFile::RunoffFile(const Network& net)
    : subcatchments_(net.subcatchments.count()), pollutants_(count_pollutants(net)),
      flow_units_(static_cast<std::int32_t>(net.options.flow_units)),
      si_(is_si(net.options.flow_units)),
      // SWMM writes its internal cfs (ft³/s, exact) times its own factor to the model's units
      flow_m3s_(kFoot * kFoot * kFoot / swmm_flow_units_per_cfs(net.options.flow_units)) {}

RunoffFile RunoffFile::read_file(const Network& net, const std::filesystem::path& path) {
    return read_bytes(net, rencheng::read_file(path), path.string());
}

RunoffFile RunoffFile::read_bytes(const Network& net, const std::string& bytes,
                                  const std::string& file) {
    const auto fail = [&](const std::string& what) {
        throw Error(ErrorCode::kNumberSyntax, file + ": runoff interface file: " + what);
    };
    if (bytes.compare(0, kStamp.size(), kStamp) != 0)
        fail("it does not begin with SWMM's stamp 'SWMM5-RUNOFF' (not a runoff interface file)");
    if (bytes.size() < kHeaderBytes)
        fail("it ends in its header");
    RunoffFile f(net);
    std::int32_t head[4];
    std::memcpy(head, bytes.data() + kStamp.size(), sizeof head);
    const auto check = [&](std::int32_t in_file, std::int32_t model, const char* what) {
        if (in_file != model)
            fail(std::string("it was written for ") + std::to_string(in_file) + " " + what +
                 ", the model has " + std::to_string(model) + " (SWMM requires the same)");
    };
    check(head[0], f.subcatchments_, "subcatchments");
    check(head[1], static_cast<std::int32_t>(f.pollutants_), "pollutants");
    if (head[2] != f.flow_units_)
        fail("it was written with flow units code " + std::to_string(head[2]) +
             ", the model's is " + std::to_string(f.flow_units_) +
             " (SWMM requires the same flow units)");
    if (head[3] <= 0)
        fail("it holds no runoff steps");
    const auto steps = static_cast<std::size_t>(head[3]);
    const std::size_t per_step = 4 + 4 * static_cast<std::size_t>(f.subcatchments_) * f.width();
    const std::size_t body = bytes.size() - kHeaderBytes;
    if (body != steps * per_step)
        fail("its length does not hold its " + std::to_string(steps) + " steps (" +
             std::to_string(body) + " bytes after the header, " + std::to_string(steps * per_step) +
             " expected)");
    f.step_s_.resize(steps);
    f.values_.resize(steps * static_cast<std::size_t>(f.subcatchments_) * f.width());
    const char* p = bytes.data() + kHeaderBytes;
    const std::size_t row = static_cast<std::size_t>(f.subcatchments_) * f.width();
    for (std::size_t k = 0; k < steps; ++k) {
        std::memcpy(&f.step_s_[k], p, 4);
        p += 4;
        if (!(f.step_s_[k] > 0) || !std::isfinite(f.step_s_[k]))
            fail("step " + std::to_string(k + 1) + " is not a positive length of time");
        std::memcpy(f.values_.data() + k * row, p, 4 * row);
        p += 4 * row;
        for (std::size_t v = 0; v < row; ++v)
            if (!std::isfinite(f.values_[k * row + v]))
                fail("step " + std::to_string(k + 1) + ", subcatchment '" +
                     net.subcatchments.id[v / f.width()] + "': a value is not a number");
    }
    return f;
}

void RunoffFile::add_step(double step_s, const std::vector<RunoffStepResult>& results,
                          const std::vector<double>& washoff) {
    step_s_.push_back(static_cast<float>(step_s));
    const double rate = si_ ? 3600.0 * 1000.0 : 3600.0 / kInch;   // m/s → mm/h or in/h
    const double evap = si_ ? 86400.0 * 1000.0 : 86400.0 / kInch; // m/s → mm/day or in/day
    const double length = si_ ? 1.0 : 1.0 / kFoot;
    for (std::int32_t i = 0; i < subcatchments_; ++i) {
        const RunoffStepResult r =
            static_cast<std::size_t>(i) < results.size() ? results[i] : RunoffStepResult{};
        const double v[kValues] = {
            r.rain_ms * rate,         r.snow_depth_m * (si_ ? 1000.0 : 1.0 / kInch),
            r.evap_ms * evap,         r.infil_ms * rate,
            r.runoff_m3s / flow_m3s_, r.groundwater_m3s / flow_m3s_,
            r.water_table_m * length, r.upper_moisture};
        for (const double x : v)
            values_.push_back(static_cast<float>(x));
        for (std::size_t p = 0; p < pollutants_; ++p) {
            const std::size_t k = static_cast<std::size_t>(i) * pollutants_ + p;
            values_.push_back(k < washoff.size() ? static_cast<float>(washoff[k]) : 0.0F);
        }
    }
}

std::string RunoffFile::to_bytes() const {
    std::string out(kStamp);
    const std::int32_t head[4] = {subcatchments_, static_cast<std::int32_t>(pollutants_),
                                  flow_units_, static_cast<std::int32_t>(step_s_.size())};
    out.append(reinterpret_cast<const char*>(head), sizeof head);
    const std::size_t row = static_cast<std::size_t>(subcatchments_) * width();
    for (std::size_t k = 0; k < step_s_.size(); ++k) {
        out.append(reinterpret_cast<const char*>(&step_s_[k]), 4);
        out.append(reinterpret_cast<const char*>(values_.data() + k * row), 4 * row);
    }
    return out;
}

void RunoffFile::write_file(const std::filesystem::path& path) const {
    write_file_atomic(path, to_bytes());
}

RunoffStepResult RunoffFile::result(std::size_t k, std::size_t i) const {
    const float* v = values_.data() + (k * static_cast<std::size_t>(subcatchments_) + i) * width();
    const double rate = si_ ? 3600.0 * 1000.0 : 3600.0 / kInch;
    const double evap = si_ ? 86400.0 * 1000.0 : 86400.0 / kInch;
    const double length = si_ ? 1.0 : kFoot;
    RunoffStepResult r;
    r.rain_ms = static_cast<double>(v[0]) / rate;
    r.snow_depth_m = static_cast<double>(v[1]) * (si_ ? 0.001 : kInch);
    r.evap_ms = static_cast<double>(v[2]) / evap;
    r.infil_ms = static_cast<double>(v[3]) / rate;
    r.runoff_m3s = static_cast<double>(v[4]) * flow_m3s_;
    r.groundwater_m3s = static_cast<double>(v[5]) * flow_m3s_;
    r.water_table_m = static_cast<double>(v[6]) * length;
    r.upper_moisture = static_cast<double>(v[7]);
    return r;
}

} // namespace rencheng::drainage
