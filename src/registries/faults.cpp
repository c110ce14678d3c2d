#include "registries/faults.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace uslugi::registries {

bool is_registry(std::string_view name) {
    return std::find(kRegistries.begin(), kRegistries.end(), name) != kRegistries.end();
}

nlohmann::json Fault::to_json() const {
    return {{"latency_ms", latency_ms}, {"error_rate", error_rate}, {"down", down}};
}

std::size_t Faults::slot(std::string_view registry) const {
    return std::size_t(std::find(kRegistries.begin(), kRegistries.end(), registry) - kRegistries.begin());
}

Fault Faults::merged(Fault f, const nlohmann::json& s, std::string_view registry) {
    if (!s.is_object()) throw FaultError("faults.invalid", fmt::format("settings of {} must be an object", registry));
    for (const auto& [key, value] : s.items()) {
        if (key == "latency_ms") {
            if (!value.is_number() || value.get<double>() < 0 || value.get<double>() > 60000)
                throw FaultError("faults.invalid", fmt::format("{}.latency_ms must be a number from 0 to 60000", registry));
            f.latency_ms = int(value.get<double>());
        } else if (key == "error_rate") {
            if (!value.is_number() || value.get<double>() < 0 || value.get<double>() > 1)
                throw FaultError("faults.invalid", fmt::format("{}.error_rate must be a number from 0 to 1", registry));
            f.error_rate = value.get<double>();
        } else if (key == "down") {
            if (!value.is_boolean()) throw FaultError("faults.invalid", fmt::format("{}.down must be true or false", registry));
            f.down = value.get<bool>();
        } else {
            throw FaultError("faults.invalid", fmt::format("{}: unknown setting \"{}\"", registry, key));
        }
    }
    return f;
}

void Faults::apply(const nlohmann::json& changes) {
    if (!changes.is_object()) throw FaultError("faults.invalid", "the faults must be a JSON object by registry");
    std::lock_guard lock(mutex_);
    auto next = faults_;
    for (const auto& [registry, settings] : changes.items()) {
        if (!is_registry(registry)) throw FaultError("faults.unknown_registry", "unknown registry \"" + registry + "\"");
        next[slot(registry)] = merged(next[slot(registry)], settings, registry);
    }
    faults_ = next;
}

void Faults::apply(std::string_view registry, const nlohmann::json& settings) {
    if (!is_registry(registry)) throw FaultError("faults.unknown_registry", "unknown registry \"" + std::string(registry) + "\"");
    std::lock_guard lock(mutex_);
    faults_[slot(registry)] = merged(faults_[slot(registry)], settings, registry);
}

void Faults::reset() {
    std::lock_guard lock(mutex_);
    faults_ = {};
}

nlohmann::json Faults::to_json() const {
    std::lock_guard lock(mutex_);
    nlohmann::json out = nlohmann::json::object();
    for (std::size_t i = 0; i < kRegistries.size(); ++i) out[std::string(kRegistries[i])] = faults_[i].to_json();
    return out;
}

Fault Faults::get(std::string_view registry) const {
    if (!is_registry(registry)) return {};
    std::lock_guard lock(mutex_);
    return faults_[slot(registry)];
}

FaultDecision Faults::decide(std::string_view registry) {
    if (!is_registry(registry)) return {};
    std::lock_guard lock(mutex_);
    const Fault& f = faults_[slot(registry)];
    FaultDecision d;
    d.down = f.down;
    d.latency_ms = f.latency_ms;
    if (f.error_rate >= 1.0) {
        d.fail = true;
    } else if (f.error_rate > 0) {
        d.fail = std::uniform_real_distribution<double>(0, 1)(rng_) < f.error_rate;
    }
    return d;
}

}  // namespace uslugi::registries
