#include "identity/security_pages.hpp"

#include "core/time.hpp"
#include "http/time_zones.hpp"

#include <array>
#include <string>

namespace uslugi::identity {

using http::Data;
using http::Request;
using http::Response;
using http::Status;

namespace {

nlohmann::json questions_json(const core::Locale& locale) {
    nlohmann::json out = nlohmann::json::array();
    for (auto key : kSecurityQuestions)
        out.push_back({{"key", std::string(key)}, {"text", locale.text("security.questions." + std::string(key))}});
    return out;
}

constexpr const char* kSecurity = "/account/security";

// The confirmations ?done=… may show on the overview (anything else is ignored).
constexpr std::array<std::string_view, 9> kDoneNotices{"password",   "question",   "two_factor_on", "two_factor_off",
                                                       "notify_on",  "notify_off", "contact",       "recovered",
                                                       "sessions"};

}  // namespace

// The overview of the account settings and the e-mail on every sign-in.
void register_overview_routes(const SecurityPages& pages) {
    http::Router& router = pages.router;
    const http::Renderer& renderer = pages.renderer;
    SecurityService* const security = pages.security;
    const auto& ctx_of = pages.ctx_of;
    const auto& t = pages.t;
    const auto& api_error = pages.api_error;

    // ---- overview --------------------------------------------------------------------------------

    auto overview = [&renderer, security, t](Request& req, const Result* r, Status status) {
        auto a = security->identity().accounts().find(req.account->id);
        if (!a) return renderer.error_page(req, Status::not_found);
        const core::Locale& locale = renderer.locale(req);
        Data d;
        if (a->password_changed_at) {
            d.set("password_changed", http::local_time(req, a->password_changed_at));
            d.set("password_changed_zone", http::zone_offset(req, a->password_changed_at));
        }
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

    router.get(kSecurity, [overview](Request& req) {
        return overview(req, nullptr, Status::ok);
    }, http::for_signed_in());

    router.get("/api/v1/account/security", [&renderer, security](Request& req) {
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
    }, http::for_signed_in());

    // ---- e-mail on every sign-in ---------------------------------------------------------------------

    router.post("/account/security/notify-signin", [security, overview, ctx_of](Request& req) {
        FormInput in(req);
        const bool on = in.flag("on");
        Result r = security->set_notify_signin(ctx_of(req), req.account->id, on);
        if (r.ok()) return Response::redirect(on ? "/account/security?done=notify_on" : "/account/security?done=notify_off");
        return overview(req, &r, failed_page_status(r));
    }, http::for_signed_in());

    router.post("/api/v1/account/security/notify-signin", [security, api_error, ctx_of](Request& req) {
        FormInput in(req);
        const bool on = in.flag("on");
        Result r = security->set_notify_signin(ctx_of(req), req.account->id, on);
        if (!r.ok()) return api_error(req, r);
        return Response::json({{"notify_signin", on}});
    }, http::for_signed_in());
}

}  // namespace uslugi::identity
