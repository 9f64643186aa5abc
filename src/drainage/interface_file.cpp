#include "drainage/interface_file.hpp"

#include <cmath>
#include <cstdio>
#include <sstream>

#include "core/atomic_file.hpp"
#include "core/error.hpp"
#include "drainage/network.hpp"
#include "drainage/quality.hpp"
#include "drainage/section_rows.hpp"

namespace rencheng::drainage {

namespace {

constexpr FlowUnits kAllFlowUnits[] = {FlowUnits::kCfs, FlowUnits::kGpm, FlowUnits::kMgd,
                                       FlowUnits::kCms, FlowUnits::kLps, FlowUnits::kMld};

std::vector<std::string> words(const std::string& line) {
    std::istringstream in(line);
    std::vector<std::string> out;
    std::string w;
    while (in >> w)
        out.push_back(w);
    return out;
}

} // namespace

RoutingInflows::RoutingInflows(const Network& net, const std::filesystem::path& path)
    : RoutingInflows(net, read_file(path), path.string()) {}

InterfaceText parse_interface_text(const Network& net, const std::string& text,
                                   const std::string& file, const char* kind) {
    InterfaceText out;
    std::istringstream in(text);
    std::string line;
    int line_no = 0;
    auto fail = [&](const std::string& what) {
        throw Error(ErrorCode::kNumberSyntax, file + ":" + std::to_string(line_no) + ": " + kind +
                                                  " interface file: " + what);
    };
    auto next = [&]() {
        if (!std::getline(in, line))
            fail("ends early");
        ++line_no;
        if (!line.empty() && line.back() == '\r')
            line.pop_back();
        return words(line);
    };
    auto leading_int = [&](const std::vector<std::string>& w, const char* what) {
        char* end = nullptr;
        const long v = w.empty() ? -1 : std::strtol(w[0].c_str(), &end, 10);
        if (w.empty() || end == w[0].c_str())
            fail(std::string("no ") + what);
        return v;
    };
    if (auto w = next(); w.empty() || !rows::iequals(w[0], "SWMM5"))
        fail("not a SWMM5 interface file (its first word must be SWMM5)");
    next(); // title
    out.step_s = leading_int(next(), "time step");
    if (out.step_s <= 0)
        fail("the time step must be > 0");
    const long constituents = leading_int(next(), "number of constituents");
    if (constituents < 1)
        fail("needs at least the FLOW constituent");
    double to_si = 0;
    {
        const auto w = next();
        if (w.size() < 2 || !rows::iequals(w[0], "FLOW"))
            fail("the first constituent must be 'FLOW units'");
        for (const FlowUnits u : kAllFlowUnits)
            if (rows::iequals(w[1], flow_units_name(u)))
                to_si = unit_factors(u).flow;
        if (to_si == 0)
            fail("unknown flow units '" + w[1] + "'");
    }
    for (long p = 1; p < constituents; ++p) { // pollutants: name and units
        const auto w = next();
        if (w.size() < 2)
            fail("a constituent line needs a name and units");
        out.pollutant.push_back(w[0]);
        out.pollutant_units.push_back(w[1]);
    }
    const auto n_pollutants = static_cast<std::size_t>(constituents - 1);
    const long nodes = leading_int(next(), "number of nodes");
    if (nodes <= 0)
        fail("the number of nodes must be > 0");
    for (long i = 0; i < nodes; ++i) {
        const auto w = next();
        if (w.empty())
            fail("a node name is missing");
        const auto n = net.find_node(w[0]);
        out.node.push_back(n.valid() ? static_cast<std::int32_t>(n.idx()) : -1);
        out.name.push_back(w[0]);
    }
    next(); // column headings
    const Seconds base = seconds_since_epoch(net.options.start);
    // one line per node at each report time, in the nodes' order (as SWMM reads them)
    while (true) {
        std::vector<double> flows, quality;
        double t = 0;
        for (long i = 0; i < nodes; ++i) {
            if (!std::getline(in, line)) {
                if (i == 0)
                    return out;
                fail("a report time ends early");
            }
            ++line_no;
            const auto w = words(line);
            if (w.empty() && i == 0) { // trailing blank lines
                --i;
                continue;
            }
            if (w.size() < 8)
                fail("a line needs node, year, month, day, hour, minute, second and flow");
            int f[6];
            for (int k = 0; k < 6; ++k) {
                char* end = nullptr;
                f[k] = static_cast<int>(
                    std::strtol(w[static_cast<std::size_t>(k) + 1].c_str(), &end, 10));
                if (end == w[static_cast<std::size_t>(k) + 1].c_str())
                    fail("bad date or time '" + w[static_cast<std::size_t>(k) + 1] + "'");
            }
            if (f[1] < 1 || f[1] > 12 || f[2] < 1 || f[2] > 31)
                fail("bad date");
            const auto q = rows::parse_number(w[7]);
            if (!q)
                fail("bad flow '" + w[7] + "'");
            if (w.size() < 8 + n_pollutants)
                fail("a line needs " + std::to_string(n_pollutants) +
                     " concentrations after the flow");
            for (std::size_t p = 0; p < n_pollutants; ++p) {
                const auto c = rows::parse_number(w[8 + p]);
                if (!c)
                    fail("bad concentration '" + w[8 + p] + "'");
                quality.push_back(*c);
            }
            const CalendarTime c{f[0], f[1], f[2],
                                 static_cast<Seconds>(f[3]) * 3600 +
                                     static_cast<Seconds>(f[4]) * 60 + static_cast<Seconds>(f[5])};
            t = static_cast<double>(seconds_since_epoch(c) - base);
            flows.push_back(*q * to_si);
        }
        if (!out.time_s.empty() && t <= out.time_s.back())
            fail("times must increase");
        out.time_s.push_back(t);
        out.flow_m3s.insert(out.flow_m3s.end(), flows.begin(), flows.end());
        out.quality.insert(out.quality.end(), quality.begin(), quality.end());
    }
}

RoutingInflows::RoutingInflows(const Network& net, const std::string& text, const std::string& file)
    : file_(file) {
    InterfaceText t = parse_interface_text(net, text, file, "routing");
    // SWMM 5.2.4 reads a file's pollutant lines only for a model with pollutants: otherwise it
    // takes the first of them for the number of nodes and rejects the file (getIfaceFileNodes,
    // error 353); RenCheng rejects it too, saying why
    const auto* polluts = net.raw_section("POLLUTANTS");
    if (!t.pollutant.empty() && (polluts == nullptr || polluts->rows.empty())) {
        std::string names;
        for (const auto& p : t.pollutant)
            names += (names.empty() ? "" : ", ") + p;
        throw Error(ErrorCode::kNumberSyntax,
                    file + ": routing interface file: it carries " +
                        std::to_string(t.pollutant.size()) + " pollutant(s) (" + names +
                        ") but the model has no [POLLUTANTS]; SWMM 5.2.4 rejects such a file "
                        "(its error 353, invalid format): add the pollutants to the model or use "
                        "a file with FLOW alone / 接口文件含污染物（" +
                        names + "）而模型无 [POLLUTANTS]，SWMM 5.2.4 拒绝此文件（错误 353）");
    }
    node_ = std::move(t.node);
    time_s_ = std::move(t.time_s);
    flow_m3s_ = std::move(t.flow_m3s);
    pollutant_ = std::move(t.pollutant);
    pollutant_units_ = std::move(t.pollutant_units);
    quality_ = std::move(t.quality);
}

namespace {
/// SWMM's words for a pollutant's concentration units (QualUnitsWords).
const char* units_word(ConcentrationUnit u) {
    switch (u) {
    case ConcentrationUnit::kUgPerL:
        return "UG/L";
    case ConcentrationUnit::kCountPerL:
        return "#/L";
    case ConcentrationUnit::kMgPerL:
        break;
    }
    return "MG/L";
}
} // namespace

void RoutingInflows::match_pollutants(const std::vector<Pollutant>& pollutants) {
    column_of_.assign(pollutants.size(), -1);
    for (std::size_t x = 0; x < pollutant_.size(); ++x)
        for (std::size_t p = 0; p < pollutants.size(); ++p) {
            if (!rows::iequals(pollutant_[x], pollutants[p].id))
                continue;
            if (!rows::iequals(pollutant_units_[x], units_word(pollutants[p].units)))
                throw Error(ErrorCode::kNumberSyntax,
                            file_ + ": routing interface file: pollutant '" + pollutant_[x] +
                                "' is in " + pollutant_units_[x] + ", the model's in " +
                                units_word(pollutants[p].units) +
                                " (SWMM requires the same units) / 接口文件中污染物 '" +
                                pollutant_[x] + "' 的单位与模型不符");
            column_of_[p] = static_cast<int>(x);
        }
}

RoutingOutflows::RoutingOutflows(const Network& net, bool dynamic_wave, double report_step_s)
    : net_(net), report_step_s_(report_step_s) {
    std::vector<char> has_outflow(static_cast<std::size_t>(net.node_count()), 0);
    for (int j = 0; j < net.link_count(); ++j)
        has_outflow[net.from_node[static_cast<std::size_t>(j)].idx()] = 1;
    for (int n = 0; n < net.node_count(); ++n) {
        const bool outlet = dynamic_wave
                                ? net.node_kind[static_cast<std::size_t>(n)] == NodeKind::kOutfall
                                : !has_outflow[static_cast<std::size_t>(n)];
        if (outlet)
            outlets_.push_back(n);
    }
}

void RoutingOutflows::record(double t_s, const std::vector<double>& inflow_m3s,
                             const std::vector<double>& quality) {
    const std::size_t np = pollutant_ids_.size();
    time_s_.push_back(t_s);
    for (const auto n : outlets_) {
        const auto k = static_cast<std::size_t>(n);
        values_.push_back(inflow_m3s[k]);
        for (std::size_t p = 0; p < np; ++p)
            values_.push_back(k * np + p < quality.size() ? quality[k * np + p] : 0.0);
    }
}

void RoutingOutflows::set_pollutants(const std::vector<Pollutant>& pollutants,
                                     const std::vector<double>& initial) {
    // the times recorded so far get columns for the pollutants
    const std::size_t np = pollutants.size(), no = outlets_.size();
    std::vector<double> v;
    for (std::size_t t = 0; t < time_s_.size(); ++t)
        for (std::size_t o = 0; o < no; ++o) {
            v.push_back(values_[t * no + o]);
            const auto k = static_cast<std::size_t>(outlets_[o]);
            for (std::size_t p = 0; p < np; ++p)
                v.push_back(k * np + p < initial.size() ? initial[k * np + p] : 0.0);
        }
    values_ = std::move(v);
    pollutant_lines_.clear();
    pollutant_ids_.clear();
    for (const auto& p : pollutants) {
        pollutant_lines_.push_back(p.id + " " + units_word(p.units));
        pollutant_ids_.push_back(p.id);
    }
}

void RoutingOutflows::write(const std::filesystem::path& path) const {
    std::string out = "SWMM5 Interface File\n";
    out += net_.title.empty() ? std::string() : net_.title.front();
    char buf[128];
    std::snprintf(buf, sizeof buf, "\n%-4ld - reporting time step in sec",
                  static_cast<long>(std::llround(report_step_s_)));
    out += buf;
    std::snprintf(buf, sizeof buf,
                  "\n%-4zu - number of constituents as listed below:", pollutant_ids_.size() + 1);
    out += buf;
    out += "\nFLOW " + std::string(flow_units_name(net_.options.flow_units));
    for (const auto& line : pollutant_lines_)
        out += "\n" + line;
    std::snprintf(buf, sizeof buf, "\n%-4zu - number of nodes as listed below:", outlets_.size());
    out += buf;
    for (const auto n : outlets_)
        out += "\n" + net_.node_id[static_cast<std::size_t>(n)];
    out += "\nNode             Year Mon Day Hr  Min Sec FLOW      ";
    for (const auto& id : pollutant_ids_) {
        std::snprintf(buf, sizeof buf, " %-10s", id.c_str());
        out += buf;
    }
    // one line per outlet and report time: `node date time flow [concentrations]`, as SWMM's
    // iface_saveOutletResults prints them
    const Seconds base = seconds_since_epoch(net_.options.start);
    const double per_unit = unit_factors(net_.options.flow_units).flow;
    const std::size_t np = pollutant_ids_.size(), no = outlets_.size();
    char date[64], value[64], id[256];
    for (std::size_t t = 0; t < time_s_.size(); ++t) {
        const CalendarTime c =
            calendar_from_seconds(base + static_cast<Seconds>(std::llround(time_s_[t])));
        std::snprintf(date, sizeof date, " %04d %02d  %02d  %02d  %02d  %02d ", c.year, c.month,
                      c.day, static_cast<int>(c.time_of_day / 3600),
                      static_cast<int>(c.time_of_day % 3600 / 60),
                      static_cast<int>(c.time_of_day % 60));
        for (std::size_t o = 0; o < no; ++o) {
            const double* v = &values_[(t * no + o) * (np + 1)];
            std::snprintf(id, sizeof id, "%-16s",
                          net_.node_id[static_cast<std::size_t>(outlets_[o])].c_str());
            out += std::string("\n") + id + date;
            std::snprintf(value, sizeof value, " %-10f", v[0] / per_unit);
            out += value;
            for (std::size_t p = 0; p < np; ++p) {
                std::snprintf(value, sizeof value, " %-10f", v[1 + p]);
                out += value;
            }
        }
    }
    out += "\n";
    write_file_atomic(path, out);
}

} // namespace rencheng::drainage
