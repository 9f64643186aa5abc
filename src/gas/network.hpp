// The gas network: struct-of-arrays nodes and connections of a city or transmission gas network,
// SI inside (Pa absolute, m, m³/s at normal conditions 0 °C / 101.325 kPa, K).
#pragma once

#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/csr.hpp"
#include "core/index.hpp"

namespace rencheng::gas {

struct NodeTag {};
struct ConnectionTag {};
using NodeIndex = StrongIndex<NodeTag>;
using ConnectionIndex = StrongIndex<ConnectionTag>;

/// Hash of an id that also takes a string_view, so look-ups allocate nothing.
struct IdHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const noexcept {
        return std::hash<std::string_view>{}(s);
    }
};
/// External id → dense index, built once at load time.
using IdMap = std::unordered_map<std::string, std::int32_t, IdHash, std::equal_to<>>;

/// "Not given" for optional quantities stored in dense arrays (set-points, coordinates).
inline constexpr double kUnset = std::numeric_limits<double>::quiet_NaN();
[[nodiscard]] inline bool is_set(double v) {
    return !std::isnan(v);
}

/// Normal (base) conditions of every volumetric flow in the model: 0 °C and 101.325 kPa, as in
/// GasLib and GB 50028 ("标准状态").
inline constexpr double kNormalTemperatureK = 273.15;
inline constexpr double kNormalPressurePa = 101325.0;
/// Universal gas constant, J/(mol·K) (CODATA 2018, exact) and molar mass of dry air, kg/mol.
inline constexpr double kGasConstant = 8.314462618;
inline constexpr double kMolarMassAir = 0.0289644;

// ---------------------------------------------------------------------------------------------
// Nodes

/// kSource: gate station / entry (injects gas; a pressure set-point makes it a pressure
/// reference, otherwise it injects its nominated flow). kJunction: inner node. kCustomer: exit /
/// consumer (withdraws its demand).
enum class NodeKind : std::uint8_t { kSource, kJunction, kCustomer };
enum class CustomerClass : std::uint8_t {
    kNone,
    kResidential,
    kCommercial,
    kIndustrial,
    kCritical
};

std::string_view node_kind_name(NodeKind k);           ///< "source", "junction", "customer"
std::string_view customer_class_name(CustomerClass c); ///< "none", "residential", ...

// ---------------------------------------------------------------------------------------------
// Connections

/// kPipe: friction pipe. kShortPipe: lossless connection (GasLib shortPipe). kResistor: fixed
/// drag factor (GasLib resistor). kValve: open/closed, no loss when open. kRegulator:
/// pressure-reducing station holding its outlet pressure (GasLib controlValve). kCompressor:
/// compressor station holding its outlet pressure or pressure ratio.
enum class ConnectionKind : std::uint8_t {
    kPipe,
    kShortPipe,
    kResistor,
    kValve,
    kRegulator,
    kCompressor
};
/// How a valve is operated (isolation timing depends on it).
enum class ValveKind : std::uint8_t { kNone, kManual, kRemote, kAutoExcessFlow };
/// Pressure class of a pipe (GB 50028-2006 §6.1.6): high > 0.8 MPa, sub-high 0.4–0.8 MPa,
/// medium 0.01–0.4 MPa, low < 0.01 MPa (gauge). Low-pressure pipes use the GB 50028 low-pressure
/// equation on pressures; the others a squared-pressure equation.
enum class PressureClass : std::uint8_t { kHigh, kSubHigh, kMedium, kLow };
/// Pipe flow equation for the squared-pressure classes (see docs/gas.md).
enum class FlowEquation : std::uint8_t { kWeymouth, kPanhandleA, kPanhandleB, kGeneral };
/// kOutletPressure: hold `outlet_set_pressure_pa` at the outlet. kRatio: outlet = ratio · inlet.
enum class CompressorMode : std::uint8_t { kOutletPressure, kRatio };

std::string_view connection_kind_name(ConnectionKind k); ///< "pipe", "short_pipe", ...
std::string_view valve_kind_name(ValveKind k);           ///< "none", "manual", ...
std::string_view pressure_class_name(PressureClass c);   ///< "high", "sub_high", ...
std::string_view flow_equation_name(FlowEquation e);     ///< "weymouth", "panhandle_a", ...

// ---------------------------------------------------------------------------------------------
// Gas properties

/// Properties of the gas, one set per network (isothermal steady flow).
struct GasProperties {
    double molar_mass_kgmol = 0.6 * kMolarMassAir; ///< M; relative density G = M / M_air
    double normal_density_kgm3 = 0.6 * 1.2929;     ///< ρ_n at 0 °C, 101.325 kPa
    double temperature_k = 288.15;                 ///< flowing gas temperature T
    double compressibility = 1.0;                  ///< Z, constant (see docs/gas.md)
    double dynamic_viscosity_pas = 1.1e-5;         ///< μ, for the Reynolds number
    double pipeline_efficiency = 1.0;              ///< E in Weymouth / Panhandle
    double air_normal_density_kgm3 = 1.2929;       ///< for the GB 50028 elevation term
    /// Pseudo-critical pressure and temperature (GasLib), 0 when not given.
    double pseudocritical_pressure_pa = 0;
    double pseudocritical_temperature_k = 0;

    [[nodiscard]] double relative_density() const { return molar_mass_kgmol / kMolarMassAir; }
    /// Specific gas constant R_s = R / M, J/(kg·K).
    [[nodiscard]] double specific_gas_constant() const { return kGasConstant / molar_mass_kgmol; }
};

/// Compressibility by Papay's formula, Z = 1 − 3.52 p_r e^(−2.26 T_r) + 0.274 p_r² e^(−1.878 T_r),
/// p_r = p / p_pc, T_r = T / T_pc (Papay 1968; as used for GasLib by Koch et al. 2015, eq. 2.8).
double papay_compressibility(double pressure_pa, double temperature_k,
                             double pseudocritical_pressure_pa,
                             double pseudocritical_temperature_k);

// ---------------------------------------------------------------------------------------------
// The network

/// A gas network. Nodes and connections are struct-of-arrays with dense 0-based indices in file
/// order; external ids map to indices once, at load time. Everything is SI inside.
///
/// Sign conventions: `demand_m3s` > 0 is gas leaving the network at the node (customer, exit);
/// < 0 is gas injected (a source with a nominated flow). A connection's flow is positive from
/// `from_node` to `to_node`. Pressures are absolute.
struct Network {
    std::string title;
    GasProperties gas;
    /// Equation of pipes in the high, sub-high and medium classes.
    FlowEquation flow_equation = FlowEquation::kGeneral;

    // Nodes
    std::vector<std::string> node_id;
    std::vector<NodeKind> node_kind;
    std::vector<double> lon_deg, lat_deg; ///< WGS 84; kUnset when unknown
    std::vector<double> x, y;             ///< schematic coordinates (GasLib x/y), kUnset if none
    std::vector<double> elevation_m;
    std::vector<double> pressure_min_pa; ///< lower bound (customers: minimum service pressure)
    std::vector<double> pressure_max_pa; ///< upper bound (maximum operating pressure)
    /// Sources: pressure set-point (a pressure reference); kUnset: the source injects its
    /// nominated flow (-demand_m3s) instead, or the solver picks the level (auto mode, see
    /// steady_state.hpp).
    std::vector<double> set_pressure_pa;
    std::vector<double> demand_m3s;   ///< normal m³/s, + withdrawal, − injection
    std::vector<double> flow_min_m3s; ///< bounds of the node's supply/withdrawal (GasLib)
    std::vector<double> flow_max_m3s; ///< sources: capacity; kUnset when not given
    std::vector<CustomerClass> customer_class;
    std::vector<std::int32_t> customer_count; ///< households / accounts served, 0 if unknown
    IdMap node_index;

    // Connections
    std::vector<std::string> connection_id;
    std::vector<ConnectionKind> connection_kind;
    std::vector<NodeIndex> from_node, to_node;
    std::vector<double> length_m;    ///< pipes
    std::vector<double> diameter_m;  ///< pipes, resistors
    std::vector<double> roughness_m; ///< pipes: absolute roughness
    std::vector<PressureClass> pressure_class;
    std::vector<double> drag_factor; ///< resistors: ζ of Δp = ζ ρ v|v| / 2
    std::vector<ValveKind> valve_kind;
    std::vector<std::uint8_t> open; ///< 1 open, 0 closed (valves; other kinds may be closed too)
    /// Regulators and compressors in kOutletPressure mode: the outlet pressure to hold;
    /// kUnset: auto (the solver picks it within the bounds, docs/gas.md "Operating mode").
    std::vector<double> outlet_set_pressure_pa;
    std::vector<CompressorMode> compressor_mode;
    std::vector<double> pressure_ratio;         ///< compressors in kRatio mode
    std::vector<double> max_pressure_ratio;     ///< compressors: largest outlet/inlet, kUnset: none
    std::vector<double> inlet_pressure_min_pa;  ///< regulators/compressors, kUnset: none
    std::vector<double> outlet_pressure_max_pa; ///< regulators/compressors, kUnset: none
    /// Regulators: bounds of inlet − outlet pressure, kUnset: none.
    std::vector<double> pressure_differential_min_pa, pressure_differential_max_pa;
    /// Station pressure losses at inlet and outlet (GasLib pressureLossIn/Out), Pa.
    std::vector<double> pressure_loss_in_pa, pressure_loss_out_pa;
    std::vector<double> connection_flow_min_m3s, connection_flow_max_m3s; ///< kUnset: none
    std::vector<std::vector<double>> vertices; ///< pipe geometry lon0, lat0, lon1, lat1, ...
    IdMap connection_index;

    [[nodiscard]] std::int32_t node_count() const {
        return static_cast<std::int32_t>(node_id.size());
    }
    [[nodiscard]] std::int32_t connection_count() const {
        return static_cast<std::int32_t>(connection_id.size());
    }

    /// Index of node / connection `id`; invalid when there is none.
    [[nodiscard]] NodeIndex find_node(std::string_view id) const;
    [[nodiscard]] ConnectionIndex find_connection(std::string_view id) const;

    /// Appends a node with defaults for every field (junction, no bounds, zero demand) and
    /// returns its index; throws Error(kDuplicateId) when `id` exists.
    NodeIndex add_node(std::string id, NodeKind kind);
    /// Appends a connection with defaults for every field (open, medium class, no set-point)
    /// and returns its index; throws Error(kDuplicateId) when `id` exists.
    ConnectionIndex add_connection(std::string id, ConnectionKind kind, NodeIndex from,
                                   NodeIndex to);

    /// Undirected node-connection incidence in CSR form (each connection gives two arcs; arc id =
    /// connection index), closed connections included.
    [[nodiscard]] CsrGraph adjacency() const;
};

} // namespace rencheng::gas
