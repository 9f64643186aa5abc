// The power network: struct-of-arrays buses, generators and branches of a MATPOWER case.
#pragma once

#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/index.hpp"

namespace rencheng::power {

struct BusTag {};
struct GenTag {};
struct BranchTag {};
using BusIndex = StrongIndex<BusTag>;
using GenIndex = StrongIndex<GenTag>;
using BranchIndex = StrongIndex<BranchTag>;

/// MATPOWER bus types (MATPOWER manual, Table B-1): PQ load bus, PV voltage-controlled bus,
/// reference (slack) bus, isolated bus.
enum class BusType : std::uint8_t { kPq = 1, kPv = 2, kRef = 3, kIsolated = 4 };

/// Buses, in the order of the case file's `mpc.bus` rows. Powers are per unit on the system base
/// (`Network::base_mva`); angles are radians.
struct Buses {
    std::vector<std::int64_t> number; ///< BUS_I, the bus number (the external id)
    std::vector<BusType> type;
    std::vector<double> pd_pu, qd_pu;     ///< PD, QD: load
    std::vector<double> gs_pu, bs_pu;     ///< GS, BS: shunt at V = 1 p.u. (consumed, injected)
    std::vector<std::int64_t> area;       ///< BUS_AREA
    std::vector<double> vm_pu;            ///< VM: voltage magnitude (initial guess)
    std::vector<double> va_rad;           ///< VA: voltage angle (initial guess; reference angle)
    std::vector<double> base_kv;          ///< BASE_KV
    std::vector<std::int64_t> zone;       ///< ZONE
    std::vector<double> vmax_pu, vmin_pu; ///< VMAX, VMIN

    [[nodiscard]] std::int32_t count() const { return static_cast<std::int32_t>(number.size()); }
};

/// Generators, in the order of `mpc.gen` rows.
struct Gens {
    std::vector<BusIndex> bus;        ///< GEN_BUS as an index (invalid only after a read error)
    std::vector<double> pg_pu, qg_pu; ///< PG, QG: set points
    std::vector<double> qmax_pu;      ///< QMAX (may be +inf)
    std::vector<double> qmin_pu;      ///< QMIN (may be -inf)
    std::vector<double> vg_pu;        ///< VG: voltage set point
    std::vector<double> mbase_mva;    ///< MBASE: the machine's own base
    std::vector<double> status;       ///< GEN_STATUS: > 0 in service
    std::vector<double> pmax_pu;      ///< PMAX
    std::vector<double> pmin_pu;      ///< PMIN

    [[nodiscard]] std::int32_t count() const { return static_cast<std::int32_t>(bus.size()); }
    [[nodiscard]] bool in_service(GenIndex g) const { return status[g.idx()] > 0; }
};

/// Branches (lines and transformers), in the order of `mpc.branch` rows; π model with the ideal
/// transformer at the from end (MATPOWER manual §3.2).
struct Branches {
    std::vector<BusIndex> from, to;             ///< F_BUS, T_BUS (invalid only after a read error)
    std::vector<double> r_pu, x_pu;             ///< BR_R, BR_X: series impedance
    std::vector<double> b_pu;                   ///< BR_B: total line charging susceptance
    std::vector<double> rate_a_mva;             ///< RATE_A (0: unlimited)
    std::vector<double> rate_b_mva;             ///< RATE_B
    std::vector<double> rate_c_mva;             ///< RATE_C
    std::vector<double> tap;                    ///< TAP: off-nominal ratio, 0 as written for a line
    std::vector<double> shift_rad;              ///< SHIFT: phase shift
    std::vector<double> status;                 ///< BR_STATUS: nonzero in service
    std::vector<double> angmin_rad, angmax_rad; ///< ANGMIN, ANGMAX (default ∓360°)

    [[nodiscard]] std::int32_t count() const { return static_cast<std::int32_t>(from.size()); }
    [[nodiscard]] bool in_service(BranchIndex k) const { return status[k.idx()] != 0; }
    /// The tap ratio the model uses: TAP, or 1 where the file has 0 (a line).
    [[nodiscard]] double ratio(BranchIndex k) const {
        return tap[k.idx()] == 0 ? 1.0 : tap[k.idx()];
    }
};

/// Columns of a MATPOWER matrix past the ones the model names (OPF results such as LAM_P, MU_*,
/// the gen columns PC1..APF, branch PF..MU_ANGMAX), kept as written so the writer can write them
/// back. Row-major, `columns` values per row.
struct ExtraColumns {
    std::int32_t columns = 0;
    std::vector<double> values;
};

/// `mpc.gencost`, kept in file units (MATPOWER manual Table B-4): per row MODEL (1 piecewise
/// linear, 2 polynomial), STARTUP, SHUTDOWN, NCOST, then the cost data, zero-padded.
struct GenCost {
    std::int32_t columns = 0;
    std::vector<double> values; ///< row-major
    [[nodiscard]] std::int32_t rows() const {
        return columns == 0 ? 0 : static_cast<std::int32_t>(values.size()) / columns;
    }
};

/// A field of the case we do not model (e.g. `mpc.gentype`, `mpc.genfuel`): its assignment's
/// source text from `mpc` to the closing `;`, written back verbatim.
struct OtherField {
    std::string name;
    std::string text;
    int line = 0;
};

/// A MATPOWER case (format version 2). Elements are in file order with dense 0-based indices;
/// bus numbers map to indices once, at load time. Powers are per unit on `base_mva`.
struct Network {
    std::string name; ///< from `function mpc = name`
    double base_mva = 100;
    Buses buses;
    Gens gens;
    Branches branches;
    ExtraColumns bus_extra, gen_extra, branch_extra;
    GenCost gencost;                    ///< rows() == 0 when the case has none
    std::vector<std::string> bus_names; ///< empty, or one per bus
    std::vector<OtherField> other_fields;
    std::unordered_map<std::int64_t, std::int32_t> bus_index; ///< bus number → index

    /// Index of bus number `number`; invalid when there is none.
    [[nodiscard]] BusIndex find_bus(std::int64_t number) const {
        const auto it = bus_index.find(number);
        return it == bus_index.end() ? BusIndex{} : BusIndex{it->second};
    }
};

} // namespace rencheng::power
