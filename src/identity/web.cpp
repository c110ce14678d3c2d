#include "identity/web.hpp"

#include "identity/model.hpp"

#include <algorithm>
#include <array>
#include <string_view>
#include <utility>
#include <vector>

namespace uslugi::identity {

FormInput::FormInput(http::Request& req) : req_(req) {
    if (req.header(http::bhttp::field::content_type).rfind("application/json", 0) == 0) {
        json_ = nlohmann::json::parse(req.body(), nullptr, false);
        if (!json_.is_object()) throw http::BadRequest("the body must be a JSON object");
        is_json_ = true;
    }
}

std::string FormInput::get(const std::string& name) const {
    if (is_json_) {
        auto it = json_.find(name);
        if (it == json_.end() || it->is_null()) return {};
        if (it->is_string()) return it->get<std::string>();
        if (it->is_number_integer() || it->is_number_unsigned()) return it->dump();
        throw http::BadRequest("field " + name + " must be a string");
    }
    return req_.form().get_or(name, "");
}

bool FormInput::flag(const std::string& name) const {
    if (is_json_) {
        auto it = json_.find(name);
        if (it != json_.end() && it->is_boolean()) return it->get<bool>();
    }
    const std::string v = get(name);
    return v == "on" || v == "1" || v == "true" || v == "yes";
}

http::Data code_page_data(const ChallengeView& v, const core::Locale& locale) {
    http::Data d;
    d.set("destination", v.destination);
    d.set("is_sms", v.channel == "sms");
    d.set("is_email", v.channel == "email");
    d.set("is_totp", v.channel == "totp");
    d.set("code_expires_in", std::to_string(v.code_expires_in));
    d.set("code_minutes", std::to_string((v.code_expires_in + 59) / 60));
    d.set("resend_in", std::to_string(v.resend_in));
    d.set("resend_wait", v.resend_in > 0);
    d.set("resend_wait_text", duration_text(locale, v.resend_in));
    d.set("can_resend", v.can_resend);
    d.set("tries_left", std::to_string(v.tries_left));
    return d;
}

void add_result(http::Data& d, const Result& r, const core::Locale& locale) {
    add_field_errors(d, r.errors, locale);
    if (r.message_key.empty()) return;
    std::string text = locale.text(r.message_key);
    if (r.retry_after > 0) text += " " + wait_text(locale, r.retry_after);
    d.set("message", text);
}

http::Status failed_page_status(const Result& r) {
    const http::Status s = status_for(r);
    return s == http::Status::ok ? http::Status::unprocessable_entity : s;
}

http::Response api_failure(const Result& r, const core::Locale& locale) {
    return json_result_error(r, locale, failed_page_status(r));
}

Context context_of(const http::Request& req, const std::string& public_url) {
    Context ctx;
    if (req.session) ctx.session_hash = req.session->id_hash;
    ctx.ip = req.remote_ip;
    ctx.device = describe_device(req.header(http::bhttp::field::user_agent));
    ctx.lang = req.lang;
    ctx.time_zone = req.time_zone;
    // Never the request's Host: a forged one would put someone else's site
    // into a genuine message (the configured address is checked at start).
    ctx.base_url = public_url;
    while (!ctx.base_url.empty() && ctx.base_url.back() == '/') ctx.base_url.pop_back();
    return ctx;
}

Result invalid_link() {
    Result r;
    r.outcome = Outcome::no_challenge;
    r.message_key = "identity.error.link_invalid";
    return r;
}

http::Response link_confirm_page(const http::Request& req, const http::Renderer& renderer, const ChallengeView& v,
                                 const std::string& kind, const std::string& action, const std::string& token) {
    const core::Locale& locale = renderer.locale(req);
    const std::string prefix = "identity.link_confirm." + kind;
    http::Data d;
    d.set("intro", locale.text(prefix + "_text"));
    d.set("button", locale.text(prefix + "_button"));
    d.set("destination", v.destination);
    d.set("action", action);
    d.set("token", token);
    return renderer.page(req, "identity/link_confirm", d, locale.text(prefix + "_title"));
}

http::Access at_least(Level level) {
    http::Access a = http::signed_in();
    a.min_level_rank = static_cast<int>(level);
    a.level = std::string(to_string(level));
    return a;
}

namespace {

// Every field of the identity forms in the order the forms show them; each
// form's fields are a subsequence of this, so the summary follows the form.
constexpr std::array<std::string_view, 28> kFormOrder{
    "surname",     "name",          "patronymic", "gender",     "birth_date",      "birth_place", "snils",
    "citizenship", "document_type", "passport",   "issue_date", "issued_by",       "department_code",
    "contact",     "login",         "code",       "id_kind",    "id_value",        "question",    "answer",
    "phone",       "phone_password", "email",     "email_password", "current_password", "password",
    "password_repeat", "confirm"};

std::size_t form_position(const std::string& field) {
    for (std::size_t i = 0; i < kFormOrder.size(); ++i)
        if (kFormOrder[i] == field) return i;
    return kFormOrder.size();
}

// "Фамилия: Заполните это поле." — the summary names the field it is about.
std::string summary_text(const core::Locale& locale, const std::string& field, const std::string& message) {
    const std::string label_key = "flows.field." + field;
    if (!locale.has(label_key)) return message;
    std::string text = locale.text("flows.form.summary_item");
    if (auto pos = text.find("{field}"); pos != std::string::npos) text.replace(pos, 7, locale.text(label_key));
    if (auto pos = text.find("{message}"); pos != std::string::npos) text.replace(pos, 9, message);
    return text;
}

}  // namespace

void add_field_errors(http::Data& d, const FieldErrors& errors, const core::Locale& locale) {
    std::vector<std::pair<std::string, std::string>> ordered(errors.begin(), errors.end());
    std::stable_sort(ordered.begin(), ordered.end(),
                     [](const auto& a, const auto& b) { return form_position(a.first) < form_position(b.first); });
    http::Data list{http::Data::type::list};
    for (const auto& [field, key] : ordered) {
        const std::string message = locale.text(key);
        http::Data item;
        item.set("field", field);
        item.set("message", summary_text(locale, field, message));
        list.push_back(item);
        d.set(field + "_error", message);
        d.set(field + "_invalid", true);
    }
    if (!errors.empty()) {
        d.set("errors", list);
        d.set("has_errors", true);
    }
}

http::Status status_for(const Result& r) {
    switch (r.outcome) {
        case Outcome::ok:
        case Outcome::second_factor: return http::Status::ok;
        case Outcome::invalid:
        case Outcome::wrong_code: return http::Status::unprocessable_entity;
        case Outcome::code_expired:
        case Outcome::no_tries_left: return http::Status::gone;
        case Outcome::blocked:
        case Outcome::resend_too_early:
        case Outcome::send_limit: return http::Status::too_many_requests;
        case Outcome::no_challenge: return http::Status::not_found;
        case Outcome::wrong_credentials: return http::Status::unauthorized;
        case Outcome::contact_taken: return http::Status::conflict;
        case Outcome::reauth_required: return http::Status::forbidden;
    }
    return http::Status::bad_request;
}

http::Response json_result_error(const Result& r, const core::Locale& locale, http::Status status) {
    nlohmann::json fields = nlohmann::json::object();
    for (const auto& [field, key] : r.errors) {
        std::string code = key;
        for (const char* prefix : {"identity.error.", "identity.password.", "validation."})
            if (code.rfind(prefix, 0) == 0) code = code.substr(std::string(prefix).size());
        fields[field] = {{"code", code}, {"message", locale.text(key)}};
    }
    std::string message_key = r.message_key;
    if (message_key.empty() && !r.errors.empty()) message_key = r.errors.begin()->second;
    std::string message = message_key.empty() ? "" : locale.text(message_key);
    if (r.retry_after > 0) message += " " + wait_text(locale, r.retry_after);
    nlohmann::json body{{"error", {{"code", "identity." + std::string(to_string(r.outcome))}, {"message", message}}}};
    if (!fields.empty()) body["error"]["fields"] = fields;
    if (r.retry_after > 0) body["error"]["retry_after"] = r.retry_after;
    if (r.challenge) body["challenge"] = challenge_json(*r.challenge);
    http::Response resp = http::Response::json(body, status);
    if (r.retry_after > 0) resp.set_header("Retry-After", std::to_string(r.retry_after));
    return resp;
}

nlohmann::json challenge_json(const ChallengeView& v) {
    return {{"purpose", v.purpose},       {"channel", v.channel},
            {"destination", v.destination}, {"confirmed", v.confirmed},
            {"code_expires_in", v.code_expires_in}, {"resend_in", v.resend_in},
            {"can_resend", v.can_resend}, {"tries_left", v.tries_left}};
}

namespace {
std::string fill_duration(const core::Locale& locale, std::int64_t seconds, const std::string& prefix) {
    if (seconds <= 0) return {};
    const std::int64_t minutes = (seconds + 59) / 60;
    std::string text = seconds < 60 ? locale.text(prefix + ".seconds") : locale.text(prefix + ".minutes");
    const std::string n = std::to_string(seconds < 60 ? seconds : minutes);
    if (auto pos = text.find("{n}"); pos != std::string::npos) text.replace(pos, 3, n);
    return text;
}
}  // namespace

std::string wait_text(const core::Locale& locale, std::int64_t seconds) {
    return fill_duration(locale, seconds, "identity.wait");
}

std::string duration_text(const core::Locale& locale, std::int64_t seconds) {
    return fill_duration(locale, seconds, "identity.duration");
}

}  // namespace uslugi::identity
