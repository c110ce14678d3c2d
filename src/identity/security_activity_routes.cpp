#include "identity/security_pages.hpp"

#include "core/clock.hpp"
#include "core/time.hpp"
#include "http/pagination.hpp"
#include "http/time_zones.hpp"

#include <string>

namespace uslugi::identity {

using http::Data;
using http::Request;
using http::Response;
using http::Status;

namespace {

std::string text_or(const core::Locale& locale, const std::string& key, const std::string& fallback) {
    return locale.has(key) ? locale.text(key) : fallback;
}

// "passport,snils" → "паспорт, СНИЛС" through security.data.<name>.
std::string data_names(const core::Locale& locale, const std::string& fields) {
    std::string out;
    std::size_t pos = 0;
    while (pos <= fields.size()) {
        std::size_t comma = fields.find(',', pos);
        if (comma == std::string::npos) comma = fields.size();
        std::string name = fields.substr(pos, comma - pos);
        while (!name.empty() && name.front() == ' ') name.erase(name.begin());
        while (!name.empty() && name.back() == ' ') name.pop_back();
        if (!name.empty()) {
            if (!out.empty()) out += ", ";
            out += text_or(locale, "security.data." + name, name);
        }
        pos = comma + 1;
    }
    return out;
}

nlohmann::json field_list(const std::string& fields) {
    nlohmann::json out = nlohmann::json::array();
    std::size_t pos = 0;
    while (pos <= fields.size()) {
        std::size_t comma = fields.find(',', pos);
        if (comma == std::string::npos) comma = fields.size();
        if (comma > pos) out.push_back(fields.substr(pos, comma - pos));
        pos = comma + 1;
    }
    return out;
}

Data session_item(const Request& req, const http::SessionInfo& s, const core::Locale& locale) {
    Data d;
    d.set("handle", s.handle);
    d.set("device", s.device.empty() ? locale.text("security.sessions.unknown_device") : s.device);
    d.set("ip", s.ip.empty() ? std::string("—") : s.ip);
    d.set("signed_in", s.signed_in_at ? http::local_time(req, s.signed_in_at) : std::string("—"));
    d.set("last_seen", http::local_time(req, s.last_seen_at));
    d.set("current", s.current);
    d.set("remember", s.remember);
    return d;
}

nlohmann::json session_json(const http::SessionInfo& s) {
    return {{"handle", s.handle},
            {"device", s.device},
            {"ip", s.ip},
            {"signed_in_at", s.signed_in_at ? nlohmann::json(core::format_utc(s.signed_in_at)) : nlohmann::json()},
            {"last_seen_at", core::format_utc(s.last_seen_at)},
            {"remember", s.remember},
            {"current", s.current}};
}

// Human words for an action: the flows texts, then the older security texts,
// and never the internal code itself.
std::string action_words(const core::Locale& locale, const std::string& action) {
    if (locale.has("flows.activity.action." + action)) return locale.text("flows.activity.action." + action);
    return text_or(locale, "security.action." + action, locale.text("flows.activity.action.other"));
}

std::string filled(std::string text, const std::string& slot, const std::string& value) {
    if (auto pos = text.find(slot); pos != std::string::npos) text.replace(pos, slot.size(), value);
    return text;
}

// "surname,birth_date" → "фамилия, дата рождения"; empty when a name has no words.
std::string field_words(const core::Locale& locale, const std::string& fields) {
    std::string out;
    for (const auto& name : field_list(fields)) {
        const std::string n = name.get<std::string>();
        std::string word;
        if (locale.has("security.data." + n)) word = locale.text("security.data." + n);
        else if (locale.has("flows.field." + n)) word = locale.text("flows.field." + n);
        else return "";
        if (!out.empty()) out += ", ";
        out += word;
    }
    return out;
}

// What an action's details say in words; empty rather than an internal code.
std::string detail_words(const core::Locale& locale, const std::string& action, const std::string& fields) {
    if (fields.empty()) return "";
    if (action == "level_changed" && locale.has("identity.level." + fields))
        return filled(locale.text("flows.activity.level_to"), "{level}", locale.text("identity.level." + fields));
    if (action == "verification_failed")
        return filled(locale.text("flows.activity.reason"), "{reason}",
                      text_or(locale, "flows.activity.reasons." + fields,
                              locale.text("flows.activity.reasons.unknown")));
    if (action == "sessions_ended" && fields.find_first_not_of("0123456789") == std::string::npos)
        return filled(locale.text("flows.activity.sessions_count"), "{n}", fields);
    if (action == "profile_changed") {
        const std::string words = field_words(locale, fields);
        return words.empty() ? "" : filled(locale.text("flows.activity.fields"), "{fields}", words);
    }
    if (locale.has("security.detail." + fields)) return locale.text("security.detail." + fields);
    return field_words(locale, fields);
}

Data activity_item(const Request& req, const AuditEntry& e, const core::Locale& locale) {
    Data d;
    d.set("time", http::local_time(req, e.at));
    d.set("time_iso", core::format_utc(e.at));
    d.set("action", action_words(locale, e.action));
    d.set("failed", e.action.size() > 7 && e.action.compare(e.action.size() - 7, 7, "_failed") == 0);
    const std::string details = detail_words(locale, e.action, e.fields);
    d.set("details", details);
    d.set("has_details", !details.empty());  // an empty string is still "true" to mustache
    d.set("by_system", e.actor_kind == "system");
    d.set("actor", text_or(locale, "security.actor." + e.actor_kind, ""));
    d.set("ip", e.ip.empty() ? std::string("—") : e.ip);
    d.set("device", e.device.empty() ? std::string("—") : e.device);
    return d;
}

nlohmann::json activity_json(const AuditEntry& e) {
    auto opt = [](const std::string& s) { return s.empty() ? nlohmann::json() : nlohmann::json(s); };
    return {{"at", core::format_utc(e.at)}, {"action", e.action}, {"details", opt(e.fields)},
            {"ip", opt(e.ip)},              {"device", opt(e.device)}, {"actor", e.actor_kind}};
}

Data access_item(const Request& req, const AuditEntry& e, const core::Locale& locale) {
    Data d;
    d.set("time", http::local_time(req, e.at));
    d.set("time_iso", core::format_utc(e.at));
    d.set("actor_kind", text_or(locale, "security.actor." + e.actor_kind, e.actor_kind));
    d.set("actor_name", e.actor_name);
    d.set("organisation", e.organisation.empty() ? std::string("—") : e.organisation);
    d.set("fields", e.fields.empty() ? std::string("—") : data_names(locale, e.fields));
    d.set("reason", e.reason.empty() ? locale.text("security.access_log.no_reason") : e.reason);
    return d;
}

nlohmann::json access_json(const AuditEntry& e) {
    auto opt = [](const std::string& s) { return s.empty() ? nlohmann::json() : nlohmann::json(s); };
    return {{"at", core::format_utc(e.at)},  {"actor_kind", e.actor_kind},  {"actor_name", opt(e.actor_name)},
            {"organisation", opt(e.organisation)}, {"action", e.action}, {"fields", field_list(e.fields)},
            {"reason", opt(e.reason)}};
}

int page_number(const Request& req) { return static_cast<int>(std::min<std::size_t>(http::page_of(req), 100000)); }

}  // namespace

// Active sessions, recent actions and "who accessed my data".
void register_activity_routes(const SecurityPages& pages) {
    http::Router& router = pages.router;
    const http::Renderer& renderer = pages.renderer;
    SecurityService* const security = pages.security;
    const auto& ctx_of = pages.ctx_of;
    const auto& t = pages.t;

    // ---- sessions --------------------------------------------------------------------------------------

    router.get("/account/security/sessions", [&renderer, security, t, ctx_of](Request& req) {
        const core::Locale& locale = renderer.locale(req);
        Data list{Data::type::list};
        int others = 0;
        for (const auto& s : security->sessions(ctx_of(req), req.account->id)) {
            list.push_back(session_item(req, s, locale));
            if (!s.current) ++others;
        }
        Data d;
        d.set("sessions", list);
        d.set("has_others", others > 0);
        d.set("zone_name", http::zone_name(locale, req.time_zone, core::now_unix()));
        const std::string ended = req.query().get_or("ended", "");
        if (!ended.empty() && ended.size() < 6 && ended.find_first_not_of("0123456789") == std::string::npos) {
            std::string text = locale.text("security.sessions.ended");
            if (auto pos = text.find("{n}"); pos != std::string::npos) text.replace(pos, 3, ended);
            d.set("notice", text);
        }
        if (req.query().get_or("missing", "") == "1") d.set("message", locale.text("security.sessions.missing"));
        return renderer.page(req, "identity/security_sessions", d, t(req, "security.sessions.title"));
    }, http::for_signed_in());

    router.post("/account/security/sessions/end-others", [security, ctx_of](Request& req) {
        const int n = security->end_other_sessions(ctx_of(req), req.account->id);
        return Response::redirect("/account/security/sessions?ended=" + std::to_string(n));
    }, http::for_signed_in());

    router.post("/account/security/sessions/end", [security, ctx_of](Request& req) {
        FormInput in(req);
        const bool ended = security->end_session(ctx_of(req), req.account->id, in.get("handle"));
        return Response::redirect(ended ? "/account/security/sessions?ended=1" : "/account/security/sessions?missing=1");
    }, http::for_signed_in());

    router.get("/api/v1/account/security/sessions", [security, ctx_of](Request& req) {
        nlohmann::json list = nlohmann::json::array();
        for (const auto& s : security->sessions(ctx_of(req), req.account->id)) list.push_back(session_json(s));
        return Response::json({{"sessions", list}});
    }, http::for_signed_in());

    router.post("/api/v1/account/security/sessions/end-others", [security, ctx_of](Request& req) {
        return Response::json({{"ended", security->end_other_sessions(ctx_of(req), req.account->id)}});
    }, http::for_signed_in());

    router.post("/api/v1/account/security/sessions/end", [&renderer, security, ctx_of](Request& req) {
        FormInput in(req);
        if (!security->end_session(ctx_of(req), req.account->id, in.get("handle")))
            return Response::json_error(Status::not_found, "security.no_session",
                                        renderer.locale(req).text("security.sessions.missing"));
        return Response::json({{"ended", 1}});
    }, http::for_signed_in());

    // ---- recent actions and "who accessed my data" -------------------------------------------------------

    auto log_page = [&renderer, t](Request& req, const AuditPage& p, int page, bool access, const std::string& name) {
        const core::Locale& locale = renderer.locale(req);
        Data list{Data::type::list};
        for (const auto& e : p.entries) list.push_back(access ? access_item(req, e, locale) : activity_item(req, e, locale));
        Data d;
        d.set("entries", list);
        d.set("empty", p.entries.empty());
        d.set("zone_name", http::zone_name(locale, req.time_zone, core::now_unix()));
        d.set("pagination", http::pagination(renderer, req, static_cast<std::size_t>(page),
                                                static_cast<std::size_t>(p.total), SecurityService::kPageSize));
        return renderer.page(req, name, d, t(req, access ? "security.access_log.title" : "security.activity.title"));
    };

    auto log_json = [](const AuditPage& p, int page, bool access) {
        nlohmann::json list = nlohmann::json::array();
        for (const auto& e : p.entries) list.push_back(access ? access_json(e) : activity_json(e));
        return Response::json(
            {{"page", page}, {"page_size", SecurityService::kPageSize}, {"total", p.total}, {"entries", list}});
    };

    router.get("/account/activity", [security, log_page](Request& req) {
        const int page = page_number(req);
        return log_page(req, security->activity(req.account->id, page), page, false, "identity/activity");
    }, http::for_signed_in());

    router.get("/api/v1/account/activity", [security, log_json](Request& req) {
        const int page = page_number(req);
        return log_json(security->activity(req.account->id, page), page, false);
    }, http::for_signed_in());

    router.get("/account/access-log", [security, log_page](Request& req) {
        const int page = page_number(req);
        return log_page(req, security->access_log(req.account->id, page), page, true, "identity/access_log");
    }, http::for_signed_in());

    router.get("/api/v1/account/access-log", [security, log_json](Request& req) {
        const int page = page_number(req);
        return log_json(security->access_log(req.account->id, page), page, true);
    }, http::for_signed_in());
}

}  // namespace uslugi::identity
