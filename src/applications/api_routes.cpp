// The JSON twins of filling in a form (APP-1, APP-2) under /api/v1/applications:
// a service's form definition, drafts saved step by step with per-field error
// codes, the summary, sending with an idempotency key, and one field checked
// on its own (what static/js/applications.js calls as the user types). The
// same ApplicationService and the one validator serve the pages and these.
#include "applications/route_kit.hpp"

#include "catalog/route_kit.hpp"
#include "core/clock.hpp"
#include "core/time.hpp"
#include "http/session_store.hpp"

#include <algorithm>

namespace uslugi::applications {

using http::Request;
using http::Response;
using HttpStatus = http::Status;
using nlohmann::json;

namespace {

const std::string kErrorPrefix = "applications.error.";

Response error(HttpStatus status, const std::string& code, const std::string& message) {
    return Response::json_error(status, code, message);
}

// "applications.error.required" → "required": the stable code clients test;
// the message is the page's own text in the request's language.
json field_errors_json(const FormDefinition& def, const FieldErrors& errors, const core::Locale& t, const std::string& lang) {
    json out = json::object();
    for (const auto& [path, key] : errors) {
        const std::string top = path.substr(0, path.find('.'));
        const Field* f = def.field(top);
        if (f && f->type == FieldType::group && path.find('.') != std::string::npos) {
            const std::string last = path.substr(path.rfind('.') + 1);  // "children.0.name" → "name"
            for (const auto& sub : f->fields)
                if (sub.id == last) f = &sub;
        }
        const std::string code = key.rfind(kErrorPrefix, 0) == 0 ? key.substr(kErrorPrefix.size()) : key;
        out[path] = {{"code", code}, {"message", error_text(t, key, f, lang)}};
    }
    return out;
}

json field_json(const Field& f, const std::string& lang) {
    json j{{"id", f.id}, {"type", std::string(to_string(f.type))}, {"label", f.label.in(lang)}, {"required", f.required}};
    if (!f.hint.in(lang).empty()) j["hint"] = f.hint.in(lang);
    if (!f.show_if.always()) j["show_if"] = {{"field", f.show_if.field}, {"any_of", f.show_if.any_of}, {"not", f.show_if.negate}};
    if (!f.required_if.always())
        j["required_if"] = {{"field", f.required_if.field}, {"any_of", f.required_if.any_of}, {"not", f.required_if.negate}};
    if (f.type == FieldType::text || f.type == FieldType::address || f.type == FieldType::document) j["max_length"] = f.max_length;
    if (!f.pattern.empty()) j["pattern"] = f.pattern;
    if (!f.validator.empty()) j["validator"] = f.validator;
    if (f.min) j["min"] = *f.min;
    if (f.max) j["max"] = *f.max;
    if (f.type == FieldType::number) j["integer"] = f.integer;
    if (!f.min_date.empty()) j["min_date"] = f.min_date;
    if (!f.max_date.empty()) j["max_date"] = f.max_date;
    if (f.type == FieldType::choice) {
        j["options"] = json::array();
        for (const auto& o : f.options) j["options"].push_back({{"value", o.value}, {"label", o.label.in(lang)}});
    }
    if (f.type == FieldType::group) {
        j["min_items"] = f.min_items;
        j["max_items"] = f.max_items;
        j["fields"] = json::array();
        for (const auto& sub : f.fields) j["fields"].push_back(field_json(sub, lang));
    }
    return j;
}

json form_json(const FormDefinition& def, const catalog::Service& s, const std::string& lang) {
    json steps = json::array();
    for (std::size_t i = 0; i < def.steps.size(); ++i) {
        const Step& st = def.steps[i];
        json fields = json::array();
        for (const auto& f : st.fields) fields.push_back(field_json(f, lang));
        json step{{"number", i + 1}, {"id", st.id}, {"title", st.title.in(lang)}, {"fields", fields}};
        if (!st.intro.in(lang).empty()) step["intro"] = st.intro.in(lang);
        if (!st.show_if.always()) step["show_if"] = {{"field", st.show_if.field}, {"any_of", st.show_if.any_of}, {"not", st.show_if.negate}};
        steps.push_back(step);
    }
    return {{"service", def.service}, {"title", s.title.in(lang)}, {"deadline_days", def.deadline_days}, {"steps", steps}};
}

struct ApiDraft {
    std::optional<Draft> draft;
    std::shared_ptr<const FormDefinition> def;
};

// The caller's own draft named by {draft}; another's is "not found".
ApiDraft own_draft(const Kit& kit, const Request& req) {
    ApiDraft l;
    const std::int64_t id = id_param(req, "draft");
    if (id) l.draft = kit->service.draft(req.account->id, id);
    if (l.draft) l.def = kit->service.form(l.draft->service_id);
    if (!l.def) l.draft.reset();
    return l;
}

Response no_draft() { return error(HttpStatus::not_found, "applications.draft_not_found", "no such draft"); }

json draft_json(const Draft& d, const FormDefinition& def) {
    json shown = json::array();
    for (std::size_t i : visible_steps(def, d.values)) shown.push_back(i + 1);
    return {{"id", d.id}, {"service", d.service_id}, {"step", d.step + 1}, {"visible_steps", shown}, {"values", d.values},
            {"updated_at", core::format_utc(d.updated_at ? d.updated_at : d.created_at)}};
}

// A step's values from a JSON body: strings (numbers are taken as their
// text), groups as arrays of objects of strings; file fields are left alone
// (files are attached through the pages); anything else is a "type" error.
Values body_values(const Step& step, const json& in, FieldErrors& errors) {
    Values v = Values::object();
    auto scalar = [&](const json& x, const std::string& path, Values& into, const std::string& id) {
        if (x.is_string()) into[id] = x;
        else if (x.is_number()) into[id] = x.dump();
        else if (!x.is_null()) errors[path] = "applications.error.type";
    };
    for (const auto& f : step.fields) {
        if (f.type == FieldType::file || !in.contains(f.id)) continue;
        const json& x = in[f.id];
        if (f.type != FieldType::group) {
            scalar(x, f.id, v, f.id);
            continue;
        }
        if (!x.is_array() || x.size() > f.max_items) {
            errors[f.id] = x.is_array() ? "applications.error.group_max" : "applications.error.type";
            continue;
        }
        Values items = Values::array();
        for (std::size_t i = 0; i < x.size(); ++i) {
            Values item = Values::object();
            for (const auto& sub : f.fields)
                if (x[i].is_object() && x[i].contains(sub.id))
                    scalar(x[i][sub.id], f.id + "." + std::to_string(i) + "." + sub.id, item, sub.id);
            items.push_back(item);
        }
        v[f.id] = items;
    }
    return v;
}

Response save_step(const Kit& kit, Request& req) {
    ApiDraft l = own_draft(kit, req);
    if (!l.draft) return no_draft();
    const std::int64_t n = id_param(req, "step");
    if (n <= 0 || static_cast<std::size_t>(n) > l.def->steps.size())
        return error(HttpStatus::not_found, "applications.step_not_found", "no such step in this form");
    const json body = json::parse(req.body(), nullptr, false);
    if (body.is_discarded() || !body.is_object() || !body.value("values", json::object()).is_object())
        return error(HttpStatus::bad_request, "applications.bad_json", "send {\"values\": {…}, \"check\": true}");
    const std::size_t index = static_cast<std::size_t>(n - 1);
    FieldErrors type_errors;
    const Values incoming = body_values(l.def->steps[index], body.value("values", json::object()), type_errors);
    const bool check = body.value("check", true) == true;
    FieldErrors errors = kit->service.save_step(*l.draft, index, incoming, check && type_errors.empty());
    for (const auto& [path, key] : type_errors) errors[path] = key;
    const core::Locale& t = kit->locale(req);
    json out = draft_json(*l.draft, *l.def);
    out["errors"] = field_errors_json(*l.def, errors, t, req.lang);
    if (!errors.empty()) {
        out["error"] = {{"code", "applications.invalid"}, {"message", t.text("applications.form.errors_title")}};
        return Response::json(out, HttpStatus::unprocessable_entity);
    }
    std::optional<std::size_t> next;
    for (std::size_t s : visible_steps(*l.def, l.draft->values))
        if (s > index && !next) next = s;
    out["next_step"] = next ? json(*next + 1) : json(nullptr);
    return Response::json(out);
}

// Puts `value` at `path` ("snils", or a group's "children.0.name" with the
// index below the group's limit) in `values`; the step of the field, or
// nullopt when the path names no field that takes a typed value.
std::optional<std::size_t> place_value(const FormDefinition& def, const std::string& path, const std::string& value,
                                       Values& values) {
    const auto first = path.find('.');
    const std::string top = path.substr(0, first);
    for (std::size_t i = 0; i < def.steps.size(); ++i)
        for (const auto& f : def.steps[i].fields) {
            if (f.id != top || f.type == FieldType::file) continue;
            if (first == std::string::npos) {
                if (f.type == FieldType::group) return std::nullopt;
                values[f.id] = value;
                return i;
            }
            const auto second = path.find('.', first + 1);
            if (f.type != FieldType::group || second == std::string::npos) return std::nullopt;
            const std::string n = path.substr(first + 1, second - first - 1), sub = path.substr(second + 1);
            if (n.empty() || n.size() > 3 || !std::all_of(n.begin(), n.end(), ::isdigit)) return std::nullopt;
            const std::size_t index = std::stoul(n);
            const bool known = std::any_of(f.fields.begin(), f.fields.end(),
                                           [&](const Field& s) { return s.id == sub && s.type != FieldType::file; });
            if (index >= f.max_items || !known) return std::nullopt;
            Values& list = values[f.id];
            if (!list.is_array()) list = Values::array();
            while (list.size() <= index) list.push_back(Values::object());
            if (!list[index].is_object()) list[index] = Values::object();
            list[index][sub] = value;
            return i;
        }
    return std::nullopt;
}

// One field checked with the form's rules, nothing saved: {"field": "snils", "value": "…"}
// (a group's field as "children.0.name"). The draft's other answers decide its conditions.
Response validate_field(const Kit& kit, Request& req) {
    ApiDraft l = own_draft(kit, req);
    if (!l.draft) return no_draft();
    const json body = json::parse(req.body(), nullptr, false);
    if (body.is_discarded() || !body.is_object() || !body.value("field", json()).is_string() ||
        !body.value("value", json()).is_string())
        return error(HttpStatus::bad_request, "applications.bad_json", "send {\"field\": \"…\", \"value\": \"…\"}");
    const std::string path = body["field"], value = body["value"];
    Values values = l.draft->values;
    const auto step = place_value(*l.def, path, value, values);
    if (!step) return error(HttpStatus::not_found, "applications.field_not_found", "no such field");
    const FieldErrors errors = validate_step(*l.def, *step, values, core::format_iso_date(core::today_utc()));
    const auto it = errors.find(path);
    json out{{"field", path}, {"valid", it == errors.end()}};
    if (it != errors.end()) out["error"] = field_errors_json(*l.def, {{path, it->second}}, kit->locale(req), req.lang)[path];
    return Response::json(out);
}

Response summary(const Kit& kit, Request& req) {
    ApiDraft l = own_draft(kit, req);
    if (!l.draft) return no_draft();
    const core::Locale& t = kit->locale(req);
    Values values = l.draft->values;
    std::optional<std::size_t> first;
    const FieldErrors errors = validate_all(*l.def, values, core::format_iso_date(core::today_utc()), &first);
    json steps = json::array();
    for (std::size_t i : visible_steps(*l.def, l.draft->values)) {
        const Step& s = l.def->steps[i];
        json answers = json::array();
        for (const auto& f : s.fields)
            if (holds(f.show_if, l.draft->values) && l.draft->values.contains(f.id))
                answers.push_back({{"field", f.id}, {"label", f.label.in(req.lang)}, {"value", l.draft->values[f.id]}});
        steps.push_back({{"number", i + 1}, {"title", s.title.in(req.lang)}, {"answers", answers}});
    }
    return Response::json({{"draft", l.draft->id},
                           {"service", l.draft->service_id},
                           {"steps", steps},
                           {"ready", errors.empty()},
                           {"first_step_with_errors", first ? json(*first + 1) : json(nullptr)},
                           {"errors", field_errors_json(*l.def, errors, t, req.lang)},
                           {"idempotency_key", l.draft->submit_key}});
}

Response submit(const Kit& kit, Request& req) {
    const std::string key(req.header("Idempotency-Key"));
    if (key.empty() || key.size() > 100)
        return error(HttpStatus::bad_request, "applications.idempotency_key_required",
                     "send the summary's idempotency_key in the Idempotency-Key header");
    const std::int64_t draft_id = id_param(req, "draft");
    const std::string region = req.session ? req.session->region : "", settlement = req.session ? req.session->settlement : "";
    const SubmitResult r = kit->service.submit(kit->ctx(req), *req.account, draft_id, key, region, settlement);
    const core::Locale& t = kit->locale(req);
    if (r.outcome == Outcome::ok) {
        const auto a = kit->service.application_of(req.account->id, r.application_id);
        json out = application_json(*a, *kit->service.catalog().current(), t);
        out["repeated"] = r.repeated;
        out["href"] = "/api/v1/applications/" + std::to_string(a->id);
        return Response::json(out, r.repeated ? HttpStatus::ok : HttpStatus::created);
    }
    if (r.outcome == Outcome::not_found) {
        // The draft is the caller's but the key is not its key: say so rather than "no draft".
        if (kit->service.draft(req.account->id, draft_id))
            return error(HttpStatus::conflict, "applications.idempotency_key_mismatch", "the key is not this draft's");
        return no_draft();
    }
    if (r.outcome == Outcome::level_too_low) return error(HttpStatus::forbidden, "applications.level_too_low", t.text("applications.error.level"));
    if (r.outcome == Outcome::not_permitted)
        return error(HttpStatus::forbidden, "applications.not_permitted_for_organisation",
                     t.text("applications_more.organisation.not_permitted"));
    if (r.outcome == Outcome::not_available_here)
        return error(HttpStatus::forbidden, "applications.not_available_here", t.text("applications.error.region"));
    const auto def = kit->service.form(kit->service.draft(req.account->id, draft_id)->service_id);
    json out{{"error", {{"code", "applications.invalid"}, {"message", t.text("applications.form.errors_title")}}},
             {"first_step_with_errors", r.first_step ? json(*r.first_step + 1) : json(nullptr)},
             {"errors", def ? field_errors_json(*def, r.errors, t, req.lang) : json::object()}};
    return Response::json(out, HttpStatus::unprocessable_entity);
}

Response start(const Kit& kit, Request& req) {
    const json body = json::parse(req.body(), nullptr, false);
    if (body.is_discarded() || !body.is_object() || !body.value("service", json()).is_string())
        return error(HttpStatus::bad_request, "applications.bad_json", "send {\"service\": \"…\"}");
    const std::string service = body["service"];
    const std::int64_t id = service.size() <= 100 ? kit->service.start_draft(req.account->id, service) : 0;
    if (!id) return error(HttpStatus::not_found, "applications.no_form", "the service has no online form");
    const auto d = kit->service.draft(req.account->id, id);
    Response r = Response::json(draft_json(*d, *kit->service.form(service)), HttpStatus::created);
    r.set_header("Location", "/api/v1/applications/drafts/" + std::to_string(id));
    return r;
}

}  // namespace

void register_form_api_routes(const Kit& kit) {
    kit->router.get("/api/v1/applications/forms/{service}", [kit](Request& req) {
        const std::string id = req.param("service");
        const auto def = kit->service.form(id);
        const auto cat = kit->service.catalog().current();
        const catalog::Service* s = cat->service(id);
        if (!def || !s) return error(HttpStatus::not_found, "applications.no_form", "the service has no online form");
        return Response::json(form_json(*def, *s, req.lang));
    });
    kit->router.post("/api/v1/applications/drafts", [kit](Request& req) { return start(kit, req); }, http::for_signed_in());
    kit->router.get("/api/v1/applications/drafts/{draft}", [kit](Request& req) {
        ApiDraft l = own_draft(kit, req);
        return l.draft ? Response::json(draft_json(*l.draft, *l.def)) : no_draft();
    }, http::for_signed_in());
    kit->router.add(http::bhttp::verb::put, "/api/v1/applications/drafts/{draft}/steps/{step}",
                    [kit](Request& req) { return save_step(kit, req); }, http::for_signed_in());
    kit->router.post("/api/v1/applications/drafts/{draft}/validate", [kit](Request& req) { return validate_field(kit, req); },
                     http::for_signed_in());
    kit->router.get("/api/v1/applications/drafts/{draft}/summary", [kit](Request& req) { return summary(kit, req); },
                    http::for_signed_in());
    kit->router.post("/api/v1/applications/drafts/{draft}/submit", [kit](Request& req) { return submit(kit, req); },
                     http::for_signed_in());
}

}  // namespace uslugi::applications
