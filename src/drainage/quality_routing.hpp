// Water quality routing through the drainage network (SWMM 5.2 Reference Manual Vol. III — Water
// Quality, Rossman & Huber 2016, ch. 5; SWMM 5.2.4 qualrout.c): pollutant loads entering nodes,
// complete mixing at nodes, storage units and conduits as completely mixed reactors over each
// routing step, first-order decay, evaporation concentrating what is left, seepage and
// exfiltration losses, and the Quality Routing Continuity balance. Concentrations are kept in
// the pollutant's own units per litre (mg/L, µg/L, counts/L); a "load" is such a concentration
// times a flow in m³/s, and a stored "mass" such a concentration times a volume in m³: one of
// those is Pollutant::kLitresPerM3 × kg_per_unit() kg. [TREATMENT] at nodes as SWMM 5.2.4's
// treatmnt.c applies it: a removal fraction R or an outflow concentration C of each pollutant.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "drainage/math_expression.hpp"
#include "drainage/quality.hpp"
#include "drainage/routing.hpp"

namespace rencheng::drainage {

/// Totals of SWMM's Quality Routing Continuity of one pollutant, kg (counts for #/L pollutants).
struct RoutingQualityTotals {
    double dry_weather = 0, wet_weather = 0, groundwater = 0, rdii = 0, external = 0;
    double outflow = 0;      ///< leaving through outfalls and negative lateral flows
    double flooding = 0;     ///< leaving with flooding
    double exfiltration = 0; ///< lost with conduit seepage and storage exfiltration
    double reacted = 0;      ///< lost to first-order decay
    double initial_stored = 0, final_stored = 0;
    double continuity_error_pct = 0;
};

/// One [TREATMENT] line: at `node`, pollutant `pollutant` leaves with removal R = f(...) (a
/// fraction of the inflow's concentration taken out) or concentration C = f(...). The expression's
/// variables (treatment_variable): HRT (hours), DT (s), FLOW (the file's flow units), DEPTH (ft or
/// m), AREA (ft² or m²), a pollutant's name (its concentration) and R_<pollutant> (its removal).
struct NodeTreatment {
    int node = -1;
    int pollutant = -1;
    bool removal = true;
    MathExpression expression;
};

/// The variable index of `name` in a treatment expression over `pollutants` (nullopt: none):
/// 0..4 HRT, DT, FLOW, DEPTH, AREA; 5 + p pollutant p; 5 + n + p R_<pollutant p>.
std::optional<std::int32_t> treatment_variable(std::string_view name,
                                               const std::vector<Pollutant>& pollutants);

/// Reads the [TREATMENT] rows of `net` over `pollutants`; errors name the file, line, node and
/// what is wrong: an unknown node or pollutant (E306), a function neither R nor C or without '='
/// (E311), an expression SWMM cannot read (E204).
std::vector<NodeTreatment> read_treatment(const Network& net,
                                          const std::vector<Pollutant>& pollutants,
                                          const std::string& file, Diagnostics& diags);

/// The flow one street inlet moved in a routing step (drainage/inlet.hpp StreetInlets::capture):
/// `captured_m3s` from its street conduit's downstream (bypass) node into its capture node,
/// `backflow_m3s` back from the capture node's overflow.
struct InletTransfer {
    int link = -1, bypass = -1, capture = -1;
    double captured_m3s = 0, backflow_m3s = 0;
};

/// Where a load entering a node comes from (SWMM's inflow types of the continuity table).
enum class LoadSource : std::uint8_t { kDryWeather, kWetWeather, kGroundwater, kRdii, kExternal };

/// The quality state of every node and link over a routing run. Call, per routing step:
/// begin_step(), the add_load() of each lateral inflow, then (after the flow routing) route(),
/// then add_outflow() per node leaving the system; accumulate() as the flow totals are.
class NetworkQuality {
public:
    NetworkQuality() = default;
    NetworkQuality(std::vector<Pollutant> pollutants, FlowRouting model, std::size_t nodes,
                   std::size_t links);

    std::size_t pollutant_count() const { return pol_.size(); }

    /// Treatment at nodes ([TREATMENT]); `router` gives storage units' surface areas (AREA);
    /// `flow_per_m3s` and `length_per_m` convert FLOW and DEPTH (and AREA) to the file's units.
    void set_treatment(std::vector<NodeTreatment> treatment, const FlowRouter* router,
                       double flow_per_m3s, double length_per_m);

    /// Initial concentrations (Cinit in nodes and links deeper than 1 mm, SWMM qualrout_init) and
    /// the initial stored mass.
    void init(const std::vector<NodeState>& nodes, const std::vector<LinkState>& links);
    /// Instead of init(): a hot start file's concentrations (`[element * pollutants + p]`, the
    /// pollutant's units per litre) and storage units' residence times (s, per node), as SWMM
    /// 5.2.4's readRouting sets them (whatever the depth: qualrout_init is skipped), and the
    /// initial stored mass from them.
    void start_from(const std::vector<double>& node_conc, const std::vector<double>& link_conc,
                    const std::vector<double>& residence_s, const std::vector<NodeState>& nodes,
                    const std::vector<LinkState>& links);
    /// The hydraulic residence time of node n's water, s (storage units; 0 elsewhere).
    double residence_s(int n) const { return hrt_s_[static_cast<std::size_t>(n)]; }
    /// Starts a routing step: the new concentrations become the old ones, the new ones gather
    /// the loads (SWMM node_setOldQualState, link_setOldQualState).
    void begin_step();
    /// Clears the step's rates of the continuity (SWMM massbal_initTimeStepTotals).
    void clear_step_totals();
    /// A load entering node n: `load` is concentration × m³/s (see the file comment).
    void add_load(int n, std::size_t p, double load, LoadSource source);
    /// The street inlets' transfers of the coming routing step (empty: none), taken into account
    /// by route() and inlet_outflows() as SWMM 5.2.4 does (inlet_adjustQualInflows,
    /// inlet_adjustQualOutflows): the net captured flow carries the bypass node's concentration at
    /// the step start into the capture node (a net backflow the capture node's into the bypass
    /// node), and under kinematic wave a street conduit's captured flow carries no pollutant into
    /// its bypass node.
    void set_inlet_transfers(std::vector<InletTransfer> transfers) {
        transfers_ = std::move(transfers);
    }
    /// Mixes, reacts and moves the pollutants over a routing step of `dt_s` after the flows were
    /// routed (SWMM qualrout_execute). `storage_evap_m3` / `storage_exfil_m3`: per node, the
    /// evaporation and exfiltration of storage units over the step (0 elsewhere).
    void route(double dt_s, const std::vector<NodeState>& nodes,
               const std::vector<LinkState>& links, const std::vector<double>& storage_evap_m3,
               const std::vector<double>& storage_exfil_m3);
    /// Water leaving the system at node n at `q_m3s` (> 0), as flooding or not (SWMM
    /// removeOutflows).
    void add_outflow(int n, double q_m3s, bool flooded);
    /// After add_outflow() for the step: what the inlets move is not leaving the system (SWMM
    /// inlet_adjustQualOutflows): a capture node's overflow (it goes back up to the street) is
    /// taken off the flooding, and a bypass node's net capture off the outflow where its lateral
    /// inflow is negative. `capture_node(n)`: n receives an inlet's captured flow.
    template <class IsCapture>
    void inlet_outflows(const std::vector<NodeState>& nodes, IsCapture&& capture_node) {
        for (std::size_t n = 0; n < nodes.size(); ++n)
            if (nodes[n].overflow > 0.0 && capture_node(static_cast<int>(n)))
                for (std::size_t p = 0; p < pol_.size(); ++p)
                    step_[p].flood -= nodes[n].overflow * node_new_[idx(static_cast<int>(n), p)];
        for (const InletTransfer& t : transfers_) {
            const double q = t.captured_m3s - t.backflow_m3s;
            if (q > 0.0 && nodes[static_cast<std::size_t>(t.bypass)].lat_flow < 0.0)
                for (std::size_t p = 0; p < pol_.size(); ++p)
                    step_[p].out -= q * node_new_[idx(t.bypass, p)];
        }
    }
    /// Adds the step's rates over `h` seconds to the totals (SWMM massbal_updateRoutingTotals,
    /// called twice a step as for the flows).
    void accumulate(double h);
    /// An outfall's load over a step of the report period: its inflow × concentration × dt.
    void add_outfall_load(std::size_t outfall, int n, double inflow_m3s, double dt_s);

    /// Concentration at node n / link j a fraction `f` into the last step (SWMM's reported
    /// values), in the pollutant's units per litre.
    double node_concentration(int n, std::size_t p, double f) const {
        return (1.0 - f) * node_old_[idx(n, p)] + f * node_new_[idx(n, p)];
    }
    double link_concentration(int j, std::size_t p, double f) const {
        return (1.0 - f) * link_old_[idx(j, p)] + f * link_new_[idx(j, p)];
    }
    /// Each outfall's total load, kg (counts), `[outfall * pollutants + p]`.
    std::vector<double> outfall_loads_kg() const;
    /// The continuity of each pollutant with the final stored mass and the error (at the end).
    std::vector<RoutingQualityTotals> finish(const std::vector<NodeState>& nodes,
                                             const std::vector<LinkState>& links) const;

private:
    std::size_t idx(int k, std::size_t p) const {
        return static_cast<std::size_t>(k) * pol_.size() + p;
    }
    double reacted(std::size_t p, double c, double v1, double dt);
    double stored_mass(std::size_t p, const std::vector<NodeState>& nodes,
                       const std::vector<LinkState>& links) const;
    void treat(int n, double q, double dt, const NodeState& nd);
    double removal(std::size_t p);
    double treatment_value(std::int32_t var);

    struct Rates { // per pollutant: loads (concentration × m³/s) of the step
        double dw = 0, ww = 0, gw = 0, ii = 0, ex = 0, flood = 0, out = 0, reacted = 0, seep = 0;
        double final_stored = 0; ///< mass left in a drying element (added per call, as SWMM)
    };
    std::vector<Pollutant> pol_;
    FlowRouting model_ = FlowRouting::kKinwave;
    std::vector<double> node_old_, node_new_, link_old_, link_new_;
    std::vector<double> qual_inflow_; ///< per node, m³/s
    std::vector<Rates> step_, total_;
    std::vector<double> initial_stored_;
    std::vector<double> outfall_load_; ///< [outfall][pollutant], concentration × m³
    // treatment: per node, the index of its first row in treat_ (-1: none), np rows per node
    std::vector<int> treat_at_;
    std::vector<std::optional<NodeTreatment>> treat_;
    std::vector<double> hrt_s_;            ///< per node: storage units' hydraulic residence time
    std::vector<InletTransfer> transfers_; ///< street inlets of the step (set_inlet_transfers)
    const FlowRouter* router_ = nullptr;
    double flow_per_m3s_ = 1, length_per_m_ = 1;
    // the node being treated (SWMM treatmnt.c's module state, here per call)
    struct TreatState {
        int node = -1, first = 0;
        double dt = 0, q = 0;
        const NodeState* nd = nullptr;
        bool error = false;
        std::vector<double> r, c_in;
    } ts_;
};

} // namespace rencheng::drainage
