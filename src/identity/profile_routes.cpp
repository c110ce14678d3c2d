#include "identity/profile_routes.hpp"

#include "core/time.hpp"
#include "http/time_zones.hpp"
#include "identity/verification.hpp"
#include "identity/web.hpp"

#include <nlohmann/json.hpp>

#include <memory>

namespace uslugi::identity {

using http::Data;
using http::Request;
using http::Response;
using http::Status;

namespace {

constexpr std::size_t kShownBytes = 1000;  // values re-shown in a form are cut here

std::string fill(std::string text, const std::string& placeholder, const std::string& value) {
    if (auto pos = text.find(placeholder); pos != std::string::npos) text.replace(pos, placeholder.size(), value);
    return text;
}

// What a page and the API say about one step or the whole verification.
struct StatusText {
    std::string state, label, css, reason, detail, message, fix;
};

std::string css_of(StepState s) {
    return s == StepState::passed ? "ok" : s == StepState::failed ? "failed" : "pending";
}

void explain(StatusText& out, const core::Locale& locale) {
    if (out.reason.empty()) return;
    const std::string key = "profile.reason." + out.reason;
    const std::string shown = out.detail.size() == 10 ? format_long(out.detail, locale.code()) : out.detail;
    out.message = fill(locale.text(key + ".text"), "{date}", shown);
    out.message = fill(out.message, "{code}", out.detail);
    if (locale.has(key + ".fix")) out.fix = locale.text(key + ".fix");
}

StatusText step_text(Registry r, const StepStatus& s, const core::Locale& locale) {
    StatusText out;
    out.state = std::string(to_string(s.state));
    out.css = css_of(s.state);
    out.reason = s.reason;
    out.detail = s.detail;
    out.label = locale.text("profile.step_state." + out.state);
    if (r == Registry::fns && s.state == StepState::passed)
        out.label = locale.text(s.reason.empty() ? "profile.inn_found" : "profile.inn_none");
    explain(out, locale);
    return out;
}

StatusText overall_text(const std::optional<Verification>& v, const ProfileView& view, const core::Locale& locale) {
    StatusText out;
    VerificationState state = v ? v->state : VerificationState::not_sent;
    out.state = std::string(to_string(state));
    out.label = locale.text("profile.state." + out.state);
    out.css = state == VerificationState::passed ? "ok" : state == VerificationState::failed ? "failed" : "pending";
    if (v && state == VerificationState::failed) {
        out.reason = v->reason;
        out.detail = v->pfr.reason == v->reason ? v->pfr.detail : v->mvd.reason == v->reason ? v->mvd.detail : "";
        explain(out, locale);
    }
    if (view.changed_since_check && state != VerificationState::checking)
        out.message = locale.text("profile.changed_since_check");
    return out;
}

nlohmann::json text_json(const StatusText& t) {
    auto opt = [](const std::string& s) { return s.empty() ? nlohmann::json() : nlohmann::json(s); };
    return {{"state", t.state},          {"label", t.label},   {"class", t.css}, {"reason", opt(t.reason)},
            {"detail", opt(t.detail)},   {"message", opt(t.message)}, {"fix", opt(t.fix)}};
}

Data text_data(const StatusText& t) {
    Data d;
    d.set("state", t.state);
    d.set("label", t.label);
    d.set("css", t.css);
    d.set("message", t.message);
    d.set("fix", t.fix);
    d.set("has_message", !t.message.empty());
    d.set("has_fix", !t.fix.empty());
    return d;
}

constexpr Registry kSteps[] = {Registry::pfr, Registry::mvd, Registry::fns};

nlohmann::json verification_json(const ProfileView& view, const core::Locale& locale) {
    const auto& v = view.verification;
    nlohmann::json j = text_json(overall_text(v, view, locale));
    j["running"] = v && v->running();
    j["level"] = std::string(to_string(view.level));
    j["changed_since_check"] = view.changed_since_check;
    if (!v) {
        j["id"] = nullptr;
        j["steps"] = nlohmann::json::object();
        return j;
    }
    j["id"] = v->id;
    j["profile_version"] = v->profile_version;
    j["created_at"] = core::format_utc(v->created_at);
    j["finished_at"] = v->finished_at ? nlohmann::json(core::format_utc(v->finished_at)) : nlohmann::json();
    nlohmann::json steps = nlohmann::json::object();
    for (Registry r : kSteps) {
        nlohmann::json s = text_json(step_text(r, v->step(r), locale));
        s["name"] = locale.text("profile.registry." + std::string(to_string(r)));
        steps[std::string(to_string(r))] = s;
    }
    j["steps"] = steps;
    return j;
}

nlohmann::json profile_json(const ProfileView& view, const core::Locale& locale) {
    nlohmann::json fields = nlohmann::json::object();
    for (auto f : profile_fields()) {
        const std::string v = field_value(view.profile.data, f);
        fields[std::string(f)] = v.empty() ? nlohmann::json() : nlohmann::json(v);
    }
    return {{"profile", fields},
            {"saved", view.saved},
            {"version", view.profile.version},
            {"complete", view.complete},
            {"submitted_at", view.profile.submitted_at ? nlohmann::json(core::format_utc(view.profile.submitted_at))
                                                       : nlohmann::json()},
            {"inn", view.profile.inn.empty() ? nlohmann::json() : nlohmann::json(view.profile.inn)},
            {"level", std::string(to_string(view.level))},
            {"verification", verification_json(view, locale)}};
}

// A field's value as the page shows it.
std::string shown_value(const Profile& p, std::string_view field, const core::Locale& locale) {
    const std::string v = field_value(p, field);
    if (v.empty()) return {};
    if (field == "birth_date" || field == "issue_date") return format_long(v, locale.code());
    if (field == "gender") return locale.text("profile.gender." + v);
    if (field == "citizenship") return locale.text("profile.country." + v);
    if (field == "document_type") return locale.text("profile.document." + v);
    return v;
}

Data details_data(const Request& req, const ProfileView& view, const core::Locale& locale) {
    Data d;
    Data facts{Data::type::list};
    for (auto f : profile_fields()) {
        Data item;
        item.set("label", locale.text("profile.field." + std::string(f)));
        const std::string v = shown_value(view.profile.data, f, locale);
        item.set("value", v.empty() ? locale.text("profile.not_filled") : v);
        item.set("empty", v.empty());
        facts.push_back(item);
    }
    d.set("facts", facts);
    d.set("saved", view.saved);
    d.set("complete", view.complete);
    d.set("inn", view.profile.inn);
    d.set("has_inn", !view.profile.inn.empty());
    d.set("level_text", locale.text("identity.level." + std::string(to_string(view.level))));
    d.set("is_standard", view.level != Level::simplified);
    const auto& v = view.verification;
    d.set("overall", text_data(overall_text(v, view, locale)));
    d.set("has_verification", v.has_value());
    d.set("running", v && v->running());
    if (v) {
        Data steps{Data::type::list};
        for (Registry r : kSteps) {
            Data s = text_data(step_text(r, v->step(r), locale));
            s.set("id", std::string(to_string(r)));
            s.set("name", locale.text("profile.registry." + std::string(to_string(r))));
            steps.push_back(s);
        }
        d.set("steps", steps);
        d.set("checked_at", http::local_time(req, v->created_at));
        d.set("checked_zone", http::zone_offset(req, v->created_at));
    }
    // Sending is offered when it would start a check.
    const bool idle = !v || v->state == VerificationState::failed || v->state == VerificationState::superseded ||
                      view.changed_since_check;
    // A lost or expired passport fails again whatever is resent: the way on is a new passport.
    const bool dead_passport = v && v->state == VerificationState::failed && !view.changed_since_check &&
                               (v->reason == reason::passport_lost || v->reason == reason::passport_expired);
    d.set("replace_passport", dead_passport);
    d.set("can_send", view.saved && view.complete && idle && !dead_passport);
    d.set("incomplete", !view.complete);
    return d;
}

Data option_list(std::span<const std::string_view> codes, const std::string& selected, const std::string& prefix,
                 const core::Locale& locale) {
    Data list{Data::type::list};
    for (auto code : codes) {
        Data o;
        o.set("value", std::string(code));
        o.set("label", locale.text(prefix + std::string(code)));
        o.set("selected", selected == code);
        list.push_back(o);
    }
    return list;
}

// The form's data: every field's value, the choices, and the errors.
Data form_data(const std::map<std::string, std::string>& values, const FieldErrors& errors,
               const core::Locale& locale) {
    Data d;
    for (auto f : profile_fields()) {
        auto it = values.find(std::string(f));
        std::string v = it == values.end() ? "" : it->second;
        if (v.size() > kShownBytes) v = v.substr(0, kShownBytes);
        d.set(std::string(f), v);
    }
    auto value = [&](const char* f) {
        auto it = values.find(f);
        return it == values.end() ? std::string() : it->second;
    };
    static constexpr std::string_view genders[] = {"male", "female"};
    d.set("genders", option_list(genders, value("gender"), "profile.gender.", locale));
    d.set("countries", option_list(citizenship_codes(), value("citizenship").empty() ? "RU" : value("citizenship"),
                                   "profile.country.", locale));
    static constexpr std::string_view documents[] = {"passport_rf"};
    d.set("documents", option_list(documents, "passport_rf", "profile.document.", locale));
    add_field_errors(d, errors, locale);
    // The summary lists the errors in the order of the form, not of the alphabet.
    if (!errors.empty()) {
        Data list{Data::type::list};
        auto add = [&](const std::string& field) {
            auto it = errors.find(field);
            if (it == errors.end()) return;
            Data item;
            item.set("field", field);
            item.set("message", locale.text(it->second));
            list.push_back(item);
        };
        for (auto f : profile_fields()) add(std::string(f));
        d.set("errors", list);
    }
    return d;
}

std::map<std::string, std::string> values_of(const Profile& p) {
    std::map<std::string, std::string> out;
    for (auto f : profile_fields()) out[std::string(f)] = field_value(p, f);
    return out;
}

nlohmann::json errors_json(const FieldErrors& errors, const core::Locale& locale) {
    nlohmann::json fields = nlohmann::json::object();
    for (const auto& [field, key] : errors) {
        std::string code = key;
        for (const char* prefix : {"profile.error.", "identity.error.", "validation."})
            if (code.rfind(prefix, 0) == 0) code = code.substr(std::string(prefix).size());
        fields[field] = {{"code", code}, {"message", locale.text(key)}};
    }
    return {{"error",
             {{"code", "profile.invalid"}, {"message", locale.text("profile.error.summary")}, {"fields", fields}}}};
}

}  // namespace

void connect_profiles(IdentityService& identity, ProfileService& profiles) {
    identity.set_checks_running([&profiles](std::int64_t account_id) {
        const auto v = profiles.view(account_id);
        return v.verification && v.verification->running();
    });
    identity.on_erase([&profiles](soci::session& tx, std::int64_t account_id) {
        profiles.store().erase(tx, account_id);
    });
}

void register_profile_routes(http::Router& router, const http::Renderer& renderer, ProfileService& profile_service,
                             const core::Config& config, DetailsExtra extra) {
    ProfileService* const profiles = &profile_service;
    const std::string public_url = config.public_url;
    auto ctx_of = [public_url](const Request& req) { return context_of(req, public_url); };
    auto t = [&renderer](const Request& req, const std::string& key) { return renderer.locale(req).text(key); };

    // ---- pages -------------------------------------------------------------------------------

    router.get("/account/details", [&renderer, profiles, t, extra](Request& req) {
        const core::Locale& locale = renderer.locale(req);
        const ProfileView view = profiles->view(req.account->id);
        Data d = details_data(req, view, locale);
        const std::string done = req.query().get_or("done", "");
        // "Sent" is news only while the check runs; a reload later shows the result alone.
        d.set("sent", done == "sent" && view.verification && view.verification->running());
        d.set("draft", done == "draft");
        d.set("can_confirm", view.level == Level::standard);
        if (extra) extra(d, req);
        return renderer.page(req, "identity/details", d, t(req, "profile.details.title"));
    }, http::for_signed_in());

    auto edit_page = [&renderer, t](Request& req, const std::map<std::string, std::string>& values,
                                    const FieldErrors& errors, Status status) {
        Data d = form_data(values, errors, renderer.locale(req));
        return renderer.page(req, "identity/details_edit", d, t(req, "profile.edit.title"), status);
    };

    router.get("/account/details/edit", [profiles, edit_page](Request& req) {
        const ProfileView view = profiles->view(req.account->id);
        return edit_page(req, values_of(view.profile.data), {}, Status::ok);
    }, http::for_signed_in());

    router.post("/account/details/edit", [profiles, edit_page, ctx_of](Request& req) {
        std::map<std::string, std::string> raw;
        for (auto f : profile_fields()) raw[std::string(f)] = req.form().get_or(f, "");
        const SaveMode mode = req.form().get_or("action", "") == "draft" ? SaveMode::draft : SaveMode::submit;
        const SaveResult result = profiles->save(ctx_of(req), req.account->id, raw, mode);
        if (!result.ok()) return edit_page(req, raw, result.errors, Status::unprocessable_entity);
        return Response::redirect(std::string("/account/details?done=") + (result.sent ? "sent" : "draft"));
    }, http::for_signed_in());

    // Sends the stored profile (filled in earlier) for checking.
    router.post("/account/details/submit", [profiles, edit_page, ctx_of](Request& req) {
        const ProfileView view = profiles->view(req.account->id);
        const auto raw = values_of(view.profile.data);
        const SaveResult result = profiles->save(ctx_of(req), req.account->id, raw, SaveMode::submit);
        if (!result.ok()) return edit_page(req, raw, result.errors, Status::unprocessable_entity);
        return Response::redirect(std::string("/account/details?done=") + (result.sent ? "sent" : "draft"));
    }, http::for_signed_in());

    // ---- JSON API ------------------------------------------------------------------------------

    router.get("/api/v1/account/profile", [&renderer, profiles](Request& req) {
        return Response::json(profile_json(profiles->view(req.account->id), renderer.locale(req)));
    }, http::for_signed_in());

    router.add(http::bhttp::verb::put, "/api/v1/account/profile", [&renderer, profiles, ctx_of](Request& req) {
        const core::Locale& locale = renderer.locale(req);
        const nlohmann::json body = nlohmann::json::parse(req.body(), nullptr, false);
        if (!body.is_object()) throw http::BadRequest("the body must be a JSON object");
        std::map<std::string, std::string> raw;
        FieldErrors type_errors;
        for (auto f : profile_fields()) {
            auto it = body.find(std::string(f));
            if (it == body.end() || it->is_null()) continue;
            if (it->is_string()) raw[std::string(f)] = it->get<std::string>();
            else type_errors[std::string(f)] = "profile.error.not_text";
        }
        const auto submit = body.find("submit");
        if (submit != body.end() && !submit->is_boolean()) type_errors["submit"] = "profile.error.not_boolean";
        if (!type_errors.empty()) return Response::json(errors_json(type_errors, locale), Status::unprocessable_entity);
        const SaveMode mode = submit != body.end() && submit->get<bool>() ? SaveMode::submit : SaveMode::draft;
        const SaveResult result = profiles->save(ctx_of(req), req.account->id, raw, mode);
        if (!result.ok()) return Response::json(errors_json(result.errors, locale), Status::unprocessable_entity);
        nlohmann::json j = profile_json(profiles->view(req.account->id), locale);
        j["sent"] = result.sent;
        j["changed"] = result.changed;
        return Response::json(j, result.sent ? Status::accepted : Status::ok);
    }, http::for_signed_in());

    router.get("/api/v1/account/verification", [&renderer, profiles](Request& req) {
        return Response::json(verification_json(profiles->view(req.account->id), renderer.locale(req)));
    }, http::for_signed_in());
}

}  // namespace uslugi::identity
