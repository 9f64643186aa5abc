// MATPOWER case writer: the network back as a version 2 case file in MW, MVAr and degrees.
#include <charconv>
#include <cmath>
#include <cstdio>
#include <string>

#include "core/atomic_file.hpp"
#include "core/units.hpp"
#include "power/matpower.hpp"

namespace rencheng::power {

namespace {

/// A value as written: shortest round-trip decimal, MATLAB's Inf/-Inf/NaN.
void put(std::string& out, double v) {
    if (std::isnan(v)) {
        out += "NaN";
        return;
    }
    if (std::isinf(v)) {
        out += v > 0 ? "Inf" : "-Inf";
        return;
    }
    char buf[32];
    const auto r = std::to_chars(buf, buf + sizeof buf, v);
    out.append(buf, r.ptr);
}

/// A value converted back from per unit or radians: 15 significant digits, which drops the last
/// bit of rounding the conversion adds (98.61 MW stays "98.61", not "98.61000000000001").
void put_converted(std::string& out, double v) {
    if (!std::isfinite(v)) {
        put(out, v);
        return;
    }
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.15g", v);
    out += buf;
}

void put_int(std::string& out, std::int64_t v) {
    out += std::to_string(v);
}

/// A cell-array string: quotes doubled as MATLAB requires.
void put_string(std::string& out, const std::string& s) {
    out += '\'';
    for (char c : s) {
        if (c == '\'')
            out += '\'';
        if (c == '\n' || c == '\r')
            c = ' ';
        out += c;
    }
    out += '\'';
}

} // namespace

std::string format_matpower(const Network& net) {
    const double base = net.base_mva;
    constexpr double to_deg = 1.0 / units::kDegree;
    std::string out;
    std::string name = net.name.empty() ? std::string("rencheng_case") : net.name;
    out += "function mpc = " + name + "\n";
    out += "%% Written by RenCheng (rencheng::power::format_matpower)\n\n";
    out += "%% MATPOWER Case Format : Version 2\n";
    out += "mpc.version = '2';\n\n";
    out += "%%-----  Power Flow Data  -----%%\n";
    out += "%% system MVA base\n";
    out += "mpc.baseMVA = ";
    put(out, base);
    out += ";\n\n";

    // The extra columns of a row, tab-separated, then the row end.
    auto put_extra = [&](const ExtraColumns& extra, std::int32_t r) {
        for (std::int32_t c = 0; c < extra.columns; ++c) {
            out += '\t';
            put(out, extra.values[static_cast<std::size_t>(r) * extra.columns + c]);
        }
        out += ";\n";
    };

    const auto& b = net.buses;
    out += "%% bus data\n";
    out += "%\tbus_i\ttype\tPd\tQd\tGs\tBs\tarea\tVm\tVa\tbaseKV\tzone\tVmax\tVmin\n";
    out += "mpc.bus = [\n";
    for (std::int32_t i = 0; i < b.count(); ++i) {
        const auto k = static_cast<std::size_t>(i);
        out += '\t';
        put_int(out, b.number[k]);
        out += '\t';
        put_int(out, static_cast<int>(b.type[k]));
        for (double v :
             {b.pd_pu[k] * base, b.qd_pu[k] * base, b.gs_pu[k] * base, b.bs_pu[k] * base}) {
            out += '\t';
            put_converted(out, v);
        }
        out += '\t';
        put_int(out, b.area[k]);
        out += '\t';
        put(out, b.vm_pu[k]);
        out += '\t';
        put_converted(out, b.va_rad[k] * to_deg);
        out += '\t';
        put(out, b.base_kv[k]);
        out += '\t';
        put_int(out, b.zone[k]);
        out += '\t';
        put(out, b.vmax_pu[k]);
        out += '\t';
        put(out, b.vmin_pu[k]);
        put_extra(net.bus_extra, i);
    }
    out += "];\n\n";

    const auto& g = net.gens;
    out += "%% generator data\n";
    out += "%\tbus\tPg\tQg\tQmax\tQmin\tVg\tmBase\tstatus\tPmax\tPmin\n";
    out += "mpc.gen = [\n";
    for (std::int32_t i = 0; i < g.count(); ++i) {
        const auto k = static_cast<std::size_t>(i);
        out += '\t';
        put_int(out, g.bus[k].valid() ? b.number[g.bus[k].idx()] : 0);
        for (double v :
             {g.pg_pu[k] * base, g.qg_pu[k] * base, g.qmax_pu[k] * base, g.qmin_pu[k] * base}) {
            out += '\t';
            put_converted(out, v);
        }
        out += '\t';
        put(out, g.vg_pu[k]);
        out += '\t';
        put(out, g.mbase_mva[k]);
        out += '\t';
        put(out, g.status[k]);
        out += '\t';
        put_converted(out, g.pmax_pu[k] * base);
        out += '\t';
        put_converted(out, g.pmin_pu[k] * base);
        put_extra(net.gen_extra, i);
    }
    out += "];\n\n";

    const auto& br = net.branches;
    out += "%% branch data\n";
    out += "%\tfbus\ttbus\tr\tx\tb\trateA\trateB\trateC\tratio\tangle\tstatus\tangmin\tangmax\n";
    out += "mpc.branch = [\n";
    for (std::int32_t i = 0; i < br.count(); ++i) {
        const auto k = static_cast<std::size_t>(i);
        out += '\t';
        put_int(out, br.from[k].valid() ? b.number[br.from[k].idx()] : 0);
        out += '\t';
        put_int(out, br.to[k].valid() ? b.number[br.to[k].idx()] : 0);
        for (double v : {br.r_pu[k], br.x_pu[k], br.b_pu[k], br.rate_a_mva[k], br.rate_b_mva[k],
                         br.rate_c_mva[k], br.tap[k]}) {
            out += '\t';
            put(out, v);
        }
        out += '\t';
        put_converted(out, br.shift_rad[k] * to_deg);
        out += '\t';
        put(out, br.status[k]);
        out += '\t';
        put_converted(out, br.angmin_rad[k] * to_deg);
        out += '\t';
        put_converted(out, br.angmax_rad[k] * to_deg);
        put_extra(net.branch_extra, i);
    }
    out += "];\n";

    if (net.gencost.rows() > 0) {
        out += "\n%%-----  OPF Data  -----%%\n";
        out += "%% generator cost data\n";
        out += "%\t1\tstartup\tshutdown\tn\tx1\ty1\t...\txn\tyn\n";
        out += "%\t2\tstartup\tshutdown\tn\tc(n-1)\t...\tc0\n";
        out += "mpc.gencost = [\n";
        for (std::int32_t r = 0; r < net.gencost.rows(); ++r) {
            for (std::int32_t c = 0; c < net.gencost.columns; ++c) {
                out += '\t';
                put(out, net.gencost.values[static_cast<std::size_t>(r) * net.gencost.columns + c]);
            }
            out += ";\n";
        }
        out += "];\n";
    }

    if (!net.bus_names.empty()) {
        out += "\n%% bus names\n";
        out += "mpc.bus_name = {\n";
        for (const auto& s : net.bus_names) {
            out += '\t';
            put_string(out, s);
            out += ";\n";
        }
        out += "};\n";
    }

    for (const auto& f : net.other_fields) {
        out += '\n';
        out += f.text;
        if (f.text.empty() || f.text.back() != ';')
            out += ';';
        out += '\n';
    }
    return out;
}

void write_matpower(const std::filesystem::path& path, const Network& net) {
    write_file_atomic(path, format_matpower(net));
}

} // namespace rencheng::power
