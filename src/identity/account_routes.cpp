// The account's home, the session and account in JSON, "what you need for
// this" (ID-4) and the password strength meter of the forms.
#include "core/time.hpp"
#include "http/rate_limiter.hpp"
#include "identity/route_kit.hpp"

namespace uslugi::identity {

using http::Data;
using http::Request;
using http::Response;
using http::Status;

namespace {

// What a visitor has and needs for a level: one handler for /access, /account/level and /api/v1/access.
struct LevelCheck {
    Level need = Level::standard;
    std::optional<Level> have;
    LevelGate gate;
};

LevelCheck check_level(const RouteKit& k, const Request& req, Level need) {
    LevelCheck c;
    c.need = need;
    if (req.account) c.have = parse_level(req.account->level);
    c.gate = gate(c.have, need, req.account && k.identity.checks_running(req.account->id));
    return c;
}

// The level asked for in ?need= (standard by default); nullopt when it names no level.
std::optional<Level> needed_level(const Request& req) {
    try {
        return parse_level(req.query().get_or("need", "standard"));
    } catch (const std::invalid_argument&) {
        return std::nullopt;
    }
}

std::string step_href(LevelStep s, const std::string& next) {
    switch (s) {
        case LevelStep::sign_in: return "/signin?next=" + http::url_encode(next);
        case LevelStep::fill_profile:
        case LevelStep::wait_for_checks: return "/account/details";
        // Every way to the confirmed level, the nearest service centres first.
        case LevelStep::confirm_identity: return "/account/confirm";
        default: return "/account/level";
    }
}

Data level_data(const RouteKit& k, const Request& req, const LevelCheck& c, const std::string& next) {
    Data d;
    d.set("allowed", c.gate.allowed);
    d.set("need_text", k.t(req, "identity.level." + std::string(to_string(c.need))));
    if (c.have) d.set("have_text", k.t(req, "identity.level." + std::string(to_string(*c.have))));
    d.set("next", next);
    Data steps{Data::type::list};
    int n = 0;
    for (LevelStep s : c.gate.missing) {
        const std::string key = "identity.step." + std::string(to_string(s));
        Data item;
        item.set("number", std::to_string(++n));
        item.set("title", k.t(req, key + ".title"));
        item.set("text", k.t(req, key + ".text"));
        item.set("href", step_href(s, next));
        item.set("link", k.t(req, key + ".link"));
        if (s == LevelStep::fill_profile) item.set("text", k.t(req, "flows.level.fill_profile_text"));
        steps.push_back(item);
    }
    d.set("steps", steps);
    d.set("has_steps", n > 0);
    d.set("can_sign", c.have == Level::standard && !c.gate.allowed);  // ID-3c: confirm_signature.mustache
    return d;
}

nlohmann::json level_json(const LevelCheck& c) {
    nlohmann::json steps = nlohmann::json::array();
    for (LevelStep s : c.gate.missing) steps.push_back(std::string(to_string(s)));
    return {{"allowed", c.gate.allowed},
            {"need", std::string(to_string(c.need))},
            {"have", c.have ? nlohmann::json(std::string(to_string(*c.have))) : nlohmann::json()},
            {"missing", steps}};
}

void register_levels(const Kit& k) {
    http::get_twins(
        k->router, {"/access", "/api/v1/access"},
        [k](Request& req) -> std::optional<LevelCheck> {
            if (auto need = needed_level(req)) return check_level(*k, req, *need);
            return std::nullopt;
        },
        [k](Request& req, const std::optional<LevelCheck>& c) {
            if (!c) return k->renderer.error_page(req, Status::bad_request);
            const Data d = level_data(*k, req, *c, http::safe_next(req.query().get_or("next", "/")));
            return k->renderer.page(req, "identity/access", d, k->t(req, "identity.access.title"));
        },
        [k](Request& req, const std::optional<LevelCheck>& c) {
            if (!c) return Response::json_error(Status::bad_request, "access.bad_level", k->t(req, "errors.400.text"));
            return Response::json(level_json(*c));
        });
    // Public: the table of levels; a signed-in user also sees their own and the next steps.
    k->router.get("/account/level", [k](Request& req) {
        const Data d = level_data(*k, req, check_level(*k, req, Level::confirmed), "/account");
        return k->renderer.page(req, "identity/level", d, k->t(req, "identity.level_page.title"));
    });
}

Data account_data(const RouteKit& k, const Request& req, const Account& a) {
    Data d;
    d.set("name", a.display_name());
    d.set("level", std::string(to_string(a.level)));
    d.set("level_text", k.t(req, "identity.level." + std::string(to_string(a.level))));
    d.set("is_simplified", a.level == Level::simplified);
    d.set("is_standard", a.level == Level::standard);
    d.set("is_confirmed", a.level == Level::confirmed);
    if (!a.phone.empty()) d.set("phone", mask_contact({ContactKind::phone, a.phone}));
    if (!a.email.empty()) d.set("email", mask_contact({ContactKind::email, a.email}));
    d.set("welcome", req.query().get_or("welcome", "") == "1");
    return d;
}

nlohmann::json account_details_json(const Request& req, const Account& a) {
    nlohmann::json j = account_json(*req.account);
    j["surname"] = a.surname;
    j["first_name"] = a.name;
    j["phone"] = a.phone.empty() ? nlohmann::json() : nlohmann::json(a.phone);
    j["email"] = a.email.empty() ? nlohmann::json() : nlohmann::json(a.email);
    j["two_factor"] = a.two_factor;
    j["confirmed_by"] = a.confirmed_method.empty() ? nlohmann::json() : nlohmann::json(a.confirmed_method);
    j["created_at"] = core::format_utc(a.created_at);
    return j;
}

void register_home(const Kit& k) {
    http::get_twins(
        k->router, {"/account", "/api/v1/account"},
        [k](Request& req) { return k->identity.accounts().find(req.account->id); },
        [k](Request& req, const std::optional<Account>& a) {
            if (!a) return k->renderer.error_page(req, Status::not_found);
            return k->renderer.page(req, "identity/account", account_data(*k, req, *a),
                                    k->t(req, "identity.account.title"));
        },
        [k](Request& req, const std::optional<Account>& a) {
            if (!a) return k->renderer.error_page(req, Status::not_found);
            return Response::json(account_details_json(req, *a));
        },
        http::for_signed_in());
    k->router.get("/api/v1/session", [k](Request& req) {
        nlohmann::json j{
            {"csrf_token", k->app.ensure_csrf(req)},
            {"lang", req.lang},
            {"time_zone", req.time_zone},
            {"signed_in", req.account != nullptr}};
        if (req.account) j["account"] = account_json(*req.account);
        return Response::json(j);
    });
}

// What the password is checked against: the names and contact typed in the
// form, and the signed-in account's own.
std::vector<std::string> personal_words(const RouteKit& k, const Request& req, const FormInput& in) {
    std::vector<std::string> words;
    for (const char* f : {"surname", "name", "contact"})
        if (auto v = in.get(f); !v.empty()) words.push_back(v.substr(0, 200));
    if (!req.account) return words;
    if (auto a = k.identity.accounts().find(req.account->id))
        for (const auto& v : {a->surname, a->name, a->phone, a->email})
            if (!v.empty()) words.push_back(v);
    return words;
}

void register_password_strength(const Kit& k, http::RateLimiter& limiter) {
    k->router.post("/api/v1/identity/password-strength", [k, &limiter](Request& req) {
        FormInput in(req);
        const std::string key = "pwstrength:" + (req.session ? req.session->id_hash : req.remote_ip);
        if (auto d = limiter.hit(key, 300, std::chrono::seconds(300)); !d.allowed) {
            Response r = Response::json_error(Status::too_many_requests, "rate.limited", k->t(req, "errors.429.text"));
            r.set_header("Retry-After", std::to_string(d.retry_after));
            return r;
        }
        const PasswordVerdict v = k->identity.rate_password(in.get("password"), personal_words(*k, req, in));
        return Response::json({{"score", v.score},
                               {"acceptable", v.score >= kPasswordMinScore},
                               {"label", k->t(req, "identity.strength." + std::to_string(v.score))}});
    });
}

}  // namespace

void register_account_routes(const Kit& kit, http::RateLimiter& limiter) {
    register_home(kit);
    register_levels(kit);
    register_password_strength(kit, limiter);
}

}  // namespace uslugi::identity
