// The service-centre operator's pages (ID-3 a), for accounts holding the role
// "operator" (the pipeline refuses everyone else): search by SNILS or passport,
// the person's card with the confirmation form, and registration on the spot.
// A person is never addressed by id: the card's form carries the sealed
// reference ConfirmationService handed out for this session and centre.
#include "core/validators.hpp"
#include "identity/confirmation_routes.hpp"
#include "identity/web.hpp"

namespace uslugi::identity {

using http::Data;
using http::Request;
using http::Response;
using http::Status;

namespace {

constexpr std::string_view kRole = kRoleOperator;

struct OperatorPages {
    const http::Renderer& renderer;
    ConfirmationService& service;
    const CentreDirectory& centres;
    std::string public_url;

    Context ctx(const Request& req) const { return context_of(req, public_url); }
    std::string t(const Request& req, const std::string& key) const { return renderer.locale(req).text(key); }

    // The operator behind the request, at the centre they chose (one of theirs)
    // or their first; nullopt when the role is held for no centre any more.
    std::optional<ConfirmationService::Operator> who(Request& req) const {
        const auto scopes = service.identity().staff().scopes(req.account->id, kRole);
        if (scopes.empty()) return std::nullopt;
        std::string centre = scopes.front();
        const std::string chosen = req.query().get_or("centre", req.method() == http::bhttp::verb::post
                                                                    ? req.form().get_or("centre", "")
                                                                    : "");
        for (const auto& s : scopes)
            if (s == chosen) centre = s;
        ConfirmationService::Operator op;
        op.account_id = req.account->id;
        op.name = req.account->display_name;
        op.centre_id = centre;
        op.centre_name = centre;
        if (centres.find)
            if (auto c = centres.find(centre, req.lang)) {
                op.centre_name = c->name;
                op.registers_accounts = c->registers_accounts;
            }
        return op;
    }

    Response page(Request& req, const std::string& name, Data d, const ConfirmationService::Operator& op,
                  const std::string& title_key, Status status = Status::ok) const {
        d.set("centre_id", op.centre_id);
        d.set("centre_name", op.centre_name);
        d.set("registers_accounts", op.registers_accounts);
        return renderer.page(req, "identity/" + name, d, t(req, title_key), status);
    }
};

using Shared = std::shared_ptr<const OperatorPages>;

Data card_data(const ConfirmationService::PersonCard& c, const core::Locale& locale) {
    Data d;
    d.set("ref", c.ref);
    d.set("full_name", c.surname + " " + c.name + (c.patronymic.empty() ? "" : " " + c.patronymic));
    d.set("birth_date", c.birth_date.empty() ? locale.text("profile.not_filled") : format_long(c.birth_date, locale.code()));
    d.set("passport", c.passport.empty() ? locale.text("profile.not_filled") : c.passport);
    d.set("level_text", locale.text("identity.level." + std::string(to_string(c.level))));
    d.set("checked_text", locale.text(c.checked ? "confirmation.operator.checked" : "confirmation.operator.not_checked"));
    d.set("can_confirm", c.level == Level::standard);
    d.set("is_confirmed", c.level == Level::confirmed);
    return d;
}

Response search(const Shared& p, Request& req) {
    const auto op = p->who(req);
    if (!op) return p->renderer.error_page(req, Status::forbidden);
    const core::Locale& locale = p->renderer.locale(req);
    const std::string kind = req.form().get_or("kind", "snils") == "passport" ? "passport" : "snils";
    const std::string value(text::cut_utf8(req.form().get_or("value", ""), 64));
    Data d;
    d.set("value", value);
    d.set(kind == "passport" ? "kind_passport" : "kind_snils", true);
    const auto valid = kind == "snils" ? core::validate_snils(value) : core::validate_passport_rf(value);
    if (!valid.valid) {
        add_field_errors(d, {{"value", valid.message_key().empty() ? "confirmation.error.required" : valid.message_key()}},
                         locale);
        return p->page(req, "operator_search", d, *op, "confirmation.operator.title", Status::unprocessable_entity);
    }
    const auto card = p->service.operator_find(p->ctx(req), *op, kind, value);
    if (!card) {
        d.set("not_found", true);
        return p->page(req, "operator_search", d, *op, "confirmation.operator.title", Status::not_found);
    }
    d.set("card", card_data(*card, locale));
    return p->page(req, "operator_person", d, *op, "confirmation.operator.person_title");
}

Response confirm(const Shared& p, Request& req) {
    const auto op = p->who(req);
    if (!op) return p->renderer.error_page(req, Status::forbidden);
    const std::string ref(text::cut_utf8(req.form().get_or("ref", ""), 600));
    // A reference of another session, operator or centre names nobody here.
    if (!p->service.open_ref(p->ctx(req), *op, ref)) return p->renderer.error_page(req, Status::not_found);
    Data d;
    d.set("ref", ref);
    if (req.form().get_or("passport_checked", "") != "1") {
        add_field_errors(d, {{"passport_checked", "confirmation.error.passport_not_checked"}}, p->renderer.locale(req));
        return p->page(req, "operator_result", d, *op, "confirmation.operator.person_title",
                       Status::unprocessable_entity);
    }
    using O = ConfirmationService::OperatorOutcome;
    const O r = p->service.operator_confirm(p->ctx(req), *op, ref, req.form().get_or("passport", ""));
    if (r == O::not_found) return p->renderer.error_page(req, Status::not_found);
    const char* key = r == O::confirmed           ? "confirmation.operator.done"
                      : r == O::already_confirmed ? "confirmation.operator.already"
                      : r == O::passport_differs  ? "confirmation.operator.passport_differs"
                                                  : "confirmation.operator.not_checked_yet";
    d.set("message", p->t(req, key));
    d.set(r == O::confirmed ? "success" : "failure", true);
    const Status status = r == O::confirmed           ? Status::ok
                          : r == O::passport_differs ? Status::unprocessable_entity
                                                      : Status::conflict;
    return p->page(req, "operator_result", d, *op, "confirmation.operator.person_title", status);
}

// Field names of the on-the-spot registration: the profile's and the phone.
std::vector<std::string> register_fields() {
    std::vector<std::string> out;
    for (auto f : profile_fields()) out.emplace_back(f);
    out.emplace_back("phone");
    return out;
}

Response register_form(const Shared& p, Request& req, const std::map<std::string, std::string>& values,
                       const FieldErrors& errors, Status status) {
    const auto op = p->who(req);
    if (!op || !op->registers_accounts) return p->renderer.error_page(req, Status::forbidden);
    Data d;
    for (const auto& f : register_fields()) {
        auto it = values.find(f);
        d.set(f, it == values.end() ? std::string() : std::string(text::cut_utf8(it->second, 300)));
    }
    const auto gender = values.count("gender") ? values.at("gender") : "";
    d.set("gender_male", gender == "male");
    d.set("gender_female", gender == "female");
    add_field_errors(d, errors, p->renderer.locale(req));
    return p->page(req, "operator_register", d, *op, "confirmation.operator.register_title", status);
}

Response register_person(const Shared& p, Request& req) {
    const auto op = p->who(req);
    // Not every centre registers accounts (the catalog says which).
    if (!op || !op->registers_accounts) return p->renderer.error_page(req, Status::forbidden);
    std::map<std::string, std::string> raw;
    for (const auto& f : register_fields()) raw[f] = req.form().get_or(f, "");
    raw["citizenship"] = "RU";
    raw["document_type"] = "passport_rf";
    const auto r = p->service.operator_register(p->ctx(req), *op, raw);
    if (!r.ok()) return register_form(p, req, raw, r.errors, Status::unprocessable_entity);
    Data d;
    d.set("message", p->t(req, "confirmation.operator.registered"));
    d.set("success", true);
    return p->page(req, "operator_result", d, *op, "confirmation.operator.register_title");
}

}  // namespace

void register_operator_routes(http::Router& router, const http::Renderer& renderer, ConfirmationService& service,
                              const CentreDirectory& centres, const core::Config& config) {
    auto p = std::make_shared<const OperatorPages>(OperatorPages{renderer, service, centres, config.public_url});
    http::RouteOptions opts;
    opts.access = http::with_role(std::string(kRole));
    router.get("/operator", [p](Request& req) {
        const auto op = p->who(req);
        if (!op) return p->renderer.error_page(req, Status::forbidden);
        Data d;
        d.set("kind_snils", true);
        return p->page(req, "operator_search", d, *op, "confirmation.operator.title");
    }, opts);
    router.post("/operator/search", [p](Request& req) { return search(p, req); }, opts);
    router.post("/operator/confirm", [p](Request& req) { return confirm(p, req); }, opts);
    router.get("/operator/register", [p](Request& req) { return register_form(p, req, {}, {}, Status::ok); }, opts);
    router.post("/operator/register", [p](Request& req) { return register_person(p, req); }, opts);
}

}  // namespace uslugi::identity
