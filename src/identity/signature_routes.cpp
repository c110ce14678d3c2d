#include "identity/signature_routes.hpp"

#include "core/time.hpp"
#include "core/validators.hpp"
#include "http/time_zones.hpp"
#include "http/twin_routes.hpp"
#include "identity/web.hpp"

#include <memory>
#include <string>

namespace uslugi::identity {

using http::Data;
using http::Request;
using http::Response;
using http::Status;

namespace {

constexpr const char* kPage = "/account/confirm/signature";
constexpr const char* kApi = "/api/v1/account/confirm/signature";
// A 10 MB upload still reaches the handler, which says plainly that it is
// too large (the server's own limit would only answer 413).
constexpr std::size_t kUploadBodyLimit = 12 * 1024 * 1024;

struct Kit {
    const http::Renderer& renderer;
    SignatureConfirmation& signatures;
    std::string public_url;

    Context ctx(const Request& req) const { return context_of(req, public_url); }
    std::string t(const Request& req, const std::string& key) const { return renderer.locale(req).text(key); }
};
using KitPtr = std::shared_ptr<const Kit>;

// The HTTP status of a refusal, the same for the page and the API.
Status status_of(const std::string& code) {
    if (code == "not_standard") return Status::forbidden;
    if (code == "already_confirmed" || code == "no_challenge" || code == "no_tries_left") return Status::conflict;
    if (code == "too_many_challenges") return Status::too_many_requests;
    if (code == "too_large") return Status::payload_too_large;
    if (code == "empty" || code == "not_a_signature" || code == "truncated") return Status::bad_request;
    return Status::unprocessable_entity;
}

// The locale text of a refusal (wrong_person says which field differs).
std::string message_of(const Kit& k, const Request& req, const SignatureResult& r) {
    std::string key = "identity_signature.error." + r.code;
    if (r.code == "wrong_person") key += "_" + r.field;
    std::string text = k.t(req, key);
    if (r.retry_after > 0) text += " " + wait_text(k.renderer.locale(req), r.retry_after);
    return text;
}

std::string date_text(const Request& req, std::int64_t unix_seconds) {
    return http::local_time(req, unix_seconds) + " (" + http::zone_offset(req, unix_seconds) + ")";
}

Data signer_data(const Request& req, const core::cms::SignerCertificate& s) {
    Data d;
    d.set("holder", s.subject.common_name.empty() ? s.subject.text : s.subject.common_name);
    const auto snils = core::validate_snils(s.subject.snils);
    d.set("snils", snils ? snils.normalized : s.subject.snils);
    d.set("has_snils", !s.subject.snils.empty());
    d.set("inn", s.subject.inn);
    d.set("has_inn", !s.subject.inn.empty());
    d.set("issuer", s.issuer);
    d.set("valid_from", date_text(req, s.not_before));
    d.set("valid_until", date_text(req, s.not_after));
    return d;
}

nlohmann::json signer_json(const core::cms::SignerCertificate& s) {
    return {{"subject", s.subject.text}, {"snils", s.subject.snils}, {"inn", s.subject.inn},
            {"issuer", s.issuer},        {"serial", s.serial},       {"not_before", core::format_utc(s.not_before)},
            {"not_after", core::format_utc(s.not_after)},            {"key_algorithm", s.key_algorithm},
            {"digest_algorithm", s.digest_algorithm}};
}

// The page in every state: closed (level), done, the first step, a live
// challenge with the upload form, or a refused upload with its message.
Response page(const Kit& k, Request& req, const std::string& token, const SignatureResult* failed, Status status) {
    Data d;
    const std::int64_t account_id = req.account->id;
    const std::string refusal = k.signatures.refusal(account_id);
    d.set("done", refusal == "already_confirmed" && req.query().get_or("done", "") == "1");
    d.set("already", refusal == "already_confirmed" && req.query().get_or("done", "") != "1");
    d.set("not_standard", refusal == "not_standard");
    d.set("open", refusal.empty());
    if (refusal.empty() && !token.empty()) {
        const auto text = k.signatures.challenge_text(k.ctx(req), account_id, token);
        if (text) {
            Data c;
            c.set("text", *text);
            c.set("token", token);
            c.set("download", std::string(kPage) + "/challenge?token=" + http::url_encode(token));
            d.set("challenge", c);
        } else if (!failed) {
            d.set("stale", true);  // a link to a challenge that is used, expired or another session's
        }
    }
    if (failed) {
        d.set("error", message_of(k, req, *failed));
        d.set("error_code", failed->code);
        if (failed->tries_left > 0) d.set("tries_left", std::to_string(failed->tries_left));
        if (failed->signer) d.set("signer", signer_data(req, *failed->signer));
    }
    d.set("authorities", std::to_string(k.signatures.trust()->authorities()));
    return k.renderer.page(req, "identity/confirm_signature", d, k.t(req, "identity_signature.title"), status);
}

Response api_refusal(const Kit& k, const Request& req, const SignatureResult& r) {
    nlohmann::json body = {{"error", {{"code", "signature." + r.code}, {"message", message_of(k, req, r)}}}};
    if (!r.field.empty()) body["error"]["field"] = r.field;
    if (r.tries_left > 0) body["error"]["tries_left"] = r.tries_left;
    if (r.signer) body["error"]["certificate"] = signer_json(*r.signer);
    Response resp = Response::json(body, status_of(r.code));
    if (r.retry_after > 0) {
        body["error"]["retry_after"] = r.retry_after;
        resp = Response::json(body, status_of(r.code));
        resp.set_header("Retry-After", std::to_string(r.retry_after));
    }
    return resp;
}

void register_overview(const KitPtr& k, http::Router& router) {
    router.get(kPage, [k](Request& req) {
        return page(*k, req, req.query().get_or("challenge", ""), nullptr, Status::ok);
    }, http::for_signed_in());
    router.get(kApi, [k](Request& req) {
        const std::string refusal = k->signatures.refusal(req.account->id);
        return Response::json({{"available", refusal.empty()},
                               {"refusal", refusal.empty() ? nlohmann::json() : nlohmann::json(refusal)},
                               {"level", req.account->level},
                               {"authorities", k->signatures.trust()->authorities()},
                               {"gost", core::cms::gost_available()}});
    }, http::for_signed_in());
}

struct Issue {
    std::optional<IssuedChallenge> challenge;
    SignatureResult refused;
};

void register_challenge(const KitPtr& k, http::Router& router) {
    http::post_twins(
        router, {std::string(kPage) + "/challenge", std::string(kApi) + "/challenge"},
        [k](Request& req) {
            Issue out;
            out.challenge = k->signatures.issue(k->ctx(req), req.account->id, out.refused);
            return out;
        },
        [k](Request& req, const Issue& out) {
            if (!out.challenge) return page(*k, req, "", &out.refused, status_of(out.refused.code));
            return Response::redirect(std::string(kPage) + "?challenge=" + http::url_encode(out.challenge->token));
        },
        [k](Request& req, const Issue& out) {
            if (!out.challenge) return api_refusal(*k, req, out.refused);
            const auto& c = *out.challenge;
            return Response::json({{"token", c.token},
                                   {"challenge", c.text},
                                   {"expires_at", core::format_utc(c.expires_at)},
                                   {"download", std::string(kPage) + "/challenge?token=" + http::url_encode(c.token)}},
                                  Status::created);
        },
        http::for_signed_in());
    // The challenge as a file to sign (the page also shows it as text).
    router.get(std::string(kPage) + "/challenge", [k](Request& req) {
        const auto text = k->signatures.challenge_text(k->ctx(req), req.account->id, req.query().get_or("token", ""));
        if (!text) return k->renderer.error_page(req, Status::not_found);
        Response resp = Response::text(*text);
        resp.set_header("Content-Disposition", "attachment; filename=\"uslugi-challenge.txt\"");
        return resp;
    }, http::for_signed_in());
}

// The signature of a form or API call: an uploaded file wins over pasted text.
std::string signature_of(Request& req) {
    for (const auto& f : req.files())
        if (f.field == "signature_file" && !f.data.empty()) return f.data;
    return FormInput(req).get("signature");
}

void register_upload(const KitPtr& k, http::Router& router) {
    http::RouteOptions options = http::for_signed_in();
    options.body_limit = kUploadBodyLimit;
    http::post_twins(
        router, {kPage, kApi},
        [k](Request& req) {
            return k->signatures.submit(k->ctx(req), req.account->id, FormInput(req).get("token"), signature_of(req));
        },
        [k](Request& req, const SignatureResult& r) {
            if (r.ok()) return Response::redirect(std::string(kPage) + "?done=1");
            return page(*k, req, FormInput(req).get("token"), &r, status_of(r.code));
        },
        [k](Request& req, const SignatureResult& r) {
            if (!r.ok()) return api_refusal(*k, req, r);
            nlohmann::json body = {{"confirmed", true}, {"level", "confirmed"}, {"method", "qualified_signature"}};
            if (r.signer) body["certificate"] = signer_json(*r.signer);
            return Response::json(body);
        },
        options);
}

}  // namespace

void register_signature_routes(http::Router& router, const http::Renderer& renderer, SignatureConfirmation& signatures,
                               const core::Config& config) {
    auto k = std::make_shared<const Kit>(Kit{renderer, signatures, config.public_url});
    register_overview(k, router);
    register_challenge(k, router);
    register_upload(k, router);
}

}  // namespace uslugi::identity
