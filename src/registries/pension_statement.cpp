#include "registries/pension_statement.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace uslugi::registries {

namespace chr = std::chrono;
using nlohmann::json;

std::int64_t max_contribution_base(int year) {
    // Roubles, from the government's yearly decrees; before 2010 the regressive
    // scale's first threshold stands in for the base.
    static constexpr std::pair<int, std::int64_t> kBases[] = {
        {2002, 600'000},   {2005, 280'000},   {2010, 415'000},   {2011, 463'000},   {2012, 512'000},
        {2013, 568'000},   {2014, 624'000},   {2015, 711'000},   {2016, 796'000},   {2017, 876'000},
        {2018, 1'021'000}, {2019, 1'150'000}, {2020, 1'292'000}, {2021, 1'465'000}, {2022, 1'565'000},
        {2023, 1'917'000}, {2024, 2'225'000}, {2025, 2'759'000}, {2026, 2'979'000}};
    std::int64_t roubles = kBases[0].second;
    for (const auto& [from, base] : kBases)
        if (year >= from) roubles = base;
    return roubles * 100;
}

std::int64_t max_year_ipk_milli(int year) {
    static constexpr std::int64_t kCaps[] = {7390, 7830, 8260, 8700, 9130, 9570};  // 2015 … 2020
    if (year < 2015) return 0;
    if (year > 2020) return 10'000;
    return kCaps[year - 2015];
}

std::int64_t insurance_contributions(int year, std::int64_t wage, bool with_savings) {
    const std::int64_t counted = std::clamp<std::int64_t>(wage, 0, max_contribution_base(year));
    const bool savings_year = with_savings && year >= 2002 && year <= 2013;
    return counted * (savings_year ? 10 : 16) / 100;
}

std::int64_t year_ipk_milli(int year, std::int64_t contributions) {
    if (year < 2015 || contributions <= 0) return 0;
    const std::int64_t full = max_contribution_base(year) * 16 / 100;
    // 10 × contributions / full, in thousandths, rounded half up.
    const std::int64_t milli = (contributions * 10'000 * 2 + full) / (2 * full);
    return std::min(milli, max_year_ipk_milli(year));
}

std::int64_t ipk_before_2015_milli(std::int64_t contributions) {
    if (contributions <= 0) return 0;
    // kopecks / 228 / 6410 kopecks × 1000, rounded half up.
    const std::int64_t divisor = 228LL * 6410;
    return (contributions * 1000 * 2 + divisor) / (2 * divisor);
}

std::int64_t sum_ipk_milli(const PensionStatement& s) {
    std::int64_t total = s.ipk_before_2015_milli;
    for (const auto& y : s.years) total += y.ipk_milli;
    return total;
}

InsuranceRecord insurance_record(const std::vector<PensionPeriod>& periods, Date as_of) {
    int years = 0, months = 0, days = 0;
    for (const auto& p : periods) {
        if (p.from > as_of) continue;
        const Date end = std::min(p.to.value_or(as_of), as_of) + chr::days{1};  // the last day counts
        const chr::year_month_day a{p.from}, b{end};
        int y = int(b.year()) - int(a.year());
        int m = int(unsigned(b.month())) - int(unsigned(a.month()));
        int d = int(unsigned(b.day())) - int(unsigned(a.day()));
        if (d < 0) {
            d += 30;
            --m;
        }
        if (m < 0) {
            m += 12;
            --y;
        }
        years += y;
        months += m;
        days += d;
    }
    months += days / 30;
    days %= 30;
    years += months / 12;
    months %= 12;
    return {years, months, days};
}

std::string format_ipk(std::int64_t milli) {
    return fmt::format("{}{}.{:03}", milli < 0 ? "-" : "", std::llabs(milli) / 1000, std::llabs(milli) % 1000);
}

namespace {

double ipk_number(std::int64_t milli) { return static_cast<double>(milli) / 1000.0; }

std::int64_t milli_of(const json& j, const char* key) {
    if (!j.contains(key) || !j[key].is_number()) throw std::invalid_argument(std::string("statement: ") + key);
    return std::llround(j[key].get<double>() * 1000.0);
}

std::int64_t int_of(const json& j, const char* key) {
    if (!j.contains(key) || !j[key].is_number_integer()) throw std::invalid_argument(std::string("statement: ") + key);
    return j[key].get<std::int64_t>();
}

std::string text_of(const json& j, const char* key) {
    if (!j.contains(key) || !j[key].is_string()) throw std::invalid_argument(std::string("statement: ") + key);
    return j[key].get<std::string>();
}

Date date_of(const json& j, const char* key) {
    const auto d = parse_date(text_of(j, key));
    if (!d) throw std::invalid_argument(std::string("statement: ") + key);
    return *d;
}

}  // namespace

json to_json(const PensionStatement& s) {
    json periods = json::array(), years = json::array();
    for (const auto& p : s.periods)
        periods.push_back({{"employer", p.employer}, {"inn", p.inn}, {"from", format_date(p.from)},
                           {"to", p.to ? json(format_date(*p.to)) : json(nullptr)}});
    for (const auto& y : s.years)
        years.push_back({{"year", y.year}, {"wage", y.wage}, {"contributions", y.contributions},
                         {"ipk", ipk_number(y.ipk_milli)}});
    return {{"snils", s.snils},
            {"person", {{"surname", s.surname}, {"name", s.name}, {"patronymic", s.patronymic},
                        {"birth_date", format_date(s.birth_date)}}},
            {"as_of", format_date(s.as_of)},
            {"record", {{"years", s.record.years}, {"months", s.record.months}, {"days", s.record.days}}},
            {"periods", periods},
            {"years", years},
            {"ipk_before_2015", ipk_number(s.ipk_before_2015_milli)},
            {"ipk_total", ipk_number(s.ipk_total_milli)},
            {"savings", s.savings}};
}

PensionStatement pension_statement_from_json(const json& j) {
    if (!j.is_object() || !j.contains("person") || !j["person"].is_object())
        throw std::invalid_argument("statement: person");
    PensionStatement s;
    s.snils = text_of(j, "snils");
    const json& p = j["person"];
    s.surname = text_of(p, "surname");
    s.name = text_of(p, "name");
    s.patronymic = p.value("patronymic", "");
    s.birth_date = date_of(p, "birth_date");
    s.as_of = date_of(j, "as_of");
    if (!j.contains("record") || !j["record"].is_object()) throw std::invalid_argument("statement: record");
    s.record = {int(int_of(j["record"], "years")), int(int_of(j["record"], "months")), int(int_of(j["record"], "days"))};
    for (const json& x : j.value("periods", json::array())) {
        PensionPeriod period{text_of(x, "employer"), text_of(x, "inn"), date_of(x, "from"), std::nullopt};
        if (x.contains("to") && !x["to"].is_null()) period.to = date_of(x, "to");
        s.periods.push_back(std::move(period));
    }
    for (const json& x : j.value("years", json::array()))
        s.years.push_back({int(int_of(x, "year")), int_of(x, "wage"), int_of(x, "contributions"), milli_of(x, "ipk")});
    s.ipk_before_2015_milli = milli_of(j, "ipk_before_2015");
    s.ipk_total_milli = milli_of(j, "ipk_total");
    s.savings = int_of(j, "savings");
    return s;
}

namespace {

class HttpPensionStatements : public PensionStatementClient {
public:
    explicit HttpPensionStatements(std::shared_ptr<const HttpTransport> t) : t_(std::move(t)) {}
    PensionStatement statement(std::string_view snils) override {
        std::string digits;
        for (char c : snils)
            if (c >= '0' && c <= '9') digits += c;
        const json r = t_->call("pfr", "GET", "/pfr/accounts/" + digits + "/statement");
        try {
            return pension_statement_from_json(r);
        } catch (const std::exception& e) {
            throw RegistryUnavailable("pfr", RegistryUnavailable::Reason::bad_response, e.what());
        }
    }

private:
    std::shared_ptr<const HttpTransport> t_;
};

}  // namespace

std::unique_ptr<PensionStatementClient> http_pension_statements(std::shared_ptr<const HttpTransport> transport) {
    return std::make_unique<HttpPensionStatements>(std::move(transport));
}

}  // namespace uslugi::registries
