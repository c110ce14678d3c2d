#pragma once
// Prometheus metrics: requests by route and status, a latency histogram per
// route, and gauges the caller supplies at scrape time (queue, pool, ...).
#include <array>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <vector>

namespace uslugi::http {

class Metrics {
public:
    static constexpr std::array<double, 12> kBuckets{0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
                                                     0.05,   0.1,   0.25,   0.5,   1.0,  2.5};

    void observe(const std::string& route, std::string_view method, unsigned status, double seconds);
    // name → (help, value provider); values are read when /metrics is scraped.
    void add_gauge(std::string name, std::string help, std::function<double()> value);
    // A gauge with one label, e.g. uslugi_jobs{state="queued"}: `values`
    // gives (label value, number) pairs at scrape time.
    void add_labelled_gauge(std::string name, std::string help, std::string label,
                            std::function<std::vector<std::pair<std::string, double>>()> values);
    // The same for a counter the caller keeps (it only grows), e.g.
    // uslugi_connections_refused_total{reason="client_cap"}.
    void add_labelled_counter(std::string name, std::string help, std::string label,
                              std::function<std::vector<std::pair<std::string, double>>()> values);
    std::string render() const;

private:
    struct Histogram {
        std::array<std::uint64_t, kBuckets.size()> buckets{};
        std::uint64_t count = 0;
        double sum = 0;
    };
    struct Gauge {
        std::string name, help;
        std::function<double()> value;
        std::string label;  // labelled gauges only
        std::function<std::vector<std::pair<std::string, double>>()> values;
        std::string type = "gauge";
    };
    mutable std::mutex mutex_;
    std::map<std::tuple<std::string, std::string, unsigned>, std::uint64_t> requests_;
    std::map<std::string, Histogram> latency_;
    std::vector<Gauge> gauges_;
};

// Escapes a label value for the text exposition format.
std::string prometheus_label(std::string_view value);

}  // namespace uslugi::http
