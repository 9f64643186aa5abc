// LID controls: [LID_CONTROLS]/[LID_USAGE] parsing and the layer water balances of SWMM 5.2
// (Reference Manual Vol. III, ch. 5: eqs. 5-1 to 5-4 per layer, the flux limits that keep every
// layer between empty and full, and the underdrain q = C·(h − Hd)^η).
#include "drainage/lid.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdlib>
#include <optional>
#include <string_view>

#include "drainage/runoff.hpp"
#include "drainage/section_rows.hpp"

namespace rencheng::drainage {
namespace {

constexpr double kFoot = 0.3048;
constexpr double kBig = 1e10;
/// Depth below which nothing flows (SWMM ZERO, 1e-10 ft).
constexpr double kZeroDepth = 1e-10 * kFoot;
/// Flux below which a LID counts as dry (SWMM MINFLOW, 0.001 in/h).
constexpr double kMinFlux = 2.3e-8 * kFoot;
/// Rainfall above which a rain barrel's dry time restarts (SWMM MIN_RUNOFF, 0.001 in/h).
constexpr double kMinRain = 2.31481e-8 * kFoot;
/// Convergence tolerance of the swale's modified-Puls iteration (SWMM STOPTOL, 0.00328 ft).
constexpr double kStopTolerance = 0.00328 * kFoot;
/// Narrowest swale bottom and top width (0.5 ft, SWMM's guard against a vanishing section).
constexpr double kMinSwaleWidth = 0.5 * kFoot;

std::string_view unquote(std::string_view s) {
    if (s.size() >= 2 && s.front() == '"' && s.back() == '"')
        return s.substr(1, s.size() - 2);
    return s;
}

using rows::iequals;
using rows::parse_number;
using rows::RowReader;

constexpr const char* kTypeWords[] = {"BC", "RG", "GR", "IT", "PP", "RB", "VS", "RD"};

/// Reads the numbers of one layer row (tokens 2..) into `x`; false after an error.
bool layer_numbers(RowReader& rr, const std::vector<std::string>& row, int line,
                   const std::string& id, std::size_t required, std::size_t optional,
                   const char* const* names, double* x) {
    if (row.size() < 2 + required) {
        rr.error(ErrorCode::kMissingKey, line, id,
                 "layer " + row[1] + " needs " + std::to_string(required) + " values", row);
        return false;
    }
    for (std::size_t k = 0; k < required + optional && 2 + k < row.size(); ++k) {
        const auto v = rr.number(row, 2 + k, line, id, names[k]);
        if (!v)
            return false;
        x[k] = *v;
    }
    return true;
}

void read_controls(Network& net, RowReader& rr, const RawSection& raw, double depth_unit,
                   double rate_unit) {
    IdMap index;
    for (std::size_t r = 0; r < raw.rows.size(); ++r) {
        const auto& row = raw.rows[r];
        const int line = raw.line[r];
        if (row.empty())
            continue;
        const std::string& id = row[0];
        if (row.size() < 2) {
            rr.error(ErrorCode::kMissingKey, line, id, "LID control needs a type or a layer", row);
            continue;
        }
        auto it = index.find(id);
        if (it == index.end()) {
            it = index.emplace(id, static_cast<std::int32_t>(net.lid_controls.size())).first;
            LidControl c;
            c.id = id;
            c.line = line;
            c.depth_unit_m = depth_unit;
            net.lid_controls.push_back(c);
        }
        LidControl& c = net.lid_controls[static_cast<std::size_t>(it->second)];
        const std::string& key = row[1];
        bool is_type = false;
        for (int t = 0; t < 8; ++t) {
            if (iequals(key, kTypeWords[t])) {
                c.type = static_cast<LidType>(t);
                c.type_given = true;
                c.line = line;
                is_type = true;
            }
        }
        if (is_type)
            continue;
        double x[7] = {0, 0, 0, 0, 0, 0, 0};
        if (iequals(key, "SURFACE")) {
            static const char* names[] = {"berm height", "vegetation volume fraction",
                                          "surface roughness", "surface slope", "side slope"};
            if (!layer_numbers(rr, row, line, id, 5, 0, names, x))
                continue;
            if (x[1] >= 1.0) {
                rr.error(ErrorCode::kOutOfRange, line, id,
                         "vegetation volume fraction must be below 1", row);
                continue;
            }
            if (x[0] == 0.0)
                x[1] = 0.0;
            c.surface_storage_m = x[0] * depth_unit;
            c.surface_void_fraction = 1.0 - x[1];
            c.surface_roughness = x[2];
            c.surface_slope = x[3] / 100.0;
            c.surface_side_slope = x[4];
        } else if (iequals(key, "PAVEMENT")) {
            static const char* names[] = {"thickness",
                                          "void ratio",
                                          "impervious fraction",
                                          "permeability",
                                          "clog factor",
                                          "regeneration interval",
                                          "regeneration fraction"};
            if (!layer_numbers(rr, row, line, id, 5, 2, names, x))
                continue;
            if (x[6] > 1.0) {
                rr.error(ErrorCode::kOutOfRange, line, id,
                         "regeneration fraction must be at most 1", row);
                continue;
            }
            c.pavement_thickness_m = x[0] * depth_unit;
            c.pavement_void_fraction = x[1] / (x[1] + 1.0);
            c.pavement_imperv_fraction = x[2];
            c.pavement_ksat_ms = x[3] * rate_unit;
            c.pavement_clog_factor = x[4];
            c.pavement_regen_days = x[5];
            c.pavement_regen_degree = x[6];
        } else if (iequals(key, "SOIL")) {
            static const char* names[] = {"thickness",     "porosity",     "field capacity",
                                          "wilting point", "conductivity", "conductivity slope",
                                          "suction head"};
            if (!layer_numbers(rr, row, line, id, 7, 0, names, x))
                continue;
            c.soil_thickness_m = x[0] * depth_unit;
            c.soil_porosity = x[1];
            c.soil_field_capacity = x[2];
            c.soil_wilting_point = x[3];
            c.soil_ksat_ms = x[4] * rate_unit;
            c.soil_kslope = x[5];
            c.soil_suction_m = x[6] * depth_unit;
        } else if (iequals(key, "STORAGE")) {
            static const char* names[] = {"thickness", "void ratio", "seepage rate", "clog factor"};
            if (!layer_numbers(rr, row, line, id, 4, 0, names, x))
                continue;
            c.storage_thickness_m = x[0] * depth_unit;
            c.storage_void_fraction = x[1] / (x[1] + 1.0);
            c.storage_ksat_ms = x[2] * rate_unit;
            c.storage_clog_factor = x[3];
            c.storage_covered = row.size() > 6 && iequals(row[6], "YES");
        } else if (iequals(key, "DRAIN")) {
            static const char* names[] = {"flow coefficient", "flow exponent", "offset",
                                          "drain delay",      "open level",    "closed level"};
            if (row.size() < 6) {
                rr.error(ErrorCode::kMissingKey, line, id,
                         "layer DRAIN needs at least coefficient, exponent, offset and delay", row);
                continue;
            }
            if (!layer_numbers(rr, row, line, id, 4, 2, names, x))
                continue;
            c.drain_coeff = x[0];
            c.drain_expon = x[1];
            c.drain_offset_m = x[2] * depth_unit;
            c.drain_delay_s = x[3] * 3600.0;
            c.drain_open_head_m = x[4] * depth_unit;
            c.drain_close_head_m = x[5] * depth_unit;
            if (row.size() >= 9) {
                const auto k = net.find_curve(row[8]);
                if (!k.valid()) {
                    rr.error(ErrorCode::kUnknownReference, line, id,
                             "drain control curve '" + row[8] + "' is not in [CURVES]", row);
                    continue;
                }
                const Curve& curve = net.curves[k.idx()];
                if (curve.type != CurveType::kControl || curve.x.empty()) {
                    rr.error(ErrorCode::kInconsistent, line, id,
                             "drain control curve '" + row[8] +
                                 "' must be a CONTROL curve with points",
                             row);
                    continue;
                }
                c.drain_curve_given = true;
                c.drain_curve_x = curve.x;
                c.drain_curve_y = curve.y;
            }
        } else if (iequals(key, "DRAINMAT")) {
            static const char* names[] = {"thickness", "void fraction", "roughness"};
            if (!layer_numbers(rr, row, line, id, 3, 0, names, x))
                continue;
            // SWMM keeps a drainage mat only for green roofs
            if (c.type_given && c.type != LidType::kGreenRoof)
                continue;
            c.mat_thickness_m = x[0] * depth_unit;
            c.mat_void_fraction = x[1];
            c.mat_roughness = x[2];
        } else if (iequals(key, "REMOVALS")) {
            // pollutant / percent pairs: the share of each pollutant's load the underdrain flow
            // loses (SWMM readRemovalsData; its pollutants are those of [POLLUTANTS], wherever
            // that section is)
            if (row.size() < 4 || row.size() % 2 != 0) {
                rr.error(ErrorCode::kMissingKey, line, id,
                         "REMOVALS needs pollutant and percent pairs", row);
                continue;
            }
            const auto* pollutants = net.raw_section("POLLUTANTS");
            for (std::size_t k = 2; k + 1 < row.size(); k += 2) {
                const bool known =
                    pollutants != nullptr &&
                    std::any_of(pollutants->rows.begin(), pollutants->rows.end(),
                                [&](const auto& p) { return !p.empty() && iequals(p[0], row[k]); });
                if (!known) {
                    rr.error(ErrorCode::kUnknownReference, line, id,
                             "REMOVALS names unknown pollutant '" + row[k] + "'", row);
                    continue;
                }
                const auto v = parse_number(row[k + 1]);
                if (!v) {
                    rr.error(ErrorCode::kNumberSyntax, line, id,
                             "removal percent of '" + row[k] + "' '" + row[k + 1] +
                                 "' is not a number",
                             row);
                    continue;
                }
                if (*v < 0.0 || *v > 100.0) {
                    rr.error(ErrorCode::kOutOfRange, line, id,
                             "removal percent of '" + row[k] + "' must be within 0-100", row);
                    continue;
                }
                c.removals.emplace_back(row[k], *v / 100.0);
            }
        } else {
            rr.error(ErrorCode::kUnknownValue, line, id,
                     "'" + key +
                         "' is neither a LID type (BC, RG, GR, IT, PP, RB, VS, RD) nor a layer "
                         "(SURFACE, PAVEMENT, SOIL, STORAGE, DRAIN, DRAINMAT, REMOVALS)",
                     row);
        }
    }
}

/// SWMM validateLidProc: the type is given, the layers it needs exist, parameters are coherent.
void validate_controls(const Network& net, RowReader& rr) {
    for (const auto& c : net.lid_controls) {
        const std::vector<std::string> row{c.id};
        auto bad = [&](const std::string& m) {
            rr.error(ErrorCode::kInconsistent, c.line, c.id, "LID control " + c.id + ": " + m, row);
        };
        if (!c.type_given) {
            bad("no type line (BC, RG, GR, IT, PP, RB, VS or RD)");
            continue;
        }
        switch (c.type) {
        case LidType::kBioRetention:
        case LidType::kRainGarden:
            if (c.soil_thickness_m <= 0)
                bad("a bio-retention cell or rain garden needs a SOIL layer");
            break;
        case LidType::kGreenRoof:
            if (c.soil_thickness_m <= 0 || c.mat_thickness_m <= 0)
                bad("a green roof needs SOIL and DRAINMAT layers");
            break;
        case LidType::kPermeablePavement:
            if (c.pavement_thickness_m <= 0)
                bad("permeable pavement needs a PAVEMENT layer");
            else if (c.pavement_ksat_ms <= 0 || c.pavement_void_fraction <= 0 ||
                     c.pavement_imperv_fraction > 1)
                bad("pavement permeability and void ratio must be positive and the impervious "
                    "fraction at most 1");
            break;
        case LidType::kInfiltrationTrench:
            if (c.storage_thickness_m <= 0)
                bad("an infiltration trench needs a STORAGE layer");
            break;
        case LidType::kVegetativeSwale:
            if (c.surface_roughness * c.surface_slope <= 0 || c.surface_storage_m == 0)
                bad("a swale needs a surface height, roughness and slope");
            break;
        default:
            break;
        }
        if (c.soil_thickness_m > 0 &&
            (c.soil_porosity <= 0 || c.soil_field_capacity >= c.soil_porosity ||
             c.soil_wilting_point >= c.soil_field_capacity || c.soil_ksat_ms <= 0))
            bad("soil needs porosity > field capacity > wilting point and a positive "
                "conductivity");
        if (c.storage_thickness_m > 0 &&
            (c.storage_void_fraction <= 0 || c.storage_void_fraction > 1))
            bad("storage void ratio must be positive");
        if (c.drain_open_head_m > 0 && c.drain_open_head_m <= c.drain_close_head_m)
            bad("the drain's open level must be above its closed level");
    }
}

void read_usage(Network& net, RowReader& rr, const RawSection& raw, double length_unit) {
    IdMap controls;
    for (std::size_t k = 0; k < net.lid_controls.size(); ++k)
        controls.emplace(net.lid_controls[k].id, static_cast<std::int32_t>(k));
    for (std::size_t r = 0; r < raw.rows.size(); ++r) {
        const auto& row = raw.rows[r];
        const int line = raw.line[r];
        if (row.empty())
            continue;
        const std::string& id = row[0];
        if (row.size() < 8) {
            rr.error(ErrorCode::kMissingKey, line, id,
                     "LID usage needs subcatchment, LID, number, area, width, initial "
                     "saturation, % impervious treated and to-pervious flag",
                     row);
            continue;
        }
        LidUsage u;
        u.line = line;
        u.subcatchment = net.find_subcatchment(id);
        if (!u.subcatchment.valid()) {
            rr.error(ErrorCode::kUnknownReference, line, id,
                     "subcatchment '" + id + "' is not in [SUBCATCHMENTS]", row);
            continue;
        }
        const auto c = controls.find(row[1]);
        if (c == controls.end()) {
            rr.error(ErrorCode::kUnknownReference, line, id,
                     "LID control '" + row[1] + "' is not in [LID_CONTROLS]", row);
            continue;
        }
        u.control = c->second;
        const auto n = parse_number(row[2]);
        if (!n || *n < 0 || *n != std::floor(*n)) {
            rr.error(ErrorCode::kNumberSyntax, line, id,
                     "number of units '" + row[2] + "' is not a whole number ≥ 0", row);
            continue;
        }
        u.number = static_cast<int>(*n);
        double x[6] = {0, 0, 0, 0, 0, 0};
        static const char* names[] = {"unit area", "width", "initial saturation",
                                      "% impervious treated", "to-pervious flag"};
        bool ok = true;
        for (std::size_t k = 0; k < 5 && ok; ++k) {
            const auto v = rr.number(row, 3 + k, line, id, names[k]);
            ok = v.has_value();
            if (ok)
                x[k] = *v;
        }
        if (!ok)
            continue;
        if (x[2] > 100 || x[3] > 100) {
            rr.error(ErrorCode::kOutOfRange, line, id, "percentages must be at most 100", row);
            continue;
        }
        if (row.size() >= 9 && row[8] != "*")
            u.report_file = std::string(unquote(row[8]));
        if (row.size() >= 10 && row[9] != "*") {
            u.drain_subcatchment = net.find_subcatchment(row[9]);
            if (!u.drain_subcatchment.valid()) {
                u.drain_node = net.find_node(row[9]);
                if (!u.drain_node.valid()) {
                    rr.error(ErrorCode::kUnknownReference, line, id,
                             "drain outlet '" + row[9] + "' is neither a subcatchment nor a node",
                             row);
                    continue;
                }
            }
        }
        if (row.size() >= 11) {
            const auto v = rr.number(row, 10, line, id, "% pervious treated");
            if (!v)
                continue;
            if (*v > 100) {
                rr.error(ErrorCode::kOutOfRange, line, id, "percentages must be at most 100", row);
                continue;
            }
            x[5] = *v;
        }
        if (u.number == 0)
            continue; // SWMM ignores a row without units
        u.unit_area_m2 = x[0] * length_unit * length_unit;
        u.width_m = x[1] * length_unit;
        u.initial_saturation = x[2] / 100.0;
        u.from_imperv = x[3] / 100.0;
        u.to_pervious = x[4] > 0;
        u.from_perv = x[5] / 100.0;
        const auto& ctl = net.lid_controls[static_cast<std::size_t>(u.control)];
        if (ctl.type_given && ctl.type == LidType::kVegetativeSwale && u.width_m <= 0) {
            rr.error(ErrorCode::kOutOfRange, line, id, "a swale needs a positive top width", row);
            continue;
        }
        net.lid_usage.push_back(u);
    }
    // SWMM validateLidGroup: areas and treated shares per subcatchment
    const auto n_sub = static_cast<std::size_t>(net.subcatchments.count());
    std::vector<double> area(n_sub, 0.0), from_imp(n_sub, 0.0), from_perv(n_sub, 0.0);
    std::vector<int> first_line(n_sub, 0);
    for (const auto& u : net.lid_usage) {
        const auto s = static_cast<std::size_t>(u.subcatchment.idx());
        area[s] += u.unit_area_m2 * u.number;
        from_imp[s] += u.from_imperv;
        from_perv[s] += u.from_perv;
        if (first_line[s] == 0)
            first_line[s] = u.line;
    }
    for (std::size_t s = 0; s < n_sub; ++s) {
        if (first_line[s] == 0)
            continue;
        const std::string& id = net.subcatchments.id[s];
        if (area[s] > 1.001 * net.subcatchments.area_m2[s])
            rr.error(ErrorCode::kInconsistent, first_line[s], id,
                     "LID units of subcatchment " + id + " cover more than its area", {id});
        if (from_imp[s] > 1.001 || from_perv[s] > 1.001)
            rr.error(ErrorCode::kInconsistent, first_line[s], id,
                     "LID units of subcatchment " + id + " treat more than 100 % of its runoff",
                     {id});
    }
}

} // namespace

const char* lid_type_keyword(LidType t) {
    return kTypeWords[static_cast<int>(t)];
}

void read_lid_sections(Network& net, const std::string& file, Diagnostics& diags) {
    net.lid_controls.clear();
    net.lid_usage.clear();
    const bool si = is_si(net.options.flow_units);
    const double depth_unit = si ? 0.001 : 0.0254;
    const double length_unit = si ? 1.0 : kFoot;
    if (const auto* raw = net.raw_section("LID_CONTROLS")) {
        RowReader rr(file, diags, "LID_CONTROLS");
        read_controls(net, rr, *raw, depth_unit, depth_unit / 3600.0);
        validate_controls(net, rr);
    }
    if (const auto* raw = net.raw_section("LID_USAGE")) {
        RowReader rr(file, diags, "LID_USAGE");
        read_usage(net, rr, *raw, length_unit);
    }
}

// ---------------------------------------------------------------------------------------------
// One LID unit

/// Fluxes (m/s) and water volumes (m per unit area) of the layers during one step.
struct LidUnit::Work {
    double dt = 0;
    double evap_rate = 0;
    double max_native_infil = kBig;
    double pave_permeability = 0; ///< after clogging
    double dry_time = 0;
    double inflow_total = 0;
    double surface_inflow = 0, surface_infil = 0, surface_evap = 0, surface_outflow = 0,
           surface_vol = 0;
    double pave_evap = 0, pave_perc = 0, pave_vol = 0;
    double soil_evap = 0, soil_perc = 0, soil_vol = 0;
    double storage_inflow = 0, storage_exfil = 0, storage_evap = 0, storage_drain = 0,
           storage_vol = 0;
};

LidUnit::LidUnit(const LidControl& control, const LidUsage& usage,
                 const Infiltration* subcatch_infil)
    : c_(control), u_(usage), area_m2_(usage.unit_area_m2) {
    // Derived values as SWMM validateLidProc sets them.
    if (c_.storage_thickness_m <= 0) {
        c_.storage_void_fraction = 1.0;
        c_.drain_offset_m = 0.0;
    }
    // Manning: q = (k/n)·√S·d^(5/3)·W/A per unit area, k SWMM's 1.49 in SI (runoff.hpp)
    if (c_.surface_roughness > 0)
        surface_alpha_ =
            swmm_overland_manning() * std::sqrt(c_.surface_slope) / c_.surface_roughness;
    if (c_.mat_roughness > 0)
        mat_alpha_ = swmm_overland_manning() * std::sqrt(c_.surface_slope) / c_.mat_roughness;
    // clog factors become the treated depth (m) that clogs the voids completely
    if (c_.pavement_thickness_m > 0)
        c_.pavement_clog_factor *= c_.pavement_thickness_m * c_.pavement_void_fraction *
                                   (1.0 - c_.pavement_imperv_fraction);
    if (c_.storage_thickness_m > 0)
        c_.storage_clog_factor *= c_.storage_thickness_m * c_.storage_void_fraction;
    else
        c_.storage_clog_factor = 0;
    // Ponded water above the berm spills at once unless the surface has overland flow.
    can_overflow_ = true;
    switch (c_.type) {
    case LidType::kRooftopDisconnection:
        can_overflow_ = false;
        break;
    case LidType::kInfiltrationTrench:
    case LidType::kPermeablePavement:
    case LidType::kBioRetention:
    case LidType::kRainGarden:
    case LidType::kGreenRoof:
        if (surface_alpha_ > 0)
            can_overflow_ = false;
        break;
    default:
        break;
    }
    if (c_.type == LidType::kRainBarrel) {
        c_.storage_void_fraction = 1.0;
        c_.storage_ksat_ms = 0.0;
    }
    if (c_.type == LidType::kGreenRoof) {
        c_.storage_thickness_m = c_.mat_thickness_m;
        c_.storage_void_fraction = c_.mat_void_fraction;
        c_.storage_clog_factor = 0.0;
        c_.storage_ksat_ms = 0.0;
    }
    // Infiltration from the surface into the soil layer: modified Green-Ampt with the soil's
    // suction, conductivity and moisture deficit (porosity − wilting point)·(1 − initial
    // saturation); a swale on a Green-Ampt subcatchment uses the subcatchment's parameters.
    Infiltration ga;
    ga.model = InfiltrationModel::kModifiedGreenAmpt;
    if (c_.soil_thickness_m > 0) {
        ga.suction_m = c_.soil_suction_m;
        ga.ksat_ms = c_.soil_ksat_ms;
        ga.initial_deficit =
            (c_.soil_porosity - c_.soil_wilting_point) * (1.0 - u_.initial_saturation);
        soil_green_ampt_ = ga.ksat_ms > 0;
    }
    if (c_.type == LidType::kVegetativeSwale && subcatch_infil &&
        (subcatch_infil->model == InfiltrationModel::kGreenAmpt ||
         subcatch_infil->model == InfiltrationModel::kModifiedGreenAmpt)) {
        ga.suction_m = subcatch_infil->suction_m;
        ga.ksat_ms = subcatch_infil->ksat_ms;
        ga.initial_deficit = subcatch_infil->initial_deficit;
        soil_green_ampt_ = ga.ksat_ms > 0;
    }
    if (soil_green_ampt_)
        soil_infil_ = InfiltrationState(ga);
    // Initial state: soil and storage filled to the initial saturation.
    double init = 0;
    if (c_.soil_thickness_m > 0) {
        soil_theta_ = c_.soil_wilting_point +
                      u_.initial_saturation * (c_.soil_porosity - c_.soil_wilting_point);
        init += soil_theta_ * c_.soil_thickness_m;
    }
    if (c_.storage_thickness_m > 0) {
        storage_m_ = u_.initial_saturation * c_.storage_thickness_m;
        init += storage_m_ * c_.storage_void_fraction;
    }
    stored_m_ = init;
    balance_.initial_storage_m = balance_.final_storage_m = init;
    wet_ = u_.initial_saturation > 0;
    next_regen_day_ = c_.pavement_regen_days;
}

bool LidUnit::pervious() const {
    return c_.storage_thickness_m == 0 || c_.storage_ksat_ms > 0;
}

void LidUnit::evaporation(Work& w, double surface_vol, double pave_vol, double soil_vol,
                          double storage_vol, double perv_frac) const {
    // Evaporation takes ponded water first, then (only when nothing infiltrates) the pavement,
    // soil and storage layers in turn, below the pavement in proportion to its pervious part.
    double avail = w.evap_rate;
    w.surface_evap = std::max(0.0, std::min(avail, surface_vol / w.dt));
    avail = std::max(0.0, avail - w.surface_evap) * perv_frac;
    if (w.surface_infil > 0) {
        w.pave_evap = w.soil_evap = w.storage_evap = 0;
        return;
    }
    w.pave_evap = std::min(avail, pave_vol / w.dt);
    avail = std::max(0.0, avail - w.pave_evap);
    w.soil_evap = std::min(avail, soil_vol / w.dt);
    avail = std::max(0.0, avail - w.soil_evap);
    w.storage_evap = std::min(avail, storage_vol / w.dt);
}

double LidUnit::surface_outflow_ms(const Work& w, double depth) const {
    const double delta = depth - c_.surface_storage_m;
    if (delta < 0)
        return 0;
    const double q = surface_alpha_ * std::pow(delta, 5.0 / 3.0) * u_.width_m / area_m2_;
    return std::min(q, delta / w.dt);
}

double LidUnit::soil_percolation_ms(double theta) const {
    // unsaturated conductivity K(θ) = Ks·exp(−HCO·(φ − θ)) above field capacity (eq. 5-5)
    if (theta <= c_.soil_field_capacity)
        return 0;
    return c_.soil_ksat_ms * std::exp(-(c_.soil_porosity - theta) * c_.soil_kslope);
}

double LidUnit::storage_exfiltration_ms(const Work& w) const {
    if (c_.storage_ksat_ms == 0 || w.max_native_infil == 0)
        return 0;
    double clog = c_.storage_clog_factor;
    if (clog > 0)
        clog = std::min(w.inflow_total / clog, 1.0);
    return std::min(c_.storage_ksat_ms * (1.0 - clog), w.max_native_infil);
}

double LidUnit::drain_rate_ms(double storage, double theta, double pave, double surface) const {
    // Head on the drain: the storage level, plus the saturated part of the layers above once
    // the storage layer is full.
    double head = storage;
    if (storage >= c_.storage_thickness_m) {
        if (c_.soil_thickness_m > 0) {
            if (theta > c_.soil_field_capacity) {
                head += (theta - c_.soil_field_capacity) /
                        (c_.soil_porosity - c_.soil_field_capacity) * c_.soil_thickness_m;
                if (theta >= c_.soil_porosity) {
                    if (c_.pavement_thickness_m > 0) {
                        head += pave;
                        if (pave >= c_.pavement_thickness_m)
                            head += surface;
                    } else {
                        head += surface;
                    }
                }
            }
        } else if (c_.pavement_thickness_m > 0) {
            head += pave;
            if (pave >= c_.pavement_thickness_m)
                head += surface;
        }
    }
    // the drain opens above its open level and, once flowing, closes below its closed level
    if (old_drain_m3s == 0 && head <= c_.drain_open_head_m)
        return 0;
    if (old_drain_m3s > 0 && head <= c_.drain_close_head_m)
        return 0;
    head -= c_.drain_offset_m;
    if (head <= kZeroDepth)
        return 0;
    // q = C·h^η in the file's units (in/h with h in in, or mm/h with h in mm)
    const double h_user = head / c_.depth_unit_m;
    double q = c_.drain_coeff * std::pow(h_user, c_.drain_expon);
    if (c_.drain_curve_given) // the control curve's multiplier at this head
        q *= table_lookup(c_.drain_curve_x, c_.drain_curve_y, h_user);
    return q * c_.depth_unit_m / 3600.0;
}

double LidUnit::drain_mat_outflow_ms(const Work& w, double depth) const {
    if (mat_alpha_ > 0)
        return mat_alpha_ * std::pow(depth, 5.0 / 3.0) * u_.width_m / area_m2_ *
               c_.mat_void_fraction;
    return w.soil_perc; // without a roughness the mat passes all it receives
}

double LidUnit::pavement_permeability_ms(double t_start_s) {
    double reduction = 0;
    const double clog = c_.pavement_clog_factor;
    if (clog > 0) {
        if (c_.pavement_regen_days > 0 && t_start_s / 86400.0 >= next_regen_day_) {
            // regeneration (street sweeping) forgives part of the volume treated
            vol_treated_m_ *= 1.0 - c_.pavement_regen_degree;
            next_regen_day_ += c_.pavement_regen_days;
        }
        reduction = std::min(vol_treated_m_ / clog, 1.0);
    }
    return c_.pavement_ksat_ms * (1.0 - reduction);
}

void LidUnit::rooftop_rates(Work& w, const double x[], double f[]) const {
    const double depth = x[kSurf];
    evaporation(w, depth, 0, 0, 0, 1.0);
    w.surface_vol = depth;
    w.surface_infil = 0;
    // without a roughness the excess spills after the step (SWMM computes no outflow here)
    if (surface_alpha_ > 0)
        w.surface_outflow = surface_outflow_ms(w, depth);
    // the roof drain (gutter) takes up to its capacity, the rest runs onto the pervious area
    w.storage_drain = std::min(c_.drain_coeff * c_.depth_unit_m / 3600.0, w.surface_outflow);
    w.surface_outflow -= w.storage_drain;
    f[kSurf] = w.surface_inflow - w.surface_evap - w.storage_drain - w.surface_outflow;
}

void LidUnit::green_roof_rates(Work& w, const double x[], double f[]) const {
    const double surface = x[kSurf], theta = x[kSoil], storage = x[kStor];
    const double soil_th = c_.soil_thickness_m, stor_th = c_.storage_thickness_m;
    const double phi = c_.soil_porosity, stor_void = c_.storage_void_fraction;
    w.surface_vol = surface * c_.surface_void_fraction;
    w.soil_vol = theta * soil_th;
    w.storage_vol = storage * stor_void;
    evaporation(w, w.surface_vol, 0, w.soil_vol - c_.soil_wilting_point * soil_th, w.storage_vol,
                1.0);
    if (theta >= phi)
        w.storage_evap = 0;
    w.soil_perc = soil_percolation_ms(theta);
    double max_rate =
        std::max((theta - c_.soil_field_capacity) * soil_th, 0.0) / w.dt - w.soil_evap;
    w.soil_perc = std::max(std::min(w.soil_perc, max_rate), 0.0);
    w.storage_exfil = 0;
    w.storage_drain = drain_mat_outflow_ms(w, storage);
    if (theta >= phi && storage >= stor_th) {
        // both layers full: the slower of percolation and mat outflow limits both
        max_rate = std::min(w.soil_perc, w.storage_drain);
        w.soil_perc = w.storage_drain = max_rate;
        w.surface_infil = std::min(w.surface_infil, max_rate);
    } else {
        max_rate = storage * stor_void / w.dt - w.storage_evap;
        if (storage >= stor_th)
            max_rate += w.soil_perc;
        w.storage_drain = std::min(w.storage_drain, std::max(max_rate, 0.0));
        max_rate = (stor_th - storage) * stor_void / w.dt + w.storage_drain + w.storage_evap;
        w.soil_perc = std::min(w.soil_perc, max_rate);
        max_rate = (phi - theta) * soil_th / w.dt + w.soil_perc + w.soil_evap;
        w.surface_infil = std::min(w.surface_infil, max_rate);
    }
    w.surface_outflow = surface_outflow_ms(w, surface);
    f[kSurf] = (w.surface_inflow - w.surface_evap - w.surface_infil - w.surface_outflow) /
               c_.surface_void_fraction;
    f[kSoil] = (w.surface_infil - w.soil_evap - w.soil_perc) / soil_th;
    f[kStor] = (w.soil_perc - w.storage_evap - w.storage_drain) / stor_void;
}

void LidUnit::biocell_rates(Work& w, const double x[], double f[]) const {
    const double surface = x[kSurf], theta = x[kSoil], storage = x[kStor];
    const double soil_th = c_.soil_thickness_m, stor_th = c_.storage_thickness_m;
    const double phi = c_.soil_porosity, stor_void = c_.storage_void_fraction;
    w.surface_vol = surface * c_.surface_void_fraction;
    w.soil_vol = theta * soil_th;
    w.storage_vol = storage * stor_void;
    evaporation(w, w.surface_vol, 0, w.soil_vol - c_.soil_wilting_point * soil_th, w.storage_vol,
                1.0);
    if (theta >= phi)
        w.storage_evap = 0;
    // percolation, limited to the water above field capacity
    w.soil_perc = soil_percolation_ms(theta);
    double max_rate =
        std::max((theta - c_.soil_field_capacity) * soil_th, 0.0) / w.dt - w.soil_evap;
    w.soil_perc = std::max(std::min(w.soil_perc, max_rate), 0.0);
    w.storage_exfil = storage_exfiltration_ms(w);
    w.storage_drain = 0;
    if (c_.drain_coeff > 0)
        w.storage_drain = drain_rate_ms(storage, theta, 0.0, surface);
    if (stor_th == 0) {
        // no storage layer: percolation goes straight into the native soil
        w.storage_evap = 0;
        max_rate = std::min(w.soil_perc, w.storage_exfil);
        w.soil_perc = w.storage_exfil = max_rate;
        max_rate = (phi - theta) * soil_th / w.dt + w.soil_perc + w.soil_evap;
        w.surface_infil = std::min(w.surface_infil, max_rate);
    } else if (theta >= phi && storage >= stor_th) {
        // soil and storage full: the smaller of percolation and storage outflow limits both
        max_rate = w.storage_exfil + w.storage_drain;
        if (w.soil_perc < max_rate) {
            max_rate = w.soil_perc;
            if (max_rate > w.storage_exfil) {
                w.storage_drain = max_rate - w.storage_exfil;
            } else {
                w.storage_exfil = max_rate;
                w.storage_drain = 0;
            }
        } else {
            w.soil_perc = max_rate;
        }
        w.surface_infil = std::min(w.surface_infil, max_rate);
    } else {
        max_rate = w.soil_perc - w.storage_evap + storage * stor_void / w.dt;
        w.storage_exfil = std::max(std::min(w.storage_exfil, max_rate), 0.0);
        if (w.storage_drain > 0) {
            // the drain takes only water above its offset
            max_rate = -w.storage_exfil - w.storage_evap;
            if (storage >= stor_th)
                max_rate += w.soil_perc;
            if (c_.drain_offset_m <= storage)
                max_rate += (storage - c_.drain_offset_m) * stor_void / w.dt;
            w.storage_drain = std::min(w.storage_drain, std::max(max_rate, 0.0));
        }
        max_rate = w.storage_exfil + w.storage_drain + w.storage_evap +
                   (stor_th - storage) * stor_void / w.dt;
        w.soil_perc = std::min(w.soil_perc, max_rate);
        max_rate = (phi - theta) * soil_th / w.dt + w.soil_perc + w.soil_evap;
        w.surface_infil = std::min(w.surface_infil, max_rate);
    }
    w.surface_outflow = surface_outflow_ms(w, surface);
    f[kSurf] = (w.surface_inflow - w.surface_evap - w.surface_infil - w.surface_outflow) /
               c_.surface_void_fraction;
    f[kSoil] = (w.surface_infil - w.soil_evap - w.soil_perc) / soil_th;
    f[kStor] = stor_th == 0
                   ? 0.0
                   : (w.soil_perc - w.storage_evap - w.storage_exfil - w.storage_drain) / stor_void;
}

void LidUnit::trench_rates(Work& w, const double x[], double f[]) const {
    const double surface = x[kSurf], storage = x[kStor];
    const double stor_th = c_.storage_thickness_m, stor_void = c_.storage_void_fraction;
    w.surface_vol = surface * c_.surface_void_fraction;
    w.soil_vol = 0;
    w.storage_vol = storage * stor_void;
    evaporation(w, w.surface_vol, 0, 0, w.storage_vol, 1.0);
    if (surface > 0)
        w.storage_evap = 0;
    // everything on the surface enters the storage layer if it has room
    w.storage_inflow = w.surface_inflow + w.surface_vol / w.dt;
    w.storage_exfil = storage_exfiltration_ms(w);
    w.storage_drain = 0;
    if (c_.drain_coeff > 0)
        w.storage_drain = drain_rate_ms(storage, 0, 0, surface);
    double max_rate = w.storage_inflow - w.storage_evap + storage * stor_void / w.dt;
    w.storage_exfil = std::max(std::min(w.storage_exfil, max_rate), 0.0);
    if (w.storage_drain > 0) {
        max_rate = -w.storage_exfil - w.storage_evap;
        if (storage >= stor_th)
            max_rate += w.storage_inflow;
        if (c_.drain_offset_m <= storage)
            max_rate += (storage - c_.drain_offset_m) * stor_void / w.dt;
        w.storage_drain = std::min(w.storage_drain, std::max(max_rate, 0.0));
    }
    max_rate =
        (stor_th - storage) * stor_void / w.dt + w.storage_exfil + w.storage_evap + w.storage_drain;
    w.storage_inflow = std::min(w.storage_inflow, max_rate);
    w.surface_infil = w.storage_inflow;
    w.surface_outflow = surface_outflow_ms(w, surface);
    f[kSurf] = (w.surface_inflow - w.surface_evap - w.storage_inflow - w.surface_outflow) /
               c_.surface_void_fraction;
    f[kStor] = (w.storage_inflow - w.storage_evap - w.storage_exfil - w.storage_drain) / stor_void;
    f[kSoil] = 0;
}

void LidUnit::pavement_rates(Work& w, const double x[], double f[]) const {
    const double surface = x[kSurf], pave = x[kPave], theta = x[kSoil], storage = x[kStor];
    const double perv_frac = 1.0 - c_.pavement_imperv_fraction;
    const double pave_void = c_.pavement_void_fraction * perv_frac;
    const double pave_th = c_.pavement_thickness_m, soil_th = c_.soil_thickness_m;
    const double phi = c_.soil_porosity, stor_th = c_.storage_thickness_m;
    const double stor_void = c_.storage_void_fraction;
    w.surface_vol = surface * c_.surface_void_fraction;
    w.pave_vol = pave * pave_void;
    w.soil_vol = theta * soil_th;
    w.storage_vol = storage * stor_void;
    evaporation(w, w.surface_vol, w.pave_vol, w.soil_vol - c_.soil_wilting_point * soil_th,
                w.storage_vol, perv_frac);
    if (pave >= pave_th || (soil_th > 0 && theta >= phi))
        w.storage_evap = 0;
    // surface water enters the pavement up to its (clogged) permeability
    w.surface_infil = w.surface_inflow + w.surface_vol / w.dt;
    w.pave_perc = w.pave_permeability * perv_frac;
    w.surface_infil = std::min(w.surface_infil, w.pave_perc);
    double max_rate = std::max(w.pave_vol / w.dt + w.surface_infil - w.pave_evap, 0.0);
    w.pave_perc = std::min(w.pave_perc, max_rate);
    if (soil_th > 0) {
        w.soil_perc = soil_percolation_ms(theta);
        max_rate = std::max((theta - c_.soil_field_capacity) * soil_th, 0.0) / w.dt - w.soil_evap;
        w.soil_perc = std::max(std::min(w.soil_perc, max_rate), 0.0);
    } else {
        w.soil_perc = w.pave_perc;
    }
    w.storage_exfil = storage_exfiltration_ms(w);
    w.storage_drain = 0;
    if (c_.drain_coeff > 0)
        w.storage_drain = drain_rate_ms(storage, theta, pave, surface);
    // adjacent full layers pass the same flux
    if (soil_th == 0 && storage >= stor_th && pave >= pave_th) {
        max_rate = w.storage_evap + w.storage_drain + w.storage_exfil;
        if (w.pave_perc > max_rate) {
            w.pave_perc = max_rate;
        } else {
            w.storage_exfil = std::min(w.storage_exfil, w.pave_perc);
            w.storage_drain = w.pave_perc - w.storage_exfil;
        }
        w.soil_perc = w.pave_perc;
        w.surface_infil = std::min(w.surface_infil, w.pave_perc);
    } else if (soil_th > 0 && storage >= stor_th && theta >= phi && pave >= pave_th) {
        max_rate = w.storage_exfil + w.storage_drain;
        if (w.soil_perc < max_rate)
            max_rate = w.soil_perc;
        else
            max_rate = std::min(max_rate, w.pave_perc);
        if (max_rate > w.storage_exfil) {
            w.storage_drain = max_rate - w.storage_exfil;
        } else {
            w.storage_exfil = max_rate;
            w.storage_drain = 0;
        }
        w.soil_perc = w.pave_perc = max_rate;
        w.surface_infil = std::min(w.surface_infil, w.pave_perc);
    } else if (soil_th > 0 && storage >= stor_th && theta >= phi) {
        max_rate = w.storage_drain + w.storage_exfil;
        if (w.soil_perc > max_rate) {
            w.soil_perc = max_rate;
        } else {
            w.storage_exfil = std::min(w.storage_exfil, w.soil_perc);
            w.storage_drain = w.soil_perc - w.storage_exfil;
        }
        w.pave_perc = std::min(w.pave_perc, w.soil_perc);
        max_rate = (pave_th - pave) * pave_void / w.dt + w.pave_perc + w.pave_evap;
        w.surface_infil = std::min(w.surface_infil, max_rate);
    } else if (soil_th > 0 && pave >= pave_th && theta >= phi) {
        w.pave_perc = std::min(w.pave_perc, w.soil_perc);
        w.soil_perc = w.pave_perc;
        w.surface_infil = std::min(w.surface_infil, w.pave_perc);
        max_rate = std::max(w.storage_vol / w.dt + w.soil_perc - w.storage_evap, 0.0);
        w.storage_exfil = std::min(w.storage_exfil, max_rate);
    } else {
        max_rate = std::max(0.0, w.soil_perc - w.storage_evap + w.storage_vol / w.dt);
        w.storage_exfil = std::min(w.storage_exfil, max_rate);
        if (w.storage_drain > 0) {
            max_rate = -w.storage_exfil - w.storage_evap;
            if (storage >= stor_th)
                max_rate += w.soil_perc;
            if (c_.drain_offset_m <= storage)
                max_rate += (storage - c_.drain_offset_m) * stor_void / w.dt;
            w.storage_drain = std::min(w.storage_drain, std::max(max_rate, 0.0));
        }
        max_rate = std::max((stor_th - storage) * stor_void / w.dt + w.storage_evap +
                                w.storage_drain + w.storage_exfil,
                            0.0);
        if (soil_th > 0) {
            w.soil_perc = std::min(w.soil_perc, max_rate);
            max_rate = (phi - theta) * soil_th / w.dt + w.soil_perc;
        }
        w.pave_perc = std::min(w.pave_perc, max_rate);
        max_rate = (pave_th - pave) * pave_void / w.dt + w.pave_perc + w.pave_evap;
        w.surface_infil = std::min(w.surface_infil, max_rate);
    }
    w.surface_outflow = surface_outflow_ms(w, surface);
    f[kSurf] = w.surface_inflow - w.surface_evap - w.surface_infil - w.surface_outflow;
    f[kPave] = (w.surface_infil - w.pave_evap - w.pave_perc) / pave_void;
    double storage_inflow = 0;
    if (soil_th > 0) {
        f[kSoil] = (w.pave_perc - w.soil_evap - w.soil_perc) / soil_th;
        storage_inflow = w.soil_perc;
    } else {
        f[kSoil] = 0;
        storage_inflow = w.pave_perc;
        w.soil_perc = 0;
    }
    f[kStor] = (storage_inflow - w.storage_evap - w.storage_exfil - w.storage_drain) / stor_void;
}

void LidUnit::swale_rates(Work& w, const double x[], double f[]) const {
    // A trapezoidal channel of the unit's top width and berm height, full length area/width;
    // outflow by Manning on its wetted section (eq. 5-6).
    const double full = c_.surface_storage_m;
    const double depth = std::min(x[kSurf], full);
    double slope = c_.surface_side_slope;
    const double top = std::max(u_.width_m, kMinSwaleWidth);
    double bottom = top - 2.0 * slope * full;
    if (bottom < kMinSwaleWidth) {
        bottom = kMinSwaleWidth;
        slope = 0.5 * (top - kMinSwaleWidth) / full;
    }
    const double length = area_m2_ / top;
    const double surf_width = bottom + 2.0 * slope * depth;
    const double surf_area = length * surf_width;
    const double flow_area = depth * (bottom + slope * depth) * c_.surface_void_fraction;
    const double volume = length * flow_area;
    const double inflow = w.surface_inflow * area_m2_;
    double evap = std::min(w.evap_rate * surf_area, volume / w.dt);
    double exfil = w.surface_infil * surf_area;
    double outflow = 0;
    if (depth > kZeroDepth && flow_area > 1e-10 * kFoot * kFoot) {
        const double radius = flow_area / (bottom + 2.0 * depth * std::sqrt(1.0 + slope * slope));
        outflow = surface_alpha_ * flow_area * std::pow(radius, 2.0 / 3.0);
    }
    double dvdt = inflow - evap - exfil - outflow;
    if (depth == full && dvdt > 0) {
        outflow += dvdt; // a full swale spills what it cannot hold
        dvdt = 0;
    }
    w.surface_evap = evap / area_m2_;
    w.storage_exfil = exfil / area_m2_;
    w.surface_outflow = outflow / area_m2_;
    f[kSurf] = dvdt / surf_area;
    f[kSoil] = f[kStor] = 0;
    w.surface_vol = volume / area_m2_;
    w.soil_vol = w.storage_vol = 0;
}

void LidUnit::barrel_rates(Work& w, const double x[], double f[]) const {
    const double storage = x[kStor];
    w.surface_vol = w.soil_vol = 0;
    w.storage_vol = storage;
    w.surface_infil = w.surface_outflow = w.storage_drain = 0;
    // the valve opens once the drain delay has passed since the last rainfall
    if (c_.drain_delay_s == 0 || w.dry_time >= c_.drain_delay_s) {
        const double head = storage - c_.drain_offset_m;
        if (head > 0)
            w.storage_drain = std::min(drain_rate_ms(storage, 0, 0, 0), head / w.dt);
    }
    w.storage_inflow =
        std::min(w.surface_inflow, (c_.storage_thickness_m - storage) / w.dt + w.storage_drain);
    w.surface_infil = w.storage_inflow;
    f[kSurf] = w.surface_inflow - w.storage_inflow;
    f[kStor] = w.storage_inflow - w.storage_drain;
    f[kSoil] = 0;
}

void LidUnit::rates(Work& w, const double x[kLayers], double f[kLayers]) const {
    switch (c_.type) {
    case LidType::kBioRetention:
    case LidType::kRainGarden:
        biocell_rates(w, x, f);
        break;
    case LidType::kGreenRoof:
        green_roof_rates(w, x, f);
        break;
    case LidType::kInfiltrationTrench:
        trench_rates(w, x, f);
        break;
    case LidType::kPermeablePavement:
        pavement_rates(w, x, f);
        break;
    case LidType::kRainBarrel:
        barrel_rates(w, x, f);
        break;
    case LidType::kVegetativeSwale:
        swale_rates(w, x, f);
        break;
    case LidType::kRooftopDisconnection:
        rooftop_rates(w, x, f);
        break;
    }
}

LidUnitRates LidUnit::step(double dt, double inflow_ms, double evap_ms, double native_infil_ms,
                           double t_start_s, double max_native_infil_ms) {
    Work w;
    w.dt = dt;
    w.max_native_infil = max_native_infil_ms;
    w.evap_rate = evap_ms;
    w.surface_inflow = inflow_ms;
    w.dry_time = dry_time_s_;
    w.inflow_total = inflow_total_m_;
    if (c_.type == LidType::kPermeablePavement)
        w.pave_permeability = pavement_permeability_ms(t_start_s);
    // infiltration through the surface: into the soil layer by Green-Ampt, else the native
    // soil's rate (the process functions overwrite it where storage governs)
    if (c_.type == LidType::kPermeablePavement)
        w.surface_infil = 0;
    else if (soil_green_ampt_)
        w.surface_infil = soil_infil_.rate_ms(dt, inflow_ms, 0.0, surface_m_);
    else
        w.surface_infil = native_infil_ms;

    double x[kLayers] = {surface_m_, soil_theta_, storage_m_, pavement_m_};
    double x_min[kLayers] = {0, 0, 0, 0};
    double x_max[kLayers] = {kBig, kBig, kBig, kBig};
    if (c_.soil_thickness_m > 0) {
        x_min[kSoil] = c_.soil_wilting_point;
        x_max[kSoil] = c_.soil_porosity;
    }
    if (c_.pavement_thickness_m > 0)
        x_max[kPave] = c_.pavement_thickness_m;
    if (c_.storage_thickness_m > 0)
        x_max[kStor] = c_.storage_thickness_m;
    // Explicit Euler on the layer levels; a swale's surface uses the trapezoidal (modified
    // Puls) rule iterated to SWMM's tolerance.
    const double omega = c_.type == LidType::kVegetativeSwale ? 0.5 : 0.0;
    const double x_old[kLayers] = {x[0], x[1], x[2], x[3]};
    double x_prev[kLayers] = {x[0], x[1], x[2], x[3]};
    double f[kLayers] = {0, 0, 0, 0};
    const double tol[kLayers] = {kStopTolerance, 0.00328, kStopTolerance, kStopTolerance};
    for (int iter = 1; iter < 20; ++iter) {
        rates(w, x, f);
        bool converged = true;
        for (int i = 0; i < kLayers; ++i) {
            x[i] = x_old[i] + (omega * old_flux_[i] + (1.0 - omega) * f[i]) * dt;
            x[i] = std::max(std::min(x[i], x_max[i]), x_min[i]);
            if (omega > 0 && std::abs(x[i] - x_prev[i]) > tol[i])
                converged = false;
            x_prev[i] = x[i];
        }
        if (converged)
            break;
    }
    if (can_overflow_ || u_.width_m == 0) {
        const double delta = x[kSurf] - c_.surface_storage_m;
        if (delta > 0) {
            x[kSurf] = c_.surface_storage_m;
            w.surface_outflow += delta * c_.surface_void_fraction / dt;
        }
    }
    surface_m_ = x[kSurf];
    pavement_m_ = x[kPave];
    soil_theta_ = x[kSoil];
    storage_m_ = x[kStor];
    for (int i = 0; i < kLayers; ++i)
        old_flux_[i] = f[i];

    LidUnitRates r;
    r.evap_ms = w.surface_evap + w.pave_evap + w.soil_evap + w.storage_evap;
    r.infil_ms = w.storage_exfil;
    r.drain_ms = w.storage_drain;
    r.surface_outflow_ms = w.surface_outflow;
    vol_treated_m_ += inflow_ms * dt;
    inflow_total_m_ += inflow_ms * dt;
    // water now held: the layer volumes at the new levels
    {
        Work end = w;
        double f_end[kLayers];
        rates(end, x, f_end);
        stored_m_ = end.surface_vol + end.pave_vol + end.soil_vol + end.storage_vol;
    }
    balance_.inflow_m += inflow_ms * dt;
    balance_.evap_m += r.evap_ms * dt;
    balance_.infil_m += r.infil_ms * dt;
    balance_.surface_outflow_m += r.surface_outflow_ms * dt;
    balance_.drain_m += r.drain_ms * dt;
    balance_.final_storage_m = stored_m_;
    wet_ = !(inflow_ms < kMinFlux && r.surface_outflow_ms < kMinFlux && r.drain_ms < kMinFlux &&
             r.infil_ms < kMinFlux && r.evap_ms < kMinFlux);
    return r;
}

// ---------------------------------------------------------------------------------------------
// The LID units of a subcatchment

LidGroup::LidGroup(const Network& net, int subcatch) {
    const auto& sc = net.subcatchments;
    area_m2_ = sc.area_m2[subcatch];
    imperv_fraction_ = sc.imperv_fraction[subcatch];
    outlet_node_ = sc.outlet_node[subcatch];
    outlet_subcatch_ = sc.outlet_subcatch[subcatch];
    Infiltration infil = sc.infiltration[subcatch];
    if (!infil.model_given)
        infil.model = net.options.infiltration;
    const Infiltration* infil_ptr = sc.has_infiltration[subcatch] ? &infil : nullptr;
    // SWMM keeps a subcatchment's LID units in a list it prepends to: the last row is first.
    for (auto it = net.lid_usage.rbegin(); it != net.lid_usage.rend(); ++it) {
        if (static_cast<int>(it->subcatchment.idx()) != subcatch)
            continue;
        LidUsage u = *it;
        if (imperv_fraction_ >= 0.999)
            u.to_pervious = false; // no pervious area to return water to
        if (!u.drain_node.valid() && !u.drain_subcatchment.valid()) {
            u.drain_node = outlet_node_;
            u.drain_subcatchment = outlet_subcatch_;
        }
        units_.emplace_back(net.lid_controls[static_cast<std::size_t>(u.control)], u, infil_ptr);
        lid_area_m2_ += u.unit_area_m2 * u.number;
        if (units_.back().pervious())
            perv_area_m2_ += u.unit_area_m2 * u.number;
    }
    if (lid_area_m2_ > 0.999 * area_m2_)
        lid_area_m2_ = area_m2_;
}

void LidGroup::begin_step() {
    old_drain_m3s_ = new_drain_m3s_;
    new_drain_m3s_ = 0;
    for (auto& u : units_) {
        u.old_drain_m3s = u.new_drain_m3s;
        u.new_drain_m3s = 0;
    }
}

double LidGroup::stored_m3() const {
    double v = 0;
    for (const auto& u : units_)
        v += u.stored_depth_m() * u.area_m2() * u.usage().number;
    return v;
}

bool LidGroup::wet() const {
    return std::any_of(units_.begin(), units_.end(), [](const LidUnit& u) { return u.wet(); });
}

LidStepVolumes LidGroup::step(double dt, double rain_ms, double evap_ms, double runon_m3s,
                              const SubcatchmentRunoff& surface, const RunoffStepVolumes& surface_v,
                              InfiltrationState& native, double t_start_s) {
    LidStepVolumes v;
    if (units_.empty())
        return v;
    const double non_lid = area_m2_ - lid_area_m2_;
    // run-on spreads over the non-LID area, or over everything when the LIDs cover it all
    const double runon_ms = area_m2_ > 0 ? runon_m3s / (non_lid > 0 ? non_lid : area_m2_) : 0.0;
    // infiltration rate of the native soil under the units
    double native_ms = 0;
    if (non_lid > 0 && imperv_fraction_ < 1.0) {
        native_ms = surface_v.infil_m3 / non_lid / dt;
    } else {
        double ponded = 0;
        for (const auto& u : units_)
            ponded += u.surface_depth_m() * u.control().surface_void_fraction * u.area_m2() *
                      u.usage().number;
        ponded = lid_area_m2_ > 0 ? ponded / lid_area_m2_ : 0.0;
        native_ms = native.rate_ms(dt, rain_ms, runon_ms, ponded);
    }
    // runoff of the non-LID area available for treatment, m³/s
    double q_imperv = 0, q_perv = 0;
    if (area_m2_ > lid_area_m2_) {
        const auto& s = surface.subareas();
        q_imperv = (s[0].runoff_ms * s[0].area_fraction + s[1].runoff_ms * s[1].area_fraction) *
                   s[0].outlet_fraction * non_lid;
        q_perv = s[2].runoff_ms * s[2].area_fraction * s[2].outlet_fraction * non_lid;
    }
    double q_runoff = 0, q_drain = 0, q_return = 0;
    for (auto& u : units_) {
        const double a = u.area_m2() * u.usage().number;
        if (a <= 0)
            continue;
        double inflow = (q_imperv * u.usage().from_imperv + q_perv * u.usage().from_perv) / a;
        v.treated_m3 += inflow * a * dt;
        if (!(u.control().type == LidType::kRainBarrel && u.control().storage_covered))
            inflow += rain_ms;
        if (area_m2_ == lid_area_m2_)
            inflow += runon_ms;
        const LidUnitRates r =
            u.step(dt, inflow, evap_ms, native_ms, t_start_s, max_native_infil_ms_);
        double runoff = r.surface_outflow_ms * a;
        double drain = r.drain_ms * a;
        if (u.usage().to_pervious && area_m2_ > lid_area_m2_) {
            q_return += runoff;
            runoff = 0;
            if (u.usage().drain_node == outlet_node_ &&
                u.usage().drain_subcatchment == outlet_subcatch_) {
                q_return += drain;
                drain = 0;
            }
        }
        if (u.usage().drain_node.valid())
            v.drain_to_node_m3 += drain * dt;
        u.new_drain_m3s = drain;
        v.evap_m3 += r.evap_ms * dt * a;
        v.infil_m3 += r.infil_ms * dt * a;
        if (rain_ms > kMinRain)
            u.dry_time_s() = 0;
        else
            u.dry_time_s() += dt;
        q_runoff += runoff;
        q_drain += drain;
    }
    new_drain_m3s_ = q_drain;
    flow_to_perv_m3s_ = q_return;
    v.surface_out_m3 = q_runoff * dt;
    v.rain_m3 = rain_ms * dt * lid_area_m2_;
    return v;
}

} // namespace rencheng::drainage
