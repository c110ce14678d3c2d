#include "identity/routes.hpp"

#include "core/time.hpp"
#include "identity/web.hpp"

#include <nlohmann/json.hpp>

namespace uslugi::identity {

using http::Data;
using http::Request;
using http::Response;
using http::Status;

namespace {

std::string next_of(const Request& req) { return http::safe_next(req.query().get_or("next", "/account")); }

std::string with_next(const std::string& path, const std::string& next) {
    return next == "/account" ? path : path + "?next=" + http::url_encode(next);
}

// A page that asks to wait says how long in the header too, as the API does.
Response with_retry_after(Response resp, const Result* r) {
    if (r && r->retry_after > 0) resp.set_header("Retry-After", std::to_string(r->retry_after));
    return resp;
}

nlohmann::json account_json(const http::AccountBrief& a) {
    return {{"id", a.id}, {"name", a.display_name}, {"level", a.level}};
}

}  // namespace

void complete_sign_in(Request& req, http::App& app, http::SessionStore& sessions, IdentityService& service,
                      const Context& ctx, std::int64_t account_id, bool remember, const std::string& method,
                      const Account* known) {
    http::SessionData& s = app.ensure_session(req);
    req.new_session_token = sessions.sign_in(s, account_id, remember, ctx.ip, ctx.device);
    req.clear_session_cookie = false;
    req.account = known && known->id == account_id ? IdentityService::brief_of(*known) : service.brief(account_id);
    service.signed_in(ctx, account_id, method, known);
}

void register_routes(http::Router& router, http::App& app, const http::Renderer& renderer,
                     http::SessionStore& sessions, IdentityService& service, http::RateLimiter& limiter,
                     const core::Config& config) {
    const std::string public_url = config.public_url;
    auto ctx_of = [public_url](const Request& req) { return context_of(req, public_url); };
    auto t = [&renderer](const Request& req, const std::string& key) { return renderer.locale(req).text(key); };

    // ---- registration pages ----------------------------------------------------------------

    auto signup_form = [&renderer, t](Request& req, const Data& values, const Result* r, Status status) {
        Data d = values;
        if (r) {
            add_result(d, *r, renderer.locale(req));
        }
        return with_retry_after(renderer.page(req, "identity/signup", d, t(req, "identity.signup.title"), status), r);
    };

    router.get("/signup", [&app, &service, signup_form, ctx_of](Request& req) {
        if (req.account) return Response::redirect("/account");
        app.ensure_csrf(req);
        Data d;
        d.set("in_progress", service.registration(ctx_of(req)).has_value());
        return signup_form(req, d, nullptr, Status::ok);
    });

    router.post("/signup", [&service, signup_form, ctx_of](Request& req) {
        FormInput in(req);
        const std::string surname = in.get("surname"), name = in.get("name"), contact = in.get("contact");
        Result r = service.start_registration(ctx_of(req), surname, name, contact);
        if (r.ok()) return Response::redirect("/signup/code");
        Data d;
        d.set("surname", surname.substr(0, 200));
        d.set("name", name.substr(0, 200));
        d.set("contact", contact.substr(0, 300));
        return signup_form(req, d, &r, failed_page_status(r));
    });

    auto code_page = [&renderer, t](Request& req, const ChallengeView& v, const Result* r, Status status) {
        Data d = code_page_data(v, renderer.locale(req));
        if (r) {
            add_result(d, *r, renderer.locale(req));
        }
        if (req.query().get_or("sent", "") == "1") d.set("sent", true);
        return with_retry_after(renderer.page(req, "identity/signup_code", d, t(req, "identity.signup_code.title"), status),
                                r);
    };

    router.get("/signup/code", [&service, code_page, ctx_of](Request& req) {
        auto v = service.registration(ctx_of(req));
        if (!v) return Response::redirect("/signup");
        if (v->confirmed) return Response::redirect("/signup/password");
        return code_page(req, *v, nullptr, Status::ok);
    });

    router.post("/signup/code", [&service, code_page, ctx_of](Request& req) {
        FormInput in(req);
        const Context ctx = ctx_of(req);
        Result r = service.confirm_registration_code(ctx, in.get("code"));
        if (r.ok()) return Response::redirect("/signup/password");
        if (!r.challenge) return Response::redirect("/signup");
        return code_page(req, *r.challenge, &r, failed_page_status(r));
    });

    router.post("/signup/resend", [&service, code_page, ctx_of](Request& req) {
        const Context ctx = ctx_of(req);
        Result r = service.resend_registration(ctx);
        if (r.ok()) return Response::redirect("/signup/code?sent=1");
        auto v = service.registration(ctx);
        if (!v) return Response::redirect("/signup");
        return code_page(req, *v, &r, failed_page_status(r));
    });

    auto link_failed = [&renderer, t](Request& req, const Result& r) {
        Data d;
        add_result(d, r, renderer.locale(req));
        return renderer.page(req, "identity/link_failed", d, t(req, "identity.link_failed.title"), status_for(r));
    };

    // The link in the e-mail only shows what it confirms; the button POSTs.
    router.get("/signup/confirm", [&app, &renderer, &service, link_failed](Request& req) {
        app.ensure_csrf(req);  // the button needs a token; nothing is stored until it is pressed
        const std::string token = req.query().get_or("token", "");
        if (auto v = service.peek_link(token, "register"))
            return link_confirm_page(req, renderer, *v, "register", "/signup/confirm", token);
        return link_failed(req, invalid_link());
    });

    router.post("/signup/confirm", [&service, ctx_of, link_failed](Request& req) {
        FormInput in(req);
        Result r = service.confirm_registration_link(ctx_of(req), in.get("token"));
        if (r.ok()) return Response::redirect("/signup/password");
        return link_failed(req, r);
    });

    auto password_page = [&renderer, t](Request& req, const Result* r, Status status) {
        Data d;
        if (r) {
            add_result(d, *r, renderer.locale(req));
        }
        return renderer.page(req, "identity/signup_password", d, t(req, "identity.signup_password.title"), status);
    };

    router.get("/signup/password", [&service, password_page, ctx_of](Request& req) {
        auto v = service.registration(ctx_of(req));
        if (!v) return Response::redirect("/signup");
        if (!v->confirmed) return Response::redirect("/signup/code");
        return password_page(req, nullptr, Status::ok);
    });

    router.post("/signup/password", [&app, &sessions, &service, password_page, ctx_of](Request& req) {
        FormInput in(req);
        const Context ctx = ctx_of(req);
        Result r = service.finish_registration(ctx, in.get("password"), in.get("password_repeat"));
        if (r.ok()) {
            complete_sign_in(req, app, sessions, service, ctx, r.account_id, false, "registration");
            return Response::redirect("/account?welcome=1");
        }
        if (r.outcome == Outcome::no_challenge) return Response::redirect("/signup");
        return password_page(req, &r, failed_page_status(r));
    });

    // ---- sign-in pages -----------------------------------------------------------------------

    auto signin_form = [&renderer, t](Request& req, const std::string& login, bool remember, const Result* r,
                                      Status status) {
        Data d;
        d.set("login", login.substr(0, 300));
        d.set("remember", remember);
        d.set("next", next_of(req));
        d.set("action", with_next("/signin", next_of(req)));
        if (r) {
            add_result(d, *r, renderer.locale(req));
        }
        return with_retry_after(renderer.page(req, "identity/signin", d, t(req, "identity.signin.title"), status), r);
    };

    router.get("/signin", [&app, signin_form](Request& req) {
        if (req.account) return Response::redirect(next_of(req));
        app.ensure_csrf(req);
        return signin_form(req, "", false, nullptr, Status::ok);
    });

    router.post("/signin", [&app, &sessions, &service, signin_form, ctx_of](Request& req) {
        FormInput in(req);
        const Context ctx = ctx_of(req);
        const std::string login = in.get("login");
        const bool remember = in.flag("remember");
        Result r = service.sign_in(ctx, login, in.get("password"), remember);
        const std::string next = next_of(req);
        if (r.ok()) {
            complete_sign_in(req, app, sessions, service, ctx, r.account_id, remember, "password", r.account.get());
            return Response::redirect(next);
        }
        if (r.outcome == Outcome::second_factor) return Response::redirect(with_next("/signin/code", next));
        return signin_form(req, login, remember, &r, failed_page_status(r));
    });

    auto second_page = [&renderer, t](Request& req, const ChallengeView& v, const Result* r, Status status) {
        Data d = code_page_data(v, renderer.locale(req));
        d.set("action", with_next("/signin/code", next_of(req)));
        d.set("resend_action", with_next("/signin/resend", next_of(req)));
        if (r) {
            add_result(d, *r, renderer.locale(req));
        }
        if (req.query().get_or("sent", "") == "1") d.set("sent", true);
        return with_retry_after(renderer.page(req, "identity/signin_code", d, t(req, "identity.signin_code.title"), status),
                                r);
    };

    router.get("/signin/code", [&service, second_page, ctx_of](Request& req) {
        auto v = service.second_factor(ctx_of(req));
        if (!v) return Response::redirect(with_next("/signin", next_of(req)));
        return second_page(req, *v, nullptr, Status::ok);
    });

    router.post("/signin/code", [&app, &sessions, &service, second_page, ctx_of](Request& req) {
        FormInput in(req);
        const Context ctx = ctx_of(req);
        Result r = service.confirm_second_factor(ctx, in.get("code"));
        if (r.ok()) {
            complete_sign_in(req, app, sessions, service, ctx, r.account_id, r.remember, "password+code");
            return Response::redirect(next_of(req));
        }
        auto v = r.challenge ? r.challenge : service.second_factor(ctx);
        if (!v) return Response::redirect(with_next("/signin", next_of(req)));
        return second_page(req, *v, &r, failed_page_status(r));
    });

    router.post("/signin/resend", [&service, second_page, ctx_of](Request& req) {
        const Context ctx = ctx_of(req);
        Result r = service.resend_second_factor(ctx);
        if (r.ok()) {
            std::string next = next_of(req);
            return Response::redirect(with_next("/signin/code", next) + (next == "/account" ? "?sent=1" : "&sent=1"));
        }
        auto v = service.second_factor(ctx);
        if (!v) return Response::redirect(with_next("/signin", next_of(req)));
        return second_page(req, *v, &r, failed_page_status(r));
    });

    auto sign_out = [&sessions, &service, ctx_of](Request& req) {
        if (req.session && req.session->account_id) {
            service.signed_out(ctx_of(req), *req.session->account_id);
            req.new_session_token = sessions.sign_out(*req.session);
            req.account.reset();
        }
        if (req.wants_json()) return Response::json({{"signed_in", false}});
        return Response::redirect("/");
    };
    router.post("/signout", sign_out);
    router.post("/api/v1/identity/signout", sign_out);

    // ---- the account's home and levels --------------------------------------------------------

    router.get("/account", [&renderer, &service, t](Request& req) {
        auto a = service.accounts().find(req.account->id);
        if (!a) return renderer.error_page(req, Status::not_found);
        Data d;
        d.set("name", a->display_name());
        d.set("level", std::string(to_string(a->level)));
        d.set("level_text", t(req, "identity.level." + std::string(to_string(a->level))));
        d.set("is_simplified", a->level == Level::simplified);
        d.set("is_standard", a->level == Level::standard);
        d.set("is_confirmed", a->level == Level::confirmed);
        if (!a->phone.empty()) d.set("phone", mask_contact({ContactKind::phone, a->phone}));
        if (!a->email.empty()) d.set("email", mask_contact({ContactKind::email, a->email}));
        d.set("welcome", req.query().get_or("welcome", "") == "1");
        return renderer.page(req, "identity/account", d, t(req, "identity.account.title"));
    }, http::for_signed_in());

    // "What you need for this" (ID-4): the steps between the visitor's level and `need`.
    auto access_data = [t, &service](Request& req, Level need, const std::string& next) {
        std::optional<Level> have;
        if (req.account) have = parse_level(req.account->level);
        const LevelGate g = gate(have, need, req.account && service.checks_running(req.account->id));
        Data d;
        d.set("allowed", g.allowed);
        d.set("need_text", t(req, "identity.level." + std::string(to_string(need))));
        if (have) d.set("have_text", t(req, "identity.level." + std::string(to_string(*have))));
        d.set("next", next);
        Data steps{Data::type::list};
        int n = 0;
        for (LevelStep s : g.missing) {
            const std::string key = "identity.step." + std::string(to_string(s));
            Data item;
            item.set("number", std::to_string(++n));
            item.set("title", t(req, key + ".title"));
            item.set("text", t(req, key + ".text"));
            std::string href = s == LevelStep::sign_in           ? "/signin?next=" + http::url_encode(next)
                               : s == LevelStep::fill_profile     ? "/account/details"
                               : s == LevelStep::wait_for_checks  ? "/account/details"
                                                                  : "/account/level";
            item.set("href", href);
            item.set("link", t(req, key + ".link"));
            steps.push_back(item);
        }
        d.set("steps", steps);
        d.set("has_steps", n > 0);
        return std::make_pair(d, g);
    };

    router.get("/access", [&renderer, access_data, t](Request& req) {
        Level need = Level::standard;
        try {
            need = parse_level(req.query().get_or("need", "standard"));
        } catch (const std::invalid_argument&) {
            return renderer.error_page(req, Status::bad_request);
        }
        const std::string next = http::safe_next(req.query().get_or("next", "/"));
        auto [d, g] = access_data(req, need, next);
        return renderer.page(req, "identity/access", d, t(req, "identity.access.title"));
    });

    // Public: the table of levels; a signed-in user also sees their own and the next steps.
    router.get("/account/level", [&renderer, access_data, t](Request& req) {
        auto [d, g] = access_data(req, Level::confirmed, "/account");
        return renderer.page(req, "identity/level", d, t(req, "identity.level_page.title"));
    });

    // ---- JSON API --------------------------------------------------------------------------------

    router.get("/api/v1/session", [&app](Request& req) {
        nlohmann::json j{
            {"csrf_token", app.ensure_csrf(req)}, {"lang", req.lang}, {"time_zone", req.time_zone}, {"signed_in", req.account != nullptr}};
        if (req.account) j["account"] = account_json(*req.account);
        return Response::json(j);
    });

    auto api_error = [&renderer](Request& req, const Result& r) { return api_failure(r, renderer.locale(req)); };

    router.post("/api/v1/identity/registrations", [&service, api_error, ctx_of](Request& req) {
        FormInput in(req);
        Result r = service.start_registration(ctx_of(req), in.get("surname"), in.get("name"), in.get("contact"));
        if (!r.ok()) return api_error(req, r);
        return Response::json({{"challenge", challenge_json(*r.challenge)}}, Status::created);
    });

    router.get("/api/v1/identity/registrations/current", [&renderer, &service, ctx_of](Request& req) {
        auto v = service.registration(ctx_of(req));
        if (!v)
            return Response::json_error(Status::not_found, "identity.no_challenge",
                                        renderer.locale(req).text("identity.error.no_challenge"));
        return Response::json({{"challenge", challenge_json(*v)}});
    });

    router.post("/api/v1/identity/registrations/current/code", [&service, api_error, ctx_of](Request& req) {
        FormInput in(req);
        Result r = service.confirm_registration_code(ctx_of(req), in.get("code"));
        if (!r.ok()) return api_error(req, r);
        return Response::json({{"challenge", challenge_json(*r.challenge)}});
    });

    router.post("/api/v1/identity/registrations/current/resend", [&service, api_error, ctx_of](Request& req) {
        Result r = service.resend_registration(ctx_of(req));
        if (!r.ok()) return api_error(req, r);
        return Response::json({{"challenge", challenge_json(*r.challenge)}});
    });

    router.post("/api/v1/identity/registrations/confirm-link", [&service, api_error, ctx_of](Request& req) {
        FormInput in(req);
        Result r = service.confirm_registration_link(ctx_of(req), in.get("token"));
        if (!r.ok()) return api_error(req, r);
        return Response::json({{"challenge", challenge_json(*r.challenge)}});
    });

    router.post("/api/v1/identity/registrations/current/password",
                [&app, &sessions, &service, api_error, ctx_of](Request& req) {
                    FormInput in(req);
                    const Context ctx = ctx_of(req);
                    Result r = service.finish_registration(ctx, in.get("password"), in.get("password_repeat"));
                    if (!r.ok()) return api_error(req, r);
                    complete_sign_in(req, app, sessions, service, ctx, r.account_id, false, "registration");
                    return Response::json({{"signed_in", true}, {"account", account_json(*req.account)}},
                                          Status::created);
                });

    router.post("/api/v1/identity/password-strength", [&renderer, &service, &limiter](Request& req) {
        FormInput in(req);
        const std::string key = "pwstrength:" + (req.session ? req.session->id_hash : req.remote_ip);
        if (auto d = limiter.hit(key, 300, std::chrono::seconds(300)); !d.allowed) {
            Response r = Response::json_error(Status::too_many_requests, "rate.limited",
                                              renderer.locale(req).text("errors.429.text"));
            r.set_header("Retry-After", std::to_string(d.retry_after));
            return r;
        }
        const std::string password = in.get("password");
        std::vector<std::string> inputs;
        for (const char* f : {"surname", "name", "contact"})
            if (auto v = in.get(f); !v.empty()) inputs.push_back(v.substr(0, 200));
        if (req.account) {
            if (auto a = service.accounts().find(req.account->id)) {
                for (const auto& v : {a->surname, a->name, a->phone, a->email})
                    if (!v.empty()) inputs.push_back(v);
            }
        }
        const PasswordVerdict v = service.rate_password(password, inputs);
        const core::Locale& locale = renderer.locale(req);
        return Response::json({{"score", v.score},
                               {"acceptable", v.score >= kPasswordMinScore},
                               {"label", locale.text("identity.strength." + std::to_string(v.score))}});
    });

    router.post("/api/v1/identity/signin", [&app, &sessions, &service, api_error, ctx_of](Request& req) {
        FormInput in(req);
        const Context ctx = ctx_of(req);
        const bool remember = in.flag("remember");
        Result r = service.sign_in(ctx, in.get("login"), in.get("password"), remember);
        if (r.outcome == Outcome::second_factor)
            return Response::json({{"signed_in", false}, {"challenge", challenge_json(*r.challenge)}},
                                  Status::accepted);
        if (!r.ok()) return api_error(req, r);
        complete_sign_in(req, app, sessions, service, ctx, r.account_id, remember, "password", r.account.get());
        return Response::json({{"signed_in", true}, {"account", account_json(*req.account)}});
    });

    router.post("/api/v1/identity/signin/code", [&app, &sessions, &service, api_error, ctx_of](Request& req) {
        FormInput in(req);
        const Context ctx = ctx_of(req);
        Result r = service.confirm_second_factor(ctx, in.get("code"));
        if (!r.ok()) return api_error(req, r);
        complete_sign_in(req, app, sessions, service, ctx, r.account_id, r.remember, "password+code");
        return Response::json({{"signed_in", true}, {"account", account_json(*req.account)}});
    });

    router.post("/api/v1/identity/signin/resend", [&service, api_error, ctx_of](Request& req) {
        Result r = service.resend_second_factor(ctx_of(req));
        if (!r.ok()) return api_error(req, r);
        return Response::json({{"challenge", challenge_json(*r.challenge)}});
    });

    router.get("/api/v1/account", [&renderer, &service](Request& req) {
        auto a = service.accounts().find(req.account->id);
        if (!a) return renderer.error_page(req, Status::not_found);
        nlohmann::json j = account_json(*req.account);
        j["surname"] = a->surname;
        j["first_name"] = a->name;
        j["phone"] = a->phone.empty() ? nlohmann::json() : nlohmann::json(a->phone);
        j["email"] = a->email.empty() ? nlohmann::json() : nlohmann::json(a->email);
        j["two_factor"] = a->two_factor;
        j["created_at"] = core::format_utc(a->created_at);
        return Response::json(j);
    }, http::for_signed_in());

    router.get("/api/v1/access", [&renderer, &service](Request& req) {
        Level need = Level::standard;
        try {
            need = parse_level(req.query().get_or("need", "standard"));
        } catch (const std::invalid_argument&) {
            return Response::json_error(Status::bad_request, "access.bad_level",
                                        renderer.locale(req).text("errors.400.text"));
        }
        std::optional<Level> have;
        if (req.account) have = parse_level(req.account->level);
        const LevelGate g = gate(have, need, req.account && service.checks_running(req.account->id));
        nlohmann::json steps = nlohmann::json::array();
        for (LevelStep s : g.missing) steps.push_back(std::string(to_string(s)));
        return Response::json({{"allowed", g.allowed},
                               {"need", std::string(to_string(need))},
                               {"have", have ? nlohmann::json(std::string(to_string(*have))) : nlohmann::json()},
                               {"missing", steps}});
    });
}

}  // namespace uslugi::identity
