// Power flow: bus admittance matrix, AC Newton-Raphson (polar), fast-decoupled XB/BX, DC model.
#pragma once

#include <array>
#include <complex>
#include <cstdint>
#include <string>
#include <vector>

#include "power/block_lu.hpp"
#include "power/network.hpp"
#include "power/sparse_lu.hpp"

namespace rencheng::power {

enum class PowerFlowMethod : std::uint8_t {
    kNewton,          ///< AC, Newton-Raphson in polar coordinates (MATPOWER 'NR')
    kFastDecoupledXb, ///< AC, fast-decoupled, XB version (MATPOWER 'FDXB')
    kFastDecoupledBx, ///< AC, fast-decoupled, BX version (MATPOWER 'FDBX')
    kDc,              ///< DC power flow (MATPOWER runpf with PF_DC)
};

/// "newton", "fdxb", "fdbx", "dc".
std::string_view method_name(PowerFlowMethod m);

struct PowerFlowOptions {
    PowerFlowMethod method = PowerFlowMethod::kNewton;
    /// Convergence: the largest active or reactive power mismatch, per unit (MATPOWER pf.tol).
    double tolerance_pu = 1e-8;
    /// Most iterations of one solve; 0 takes the method's default (Newton 10, fast-decoupled 30,
    /// MATPOWER pf.nr.max_it and pf.fd.max_it).
    int max_iterations = 0;
    /// Generator reactive limits: after a converged solve, generators outside [Qmin, Qmax] are
    /// fixed at the limit and their buses become PQ, and the flow is solved again, until none is
    /// outside (MATPOWER pf.enforce_q_lims = 1). AC methods only.
    bool enforce_q_limits = false;
    /// With enforce_q_limits: fix only the generator with the largest violation per round
    /// (MATPOWER pf.enforce_q_lims = 2).
    bool q_limits_one_at_a_time = false;
    /// A generator violates a limit when it is beyond it by more than this (MATPOWER
    /// opf.violation, 5e-6 MVAr), per unit.
    double q_limit_tolerance_pu = 5e-8;

    /// Throws Error(kOutOfRange) naming the first bad option.
    void validate() const;
};

enum class MismatchKind : std::uint8_t { kActive, kReactive };

/// The outcome of a power flow: the summary, then per-element results in the network's order.
/// Per-unit quantities are on the network's base_mva; angles in radians.
struct PowerFlowResult {
    PowerFlowMethod method = PowerFlowMethod::kNewton;
    bool converged = false;
    int iterations = 0; ///< all solves together (Q-limit rounds add up); DC: 1
    /// Largest power mismatch at the end (∞-norm over the active-power equations of PV and PQ
    /// buses and the reactive-power equations of PQ buses), per unit, with its bus and kind.
    double max_mismatch_pu = 0;
    BusIndex worst_bus;
    MismatchKind worst_kind = MismatchKind::kActive;
    std::vector<BusIndex> reference_buses; ///< as solved
    std::vector<GenIndex> q_limited;       ///< generators fixed at a reactive limit
    /// The linear system (Jacobian, B', B'' or B) was singular: typically a part of the network
    /// without a reference bus.
    bool singular = false;
    int symbolic_analyses = 0; ///< sparse LU orderings computed in this solve
    double solve_seconds = 0;

    std::vector<BusType> bus_type; ///< per bus, as solved (PV buses may have become PQ)
    std::vector<double> vm_pu;     ///< per bus; DC: 1
    std::vector<double> va_rad;    ///< per bus
    std::vector<double> pg_pu;     ///< per generator; out of service: 0
    std::vector<double> qg_pu;     ///< per generator; out of service: 0; DC: as in the case
    /// Per branch, the power entering the branch at its from and to ends; out of service: 0.
    std::vector<double> p_from_pu, q_from_pu, p_to_pu, q_to_pu;

    /// One line: "converged after 4 iterations, max mismatch 1.2e-12 p.u. (P at bus 5)".
    [[nodiscard]] std::string summary(const Network& net) const;
};

/// The bus admittance matrix in compressed sparse column form (every diagonal entry present),
/// with the per-branch two-port admittances it was built from (MATPOWER manual eq. 3.3-3.11:
/// y_s = 1/(r + jx), τ = ratio·e^{jθ_shift}, Y_ff = (y_s + jb/2)/|τ|², Y_ft = -y_s/τ*,
/// Y_tf = -y_s/τ, Y_tt = y_s + jb/2; bus shunt (G_s + jB_s)/baseMVA on the diagonal).
struct Admittance {
    std::int32_t n = 0;
    std::vector<std::int32_t> col_start;
    std::vector<std::int32_t> row;
    std::vector<std::complex<double>> value;
    std::vector<std::complex<double>> yff, yft, ytf, ytt; ///< per branch, 0 when out of service
};

/// Builds Ybus of the in-service branches between non-isolated buses.
Admittance make_ybus(const Network& net);

/// A power flow solver for one network. It builds the admittance matrix once and keeps the
/// Newton Jacobian's pattern for as long as the set of PV and PQ buses stays the same (B', B''
/// and B likewise with their KLU analyses), so repeated solves (changed loads or generation, e.g.
/// per scenario) only factor. The Newton unknowns are numbered bus by bus (angle, then magnitude)
/// in an approximate-minimum-degree order of the bus graph, and each step is solved by BlockLu
/// (2x2 bus blocks, static pivots, analysed once from Ybus's pattern), with KLU as the pivoting
/// fallback when the block LU refuses a Jacobian or its steps blow up. The network must
/// outlive the solver; its loads and generator set points may change between solves, its
/// branches, statuses and bus types may not (take elements out with set_outages() instead).
class PowerFlowSolver {
public:
    /// With `keep_pattern` (contingency analysis), the Newton Jacobian has an angle and a
    /// magnitude unknown for every bus of the case other than the reference, whatever the current
    /// bus types and outages: an unknown that is not one in the current state (the magnitude at a
    /// PV bus, both at a bus set out) gets the equation "change = 0". The pattern then survives
    /// outages and PV/PQ changes; only a change of reference bus makes a new one.
    explicit PowerFlowSolver(const Network& net, bool keep_pattern = false);

    /// Solves the power flow. Never throws for a flow that does not converge (the result says
    /// so, with its numbers); throws Error(kInconsistent) when the network cannot be solved at all
    /// (no bus with a generator in service to be the reference) and Error(kOutOfRange) for bad
    /// options.
    PowerFlowResult solve(const PowerFlowOptions& options = {});

    /// Takes branches and generators out of service and sets buses out (`bus_out`: empty or one
    /// flag per bus; a bus set out must not be joined to one in service by a branch left in
    /// service), on top of the case's statuses, replacing the previous call's outages. The
    /// admittance matrix keeps its pattern: a branch out has its admittances subtracted, its
    /// entries stay as zeros. Indices must be in range.
    void set_outages(const std::vector<BranchIndex>& branches, const std::vector<GenIndex>& gens,
                     const std::vector<std::uint8_t>& bus_out);
    /// The starting voltages of the next solves, one value per bus each (a magnitude ≤ 0 takes the
    /// case's VM); empty vectors: the case's VM and VA. Throws Error(kOutOfRange) on a size
    /// mismatch.
    void set_initial_voltages(std::vector<double> vm_pu, std::vector<double> va_rad);

    /// Loads (PD, QD per bus) and generator active-power set points (PG per unit), per unit, in
    /// place of the case's for the next solves (e.g. after shedding); an empty vector keeps the
    /// case's. Throws Error(kOutOfRange) on a size mismatch.
    void set_schedule(std::vector<double> pd_pu, std::vector<double> qd_pu,
                      std::vector<double> pg_pu);

    [[nodiscard]] const Admittance& ybus() const { return ybus_; }
    /// Symbolic analyses of the Newton Jacobian since construction.
    [[nodiscard]] int jacobian_analyses() const { return jacobian_analyses_; }
    /// Newton solves that went over to the pivoting sparse LU (KLU) because the block LU refused
    /// a Jacobian or its steps blew up, since construction.
    [[nodiscard]] int pivoting_fallbacks() const { return pivoting_fallbacks_; }

private:
    struct Sets {
        std::vector<std::int32_t> ang_var; ///< per bus: angle unknown, -1 for ref/isolated
        std::vector<std::int32_t> mag_var; ///< per bus: magnitude unknown, -1 unless PQ
        std::vector<std::int32_t> refs;    ///< reference buses
        std::int32_t n_ang = 0, n_mag = 0;
    };

    Sets classify(const std::vector<BusType>& types, const std::vector<std::uint8_t>& gen_on,
                  std::vector<BusType>& effective) const;
    /// The Jacobian's pattern for unknowns `has_ang`/`has_mag` per bus (see the class comment).
    void build_jacobian_pattern(const std::vector<std::uint8_t>& has_ang,
                                const std::vector<std::uint8_t>& has_mag);
    /// Solves J dx = -F for the Newton step, -F being in block_x_ (evaluate()): by the block LU
    /// from its values, the step left in block_x_ (elimination order), or with `pivoting` by KLU
    /// from jac_ with a fresh pivot order, the step in dx_ (pattern numbering). False when the
    /// block LU refuses the Jacobian (block_x_ is then spoilt) or KLU finds it singular.
    bool newton_step(bool pivoting);
    /// At the voltages of state_: I = Y_bus V and S = V conj(I) (into state_, rank_s_) and the
    /// mismatch at the buses with equations, stored as -ΔP, -ΔQ per bus in elimination order
    /// (block_x_, the block LU's right-hand side); with `jacobian` also the Jacobian's blocks into
    /// the block LU, in the same single pass over Y_bus. Returns the largest |mismatch| (∞ when
    /// one is not a number).
    double evaluate(bool jacobian);
    /// The Y_bus value at CSC position p changed (an outage): keep the pair copy in step.
    void update_pair_value(std::size_t p);
    bool newton(const Sets& s, std::vector<std::complex<double>>& v,
                const std::vector<std::complex<double>>& sbus, const PowerFlowOptions& o,
                int& iterations, int& analyses);
    bool fast_decoupled(const Sets& s, std::vector<std::complex<double>>& v,
                        const std::vector<std::complex<double>>& sbus, const PowerFlowOptions& o,
                        int& iterations, int& analyses);
    PowerFlowResult solve_dc(const PowerFlowOptions& o);

    const Network& net_;
    bool keep_pattern_ = false;
    Admittance ybus_;
    /// Ybus by rows (I = Y V is a row-wise product), with each CSC entry's CSR position.
    std::vector<std::int32_t> csr_start_, csr_col_, csr_of_csc_;
    std::vector<std::complex<double>> csr_value_;
    std::vector<std::complex<double>> base_value_; ///< Ybus values with no outage
    /// Per branch, the CSC positions of its (f,f), (f,t), (t,f), (t,t) entries; -1 when inactive.
    std::vector<std::array<std::int32_t, 4>> branch_pos_;
    std::vector<std::int32_t> outaged_branches_; ///< by set_outages(), to restore
    std::vector<double> initial_vm_, initial_va_;
    std::vector<double> pd_, qd_, pg_;          ///< set_schedule(); empty: the case's
    bool singular_ = false;                     ///< set by the last linear solve that failed
    std::vector<std::uint8_t> case_bus_active_; ///< 0 for isolated buses
    std::vector<std::uint8_t> bus_active_;      ///< 0 for isolated buses and buses set out
    std::vector<std::uint8_t> case_branch_active_;
    std::vector<std::uint8_t> branch_active_; ///< in service with both ends active
    std::vector<std::uint8_t> case_gen_active_;
    std::vector<std::uint8_t> gen_active_; ///< in service at an active bus

    // Newton: Jacobian pattern and LU for the last PV/PQ split (keep_pattern: reference set).
    std::vector<std::int32_t> bus_rank_; ///< AMD position of each bus (empty until needed)
    std::vector<std::int32_t> jac_key_;
    std::vector<std::int32_t> jac_ang_, jac_mag_; ///< per bus: its unknowns in the pattern, or -1
    CscMatrix jac_;
    /// Per Ybus entry (i, j): where ∂P_i/∂θ_j, ∂P_i/∂|V_j|, ∂Q_i/∂θ_j, ∂Q_i/∂|V_j| go in jac_.value
    /// (-1: not in the pattern).
    std::vector<std::array<std::int32_t, 4>> jac_pos_;
    /// The same Jacobian by 2x2 bus blocks (BlockLu, static pivots, the fast path), with the
    /// right-hand side and step in elimination order (2 per bus).
    BlockLu jac_blu_;
    std::vector<double> block_x_;
    /// Y_bus's off-diagonal entries as mirror pairs (i, j), (j, i) with rank(i) > rank(j), in the
    /// block LU's memory order: both admittances and where block (i, j) is (block (j, i) follows
    /// it), so that evaluate() reads them and writes the Jacobian as two streams.
    struct YPair {
        std::int32_t i = 0, j = 0, offset = 0;
        std::complex<double> y_ij, y_ji;
    };
    std::vector<YPair> ypairs_;
    /// Per Y_bus CSC entry: 2 q for y_ij of pair q, 2 q + 1 for its y_ji, -2 - rank on the
    /// diagonal (rank_ydiag_ keeps those).
    std::vector<std::int32_t> ypair_of_csc_;
    /// Per elimination rank: the bus.
    std::vector<std::int32_t> bus_by_rank_;
    /// The Newton state of a bus, one cache line, by elimination rank: V, 1 or 0 for a P and a
    /// Q equation, q / |V| (the |V| column's scale), I = (Y_bus V)_i.
    struct BusState {
        double v_re = 0, v_im = 0, p = 0, q = 0, scale = 0, i_re = 0, i_im = 0, unused = 0;
    };
    std::vector<BusState, LineAligned<BusState>> state_;
    /// By elimination rank: |V|, θ, S = V conj(I), the scheduled injection, Y_bus's diagonal
    /// (kept in step with outages by update_pair_value()).
    std::vector<double> rank_vm_, rank_va_;
    std::vector<std::complex<double>> rank_s_, rank_sbus_, rank_ydiag_;
    std::vector<std::complex<double>> v_start_; ///< by elimination rank
    /// The pivoting fallback; analysed only when first needed for the current pattern.
    SparseLu jac_lu_;
    bool jac_lu_current_ = false;
    int jacobian_analyses_ = 0;
    int pivoting_fallbacks_ = 0;
    // Newton work vectors (kept so that an iteration allocates nothing).
    std::vector<std::int32_t> eq_ang_, eq_mag_;
    std::vector<std::complex<double>> current_, s_calc_;
    std::vector<double> dx_, vm_, va_;
    // Fast-decoupled and DC.
    std::vector<std::int32_t> b_key_;
    PowerFlowMethod b_method_ = PowerFlowMethod::kNewton;
    CscMatrix bp_, bpp_;
    SparseLu bp_lu_, bpp_lu_;
};

/// Convenience: PowerFlowSolver(net).solve(options).
PowerFlowResult solve_power_flow(const Network& net, const PowerFlowOptions& options = {});

} // namespace rencheng::power
