#include "http/metrics.hpp"

#include <fmt/format.h>

namespace uslugi::http {

std::string prometheus_label(std::string_view value) {
    std::string out;
    for (char c : value) {
        if (c == '\\' || c == '"') out.push_back('\\');
        if (c == '\n') {
            out += "\\n";
            continue;
        }
        out.push_back(c);
    }
    return out;
}

void Metrics::observe(const std::string& route, std::string_view method, unsigned status, double seconds) {
    std::lock_guard lock(mutex_);
    ++requests_[{route, std::string(method), status}];
    Histogram& h = latency_[route];
    for (std::size_t i = 0; i < kBuckets.size(); ++i)
        if (seconds <= kBuckets[i]) ++h.buckets[i];
    ++h.count;
    h.sum += seconds;
}

void Metrics::add_gauge(std::string name, std::string help, std::function<double()> value) {
    std::lock_guard lock(mutex_);
    gauges_.push_back({std::move(name), std::move(help), std::move(value), {}, {}});
}

void Metrics::add_labelled_gauge(std::string name, std::string help, std::string label,
                                 std::function<std::vector<std::pair<std::string, double>>()> values) {
    std::lock_guard lock(mutex_);
    gauges_.push_back({std::move(name), std::move(help), {}, std::move(label), std::move(values)});
}

void Metrics::add_labelled_counter(std::string name, std::string help, std::string label,
                                   std::function<std::vector<std::pair<std::string, double>>()> values) {
    std::lock_guard lock(mutex_);
    gauges_.push_back({std::move(name), std::move(help), {}, std::move(label), std::move(values), "counter"});
}

std::string Metrics::render() const {
    std::lock_guard lock(mutex_);
    std::string out;
    out += "# HELP uslugi_http_requests_total HTTP requests by route, method and status.\n";
    out += "# TYPE uslugi_http_requests_total counter\n";
    for (const auto& [key, count] : requests_) {
        const auto& [route, method, status] = key;
        out += fmt::format("uslugi_http_requests_total{{route=\"{}\",method=\"{}\",status=\"{}\"}} {}\n",
                           prometheus_label(route), prometheus_label(method), status, count);
    }
    out += "# HELP uslugi_http_request_duration_seconds Time from request parsed to response ready.\n";
    out += "# TYPE uslugi_http_request_duration_seconds histogram\n";
    for (const auto& [route, h] : latency_) {
        const std::string label = prometheus_label(route);
        for (std::size_t i = 0; i < kBuckets.size(); ++i)
            out += fmt::format("uslugi_http_request_duration_seconds_bucket{{route=\"{}\",le=\"{}\"}} {}\n",
                               label, kBuckets[i], h.buckets[i]);
        out += fmt::format("uslugi_http_request_duration_seconds_bucket{{route=\"{}\",le=\"+Inf\"}} {}\n", label, h.count);
        out += fmt::format("uslugi_http_request_duration_seconds_sum{{route=\"{}\"}} {}\n", label, h.sum);
        out += fmt::format("uslugi_http_request_duration_seconds_count{{route=\"{}\"}} {}\n", label, h.count);
    }
    for (const Gauge& g : gauges_) {
        if (g.values) {
            out += fmt::format("# HELP {} {}\n# TYPE {} {}\n", g.name, g.help, g.name, g.type);
            for (const auto& [label_value, v] : g.values())
                out += fmt::format("{}{{{}=\"{}\"}} {}\n", g.name, g.label, prometheus_label(label_value), v);
            continue;
        }
        out += fmt::format("# HELP {} {}\n# TYPE {} gauge\n{} {}\n", g.name, g.help, g.name, g.name, g.value());
    }
    return out;
}

}  // namespace uslugi::http
