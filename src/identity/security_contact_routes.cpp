#include "http/twin_routes.hpp"
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

Response contacts_page(const SecurityPages& pages, Request& req, const std::string& kind, const std::string& value,
                       const Result* r, Status status) {
    auto a = pages.security->identity().accounts().find(req.account->id);
    if (!a) return pages.renderer.error_page(req, Status::not_found);
    Data d;
    if (!a->phone.empty()) d.set("current_phone", mask_contact({ContactKind::phone, a->phone}));
    if (!a->email.empty()) d.set("current_email", mask_contact({ContactKind::email, a->email}));
    if (kind == "phone" || kind == "email") d.set(kind, value.substr(0, 254));
    if (r) {
        Result shown = *r;
        shown.errors = contact_errors(r->errors, kind == "email" ? "email" : "phone");
        add_result(d, shown, pages.renderer.locale(req));
    }
    return pages.renderer.page(req, "identity/security_contacts", d, pages.t(req, "security.contacts.title"), status);
}

// A code or link that cannot change the contact any more (used, expired, or the contact is taken meanwhile).
Response change_failed(const SecurityPages& pages, Request& req, const Result& r) {
    Data d;
    add_result(d, r, pages.renderer.locale(req));
    d.set("back", std::string("/account/security/contacts"));
    return pages.renderer.page(req, "identity/security_message", d, pages.t(req, "security.contacts.failed_title"),
                               failed_page_status(r));
}

const CodeFlow& contact_flow() {
    static const CodeFlow flow{"security.contacts.code_title", "security.contacts.code_lead",
                               "/account/security/contacts/code", "/account/security/contacts/resend",
                               "/account/security/contacts", "/account/security/contacts"};
    return flow;
}

auto changed_or_error(const SecurityPages& pages) {
    return [pages](Request& req, const Result& r) {
        if (!r.ok()) return pages.api_error(req, r);
        return Response::json({{"changed", true}});
    };
}

void register_start(const SecurityPages& pages) {
    pages.router.get("/account/security/contacts", [pages](Request& req) {
        return contacts_page(pages, req, "", "", nullptr, Status::ok);
    }, http::for_signed_in());
    http::post_twins(
        pages.router, {"/account/security/contacts", "/api/v1/account/security/contacts"},
        [pages](Request& req) {
            FormInput in(req);
            return pages.security->start_contact_change(pages.ctx_of(req), req.account->id, in.get("kind"),
                                                        in.get("value"), in.get("password"));
        },
        [pages](Request& req, const Result& r) {
            if (r.ok()) return Response::redirect("/account/security/contacts/code");
            FormInput in(req);
            return contacts_page(pages, req, in.get("kind"), in.get("value"), &r, failed_page_status(r));
        },
        [pages](Request& req, const Result& r) {
            if (!r.ok()) return pages.api_error(req, r);
            return Response::json({{"challenge", challenge_json(*r.challenge)}}, Status::accepted);
        },
        http::for_signed_in());
}

void register_code(const SecurityPages& pages) {
    pages.router.get("/account/security/contacts/code", [pages](Request& req) {
        auto v = pages.security->contact_change(pages.ctx_of(req), req.account->id);
        return code_page_or_start(pages, req, contact_flow(), v, nullptr);
    }, http::for_signed_in());
    http::post_twins(
        pages.router, {"/account/security/contacts/code", "/api/v1/account/security/contacts/code"},
        [pages](Request& req) {
            return pages.security->confirm_contact_code(pages.ctx_of(req), req.account->id, FormInput(req).get("code"));
        },
        [pages](Request& req, const Result& r) {
            if (r.ok()) return Response::redirect("/account/security?done=contact");
            auto v = r.challenge ? r.challenge : pages.security->contact_change(pages.ctx_of(req), req.account->id);
            if (!v || r.outcome == Outcome::contact_taken) return change_failed(pages, req, r);
            return code_page(pages, req, contact_flow(), *v, &r, failed_page_status(r));
        },
        changed_or_error(pages), http::for_signed_in());
    http::post_twins(
        pages.router, {"/account/security/contacts/resend", "/api/v1/account/security/contacts/resend"},
        [pages](Request& req) { return pages.security->resend_contact(pages.ctx_of(req), req.account->id); },
        [pages](Request& req, const Result& r) {
            if (r.ok()) return Response::redirect("/account/security/contacts/code?sent=1");
            auto v = pages.security->contact_change(pages.ctx_of(req), req.account->id);
            return code_page_or_start(pages, req, contact_flow(), v, &r);
        },
        [pages](Request& req, const Result& r) {
            if (!r.ok()) return pages.api_error(req, r);
            return Response::json({{"challenge", challenge_json(*r.challenge)}});
        },
        http::for_signed_in());
}

// The link in the e-mail only shows the new address; the button POSTs.
void register_link(const SecurityPages& pages) {
    pages.router.get("/account/security/contacts/confirm", [pages](Request& req) {
        const std::string token = req.query().get_or("token", "");
        if (auto v = pages.security->identity().peek_link(token, "contact", req.account->id))
            return link_confirm_page(req, pages.renderer, *v, "contact", "/account/security/contacts/confirm", token);
        return change_failed(pages, req, invalid_link());
    }, http::for_signed_in());
    http::post_twins(
        pages.router, {"/account/security/contacts/confirm", "/api/v1/account/security/contacts/confirm-link"},
        [pages](Request& req) {
            return pages.security->confirm_contact_link(pages.ctx_of(req), req.account->id,
                                                        FormInput(req).get("token"));
        },
        [pages](Request& req, const Result& r) {
            if (r.ok()) return Response::redirect("/account/security?done=contact");
            return change_failed(pages, req, r);
        },
        changed_or_error(pages), http::for_signed_in());
}

}  // namespace

// The phone and e-mail: a change is confirmed by a code or a link to the new contact.
void register_contact_routes(const SecurityPages& pages) {
    register_start(pages);
    register_code(pages);
    register_link(pages);
}

}  // namespace uslugi::identity
