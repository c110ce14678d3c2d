#pragma once
// Fault injection of the sandbox, per registry: added latency, a share of
// requests answered 503, or "down" (every request answered 503 at once).
// Set from a JSON file (--faults) and changed at run time over /admin/faults.
//
//   {"pfr": {"latency_ms": 800, "error_rate": 0.2, "down": false}, "mvd": {"down": true}}
#include <nlohmann/json.hpp>

#include <array>
#include <mutex>
#include <optional>
#include <random>
#include <string>
#include <string_view>

namespace uslugi::registries {

// The registries of the sandbox; the first path segment of their APIs.
inline constexpr std::array<std::string_view, 10> kRegistries{"pfr",  "mvd", "fns", "gibdd", "fssp",
                                                              "post", "bank", "sms", "push",  "utilities"};
bool is_registry(std::string_view name);

struct Fault {
    int latency_ms = 0;       // 0 … 60000
    double error_rate = 0;    // 0 … 1: share of requests answered 503
    bool down = false;        // every request answered 503 at once

    nlohmann::json to_json() const;
    bool operator==(const Fault&) const = default;
};

// What to do with one request.
struct FaultDecision {
    bool down = false;
    bool fail = false;
    int latency_ms = 0;
};

class FaultError : public std::runtime_error {
public:
    FaultError(std::string code, std::string message) : std::runtime_error(std::move(message)), code_(std::move(code)) {}
    const std::string& code() const { return code_; }

private:
    std::string code_;
};

class Faults {
public:
    // Merges {"registry": {field: value…}, …}; unknown registries or fields and
    // out-of-range values throw FaultError and change nothing.
    void apply(const nlohmann::json& changes);
    // Merges the settings of one registry.
    void apply(std::string_view registry, const nlohmann::json& settings);
    void reset();
    nlohmann::json to_json() const;
    Fault get(std::string_view registry) const;
    // Rolls the dice for a request to `registry` (not a registry: no fault).
    FaultDecision decide(std::string_view registry);

private:
    static Fault merged(Fault f, const nlohmann::json& settings, std::string_view registry);
    std::size_t slot(std::string_view registry) const;

    mutable std::mutex mutex_;
    std::array<Fault, kRegistries.size()> faults_{};
    std::mt19937_64 rng_{std::random_device{}()};
};

}  // namespace uslugi::registries
