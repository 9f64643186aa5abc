// Byte encoding of ensemble results for shipping realizations between MPI ranks.
#include "sim/ensemble_codec.hpp"

#include <cstring>
#include <string>
#include <type_traits>

#include "core/error.hpp"

namespace rencheng::sim {

namespace {

/// Bumped whenever the layout below changes (every rank of one run is the same binary, so this
/// only guards against decoding garbage).
constexpr std::uint32_t kFormatVersion = 1;

class Writer {
public:
    template <class T>
    requires std::is_trivially_copyable_v<T>
    void put(const T& v) {
        const auto* p = reinterpret_cast<const std::uint8_t*>(&v);
        bytes_.insert(bytes_.end(), p, p + sizeof(T));
    }
    void put(const std::string& s) {
        put(static_cast<std::uint64_t>(s.size()));
        bytes_.insert(bytes_.end(), s.begin(), s.end());
    }
    template <class T> void put(const std::vector<T>& v) {
        put(static_cast<std::uint64_t>(v.size()));
        if constexpr (std::is_trivially_copyable_v<T>) {
            const auto* p = reinterpret_cast<const std::uint8_t*>(v.data());
            bytes_.insert(bytes_.end(), p, p + v.size() * sizeof(T));
        } else {
            for (const auto& x : v)
                put(x);
        }
    }
    void put(const Event& e) {
        put(e.time_s);
        put(e.seq);
        put(e.asset);
        put(e.service);
        put(e.kind);
        put(e.cause_asset);
        put(e.cause_kind);
        put(e.detail);
        put(e.detail_zh);
        put(e.chain);
    }
    void put(const RootLoss& r) {
        put(r.root);
        put(r.service);
        put(r.person_hours);
        put(r.root_event);
        put(r.chain);
    }
    void put(const PolicyOutcome& p) {
        put(p.policy);
        put(p.population_hours_lost);
    }
    void put(const RealizationResult& r) {
        put(r.realization);
        put(r.policy);
        for (const auto& v : r.served_population)
            put(v);
        for (const auto& v : r.district_without)
            put(v);
        put(r.facility_downtime_h);
        put(r.facility_lost_bits);
        put(r.first_damage);
        put(r.downtime_h);
        put(r.service_lost);
        put(r.damaged_per_layer);
        for (const auto& v : r.damaged_count)
            put(v);
        for (const auto& v : r.repaired_count)
            put(v);
        put(r.crews_busy);
        put(r.unmet_demand);
        put(r.root_losses);
        put(r.chain_assets);
        put(r.events);
        put(r.max_water_mass_balance);
        put(r.max_power_imbalance_mw);
        put(r.water_solves);
        put(r.power_solves);
        put(r.drainage_solves); // rainstorm (C2)
        put(r.max_street_flood_m);
        put(r.drainage_flood_volume_m3);
        put(r.max_drainage_continuity_pct);
        put(r.flooded_road_links);
        put(r.gas_solves); // gas (B)
        put(r.max_gas_balance_m3s);
        put(r.max_gas_relative_balance);
    }
    std::vector<std::uint8_t> take() { return std::move(bytes_); }

private:
    std::vector<std::uint8_t> bytes_;
};

class Reader {
public:
    explicit Reader(std::span<const std::uint8_t> bytes) : bytes_(bytes) {}

    template <class T>
    requires std::is_trivially_copyable_v<T>
    void get(T& v) {
        need(sizeof(T));
        std::memcpy(&v, bytes_.data() + pos_, sizeof(T));
        pos_ += sizeof(T);
    }
    void get(std::string& s) {
        const std::size_t n = count(1);
        s.assign(reinterpret_cast<const char*>(bytes_.data() + pos_), n);
        pos_ += n;
    }
    template <class T> void get(std::vector<T>& v) {
        if constexpr (std::is_trivially_copyable_v<T>) {
            const std::size_t n = count(sizeof(T));
            v.resize(n);
            if (n > 0)
                std::memcpy(v.data(), bytes_.data() + pos_, n * sizeof(T));
            pos_ += n * sizeof(T);
        } else {
            const std::size_t n = count(1);
            v.resize(n);
            for (auto& x : v)
                get(x);
        }
    }
    void get(Event& e) {
        get(e.time_s);
        get(e.seq);
        get(e.asset);
        get(e.service);
        get(e.kind);
        get(e.cause_asset);
        get(e.cause_kind);
        get(e.detail);
        get(e.detail_zh);
        get(e.chain);
    }
    void get(RootLoss& r) {
        get(r.root);
        get(r.service);
        get(r.person_hours);
        get(r.root_event);
        get(r.chain);
    }
    void get(PolicyOutcome& p) {
        get(p.policy);
        get(p.population_hours_lost);
    }
    void get(RealizationResult& r) {
        get(r.realization);
        get(r.policy);
        for (auto& v : r.served_population)
            get(v);
        for (auto& v : r.district_without)
            get(v);
        get(r.facility_downtime_h);
        get(r.facility_lost_bits);
        get(r.first_damage);
        get(r.downtime_h);
        get(r.service_lost);
        get(r.damaged_per_layer);
        for (auto& v : r.damaged_count)
            get(v);
        for (auto& v : r.repaired_count)
            get(v);
        get(r.crews_busy);
        get(r.unmet_demand);
        get(r.root_losses);
        get(r.chain_assets);
        get(r.events);
        get(r.max_water_mass_balance);
        get(r.max_power_imbalance_mw);
        get(r.water_solves);
        get(r.power_solves);
        get(r.drainage_solves); // rainstorm (C2)
        get(r.max_street_flood_m);
        get(r.drainage_flood_volume_m3);
        get(r.max_drainage_continuity_pct);
        get(r.flooded_road_links);
        get(r.gas_solves); // gas (B)
        get(r.max_gas_balance_m3s);
        get(r.max_gas_relative_balance);
    }
    [[nodiscard]] bool at_end() const { return pos_ == bytes_.size(); }

private:
    void need(std::size_t n) const {
        if (n > bytes_.size() - pos_)
            throw Error(ErrorCode::kInternal,
                        "ensemble results: truncated bytes at offset " + std::to_string(pos_));
    }
    /// Reads an element count and checks that `element_size` bytes per element remain, so a
    /// corrupt count fails cleanly instead of allocating without bound.
    std::size_t count(std::size_t element_size) {
        std::uint64_t n = 0;
        get(n);
        if (n > (bytes_.size() - pos_) / element_size)
            throw Error(ErrorCode::kInternal, "ensemble results: a count of " + std::to_string(n) +
                                                  " overruns the bytes at offset " +
                                                  std::to_string(pos_));
        return static_cast<std::size_t>(n);
    }
    std::span<const std::uint8_t> bytes_;
    std::size_t pos_ = 0;
};

} // namespace

std::vector<std::uint8_t> encode_ensemble(const EnsembleResult& ens) {
    Writer w;
    w.put(kFormatVersion);
    w.put(ens.realizations);
    w.put(ens.policies);
    return w.take();
}

EnsembleResult decode_ensemble(std::span<const std::uint8_t> bytes) {
    Reader r(bytes);
    std::uint32_t version = 0;
    r.get(version);
    if (version != kFormatVersion)
        throw Error(ErrorCode::kInternal, "ensemble results: format version " +
                                              std::to_string(version) + ", expected " +
                                              std::to_string(kFormatVersion));
    EnsembleResult ens;
    r.get(ens.realizations);
    r.get(ens.policies);
    if (ens.policies.size() != ens.realizations.size() || !r.at_end())
        throw Error(ErrorCode::kInternal, "ensemble results: inconsistent bytes");
    return ens;
}

void append_ensemble(EnsembleResult& into, EnsembleResult&& part) {
    for (auto& r : part.realizations)
        into.realizations.push_back(std::move(r));
    for (auto& p : part.policies)
        into.policies.push_back(std::move(p));
}

} // namespace rencheng::sim
