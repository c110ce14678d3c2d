// Filling in a service's form (APP-1): the start page, one page per step
// (saved on every step), the summary, and sending (APP-2). One renderer and
// one validator for every form; without JavaScript each button is a POST.
#include "applications/route_kit.hpp"

#include "catalog/route_kit.hpp"
#include "http/session_store.hpp"

#include <algorithm>

namespace uslugi::applications {

using http::Data;
using http::Request;
using http::Response;
using HttpStatus = http::Status;

namespace {

constexpr std::size_t kShownBytes = 2000;  // values shown again in a form are cut here

std::string draft_path(std::int64_t id) { return "/applications/drafts/" + std::to_string(id); }
std::string step_path(std::int64_t id, std::size_t step) { return draft_path(id) + "/steps/" + std::to_string(step + 1); }

std::string value_of(const Values& holder, const std::string& id) {
    auto it = holder.find(id);
    if (it == holder.end()) return {};
    std::string v = it->is_string() ? it->get<std::string>() : it->is_number() ? it->dump() : std::string();
    if (v.size() > kShownBytes) v = std::string(text::cut_utf8(v, kShownBytes));
    return v;
}

// A condition on a field of the same step cannot be evaluated before the page
// is sent (no JavaScript needed): the field is shown with "only if …".
std::string condition_note(const FormDefinition& def, const Condition& c, const std::string& lang, const core::Locale& t) {
    const Field* target = def.field(c.field);
    if (!target) return {};
    std::string values;
    for (const auto& v : c.any_of) {
        std::string shown = v;
        for (const auto& o : target->options)
            if (o.value == v) shown = o.label.in(lang);
        values += (values.empty() ? "«" : ", «") + shown + "»";
    }
    const std::string key = c.negate ? "applications.form.only_if_not" : "applications.form.only_if";
    std::string note = t.text(key);
    for (auto [ph, v] : {std::pair<std::string, std::string>{"{field}", target->label.in(lang)}, {"{values}", values}})
        if (auto p = note.find(ph); p != std::string::npos) note.replace(p, ph.size(), v);
    return note;
}

bool in_step(const Step& s, const std::string& field) {
    return std::any_of(s.fields.begin(), s.fields.end(), [&](const Field& f) { return f.id == field; });
}

Data field_data(const FormDefinition& def, const Step& step, const Field& f, const std::string& name,
                const Values& holder, const FieldErrors& errors, const std::string& path, const std::string& lang,
                const core::Locale& t, const FileLinks& files = {}) {
    Data d;
    d.set("id", "f-" + [&] { std::string s = path; std::replace(s.begin(), s.end(), '.', '-'); return s; }());
    d.set("name", name);
    d.set("label", f.label.in(lang));
    const std::string hint = f.hint.in(lang);
    d.set("hint", hint);
    d.set("has_hint", !hint.empty());
    d.set("required", f.required);
    // Every flag set, true or false: mustache would otherwise read a group's own
    // error or hint for each of its entries' fields (it looks names up the context).
    for (std::string_view type : {"text", "number", "date", "choice", "address", "document", "file", "group"})
        d.set("type_" + std::string(type), type == to_string(f.type));
    d.set("error", std::string());
    d.set("invalid", false);
    d.set("has_condition", false);
    d.set("has_file", false);
    d.set("max_length", std::to_string(f.max_length));
    const std::string v = value_of(holder, f.id);
    d.set("value", v);
    if (f.type == FieldType::file) {
        const auto it = files.find(v);
        d.set("has_file", it != files.end());
        if (it != files.end()) {
            d.set("file_name", it->second.first);
            d.set("file_href", it->second.second);
        }
    }
    if (f.type == FieldType::choice) {
        Data options{Data::type::list};
        for (const auto& o : f.options) {
            Data item;
            item.set("value", o.value);
            item.set("label", o.label.in(lang));
            item.set("selected", o.value == v);
            item.set("option_id", "f-" + path + "-" + o.value);
            options.push_back(item);
        }
        d.set("options", options);
        d.set("few_options", f.options.size() <= 5);
    }
    if (!f.show_if.always() && in_step(step, f.show_if.field)) {
        d.set("condition", condition_note(def, f.show_if, lang, t));
        d.set("has_condition", true);
    }
    if (auto it = errors.find(path); it != errors.end()) {
        d.set("error", error_text(t, it->second, &f, lang));
        d.set("invalid", true);
    }
    return d;
}

Data group_data(const FormDefinition& def, const Step& step, const Field& g, const Values& values,
                const FieldErrors& errors, const std::string& lang, const core::Locale& t) {
    Data d = field_data(def, step, g, g.id, values, errors, g.id, lang, t);
    const auto it = values.find(g.id);
    const std::size_t n = it != values.end() && it->is_array() ? it->size() : 0;
    Data items{Data::type::list};
    for (std::size_t i = 0; i < n; ++i) {
        Data item;
        item.set("number", std::to_string(i + 1));
        item.set("remove", "remove:" + g.id + ":" + std::to_string(i));
        Data fields{Data::type::list};
        for (const auto& sub : g.fields) {
            const std::string path = g.id + "." + std::to_string(i) + "." + sub.id;
            fields.push_back(field_data(def, step, sub, path, (*it)[i], errors, path, lang, t));
        }
        item.set("fields", fields);
        items.push_back(item);
    }
    d.set("items", items);
    d.set("count", std::to_string(n));
    d.set("can_add", n < g.max_items);
    d.set("add", "add:" + g.id);
    return d;
}

Data step_fields(const FormDefinition& def, std::size_t index, const Values& values, const FieldErrors& errors,
                 const std::string& lang, const core::Locale& t, const FileLinks& files) {
    const Step& step = def.steps[index];
    Data list{Data::type::list};
    for (const auto& f : step.fields) {
        // A condition on an earlier step's answer is known: hidden fields are left out.
        if (!f.show_if.always() && !in_step(step, f.show_if.field) && !holds(f.show_if, values)) continue;
        list.push_back(f.type == FieldType::group ? group_data(def, step, f, values, errors, lang, t)
                                                  : field_data(def, step, f, f.id, values, errors, f.id, lang, t, files));
    }
    return list;
}

Data error_summary(const FormDefinition& def, std::size_t index, const FieldErrors& errors, const std::string& lang,
                   const core::Locale& t) {
    Data list{Data::type::list};
    for (const auto& [path, key] : errors) {
        const std::string top = path.substr(0, path.find('.'));
        const Field* f = def.field(top);
        std::string label = f ? f->label.in(lang) : path;
        const Field* target = f;
        if (f && f->type == FieldType::group && path.find('.') != std::string::npos) {
            const std::string sub = path.substr(path.rfind('.') + 1);
            const std::string number = path.substr(top.size() + 1, path.rfind('.') - top.size() - 1);
            for (const auto& s : f->fields)
                if (s.id == sub) {
                    label += " " + std::to_string(std::stoul(number) + 1) + ": " + s.label.in(lang);
                    target = &s;
                }
        }
        std::string anchor = path;
        std::replace(anchor.begin(), anchor.end(), '.', '-');
        Data item;
        item.set("field", "f-" + anchor);
        item.set("message", label + " — " + error_text(t, key, target, lang));
        list.push_back(item);
    }
    return list;
}

// Reads one step's values from the form (groups: "<group>.<i>.<field>" and "<group>.count").
Values step_values(const Step& step, const http::Params& form) {
    Values v = Values::object();
    for (const auto& f : step.fields) {
        if (f.type == FieldType::file) continue;
        if (f.type != FieldType::group) {
            if (auto x = form.get(f.id)) v[f.id] = std::string(*x);
            continue;
        }
        std::size_t count = 0;
        const std::string c = form.get_or(f.id + ".count", "0");
        if (c.size() <= 3 && std::all_of(c.begin(), c.end(), ::isdigit) && !c.empty()) count = std::stoul(c);
        count = std::min(count, f.max_items);
        Values items = Values::array();
        for (std::size_t i = 0; i < count; ++i) {
            Values item = Values::object();
            for (const auto& sub : f.fields)
                item[sub.id] = std::string(form.get_or(f.id + "." + std::to_string(i) + "." + sub.id, ""));
            items.push_back(item);
        }
        v[f.id] = items;
    }
    return v;
}

// "add:<group>" and "remove:<group>:<i>": a repeatable group grows or shrinks without JavaScript.
bool apply_group_action(const Step& step, const std::string& action, Values& v) {
    for (const auto& f : step.fields) {
        if (f.type != FieldType::group) continue;
        if (action == "add:" + f.id) {
            if (v[f.id].size() < f.max_items) v[f.id].push_back(Values::object());
            return true;
        }
        const std::string prefix = "remove:" + f.id + ":";
        if (action.rfind(prefix, 0) == 0) {
            const std::string n = action.substr(prefix.size());
            if (!n.empty() && n.size() <= 3 && std::all_of(n.begin(), n.end(), ::isdigit) && std::stoul(n) < v[f.id].size())
                v[f.id].erase(std::stoul(n));
            return true;
        }
    }
    return false;
}

// Files chosen in the step's file fields, kept at once (a later error on
// another field does not make the applicant choose them again).
FieldErrors keep_uploads(const Kit& kit, Request& req, const Draft& d, const Step& step, Values& incoming) {
    FieldErrors errors;
    for (const auto& f : step.fields) {
        if (f.type != FieldType::file) continue;
        for (const auto& up : req.files()) {
            if (up.field != f.id || (up.filename.empty() && up.data.empty())) continue;  // nothing chosen
            std::int64_t id = 0;
            const std::string problem = kit->service.upload(d, f.id, up.filename, up.data, id);
            if (!problem.empty()) errors[f.id] = problem;
            else incoming[f.id] = std::to_string(id);
        }
    }
    return errors;
}

struct Loaded {
    std::optional<Draft> draft;
    std::shared_ptr<const FormDefinition> def;
    std::shared_ptr<const catalog::Catalog> cat;
    const catalog::Service* service = nullptr;
};

Loaded load(const Kit& kit, const Request& req) {
    Loaded l;
    const std::int64_t id = id_param(req, "draft");
    if (!id) return l;
    l.draft = kit->service.draft(req.account->id, id);
    if (!l.draft) return l;
    l.def = kit->service.form(l.draft->service_id);
    l.cat = kit->service.catalog().current();
    l.service = l.cat->service(l.draft->service_id);
    if (!l.def || !l.service) l.draft.reset();
    return l;
}

// The 0-based step index of {step} when it names a step shown for these values.
std::optional<std::size_t> step_param(const Request& req, const FormDefinition& def, const Values& values) {
    const std::int64_t n = id_param(req, "step");
    if (n <= 0 || static_cast<std::size_t>(n) > def.steps.size()) return std::nullopt;
    return static_cast<std::size_t>(n - 1);
}

Data progress(const FormDefinition& def, const Values& values, std::size_t current, const std::string& lang) {
    Data list{Data::type::list};
    const auto shown = visible_steps(def, values);
    for (std::size_t k = 0; k < shown.size(); ++k) {
        Data item;
        item.set("title", def.steps[shown[k]].title.in(lang));
        item.set("current", shown[k] == current);
        list.push_back(item);
    }
    return list;
}

Response step_page(const Kit& kit, Request& req, const Loaded& l, std::size_t index, const FieldErrors& errors,
                   HttpStatus status = HttpStatus::ok) {
    const core::Locale& t = kit->locale(req);
    const std::string& lang = req.lang;
    const Step& step = l.def->steps[index];
    const auto shown = visible_steps(*l.def, l.draft->values);
    const auto pos = std::find(shown.begin(), shown.end(), index);
    const std::size_t number = pos == shown.end() ? 1 : std::size_t(pos - shown.begin()) + 1;
    Data d;
    catalog::set_text(d, "service", l.service->title, lang);
    d.set("step_title", step.title.in(lang));
    d.set("intro", step.intro.in(lang));
    d.set("has_intro", !step.intro.in(lang).empty());
    std::string counter = t.text("applications.form.step_of");
    for (auto [ph, v] : {std::pair<std::string, std::string>{"{n}", std::to_string(number)}, {"{total}", std::to_string(shown.size())}})
        if (auto p = counter.find(ph); p != std::string::npos) counter.replace(p, ph.size(), v);
    d.set("counter", counter);
    d.set("progress", progress(*l.def, l.draft->values, index, lang));
    d.set("action", step_path(l.draft->id, index));
    // As-you-type checks (static/js/applications.js) through the JSON validator (api_routes.cpp).
    d.set("validate_url", "/api/v1/applications/drafts/" + std::to_string(l.draft->id) + "/validate");
    d.set("validate_js", kit->renderer.statics().url("js/applications.js"));
    const FileLinks files = file_links(kit->service.draft_files(*l.draft), draft_path(l.draft->id) + "/files/");
    d.set("fields", step_fields(*l.def, index, l.draft->values, errors, lang, t, files));
    d.set("multipart", std::any_of(step.fields.begin(), step.fields.end(), [](const Field& f) { return f.type == FieldType::file; }));
    d.set("has_back", number > 1);
    d.set("has_errors", !errors.empty());
    d.set("errors", error_summary(*l.def, index, errors, lang, t));
    return kit->renderer.page(req, "applications/step", d, step.title.in(lang) + " — " + l.service->title.in(lang), status);
}

// The next (or previous) shown step after `index`, or nullopt past the end.
std::optional<std::size_t> neighbour(const FormDefinition& def, const Values& values, std::size_t index, bool forward) {
    const auto shown = visible_steps(def, values);
    if (forward) {
        for (std::size_t s : shown)
            if (s > index) return s;
        return std::nullopt;
    }
    std::optional<std::size_t> prev;
    for (std::size_t s : shown)
        if (s < index) prev = s;
    return prev;
}

Response summary_page(const Kit& kit, Request& req, const Loaded& l, const std::string& problem,
                      HttpStatus status = HttpStatus::ok, const identity::LevelGate* gate = nullptr) {
    const core::Locale& t = kit->locale(req);
    Data d;
    catalog::set_text(d, "service", l.service->title, req.lang);
    Data steps = answers_data(*l.def, l.draft->values, req.lang, t,
                              file_links(kit->service.draft_files(*l.draft), draft_path(l.draft->id) + "/files/"));
    // Each step's "change" link.
    const auto shown = visible_steps(*l.def, l.draft->values);
    Data with_links{Data::type::list};
    std::size_t k = 0;
    for (auto& s : steps.list_value()) {
        Data copy = s;
        copy.set("href", step_path(l.draft->id, shown[k++]));
        with_links.push_back(copy);
    }
    d.set("steps", with_links);
    d.set("action", kit->service.sending_path(*l.draft));
    d.set("submit_key", l.draft->submit_key);
    if (const catalog::Authority* a = l.cat->authority(l.service->authority)) catalog::set_text(d, "authority", a->name, req.lang);
    d.set("fee", l.service->fee_kopecks > 0);
    d.set("deadline_days", std::to_string(l.def->deadline_days));
    // In whose name it goes: the organisation acted for, for a service for legal entities.
    bool permitted = true;
    const auto* org = kit->service.applying_for(*req.account, *l.service, permitted) ? req.account->current_organisation() : nullptr;
    d.set("on_behalf", org ? org->name : std::string());
    d.set("has_on_behalf", org != nullptr);
    d.set("problem", problem);
    d.set("has_problem", !problem.empty());
    if (gate && !gate->allowed) {
        d.set("access_href", "/access?need=" + std::string(to_string(l.service->min_level)) + "&next=" +
                                 http::url_encode(draft_path(l.draft->id) + "/summary"));
        d.set("level_problem", true);
    }
    return kit->renderer.page(req, "applications/summary", d, t.text("applications.summary.title"), status);
}

void register_start(const Kit& kit) {
    kit->router.get("/services/{id}/apply", [kit](Request& req) {
        const auto cat = kit->service.catalog().current();
        const catalog::Service* s = cat->service(req.param("id"));
        if (!s || !s->online_form) return kit->not_found(req);
        const core::Locale& t = kit->locale(req);
        Data d;
        catalog::set_text(d, "service", s->title, req.lang);
        d.set("service_href", "/services/" + s->id);
        // The catalog offers more services online than have forms here yet: say so, with the way in person.
        d.set("has_form", kit->service.form(s->id) != nullptr);
        d.set("action", "/services/" + s->id + "/apply");
        const auto gate = identity::gate(identity::parse_level(req.account->level), s->min_level);
        d.set("level_ok", gate.allowed);
        d.set("min_level", t.text(std::string("catalog.account.") + std::string(to_string(s->min_level))));
        d.set("access_href", "/access?need=" + std::string(to_string(s->min_level)) + "&next=" +
                                 http::url_encode("/services/" + s->id + "/apply"));
        Data drafts{Data::type::list};
        for (const auto& dr : kit->service.drafts(req.account->id)) {
            if (dr.service_id != s->id) continue;
            Data item;
            item.set("href", step_path(dr.id, dr.step));
            item.set("updated", when(req, dr.updated_at));
            drafts.push_back(item);
        }
        d.set("has_drafts", !drafts.list_value().empty());
        d.set("drafts", drafts);
        return kit->renderer.page(req, "applications/start", d, t.text("applications.start.title") + " — " + s->title.in(req.lang));
    }, http::for_signed_in());

    kit->router.post("/services/{id}/apply", [kit](Request& req) {
        const std::int64_t id = kit->service.start_draft(req.account->id, req.param("id"));
        if (!id) return kit->not_found(req);
        return Response::redirect(step_path(id, 0));
    }, http::for_signed_in());
}

void register_steps(const Kit& kit) {
    kit->router.get("/applications/drafts/{draft}/steps/{step}", [kit](Request& req) {
        Loaded l = load(kit, req);
        if (!l.draft) return kit->not_found(req);
        const auto index = step_param(req, *l.def, l.draft->values);
        if (!index) return kit->not_found(req);
        return step_page(kit, req, l, *index, {});
    }, http::for_signed_in());

    kit->router.post("/applications/drafts/{draft}/steps/{step}", [kit](Request& req) {
        Loaded l = load(kit, req);
        if (!l.draft) return kit->not_found(req);
        const auto index = step_param(req, *l.def, l.draft->values);
        if (!index) return kit->not_found(req);
        const Step& step = l.def->steps[*index];
        Values incoming = step_values(step, req.form());
        const std::string action = req.form().get_or("action", "next");
        if (apply_group_action(step, action, incoming)) {
            kit->service.save_step(*l.draft, *index, incoming, false);
            return step_page(kit, req, l, *index, {});
        }
        const bool forward = action == "next";
        const FieldErrors upload_errors = keep_uploads(kit, req, *l.draft, step, incoming);
        // Back and "save for later" keep whatever was typed, checked or not.
        FieldErrors errors = kit->service.save_step(*l.draft, *index, incoming, forward);
        for (const auto& [field, key] : upload_errors) errors[field] = key;  // what was wrong with the file, not "attach one"
        if (!errors.empty()) return step_page(kit, req, l, *index, errors, HttpStatus::unprocessable_entity);
        if (action == "save") return Response::redirect("/account/applications?saved=1");
        const auto next = neighbour(*l.def, l.draft->values, *index, forward);
        if (next) return Response::redirect(step_path(l.draft->id, *next));
        return Response::redirect(forward ? draft_path(l.draft->id) + "/summary" : step_path(l.draft->id, *index));
    }, http::for_signed_in({.body_limit = kUploadBodyLimit}));

    kit->router.get("/applications/drafts/{draft}/files/{file}", [kit](Request& req) {
        const std::int64_t draft = id_param(req, "draft"), file = id_param(req, "file");
        const auto f = draft && file ? kit->service.draft_file(req.account->id, draft, file) : std::nullopt;
        return f ? file_response(*f) : kit->not_found(req);
    }, http::for_signed_in());
}

void register_summary(const Kit& kit) {
    kit->router.get("/applications/drafts/{draft}/summary", [kit](Request& req) {
        Loaded l = load(kit, req);
        if (!l.draft) return kit->not_found(req);
        return summary_page(kit, req, l, "");
    }, http::for_signed_in());

    kit->router.post("/applications/drafts/{draft}/submit", [kit](Request& req) {
        const std::string key = req.form().get_or("submit_key", "");
        const std::int64_t draft_id = id_param(req, "draft");
        const std::string region = req.session ? req.session->region : "", settlement = req.session ? req.session->settlement : "";
        const SubmitResult r = kit->service.submit(kit->ctx(req), *req.account, draft_id, key, region, settlement);
        if (r.outcome == Outcome::ok) return Response::redirect("/account/applications/" + std::to_string(r.application_id) + (r.repeated ? "" : "?sent=1"));
        Loaded l = load(kit, req);
        if (r.outcome == Outcome::not_found || !l.draft) return kit->not_found(req);
        const core::Locale& t = kit->locale(req);
        if (r.outcome == Outcome::invalid && r.first_step) return step_page(kit, req, l, *r.first_step, r.errors, HttpStatus::unprocessable_entity);
        const std::string problem = t.text(r.outcome == Outcome::level_too_low     ? "applications.error.level"
                                           : r.outcome == Outcome::not_permitted ? "applications_more.organisation.not_permitted"
                                                                                 : "applications.error.region");
        return summary_page(kit, req, l, problem, HttpStatus::forbidden, &r.gate);
    }, http::for_signed_in());

    kit->router.post("/applications/drafts/{draft}/delete", [kit](Request& req) {
        const std::int64_t id = id_param(req, "draft");
        if (!id || !kit->service.delete_draft(req.account->id, id)) return kit->not_found(req);
        return Response::redirect("/account/applications?deleted=1");
    }, http::for_signed_in());
}

}  // namespace

void register_apply_routes(const Kit& kit) {
    register_start(kit);
    register_steps(kit);
    register_summary(kit);
}

}  // namespace uslugi::applications
