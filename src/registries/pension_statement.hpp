#pragma once
// The Pension Fund's statement of an individual (personal) account per SNILS:
// periods of work with employers, the insurance contributions and individual
// pension coefficients (IPK) per year, the IPK earned before 2015, and the
// pension savings. The arithmetic the statement follows (federal law 400-FZ,
// art. 15 and 18: a year's IPK is 10 × contributions / contributions from the
// year's maximum base, capped per year) lives here so the sandbox that makes
// statements and the portal that shows them agree, and tests can check it.
// Amounts are kopecks; IPK values are thousandths (7.391 → 7391).
#include "registries/clients.hpp"
#include "registries/model.hpp"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace uslugi::registries {

struct PensionPeriod {
    std::string employer, inn;
    Date from{};
    std::optional<Date> to;  // none: still working there
};

struct PensionYear {
    int year = 0;
    std::int64_t wage = 0;           // the contribution base reported by employers (kopecks)
    std::int64_t contributions = 0;  // to the insurance pension (kopecks)
    std::int64_t ipk_milli = 0;      // from 2015; 0 before (those years are in ipk_before_2015)
};

struct InsuranceRecord {
    int years = 0, months = 0, days = 0;
};

struct PensionStatement {
    std::string snils;  // "112-233-445 95"
    std::string surname, name, patronymic;
    Date birth_date{}, as_of{};
    std::vector<PensionPeriod> periods;
    std::vector<PensionYear> years;
    std::int64_t ipk_before_2015_milli = 0;
    std::int64_t ipk_total_milli = 0;
    std::int64_t savings = 0;  // pension savings with the investment income (kopecks); 0: none
    InsuranceRecord record;
};

// The maximum contribution base of a year (kopecks): contributions above it
// earn no pension rights.
std::int64_t max_contribution_base(int year);
// The most IPK one year can earn (thousandths): 7.39 in 2015 rising to 10 from 2021.
std::int64_t max_year_ipk_milli(int year);
// The insurance part of contributions: 16 % of the wage up to the base, or 10 %
// for years whose 6 % went to pension savings (2002–2013, with_savings).
std::int64_t insurance_contributions(int year, std::int64_t wage, bool with_savings);
// A year's IPK from 2015: 10 × contributions / (16 % of the base), rounded, capped.
std::int64_t year_ipk_milli(int year, std::int64_t contributions);
// The rights of 2002–2014 converted to IPK on 1 January 2015:
// (Σ contributions / 228 months) / 64.10 roubles, the value of one IPK in 2015.
std::int64_t ipk_before_2015_milli(std::int64_t contributions_2002_2014);
// Σ years' IPK + the IPK before 2015.
std::int64_t sum_ipk_milli(const PensionStatement& s);
// The insurance record of the periods up to `as_of`: calendar years, months
// and days, every 30 days a month and 12 months a year (the Fund's counting).
InsuranceRecord insurance_record(const std::vector<PensionPeriod>& periods, Date as_of);
// "7.391"
std::string format_ipk(std::int64_t milli);

// The wire form (GET /pfr/accounts/{snils}/statement) and back; from_json
// throws std::invalid_argument naming the first field it cannot read.
nlohmann::json to_json(const PensionStatement& s);
PensionStatement pension_statement_from_json(const nlohmann::json& j);

class PensionStatementClient {
public:
    virtual ~PensionStatementClient() = default;
    // RegistryRejected "pfr.account_not_found" when the Fund has no account
    // for the SNILS; RegistryUnavailable when it is down or slow.
    virtual PensionStatement statement(std::string_view snils) = 0;
};

std::unique_ptr<PensionStatementClient> http_pension_statements(std::shared_ptr<const HttpTransport> transport);

}  // namespace uslugi::registries
