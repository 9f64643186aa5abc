// The typhoon hazard in the stress test: track, city centre, storm surge at the outfalls.
#include "sim/typhoon.hpp"

#include <algorithm>
#include <cmath>
#include <set>

namespace rencheng::sim {

hazard::TyphoonTrack typhoon_track(const HazardSpec& hz) {
    if (hz.track_csv.empty())
        return hazard::TyphoonTrack(hz.track);
    Diagnostics diags;
    auto track = hazard::TyphoonTrack::read_csv(hz.track_csv, diags);
    if (!track || diags.has_errors())
        throw Error(ErrorCode::kInconsistent, std::move(diags));
    return std::move(*track);
}

LonLat city_centre(const model::City& city) {
    double people = 0.0, lon = 0.0, lat = 0.0;
    for (const auto& z : city.zones) {
        const auto w = static_cast<double>(std::max<std::int64_t>(z.population, 0));
        people += w;
        lon += w * z.centroid.lon;
        lat += w * z.centroid.lat;
    }
    if (people > 0.0)
        return {lon / people, lat / people};
    const auto& e = city.info.extent;
    return {(e.min_lon + e.max_lon) / 2.0, (e.min_lat + e.max_lat) / 2.0};
}

double put_surge_at_outfalls(drainage::Network& net, const HazardSpec& hz, std::int64_t landfall_s,
                             std::int64_t horizon_s, std::int64_t step_s) {
    std::optional<hazard::SurgeSeries> series;
    if (!hz.surge_series.empty()) {
        Diagnostics diags;
        series = hazard::read_surge_csv(hz.surge_series, diags);
        if (!series || diags.has_errors())
            throw Error(ErrorCode::kInconsistent, std::move(diags));
    }
    const hazard::SurgeHydrograph pulse{hz.surge_peak_m, landfall_s + hz.surge_peak_offset_s,
                                        hz.surge_duration_s};
    // Sample times: a regular grid over the horizon plus the series' own points, so the stage
    // keeps its shape whatever the step.
    std::set<std::int64_t> times;
    for (std::int64_t t = 0; t < horizon_s; t += step_s)
        times.insert(t);
    times.insert(horizon_s);
    if (series)
        for (const auto t : series->time_s)
            if (t >= 0 && t <= horizon_s)
                times.insert(t);
    std::set<std::string> wanted(hz.surge_outfalls.begin(), hz.surge_outfalls.end());
    double highest = -std::numeric_limits<double>::infinity();
    auto& o = net.outfalls;
    for (std::int32_t k = 0; k < o.count(); ++k) {
        const auto node = o.node[k].idx();
        const std::string& id = net.node_id[node];
        if (!wanted.empty() && wanted.count(id) == 0)
            continue;
        const double normal = hz.normal_stage_m                            ? *hz.normal_stage_m
                              : o.type[k] == drainage::OutfallType::kFixed ? o.fixed_stage_m[k]
                                                                           : net.invert_m[node];
        drainage::TimeSeries ts;
        ts.id = "RENCHENG_SURGE_" + id;
        while (net.find_series(ts.id).valid())
            ts.id += "_";
        ts.usage = drainage::SeriesUsage::kStage;
        for (const auto t : times) {
            double stage = normal + pulse.height_m(t);
            if (series)
                stage = series->absolute ? series->at(t) : normal + series->at(t);
            ts.time_s.push_back(static_cast<double>(t));
            ts.value.push_back(stage);
            ts.dated.push_back(0);
            highest = std::max(highest, stage);
        }
        const auto index = static_cast<std::int32_t>(net.series.size());
        net.series_index.emplace(ts.id, index);
        net.series.push_back(std::move(ts));
        o.type[k] = drainage::OutfallType::kTimeSeries;
        o.stage_series[k] = drainage::SeriesIndex{index};
    }
    return highest;
}

} // namespace rencheng::sim
