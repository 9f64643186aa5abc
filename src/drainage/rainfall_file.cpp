// SWMM 5.2 rainfall interface files (see rainfall_file.hpp for the layout).
#include "drainage/rainfall_file.hpp"

#include <cmath>
#include <cstdint>
#include <cstring>
#include <string_view>

#include "core/atomic_file.hpp"
#include "core/error.hpp"

namespace rencheng::drainage {
namespace {

constexpr std::string_view kStamp = "SWMM5-RAIN";
constexpr std::size_t kStationBytes = 1025; // SWMM 5.2's MAXMSG + 1
constexpr std::size_t kGageHeaderBytes = kStationBytes + 3 * 4;
constexpr std::size_t kReadingBytes = 8 + 4;

} // namespace

const RainfallFile::Gage* RainfallFile::find(const std::string& station) const {
    for (const auto& g : gages)
        if (g.station == station)
            return &g;
    return nullptr;
}

RainfallFile RainfallFile::read_file(const std::filesystem::path& path) {
    return read_bytes(rencheng::read_file(path), path.string());
}

RainfallFile RainfallFile::read_bytes(const std::string& bytes, const std::string& file) {
    const auto fail = [&](const std::string& what) {
        throw Error(ErrorCode::kNumberSyntax, file + ": rainfall interface file: " + what);
    };
    if (bytes.compare(0, kStamp.size(), kStamp) != 0)
        fail("it does not begin with SWMM's stamp 'SWMM5-RAIN' (not a rainfall interface file)");
    std::int32_t count = 0;
    if (bytes.size() < kStamp.size() + 4)
        fail("it ends in its header");
    std::memcpy(&count, bytes.data() + kStamp.size(), 4);
    const std::size_t headers = kStamp.size() + 4;
    if (count <= 0 || static_cast<std::size_t>(count) > (bytes.size() - headers) / kGageHeaderBytes)
        fail("its number of gages " + std::to_string(count) + " does not fit the file");
    RainfallFile out;
    for (std::int32_t k = 0; k < count; ++k) {
        const char* h = bytes.data() + headers + static_cast<std::size_t>(k) * kGageHeaderBytes;
        Gage g;
        g.station.assign(h, strnlen(h, kStationBytes));
        std::int32_t v[3];
        std::memcpy(v, h + kStationBytes, sizeof v);
        const std::string who = "gage " + std::to_string(k + 1) + " ('" + g.station + "')";
        if (v[0] <= 0)
            fail(who + ": its interval " + std::to_string(v[0]) + " is not positive");
        g.interval_s = v[0];
        const auto first = static_cast<std::size_t>(std::max(v[1], 0));
        const auto end = static_cast<std::size_t>(std::max(v[2], 0));
        const std::size_t data = headers + static_cast<std::size_t>(count) * kGageHeaderBytes;
        if (v[1] < 0 || v[2] < v[1] || first < data || end > bytes.size() ||
            (end - first) % kReadingBytes != 0)
            fail(who + ": its readings at bytes " + std::to_string(v[1]) + " to " +
                 std::to_string(v[2]) + " are not whole readings inside the file");
        for (std::size_t p = first; p < end; p += kReadingBytes) {
            double day = 0;
            float depth = 0;
            std::memcpy(&day, bytes.data() + p, 8);
            std::memcpy(&depth, bytes.data() + p + 8, 4);
            if (!std::isfinite(day) || !std::isfinite(depth))
                fail(who + ": a reading at byte " + std::to_string(p) + " is not a number");
            g.day.push_back(day);
            g.depth_in.push_back(depth);
        }
        out.gages.push_back(std::move(g));
    }
    return out;
}

std::string RainfallFile::to_bytes() const {
    std::string out(kStamp);
    const auto put_int = [&](std::int32_t v) { out.append(reinterpret_cast<const char*>(&v), 4); };
    put_int(static_cast<std::int32_t>(gages.size()));
    std::size_t pos = out.size() + gages.size() * kGageHeaderBytes;
    for (const auto& g : gages) {
        std::string station = g.station.substr(0, kStationBytes - 1);
        station.resize(kStationBytes, '\0');
        out += station;
        put_int(g.interval_s);
        put_int(static_cast<std::int32_t>(pos));
        pos += g.day.size() * kReadingBytes;
        put_int(static_cast<std::int32_t>(pos));
    }
    for (const auto& g : gages)
        for (std::size_t i = 0; i < g.day.size(); ++i) {
            out.append(reinterpret_cast<const char*>(&g.day[i]), 8);
            out.append(reinterpret_cast<const char*>(&g.depth_in[i]), 4);
        }
    return out;
}

void RainfallFile::write_file(const std::filesystem::path& path) const {
    write_file_atomic(path, to_bytes());
}

} // namespace rencheng::drainage
