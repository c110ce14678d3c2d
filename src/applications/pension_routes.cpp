// The applicant's pension account statement (APP-5): the page, the PDF and
// "send it to my e-mail", each only for the application's own applicant (any
// other id is 404), and the wiring of the service into sending.
#include "applications/pension.hpp"
#include "applications/pension_routes.hpp"
#include "applications/pension_view.hpp"
#include "applications/route_kit.hpp"

#include "core/format.hpp"
#include "core/time.hpp"

namespace uslugi::applications {

using http::Data;
using http::Request;
using http::Response;

namespace {

std::string fill(std::string text, std::initializer_list<std::pair<const char*, std::string>> values) {
    for (const auto& [ph, v] : values)
        if (auto p = text.find(ph); p != std::string::npos) text.replace(p, std::string_view(ph).size(), v);
    return text;
}

std::string ipk(std::int64_t milli, const std::string& lang) {
    return core::format_number(static_cast<double>(milli) / 1000.0, 3, lang);
}

std::string date(registries::Date d, const std::string& lang) {
    return lang == "ru" ? core::format_ru_date(d) : core::format_long_date(d, lang);
}

std::string statement_path(std::int64_t id) { return "/account/applications/" + std::to_string(id) + "/pension-statement"; }

}  // namespace

std::string record_text(const registries::InsuranceRecord& r, const core::Locale& t) {
    return fill(t.text("pension.record_value"),
                {{"{years}", std::to_string(r.years)}, {"{months}", std::to_string(r.months)}, {"{days}", std::to_string(r.days)}});
}

StatementView statement_view(const registries::PensionStatement& s, const std::string& number, const core::Locale& t) {
    const std::string& lang = t.code();
    StatementView v;
    v.heading = t.text("pension.statement.title");
    v.authority = t.text("pension.authority");
    v.number_line = fill(t.text("pension.statement.number"), {{"{number}", number}});
    v.footer = t.text("pension.statement.footer");
    const std::string person = s.surname + " " + s.name + (s.patronymic.empty() ? "" : " " + s.patronymic);
    v.facts = {{t.text("pension.statement.person"), person},
               {t.text("pension.statement.birth_date"), date(s.birth_date, lang)},
               {t.text("pension.statement.snils"), s.snils},
               {t.text("pension.statement.as_of"), date(s.as_of, lang)},
               {t.text("pension.statement.record"), record_text(s.record, t)}};
    v.periods_title = t.text("pension.statement.periods");
    v.period_head = {t.text("pension.statement.employer"), t.text("pension.statement.inn"), t.text("pension.statement.from"),
                     t.text("pension.statement.to")};
    for (const auto& p : s.periods)
        v.periods.push_back({p.employer, p.inn, date(p.from, lang), p.to ? date(*p.to, lang) : t.text("pension.statement.now")});
    v.years_title = t.text("pension.statement.years");
    v.year_head = {t.text("pension.statement.year"), t.text("pension.statement.wage"),
                   t.text("pension.statement.contributions"), t.text("pension.statement.ipk")};
    for (const auto& y : s.years)
        v.years.push_back({std::to_string(y.year), core::format_rubles(y.wage, lang), core::format_rubles(y.contributions, lang),
                           y.year < 2015 ? std::string("—") : ipk(y.ipk_milli, lang)});
    v.years_note = t.text("pension.statement.before_2015_note");
    v.totals = {{t.text("pension.statement.ipk_before_2015"), ipk(s.ipk_before_2015_milli, lang)},
                {t.text("pension.statement.ipk_total"), ipk(s.ipk_total_milli, lang)},
                {t.text("pension.statement.savings"), s.savings > 0 ? core::format_rubles(s.savings, lang)
                                                                     : t.text("pension.statement.no_savings")}};
    return v;
}

namespace {

Data pairs(const std::vector<std::pair<std::string, std::string>>& list) {
    Data out{Data::type::list};
    for (const auto& [label, value] : list) {
        Data item;
        item.set("label", label);
        item.set("value", value);
        out.push_back(item);
    }
    return out;
}

Data rows(const std::vector<std::vector<std::string>>& list, const std::vector<std::string>& head) {
    Data out{Data::type::list};
    for (const auto& cells : list) {
        Data row;
        Data cs{Data::type::list};
        for (std::size_t i = 0; i < cells.size(); ++i) {
            Data c;
            c.set("value", cells[i]);
            c.set("label", i < head.size() ? head[i] : "");
            c.set("first", i == 0);
            cs.push_back(c);
        }
        row.set("cells", cs);
        out.push_back(row);
    }
    return out;
}

// Columns 0, 2 and 3 of the years (year, contributions, IPK): a phone shows
// them without scrolling; the wage is in the PDF.
std::vector<std::string> narrow(const std::vector<std::string>& cells) {
    return cells.size() < 4 ? cells : std::vector<std::string>{cells[0], cells[2], cells[3]};
}

void add_statement(Data& d, const StatementView& v) {
    d.set("facts", pairs(v.facts));
    d.set("totals", pairs(v.totals));
    // Periods as a list of cards (an employer's name is long), each with its INN and dates.
    Data periods{Data::type::list};
    for (const auto& p : v.periods) {
        Data item;
        item.set("employer", p[0]);
        item.set("inn", p[1]);
        item.set("dates", p[2] + " – " + p[3]);
        periods.push_back(item);
    }
    d.set("periods", periods);
    d.set("has_periods", !v.periods.empty());
    std::vector<std::vector<std::string>> years;
    for (const auto& y : v.years) years.push_back(narrow(y));
    d.set("years", rows(years, narrow(v.year_head)));
    d.set("has_years", !v.years.empty());
    d.set("years_note", v.years_note);
    Data yh{Data::type::list};
    for (const auto& h : narrow(v.year_head)) yh.push_back(Data(h));
    d.set("year_head", yh);
}

Response statement_page(const Kit& kit, PensionService& pension, Request& req) {
    const std::int64_t id = id_param(req, "id");
    const auto a = id ? kit->service.application_of(req.account->id, id) : std::nullopt;
    const auto r = a ? pension.request_of(req.account->id, id) : std::nullopt;
    if (!a || !r) return kit->not_found(req);
    const core::Locale& t = kit->locale(req);
    Data d;
    d.set("number", a->number);
    d.set("application_href", "/account/applications/" + std::to_string(id));
    add_status(d, a->status, t);
    d.set("ready", r->statement.has_value());
    d.set("waiting", !r->statement && a->status == Status::sent);
    d.set("refused", a->status == Status::refused);
    d.set("refusal", a->result_text);
    if (r->statement) add_statement(d, statement_view(*r->statement, a->number, t));
    d.set("pdf_href", statement_path(id) + ".pdf");
    d.set("email_action", statement_path(id) + "/email");
    d.set("emailed", req.query().has("emailed"));
    d.set("no_email", req.query().has("no_email"));
    return kit->renderer.page(req, "applications/pension_statement", d, t.text("pension.statement.title") + " " + a->number);
}

Response statement_pdf(const Kit& kit, PensionService& pension, Request& req) {
    const std::int64_t id = id_param(req, "id");
    const auto a = id ? kit->service.application_of(req.account->id, id) : std::nullopt;
    const auto r = a ? pension.request_of(req.account->id, id) : std::nullopt;
    if (!a || !r || !r->statement) return kit->not_found(req);
    Response res;
    res.content_type = "application/pdf";
    res.body = render_pension_pdf(statement_view(*r->statement, a->number, kit->locale(req)), kit->font_dir);
    res.set_header("Content-Disposition", "attachment; filename=\"pension-statement-" + a->number + ".pdf\"");
    res.set_header("X-Content-Type-Options", "nosniff");
    return res;
}

}  // namespace

void connect_pension(http::Router& router, const http::Renderer& renderer, ApplicationService& service,
                     PensionService& pension, const std::string& public_url, const std::string& font_dir) {
    service.on_sent(std::string(kPensionService),
                    {[&pension](soci::session& tx, const Application& a) { pension.queue(tx, a); },
                     [&pension](const Application& a) { pension.attempt(a.id); }, "pension-statement",
                     "pension.open"});
    const auto kit = std::make_shared<const RouteKit>(RouteKit{router, renderer, service, public_url, font_dir});
    router.get("/account/applications/{id}/pension-statement",
               [kit, &pension](Request& req) { return statement_page(kit, pension, req); }, http::for_signed_in());
    router.get("/account/applications/{id}/pension-statement.pdf",
               [kit, &pension](Request& req) { return statement_pdf(kit, pension, req); }, http::for_signed_in());
    router.post("/account/applications/{id}/pension-statement/email", [kit, &pension](Request& req) {
        const std::int64_t id = id_param(req, "id");
        if (!id || !pension.request_of(req.account->id, id)) return kit->not_found(req);
        const bool sent = pension.email(req.account->id, id);
        return Response::redirect(statement_path(id) + (sent ? "?emailed=1" : "?no_email=1"));
    }, http::for_signed_in());
}

}  // namespace uslugi::applications
