// /metrics in the Prometheus text exposition format: request counters, the
// latency histogram (cumulative buckets, +Inf = count), gauges read at scrape
// time, and label values escaped so a route or label cannot break a line.
#include <gtest/gtest.h>

#include "http/metrics.hpp"

#include <map>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

using namespace uslugi::http;

namespace {

std::vector<std::string> lines_of(const std::string& text) {
    std::vector<std::string> out;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) out.push_back(line);
    return out;
}

bool has_line(const std::string& text, const std::string& line) {
    for (const auto& l : lines_of(text))
        if (l == line) return true;
    return false;
}

// The value of every histogram bucket of `route`, in the order rendered.
std::vector<std::pair<std::string, double>> buckets_of(const std::string& text, const std::string& route) {
    const std::string prefix = "uslugi_http_request_duration_seconds_bucket{route=\"" + route + "\",le=\"";
    std::vector<std::pair<std::string, double>> out;
    for (const auto& l : lines_of(text)) {
        if (l.rfind(prefix, 0) != 0) continue;
        const auto quote = l.find('"', prefix.size());
        out.emplace_back(l.substr(prefix.size(), quote - prefix.size()), std::stod(l.substr(l.rfind(' ') + 1)));
    }
    return out;
}

}  // namespace

TEST(PrometheusLabel, EscapesBackslashQuoteAndNewline) {
    EXPECT_EQ(prometheus_label("/services/{id}"), "/services/{id}");
    EXPECT_EQ(prometheus_label("a\"b"), "a\\\"b");
    EXPECT_EQ(prometheus_label("a\\b"), "a\\\\b");
    EXPECT_EQ(prometheus_label("a\nb"), "a\\nb");
    EXPECT_EQ(prometheus_label("\\\"\n"), "\\\\\\\"\\n");
    EXPECT_EQ(prometheus_label("паспорт"), "паспорт");
}

TEST(Metrics, CountsAndBucketsRequests) {
    Metrics m;
    m.observe("/", "GET", 200, 0.0007);
    m.observe("/", "GET", 200, 0.3);
    m.observe("/", "GET", 404, 0.002);
    m.add_gauge("uslugi_test_gauge", "A test gauge.", [] { return 7.0; });
    const std::string text = m.render();
    EXPECT_NE(text.find("uslugi_http_requests_total{route=\"/\",method=\"GET\",status=\"200\"} 2"), std::string::npos);
    EXPECT_NE(text.find("uslugi_http_requests_total{route=\"/\",method=\"GET\",status=\"404\"} 1"), std::string::npos);
    EXPECT_NE(text.find("uslugi_http_request_duration_seconds_bucket{route=\"/\",le=\"0.001\"} 1"), std::string::npos);
    EXPECT_NE(text.find("uslugi_http_request_duration_seconds_bucket{route=\"/\",le=\"0.5\"} 3"), std::string::npos);
    EXPECT_NE(text.find("uslugi_http_request_duration_seconds_count{route=\"/\"} 3"), std::string::npos);
    EXPECT_NE(text.find("uslugi_test_gauge 7"), std::string::npos);
    EXPECT_EQ(prometheus_label("a\"b\\c\n"), "a\\\"b\\\\c\\n");
}

TEST(Metrics, LabelledGaugesRenderOneLinePerLabel) {
    Metrics m;
    m.add_labelled_gauge("uslugi_jobs", "Jobs by state.", "state", [] {
        return std::vector<std::pair<std::string, double>>{{"queued", 3}, {"dead", 1}};
    });
    const std::string text = m.render();
    EXPECT_NE(text.find("# TYPE uslugi_jobs gauge\n"), std::string::npos);
    EXPECT_NE(text.find("uslugi_jobs{state=\"queued\"} 3\n"), std::string::npos) << text;
    EXPECT_NE(text.find("uslugi_jobs{state=\"dead\"} 1\n"), std::string::npos) << text;
}

TEST(Metrics, CountsRequestsByRouteMethodAndStatus) {
    Metrics m;
    m.observe("/services/{id}", "GET", 200, 0.002);
    m.observe("/services/{id}", "GET", 200, 0.003);
    m.observe("/services/{id}", "GET", 404, 0.001);
    m.observe("/signin", "POST", 303, 0.2);
    const std::string text = m.render();
    EXPECT_TRUE(has_line(text, "# TYPE uslugi_http_requests_total counter")) << text;
    EXPECT_TRUE(has_line(text, "uslugi_http_requests_total{route=\"/services/{id}\",method=\"GET\",status=\"200\"} 2"))
        << text;
    EXPECT_TRUE(has_line(text, "uslugi_http_requests_total{route=\"/services/{id}\",method=\"GET\",status=\"404\"} 1"))
        << text;
    EXPECT_TRUE(has_line(text, "uslugi_http_requests_total{route=\"/signin\",method=\"POST\",status=\"303\"} 1")) << text;
    EXPECT_TRUE(has_line(text, "uslugi_http_request_duration_seconds_count{route=\"/services/{id}\"} 3")) << text;
}

TEST(Metrics, HistogramBucketsAreCumulativeAndEndWithTheCount) {
    Metrics m;
    // 0.005 sits exactly on a bound: `le` means less than or equal.
    for (double s : {0.0004, 0.005, 0.007, 0.3, 1.0, 30.0}) m.observe("/x", "GET", 200, s);
    const std::string text = m.render();
    const auto buckets = buckets_of(text, "/x");
    ASSERT_EQ(buckets.size(), Metrics::kBuckets.size() + 1) << text;
    std::map<std::string, double> by_le(buckets.begin(), buckets.end());
    EXPECT_EQ(by_le.at("0.0005"), 1);
    EXPECT_EQ(by_le.at("0.001"), 1);
    EXPECT_EQ(by_le.at("0.005"), 2);
    EXPECT_EQ(by_le.at("0.01"), 3);
    EXPECT_EQ(by_le.at("0.25"), 3);
    EXPECT_EQ(by_le.at("0.5"), 4);
    EXPECT_EQ(by_le.at("1"), 5);
    EXPECT_EQ(by_le.at("2.5"), 5);
    EXPECT_EQ(buckets.back().first, "+Inf");
    EXPECT_EQ(buckets.back().second, 6) << "+Inf counts the slow request too";
    for (std::size_t i = 1; i < buckets.size(); ++i)
        EXPECT_LE(buckets[i - 1].second, buckets[i].second) << "bucket " << buckets[i].first;
    EXPECT_TRUE(has_line(text, "uslugi_http_request_duration_seconds_count{route=\"/x\"} 6")) << text;

    const std::string sum_prefix = "uslugi_http_request_duration_seconds_sum{route=\"/x\"} ";
    bool found = false;
    for (const auto& l : lines_of(text)) {
        if (l.rfind(sum_prefix, 0) != 0) continue;
        found = true;
        EXPECT_NEAR(std::stod(l.substr(sum_prefix.size())), 0.0004 + 0.005 + 0.007 + 0.3 + 1.0 + 30.0, 1e-9);
    }
    EXPECT_TRUE(found) << text;
}

TEST(Metrics, KeepsOneHistogramPerRoute) {
    Metrics m;
    m.observe("/a", "GET", 200, 0.0001);
    m.observe("/b", "POST", 500, 2.0);
    const std::string text = m.render();
    EXPECT_EQ(buckets_of(text, "/a").front().second, 1);
    EXPECT_EQ(buckets_of(text, "/b").front().second, 0);
    EXPECT_EQ(buckets_of(text, "/b").back().second, 1);
}

TEST(Metrics, EscapesRouteLabels) {
    Metrics m;
    m.observe("/odd\"route\\\n", "GET", 200, 0.001);
    const std::string text = m.render();
    EXPECT_TRUE(has_line(text, "uslugi_http_requests_total{route=\"/odd\\\"route\\\\\\n\",method=\"GET\",status=\"200\"} 1"))
        << text;
    EXPECT_TRUE(has_line(text, "uslugi_http_request_duration_seconds_count{route=\"/odd\\\"route\\\\\\n\"} 1")) << text;
}

TEST(Metrics, GaugesAreReadAtScrapeTime) {
    Metrics m;
    double depth = 3;
    m.add_gauge("uslugi_queue_depth", "Requests waiting for a worker.", [&depth] { return depth; });
    std::string text = m.render();
    EXPECT_TRUE(has_line(text, "# HELP uslugi_queue_depth Requests waiting for a worker.")) << text;
    EXPECT_TRUE(has_line(text, "# TYPE uslugi_queue_depth gauge")) << text;
    EXPECT_TRUE(has_line(text, "uslugi_queue_depth 3")) << text;
    depth = 7;
    EXPECT_TRUE(has_line(m.render(), "uslugi_queue_depth 7"));
}

TEST(Metrics, LabelledGaugesAndCountersCarryTheirTypeAndEscapedLabels) {
    Metrics m;
    m.add_labelled_gauge("uslugi_jobs", "Jobs by state.", "state", [] {
        return std::vector<std::pair<std::string, double>>{{"queued", 4}, {"dead", 1}};
    });
    m.add_labelled_counter("uslugi_connections_refused_total", "Connections refused.", "reason", [] {
        return std::vector<std::pair<std::string, double>>{{"client_cap", 2}, {"odd\"one", 5}};
    });
    const std::string text = m.render();
    EXPECT_TRUE(has_line(text, "# TYPE uslugi_jobs gauge")) << text;
    EXPECT_TRUE(has_line(text, "uslugi_jobs{state=\"queued\"} 4")) << text;
    EXPECT_TRUE(has_line(text, "uslugi_jobs{state=\"dead\"} 1")) << text;
    EXPECT_TRUE(has_line(text, "# TYPE uslugi_connections_refused_total counter")) << text;
    EXPECT_TRUE(has_line(text, "uslugi_connections_refused_total{reason=\"client_cap\"} 2")) << text;
    EXPECT_TRUE(has_line(text, "uslugi_connections_refused_total{reason=\"odd\\\"one\"} 5")) << text;
}

TEST(Metrics, EverySampleBelongsToADeclaredFamily) {
    Metrics m;
    m.observe("/", "GET", 200, 0.01);
    m.add_gauge("uslugi_pool_busy", "Busy handler threads.", [] { return 1.0; });
    m.add_labelled_gauge("uslugi_jobs", "Jobs by state.", "state", [] {
        return std::vector<std::pair<std::string, double>>{{"queued", 0}};
    });
    std::map<std::string, std::string> types;  // family → type
    std::set<std::string> helped;
    for (const auto& l : lines_of(m.render())) {
        ASSERT_FALSE(l.empty());
        std::istringstream words(l);
        if (l[0] == '#') {
            std::string hash, kind, name, rest;
            words >> hash >> kind >> name >> rest;
            ASSERT_TRUE(kind == "HELP" || kind == "TYPE") << l;
            if (kind == "HELP") helped.insert(name);
            else types[name] = rest;
            continue;
        }
        std::string name = l.substr(0, l.find_first_of("{ "));
        // A histogram's samples are its family name with a suffix.
        for (const char* suffix : {"_bucket", "_sum", "_count"}) {
            const std::string s = suffix;
            const std::string base = name.size() > s.size() ? name.substr(0, name.size() - s.size()) : "";
            if (name.ends_with(s) && types.count(base) && types[base] == "histogram") name = base;
        }
        EXPECT_TRUE(types.count(name)) << "no # TYPE before " << l;
        EXPECT_TRUE(helped.count(name)) << "no # HELP before " << l;
        EXPECT_NO_THROW((void)std::stod(l.substr(l.rfind(' ') + 1))) << l;
    }
    EXPECT_EQ(types["uslugi_http_request_duration_seconds"], "histogram");
    EXPECT_EQ(types["uslugi_pool_busy"], "gauge");
}

TEST(Metrics, CountsEveryObservationFromManyThreads) {
    Metrics m;
    constexpr int kThreads = 4, kEach = 5000;
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t)
        threads.emplace_back([&m] {
            for (int i = 0; i < kEach; ++i) m.observe("/busy", "GET", 200, 0.001);
        });
    for (auto& t : threads) t.join();
    const std::string text = m.render();
    EXPECT_TRUE(has_line(text, "uslugi_http_requests_total{route=\"/busy\",method=\"GET\",status=\"200\"} " +
                                   std::to_string(kThreads * kEach)))
        << text;
    EXPECT_EQ(buckets_of(text, "/busy").back().second, kThreads * kEach);
}
