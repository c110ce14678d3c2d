#pragma once
// The pension account statement as the reader sees it: every text already in
// the reader's language, amounts as roubles, IPK with three decimals; the
// page's template data and the PDF are made from this one view.
#include "core/i18n.hpp"
#include "registries/pension_statement.hpp"

#include <string>
#include <utility>
#include <vector>

namespace uslugi::applications {

struct StatementView {
    std::string heading, authority, number_line, footer;
    std::vector<std::pair<std::string, std::string>> facts;   // person, SNILS, date, record
    std::string periods_title, years_title, years_note;
    std::vector<std::string> period_head, year_head;
    std::vector<std::vector<std::string>> periods, years;     // rows of cells
    std::vector<std::pair<std::string, std::string>> totals;  // IPK before 2015, IPK total, savings
};

// "12 лет 3 мес. 4 дн."
std::string record_text(const registries::InsuranceRecord& r, const core::Locale& t);
StatementView statement_view(const registries::PensionStatement& s, const std::string& number, const core::Locale& t);
std::string render_pension_pdf(const StatementView& v, const std::string& font_dir);

}  // namespace uslugi::applications
