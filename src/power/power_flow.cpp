// Power flow solvers: Ybus, Newton-Raphson (polar) with KLU, fast-decoupled XB/BX, DC.
#include "power/power_flow.hpp"

#include <algorithm>
#include <cassert>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <limits>
#include <numbers>
#include <numeric>
#include <span>
#include <utility>

#include <amd.h>

#include "core/error.hpp"

namespace rencheng::power {

namespace {

using Complex = std::complex<double>;
constexpr Complex kJ{0.0, 1.0};

/// How the branch model is simplified for the fast-decoupled matrices (MATPOWER makeB).
struct BranchModel {
    bool zero_r = false;      ///< drop series resistance
    bool zero_b = false;      ///< drop line charging
    bool unit_tap = false;    ///< tap ratio 1 (phase shift kept)
    bool zero_shift = false;  ///< no phase shift
    bool zero_bus_bs = false; ///< drop bus shunt susceptance
    bool zero_bus_gs = false; ///< drop bus shunt conductance
};

/// Two-port admittances of branch k, MATPOWER manual eq. 3.3-3.4.
void branch_two_port(const Network& net, std::size_t k, const BranchModel& m, Complex& yff,
                     Complex& yft, Complex& ytf, Complex& ytt) {
    const auto& br = net.branches;
    const double r = m.zero_r ? 0.0 : br.r_pu[k];
    const Complex ys = 1.0 / Complex(r, br.x_pu[k]);
    const double bc = m.zero_b ? 0.0 : br.b_pu[k];
    const double ratio = m.unit_tap ? 1.0 : br.ratio(BranchIndex{static_cast<std::int32_t>(k)});
    const double shift = m.zero_shift ? 0.0 : br.shift_rad[k];
    const Complex tap = std::polar(ratio, shift);
    ytt = ys + kJ * (bc / 2);
    yff = ytt / (ratio * ratio);
    yft = -ys / std::conj(tap);
    ytf = -ys / tap;
}

/// Assembles the bus admittance matrix (CSC, rows sorted, duplicates summed, every diagonal
/// entry present) of the active branches.
Admittance assemble(const Network& net, const std::vector<std::uint8_t>& branch_active,
                    const BranchModel& model) {
    const std::int32_t nb = net.buses.count();
    const std::int32_t nl = net.branches.count();
    Admittance y;
    y.n = nb;
    y.yff.assign(static_cast<std::size_t>(nl), 0.0);
    y.yft = y.ytf = y.ytt = y.yff;
    struct Entry {
        std::int32_t row, col;
        Complex v;
    };
    std::vector<Entry> e;
    e.reserve(static_cast<std::size_t>(nb) + 4 * static_cast<std::size_t>(nl));
    for (std::int32_t i = 0; i < nb; ++i) {
        const auto k = static_cast<std::size_t>(i);
        e.push_back({i, i,
                     Complex(model.zero_bus_gs ? 0.0 : net.buses.gs_pu[k],
                             model.zero_bus_bs ? 0.0 : net.buses.bs_pu[k])});
    }
    for (std::int32_t l = 0; l < nl; ++l) {
        const auto k = static_cast<std::size_t>(l);
        if (!branch_active[k])
            continue;
        branch_two_port(net, k, model, y.yff[k], y.yft[k], y.ytf[k], y.ytt[k]);
        const std::int32_t f = net.branches.from[k].value();
        const std::int32_t t = net.branches.to[k].value();
        e.push_back({f, f, y.yff[k]});
        e.push_back({f, t, y.yft[k]});
        e.push_back({t, f, y.ytf[k]});
        e.push_back({t, t, y.ytt[k]});
    }
    std::sort(e.begin(), e.end(), [](const Entry& a, const Entry& b) {
        return a.col != b.col ? a.col < b.col : a.row < b.row;
    });
    y.col_start.assign(static_cast<std::size_t>(nb) + 1, 0);
    for (std::size_t k = 0; k < e.size(); ++k) {
        if (k > 0 && e[k].row == e[k - 1].row && e[k].col == e[k - 1].col) {
            y.value.back() += e[k].v;
            continue;
        }
        y.row.push_back(e[k].row);
        y.value.push_back(e[k].v);
        ++y.col_start[static_cast<std::size_t>(e[k].col) + 1];
    }
    for (std::int32_t j = 0; j < nb; ++j)
        y.col_start[static_cast<std::size_t>(j) + 1] += y.col_start[static_cast<std::size_t>(j)];
    return y;
}

/// Ybus by rows, for I = Y V as one dot product per bus.
struct CsrView {
    std::int32_t n = 0;
    const std::int32_t* start = nullptr;
    const std::int32_t* col = nullptr;
    const Complex* value = nullptr;
};

/// I = Y V (out has one entry per bus).
void multiply(const CsrView& y, const std::vector<Complex>& v, std::vector<Complex>& out) {
    for (std::int32_t i = 0; i < y.n; ++i) {
        Complex sum = 0.0;
        for (std::int32_t k = y.start[i]; k < y.start[i + 1]; ++k)
            sum += y.value[k] * v[static_cast<std::size_t>(y.col[k])];
        out[static_cast<std::size_t>(i)] = sum;
    }
}

/// The submatrix -Im(Y)[var, var] over the buses with var[i] >= 0 (var increases with i, so the
/// rows stay sorted).
CscMatrix reduced_susceptance(const Admittance& y, const std::vector<std::int32_t>& var,
                              std::int32_t n, std::int32_t offset) {
    CscMatrix m;
    m.n = n;
    m.col_start.assign(static_cast<std::size_t>(n) + 1, 0);
    for (std::int32_t j = 0; j < y.n; ++j) {
        const std::int32_t c = var[static_cast<std::size_t>(j)];
        if (c < 0)
            continue;
        for (std::int32_t k = y.col_start[j]; k < y.col_start[j + 1]; ++k) {
            const std::int32_t r = var[static_cast<std::size_t>(y.row[k])];
            if (r < 0)
                continue;
            m.row.push_back(r - offset);
            m.value.push_back(-y.value[k].imag());
        }
        m.col_start[static_cast<std::size_t>(c - offset) + 1] =
            static_cast<std::int32_t>(m.row.size());
    }
    // Columns come in increasing order of c because var increases with the bus index.
    for (std::int32_t c = 0; c < n; ++c)
        m.col_start[static_cast<std::size_t>(c) + 1] = std::max(
            m.col_start[static_cast<std::size_t>(c) + 1], m.col_start[static_cast<std::size_t>(c)]);
    return m;
}

double seconds_since(std::chrono::steady_clock::time_point t0) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

} // namespace

std::string_view method_name(PowerFlowMethod m) {
    switch (m) {
    case PowerFlowMethod::kNewton:
        return "newton";
    case PowerFlowMethod::kFastDecoupledXb:
        return "fdxb";
    case PowerFlowMethod::kFastDecoupledBx:
        return "fdbx";
    case PowerFlowMethod::kDc:
        return "dc";
    }
    return "?";
}

void PowerFlowOptions::validate() const {
    if (!(tolerance_pu > 0) || !std::isfinite(tolerance_pu))
        throw Error(ErrorCode::kOutOfRange, "power flow tolerance must be a positive number");
    if (max_iterations < 0)
        throw Error(ErrorCode::kOutOfRange, "power flow max_iterations must not be negative");
    if (!(q_limit_tolerance_pu >= 0))
        throw Error(ErrorCode::kOutOfRange, "q_limit_tolerance_pu must not be negative");
    if (enforce_q_limits && method == PowerFlowMethod::kDc)
        throw Error(ErrorCode::kOutOfRange,
                    "generator reactive limits cannot be enforced in a DC power flow");
}

std::string PowerFlowResult::summary(const Network& net) const {
    char buf[256];
    const std::string where =
        worst_bus.valid() ? std::string(worst_kind == MismatchKind::kActive ? "P" : "Q") +
                                " at bus " + std::to_string(net.buses.number[worst_bus.idx()])
                          : std::string("no equations");
    std::snprintf(buf, sizeof buf, "%s after %d iteration%s, max mismatch %.3g p.u. (%s)",
                  converged ? "converged" : "did not converge", iterations,
                  iterations == 1 ? "" : "s", max_mismatch_pu, where.c_str());
    std::string out = buf;
    if (singular)
        out += "; the linear system is singular (a part of the network without a reference bus?)";
    return out;
}

Admittance make_ybus(const Network& net) {
    std::vector<std::uint8_t> active(static_cast<std::size_t>(net.branches.count()), 0);
    for (std::int32_t l = 0; l < net.branches.count(); ++l) {
        const auto k = static_cast<std::size_t>(l);
        const auto f = net.branches.from[k], t = net.branches.to[k];
        active[k] = net.branches.in_service(BranchIndex{l}) && f.valid() && t.valid() &&
                    net.buses.type[f.idx()] != BusType::kIsolated &&
                    net.buses.type[t.idx()] != BusType::kIsolated;
    }
    return assemble(net, active, BranchModel{});
}

// ---------------------------------------------------------------------------------------------

PowerFlowSolver::PowerFlowSolver(const Network& net, bool keep_pattern)
    : net_(net), keep_pattern_(keep_pattern) {
    const auto nb = static_cast<std::size_t>(net.buses.count());
    case_bus_active_.assign(nb, 0);
    for (std::size_t i = 0; i < nb; ++i)
        case_bus_active_[i] = net.buses.type[i] != BusType::kIsolated;
    const auto nl = static_cast<std::size_t>(net.branches.count());
    case_branch_active_.assign(nl, 0);
    for (std::size_t k = 0; k < nl; ++k) {
        const auto f = net.branches.from[k], t = net.branches.to[k];
        case_branch_active_[k] = net.branches.status[k] != 0 && f.valid() && t.valid() &&
                                 case_bus_active_[f.idx()] && case_bus_active_[t.idx()];
    }
    const auto ng = static_cast<std::size_t>(net.gens.count());
    case_gen_active_.assign(ng, 0);
    for (std::size_t g = 0; g < ng; ++g)
        case_gen_active_[g] = net.gens.status[g] > 0 && net.gens.bus[g].valid() &&
                              case_bus_active_[net.gens.bus[g].idx()];
    bus_active_ = case_bus_active_;
    branch_active_ = case_branch_active_;
    gen_active_ = case_gen_active_;
    ybus_ = assemble(net, branch_active_, BranchModel{});
    base_value_ = ybus_.value;

    // The rows of Ybus, and where each branch's four entries are (for outages).
    const std::int32_t n = ybus_.n;
    csr_start_.assign(static_cast<std::size_t>(n) + 1, 0);
    for (std::int32_t r : ybus_.row)
        ++csr_start_[static_cast<std::size_t>(r) + 1];
    for (std::size_t i = 0; i < static_cast<std::size_t>(n); ++i)
        csr_start_[i + 1] += csr_start_[i];
    csr_col_.resize(ybus_.row.size());
    csr_of_csc_.resize(ybus_.row.size());
    csr_value_.resize(ybus_.row.size());
    std::vector<std::int32_t> next(csr_start_.begin(), csr_start_.end() - 1);
    for (std::int32_t j = 0; j < n; ++j)
        for (std::int32_t k = ybus_.col_start[j]; k < ybus_.col_start[j + 1]; ++k) {
            const std::int32_t at = next[static_cast<std::size_t>(ybus_.row[k])]++;
            csr_col_[static_cast<std::size_t>(at)] = j;
            csr_of_csc_[static_cast<std::size_t>(k)] = at;
            csr_value_[static_cast<std::size_t>(at)] = ybus_.value[static_cast<std::size_t>(k)];
        }
    auto find = [&](std::int32_t row, std::int32_t col) {
        const auto first = ybus_.row.begin() + ybus_.col_start[static_cast<std::size_t>(col)];
        const auto last = ybus_.row.begin() + ybus_.col_start[static_cast<std::size_t>(col) + 1];
        return static_cast<std::int32_t>(std::lower_bound(first, last, row) - ybus_.row.begin());
    };
    branch_pos_.assign(nl, {-1, -1, -1, -1});
    for (std::size_t k = 0; k < nl; ++k) {
        if (!branch_active_[k])
            continue;
        const std::int32_t f = net.branches.from[k].value(), t = net.branches.to[k].value();
        branch_pos_[k] = {find(f, f), find(f, t), find(t, f), find(t, t)};
    }
}

void PowerFlowSolver::set_outages(const std::vector<BranchIndex>& branches,
                                  const std::vector<GenIndex>& gens,
                                  const std::vector<std::uint8_t>& bus_out) {
    // Back to the case, then the new outages.
    for (std::int32_t l : outaged_branches_) {
        const auto k = static_cast<std::size_t>(l);
        for (std::int32_t p : branch_pos_[k]) {
            ybus_.value[static_cast<std::size_t>(p)] = base_value_[static_cast<std::size_t>(p)];
            csr_value_[static_cast<std::size_t>(csr_of_csc_[static_cast<std::size_t>(p)])] =
                base_value_[static_cast<std::size_t>(p)];
            update_pair_value(static_cast<std::size_t>(p));
        }
        branch_two_port(net_, k, BranchModel{}, ybus_.yff[k], ybus_.yft[k], ybus_.ytf[k],
                        ybus_.ytt[k]);
    }
    outaged_branches_.clear();
    bus_active_ = case_bus_active_;
    branch_active_ = case_branch_active_;
    gen_active_ = case_gen_active_;
    b_key_.clear(); // B', B'' and B are built from the branches in service
    const auto nb = static_cast<std::size_t>(net_.buses.count());
    if (!bus_out.empty())
        for (std::size_t i = 0; i < nb; ++i)
            if (bus_out[i])
                bus_active_[i] = 0;
    for (std::size_t k = 0; k < branch_active_.size(); ++k)
        if (branch_active_[k] &&
            (!bus_active_[net_.branches.from[k].idx()] || !bus_active_[net_.branches.to[k].idx()]))
            branch_active_[k] = 0;
    for (std::size_t g = 0; g < gen_active_.size(); ++g)
        if (gen_active_[g] && !bus_active_[net_.gens.bus[g].idx()])
            gen_active_[g] = 0;
    for (GenIndex g : gens)
        gen_active_[g.idx()] = 0;
    for (BranchIndex b : branches) {
        const std::size_t k = b.idx();
        if (!case_branch_active_[k] || std::find(outaged_branches_.begin(), outaged_branches_.end(),
                                                 b.value()) != outaged_branches_.end())
            continue;
        branch_active_[k] = 0;
        outaged_branches_.push_back(b.value());
        const Complex two_port[4] = {ybus_.yff[k], ybus_.yft[k], ybus_.ytf[k], ybus_.ytt[k]};
        for (std::size_t m = 0; m < 4; ++m) {
            const auto p = static_cast<std::size_t>(branch_pos_[k][m]);
            ybus_.value[p] -= two_port[m];
            csr_value_[static_cast<std::size_t>(csr_of_csc_[p])] = ybus_.value[p];
            update_pair_value(p);
        }
        ybus_.yff[k] = ybus_.yft[k] = ybus_.ytf[k] = ybus_.ytt[k] = 0.0;
    }
}

void PowerFlowSolver::update_pair_value(std::size_t p) {
    if (ypair_of_csc_.empty())
        return; // no Jacobian yet: build_jacobian_pattern() copies the values when it makes one
    const std::int32_t at = ypair_of_csc_[p];
    if (at < 0) { // a diagonal entry, -2 - its rank
        rank_ydiag_[static_cast<std::size_t>(-2 - at)] = ybus_.value[p];
        return;
    }
    YPair& pair = ypairs_[static_cast<std::size_t>(at / 2)];
    (at % 2 == 0 ? pair.y_ij : pair.y_ji) = ybus_.value[p];
}

void PowerFlowSolver::set_schedule(std::vector<double> pd_pu, std::vector<double> qd_pu,
                                   std::vector<double> pg_pu) {
    const auto nb = static_cast<std::size_t>(net_.buses.count());
    const auto ng = static_cast<std::size_t>(net_.gens.count());
    if ((!pd_pu.empty() && pd_pu.size() != nb) || (!qd_pu.empty() && qd_pu.size() != nb) ||
        (!pg_pu.empty() && pg_pu.size() != ng))
        throw Error(ErrorCode::kOutOfRange,
                    "power flow: loads must be empty or one per bus, set points one per unit");
    pd_ = std::move(pd_pu);
    qd_ = std::move(qd_pu);
    pg_ = std::move(pg_pu);
}

void PowerFlowSolver::set_initial_voltages(std::vector<double> vm_pu, std::vector<double> va_rad) {
    const auto nb = static_cast<std::size_t>(net_.buses.count());
    if ((!vm_pu.empty() && vm_pu.size() != nb) || vm_pu.size() != va_rad.size())
        throw Error(ErrorCode::kOutOfRange,
                    "power flow: initial voltages must be empty or one per bus");
    initial_vm_ = std::move(vm_pu);
    initial_va_ = std::move(va_rad);
}

/// MATPOWER bustypes: reference and PV buses need a generator in service, else they count as
/// PQ; without a reference bus the first PV bus becomes it.
PowerFlowSolver::Sets PowerFlowSolver::classify(const std::vector<BusType>& types,
                                                const std::vector<std::uint8_t>& gen_on,
                                                std::vector<BusType>& effective) const {
    const auto nb = static_cast<std::size_t>(net_.buses.count());
    std::vector<std::int32_t> gens_on(nb, 0);
    for (std::size_t g = 0; g < gen_on.size(); ++g)
        if (gen_on[g])
            ++gens_on[net_.gens.bus[g].idx()];
    effective.assign(nb, BusType::kIsolated);
    bool have_ref = false;
    for (std::size_t i = 0; i < nb; ++i) {
        if (!bus_active_[i])
            continue;
        if (types[i] == BusType::kRef && gens_on[i] > 0) {
            effective[i] = BusType::kRef;
            have_ref = true;
        } else if (types[i] == BusType::kPv && gens_on[i] > 0) {
            effective[i] = BusType::kPv;
        } else {
            effective[i] = BusType::kPq;
        }
    }
    if (!have_ref) {
        const auto it = std::find(effective.begin(), effective.end(), BusType::kPv);
        if (it == effective.end())
            throw Error(ErrorCode::kInconsistent,
                        "power flow: no reference or PV bus has a generator in service");
        *it = BusType::kRef;
    }
    Sets s;
    s.ang_var.assign(nb, -1);
    s.mag_var.assign(nb, -1);
    for (std::size_t i = 0; i < nb; ++i) {
        if (effective[i] == BusType::kRef)
            s.refs.push_back(static_cast<std::int32_t>(i));
        else if (effective[i] == BusType::kPv || effective[i] == BusType::kPq)
            s.ang_var[i] = s.n_ang++;
    }
    for (std::size_t i = 0; i < nb; ++i)
        if (effective[i] == BusType::kPq)
            s.mag_var[i] = s.n_ang + s.n_mag++;
    return s;
}

namespace {

/// Mismatch F (MATPOWER newtonpf): ΔP at PV and PQ buses, ΔQ at PQ buses, of S = V·conj(Y V)
/// against the scheduled injections; `scale_by_vm` divides by |V| first (fdpf). With
/// `current_known`, `current` holds Y V already.
double mismatch(const CsrView& y, const std::vector<Complex>& v, const std::vector<Complex>& sbus,
                const std::vector<std::int32_t>& ang_var, const std::vector<std::int32_t>& mag_var,
                bool scale_by_vm, std::vector<Complex>& current, std::vector<Complex>& s,
                std::vector<double>& f, double* norm_p = nullptr, double* norm_q = nullptr,
                std::int32_t* worst = nullptr, bool* worst_q = nullptr,
                bool current_known = false) {
    if (!current_known)
        multiply(y, v, current);
    double np = 0, nq = 0, worst_value = -1;
    for (std::size_t i = 0; i < v.size(); ++i) {
        s[i] = v[i] * std::conj(current[i]);
        Complex mis = s[i] - sbus[i];
        if (scale_by_vm)
            mis /= std::abs(v[i]);
        if (ang_var[i] >= 0) {
            f[static_cast<std::size_t>(ang_var[i])] = mis.real();
            np = std::max(np, std::fabs(mis.real()));
            if (std::fabs(mis.real()) > worst_value) {
                worst_value = std::fabs(mis.real());
                if (worst != nullptr) {
                    *worst = static_cast<std::int32_t>(i);
                    *worst_q = false;
                }
            }
        }
        if (mag_var[i] >= 0) {
            f[static_cast<std::size_t>(mag_var[i])] = mis.imag();
            nq = std::max(nq, std::fabs(mis.imag()));
            if (std::fabs(mis.imag()) > worst_value) {
                worst_value = std::fabs(mis.imag());
                if (worst != nullptr) {
                    *worst = static_cast<std::int32_t>(i);
                    *worst_q = true;
                }
            }
        }
    }
    if (norm_p != nullptr)
        *norm_p = np;
    if (norm_q != nullptr)
        *norm_q = nq;
    if (std::isnan(np) || std::isnan(nq))
        return std::numeric_limits<double>::infinity();
    return std::max(np, nq);
}

} // namespace

void PowerFlowSolver::build_jacobian_pattern(const std::vector<std::uint8_t>& has_ang,
                                             const std::vector<std::uint8_t>& has_mag) {
    const std::int32_t nb = net_.buses.count();
    const auto nbs = static_cast<std::size_t>(nb);
    if (bus_rank_.empty()) {
        // Approximate minimum degree on the bus graph (Amestoy, Davis & Duff 1996): numbering the
        // unknowns bus by bus in this order makes a fill-reducing order of the Jacobian, whose
        // 2x2 blocks follow the bus graph, and keeps each bus's two unknowns together.
        std::vector<std::int32_t> order(nbs);
        double control[AMD_CONTROL], info[AMD_INFO];
        amd_defaults(control);
        if (amd_order(nb, ybus_.col_start.data(), ybus_.row.data(), order.data(), control, info) <
            AMD_OK)
            std::iota(order.begin(), order.end(), 0); // out of memory: the bus order
        bus_rank_.assign(nbs, 0);
        for (std::size_t r = 0; r < nbs; ++r)
            bus_rank_[static_cast<std::size_t>(order[r])] = static_cast<std::int32_t>(r);
    }
    std::vector<std::int32_t> by_rank(nbs);
    for (std::size_t i = 0; i < nbs; ++i)
        by_rank[static_cast<std::size_t>(bus_rank_[i])] = static_cast<std::int32_t>(i);
    jac_ang_.assign(nbs, -1);
    jac_mag_.assign(nbs, -1);
    std::int32_t n = 0;
    for (std::int32_t i : by_rank) {
        const auto ii = static_cast<std::size_t>(i);
        if (has_ang[ii])
            jac_ang_[ii] = n++;
        if (has_mag[ii])
            jac_mag_[ii] = n++;
    }
    jac_pos_.assign(ybus_.row.size(), {-1, -1, -1, -1});
    jac_ = CscMatrix{};
    jac_.n = n;
    jac_.col_start.assign(static_cast<std::size_t>(n) + 1, 0);
    // Column u of bus j holds the rows of the buses i of Ybus column j, in unknown order.
    std::vector<std::int32_t> entries;
    for (std::int32_t u = 0, at = 0; u < n; ++u) {
        // The bus of unknown u: unknowns come in rank order, angle before magnitude.
        while (jac_ang_[static_cast<std::size_t>(by_rank[static_cast<std::size_t>(at)])] != u &&
               jac_mag_[static_cast<std::size_t>(by_rank[static_cast<std::size_t>(at)])] != u)
            ++at;
        const std::int32_t j = by_rank[static_cast<std::size_t>(at)];
        const bool is_ang = jac_ang_[static_cast<std::size_t>(j)] == u;
        // Slots in jac_pos_: 0 ∂P/∂θ, 1 ∂P/∂|V|, 2 ∂Q/∂θ, 3 ∂Q/∂|V|.
        const std::size_t slot_p = is_ang ? 0 : 1, slot_q = is_ang ? 2 : 3;
        entries.clear();
        for (std::int32_t k = ybus_.col_start[j]; k < ybus_.col_start[j + 1]; ++k)
            entries.push_back(k);
        std::sort(entries.begin(), entries.end(), [&](std::int32_t x, std::int32_t y) {
            return bus_rank_[static_cast<std::size_t>(ybus_.row[x])] <
                   bus_rank_[static_cast<std::size_t>(ybus_.row[y])];
        });
        for (std::int32_t k : entries) {
            const auto i = static_cast<std::size_t>(ybus_.row[k]);
            if (jac_ang_[i] >= 0) {
                jac_pos_[static_cast<std::size_t>(k)][slot_p] = jac_.nnz();
                jac_.row.push_back(jac_ang_[i]);
            }
            if (jac_mag_[i] >= 0) {
                jac_pos_[static_cast<std::size_t>(k)][slot_q] = jac_.nnz();
                jac_.row.push_back(jac_mag_[i]);
            }
        }
        jac_.col_start[static_cast<std::size_t>(u) + 1] = jac_.nnz();
    }
    jac_.value.assign(jac_.row.size(), 0.0);
    ++jacobian_analyses_;
    jac_lu_current_ = false; // KLU's analysis, when a step needs it (newton_step)

    // The block form: its pattern is Ybus's whatever the unknowns, so one analysis serves every
    // PV/PQ split and every set of outages.
    if (!jac_blu_.analysed()) {
        jac_blu_.analyze(nb, ybus_.col_start, ybus_.row, bus_rank_);
        bus_by_rank_ = by_rank;
        std::vector<std::int32_t> diag_csc_by_rank(nbs, -1);
        // The off-diagonal entries as mirror pairs, by the offset of their lower block.
        ypairs_.clear();
        for (std::int32_t j = 0; j < nb; ++j)
            for (std::int32_t k = ybus_.col_start[static_cast<std::size_t>(j)];
                 k < ybus_.col_start[static_cast<std::size_t>(j) + 1]; ++k) {
                const std::int32_t i = ybus_.row[static_cast<std::size_t>(k)];
                if (i == j)
                    diag_csc_by_rank[static_cast<std::size_t>(jac_blu_.rank(i))] = k;
                else if (jac_blu_.rank(i) > jac_blu_.rank(j))
                    ypairs_.push_back(
                        {jac_blu_.rank(i), jac_blu_.rank(j), jac_blu_.block_offset(i, j), {}, {}});
            }
        std::sort(ypairs_.begin(), ypairs_.end(),
                  [](const YPair& x, const YPair& y) { return x.offset < y.offset; });
        ypair_of_csc_.assign(ybus_.row.size(), -1);
        auto find = [&](std::int32_t row, std::int32_t col) {
            const auto first = ybus_.row.begin() + ybus_.col_start[static_cast<std::size_t>(col)];
            const auto last =
                ybus_.row.begin() + ybus_.col_start[static_cast<std::size_t>(col) + 1];
            return static_cast<std::size_t>(std::lower_bound(first, last, row) - ybus_.row.begin());
        };
        for (std::size_t q = 0; q < ypairs_.size(); ++q) {
            YPair& pair = ypairs_[q];
            const std::int32_t bi = by_rank[static_cast<std::size_t>(pair.i)];
            const std::int32_t bj = by_rank[static_cast<std::size_t>(pair.j)];
            const std::size_t ij = find(bi, bj), ji = find(bj, bi);
            pair.y_ij = ybus_.value[ij];
            pair.y_ji = ybus_.value[ji];
            ypair_of_csc_[ij] = 2 * static_cast<std::int32_t>(q);
            ypair_of_csc_[ji] = 2 * static_cast<std::int32_t>(q) + 1;
        }
        rank_ydiag_.resize(nbs);
        for (std::size_t r = 0; r < nbs; ++r) {
            const auto k = static_cast<std::size_t>(diag_csc_by_rank[r]);
            rank_ydiag_[r] = ybus_.value[k];
            ypair_of_csc_[k] = -2 - static_cast<std::int32_t>(r);
        }
        block_x_.assign(2 * nbs, 0.0);
        state_.assign(nbs, BusState{});
    }
}

bool PowerFlowSolver::newton_step(bool pivoting) {
    if (!pivoting) {
        // evaluate() left -F in block_x_, in elimination order.
        return jac_blu_.factor_solve_in_rank_order(block_x_);
    }
    // KLU with partial pivoting, a fresh pivot order each time (deterministic: the step depends
    // on this Jacobian alone, whatever was solved before).
    if (!jac_lu_current_) {
        jac_lu_.analyze(jac_, /*ordered=*/true);
        jac_lu_current_ = true;
    }
    if (!jac_lu_.factor_fresh(jac_))
        return false;
    std::fill(dx_.begin(), dx_.end(), 0.0); // unknowns without an equation keep a zero mismatch
    const auto nbs = static_cast<std::size_t>(net_.buses.count());
    for (std::size_t i = 0; i < nbs; ++i) {
        const auto r = 2 * static_cast<std::size_t>(jac_blu_.rank(static_cast<std::int32_t>(i)));
        if (eq_ang_[i] >= 0)
            dx_[static_cast<std::size_t>(eq_ang_[i])] = block_x_[r];
        if (eq_mag_[i] >= 0)
            dx_[static_cast<std::size_t>(eq_mag_[i])] = block_x_[r + 1];
    }
    jac_lu_.solve(dx_);
    return true;
}

namespace {

/// cos x and sin x by their Taylor series to x¹⁰ and x¹¹, for |x| ≤ kSmallTurn: the first term
/// left out is below 1e-23, under the rounding of the result.
constexpr double kSmallTurn = 1.0 / 16;
inline double turn_cos(double x) {
    const double x2 = x * x;
    return 1.0 +
           x2 * (-1.0 / 2 +
                 x2 * (1.0 / 24 + x2 * (-1.0 / 720 + x2 * (1.0 / 40320 + x2 * (-1.0 / 3628800)))));
}
inline double turn_sin(double x) {
    const double x2 = x * x;
    return x * (1.0 + x2 * (-1.0 / 6 +
                            x2 * (1.0 / 120 + x2 * (-1.0 / 5040 + x2 * (1.0 / 362880 +
                                                                        x2 * (-1.0 / 39916800))))));
}

/// The off-diagonal part of evaluate(): I_i += Y_ij V_j and I_j += Y_ji V_i per mirror pair and,
/// with kJacobian, the pair's two blocks. For entry (i, j), t = V_i conj(Y_ij V_j) gives
/// ∂P_i/∂θ_j = Im t, ∂Q_i/∂θ_j = -Re t, ∂P_i/∂|V_j| = Re t / |V_j|, ∂Q_i/∂|V_j| = Im t / |V_j|
/// (MATPOWER dSbus_dV, polar), each kept only where its row has an equation and its column an
/// unknown (the masks p, q and scale = q / |V| of BusState).
template <bool kJacobian, class Pair, class State>
void evaluate_pairs(const Pair* pair, std::size_t n_pairs, State* state, double* block) {
    constexpr std::size_t kAhead = 8;
    for (std::size_t k = 0; k < n_pairs; ++k, ++pair) {
        // Bus i of a pair is anywhere in the state (bus j comes in order): ask for it early.
        if (k + kAhead < n_pairs)
            __builtin_prefetch(state + pair[kAhead].i, 1);
        State& si = state[pair->i];
        State& sj = state[pair->j];
        const double yij_re = pair->y_ij.real(), yij_im = pair->y_ij.imag();
        const double yji_re = pair->y_ji.real(), yji_im = pair->y_ji.imag();
        // a = Y_ij V_j, b = Y_ji V_i, written out (std::complex's product checks for NaN).
        const double a_re = yij_re * sj.v_re - yij_im * sj.v_im;
        const double a_im = yij_re * sj.v_im + yij_im * sj.v_re;
        const double b_re = yji_re * si.v_re - yji_im * si.v_im;
        const double b_im = yji_re * si.v_im + yji_im * si.v_re;
        si.i_re += a_re;
        si.i_im += a_im;
        sj.i_re += b_re;
        sj.i_im += b_im;
        if constexpr (kJacobian) {
            // t_ij = V_i conj(a), t_ji = V_j conj(b).
            const double tij_re = si.v_re * a_re + si.v_im * a_im;
            const double tij_im = si.v_im * a_re - si.v_re * a_im;
            const double tji_re = sj.v_re * b_re + sj.v_im * b_im;
            const double tji_im = sj.v_im * b_re - sj.v_re * b_im;
            double* b = block + pair->offset;
            b[0] = tij_im * si.p * sj.p;
            b[1] = tij_re * si.p * sj.scale;
            b[2] = -tij_re * si.q * sj.p;
            b[3] = tij_im * si.q * sj.scale;
            b[4] = tji_im * sj.p * si.p;
            b[5] = tji_re * sj.p * si.scale;
            b[6] = -tji_re * sj.q * si.p;
            b[7] = tji_im * sj.q * si.scale;
        }
    }
}

} // namespace

double PowerFlowSolver::evaluate(bool jacobian) {
    const auto nbs = static_cast<std::size_t>(net_.buses.count());
    BusState* st = state_.data();
    double* block = jac_blu_.values().data();
    for (std::size_t r = 0; r < nbs; ++r) {
        const Complex y = rank_ydiag_[r];
        st[r].i_re = y.real() * st[r].v_re - y.imag() * st[r].v_im;
        st[r].i_im = y.real() * st[r].v_im + y.imag() * st[r].v_re;
        st[r].scale = st[r].q != 0 ? 1.0 / rank_vm_[r] : 0.0;
    }
    if (jacobian) {
        evaluate_pairs<true>(ypairs_.data(), ypairs_.size(), st, block);
    } else {
        evaluate_pairs<false>(ypairs_.data(), ypairs_.size(), st, block);
    }
    // Per bus in elimination order: S, the mismatch (the right-hand side -F) and the diagonal
    // block, where t = V_i conj(Y_ii V_i) = |V_i|² conj(Y_ii) and S_i adds j S_i to ∂S_i/∂θ_i and
    // S_i / |V_i| to ∂S_i/∂|V_i|; a bus without a P (Q) equation has the unit row "1 · Δθ = 0"
    // ("1 · Δ|V| = 0").
    double norm = 0;
    for (std::size_t r = 0; r < nbs; ++r) {
        const BusState& b = st[r];
        const double s_re = b.v_re * b.i_re + b.v_im * b.i_im;
        const double s_im = b.v_im * b.i_re - b.v_re * b.i_im;
        rank_s_[r] = Complex(s_re, s_im);
        const double dp = b.p != 0 ? s_re - rank_sbus_[r].real() : 0.0;
        const double dq = b.q != 0 ? s_im - rank_sbus_[r].imag() : 0.0;
        block_x_[2 * r] = -dp;
        block_x_[2 * r + 1] = -dq;
        // Written so that a NaN becomes the norm.
        if (!(std::fabs(dp) <= norm))
            norm = std::fabs(dp);
        if (!(std::fabs(dq) <= norm))
            norm = std::fabs(dq);
        if (jacobian) {
            const Complex y = rank_ydiag_[r];
            const double vm2 = b.v_re * b.v_re + b.v_im * b.v_im;
            const double t_re = vm2 * y.real(), t_im = -vm2 * y.imag();
            const double inv_vm = 1.0 / rank_vm_[r];
            double* d = block + 4 * r;
            d[0] = b.p != 0 ? t_im - s_im : 1.0;
            d[1] = b.p != 0 && b.q != 0 ? (t_re + s_re) * inv_vm : 0.0;
            d[2] = b.p != 0 && b.q != 0 ? s_re - t_re : 0.0;
            d[3] = b.q != 0 ? (t_im + s_im) * inv_vm : 1.0;
        }
    }
    return std::isnan(norm) ? std::numeric_limits<double>::infinity() : norm;
}

bool PowerFlowSolver::newton(const Sets& s, std::vector<Complex>& v,
                             const std::vector<Complex>& sbus, const PowerFlowOptions& o,
                             int& iterations, int& analyses) {
    const std::int32_t nb = net_.buses.count();
    const auto nbs = static_cast<std::size_t>(nb);
    const int max_it = o.max_iterations > 0 ? o.max_iterations : 10;

    // Jacobian pattern (MATPOWER newtonpf: J = [dP/dθ dP/d|V|; dQ/dθ dQ/d|V|], here bus by bus):
    // for this PV/PQ split, or with keep_pattern for this set of reference buses; the symbolic LU
    // is computed only when that changes.
    std::vector<std::int32_t> key;
    if (keep_pattern_) {
        key = s.refs;
    } else {
        key = s.ang_var;
        key.insert(key.end(), s.mag_var.begin(), s.mag_var.end());
    }
    if (key != jac_key_ || !jac_blu_.analysed()) {
        std::vector<std::uint8_t> has_ang(nbs, 0), has_mag(nbs, 0);
        for (std::size_t i = 0; i < nbs; ++i) {
            if (keep_pattern_) {
                const bool ref = std::find(s.refs.begin(), s.refs.end(),
                                           static_cast<std::int32_t>(i)) != s.refs.end();
                has_ang[i] = has_mag[i] = case_bus_active_[i] && !ref;
            } else {
                has_ang[i] = s.ang_var[i] >= 0;
                has_mag[i] = s.mag_var[i] >= 0;
            }
        }
        build_jacobian_pattern(has_ang, has_mag);
        jac_key_ = std::move(key);
        if (jac_.n > 0)
            ++analyses;
    }
    const std::int32_t n = jac_.n;
    const auto ns = static_cast<std::size_t>(n);
    // The equations of this state in the pattern's numbering; -1: no equation.
    eq_ang_.assign(nbs, -1);
    eq_mag_.assign(nbs, -1);
    for (std::size_t i = 0; i < nbs; ++i) {
        if (s.ang_var[i] >= 0)
            eq_ang_[i] = jac_ang_[i];
        if (s.mag_var[i] >= 0)
            eq_mag_[i] = jac_mag_[i];
    }
    // The iteration works on the buses in elimination order (the block LU's), so that its
    // per-bus passes run through memory in order; the bus-order vectors are written at the end.
    rank_vm_.resize(nbs);
    rank_va_.resize(nbs);
    rank_s_.resize(nbs);
    rank_sbus_.resize(nbs);
    for (std::size_t r = 0; r < nbs; ++r) {
        const auto i = static_cast<std::size_t>(bus_by_rank_[r]);
        BusState& b = state_[r];
        b.v_re = v[i].real();
        b.v_im = v[i].imag();
        b.p = eq_ang_[i] >= 0 ? 1.0 : 0.0;
        b.q = eq_mag_[i] >= 0 ? 1.0 : 0.0;
        rank_vm_[r] = std::abs(v[i]);
        rank_va_[r] = std::arg(v[i]);
        rank_sbus_[r] = sbus[i];
    }
    current_.resize(nbs);
    s_calc_.resize(nbs);
    dx_.resize(ns);
    vm_.resize(nbs);
    va_.resize(nbs);
    auto to_bus_order = [&] {
        for (std::size_t r = 0; r < nbs; ++r) {
            const auto i = static_cast<std::size_t>(bus_by_rank_[r]);
            const BusState& b = state_[r];
            v[i] = Complex(b.v_re, b.v_im);
            vm_[i] = rank_vm_[r];
            va_[i] = rank_va_[r];
            current_[i] = Complex(b.i_re, b.i_im);
            s_calc_[i] = rank_s_[r];
        }
    };
    auto fill_jacobian = [&] {
        // The pivoting fallback's Jacobian (CSC, pattern numbering), by bus order from
        // to_bus_order()'s copy of the state: the values of evaluate(). An unknown without an
        // equation has the row "1 · change = 0" and a zero column.
        for (std::int32_t j = 0; j < nb; ++j) {
            const auto jj = static_cast<std::size_t>(j);
            if (jac_ang_[jj] < 0 && jac_mag_[jj] < 0)
                continue;
            const bool col_ang = eq_ang_[jj] >= 0, col_mag = eq_mag_[jj] >= 0;
            const double inv_vm = 1.0 / vm_[jj];
            for (std::int32_t k = ybus_.col_start[j]; k < ybus_.col_start[j + 1]; ++k) {
                const auto kk = static_cast<std::size_t>(k);
                const auto i = static_cast<std::size_t>(ybus_.row[k]);
                const bool row_p = eq_ang_[i] >= 0, row_q = eq_mag_[i] >= 0;
                const Complex t = v[i] * std::conj(ybus_.value[kk] * v[jj]);
                Complex d_ang(t.imag(), -t.real());
                Complex d_mag = t * inv_vm;
                if (i == jj) {
                    d_ang += kJ * s_calc_[i];
                    d_mag += s_calc_[i] * inv_vm;
                }
                const double unit = i == jj ? 1.0 : 0.0;
                const auto& pos = jac_pos_[kk];
                double* value = jac_.value.data();
                if (pos[0] >= 0)
                    value[pos[0]] =
                        row_p && col_ang ? d_ang.real() : (row_p || col_ang ? 0.0 : unit);
                if (pos[1] >= 0)
                    value[pos[1]] = row_p && col_mag ? d_mag.real() : 0.0;
                if (pos[2] >= 0)
                    value[pos[2]] = row_q && col_ang ? d_ang.imag() : 0.0;
                if (pos[3] >= 0)
                    value[pos[3]] =
                        row_q && col_mag ? d_mag.imag() : (row_q || col_mag ? 0.0 : unit);
            }
        }
    };
    // Steps by the block LU (static pivots), its Jacobian computed with the mismatch in one pass
    // over Y_bus; should it refuse a Jacobian, by KLU from there on, and should its steps blow up
    // (a mismatch that is not finite, the mark of a poor static pivot), the whole solve again by
    // KLU from the same start. The answer is judged by the mismatch alone, so the linear solver
    // changes only the way there.
    auto iterate = [&]() -> bool {
        bool pivoting = false;
        double norm_f = evaluate(/*jacobian=*/true);
        if (norm_f < o.tolerance_pu)
            return true;
        if (n == 0 || s.n_ang + s.n_mag == 0)
            return true;
        v_start_.resize(nbs);
        for (std::size_t r = 0; r < nbs; ++r)
            v_start_[r] = Complex(state_[r].v_re, state_[r].v_im);
        int it = 0;
        while (true) {
            if (it == max_it && std::isfinite(norm_f))
                return false;
            if (!std::isfinite(norm_f)) {
                if (pivoting)
                    return false;
                pivoting = true;
                ++pivoting_fallbacks_;
                it = 0;
                for (std::size_t r = 0; r < nbs; ++r) {
                    state_[r].v_re = v_start_[r].real();
                    state_[r].v_im = v_start_[r].imag();
                    rank_vm_[r] = std::abs(v_start_[r]);
                    rank_va_[r] = std::arg(v_start_[r]);
                }
                norm_f = evaluate(/*jacobian=*/false);
            }
            ++it;
            ++iterations;
            if (!pivoting && !newton_step(false)) {
                pivoting = true;
                ++pivoting_fallbacks_;
                evaluate(/*jacobian=*/false); // -F again: the refused factorisation used it
            }
            if (pivoting) {
                to_bus_order();
                fill_jacobian();
                if (!newton_step(true)) {
                    singular_ = true;
                    return false;
                }
            }
            // The step: from block_x_ (elimination order) or, after KLU, from dx_.
            for (std::size_t r = 0; r < nbs; ++r) {
                BusState& b = state_[r];
                if (b.p == 0 && b.q == 0)
                    continue;
                const auto i = static_cast<std::size_t>(bus_by_rank_[r]);
                double d_va = 0;
                if (b.p != 0)
                    d_va = pivoting ? dx_[static_cast<std::size_t>(eq_ang_[i])] : block_x_[2 * r];
                const double vm_before = rank_vm_[r];
                rank_va_[r] += d_va;
                if (b.q != 0)
                    rank_vm_[r] +=
                        pivoting ? dx_[static_cast<std::size_t>(eq_mag_[i])] : block_x_[2 * r + 1];
                double u_re = 0, u_im = 0; // e^{jθ}
                if (std::fabs(d_va) <= kSmallTurn && vm_before > 0) {
                    // A small step turns the phasor it had by e^{jΔθ} (series below) instead of
                    // a sincos of θ: the later iterations' steps are all small.
                    const double c = turn_cos(d_va), sn = turn_sin(d_va);
                    const double inv_vm = 1.0 / vm_before;
                    const double o_re = b.v_re * inv_vm, o_im = b.v_im * inv_vm;
                    u_re = o_re * c - o_im * sn;
                    u_im = o_re * sn + o_im * c;
                } else {
                    const Complex e = std::polar(1.0, rank_va_[r]); // one sincos
                    u_re = e.real();
                    u_im = e.imag();
                }
                b.v_re = u_re * rank_vm_[r];
                b.v_im = u_im * rank_vm_[r];
                // As MATPOWER: a negative magnitude becomes a positive one turned by π. (A
                // positive one is kept as it is: |V| and arg V would give it back but for
                // rounding and a multiple of 2π, at the price of a hypot and an atan2 per bus.)
                if (!(rank_vm_[r] > 0)) {
                    rank_vm_[r] = std::hypot(b.v_re, b.v_im);
                    rank_va_[r] = std::atan2(b.v_im, b.v_re);
                }
            }
            norm_f = evaluate(/*jacobian=*/!pivoting);
            if (norm_f < o.tolerance_pu)
                return true;
        }
    };
    const bool ok = iterate();
    to_bus_order();
    return ok;
}

bool PowerFlowSolver::fast_decoupled(const Sets& s, std::vector<Complex>& v,
                                     const std::vector<Complex>& sbus, const PowerFlowOptions& o,
                                     int& iterations, int& analyses) {
    const std::int32_t nb = net_.buses.count();
    const int max_it = o.max_iterations > 0 ? o.max_iterations : 30;
    const bool xb = o.method == PowerFlowMethod::kFastDecoupledXb;
    const CsrView yr{ybus_.n, csr_start_.data(), csr_col_.data(), csr_value_.data()};

    std::vector<std::int32_t> key(s.ang_var);
    key.insert(key.end(), s.mag_var.begin(), s.mag_var.end());
    if (key != b_key_ || b_method_ != o.method || !bp_lu_.analysed()) {
        // B' and B'' (Stott & Alsac 1974; van Amerongen 1989 for BX; MATPOWER makeB): B' without
        // shunts, line charging and tap ratios, without r for XB; B'' without phase shifts,
        // without r for BX.
        BranchModel mp;
        mp.zero_bus_bs = mp.zero_bus_gs = true;
        mp.zero_b = true;
        mp.unit_tap = true;
        mp.zero_r = xb;
        BranchModel mpp;
        mpp.zero_bus_gs = true;
        mpp.zero_shift = true;
        mpp.zero_r = !xb;
        const Admittance yp = assemble(net_, branch_active_, mp);
        const Admittance ypp = assemble(net_, branch_active_, mpp);
        bp_ = reduced_susceptance(yp, s.ang_var, s.n_ang, 0);
        bpp_ = reduced_susceptance(ypp, s.mag_var, s.n_mag, s.n_ang);
        if (bp_.n > 0) {
            bp_lu_.analyze(bp_);
            ++analyses;
            if (!bp_lu_.factor(bp_)) {
                singular_ = true;
                return false;
            }
        }
        if (bpp_.n > 0) {
            bpp_lu_.analyze(bpp_);
            ++analyses;
            if (!bpp_lu_.factor(bpp_)) {
                singular_ = true;
                return false;
            }
        }
        b_key_ = std::move(key);
        b_method_ = o.method;
    }

    const auto nbs = static_cast<std::size_t>(nb);
    std::vector<Complex> current(nbs), sc(nbs);
    std::vector<double> f(static_cast<std::size_t>(s.n_ang + s.n_mag));
    std::vector<double> vm(nbs), va(nbs);
    for (std::size_t i = 0; i < nbs; ++i) {
        vm[i] = std::abs(v[i]);
        va[i] = std::arg(v[i]);
    }
    double np = 0, nq = 0;
    mismatch(yr, v, sbus, s.ang_var, s.mag_var, true, current, sc, f, &np, &nq);
    if (np < o.tolerance_pu && nq < o.tolerance_pu)
        return true;
    std::vector<double> dp(static_cast<std::size_t>(s.n_ang)),
        dq(static_cast<std::size_t>(s.n_mag));
    auto rebuild = [&] {
        for (std::size_t i = 0; i < nbs; ++i)
            if (s.ang_var[i] >= 0)
                v[i] = std::polar(1.0, va[i]) * vm[i];
    };
    for (int it = 1; it <= max_it; ++it) {
        ++iterations;
        // P half-iteration: Δθ = -B'^{-1} ΔP/|V|.
        for (std::size_t u = 0; u < dp.size(); ++u)
            dp[u] = -f[u];
        if (!dp.empty())
            bp_lu_.solve(dp);
        for (std::size_t i = 0; i < nbs; ++i)
            if (s.ang_var[i] >= 0)
                va[i] += dp[static_cast<std::size_t>(s.ang_var[i])];
        rebuild();
        mismatch(yr, v, sbus, s.ang_var, s.mag_var, true, current, sc, f, &np, &nq);
        if (np < o.tolerance_pu && nq < o.tolerance_pu)
            return true;
        // Q half-iteration: Δ|V| = -B''^{-1} ΔQ/|V|.
        for (std::size_t u = 0; u < dq.size(); ++u)
            dq[u] = -f[static_cast<std::size_t>(s.n_ang) + u];
        if (!dq.empty())
            bpp_lu_.solve(dq);
        for (std::size_t i = 0; i < nbs; ++i)
            if (s.mag_var[i] >= 0)
                vm[i] += dq[static_cast<std::size_t>(s.mag_var[i] - s.n_ang)];
        rebuild();
        mismatch(yr, v, sbus, s.ang_var, s.mag_var, true, current, sc, f, &np, &nq);
        if (np < o.tolerance_pu && nq < o.tolerance_pu)
            return true;
        if (!std::isfinite(np) || !std::isfinite(nq))
            return false;
    }
    return false;
}

PowerFlowResult PowerFlowSolver::solve(const PowerFlowOptions& options) {
    options.validate();
    if (options.method == PowerFlowMethod::kDc)
        return solve_dc(options);
    const auto t0 = std::chrono::steady_clock::now();
    const Network& net = net_;
    const auto nb = static_cast<std::size_t>(net.buses.count());
    const auto ng = static_cast<std::size_t>(net.gens.count());
    const auto nl = static_cast<std::size_t>(net.branches.count());

    const CsrView yr{ybus_.n, csr_start_.data(), csr_col_.data(), csr_value_.data()};
    const std::vector<double>& pd_set = pd_.empty() ? net.buses.pd_pu : pd_;
    const std::vector<double>& qd_set = qd_.empty() ? net.buses.qd_pu : qd_;
    const std::vector<double>& pg_set = pg_.empty() ? net.gens.pg_pu : pg_;
    PowerFlowResult res;
    res.method = options.method;
    singular_ = false;
    std::vector<BusType> types = net.buses.type;
    std::vector<BusType> eff;
    Sets s = classify(types, gen_active_, eff);

    // Working generator set points: pfsoln overwrites them after every solve and the next solve
    // of a Q-limit round starts from them, as MATPOWER's runpf does.
    std::vector<double> pg(ng), qg(ng);
    for (std::size_t g = 0; g < ng; ++g) {
        pg[g] = pg_set[g];
        qg[g] = net.gens.qg_pu[g];
    }

    // Initial voltages: the case's, with generator set points at voltage-controlled buses (the
    // last generator of a bus wins, as in MATPOWER).
    std::vector<Complex> v(nb);
    const bool warm = initial_vm_.size() == nb;
    for (std::size_t i = 0; i < nb; ++i)
        v[i] = std::polar(1.0, warm ? initial_va_[i] : net.buses.va_rad[i]) *
               (warm && initial_vm_[i] > 0 ? initial_vm_[i] : net.buses.vm_pu[i]);
    for (std::size_t g = 0; g < ng; ++g) {
        if (!gen_active_[g])
            continue;
        const std::size_t b = net.gens.bus[g].idx();
        if (eff[b] == BusType::kRef || eff[b] == BusType::kPv)
            v[b] = net.gens.vg_pu[g] * v[b] / std::abs(v[b]);
    }

    const std::vector<std::int32_t> ref0 = s.refs;
    std::vector<double> va_ref0;
    for (std::int32_t r : ref0)
        va_ref0.push_back(net.buses.va_rad[static_cast<std::size_t>(r)]);

    std::vector<Complex> sbus(nb), current(nb), sc(nb);
    std::vector<double> fixed_q(ng, 0.0);
    bool ok = false;
    while (true) {
        // Scheduled injections (MATPOWER makeSbus): generators in service minus load, per unit.
        for (std::size_t i = 0; i < nb; ++i)
            sbus[i] = Complex(-pd_set[i], -qd_set[i]);
        for (std::size_t g = 0; g < ng; ++g)
            if (gen_active_[g])
                sbus[net.gens.bus[g].idx()] += Complex(pg[g], qg[g]);

        ok = options.method == PowerFlowMethod::kNewton
                 ? newton(s, v, sbus, options, res.iterations, res.symbolic_analyses)
                 : fast_decoupled(s, v, sbus, options, res.iterations, res.symbolic_analyses);

        // pfsoln: generator P at the reference buses and Q at reference and PV buses from the
        // solved injections.
        // Newton leaves Y_bus V at the solution in current_ (its last evaluate()).
        if (options.method == PowerFlowMethod::kNewton)
            std::copy(current_.begin(), current_.end(), current.begin());
        else
            multiply(yr, v, current);
        std::vector<std::size_t> on;
        for (std::size_t g = 0; g < ng; ++g)
            if (gen_active_[g] && eff[net.gens.bus[g].idx()] != BusType::kPq)
                on.push_back(g);
        for (std::size_t g = 0; g < ng; ++g)
            if (!gen_active_[g])
                qg[g] = 0;
        std::vector<std::int32_t> count(nb, 0);
        for (std::size_t g : on)
            ++count[net.gens.bus[g].idx()];
        for (std::size_t g : on) {
            const std::size_t b = net.gens.bus[g].idx();
            const Complex sb = v[b] * std::conj(current[b]);
            qg[g] = (sb.imag() + qd_set[b]) / count[b];
        }
        if (on.size() > 1) {
            // Several generators at one bus share its Q in proportion to their Q ranges, with a
            // finite proxy for infinite limits (MATPOWER pfsoln).
            std::vector<double> m_bus(nb, 0.0), qmin_bus(nb, 0.0), qmax_bus(nb, 0.0),
                qtot_bus(nb, 0.0);
            for (std::size_t g : on) {
                double m = std::fabs(qg[g]);
                if (!std::isinf(net.gens.qmax_pu[g]))
                    m += std::fabs(net.gens.qmax_pu[g]);
                if (!std::isinf(net.gens.qmin_pu[g]))
                    m += std::fabs(net.gens.qmin_pu[g]);
                m_bus[net.gens.bus[g].idx()] += m;
            }
            std::vector<double> qmin(ng), qmax(ng);
            for (std::size_t g : on) {
                const std::size_t b = net.gens.bus[g].idx();
                qmin[g] = net.gens.qmin_pu[g];
                qmax[g] = net.gens.qmax_pu[g];
                if (std::isinf(qmin[g]))
                    qmin[g] = qmin[g] > 0 ? m_bus[b] : -m_bus[b];
                if (std::isinf(qmax[g]))
                    qmax[g] = qmax[g] > 0 ? m_bus[b] : -m_bus[b];
                qtot_bus[b] += qg[g];
                qmin_bus[b] += qmin[g];
                qmax_bus[b] += qmax[g];
            }
            constexpr double eps = std::numeric_limits<double>::epsilon();
            for (std::size_t g : on) {
                const std::size_t b = net.gens.bus[g].idx();
                if (std::fabs(qmin_bus[b] - qmax_bus[b]) < 10 * eps)
                    qg[g] = qmin[g] + (qtot_bus[b] - qmin_bus[b]) / count[b];
                else
                    qg[g] = qmin[g] + (qtot_bus[b] - qmin_bus[b]) /
                                          (qmax_bus[b] - qmin_bus[b] + eps) * (qmax[g] - qmin[g]);
            }
        }
        for (std::int32_t r : s.refs) {
            const auto rb = static_cast<std::size_t>(r);
            const Complex sb = v[rb] * std::conj(current[rb]);
            bool first = true;
            std::size_t first_gen = 0;
            double others = 0;
            for (std::size_t g : on) {
                if (net.gens.bus[g].idx() != rb)
                    continue;
                if (first) {
                    first_gen = g;
                    first = false;
                } else {
                    others += pg[g];
                }
            }
            if (!first)
                pg[first_gen] = sb.real() + pd_set[rb] - others;
        }

        if (!ok || !options.enforce_q_limits)
            break;
        // Generator reactive limits (MATPOWER runpf, pf.enforce_q_lims = 1).
        std::vector<std::size_t> mx, mn, infeasible, remaining;
        for (std::size_t g = 0; g < ng; ++g) {
            if (!gen_active_[g])
                continue;
            if (qg[g] > net.gens.qmax_pu[g] + options.q_limit_tolerance_pu)
                mx.push_back(g);
            if (qg[g] < net.gens.qmin_pu[g] - options.q_limit_tolerance_pu)
                mn.push_back(g);
            if (qg[g] > net.gens.qmax_pu[g] + options.q_limit_tolerance_pu ||
                qg[g] < net.gens.qmin_pu[g] - options.q_limit_tolerance_pu)
                infeasible.push_back(g);
            const BusType t = types[net.gens.bus[g].idx()];
            if (t == BusType::kPv || t == BusType::kRef)
                remaining.push_back(g);
        }
        if (infeasible.empty())
            break;
        if (infeasible == remaining && (mx.empty() || mn.empty())) {
            ok = false; // every remaining generator is outside its limits
            break;
        }
        if (options.q_limits_one_at_a_time) {
            // Only the largest violation (MATPOWER pf.enforce_q_lims = 2).
            double worst = -std::numeric_limits<double>::infinity();
            std::size_t pick = 0;
            bool upper = true;
            for (std::size_t g : mx)
                if (qg[g] - net.gens.qmax_pu[g] > worst) {
                    worst = qg[g] - net.gens.qmax_pu[g];
                    pick = g;
                    upper = true;
                }
            for (std::size_t g : mn)
                if (net.gens.qmin_pu[g] - qg[g] > worst) {
                    worst = net.gens.qmin_pu[g] - qg[g];
                    pick = g;
                    upper = false;
                }
            mx.clear();
            mn.clear();
            (upper ? mx : mn).push_back(pick);
            infeasible = {pick};
        }
        for (std::size_t g : mx)
            fixed_q[g] = net.gens.qmax_pu[g];
        for (std::size_t g : mn)
            fixed_q[g] = net.gens.qmin_pu[g];
        for (std::size_t g : infeasible) {
            qg[g] = fixed_q[g];
            const std::size_t b = net.gens.bus[g].idx();
            if (s.refs.size() > 1 && types[b] == BusType::kRef)
                throw Error(ErrorCode::kUnsupported,
                            "power flow: reactive limits cannot be enforced at a reference bus "
                            "when there are several reference buses");
            types[b] = BusType::kPq;
            res.q_limited.push_back(GenIndex{static_cast<std::int32_t>(g)});
        }
        const std::vector<std::int32_t> ref_before = s.refs;
        try {
            s = classify(types, gen_active_, eff);
        } catch (const Error&) {
            ok = false;
            break;
        }
        if (s.refs != ref_before) {
            for (std::int32_t r : s.refs)
                types[static_cast<std::size_t>(r)] = BusType::kRef;
            for (std::size_t i = 0; i < nb; ++i)
                if (eff[i] == BusType::kPv)
                    types[i] = BusType::kPv;
        }
    }

    // Results.
    res.converged = ok;
    res.singular = singular_;
    res.bus_type = eff;
    for (std::int32_t r : s.refs)
        res.reference_buses.push_back(BusIndex{r});
    res.vm_pu.resize(nb);
    res.va_rad.resize(nb);
    // Newton kept |V| and θ beside V (vm_, va_): they are |V| and arg V but for rounding, and
    // for a multiple of 2π where θ left (-π, π].
    const bool polar_kept = options.method == PowerFlowMethod::kNewton && vm_.size() == nb;
    for (std::size_t i = 0; i < nb; ++i) {
        if (bus_active_[i] && polar_kept) {
            res.vm_pu[i] = vm_[i];
            res.va_rad[i] =
                va_[i] > -std::numbers::pi && va_[i] <= std::numbers::pi ? va_[i] : std::arg(v[i]);
        } else if (bus_active_[i]) {
            res.vm_pu[i] = std::abs(v[i]);
            res.va_rad[i] = std::arg(v[i]);
        } else {
            res.vm_pu[i] = net.buses.vm_pu[i];
            res.va_rad[i] = net.buses.va_rad[i];
        }
    }
    if (options.enforce_q_limits && !res.q_limited.empty() && s.refs != ref0 && ref0.size() == 1) {
        // Keep the original reference bus at its original angle.
        const double shift = va_ref0[0] - res.va_rad[static_cast<std::size_t>(ref0[0])];
        for (std::size_t i = 0; i < nb; ++i)
            if (bus_active_[i])
                res.va_rad[i] += shift;
    }
    res.pg_pu.assign(ng, 0.0);
    res.qg_pu.assign(ng, 0.0);
    for (std::size_t g = 0; g < ng; ++g) {
        if (gen_active_[g]) {
            res.pg_pu[g] = pg[g];
            res.qg_pu[g] = qg[g];
        }
    }
    res.p_from_pu.assign(nl, 0.0);
    res.q_from_pu.assign(nl, 0.0);
    res.p_to_pu.assign(nl, 0.0);
    res.q_to_pu.assign(nl, 0.0);
    for (std::size_t k = 0; k < nl; ++k) {
        if (!branch_active_[k])
            continue;
        const std::size_t f = net.branches.from[k].idx(), t = net.branches.to[k].idx();
        // S_f = V_f conj(Y_ff V_f + Y_ft V_t), S_t = V_t conj(Y_tf V_f + Y_tt V_t).
        const Complex sf = v[f] * std::conj(ybus_.yff[k] * v[f] + ybus_.yft[k] * v[t]);
        const Complex st = v[t] * std::conj(ybus_.ytf[k] * v[f] + ybus_.ytt[k] * v[t]);
        res.p_from_pu[k] = sf.real();
        res.q_from_pu[k] = sf.imag();
        res.p_to_pu[k] = st.real();
        res.q_to_pu[k] = st.imag();
    }
    // Final mismatch with its bus, for the convergence report.
    {
        std::vector<double> f(static_cast<std::size_t>(s.n_ang + s.n_mag));
        std::int32_t worst = -1;
        bool worst_q = false;
        // The last round's results left Y_bus V at these voltages in `current`.
        res.max_mismatch_pu = mismatch(yr, v, sbus, s.ang_var, s.mag_var, false, current, sc, f,
                                       nullptr, nullptr, &worst, &worst_q,
                                       /*current_known=*/true);
        if (worst >= 0) {
            res.worst_bus = BusIndex{worst};
            res.worst_kind = worst_q ? MismatchKind::kReactive : MismatchKind::kActive;
        }
    }
    res.solve_seconds = seconds_since(t0);
    return res;
}

PowerFlowResult PowerFlowSolver::solve_dc(const PowerFlowOptions& options) {
    const auto t0 = std::chrono::steady_clock::now();
    const Network& net = net_;
    const auto nb = static_cast<std::size_t>(net.buses.count());
    const auto ng = static_cast<std::size_t>(net.gens.count());
    const auto nl = static_cast<std::size_t>(net.branches.count());
    const std::vector<double>& pd_set = pd_.empty() ? net.buses.pd_pu : pd_;
    const std::vector<double>& pg_set = pg_.empty() ? net.gens.pg_pu : pg_;
    PowerFlowResult res;
    res.method = PowerFlowMethod::kDc;
    std::vector<BusType> eff;
    const Sets s = classify(net.buses.type, gen_active_, eff);

    // DC model (MATPOWER manual §3.3, makeBdc): b = 1/(x·τ), B_bus = C^T diag(b) C, phase
    // shifters as injections P_f,shift = -b·θ_shift at the from bus and the opposite at the to
    // bus; bus shunt conductance counts as load.
    std::vector<double> b(nl, 0.0), pf_shift(nl, 0.0), pbus(nb, 0.0);
    struct Entry {
        std::int32_t row, col;
        double v;
    };
    std::vector<Entry> e;
    for (std::size_t i = 0; i < nb; ++i)
        e.push_back({static_cast<std::int32_t>(i), static_cast<std::int32_t>(i), 0.0});
    for (std::size_t k = 0; k < nl; ++k) {
        if (!branch_active_[k])
            continue;
        b[k] = 1.0 / net.branches.x_pu[k] /
               net.branches.ratio(BranchIndex{static_cast<std::int32_t>(k)});
        pf_shift[k] = -b[k] * net.branches.shift_rad[k];
        const std::int32_t f = net.branches.from[k].value(), t = net.branches.to[k].value();
        e.push_back({f, f, b[k]});
        e.push_back({t, t, b[k]});
        e.push_back({f, t, -b[k]});
        e.push_back({t, f, -b[k]});
        pbus[static_cast<std::size_t>(f)] -= pf_shift[k];
        pbus[static_cast<std::size_t>(t)] += pf_shift[k];
    }
    for (std::size_t i = 0; i < nb; ++i)
        pbus[i] += -pd_set[i] - net.buses.gs_pu[i];
    for (std::size_t g = 0; g < ng; ++g)
        if (gen_active_[g])
            pbus[net.gens.bus[g].idx()] += pg_set[g];
    std::sort(e.begin(), e.end(), [](const Entry& x, const Entry& y) {
        return x.col != y.col ? x.col < y.col : x.row < y.row;
    });
    Admittance bfull; // B as the real part of an Admittance-shaped CSC (for reduced_susceptance)
    bfull.n = static_cast<std::int32_t>(nb);
    bfull.col_start.assign(nb + 1, 0);
    for (std::size_t k = 0; k < e.size(); ++k) {
        if (k > 0 && e[k].row == e[k - 1].row && e[k].col == e[k - 1].col) {
            bfull.value.back() += Complex(0.0, -e[k].v);
            continue;
        }
        bfull.row.push_back(e[k].row);
        bfull.value.push_back(Complex(0.0, -e[k].v)); // -Im(value) = B
        ++bfull.col_start[static_cast<std::size_t>(e[k].col) + 1];
    }
    for (std::size_t j = 0; j < nb; ++j)
        bfull.col_start[j + 1] += bfull.col_start[j];

    std::vector<double> va(nb);
    for (std::size_t i = 0; i < nb; ++i)
        va[i] = net.buses.va_rad[i];
    std::vector<double> rhs(static_cast<std::size_t>(s.n_ang));
    for (std::size_t i = 0; i < nb; ++i)
        if (s.ang_var[i] >= 0)
            rhs[static_cast<std::size_t>(s.ang_var[i])] = pbus[i];
    // Move the reference angles to the right-hand side.
    for (std::int32_t r : s.refs)
        for (std::int32_t k = bfull.col_start[r]; k < bfull.col_start[r + 1]; ++k) {
            const std::int32_t u = s.ang_var[static_cast<std::size_t>(bfull.row[k])];
            if (u >= 0)
                rhs[static_cast<std::size_t>(u)] -=
                    -bfull.value[k].imag() * va[static_cast<std::size_t>(r)];
        }
    bool ok = true;
    if (s.n_ang > 0) {
        std::vector<std::int32_t> key(s.ang_var);
        if (key != b_key_ || b_method_ != PowerFlowMethod::kDc || !bp_lu_.analysed()) {
            bp_ = reduced_susceptance(bfull, s.ang_var, s.n_ang, 0);
            bp_lu_.analyze(bp_);
            ++res.symbolic_analyses;
            b_key_ = std::move(key);
            b_method_ = PowerFlowMethod::kDc;
        } else {
            bp_ = reduced_susceptance(bfull, s.ang_var, s.n_ang, 0);
        }
        ok = bp_lu_.factor(bp_);
        res.singular = !ok;
        if (ok) {
            bp_lu_.solve(rhs);
            for (std::size_t i = 0; i < nb; ++i)
                if (s.ang_var[i] >= 0)
                    va[i] = rhs[static_cast<std::size_t>(s.ang_var[i])];
        }
    }
    // MATPOWER dcpf declares failure above |θ| = 1e5 rad.
    for (std::size_t i = 0; i < nb && ok; ++i)
        ok = std::isfinite(va[i]) && std::fabs(va[i]) <= 1e5;
    res.converged = ok;
    res.iterations = 1;
    res.bus_type = eff;
    for (std::int32_t r : s.refs)
        res.reference_buses.push_back(BusIndex{r});
    res.vm_pu.assign(nb, 1.0);
    res.va_rad = va;
    for (std::size_t i = 0; i < nb; ++i)
        if (!bus_active_[i])
            res.vm_pu[i] = net.buses.vm_pu[i];
    // B θ at every bus: residuals of the solved buses, slack injection at the reference buses.
    std::vector<double> btheta(nb, 0.0);
    for (std::size_t j = 0; j < nb; ++j)
        for (std::int32_t k = bfull.col_start[j]; k < bfull.col_start[j + 1]; ++k)
            btheta[static_cast<std::size_t>(bfull.row[k])] += -bfull.value[k].imag() * va[j];
    res.pg_pu.assign(ng, 0.0);
    res.qg_pu.assign(ng, 0.0);
    for (std::size_t g = 0; g < ng; ++g)
        if (gen_active_[g]) {
            res.pg_pu[g] = pg_set[g];
            res.qg_pu[g] = net.gens.qg_pu[g];
        }
    for (std::int32_t r : s.refs) {
        const auto rb = static_cast<std::size_t>(r);
        for (std::size_t g = 0; g < ng; ++g)
            if (gen_active_[g] && net.gens.bus[g].idx() == rb) {
                res.pg_pu[g] += btheta[rb] - pbus[rb];
                break;
            }
    }
    res.p_from_pu.assign(nl, 0.0);
    res.q_from_pu.assign(nl, 0.0);
    res.p_to_pu.assign(nl, 0.0);
    res.q_to_pu.assign(nl, 0.0);
    for (std::size_t k = 0; k < nl; ++k) {
        if (!branch_active_[k])
            continue;
        const std::size_t f = net.branches.from[k].idx(), t = net.branches.to[k].idx();
        res.p_from_pu[k] = b[k] * (va[f] - va[t]) + pf_shift[k];
        res.p_to_pu[k] = -res.p_from_pu[k];
    }
    double worst = -1;
    for (std::size_t i = 0; i < nb; ++i) {
        if (s.ang_var[i] < 0)
            continue;
        const double r = std::fabs(btheta[i] - pbus[i]);
        if (r > worst) {
            worst = r;
            res.worst_bus = BusIndex{static_cast<std::int32_t>(i)};
        }
    }
    res.max_mismatch_pu = std::max(worst, 0.0);
    res.worst_kind = MismatchKind::kActive;
    (void)options;
    res.solve_seconds = seconds_since(t0);
    return res;
}

PowerFlowResult solve_power_flow(const Network& net, const PowerFlowOptions& options) {
    PowerFlowSolver solver(net);
    return solver.solve(options);
}

} // namespace rencheng::power
