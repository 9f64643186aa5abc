// Power flow solvers: Ybus, Newton-Raphson (polar) with KLU, fast-decoupled XB/BX, DC.
#include "power/power_flow.hpp"

#include <algorithm>
#include <cassert>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <limits>
#include <numeric>

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

/// I = Y V.
void multiply(const Admittance& y, const std::vector<Complex>& v, std::vector<Complex>& out) {
    out.assign(static_cast<std::size_t>(y.n), 0.0);
    for (std::int32_t j = 0; j < y.n; ++j) {
        const Complex vj = v[static_cast<std::size_t>(j)];
        for (std::int32_t k = y.col_start[j]; k < y.col_start[j + 1]; ++k)
            out[static_cast<std::size_t>(y.row[k])] += y.value[k] * vj;
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

PowerFlowSolver::PowerFlowSolver(const Network& net) : net_(net) {
    const auto nb = static_cast<std::size_t>(net.buses.count());
    bus_active_.assign(nb, 0);
    for (std::size_t i = 0; i < nb; ++i)
        bus_active_[i] = net.buses.type[i] != BusType::kIsolated;
    const auto nl = static_cast<std::size_t>(net.branches.count());
    branch_active_.assign(nl, 0);
    for (std::size_t k = 0; k < nl; ++k) {
        const auto f = net.branches.from[k], t = net.branches.to[k];
        branch_active_[k] = net.branches.status[k] != 0 && f.valid() && t.valid() &&
                            bus_active_[f.idx()] && bus_active_[t.idx()];
    }
    const auto ng = static_cast<std::size_t>(net.gens.count());
    gen_active_.assign(ng, 0);
    for (std::size_t g = 0; g < ng; ++g)
        gen_active_[g] =
            net.gens.status[g] > 0 && net.gens.bus[g].valid() && bus_active_[net.gens.bus[g].idx()];
    ybus_ = assemble(net, branch_active_, BranchModel{});
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
/// against the scheduled injections; `scale_by_vm` divides by |V| first (fdpf).
double mismatch(const Admittance& y, const std::vector<Complex>& v,
                const std::vector<Complex>& sbus, const std::vector<std::int32_t>& ang_var,
                const std::vector<std::int32_t>& mag_var, bool scale_by_vm,
                std::vector<Complex>& current, std::vector<Complex>& s, std::vector<double>& f,
                double* norm_p = nullptr, double* norm_q = nullptr, std::int32_t* worst = nullptr,
                bool* worst_q = nullptr) {
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

bool PowerFlowSolver::newton(const Sets& s, std::vector<Complex>& v,
                             const std::vector<Complex>& sbus, const PowerFlowOptions& o,
                             int& iterations, int& analyses) {
    const std::int32_t nb = net_.buses.count();
    const std::int32_t n = s.n_ang + s.n_mag;
    const int max_it = o.max_iterations > 0 ? o.max_iterations : 10;

    // Jacobian pattern (MATPOWER newtonpf: J = [dP/dθ dP/d|V|; dQ/dθ dQ/d|V|]) for this PV/PQ
    // split; the symbolic LU is computed only when the split changes.
    std::vector<std::int32_t> key(s.ang_var);
    key.insert(key.end(), s.mag_var.begin(), s.mag_var.end());
    if (key != jac_key_ || !jac_lu_.analysed()) {
        std::vector<std::int32_t> bus_of(static_cast<std::size_t>(n));
        for (std::int32_t i = 0; i < nb; ++i) {
            if (s.ang_var[static_cast<std::size_t>(i)] >= 0)
                bus_of[static_cast<std::size_t>(s.ang_var[static_cast<std::size_t>(i)])] = i;
            if (s.mag_var[static_cast<std::size_t>(i)] >= 0)
                bus_of[static_cast<std::size_t>(s.mag_var[static_cast<std::size_t>(i)])] = i;
        }
        const std::size_t nnz_y = ybus_.row.size();
        pos_p_ang_.assign(nnz_y, -1);
        pos_p_mag_.assign(nnz_y, -1);
        pos_q_ang_.assign(nnz_y, -1);
        pos_q_mag_.assign(nnz_y, -1);
        jac_ = CscMatrix{};
        jac_.n = n;
        jac_.col_start.assign(static_cast<std::size_t>(n) + 1, 0);
        for (std::int32_t u = 0; u < n; ++u) {
            const std::int32_t j = bus_of[static_cast<std::size_t>(u)];
            const bool is_ang = u < s.n_ang;
            auto& pos_p = is_ang ? pos_p_ang_ : pos_p_mag_;
            auto& pos_q = is_ang ? pos_q_ang_ : pos_q_mag_;
            for (std::int32_t k = ybus_.col_start[j]; k < ybus_.col_start[j + 1]; ++k) {
                const std::int32_t r = s.ang_var[static_cast<std::size_t>(ybus_.row[k])];
                if (r < 0)
                    continue;
                pos_p[static_cast<std::size_t>(k)] = jac_.nnz();
                jac_.row.push_back(r);
            }
            for (std::int32_t k = ybus_.col_start[j]; k < ybus_.col_start[j + 1]; ++k) {
                const std::int32_t r = s.mag_var[static_cast<std::size_t>(ybus_.row[k])];
                if (r < 0)
                    continue;
                pos_q[static_cast<std::size_t>(k)] = jac_.nnz();
                jac_.row.push_back(r);
            }
            jac_.col_start[static_cast<std::size_t>(u) + 1] = jac_.nnz();
        }
        jac_.value.assign(jac_.row.size(), 0.0);
        jac_key_ = std::move(key);
        if (n > 0) {
            jac_lu_.analyze(jac_);
            ++analyses;
        }
    }

    const auto nbs = static_cast<std::size_t>(nb);
    std::vector<Complex> current(nbs), sc(nbs);
    std::vector<double> f(static_cast<std::size_t>(n)), dx(static_cast<std::size_t>(n));
    std::vector<double> vm(nbs), va(nbs);
    for (std::size_t i = 0; i < nbs; ++i) {
        vm[i] = std::abs(v[i]);
        va[i] = std::arg(v[i]);
    }
    double norm_f = mismatch(ybus_, v, sbus, s.ang_var, s.mag_var, false, current, sc, f);
    if (norm_f < o.tolerance_pu)
        return true;
    if (n == 0)
        return true;
    int it = 0;
    while (it < max_it) {
        ++it;
        ++iterations;
        // Jacobian values. For Ybus entry (i, j), t = V_i conj(Y_ij V_j):
        // ∂S_i/∂θ_j = -j t (+ j S_i when i = j), ∂S_i/∂|V_j| = t/|V_j| (+ S_i/|V_i| when i = j)
        // (MATPOWER dSbus_dV, polar; Zimmerman, "AC Power Flows, Generalized OPF Costs and their
        // Derivatives using Complex Matrix Notation", TN2, eq. 15-16).
        for (std::int32_t j = 0; j < nb; ++j) {
            const auto jj = static_cast<std::size_t>(j);
            if (s.ang_var[jj] < 0 && s.mag_var[jj] < 0)
                continue;
            for (std::int32_t k = ybus_.col_start[j]; k < ybus_.col_start[j + 1]; ++k) {
                const auto kk = static_cast<std::size_t>(k);
                const auto i = static_cast<std::size_t>(ybus_.row[k]);
                const Complex t = v[i] * std::conj(ybus_.value[kk] * v[jj]);
                Complex d_ang(t.imag(), -t.real());
                Complex d_mag = t / vm[jj];
                if (i == jj) {
                    d_ang += kJ * sc[i];
                    d_mag += sc[i] / vm[i];
                }
                if (pos_p_ang_[kk] >= 0)
                    jac_.value[static_cast<std::size_t>(pos_p_ang_[kk])] = d_ang.real();
                if (pos_p_mag_[kk] >= 0)
                    jac_.value[static_cast<std::size_t>(pos_p_mag_[kk])] = d_mag.real();
                if (pos_q_ang_[kk] >= 0)
                    jac_.value[static_cast<std::size_t>(pos_q_ang_[kk])] = d_ang.imag();
                if (pos_q_mag_[kk] >= 0)
                    jac_.value[static_cast<std::size_t>(pos_q_mag_[kk])] = d_mag.imag();
            }
        }
        if (!jac_lu_.factor(jac_)) {
            singular_ = true;
            return false;
        }
        for (std::size_t u = 0; u < dx.size(); ++u)
            dx[u] = -f[u];
        jac_lu_.solve(dx);
        for (std::size_t i = 0; i < nbs; ++i) {
            if (s.ang_var[i] >= 0)
                va[i] += dx[static_cast<std::size_t>(s.ang_var[i])];
            if (s.mag_var[i] >= 0)
                vm[i] += dx[static_cast<std::size_t>(s.mag_var[i])];
            if (s.ang_var[i] >= 0 || s.mag_var[i] >= 0) {
                v[i] = std::polar(1.0, va[i]) * vm[i];
                // As MATPOWER: a negative magnitude becomes a positive one turned by π.
                vm[i] = std::abs(v[i]);
                va[i] = std::arg(v[i]);
            }
        }
        norm_f = mismatch(ybus_, v, sbus, s.ang_var, s.mag_var, false, current, sc, f);
        if (norm_f < o.tolerance_pu)
            return true;
        if (!std::isfinite(norm_f))
            return false;
    }
    return false;
}

bool PowerFlowSolver::fast_decoupled(const Sets& s, std::vector<Complex>& v,
                                     const std::vector<Complex>& sbus, const PowerFlowOptions& o,
                                     int& iterations, int& analyses) {
    const std::int32_t nb = net_.buses.count();
    const int max_it = o.max_iterations > 0 ? o.max_iterations : 30;
    const bool xb = o.method == PowerFlowMethod::kFastDecoupledXb;

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
    mismatch(ybus_, v, sbus, s.ang_var, s.mag_var, true, current, sc, f, &np, &nq);
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
        mismatch(ybus_, v, sbus, s.ang_var, s.mag_var, true, current, sc, f, &np, &nq);
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
        mismatch(ybus_, v, sbus, s.ang_var, s.mag_var, true, current, sc, f, &np, &nq);
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
        pg[g] = net.gens.pg_pu[g];
        qg[g] = net.gens.qg_pu[g];
    }

    // Initial voltages: the case's, with generator set points at voltage-controlled buses (the
    // last generator of a bus wins, as in MATPOWER).
    std::vector<Complex> v(nb);
    for (std::size_t i = 0; i < nb; ++i)
        v[i] = std::polar(1.0, net.buses.va_rad[i]) * net.buses.vm_pu[i];
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
            sbus[i] = Complex(-net.buses.pd_pu[i], -net.buses.qd_pu[i]);
        for (std::size_t g = 0; g < ng; ++g)
            if (gen_active_[g])
                sbus[net.gens.bus[g].idx()] += Complex(pg[g], qg[g]);

        ok = options.method == PowerFlowMethod::kNewton
                 ? newton(s, v, sbus, options, res.iterations, res.symbolic_analyses)
                 : fast_decoupled(s, v, sbus, options, res.iterations, res.symbolic_analyses);

        // pfsoln: generator P at the reference buses and Q at reference and PV buses from the
        // solved injections.
        multiply(ybus_, v, current);
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
            qg[g] = (sb.imag() + net.buses.qd_pu[b]) / count[b];
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
                pg[first_gen] = sb.real() + net.buses.pd_pu[rb] - others;
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
    for (std::size_t i = 0; i < nb; ++i) {
        if (bus_active_[i]) {
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
        res.max_mismatch_pu = mismatch(ybus_, v, sbus, s.ang_var, s.mag_var, false, current, sc, f,
                                       nullptr, nullptr, &worst, &worst_q);
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
        pbus[i] += -net.buses.pd_pu[i] - net.buses.gs_pu[i];
    for (std::size_t g = 0; g < ng; ++g)
        if (gen_active_[g])
            pbus[net.gens.bus[g].idx()] += net.gens.pg_pu[g];
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
            res.pg_pu[g] = net.gens.pg_pu[g];
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
