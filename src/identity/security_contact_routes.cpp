#include "identity/security_pages.hpp"

#include <string>

namespace uslugi::identity {

using http::Data;
using http::Request;
using http::Response;
using http::Status;

namespace {

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

// The phone and e-mail: a change is confirmed by a code or a link to the new contact.
void register_contact_routes(const SecurityPages& pages) {
    http::Router& router = pages.router;
    const http::Renderer& renderer = pages.renderer;
    SecurityService* const security = pages.security;
    const auto& ctx_of = pages.ctx_of;
    const auto& t = pages.t;
    const auto& api_error = pages.api_error;

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

    router.get("/account/security/contacts", [contacts_page](Request& req) {
        return contacts_page(req, "", "", nullptr, Status::ok);
    }, http::for_signed_in());

    router.post("/account/security/contacts", [security, contacts_page, ctx_of](Request& req) {
        FormInput in(req);
        const std::string kind = in.get("kind"), value = in.get("value");
        Result r = security->start_contact_change(ctx_of(req), req.account->id, kind, value, in.get("password"));
        if (r.ok()) return Response::redirect("/account/security/contacts/code");
        return contacts_page(req, kind, value, &r, failed_page_status(r));
    }, http::for_signed_in());

    const CodeFlow contact_flow{"security.contacts.code_title", "security.contacts.code_lead",
                                "/account/security/contacts/code", "/account/security/contacts/resend",
                                "/account/security/contacts", "/account/security/contacts"};

    router.get("/account/security/contacts/code", [security, contact_flow, ctx_of, pages](Request& req) {
        auto v = security->contact_change(ctx_of(req), req.account->id);
        return code_page_or_start(pages, req, contact_flow, v, nullptr);
    }, http::for_signed_in());

    router.post("/account/security/contacts/code",
                [&renderer, security, contact_flow, ctx_of, pages](Request& req) {
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
                    return code_page(pages, req, contact_flow, *v, &r, failed_page_status(r));
                }, http::for_signed_in());

    router.post("/account/security/contacts/resend",
                [security, contact_flow, ctx_of, pages](Request& req) {
                    const Context ctx = ctx_of(req);
                    Result r = security->resend_contact(ctx, req.account->id);
                    if (r.ok()) return Response::redirect("/account/security/contacts/code?sent=1");
                    auto v = security->contact_change(ctx, req.account->id);
                    return code_page_or_start(pages, req, contact_flow, v, &r);
                }, http::for_signed_in());

    auto contact_link_failed = [&renderer](Request& req, const Result& r) {
        Data d;
        add_result(d, r, renderer.locale(req));
        d.set("back", std::string("/account/security/contacts"));
        return renderer.page(req, "identity/security_message", d,
                             renderer.locale(req).text("security.contacts.failed_title"), failed_page_status(r));
    };

    // The link in the e-mail only shows the new address; the button POSTs.
    router.get("/account/security/contacts/confirm", [&renderer, security, contact_link_failed](Request& req) {
        const std::string token = req.query().get_or("token", "");
        if (auto v = security->identity().peek_link(token, "contact", req.account->id))
            return link_confirm_page(req, renderer, *v, "contact", "/account/security/contacts/confirm", token);
        return contact_link_failed(req, invalid_link());
    }, http::for_signed_in());

    router.post("/account/security/contacts/confirm", [security, ctx_of, contact_link_failed](Request& req) {
        FormInput in(req);
        Result r = security->confirm_contact_link(ctx_of(req), req.account->id, in.get("token"));
        if (r.ok()) return Response::redirect("/account/security?done=contact");
        return contact_link_failed(req, r);
    }, http::for_signed_in());

    router.post("/api/v1/account/security/contacts", [security, api_error, ctx_of](Request& req) {
        FormInput in(req);
        Result r = security->start_contact_change(ctx_of(req), req.account->id, in.get("kind"), in.get("value"),
                                                  in.get("password"));
        if (!r.ok()) return api_error(req, r);
        return Response::json({{"challenge", challenge_json(*r.challenge)}}, Status::accepted);
    }, http::for_signed_in());

    router.post("/api/v1/account/security/contacts/code", [security, api_error, ctx_of](Request& req) {
        FormInput in(req);
        Result r = security->confirm_contact_code(ctx_of(req), req.account->id, in.get("code"));
        if (!r.ok()) return api_error(req, r);
        return Response::json({{"changed", true}});
    }, http::for_signed_in());

    router.post("/api/v1/account/security/contacts/resend", [security, api_error, ctx_of](Request& req) {
        Result r = security->resend_contact(ctx_of(req), req.account->id);
        if (!r.ok()) return api_error(req, r);
        return Response::json({{"challenge", challenge_json(*r.challenge)}});
    }, http::for_signed_in());

    router.post("/api/v1/account/security/contacts/confirm-link", [security, api_error, ctx_of](Request& req) {
        FormInput in(req);
        Result r = security->confirm_contact_link(ctx_of(req), req.account->id, in.get("token"));
        if (!r.ok()) return api_error(req, r);
        return Response::json({{"changed", true}});
    }, http::for_signed_in());
}

}  // namespace uslugi::identity
