// SWMM 5.2 hot start files (see hot_start.hpp for the layout).
#include "drainage/hot_start.hpp"

#include <cmath>
#include <cstring>
#include <string_view>

#include "core/atomic_file.hpp"
#include "core/error.hpp"
#include "drainage/network.hpp"
#include "drainage/section_rows.hpp"

namespace rencheng::drainage {
namespace {

constexpr double kFoot = 0.3048;
constexpr double kCfs = kFoot * kFoot * kFoot;
constexpr std::string_view kStamp = "SWMM5-HOTSTART"; // version 1; later ones add 2, 3 or 4
constexpr int kValuesPerSnowPack = 15;                // 5 for each of 3 snow surfaces
constexpr double kSwmmKgPerLb = 1.0 / 2.203;          // SWMM's 2.203·10⁻⁶ lb per mg

/// A snow pack value of a surface (snow, free water, cold content in ft; ATI in °F; a ratio) in
/// SI (m, °C), by its place `k` in the file's 15.
double snow_from_swmm(std::size_t k, double v) {
    switch (k % 5) {
    case 3:
        return (v - 32.0) / 1.8;
    case 4:
        return v;
    default:
        return v * kFoot;
    }
}
double snow_to_swmm(std::size_t k, double v) {
    switch (k % 5) {
    case 3:
        return 1.8 * v + 32.0;
    case 4:
        return v;
    default:
        return v / kFoot;
    }
}

/// SWMM's flow units codes (enums.h FlowUnitsType) are our FlowUnits in order.
std::int32_t flow_units_code(FlowUnits u) {
    return static_cast<std::int32_t>(u);
}

std::int32_t count_rows(const Network& net, std::string_view section) {
    const auto* raw = net.raw_section(section);
    return raw ? static_cast<std::int32_t>(raw->rows.size()) : 0;
}

/// Factors from SWMM's units of an infiltration state (infil_getState) to ours, by model.
std::array<double, 6> infiltration_units(InfiltrationModel m) {
    switch (m) {
    case InfiltrationModel::kHorton:
    case InfiltrationModel::kModifiedHorton:
        return {1, kFoot, 1, 1, 1, 1}; // tp (s), Fe (ft)
    case InfiltrationModel::kGreenAmpt:
    case InfiltrationModel::kModifiedGreenAmpt:
        return {1, kFoot, kFoot, 1, 1, 1}; // IMD, F, Fu (ft), Sat, T (s)
    case InfiltrationModel::kCurveNumber:
        return {kFoot, kFoot, kFoot, 1, kFoot, kFoot}; // S, P, F (ft), T (s), Se (ft), f (ft/s)
    }
    return {1, 1, 1, 1, 1, 1};
}

/// Groundwater state: moisture, water table (ft), flow (ft/s), infiltration room (ft).
constexpr std::array<double, 4> kGroundwaterUnits = {1, kFoot, kFoot, kFoot};

/// What the model holds that shapes the file.
struct Layout {
    std::int32_t subcatchments = 0, land_uses = 0, nodes = 0, links = 0, pollutants = 0;
    std::vector<char> has_groundwater, has_snow;
    std::vector<InfiltrationModel> infiltration;
    /// Per pollutant: kg per unit of SWMM's buildup (its lbs in US models for mg and µg
    /// pollutants, else 1: kg, counts).
    std::vector<double> buildup_kg;

    explicit Layout(const Network& net)
        : subcatchments(net.subcatchments.count()), land_uses(count_rows(net, "LANDUSES")),
          nodes(net.node_count()), links(net.link_count()),
          pollutants(count_rows(net, "POLLUTANTS")),
          has_groundwater(static_cast<std::size_t>(subcatchments), 0),
          has_snow(static_cast<std::size_t>(subcatchments), 0) {
        if (const auto* raw = net.raw_section("GROUNDWATER"))
            for (const auto& row : raw->rows)
                if (!row.empty())
                    if (const auto it = net.subcatchments.index.find(row[0]);
                        it != net.subcatchments.index.end())
                        has_groundwater[static_cast<std::size_t>(it->second)] = 1;
        for (std::int32_t i = 0; i < subcatchments; ++i) {
            has_snow[static_cast<std::size_t>(i)] =
                net.subcatchments.snowpack[static_cast<std::size_t>(i)].empty() ? 0 : 1;
            const auto& p = net.subcatchments.infiltration[static_cast<std::size_t>(i)];
            infiltration.push_back(p.model_given ? p.model : net.options.infiltration);
        }
        if (const auto* raw = net.raw_section("POLLUTANTS"))
            for (const auto& row : raw->rows)
                buildup_kg.push_back(!is_si(net.options.flow_units) &&
                                             !(row.size() > 1 && rows::iequals(row[1], "#/L"))
                                         ? kSwmmKgPerLb
                                         : 1.0);
    }

    /// Doubles of water quality per subcatchment: runoff and ponded concentrations, per land use
    /// its buildups and the last sweeping (`square`: SWMM 5.2.4's writer, which puts out as many
    /// values for each pollutant's buildup as there are pollutants).
    [[nodiscard]] std::size_t quality_doubles(bool square) const {
        if (pollutants == 0)
            return 0;
        const auto p = static_cast<std::size_t>(pollutants);
        return 2 * p + static_cast<std::size_t>(land_uses) * ((square ? p * p : p) + 1);
    }
    /// Bytes after the header for a file of `version`.
    [[nodiscard]] std::size_t body_bytes(int version, bool square, const Network& net) const {
        std::size_t n = 0;
        const auto p = static_cast<std::size_t>(pollutants);
        if (version >= 3)
            for (std::int32_t i = 0; i < subcatchments; ++i) {
                std::size_t d = 4 + 6 + quality_doubles(square);
                d += has_groundwater[static_cast<std::size_t>(i)] ? 4 : 0;
                d += has_snow[static_cast<std::size_t>(i)] ? kValuesPerSnowPack : 0;
                n += 8 * d;
            }
        if (version == 2)
            n += 4 * 2 * static_cast<std::size_t>(subcatchments);
        for (std::int32_t k = 0; k < nodes; ++k) {
            std::size_t f = 2 + p + (version <= 2 ? p : 0);
            if (version >= 4 &&
                net.node_kind[static_cast<std::size_t>(net.node_of_swmm_number(k))] ==
                    NodeKind::kStorage)
                f += 1;
            n += 4 * f;
        }
        n += 4 * (3 + p) * static_cast<std::size_t>(links);
        return n;
    }
};

} // namespace

HotStart HotStart::read_file(const Network& net, const std::filesystem::path& path) {
    return read_bytes(net, rencheng::read_file(path), path.string());
}

HotStart HotStart::read_bytes(const Network& net, const std::string& bytes,
                              const std::string& file) {
    const auto fail = [&](const std::string& what) {
        throw Error(ErrorCode::kNumberSyntax, file + ": hot start file: " + what);
    };
    HotStart h;
    std::size_t pos = 0;
    if (bytes.size() >= kStamp.size() + 1 && bytes.compare(0, kStamp.size(), kStamp) == 0 &&
        bytes[kStamp.size()] >= '2' && bytes[kStamp.size()] <= '4') {
        h.version = bytes[kStamp.size()] - '0';
        pos = kStamp.size() + 1;
    } else if (bytes.compare(0, kStamp.size(), kStamp) == 0) {
        h.version = 1;
        pos = kStamp.size();
    } else {
        fail("it does not begin with SWMM's stamp 'SWMM5-HOTSTART' (not a hot start file)");
    }
    const auto take = [&](void* out, std::size_t n, const char* what) {
        if (pos + n > bytes.size())
            fail(std::string("it ends in ") + what);
        std::memcpy(out, bytes.data() + pos, n);
        pos += n;
    };
    const Layout layout(net);
    auto header = [&](std::int32_t expected, const char* what) {
        std::int32_t v = 0;
        take(&v, sizeof v, "its header");
        if (v != expected)
            fail(std::string("it was written for ") + std::to_string(v) + " " + what +
                 ", the model has " + std::to_string(expected) +
                 " (SWMM requires the same numbers of objects)");
    };
    if (h.version >= 2)
        header(layout.subcatchments, "subcatchments");
    if (h.version >= 3)
        header(layout.land_uses, "land uses");
    header(layout.nodes, "nodes");
    header(layout.links, "links");
    header(layout.pollutants, "pollutants");
    {
        std::int32_t units = -1;
        take(&units, sizeof units, "its header");
        if (units != flow_units_code(net.options.flow_units))
            fail("it was written with flow units code " + std::to_string(units) +
                 ", the model's is " + std::to_string(flow_units_code(net.options.flow_units)) +
                 " (SWMM requires the same flow units)");
    }
    // SWMM 5.2.4 writes too many buildup values when a model has several pollutants and land
    // uses (see Layout::quality_doubles); such a file is read as written
    const std::size_t body = bytes.size() - pos;
    const bool square = body != layout.body_bytes(h.version, false, net) &&
                        body == layout.body_bytes(h.version, true, net);
    if (!square && body != layout.body_bytes(h.version, false, net)) {
        const std::size_t want = layout.body_bytes(h.version, false, net);
        if (body < want)
            fail("it ends early: " + std::to_string(body) + " bytes after the header, the " +
                 "model's objects take " + std::to_string(want));
        fail("it has " + std::to_string(body - want) + " bytes more than the model's objects " +
             "take (written for another model?)");
    }
    // the object whose values are being read (its kind and name), for errors; the message is
    // put together only when a value is not a number
    const char* kind = "";
    const std::string* id = nullptr;
    const auto number = [&](double x, const char* what) {
        if (!std::isfinite(x))
            fail(std::string(kind) + " '" + *id + "': " + what + " is not a number");
        return x;
    };
    const auto take_double = [&](const char* what) {
        double x = 0;
        take(&x, sizeof x, "a subcatchment's state");
        return number(x, what);
    };
    const auto take_float = [&](const char* what) {
        float x = 0;
        take(&x, sizeof x, "a node's or link's state");
        return number(static_cast<double>(x), what);
    };
    const auto n_sub = static_cast<std::size_t>(layout.subcatchments);
    if (h.version >= 3) {
        h.has_runoff = true;
        h.subcatchments.resize(n_sub);
        for (std::size_t i = 0; i < n_sub; ++i) {
            auto& s = h.subcatchments[i];
            kind = "subcatchment";
            id = &net.subcatchments.id[i];
            for (auto& d : s.depth_m)
                d = take_double("a ponded depth") * kFoot;
            s.runoff_m3s = take_double("the runoff") * kCfs;
            const auto units = infiltration_units(layout.infiltration[i]);
            for (std::size_t k = 0; k < 6; ++k)
                s.infiltration[k] = take_double("the infiltration state") * units[k];
            s.has_groundwater = layout.has_groundwater[i] != 0;
            if (s.has_groundwater)
                for (std::size_t k = 0; k < 4; ++k)
                    s.groundwater[k] = take_double("the groundwater state") * kGroundwaterUnits[k];
            s.has_snow = layout.has_snow[i] != 0;
            if (s.has_snow)
                for (std::size_t k = 0; k < kValuesPerSnowPack; ++k)
                    s.snow[k] = snow_from_swmm(k, take_double("the snow pack state"));
            if (layout.pollutants > 0) {
                const auto np = static_cast<std::size_t>(layout.pollutants);
                const auto nl = static_cast<std::size_t>(layout.land_uses);
                for (std::size_t p = 0; p < np; ++p)
                    s.runoff_concentration.push_back(take_double("a runoff concentration"));
                for (std::size_t p = 0; p < np; ++p)
                    s.ponded_mass.push_back(take_double("a ponded pollutant mass"));
                for (std::size_t k = 0; k < nl; ++k) {
                    for (std::size_t p = 0; p < np; ++p) {
                        s.buildup_kg.push_back(take_double("a buildup") * layout.buildup_kg[p]);
                        for (std::size_t x = 1; square && x < np; ++x) // SWMM's extra values
                            take_double("a buildup");
                    }
                    s.last_swept_day.push_back(take_double("the date of the last sweeping"));
                }
            }
        }
    } else if (h.version == 2) {
        // groundwater moisture and water table only (SWMM's abridged file)
        h.subcatchments.resize(n_sub);
        for (std::size_t i = 0; i < n_sub; ++i) {
            auto& s = h.subcatchments[i];
            kind = "subcatchment";
            id = &net.subcatchments.id[i];
            const double theta = take_float("the groundwater moisture");
            const double table = take_float("the water table") * kFoot;
            s.has_groundwater = layout.has_groundwater[i] != 0;
            s.groundwater = {theta, table, 0.0, std::nan("")};
        }
    }
    const auto p = static_cast<std::size_t>(layout.pollutants);
    h.pollutants = p;
    h.node_depth_m.assign(static_cast<std::size_t>(layout.nodes), 0.0);
    h.node_lateral_m3s.assign(static_cast<std::size_t>(layout.nodes), 0.0);
    h.node_residence_s.assign(static_cast<std::size_t>(layout.nodes), 0.0);
    h.node_quality.assign(static_cast<std::size_t>(layout.nodes) * p, 0.0);
    h.link_quality.assign(static_cast<std::size_t>(layout.links) * p, 0.0);
    for (std::size_t k = 0; k < static_cast<std::size_t>(layout.nodes); ++k) {
        const auto n =
            static_cast<std::size_t>(net.node_of_swmm_number(static_cast<std::int32_t>(k)));
        kind = "node";
        id = &net.node_id[n];
        h.node_depth_m[n] = take_float("the depth") * kFoot;
        h.node_lateral_m3s[n] = take_float("the lateral inflow") * kCfs;
        if (h.version >= 4 && net.node_kind[n] == NodeKind::kStorage)
            h.node_residence_s[n] = take_float("the residence time");
        for (std::size_t k2 = 0; k2 < p; ++k2)
            h.node_quality[n * p + k2] = take_float("a concentration");
        for (std::size_t k2 = 0; h.version <= 2 && k2 < p; ++k2) // zeros of the old layout
            take_float("a water quality value");
    }
    h.link_flow_m3s.assign(static_cast<std::size_t>(layout.links), 0.0);
    h.link_depth_m.assign(static_cast<std::size_t>(layout.links), 0.0);
    h.link_setting.assign(static_cast<std::size_t>(layout.links), 1.0);
    for (std::size_t k = 0; k < static_cast<std::size_t>(layout.links); ++k) {
        const auto j =
            static_cast<std::size_t>(net.link_of_swmm_number(static_cast<std::int32_t>(k)));
        kind = "link";
        id = &net.link_id[j];
        h.link_flow_m3s[j] = take_float("the flow") * kCfs;
        h.link_depth_m[j] = take_float("the depth") * kFoot;
        h.link_setting[j] = take_float("the setting");
        for (std::size_t k2 = 0; k2 < p; ++k2)
            h.link_quality[j * p + k2] = take_float("a concentration");
    }
    return h;
}

std::string HotStart::to_bytes(const Network& net) const {
    const Layout layout(net);
    std::string out(kStamp);
    out += '4';
    const auto put = [&](const void* v, std::size_t n) {
        out.append(static_cast<const char*>(v), n);
    };
    const auto put_int = [&](std::int32_t v) { put(&v, sizeof v); };
    const auto put_double = [&](double v) { put(&v, sizeof v); };
    const auto put_float = [&](double v) {
        const auto f = static_cast<float>(v);
        put(&f, sizeof f);
    };
    put_int(layout.subcatchments);
    put_int(layout.land_uses);
    put_int(layout.nodes);
    put_int(layout.links);
    put_int(layout.pollutants);
    put_int(flow_units_code(net.options.flow_units));
    for (std::size_t i = 0; i < static_cast<std::size_t>(layout.subcatchments); ++i) {
        const Subcatchment s = i < subcatchments.size() ? subcatchments[i] : Subcatchment{};
        for (const double d : s.depth_m)
            put_double(d / kFoot);
        put_double(s.runoff_m3s / kCfs);
        const auto units = infiltration_units(layout.infiltration[i]);
        for (std::size_t k = 0; k < 6; ++k)
            put_double(s.infiltration[k] / units[k]);
        if (layout.has_groundwater[i])
            for (std::size_t k = 0; k < 4; ++k)
                put_double(s.groundwater[k] / kGroundwaterUnits[k]);
        if (layout.has_snow[i])
            for (std::size_t k = 0; k < kValuesPerSnowPack; ++k)
                put_double(s.has_snow ? snow_to_swmm(k, s.snow[k]) : 0.0);
        if (layout.pollutants > 0) {
            const auto np = static_cast<std::size_t>(layout.pollutants);
            const auto nl = static_cast<std::size_t>(layout.land_uses);
            const auto value = [](const std::vector<double>& v, std::size_t k) {
                return k < v.size() ? v[k] : 0.0;
            };
            for (std::size_t p = 0; p < np; ++p)
                put_double(value(s.runoff_concentration, p));
            for (std::size_t p = 0; p < np; ++p)
                put_double(value(s.ponded_mass, p));
            for (std::size_t k = 0; k < nl; ++k) {
                for (std::size_t p = 0; p < np; ++p)
                    put_double(value(s.buildup_kg, k * np + p) / layout.buildup_kg[p]);
                put_double(value(s.last_swept_day, k));
            }
        }
    }
    const auto p = static_cast<std::size_t>(layout.pollutants);
    for (std::size_t k = 0; k < static_cast<std::size_t>(layout.nodes); ++k) {
        const auto n =
            static_cast<std::size_t>(net.node_of_swmm_number(static_cast<std::int32_t>(k)));
        put_float(n < node_depth_m.size() ? node_depth_m[n] / kFoot : 0.0);
        put_float(n < node_lateral_m3s.size() ? node_lateral_m3s[n] / kCfs : 0.0);
        if (net.node_kind[n] == NodeKind::kStorage)
            put_float(n < node_residence_s.size() ? node_residence_s[n] : 0.0);
        for (std::size_t z = 0; z < p; ++z)
            put_float(n * p + z < node_quality.size() ? node_quality[n * p + z] : 0.0);
    }
    for (std::size_t k = 0; k < static_cast<std::size_t>(layout.links); ++k) {
        const auto j =
            static_cast<std::size_t>(net.link_of_swmm_number(static_cast<std::int32_t>(k)));
        put_float(j < link_flow_m3s.size() ? link_flow_m3s[j] / kCfs : 0.0);
        put_float(j < link_depth_m.size() ? link_depth_m[j] / kFoot : 0.0);
        put_float(j < link_setting.size() ? link_setting[j] : 1.0);
        for (std::size_t z = 0; z < p; ++z)
            put_float(j * p + z < link_quality.size() ? link_quality[j * p + z] : 0.0);
    }
    return out;
}

void HotStart::write_file(const Network& net, const std::filesystem::path& path) const {
    write_file_atomic(path, to_bytes(net));
}

} // namespace rencheng::drainage
