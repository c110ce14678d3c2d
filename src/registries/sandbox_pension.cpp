// Pension Fund of the sandbox: the statement of a person's individual account
// (GET /pfr/accounts/{snils}/statement). There is no stored history of work
// for the demo people, so each one's is made up from their SNILS: the same
// person always gets the same employers (from organisations.json), wages and
// coefficients, and the arithmetic is the real one (pension_statement.hpp).
#include "registries/pension_statement.hpp"
#include "registries/sandbox_internal.hpp"

#include <cmath>

namespace uslugi::registries::sandbox {

namespace chr = std::chrono;

namespace {

// splitmix64: the same numbers on every platform and standard library.
class Dice {
public:
    explicit Dice(std::string_view seed) {
        for (char c : seed) state_ = state_ * 131 + static_cast<unsigned char>(c);
    }
    // A number in [lo, hi].
    int between(int lo, int hi) { return lo + static_cast<int>(next() % static_cast<std::uint64_t>(hi - lo + 1)); }

private:
    std::uint64_t next() {
        std::uint64_t z = (state_ += 0x9e3779b97f4a7c15ULL);
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
        return z ^ (z >> 31);
    }
    std::uint64_t state_ = 1469598103934665603ULL;
};

Date add_months(Date d, int months) {
    const chr::year_month_day ymd{d};
    const auto ym = chr::year_month{ymd.year(), ymd.month()} + chr::months{months};
    const auto last = chr::year_month_day_last{ym.year(), chr::month_day_last{ym.month()}};
    return Date{chr::year_month_day{ym.year(), ym.month(), std::min(ymd.day(), last.day())}};
}

struct Job {
    PensionPeriod period;
    double wage_factor = 1.0;
};

// Work from 18–23 years of age to today, or to retirement at 55–62 for the older people.
std::vector<Job> career(const Person& p, const std::vector<const Organisation*>& employers, Date today, Dice& dice) {
    std::vector<Job> jobs;
    if (employers.empty()) return jobs;
    Date at = add_months(add_years(p.birth_date, dice.between(18, 23)), dice.between(0, 11));
    const Date retired = add_years(p.birth_date, dice.between(55, 62));
    const Date end = std::min(today, retired);
    double factor = 1.0;
    while (at < end) {
        Date to = add_months(at, dice.between(24, 108)) - chr::days{1};
        const Organisation& org = *employers[static_cast<std::size_t>(dice.between(0, int(employers.size()) - 1))];
        Job j{{org.short_name, org.inn, at, to}, factor};
        if (to >= end) j.period.to = end < today ? std::optional<Date>(end) : std::nullopt;
        jobs.push_back(j);
        if (!j.period.to) break;
        at = add_months(*j.period.to + chr::days{1}, dice.between(0, 4));  // a few months between jobs
        factor *= dice.between(95, 130) / 100.0;
    }
    return jobs;
}

// The wage of a year at one job: a monthly wage growing 10 % a year from its
// 2002 level, for the days of the year worked there.
std::int64_t wage_in(const Job& j, int year, std::int64_t monthly_2002, Date today) {
    const Date first = Date{chr::year{year} / chr::January / 1}, last = Date{chr::year{year} / chr::December / 31};
    const Date from = std::max(first, j.period.from), to = std::min(last, j.period.to.value_or(today));
    if (to < from) return 0;
    const double days = double((to - from).count() + 1), in_year = double((last - first).count() + 1);
    const double monthly = double(monthly_2002) * std::pow(1.10, year - 2002) * j.wage_factor;
    return std::llround(monthly * 12.0 * days / in_year);
}

PensionStatement make_statement(const Person& p, const std::vector<const Organisation*>& employers, Date today) {
    Dice dice(p.snils);
    PensionStatement s;
    s.snils = p.snils;
    s.surname = p.surname;
    s.name = p.name;
    s.patronymic = p.patronymic;
    s.birth_date = p.birth_date;
    s.as_of = today;
    const std::vector<Job> jobs = career(p, employers, today, dice);
    for (const auto& j : jobs) s.periods.push_back(j.period);
    s.record = insurance_record(s.periods, today);
    // Those born in 1967 or later had 6 % of 2002–2013 go to pension savings.
    const bool with_savings = int(chr::year_month_day{p.birth_date}.year()) >= 1967;
    const std::int64_t monthly_2002 = std::int64_t(dice.between(60, 200)) * 100 * 100;  // 6 000–20 000 ₽
    const int last_year = int(chr::year_month_day{today}.year()) - 1;  // the current year is not reported yet
    std::int64_t before_2015 = 0;
    double savings = 0;
    for (int year = 2002; year <= last_year; ++year) {
        std::int64_t wage = 0;
        for (const auto& j : jobs) wage += wage_in(j, year, monthly_2002, today);
        savings *= 1.05;  // the investment income of the year
        if (wage == 0) continue;
        PensionYear y{year, wage, insurance_contributions(year, wage, with_savings), 0};
        if (year < 2015) before_2015 += y.contributions;
        else y.ipk_milli = year_ipk_milli(year, y.contributions);
        if (with_savings && year <= 2013)
            savings += double(std::min(wage, max_contribution_base(year))) * 6 / 100;
        s.years.push_back(y);
    }
    s.ipk_before_2015_milli = ipk_before_2015_milli(before_2015);
    s.ipk_total_milli = sum_ipk_milli(s);
    s.savings = std::llround(savings);
    return s;
}

}  // namespace

void Sandbox::register_pension_routes() {
    const http::RouteOptions opts{.csrf = false, .load_session = false};
    router_.get("/pfr/accounts/{snils}/statement", [this](Request& req) {
        const std::string snils = identifier(req.param("snils"), "snils", "snils");
        const Person* p = data_.by_snils(snils);
        if (!p) throw ApiError(Status::not_found, "pfr.account_not_found", "no individual account with this SNILS");
        std::vector<const Organisation*> employers;
        for (const auto& o : data_.organisations())
            if (o.kind == "legal") employers.push_back(&o);
        return Response::json(to_json(make_statement(*p, employers, today())));
    }, opts);
}

}  // namespace uslugi::registries::sandbox
