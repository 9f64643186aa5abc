// Fuzz target for the hazard text readers: ShakeMap grid.xml, the Vs30 grid CSV, the rain series
// CSV and the typhoon track CSV. Any input is handled without a crash; what is read is usable.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "hazard/earthquake.hpp"
#include "hazard/rainfall.hpp"
#include "hazard/wind.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace rencheng::hazard;
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    rencheng::Diagnostics d1, d2, d3, d4;
    if (const auto g = ShakeMapGrid::parse(text, "grid.xml", d1)) {
        if (d1.has_errors() || g->nlon() < 2 || g->nlat() < 2)
            __builtin_trap();
        const auto b = g->bounds();
        const rencheng::LonLat mid{(b.min_lon + b.max_lon) / 2, (b.min_lat + b.max_lat) / 2};
        if (!g->at(mid))
            __builtin_trap();
        if (g->at({b.max_lon + 1.0, mid.lat}))
            __builtin_trap();
    }
    if (const auto v = Vs30Field::parse_csv(text, "vs30.csv", d2))
        if (!(v->at({0.0, 0.0}) > 0.0))
            __builtin_trap();
    if (const auto h = parse_rain_series_csv(text, "rain.csv", d3)) {
        if (h->step_s <= 0 || h->intensity_mm_h.size() < 2)
            __builtin_trap();
        (void)h->depth_mm_between(h->start_s, h->end_s());
    }
    if (const auto t = TyphoonTrack::parse_csv(text, "track.csv", d4)) {
        const TyphoonWindField f(*t);
        const double g = f.gust_10m_ms(t->points().front().centre, t->start_s());
        if (!(g >= 0.0) || !std::isfinite(g))
            __builtin_trap();
    }
    for (const auto* d : {&d1, &d2, &d3, &d4})
        for (const auto& item : d->items())
            (void)rencheng::format_diagnostic(item);
    return 0;
}
