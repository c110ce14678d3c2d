#include "identity/security_routes.hpp"

#include "catalog/page_helpers.hpp"
#include "core/clock.hpp"
#include "identity/security.hpp"
#include "identity/web.hpp"

#include <memory>
#include <stdexcept>

namespace uslugi::identity {

using http::Data;
using http::Request;
using http::Response;
using http::Status;

// ---- shared pieces -------------------------------------------------------------------------------

Data question_list(const core::Locale& locale, const std::string& selected) {
    Data list{Data::type::list};
    for (auto key : kSecurityQuestions) {
        Data item;
        item.set("key", std::string(key));
        item.set("text", locale.text("security.questions." + std::string(key)));
        item.set("selected", selected == key);
        list.push_back(item);
    }
    return list;
}

namespace {

constexpr const char* kSecurity = "/account/security";

// The confirmations ?done=… may show on the overview (anything else is ignored).
constexpr std::array<std::string_view, 9> kDoneNotices{"password",   "question",   "two_factor_on", "two_factor_off",
                                                       "notify_on",  "notify_off", "contact",       "recovered",
                                                       "sessions"};

// "ABCD EFGH …": the secret in groups of four, easier to copy by hand.
std::string grouped(const std::string& s) {
    std::string out;
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (i > 0 && i % 4 == 0) out.push_back(' ');
        out.push_back(s[i]);
    }
    return out;
}

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

int page_number(const Request& req) { return static_cast<int>(std::min<std::size_t>(catalog::page_of(req), 100000)); }

nlohmann::json questions_json(const core::Locale& locale) {
    nlohmann::json out = nlohmann::json::array();
    for (auto key : kSecurityQuestions)
        out.push_back({{"key", std::string(key)}, {"text", locale.text("security.questions." + std::string(key))}});
    return out;
}

Data session_item(const http::SessionInfo& s, const core::Locale& locale) {
    Data d;
    d.set("handle", s.handle);
    d.set("device", s.device.empty() ? locale.text("security.sessions.unknown_device") : s.device);
    d.set("ip", s.ip.empty() ? std::string("—") : s.ip);
    d.set("signed_in", s.signed_in_at ? core::format_moscow(s.signed_in_at) : std::string("—"));
    d.set("last_seen", core::format_moscow(s.last_seen_at));
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

Data activity_item(const AuditEntry& e, const core::Locale& locale) {
    Data d;
    d.set("time", core::format_moscow(e.at));
    d.set("time_iso", core::format_utc(e.at));
    d.set("action", text_or(locale, "security.action." + e.action, e.action));
    d.set("failed", e.action.size() > 7 && e.action.compare(e.action.size() - 7, 7, "_failed") == 0);
    std::string details;
    if (!e.fields.empty()) details = text_or(locale, "security.detail." + e.fields, e.fields);
    d.set("details", details);
    d.set("ip", e.ip.empty() ? std::string("—") : e.ip);
    d.set("device", e.device.empty() ? std::string("—") : e.device);
    return d;
}

nlohmann::json activity_json(const AuditEntry& e) {
    auto opt = [](const std::string& s) { return s.empty() ? nlohmann::json() : nlohmann::json(s); };
    return {{"at", core::format_utc(e.at)}, {"action", e.action}, {"details", opt(e.fields)},
            {"ip", opt(e.ip)},              {"device", opt(e.device)}, {"actor", e.actor_kind}};
}

Data access_item(const AuditEntry& e, const core::Locale& locale) {
    Data d;
    d.set("time", core::format_moscow(e.at));
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

// After a change of two-step sign-in this browser gets a new session token and
// CSRF token (the service already ended the account's other sessions), so
// whatever was copied of the old session is worthless.
void rotate_session(Request& req, http::SessionStore& sessions, const Context& ctx) {
    if (!req.session || !req.session->account_id) return;
    req.new_session_token =
        sessions.sign_in(*req.session, *req.session->account_id, req.session->remember, ctx.ip, ctx.device);
}

// The contacts page has one form per kind: "value" and "password" of the
// service become "<kind>" and "<kind>_password" so each error sits next to its field.
FieldErrors contact_errors(const FieldErrors& errors, const std::string& kind) {
    FieldErrors out;
    for (const auto& [field, key] : errors) {
        if (field == "value") out[kind] = key;
        else if (field == "password") out[kind + "_password"] = key;
        else out[field] = key;
    }
    return out;
}

}  // namespace

void register_security_routes(http::Router& router, const http::Renderer& renderer, http::SessionStore& sessions,
                              IdentityService& identity, const core::Config& config) {
    auto security = std::make_shared<SecurityService>(identity, sessions);
    const std::string public_url = config.public_url;
    auto ctx_of = [public_url](const Request& req) { return context_of(req, public_url); };
    auto t = [&renderer](const Request& req, const std::string& key) { return renderer.locale(req).text(key); };
    auto api_error = [&renderer](const Request& req, const Result& r) { return api_failure(r, renderer.locale(req)); };

    // ---- overview --------------------------------------------------------------------------------

    auto overview = [&renderer, security, t](Request& req, const Result* r, Status status) {
        auto a = security->identity().accounts().find(req.account->id);
        if (!a) return renderer.error_page(req, Status::not_found);
        const core::Locale& locale = renderer.locale(req);
        Data d;
        d.set("password_changed", a->password_changed_at ? core::format_moscow(a->password_changed_at) : "");
        d.set("question_set", is_security_question(a->security_question));
        if (is_security_question(a->security_question))
            d.set("question_text", t(req, "security.questions." + a->security_question));
        d.set("two_factor_text", t(req, "security.two_factor.mode." + a->two_factor));
        d.set("two_factor_on", a->two_factor != "off");
        d.set("notify_signin", a->notify_signin);
        d.set("has_email", !a->email.empty());
        if (!a->phone.empty()) d.set("phone", mask_contact({ContactKind::phone, a->phone}));
        if (!a->email.empty()) d.set("email", mask_contact({ContactKind::email, a->email}));
        const std::string done = req.query().get_or("done", "");
        for (auto n : kDoneNotices)
            if (done == n) d.set("notice", t(req, "security.done." + done));
        if (r) add_result(d, *r, locale);
        return renderer.page(req, "identity/security", d, t(req, "security.title"), status);
    };

    router.get(kSecurity, [&renderer, overview](Request& req) {
        if (auto r = require_account(req, renderer)) return *r;
        return overview(req, nullptr, Status::ok);
    });

    router.get("/api/v1/account/security", [&renderer, security](Request& req) {
        if (auto r = require_account(req, renderer)) return *r;
        auto a = security->identity().accounts().find(req.account->id);
        if (!a) return renderer.error_page(req, Status::not_found);
        auto masked = [](ContactKind k, const std::string& v) {
            return v.empty() ? nlohmann::json() : nlohmann::json(mask_contact({k, v}));
        };
        return Response::json(
            {{"two_factor", a->two_factor},
             {"notify_signin", a->notify_signin},
             {"phone", masked(ContactKind::phone, a->phone)},
             {"email", masked(ContactKind::email, a->email)},
             {"security_question",
              is_security_question(a->security_question) ? nlohmann::json(a->security_question) : nlohmann::json()},
             {"password_changed_at",
              a->password_changed_at ? nlohmann::json(core::format_utc(a->password_changed_at)) : nlohmann::json()},
             {"questions", questions_json(renderer.locale(req))}});
    });

    // ---- password --------------------------------------------------------------------------------

    auto password_page = [&renderer, t](Request& req, const Result* r, Status status) {
        Data d;
        if (r) add_result(d, *r, renderer.locale(req));
        return renderer.page(req, "identity/security_password", d, t(req, "security.password.title"), status);
    };

    router.get("/account/security/password", [&renderer, password_page](Request& req) {
        if (auto r = require_account(req, renderer)) return *r;
        return password_page(req, nullptr, Status::ok);
    });

    router.post("/account/security/password", [&renderer, security, password_page, ctx_of](Request& req) {
        if (auto r = require_account(req, renderer)) return *r;
        FormInput in(req);
        Result r = security->change_password(ctx_of(req), req.account->id, in.get("current_password"),
                                             in.get("password"), in.get("password_repeat"));
        if (r.ok()) return Response::redirect("/account/security?done=password");
        return password_page(req, &r, failed_page_status(r));
    });

    router.post("/api/v1/account/security/password", [&renderer, security, api_error, ctx_of](Request& req) {
        if (auto r = require_account(req, renderer)) return *r;
        FormInput in(req);
        Result r = security->change_password(ctx_of(req), req.account->id, in.get("current_password"),
                                             in.get("password"), in.get("password_repeat"));
        if (!r.ok()) return api_error(req, r);
        return Response::json({{"changed", true}, {"other_sessions_ended", true}});
    });

    // ---- security question -------------------------------------------------------------------------

    auto question_page = [&renderer, security, t](Request& req, const std::string& chosen, const Result* r,
                                                  Status status) {
        auto a = security->identity().accounts().find(req.account->id);
        const std::string current = a ? a->security_question : "";
        Data d;
        d.set("questions", question_list(renderer.locale(req), chosen.empty() ? current : chosen));
        d.set("has_question", is_security_question(current));
        if (r) add_result(d, *r, renderer.locale(req));
        return renderer.page(req, "identity/security_question", d, t(req, "security.question.title"), status);
    };

    router.get("/account/security/question", [&renderer, question_page](Request& req) {
        if (auto r = require_account(req, renderer)) return *r;
        return question_page(req, "", nullptr, Status::ok);
    });

    router.post("/account/security/question", [&renderer, security, question_page, ctx_of](Request& req) {
        if (auto r = require_account(req, renderer)) return *r;
        FormInput in(req);
        const std::string question = in.get("question");
        Result r = security->change_question(ctx_of(req), req.account->id, in.get("password"), question,
                                             in.get("answer"));
        if (r.ok()) return Response::redirect("/account/security?done=question");
        return question_page(req, question, &r, failed_page_status(r));
    });

    router.post("/api/v1/account/security/question", [&renderer, security, api_error, ctx_of](Request& req) {
        if (auto r = require_account(req, renderer)) return *r;
        FormInput in(req);
        Result r = security->change_question(ctx_of(req), req.account->id, in.get("password"), in.get("question"),
                                             in.get("answer"));
        if (!r.ok()) return api_error(req, r);
        return Response::json({{"security_question", in.get("question")}});
    });

    // ---- two-step sign-in ------------------------------------------------------------------------------

    auto two_factor_page = [&renderer, security, t, ctx_of](Request& req, const Result* r, Status status) {
        auto a = security->identity().accounts().find(req.account->id);
        if (!a) return renderer.error_page(req, Status::not_found);
        Data d;
        d.set("mode_text", t(req, "security.two_factor.mode." + a->two_factor));
        d.set("is_off", a->two_factor == "off");
        d.set("is_sms", a->two_factor == "sms");
        d.set("is_totp", a->two_factor == "totp");
        d.set("has_phone", !a->phone.empty());
        d.set("reauthenticated", security->reauthenticated(ctx_of(req), req.account->id));
        if (!a->phone.empty()) d.set("phone", mask_contact({ContactKind::phone, a->phone}));
        if (req.query().get_or("reauth", "") == "1" && !r) d.set("message", t(req, "security.error.reauth_required"));
        if (r) add_result(d, *r, renderer.locale(req));
        return renderer.page(req, "identity/security_two_factor", d, t(req, "security.two_factor.title"), status);
    };

    router.get("/account/security/two-factor", [&renderer, two_factor_page](Request& req) {
        if (auto r = require_account(req, renderer)) return *r;
        return two_factor_page(req, nullptr, Status::ok);
    });

    router.post("/account/security/two-factor/sms/start", [&renderer, security, two_factor_page, ctx_of](Request& req) {
        if (auto r = require_account(req, renderer)) return *r;
        Result r = security->start_sms_two_factor(ctx_of(req), req.account->id);
        if (r.ok()) return Response::redirect("/account/security/two-factor/sms");
        return two_factor_page(req, &r, failed_page_status(r));
    });

    // One code page for every flow here that waits for a code: its texts and addresses differ.
    struct CodeFlow {
        std::string title_key, lead_key, action, resend_action, back;
    };
    auto code_page = [&renderer, t](Request& req, const CodeFlow& f, const ChallengeView& v, const Result* r,
                                    Status status) {
        Data d = code_page_data(v, renderer.locale(req));
        d.set("title", t(req, f.title_key));
        d.set("lead", t(req, f.lead_key));
        d.set("action", f.action);
        d.set("resend_action", f.resend_action);
        d.set("back", f.back);
        if (req.query().get_or("sent", "") == "1") d.set("sent", true);
        if (r) add_result(d, *r, renderer.locale(req));
        return renderer.page(req, "identity/security_code", d, t(req, f.title_key), status);
    };

    // ---- re-authentication before a change of two-step sign-in ---------------------------------------

    const CodeFlow reauth_flow{"security.reauth.code_title", "security.reauth.code_lead",
                               "/account/security/two-factor/reauth/code",
                               "/account/security/two-factor/reauth/resend", "/account/security/two-factor"};

    router.post("/account/security/two-factor/reauth", [&renderer, security, two_factor_page, ctx_of](Request& req) {
        if (auto r = require_account(req, renderer)) return *r;
        FormInput in(req);
        Result r = security->start_reauth(ctx_of(req), req.account->id, in.get("password"));
        if (r.ok()) return Response::redirect("/account/security/two-factor");
        if (r.outcome == Outcome::second_factor) return Response::redirect("/account/security/two-factor/reauth/code");
        return two_factor_page(req, &r, failed_page_status(r));
    });

    router.get("/account/security/two-factor/reauth/code",
               [&renderer, security, code_page, reauth_flow, ctx_of](Request& req) {
                   if (auto r = require_account(req, renderer)) return *r;
                   auto v = security->reauth(ctx_of(req), req.account->id);
                   if (!v) return Response::redirect("/account/security/two-factor");
                   return code_page(req, reauth_flow, *v, nullptr, Status::ok);
               });

    router.post("/account/security/two-factor/reauth/code",
                [&renderer, security, code_page, reauth_flow, ctx_of](Request& req) {
                    if (auto r = require_account(req, renderer)) return *r;
                    FormInput in(req);
                    const Context ctx = ctx_of(req);
                    Result r = security->confirm_reauth(ctx, req.account->id, in.get("code"));
                    if (r.ok()) return Response::redirect("/account/security/two-factor");
                    auto v = r.challenge ? r.challenge : security->reauth(ctx, req.account->id);
                    if (!v) return Response::redirect("/account/security/two-factor");
                    return code_page(req, reauth_flow, *v, &r, failed_page_status(r));
                });

    router.post("/account/security/two-factor/reauth/resend",
                [&renderer, security, code_page, reauth_flow, ctx_of](Request& req) {
                    if (auto r = require_account(req, renderer)) return *r;
                    const Context ctx = ctx_of(req);
                    Result r = security->resend_reauth(ctx, req.account->id);
                    if (r.ok()) return Response::redirect("/account/security/two-factor/reauth/code?sent=1");
                    auto v = security->reauth(ctx, req.account->id);
                    if (!v) return Response::redirect("/account/security/two-factor");
                    return code_page(req, reauth_flow, *v, &r, failed_page_status(r));
                });

    router.post("/api/v1/account/security/two-factor/reauth", [&renderer, security, api_error, ctx_of](Request& req) {
        if (auto r = require_account(req, renderer)) return *r;
        FormInput in(req);
        Result r = security->start_reauth(ctx_of(req), req.account->id, in.get("password"));
        if (r.ok()) return Response::json({{"reauthenticated", true}});
        if (r.outcome == Outcome::second_factor && r.challenge)
            return Response::json({{"reauthenticated", false}, {"challenge", challenge_json(*r.challenge)}},
                                  Status::accepted);
        return api_error(req, r);
    });

    router.post("/api/v1/account/security/two-factor/reauth/code",
                [&renderer, security, api_error, ctx_of](Request& req) {
                    if (auto r = require_account(req, renderer)) return *r;
                    FormInput in(req);
                    Result r = security->confirm_reauth(ctx_of(req), req.account->id, in.get("code"));
                    if (!r.ok()) return api_error(req, r);
                    return Response::json({{"reauthenticated", true}});
                });

    router.post("/api/v1/account/security/two-factor/reauth/resend",
                [&renderer, security, api_error, ctx_of](Request& req) {
                    if (auto r = require_account(req, renderer)) return *r;
                    Result r = security->resend_reauth(ctx_of(req), req.account->id);
                    if (!r.ok()) return api_error(req, r);
                    return Response::json({{"challenge", challenge_json(*r.challenge)}});
                });

    // ---- the changes themselves ----------------------------------------------------------------------

    const CodeFlow sms_flow{"security.two_factor.sms_code_title", "security.two_factor.sms_code_lead",
                            "/account/security/two-factor/sms", "/account/security/two-factor/sms/resend",
                            "/account/security/two-factor"};

    router.get("/account/security/two-factor/sms", [&renderer, security, code_page, sms_flow, ctx_of](Request& req) {
        if (auto r = require_account(req, renderer)) return *r;
        const Context ctx = ctx_of(req);
        auto c = security->identity().current(ctx, "two_factor_sms");
        if (!c || c->account_id != req.account->id || c->confirmed_at)
            return Response::redirect("/account/security/two-factor");
        return code_page(req, sms_flow, security->identity().view(*c), nullptr, Status::ok);
    });

    router.post("/account/security/two-factor/sms",
                [&renderer, &sessions, security, code_page, sms_flow, ctx_of](Request& req) {
                    if (auto r = require_account(req, renderer)) return *r;
                    FormInput in(req);
                    const Context ctx = ctx_of(req);
                    Result r = security->confirm_sms_two_factor(ctx, req.account->id, in.get("code"));
                    if (r.ok()) {
                        rotate_session(req, sessions, ctx);
                        return Response::redirect("/account/security?done=two_factor_on");
                    }
                    if (r.outcome == Outcome::reauth_required)
                        return Response::redirect("/account/security/two-factor?reauth=1");
                    if (!r.challenge) return Response::redirect("/account/security/two-factor");
                    return code_page(req, sms_flow, *r.challenge, &r, failed_page_status(r));
                });

    router.post("/account/security/two-factor/sms/resend",
                [&renderer, security, code_page, sms_flow, ctx_of](Request& req) {
                    if (auto r = require_account(req, renderer)) return *r;
                    const Context ctx = ctx_of(req);
                    Result r = security->resend_sms_two_factor(ctx, req.account->id);
                    if (r.ok()) return Response::redirect("/account/security/two-factor/sms?sent=1");
                    auto c = security->identity().current(ctx, "two_factor_sms");
                    if (!c || c->account_id != req.account->id) return Response::redirect("/account/security/two-factor");
                    return code_page(req, sms_flow, security->identity().view(*c), &r, failed_page_status(r));
                });

    auto totp_page = [&renderer, security, t, ctx_of](Request& req, const Result* r, Status status) {
        const core::Locale& locale = renderer.locale(req);
        auto setup = security->totp_setup(ctx_of(req), req.account->id, locale.text("layout.portal_name"));
        if (!setup) return Response::redirect("/account/security/two-factor?reauth=1");
        Data d;
        d.set("qr", qr_svg(setup->uri, locale.text("security.totp.qr_label")));
        d.set("secret", grouped(setup->secret_base32));
        if (r) add_result(d, *r, locale);
        return renderer.page(req, "identity/security_totp", d, t(req, "security.totp.title"), status);
    };

    router.get("/account/security/two-factor/app", [&renderer, totp_page](Request& req) {
        if (auto r = require_account(req, renderer)) return *r;
        return totp_page(req, nullptr, Status::ok);
    });

    router.post("/account/security/two-factor/app", [&renderer, &sessions, security, totp_page, ctx_of](Request& req) {
        if (auto r = require_account(req, renderer)) return *r;
        FormInput in(req);
        const Context ctx = ctx_of(req);
        Result r = security->confirm_totp(ctx, req.account->id, in.get("code"));
        if (r.ok()) {
            rotate_session(req, sessions, ctx);
            return Response::redirect("/account/security?done=two_factor_on");
        }
        return totp_page(req, &r, failed_page_status(r));
    });

    router.post("/account/security/two-factor/off",
                [&renderer, &sessions, security, two_factor_page, ctx_of](Request& req) {
                    if (auto r = require_account(req, renderer)) return *r;
                    const Context ctx = ctx_of(req);
                    Result r = security->disable_two_factor(ctx, req.account->id);
                    if (r.ok()) {
                        rotate_session(req, sessions, ctx);
                        return Response::redirect("/account/security?done=two_factor_off");
                    }
                    return two_factor_page(req, &r, failed_page_status(r));
                });

    // The JSON twin answers a change with the new session's CSRF token (the cookie changed too).
    auto changed_json = [&sessions](Request& req, const Context& ctx, const std::string& mode) {
        rotate_session(req, sessions, ctx);
        return Response::json({{"two_factor", mode}, {"csrf_token", req.session ? req.session->csrf_token : ""}});
    };

    router.post("/api/v1/account/security/two-factor/sms", [&renderer, security, api_error, ctx_of](Request& req) {
        if (auto r = require_account(req, renderer)) return *r;
        Result r = security->start_sms_two_factor(ctx_of(req), req.account->id);
        if (!r.ok()) return api_error(req, r);
        return Response::json({{"challenge", challenge_json(*r.challenge)}}, Status::accepted);
    });

    router.post("/api/v1/account/security/two-factor/sms/code",
                [&renderer, security, api_error, changed_json, ctx_of](Request& req) {
                    if (auto r = require_account(req, renderer)) return *r;
                    FormInput in(req);
                    const Context ctx = ctx_of(req);
                    Result r = security->confirm_sms_two_factor(ctx, req.account->id, in.get("code"));
                    if (!r.ok()) return api_error(req, r);
                    return changed_json(req, ctx, "sms");
                });

    router.post("/api/v1/account/security/two-factor/sms/resend", [&renderer, security, api_error, ctx_of](Request& req) {
        if (auto r = require_account(req, renderer)) return *r;
        Result r = security->resend_sms_two_factor(ctx_of(req), req.account->id);
        if (!r.ok()) return api_error(req, r);
        return Response::json({{"challenge", challenge_json(*r.challenge)}});
    });

    router.post("/api/v1/account/security/two-factor/app", [&renderer, security, ctx_of](Request& req) {
        if (auto r = require_account(req, renderer)) return *r;
        const core::Locale& locale = renderer.locale(req);
        auto setup = security->totp_setup(ctx_of(req), req.account->id, locale.text("layout.portal_name"));
        if (!setup)
            return Response::json_error(Status::forbidden, "identity.reauth_required",
                                        locale.text("security.error.reauth_required"));
        return Response::json({{"secret", setup->secret_base32}, {"uri", setup->uri}}, Status::accepted);
    });

    router.post("/api/v1/account/security/two-factor/app/code",
                [&renderer, security, api_error, changed_json, ctx_of](Request& req) {
                    if (auto r = require_account(req, renderer)) return *r;
                    FormInput in(req);
                    const Context ctx = ctx_of(req);
                    Result r = security->confirm_totp(ctx, req.account->id, in.get("code"));
                    if (!r.ok()) return api_error(req, r);
                    return changed_json(req, ctx, "totp");
                });

    router.post("/api/v1/account/security/two-factor/off",
                [&renderer, security, api_error, changed_json, ctx_of](Request& req) {
                    if (auto r = require_account(req, renderer)) return *r;
                    const Context ctx = ctx_of(req);
                    Result r = security->disable_two_factor(ctx, req.account->id);
                    if (!r.ok()) return api_error(req, r);
                    return changed_json(req, ctx, "off");
                });

    // ---- e-mail on every sign-in ---------------------------------------------------------------------

    router.post("/account/security/notify-signin", [&renderer, security, overview, ctx_of](Request& req) {
        if (auto r = require_account(req, renderer)) return *r;
        FormInput in(req);
        const bool on = in.flag("on");
        Result r = security->set_notify_signin(ctx_of(req), req.account->id, on);
        if (r.ok()) return Response::redirect(on ? "/account/security?done=notify_on" : "/account/security?done=notify_off");
        return overview(req, &r, failed_page_status(r));
    });

    router.post("/api/v1/account/security/notify-signin", [&renderer, security, api_error, ctx_of](Request& req) {
        if (auto r = require_account(req, renderer)) return *r;
        FormInput in(req);
        const bool on = in.flag("on");
        Result r = security->set_notify_signin(ctx_of(req), req.account->id, on);
        if (!r.ok()) return api_error(req, r);
        return Response::json({{"notify_signin", on}});
    });

    // ---- contacts --------------------------------------------------------------------------------------

    auto contacts_page = [&renderer, security, t](Request& req, const std::string& kind, const std::string& value,
                                                  const Result* r, Status status) {
        auto a = security->identity().accounts().find(req.account->id);
        if (!a) return renderer.error_page(req, Status::not_found);
        Data d;
        if (!a->phone.empty()) d.set("current_phone", mask_contact({ContactKind::phone, a->phone}));
        if (!a->email.empty()) d.set("current_email", mask_contact({ContactKind::email, a->email}));
        if (kind == "phone" || kind == "email") d.set(kind, value.substr(0, 254));
        if (r) {
            Result shown = *r;
            shown.errors = contact_errors(r->errors, kind == "email" ? "email" : "phone");
            add_result(d, shown, renderer.locale(req));
        }
        return renderer.page(req, "identity/security_contacts", d, t(req, "security.contacts.title"), status);
    };

    router.get("/account/security/contacts", [&renderer, contacts_page](Request& req) {
        if (auto r = require_account(req, renderer)) return *r;
        return contacts_page(req, "", "", nullptr, Status::ok);
    });

    router.post("/account/security/contacts", [&renderer, security, contacts_page, ctx_of](Request& req) {
        if (auto r = require_account(req, renderer)) return *r;
        FormInput in(req);
        const std::string kind = in.get("kind"), value = in.get("value");
        Result r = security->start_contact_change(ctx_of(req), req.account->id, kind, value, in.get("password"));
        if (r.ok()) return Response::redirect("/account/security/contacts/code");
        return contacts_page(req, kind, value, &r, failed_page_status(r));
    });

    const CodeFlow contact_flow{"security.contacts.code_title", "security.contacts.code_lead",
                                "/account/security/contacts/code", "/account/security/contacts/resend",
                                "/account/security/contacts"};

    router.get("/account/security/contacts/code", [&renderer, security, code_page, contact_flow, ctx_of](Request& req) {
        if (auto r = require_account(req, renderer)) return *r;
        auto v = security->contact_change(ctx_of(req), req.account->id);
        if (!v) return Response::redirect("/account/security/contacts");
        return code_page(req, contact_flow, *v, nullptr, Status::ok);
    });

    router.post("/account/security/contacts/code",
                [&renderer, security, code_page, contact_flow, ctx_of](Request& req) {
                    if (auto r = require_account(req, renderer)) return *r;
                    FormInput in(req);
                    const Context ctx = ctx_of(req);
                    Result r = security->confirm_contact_code(ctx, req.account->id, in.get("code"));
                    if (r.ok()) return Response::redirect("/account/security?done=contact");
                    auto v = r.challenge ? r.challenge : security->contact_change(ctx, req.account->id);
                    if (!v || r.outcome == Outcome::contact_taken) {
                        Data d;
                        add_result(d, r, renderer.locale(req));
                        d.set("back", std::string("/account/security/contacts"));
                        return renderer.page(req, "identity/security_message", d,
                                             renderer.locale(req).text("security.contacts.failed_title"),
                                             failed_page_status(r));
                    }
                    return code_page(req, contact_flow, *v, &r, failed_page_status(r));
                });

    router.post("/account/security/contacts/resend",
                [&renderer, security, code_page, contact_flow, ctx_of](Request& req) {
                    if (auto r = require_account(req, renderer)) return *r;
                    const Context ctx = ctx_of(req);
                    Result r = security->resend_contact(ctx, req.account->id);
                    if (r.ok()) return Response::redirect("/account/security/contacts/code?sent=1");
                    auto v = security->contact_change(ctx, req.account->id);
                    if (!v) return Response::redirect("/account/security/contacts");
                    return code_page(req, contact_flow, *v, &r, failed_page_status(r));
                });

    auto contact_link_failed = [&renderer](Request& req, const Result& r) {
        Data d;
        add_result(d, r, renderer.locale(req));
        d.set("back", std::string("/account/security/contacts"));
        return renderer.page(req, "identity/security_message", d,
                             renderer.locale(req).text("security.contacts.failed_title"), failed_page_status(r));
    };

    // The link in the e-mail only shows the new address; the button POSTs.
    router.get("/account/security/contacts/confirm", [&renderer, security, contact_link_failed](Request& req) {
        if (auto r = require_account(req, renderer)) return *r;
        const std::string token = req.query().get_or("token", "");
        if (auto v = security->identity().peek_link(token, "contact", req.account->id))
            return link_confirm_page(req, renderer, *v, "contact", "/account/security/contacts/confirm", token);
        return contact_link_failed(req, invalid_link());
    });

    router.post("/account/security/contacts/confirm", [&renderer, security, ctx_of, contact_link_failed](Request& req) {
        if (auto r = require_account(req, renderer)) return *r;
        FormInput in(req);
        Result r = security->confirm_contact_link(ctx_of(req), req.account->id, in.get("token"));
        if (r.ok()) return Response::redirect("/account/security?done=contact");
        return contact_link_failed(req, r);
    });

    router.post("/api/v1/account/security/contacts", [&renderer, security, api_error, ctx_of](Request& req) {
        if (auto r = require_account(req, renderer)) return *r;
        FormInput in(req);
        Result r = security->start_contact_change(ctx_of(req), req.account->id, in.get("kind"), in.get("value"),
                                                  in.get("password"));
        if (!r.ok()) return api_error(req, r);
        return Response::json({{"challenge", challenge_json(*r.challenge)}}, Status::accepted);
    });

    router.post("/api/v1/account/security/contacts/code", [&renderer, security, api_error, ctx_of](Request& req) {
        if (auto r = require_account(req, renderer)) return *r;
        FormInput in(req);
        Result r = security->confirm_contact_code(ctx_of(req), req.account->id, in.get("code"));
        if (!r.ok()) return api_error(req, r);
        return Response::json({{"changed", true}});
    });

    router.post("/api/v1/account/security/contacts/resend", [&renderer, security, api_error, ctx_of](Request& req) {
        if (auto r = require_account(req, renderer)) return *r;
        Result r = security->resend_contact(ctx_of(req), req.account->id);
        if (!r.ok()) return api_error(req, r);
        return Response::json({{"challenge", challenge_json(*r.challenge)}});
    });

    router.post("/api/v1/account/security/contacts/confirm-link", [&renderer, security, api_error, ctx_of](Request& req) {
        if (auto r = require_account(req, renderer)) return *r;
        FormInput in(req);
        Result r = security->confirm_contact_link(ctx_of(req), req.account->id, in.get("token"));
        if (!r.ok()) return api_error(req, r);
        return Response::json({{"changed", true}});
    });

    // ---- sessions --------------------------------------------------------------------------------------

    router.get("/account/security/sessions", [&renderer, security, t, ctx_of](Request& req) {
        if (auto r = require_account(req, renderer)) return *r;
        const core::Locale& locale = renderer.locale(req);
        Data list{Data::type::list};
        int others = 0;
        for (const auto& s : security->sessions(ctx_of(req), req.account->id)) {
            list.push_back(session_item(s, locale));
            if (!s.current) ++others;
        }
        Data d;
        d.set("sessions", list);
        d.set("has_others", others > 0);
        const std::string ended = req.query().get_or("ended", "");
        if (!ended.empty() && ended.size() < 6 && ended.find_first_not_of("0123456789") == std::string::npos) {
            std::string text = locale.text("security.sessions.ended");
            if (auto pos = text.find("{n}"); pos != std::string::npos) text.replace(pos, 3, ended);
            d.set("notice", text);
        }
        if (req.query().get_or("missing", "") == "1") d.set("message", locale.text("security.sessions.missing"));
        return renderer.page(req, "identity/security_sessions", d, t(req, "security.sessions.title"));
    });

    router.post("/account/security/sessions/end-others", [&renderer, security, ctx_of](Request& req) {
        if (auto r = require_account(req, renderer)) return *r;
        const int n = security->end_other_sessions(ctx_of(req), req.account->id);
        return Response::redirect("/account/security/sessions?ended=" + std::to_string(n));
    });

    router.post("/account/security/sessions/end", [&renderer, security, ctx_of](Request& req) {
        if (auto r = require_account(req, renderer)) return *r;
        FormInput in(req);
        const bool ended = security->end_session(ctx_of(req), req.account->id, in.get("handle"));
        return Response::redirect(ended ? "/account/security/sessions?ended=1" : "/account/security/sessions?missing=1");
    });

    router.get("/api/v1/account/security/sessions", [&renderer, security, ctx_of](Request& req) {
        if (auto r = require_account(req, renderer)) return *r;
        nlohmann::json list = nlohmann::json::array();
        for (const auto& s : security->sessions(ctx_of(req), req.account->id)) list.push_back(session_json(s));
        return Response::json({{"sessions", list}});
    });

    router.post("/api/v1/account/security/sessions/end-others", [&renderer, security, ctx_of](Request& req) {
        if (auto r = require_account(req, renderer)) return *r;
        return Response::json({{"ended", security->end_other_sessions(ctx_of(req), req.account->id)}});
    });

    router.post("/api/v1/account/security/sessions/end", [&renderer, security, ctx_of](Request& req) {
        if (auto r = require_account(req, renderer)) return *r;
        FormInput in(req);
        if (!security->end_session(ctx_of(req), req.account->id, in.get("handle")))
            return Response::json_error(Status::not_found, "security.no_session",
                                        renderer.locale(req).text("security.sessions.missing"));
        return Response::json({{"ended", 1}});
    });

    // ---- recent actions and "who accessed my data" -------------------------------------------------------

    auto log_page = [&renderer, t](Request& req, const AuditPage& p, int page, bool access, const std::string& name) {
        const core::Locale& locale = renderer.locale(req);
        Data list{Data::type::list};
        for (const auto& e : p.entries) list.push_back(access ? access_item(e, locale) : activity_item(e, locale));
        Data d;
        d.set("entries", list);
        d.set("empty", p.entries.empty());
        d.set("pagination", catalog::pagination(renderer, req, static_cast<std::size_t>(page),
                                                static_cast<std::size_t>(p.total), SecurityService::kPageSize));
        return renderer.page(req, name, d, t(req, access ? "security.access_log.title" : "security.activity.title"));
    };

    auto log_json = [](const AuditPage& p, int page, bool access) {
        nlohmann::json list = nlohmann::json::array();
        for (const auto& e : p.entries) list.push_back(access ? access_json(e) : activity_json(e));
        return Response::json(
            {{"page", page}, {"page_size", SecurityService::kPageSize}, {"total", p.total}, {"entries", list}});
    };

    router.get("/account/activity", [&renderer, security, log_page](Request& req) {
        if (auto r = require_account(req, renderer)) return *r;
        const int page = page_number(req);
        return log_page(req, security->activity(req.account->id, page), page, false, "identity/activity");
    });

    router.get("/api/v1/account/activity", [&renderer, security, log_json](Request& req) {
        if (auto r = require_account(req, renderer)) return *r;
        const int page = page_number(req);
        return log_json(security->activity(req.account->id, page), page, false);
    });

    router.get("/account/access-log", [&renderer, security, log_page](Request& req) {
        if (auto r = require_account(req, renderer)) return *r;
        const int page = page_number(req);
        return log_page(req, security->access_log(req.account->id, page), page, true, "identity/access_log");
    });

    router.get("/api/v1/account/access-log", [&renderer, security, log_json](Request& req) {
        if (auto r = require_account(req, renderer)) return *r;
        const int page = page_number(req);
        return log_json(security->access_log(req.account->id, page), page, true);
    });

    // ---- deletion ---------------------------------------------------------------------------------------

    // The account is gone and its sessions ended: this browser gets a fresh anonymous session.
    auto deleted_page = [&renderer, &sessions, t](Request& req) {
        if (req.session) req.new_session_token = sessions.sign_out(*req.session);
        req.account.reset();
        if (req.wants_json()) return Response::json({{"deleted", true}});
        return renderer.page(req, "identity/security_deleted", Data{}, t(req, "security.delete.done_title"));
    };

    auto delete_page = [&renderer, t](Request& req, const Result* r, Status status) {
        Data d;
        if (r) add_result(d, *r, renderer.locale(req));
        return renderer.page(req, "identity/security_delete", d, t(req, "security.delete.title"), status);
    };

    router.get("/account/security/delete", [&renderer, delete_page](Request& req) {
        if (auto r = require_account(req, renderer)) return *r;
        return delete_page(req, nullptr, Status::ok);
    });

    router.post("/account/security/delete", [&renderer, security, delete_page, deleted_page, ctx_of](Request& req) {
        if (auto r = require_account(req, renderer)) return *r;
        FormInput in(req);
        Result r = security->start_deletion(ctx_of(req), req.account->id, in.get("password"), in.flag("confirm"));
        if (r.ok()) return deleted_page(req);
        if (r.outcome == Outcome::second_factor) return Response::redirect("/account/security/delete/code");
        return delete_page(req, &r, failed_page_status(r));
    });

    const CodeFlow delete_flow{"security.delete.code_title", "security.delete.code_lead",
                               "/account/security/delete/code", "/account/security/delete/resend",
                               "/account/security"};

    router.get("/account/security/delete/code", [&renderer, security, code_page, delete_flow, ctx_of](Request& req) {
        if (auto r = require_account(req, renderer)) return *r;
        auto v = security->deletion(ctx_of(req), req.account->id);
        if (!v) return Response::redirect("/account/security/delete");
        return code_page(req, delete_flow, *v, nullptr, Status::ok);
    });

    router.post("/account/security/delete/code",
                [&renderer, security, code_page, delete_flow, deleted_page, ctx_of](Request& req) {
                    if (auto r = require_account(req, renderer)) return *r;
                    FormInput in(req);
                    const Context ctx = ctx_of(req);
                    Result r = security->confirm_deletion(ctx, req.account->id, in.get("code"));
                    if (r.ok()) return deleted_page(req);
                    auto v = r.challenge ? r.challenge : security->deletion(ctx, req.account->id);
                    if (!v) return Response::redirect("/account/security/delete");
                    return code_page(req, delete_flow, *v, &r, failed_page_status(r));
                });

    router.post("/account/security/delete/resend",
                [&renderer, security, code_page, delete_flow, ctx_of](Request& req) {
                    if (auto r = require_account(req, renderer)) return *r;
                    const Context ctx = ctx_of(req);
                    Result r = security->resend_deletion(ctx, req.account->id);
                    if (r.ok()) return Response::redirect("/account/security/delete/code?sent=1");
                    auto v = security->deletion(ctx, req.account->id);
                    if (!v) return Response::redirect("/account/security/delete");
                    return code_page(req, delete_flow, *v, &r, failed_page_status(r));
                });

    router.post("/api/v1/account/security/delete", [&renderer, security, api_error, deleted_page, ctx_of](Request& req) {
        if (auto r = require_account(req, renderer)) return *r;
        FormInput in(req);
        Result r = security->start_deletion(ctx_of(req), req.account->id, in.get("password"), in.flag("confirm"));
        if (r.ok()) return deleted_page(req);
        if (r.outcome == Outcome::second_factor)
            return Response::json({{"deleted", false}, {"challenge", challenge_json(*r.challenge)}}, Status::accepted);
        return api_error(req, r);
    });

    router.post("/api/v1/account/security/delete/code",
                [&renderer, security, api_error, deleted_page, ctx_of](Request& req) {
                    if (auto r = require_account(req, renderer)) return *r;
                    FormInput in(req);
                    Result r = security->confirm_deletion(ctx_of(req), req.account->id, in.get("code"));
                    if (!r.ok()) return api_error(req, r);
                    return deleted_page(req);
                });
}

// ---- test routes ------------------------------------------------------------------------------------

void register_security_test_routes(http::Router& router, IdentityService& identity) {
    const http::RouteOptions options{.csrf = false, .load_session = false};

    router.post("/test/identity/access", [&identity](Request& req) {
        const nlohmann::json body = nlohmann::json::parse(req.body(), nullptr, false);
        if (!body.is_object()) throw http::BadRequest("body must be a JSON object");
        AuditEntry e;
        try {
            e.account_id = body.at("account_id").get<std::int64_t>();
            e.actor_kind = body.value("actor_kind", "officer");
            e.actor_id = body.value("actor_id", "");
            e.actor_name = body.value("actor_name", "");
            e.organisation = body.value("organisation", "");
            e.fields = body.value("fields", "");
            e.reason = body.value("reason", "");
            e.action = body.value("action", "data_read");
        } catch (const nlohmann::json::exception& ex) {
            throw http::BadRequest(ex.what());
        }
        try {
            identity.record_access(e);
        } catch (const std::invalid_argument& ex) {
            throw http::BadRequest(ex.what());
        }
        return Response::json({{"recorded", true}}, Status::created);
    }, options);

    router.get("/test/identity/audit/{account}", [&identity](Request& req) {
        std::int64_t account = 0;
        try {
            account = std::stoll(req.param("account"));
        } catch (const std::exception&) {
            throw http::BadRequest("account must be a number");
        }
        nlohmann::json list = nlohmann::json::array();
        for (const auto& e : identity.audit().list(account, false, 1000)) {
            auto opt = [](const std::string& s) { return s.empty() ? nlohmann::json() : nlohmann::json(s); };
            list.push_back({{"at", e.at}, {"actor_kind", e.actor_kind}, {"actor_name", opt(e.actor_name)},
                            {"action", e.action}, {"fields", opt(e.fields)}, {"ip", opt(e.ip)},
                            {"device", opt(e.device)}});
        }
        return Response::json({{"entries", list}});
    }, options);
}

}  // namespace uslugi::identity
