// Power grid of the synthetic city: 220 kV supply, 220/110 kV substations, 110 kV rings, 110/10 kV
// substations near the load centres, 10 kV feeders with tie switches, a gas-fired plant.
// The design rules and their sources are in docs/generate.md ("The power grid").
#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <numeric>
#include <string>
#include <vector>

#include "citygen/detail/layout.hpp"
#include "core/error.hpp"
#include "power/islands.hpp"
#include "power/power_flow.hpp"

namespace rencheng::citygen::detail {

namespace {

constexpr double kBaseMva = 100.0;

// Loads. Peak per-capita comprehensive load (residential, commercial and public buildings of the
// zone together, diversified to the 10 kV level) and the power factor the loads are held to.
constexpr double kPerCapita_kw = 1.2;
constexpr double kPowerFactor = 0.95;
// Facility loads at peak, kW (design values; see docs/generate.md): per hospital bed, per pupil,
// and flat per site.
constexpr double kHospitalPerBed_kw = 4.0;
constexpr double kSchoolPerPupil_kw = 0.1;
constexpr double kShelter_kw = 20.0;
constexpr double kFireStation_kw = 50.0;
constexpr double kDepot_kw = 100.0;
constexpr double kCommandCentre_kw = 300.0;
constexpr double kTelecomSite_kw = 20.0;
// Water: pump power at the design point with a wire-to-water efficiency of 0.75; a treatment
// plant's own process load (mixing, filtration, backwash, dosing) of 0.1 kWh per m³ treated.
constexpr double kPumpEfficiency = 0.75;
constexpr double kTreatment_kwh_per_m3 = 0.1;

// Sizing rules.
constexpr double kFeederLoadMax_mw = 4.0;  ///< a feeder's peak load before a new one starts
constexpr int kFeederSectionsMax = 8;      ///< load points per feeder
constexpr std::size_t kRingSubsMax = 4;    ///< substations on one 110 kV ring
constexpr double kSubstationMax_mw = 55.0; ///< load of one 110/10 kV substation
constexpr double kRingMax_mw = 85.0;       ///< load of one 110 kV ring
constexpr double kGridSubMax_mw = 300.0;   ///< load of one 220/110 kV substation
/// 220 kV in-feeds from the external grid: two, on opposite sides of the city, so that neither
/// the loss of one external source nor of its lines cuts the city off (N-1 for the in-feed).
constexpr int kSupplies = 2;
/// The second in-feed's scheduled share of the city's load; each can take all of it.
constexpr double kSecondSupplyShare = 0.4;

/// Per-km data of a conductor type and the rating of one circuit (docs/generate.md table).
struct Conductor {
    double r_ohm_km;
    double x_ohm_km;
    double b_us_km; ///< shunt susceptance, µS/km
    double rating_mva;
    double kv;
};
// 220 kV overhead line, 2×LGJ-400/35 bundle; 110 kV overhead line, LGJ-300/40; 10 kV XLPE cable
// YJV22-8.7/15 3×300 mm² Cu laid in ground.
constexpr Conductor kLine220{0.037, 0.31, 3.6, 600.0, 220.0};
constexpr Conductor kLine110{0.105, 0.395, 2.9, 114.0, 110.0};
constexpr Conductor kCable10{0.078, 0.08, 173.0, 9.0, 10.0};
/// Overhead routes are this much longer than the straight line.
constexpr double kRouteFactor = 1.2;

/// Standard transformer ratings, MVA (GB/T 6451-2015 series) and short-circuit impedance.
constexpr std::array<double, 4> kTr220Sizes = {120.0, 150.0, 180.0, 240.0};
constexpr std::array<double, 6> kTr110Sizes = {20.0, 31.5, 40.0, 50.0, 63.0, 80.0};
constexpr double kTr220Uk = 0.14;
constexpr double kTr110Uk = 0.105;
constexpr double kTrGenUk = 0.13;
constexpr double kTrR = 0.003; ///< load-loss resistance, per unit of the transformer's rating

/// Voltage targets: the external grid's 220 kV bus, the plant's terminals, the 10 kV busbars (by
/// on-load tap changers in 1.25 % steps, ±8 steps).
constexpr double kSupplyVm = 1.03;
constexpr double kPlantVm = 1.03;
constexpr double kBusbar10Vm = 1.03;
constexpr double kTapStep = 0.0125;

double round4(double v) {
    return std::round(v * 1e4) / 1e4;
}

double dist(Xy a, Xy b) {
    return std::hypot(a.x - b.x, a.y - b.y);
}

struct BranchSpec {
    enum class Kind { kLine, kTransformer } kind = Kind::kLine;
    Conductor conductor{};
    double length_km = 0;
    int circuits = 1;
    double tr_mva = 0; ///< transformer rating
    double uk = 0;
    bool distribution = false;
};

/// Builds the network bus by bus with the positions and kinds that go to power_buses.csv.
class GridBuilder {
public:
    explicit GridBuilder(const LocalFrame& frame) : frame_(frame) {
        net_.name = "city_grid";
        net_.base_mva = kBaseMva;
    }

    std::int32_t bus(const std::string& kind, const std::string& name, Xy at, double kv,
                     power::BusType type = power::BusType::kPq) {
        const auto i = net_.buses.count();
        const std::int64_t number = i + 1;
        auto& b = net_.buses;
        b.number.push_back(number);
        b.type.push_back(type);
        b.pd_pu.push_back(0);
        b.qd_pu.push_back(0);
        b.gs_pu.push_back(0);
        b.bs_pu.push_back(0);
        b.area.push_back(1);
        b.vm_pu.push_back(1.0);
        b.va_rad.push_back(0);
        b.base_kv.push_back(kv);
        b.zone.push_back(1);
        b.vmax_pu.push_back(1.05);
        b.vmin_pu.push_back(0.95);
        net_.bus_index.emplace(number, i);
        model::PowerBusInfo info;
        info.bus_number = static_cast<int>(number);
        info.position = round_position(frame_.to_lonlat(at));
        info.kind = kind;
        info.name = name;
        infos_.push_back(std::move(info));
        xy_.push_back(at);
        return i;
    }

    void add_load(std::int32_t bus, double p_mw) {
        const auto u = static_cast<std::size_t>(bus);
        load_mw_[u] += p_mw;
    }

    std::int32_t branch(std::int32_t from, std::int32_t to, const BranchSpec& spec,
                        bool in_service = true) {
        auto& br = net_.branches;
        br.from.emplace_back(from);
        br.to.emplace_back(to);
        br.r_pu.push_back(0);
        br.x_pu.push_back(0);
        br.b_pu.push_back(0);
        br.rate_a_mva.push_back(0);
        br.rate_b_mva.push_back(0);
        br.rate_c_mva.push_back(0);
        br.tap.push_back(0);
        br.shift_rad.push_back(0);
        br.status.push_back(in_service ? 1 : 0);
        br.angmin_rad.push_back(-2 * 3.141592653589793);
        br.angmax_rad.push_back(2 * 3.141592653589793);
        specs_.push_back(spec);
        const auto k = br.count() - 1;
        apply(k);
        return k;
    }

    /// Sets r, x, b and the ratings of branch k from its spec.
    void apply(std::int32_t k) {
        const auto u = static_cast<std::size_t>(k);
        const BranchSpec& s = specs_[u];
        auto& br = net_.branches;
        if (s.kind == BranchSpec::Kind::kLine) {
            const double z_base = s.conductor.kv * s.conductor.kv / kBaseMva;
            const double n = s.circuits;
            br.r_pu[u] = round_sig(s.conductor.r_ohm_km * s.length_km / z_base / n);
            br.x_pu[u] = round_sig(s.conductor.x_ohm_km * s.length_km / z_base / n);
            br.b_pu[u] = round_sig(s.conductor.b_us_km * 1e-6 * s.length_km * z_base * n);
            br.rate_a_mva[u] = s.conductor.rating_mva * n;
        } else {
            br.r_pu[u] = round_sig(kTrR * kBaseMva / s.tr_mva);
            br.x_pu[u] = round_sig(s.uk * kBaseMva / s.tr_mva);
            br.b_pu[u] = 0;
            br.rate_a_mva[u] = s.tr_mva;
            if (br.tap[u] == 0)
                br.tap[u] = 1.0;
        }
        br.rate_b_mva[u] = br.rate_a_mva[u];
        br.rate_c_mva[u] = br.rate_a_mva[u];
    }

    void gen(std::int32_t bus, double pg_mw, double pmax_mw, double vg) {
        auto& g = net_.gens;
        g.bus.emplace_back(bus);
        g.pg_pu.push_back(round4(pg_mw) / kBaseMva);
        g.qg_pu.push_back(0);
        g.qmax_pu.push_back(round4(0.6 * pmax_mw) / kBaseMva);
        g.qmin_pu.push_back(round4(-0.3 * pmax_mw) / kBaseMva);
        g.vg_pu.push_back(vg);
        g.mbase_mva.push_back(round4(pmax_mw / 0.85));
        g.status.push_back(1);
        g.pmax_pu.push_back(round4(pmax_mw) / kBaseMva);
        g.pmin_pu.push_back(0);
        net_.buses.vm_pu[static_cast<std::size_t>(bus)] = vg;
    }

    /// Writes the accumulated loads into the buses (MW and MVAr rounded to 0.1 kW so that the
    /// case file reads back to the same numbers).
    void commit_loads() {
        const double tan_phi = std::sqrt(1.0 - kPowerFactor * kPowerFactor) / kPowerFactor;
        for (std::size_t i = 0; i < load_mw_.size(); ++i) {
            net_.buses.pd_pu[i] = round4(load_mw_[i]) / kBaseMva;
            net_.buses.qd_pu[i] = round4(load_mw_[i] * tan_phi) / kBaseMva;
        }
    }

    void reserve_loads() { load_mw_.assign(static_cast<std::size_t>(net_.buses.count()), 0.0); }

    power::Network& net() { return net_; }
    std::vector<BranchSpec>& specs() { return specs_; }
    std::vector<model::PowerBusInfo>& infos() { return infos_; }
    [[nodiscard]] Xy xy(std::int32_t bus) const { return xy_[static_cast<std::size_t>(bus)]; }
    [[nodiscard]] double load_mw(std::int32_t bus) const {
        return load_mw_[static_cast<std::size_t>(bus)];
    }

private:
    /// 6 significant digits: the case file stays short and reads back bit for bit.
    static double round_sig(double v) {
        if (v == 0)
            return 0;
        char buf[32];
        std::snprintf(buf, sizeof buf, "%.6g", v);
        return std::strtod(buf, nullptr);
    }

    const LocalFrame& frame_;
    power::Network net_;
    std::vector<model::PowerBusInfo> infos_;
    std::vector<Xy> xy_;
    std::vector<double> load_mw_;
    std::vector<BranchSpec> specs_;
};

/// Weighted k-means (Lloyd) with a farthest-point start; deterministic. Returns the cluster of
/// each point; `centres` gets the k centres.
std::vector<std::int32_t> cluster(const std::vector<Xy>& pts, const std::vector<double>& w, int k,
                                  std::vector<Xy>& centres) {
    const std::size_t n = pts.size();
    centres.clear();
    // Start: the heaviest point, then repeatedly the point farthest from the chosen ones.
    std::size_t first = 0;
    for (std::size_t i = 1; i < n; ++i)
        if (w[i] > w[first])
            first = i;
    centres.push_back(pts[first]);
    std::vector<double> dmin(n);
    for (std::size_t i = 0; i < n; ++i)
        dmin[i] = dist(pts[i], pts[first]);
    while (static_cast<int>(centres.size()) < k) {
        std::size_t far = 0;
        for (std::size_t i = 1; i < n; ++i)
            if (dmin[i] > dmin[far])
                far = i;
        centres.push_back(pts[far]);
        for (std::size_t i = 0; i < n; ++i)
            dmin[i] = std::min(dmin[i], dist(pts[i], pts[far]));
    }
    std::vector<std::int32_t> of(n, 0);
    for (int iter = 0; iter < 40; ++iter) {
        bool moved = false;
        for (std::size_t i = 0; i < n; ++i) {
            std::int32_t best = 0;
            for (std::size_t c = 1; c < centres.size(); ++c)
                if (dist(pts[i], centres[c]) <
                    dist(pts[i], centres[static_cast<std::size_t>(best)]))
                    best = static_cast<std::int32_t>(c);
            moved = moved || best != of[i];
            of[i] = best;
        }
        if (!moved && iter > 0)
            break;
        std::vector<double> sx(centres.size(), 0), sy(centres.size(), 0), sw(centres.size(), 0);
        for (std::size_t i = 0; i < n; ++i) {
            const auto c = static_cast<std::size_t>(of[i]);
            const double wi = std::max(w[i], 1e-6);
            sx[c] += wi * pts[i].x;
            sy[c] += wi * pts[i].y;
            sw[c] += wi;
        }
        for (std::size_t c = 0; c < centres.size(); ++c)
            if (sw[c] > 0)
                centres[c] = {sx[c] / sw[c], sy[c] / sw[c]};
    }
    return of;
}

/// Clusters `pts` into as few groups as keep each group's weight within `max_w` (at least
/// `min_k`).
std::vector<std::int32_t> cluster_capped(const std::vector<Xy>& pts, const std::vector<double>& w,
                                         int min_k, double max_w, std::vector<Xy>& centres) {
    const double total = std::accumulate(w.begin(), w.end(), 0.0);
    int k = std::max(min_k, static_cast<int>(std::ceil(total / (0.75 * max_w))));
    k = std::min(k, static_cast<int>(pts.size()));
    for (;; ++k) {
        std::vector<std::int32_t> of = cluster(pts, w, k, centres);
        std::vector<double> load(static_cast<std::size_t>(k), 0.0);
        for (std::size_t i = 0; i < pts.size(); ++i)
            load[static_cast<std::size_t>(of[i])] += w[i];
        if (*std::max_element(load.begin(), load.end()) <= max_w ||
            k >= static_cast<int>(pts.size()))
            return of;
    }
}

/// Smallest standard size that carries `mva` alone; for loads above the largest size, that size.
double transformer_size(double mva, const auto& sizes) {
    for (double s : sizes)
        if (s >= mva)
            return s;
    return sizes.back();
}

/// Angle of b seen from a.
double bearing(Xy a, Xy b) {
    return std::atan2(b.y - a.y, b.x - a.x);
}

} // namespace

PowerLayout make_power(const CityPlan& plan, const RoadLayout& roads,
                       const std::vector<model::PopulationZone>& zones,
                       const std::vector<model::Facility>& facilities,
                       const water::Network& water) {
    PowerLayout out;
    GridBuilder g(plan.frame);
    const std::size_t nz = zones.size();
    if (nz == 0)
        throw Error(ErrorCode::kInternal, "the power grid needs population zones");

    // --- Loads at the zones' load points --------------------------------------------------------
    std::vector<Xy> zone_xy(nz);
    std::vector<double> zone_mw(nz);
    for (std::size_t z = 0; z < nz; ++z) {
        zone_xy[z] = plan.frame.to_xy(zones[z].centroid);
        zone_mw[z] = static_cast<double>(zones[z].population) * kPerCapita_kw / 1000.0;
    }
    const NearestIndex zone_index(zone_xy, 500.0);
    out.facility_bus.resize(facilities.size());
    for (std::size_t f = 0; f < facilities.size(); ++f) {
        using K = model::FacilityKind;
        const model::Facility& fac = facilities[f];
        double kw = 0;
        switch (fac.kind) {
        case K::kHospital:
            kw = kHospitalPerBed_kw * fac.capacity;
            break;
        case K::kSchool:
            kw = kSchoolPerPupil_kw * fac.capacity;
            break;
        case K::kShelter:
            kw = kShelter_kw;
            break;
        case K::kFireStation:
            kw = kFireStation_kw;
            break;
        case K::kDepot:
            kw = kDepot_kw;
            break;
        case K::kCommandCentre:
            kw = kCommandCentre_kw;
            break;
        case K::kTelecomSite:
            kw = kTelecomSite_kw;
            break;
        }
        const std::int32_t z = zone_index.nearest(plan.frame.to_xy(fac.position));
        out.facility_bus[f] = z;
        zone_mw[static_cast<std::size_t>(z)] += kw / 1000.0;
    }
    // Water: every pump at its design point, every source (treatment plant) by the flow its pumps
    // lift. The pump's load sits at the zone load point nearest to its suction node.
    for (std::int32_t p = 0; p < water.pumps.count(); ++p) {
        const auto up = static_cast<std::size_t>(p);
        const auto link = static_cast<std::size_t>(water.pumps.link[up].idx());
        double q = 0, h = 0;
        if (water.pumps.type[up] == water::Pumps::Type::kHeadCurve &&
            water.pumps.curve[up].valid()) {
            const water::Curve& c =
                water.curves[static_cast<std::size_t>(water.pumps.curve[up].idx())];
            const std::size_t mid = c.x.size() / 2;
            if (!c.x.empty()) {
                q = c.x[mid];
                h = c.y[mid];
            }
        }
        const double pump_kw = 9.81 * q * h / kPumpEfficiency; // ρg = 9.81 kN/m³
        const auto from = static_cast<std::size_t>(water.from_node[link].idx());
        const Xy at{0, 0};
        const Xy site =
            water.has_coordinates[from] ? plan.frame.to_xy({water.x[from], water.y[from]}) : at;
        const std::int32_t z = zone_index.nearest(site);
        zone_mw[static_cast<std::size_t>(z)] += pump_kw / 1000.0;
        out.water_assets.push_back({"water_link:" + water.link_id[link], z});
        if (water.node_kind[from] == water::NodeKind::kReservoir) {
            const double plant_kw = kTreatment_kwh_per_m3 * q * 3600.0;
            zone_mw[static_cast<std::size_t>(z)] += plant_kw / 1000.0;
            const std::string plant = "water_node:" + water.node_id[from];
            if (std::none_of(out.water_assets.begin(), out.water_assets.end(),
                             [&](const auto& a) { return a.first == plant; }))
                out.water_assets.push_back({plant, z});
        }
    }
    const double total_mw = std::accumulate(zone_mw.begin(), zone_mw.end(), 0.0);

    // --- 110/10 kV substations near the load centres --------------------------------------------
    std::vector<Xy> sub_centres;
    const std::vector<std::int32_t> zone_sub =
        cluster_capped(zone_xy, zone_mw, 2, kSubstationMax_mw, sub_centres);
    const std::size_t ns = sub_centres.size();
    const NearestIndex road_index(roads.node_xy, 250.0);
    std::vector<Xy> sub_xy(ns);
    std::vector<double> sub_mw(ns, 0.0);
    for (std::size_t s = 0; s < ns; ++s) {
        const std::int32_t v = road_index.nearest(sub_centres[s]);
        sub_xy[s] = v >= 0 ? roads.node_xy[static_cast<std::size_t>(v)] : sub_centres[s];
    }
    for (std::size_t z = 0; z < nz; ++z)
        sub_mw[static_cast<std::size_t>(zone_sub[z])] += zone_mw[z];

    // --- 220/110 kV substations and 110 kV rings -------------------------------------------------
    std::vector<Xy> grid_centres;
    const std::vector<std::int32_t> sub_grid =
        cluster_capped(sub_xy, sub_mw, 1, kGridSubMax_mw, grid_centres);
    const std::size_t na = grid_centres.size();
    std::vector<Xy> grid_xy(na);
    for (std::size_t a = 0; a < na; ++a) {
        // The road node nearest to the cluster centre that no 110/10 kV substation uses.
        Xy best = grid_centres[a];
        double best_d = 1e300;
        for (std::size_t v = 0; v < roads.node_xy.size(); ++v) {
            const Xy p = roads.node_xy[v];
            const double d = dist(p, grid_centres[a]);
            if (d < best_d && std::none_of(sub_xy.begin(), sub_xy.end(),
                                           [&](Xy q) { return dist(p, q) < 1.0; })) {
                best = p;
                best_d = d;
            }
        }
        grid_xy[a] = best;
    }

    // External supply: one point on the city's edge beyond the first 220/110 kV substation, the
    // second on the opposite side (two independent in-feeds, N-1 secure).
    const int supplies = kSupplies;
    const double theta0 =
        std::hypot(grid_xy[0].x, grid_xy[0].y) > 1.0 ? bearing({0, 0}, grid_xy[0]) : 0.785398;
    const double edge = 1.1 * plan.max_radius();
    std::vector<std::int32_t> supply_bus, a_bus, h_bus;
    for (int k = 0; k < supplies; ++k) {
        const double th = theta0 + k * 3.141592653589793;
        const Xy at{edge * std::cos(th), edge * std::sin(th)};
        supply_bus.push_back(g.bus("supply_220kv", "Supply " + std::to_string(k + 1) + " 220kV", at,
                                   220.0, k == 0 ? power::BusType::kRef : power::BusType::kPv));
    }
    for (std::size_t a = 0; a < na; ++a) {
        const std::string n = "Grid substation " + std::to_string(a + 1);
        a_bus.push_back(g.bus("substation_220kv", n + " 220kV", grid_xy[a], 220.0));
        h_bus.push_back(g.bus("substation_110kv", n + " 110kV", grid_xy[a], 110.0));
    }
    // With one grid substation both in-feeds land there: its 220 kV switchyard is a double
    // busbar (双母线), section I for the first in-feed and section II for the second, joined by a
    // bus coupler, its transformers shared between the sections, so that no single 220 kV bus
    // stands between the city and both in-feeds.
    const bool double_busbar = na == 1;
    std::vector<std::int32_t> a2_bus;
    if (double_busbar)
        a2_bus.push_back(
            g.bus("substation_220kv", "Grid substation 1 220kV II", grid_xy[0], 220.0));
    std::vector<std::int32_t> b_bus(ns), d_bus(ns);
    for (std::size_t s = 0; s < ns; ++s) {
        const std::string n = "Substation " + std::to_string(s + 1);
        b_bus[s] = g.bus("substation_110kv", n + " 110kV", sub_xy[s], 110.0);
        d_bus[s] = g.bus("substation_10kv", n + " 10kV", sub_xy[s], 10.0);
    }

    // --- 10 kV feeders: radial chains of the zones' load points -------------------------------
    std::vector<std::int32_t> zone_bus(nz, -1);
    struct Feeder {
        std::size_t sub = 0;
        std::vector<std::size_t> zones; ///< from the substation outwards
        int circuits = 1;
        double mw = 0; ///< peak load
    };
    std::vector<Feeder> feeders;
    const double ca = std::cos(plan.grid_angle_rad), sa = std::sin(plan.grid_angle_rad);
    // Street length between two points: the L1 distance in the street grid's axes.
    auto street_km = [&](Xy p, Xy q) {
        const double dx = q.x - p.x, dy = q.y - p.y;
        const double du = dx * ca + dy * sa, dv = -dx * sa + dy * ca;
        return std::max(0.1, (std::abs(du) + std::abs(dv)) / 1000.0);
    };
    for (std::size_t s = 0; s < ns; ++s) {
        std::vector<std::size_t> mine;
        for (std::size_t z = 0; z < nz; ++z)
            if (static_cast<std::size_t>(zone_sub[z]) == s)
                mine.push_back(z);
        std::sort(mine.begin(), mine.end(), [&](std::size_t a, std::size_t b) {
            const double ta = bearing(sub_xy[s], zone_xy[a]), tb = bearing(sub_xy[s], zone_xy[b]);
            if (ta != tb)
                return ta < tb;
            return a < b;
        });
        Feeder cur;
        cur.sub = s;
        double cur_mw = 0;
        auto close = [&]() {
            if (cur.zones.empty())
                return;
            // Nearest-neighbour chain from the substation outwards.
            std::vector<std::size_t> chain;
            Xy at = sub_xy[s];
            while (!cur.zones.empty()) {
                std::size_t best = 0;
                for (std::size_t k = 1; k < cur.zones.size(); ++k)
                    if (dist(at, zone_xy[cur.zones[k]]) < dist(at, zone_xy[cur.zones[best]]))
                        best = k;
                chain.push_back(cur.zones[best]);
                at = zone_xy[cur.zones[best]];
                cur.zones.erase(cur.zones.begin() + static_cast<long>(best));
            }
            cur.zones = std::move(chain);
            // Dual-loop rule: a feeder normally runs at no more than half its cable's rating, so
            // that it can take its tie partner's whole load.
            const double mva = cur_mw / kPowerFactor;
            cur.circuits =
                std::max(1, static_cast<int>(std::ceil(2.0 * mva / kCable10.rating_mva)));
            cur.mw = cur_mw;
            feeders.push_back(cur);
            cur.zones.clear();
            cur_mw = 0;
        };
        for (std::size_t z : mine) {
            if (!cur.zones.empty() && (cur_mw + zone_mw[z] > kFeederLoadMax_mw ||
                                       static_cast<int>(cur.zones.size()) >= kFeederSectionsMax))
                close();
            cur.zones.push_back(z);
            cur_mw += zone_mw[z];
        }
        close();
    }
    std::vector<std::int32_t> bus_feeder; // per load bus (index - first load bus)
    const std::int32_t first_load_bus = g.net().buses.count();
    for (std::size_t f = 0; f < feeders.size(); ++f) {
        for (std::size_t k = 0; k < feeders[f].zones.size(); ++k) {
            const std::size_t z = feeders[f].zones[k];
            char name[96];
            std::snprintf(name, sizeof name, "Feeder %zu-%zu section %zu", feeders[f].sub + 1,
                          f + 1, k + 1);
            zone_bus[z] = g.bus("load_10kv", name, zone_xy[z], 10.0);
            bus_feeder.push_back(static_cast<std::int32_t>(f));
        }
    }

    // The gas-fired plant: two units, each with its own step-up transformer, on the 110 kV bus of
    // the substation farthest from its grid substation (where an island would form).
    std::size_t plant_sub = 0;
    for (std::size_t s = 1; s < ns; ++s) {
        const auto a = static_cast<std::size_t>(sub_grid[s]);
        const auto ap = static_cast<std::size_t>(sub_grid[plant_sub]);
        if (dist(sub_xy[s], grid_xy[a]) > dist(sub_xy[plant_sub], grid_xy[ap]) + 1e-9)
            plant_sub = s;
    }
    const Xy plant_xy{sub_xy[plant_sub].x + 150.0, sub_xy[plant_sub].y + 150.0};
    std::array<std::int32_t, 2> gen_bus{};
    for (std::size_t u = 0; u < 2; ++u)
        gen_bus[u] = g.bus("generator", "Gas plant unit " + std::to_string(u + 1), plant_xy, 10.5,
                           power::BusType::kPv);

    g.reserve_loads();
    for (std::size_t z = 0; z < nz; ++z)
        g.add_load(zone_bus[z], zone_mw[z]);
    g.commit_loads();

    // --- Branches ------------------------------------------------------------------------------
    auto line = [&](const Conductor& c, double km, int circuits, bool distribution) {
        BranchSpec s;
        s.kind = BranchSpec::Kind::kLine;
        s.conductor = c;
        s.length_km = std::round(km * 1000.0) / 1000.0;
        s.circuits = circuits;
        s.distribution = distribution;
        return s;
    };
    auto transformer = [&](double mva, double uk) {
        BranchSpec s;
        s.kind = BranchSpec::Kind::kTransformer;
        s.tr_mva = mva;
        s.uk = uk;
        return s;
    };
    auto circuits_for = [](double mva, const Conductor& c) {
        return std::max(1, static_cast<int>(std::ceil(1.25 * mva / c.rating_mva)));
    };
    std::vector<double> grid_mw(na, 0.0);
    for (std::size_t s = 0; s < ns; ++s)
        grid_mw[static_cast<std::size_t>(sub_grid[s])] += sub_mw[s];

    // 220 kV: each supply point to its nearest grid substation by two lines, each able to carry
    // the whole city, the second to another grid substation than the first's where there are two
    // or more (no common 220 kV bus on the two in-feeds' paths); grid substations in a chain
    // closed into a ring when there are three or more.
    std::size_t first_near = na;
    for (int k = 0; k < supplies; ++k) {
        std::size_t near = na;
        for (std::size_t a = 0; a < na; ++a) {
            if (a == first_near && na >= 2)
                continue;
            if (near == na ||
                dist(g.xy(supply_bus[static_cast<std::size_t>(k)]), grid_xy[a]) <
                    dist(g.xy(supply_bus[static_cast<std::size_t>(k)]), grid_xy[near]))
                near = a;
        }
        if (k == 0)
            first_near = near;
        const double km = kRouteFactor *
                          dist(g.xy(supply_bus[static_cast<std::size_t>(k)]), grid_xy[near]) /
                          1000.0;
        const std::int32_t landing = double_busbar && k == 1 ? a2_bus[0] : a_bus[near];
        for (int c = 0; c < 2; ++c)
            g.branch(supply_bus[static_cast<std::size_t>(k)], landing,
                     line(kLine220, std::max(km, 1.0),
                          circuits_for(total_mw / kPowerFactor, kLine220), false));
    }
    if (na >= 2) {
        const std::size_t links = na == 2 ? 1 : na;
        for (std::size_t a = 0; a < links; ++a) {
            const std::size_t b = (a + 1) % na;
            const double km = kRouteFactor * dist(grid_xy[a], grid_xy[b]) / 1000.0;
            const int n = circuits_for(0.5 * total_mw / kPowerFactor, kLine220);
            g.branch(a_bus[a], a_bus[b], line(kLine220, std::max(km, 1.0), n, false));
            if (na == 2)
                g.branch(a_bus[a], a_bus[b], line(kLine220, std::max(km, 1.0), n, false));
        }
    }
    // Double busbar: the bus coupler, a 100 m busbar able to carry the whole city.
    if (double_busbar)
        g.branch(a_bus[0], a2_bus[0],
                 line(kLine220, 0.1, circuits_for(total_mw / kPowerFactor, kLine220), false));
    // 220/110 kV transformers: N-1, the others carry the substation's load; on a double busbar
    // alternately on the two sections, as many on each as carry the load alone.
    for (std::size_t a = 0; a < na; ++a) {
        const double mva = grid_mw[a] / kPowerFactor;
        const double size = transformer_size(mva, kTr220Sizes);
        const int needed = static_cast<int>(std::ceil(mva / size));
        const int count = double_busbar ? 2 * needed : std::max(2, needed + 1);
        for (int t = 0; t < count; ++t)
            g.branch(double_busbar && t % 2 == 1 ? a2_bus[0] : a_bus[a], h_bus[a],
                     transformer(size, kTr220Uk));
    }
    // 110 kV rings: a grid substation's substations in order of bearing, in rings of at most
    // kRingMax_mw, each closed at the grid substation's 110 kV bus.
    for (std::size_t a = 0; a < na; ++a) {
        std::vector<std::size_t> subs;
        for (std::size_t s = 0; s < ns; ++s)
            if (static_cast<std::size_t>(sub_grid[s]) == a)
                subs.push_back(s);
        std::sort(subs.begin(), subs.end(), [&](std::size_t p, std::size_t q) {
            const double tp = bearing(grid_xy[a], sub_xy[p]), tq = bearing(grid_xy[a], sub_xy[q]);
            return tp != tq ? tp < tq : p < q;
        });
        std::size_t k = 0;
        while (k < subs.size()) {
            std::vector<std::size_t> ring;
            double ring_mw = 0;
            while (k < subs.size() && (ring.empty() || (ring_mw + sub_mw[subs[k]] <= kRingMax_mw &&
                                                        ring.size() < kRingSubsMax))) {
                ring.push_back(subs[k]);
                ring_mw += sub_mw[subs[k]];
                ++k;
            }
            // Each line must carry the whole ring when the line at the other end is out.
            const int n = circuits_for(ring_mw / kPowerFactor, kLine110);
            std::int32_t prev = h_bus[a];
            Xy prev_xy = grid_xy[a];
            for (std::size_t s : ring) {
                g.branch(prev, b_bus[s],
                         line(kLine110,
                              std::max(0.5, kRouteFactor * dist(prev_xy, sub_xy[s]) / 1000.0), n,
                              false));
                prev = b_bus[s];
                prev_xy = sub_xy[s];
            }
            g.branch(prev, h_bus[a],
                     line(kLine110,
                          std::max(0.5, kRouteFactor * dist(prev_xy, grid_xy[a]) / 1000.0), n,
                          false));
        }
    }
    // 110/10 kV: two (or more) transformers per substation, N-1.
    for (std::size_t s = 0; s < ns; ++s) {
        const double mva = sub_mw[s] / kPowerFactor;
        const double size = transformer_size(mva, kTr110Sizes);
        const int count = std::max(2, static_cast<int>(std::ceil(mva / size)) + 1);
        for (int t = 0; t < count; ++t)
            g.branch(b_bus[s], d_bus[s], transformer(size, kTr110Uk));
    }
    // The plant.
    const double plant_mw = std::clamp(std::round(0.8 * sub_mw[plant_sub]), 2.0, 200.0);
    for (std::size_t u = 0; u < 2; ++u) {
        g.branch(b_bus[plant_sub], gen_bus[u],
                 transformer(transformer_size(0.5 * plant_mw / 0.85, kTr110Sizes), kTrGenUk));
    }
    // Ties: from each feeder's last load point to the nearest load point of a feeder of another
    // substation, normally open; one per pair of feeders.
    struct Tie {
        std::size_t feeder = 0, other = 0;
        std::int32_t from = 0, to = 0; ///< bus indices
    };
    std::vector<Tie> ties;
    const std::int32_t n_load = static_cast<std::int32_t>(bus_feeder.size());
    for (std::size_t f = 0; f < feeders.size(); ++f) {
        const std::int32_t tail = zone_bus[feeders[f].zones.back()];
        std::int32_t best = -1;
        double best_d = 1e300;
        for (std::int32_t i = 0; i < n_load; ++i) {
            const auto of = static_cast<std::size_t>(bus_feeder[static_cast<std::size_t>(i)]);
            if (feeders[of].sub == feeders[f].sub)
                continue;
            const double d = dist(g.xy(tail), g.xy(first_load_bus + i));
            if (d < best_d) {
                best_d = d;
                best = i;
            }
        }
        if (best < 0)
            continue;
        const auto other = static_cast<std::size_t>(bus_feeder[static_cast<std::size_t>(best)]);
        if (std::any_of(ties.begin(), ties.end(), [&](const Tie& t) {
                return (t.feeder == f && t.other == other) || (t.feeder == other && t.other == f);
            }))
            continue;
        ties.push_back({f, other, tail, first_load_bus + best});
    }
    // Dual-loop rule: each feeder of a tied pair can carry both feeders' load, so that either
    // takes the other's whole load through the tie.
    for (const Tie& t : ties) {
        const double both_mva = (feeders[t.feeder].mw + feeders[t.other].mw) / kPowerFactor;
        const int n =
            std::max(1, static_cast<int>(std::ceil(1.1 * both_mva / kCable10.rating_mva)));
        feeders[t.feeder].circuits = std::max(feeders[t.feeder].circuits, n);
        feeders[t.other].circuits = std::max(feeders[t.other].circuits, n);
    }
    // Feeders: head section with the breaker, then sectionalising switches at each load point's
    // ring main unit.
    for (std::size_t f = 0; f < feeders.size(); ++f) {
        const Feeder& fd = feeders[f];
        std::int32_t prev = d_bus[fd.sub];
        for (std::size_t k = 0; k < fd.zones.size(); ++k) {
            const std::int32_t b = zone_bus[fd.zones[k]];
            const std::int32_t row = g.branch(
                prev, b, line(kCable10, street_km(g.xy(prev), g.xy(b)), fd.circuits, true));
            model::PowerSwitch sw;
            sw.branch_row = row + 1;
            sw.normally_open = false;
            sw.kind = k == 0 ? "breaker" : "sectionalising";
            char id[48];
            std::snprintf(id, sizeof id, "%s%zu-%zu", k == 0 ? "CB" : "SW", f + 1, k + 1);
            sw.id = id;
            out.switches.push_back(sw);
            prev = b;
        }
    }
    for (std::size_t k = 0; k < ties.size(); ++k) {
        const Tie& t = ties[k];
        const int n = std::min(feeders[t.feeder].circuits, feeders[t.other].circuits);
        const std::int32_t row = g.branch(
            t.from, t.to, line(kCable10, street_km(g.xy(t.from), g.xy(t.to)), n, true), false);
        model::PowerSwitch sw;
        sw.branch_row = row + 1;
        sw.normally_open = true;
        sw.kind = "tie";
        sw.id = "TIE" + std::to_string(k + 1);
        out.switches.push_back(sw);
    }

    // --- Generators: the external grid (slack, and the second in-feed), the plant's units -------
    g.gen(supply_bus[0], 0.0, round4(2.0 * total_mw), kSupplyVm);
    for (int k = 1; k < supplies; ++k)
        g.gen(supply_bus[static_cast<std::size_t>(k)], round4(kSecondSupplyShare * total_mw),
              round4(2.0 * total_mw), kSupplyVm);
    for (std::size_t u = 0; u < 2; ++u)
        g.gen(gen_bus[u], round4(0.3 * plant_mw), round4(0.5 * plant_mw), kPlantVm);

    // --- Tap setting: bring each 10 kV busbar near its target in the base case ------------------
    power::Network& net = g.net();
    for (int round = 0; round < 3; ++round) {
        const power::PowerFlowResult pf = power::solve_power_flow(net);
        if (!pf.converged)
            throw Error(ErrorCode::kNoConvergence,
                        "the generated grid's power flow did not converge: " + pf.summary(net));
        bool changed = false;
        for (std::int32_t k = 0; k < net.branches.count(); ++k) {
            const auto u = static_cast<std::size_t>(k);
            if (g.specs()[u].kind != BranchSpec::Kind::kTransformer)
                continue;
            const auto to = static_cast<std::size_t>(net.branches.to[u].idx());
            if (net.buses.base_kv[to] != 10.0)
                continue;
            const double want = net.branches.tap[u] * pf.vm_pu[to] / kBusbar10Vm;
            const double steps = std::clamp(std::round((want - 1.0) / kTapStep), -8.0, 8.0);
            const double tap = 1.0 + steps * kTapStep;
            changed = changed || tap != net.branches.tap[u];
            net.branches.tap[u] = tap;
        }
        if (!changed)
            break;
    }

    out.network = std::move(net);
    out.buses = std::move(g.infos());
    out.zone_bus.resize(nz);
    for (std::size_t z = 0; z < nz; ++z)
        out.zone_bus[z] =
            static_cast<int>(out.network.buses.number[static_cast<std::size_t>(zone_bus[z])]);
    for (auto& f : out.facility_bus)
        f = out.zone_bus[static_cast<std::size_t>(f)];
    for (auto& w : out.water_assets)
        w.second = out.zone_bus[static_cast<std::size_t>(w.second)];
    return out;
}

} // namespace rencheng::citygen::detail
