// Take / assign in the back-office (APP-3): the application's page shows who
// handles it and offers "take it" and "give it to" (only the officers of the
// same authority are listed); the form carries the owner the officer saw, so
// a colleague's change in between is refused (409) instead of overwritten.
#include "applications/route_kit.hpp"

#include <charconv>

namespace uslugi::applications {

using http::Data;
using http::Request;
using http::Response;
using HttpStatus = http::Status;

namespace {

std::string office_path(std::int64_t id) { return "/office/applications/" + std::to_string(id); }

// A form's whole-number field; -1 when it is not one.
std::int64_t number_field(Request& req, const std::string& name) {
    const std::string s = req.form().get_or(name, "");
    std::int64_t n = -1;
    const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), n);
    if (s.empty() || ec != std::errc() || end != s.data() + s.size() || n < 0) return -1;
    return n;
}

std::string name_of(const std::vector<ApplicationService::Colleague>& colleagues, std::int64_t id) {
    for (const auto& c : colleagues)
        if (c.id == id) return c.name;
    return {};
}

std::string with_name(std::string text, const std::string& name) {
    if (auto p = text.find("{name}"); p != std::string::npos) text.replace(p, 6, name);
    return text;
}

}  // namespace

void add_assignment(const Kit& kit, const Request& req, const Application& a, Data& d) {
    const core::Locale& t = kit->locale(req);
    const auto colleagues = kit->service.colleagues(a.authority_id);
    const std::string owner = a.officer_id ? name_of(colleagues, a.officer_id) : std::string();
    d.set("assignee", a.officer_id ? (owner.empty() ? t.text("applications_more.assign.former") : owner)
                                   : t.text("applications_more.assign.nobody"));
    d.set("assign_action", office_path(a.id) + "/assign");
    d.set("assign_expected", std::to_string(a.officer_id));
    d.set("may_assign", !is_final(a.status));
    d.set("may_take", !is_final(a.status) && a.officer_id != req.account->id);
    Data options{Data::type::list};
    for (const auto& c : colleagues) {
        if (c.id == a.officer_id) continue;
        Data o;
        o.set("value", std::to_string(c.id));
        o.set("label", c.name);
        options.push_back(o);
    }
    d.set("has_colleagues", !options.list_value().empty());
    d.set("colleagues", options);
    d.set("assigned", req.query().has("assigned"));
}

void register_assign_routes(const Kit& kit) {
    // "take" gives it to the acting officer; "assign" to the officer chosen.
    kit->router.post("/office/applications/{id}/assign", [kit](Request& req) {
        const std::int64_t id = id_param(req, "id");
        if (!id) return kit->not_found(req);
        const Actor by{"officer", req.account->id, req.account->display_name};
        const bool take = req.form().get_or("action", "") == "take";
        const std::int64_t to = take ? req.account->id : number_field(req, "officer");
        const std::int64_t expected = number_field(req, "expected");
        const core::Locale& t = kit->locale(req);
        std::string note = t.text("applications_more.assign.history");
        const auto colleagues = kit->service.colleagues(kit->service.store().find(id).value_or(Application{}).authority_id);
        note = with_name(note, name_of(colleagues, to));
        const Outcome o = kit->service.assign(by, id, to, expected, note);
        if (o == Outcome::not_found) return kit->not_found(req);
        if (o == Outcome::ok) return Response::redirect(office_path(id) + "?assigned=1");
        const auto a = kit->service.for_officer(kit->ctx(req), by, id);
        if (!a) return kit->not_found(req);
        if (o == Outcome::invalid)
            return office_detail(kit, req, *a, {{"officer", "applications_more.assign.bad_officer"}}, HttpStatus::unprocessable_entity);
        return office_detail(kit, req, *a, {{"officer", "applications_more.assign.conflict"}}, HttpStatus::conflict);
    }, {.access = http::with_role("officer")});
}

}  // namespace uslugi::applications
