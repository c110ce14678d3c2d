// Russian Post: registered letters with tracking. A letter is accepted, in
// transit after a tenth of the delivery time, arrived at the recipient's post
// office after the delivery time, and handed over a quarter of it later. The
// delivery time is --post-delivery-seconds (demo default: minutes, not weeks)
// or "delivery_seconds" of the letter.
#include "core/crypto.hpp"
#include "registries/sandbox_internal.hpp"

#include <fmt/format.h>

namespace uslugi::registries::sandbox {

namespace {

struct Stage {
    const char* status;
    double share;  // of the delivery time
};
constexpr Stage kStages[] = {{"accepted", 0}, {"in_transit", 0.1}, {"arrived", 1.0}, {"handed_over", 1.25}};

Clock::time_point stage_time(const Letter& l, const Stage& s) {
    return l.accepted + std::chrono::milliseconds(static_cast<std::int64_t>(l.delivery_seconds * 1000.0 * s.share));
}

std::string postcode_of(const json& party) {
    if (party.is_object() && party.contains("address") && party["address"].is_object()) {
        const std::string pc = party["address"].value("postcode", "");
        if (pc.size() == 6 && pc.find_first_not_of("0123456789") == std::string::npos) return pc;
    }
    return "";
}

// A party: {"name": "…", "address": {"postcode": "614000", "text": "…"}}.
json party(const Body& body, const char* field, bool required) {
    if (!body.has(field)) {
        if (required) throw ApiError(Status::bad_request, "request.missing_field", std::string(field) + " is required", field);
        return json::object();
    }
    const json& p = body.raw().at(field);
    if (!p.is_object()) throw ApiError(Status::bad_request, "request.invalid_field", std::string(field) + " must be an object", field);
    Body b(p);
    json out = {{"name", b.text("name", 300)}};
    if (!b.has("address") || !b.raw().at("address").is_object())
        throw ApiError(Status::bad_request, "request.missing_field", std::string(field) + ".address is required",
                       std::string(field) + ".address");
    Body a(b.raw().at("address"));
    const std::string postcode = a.text("postcode", 16);
    if (postcode.size() != 6 || postcode.find_first_not_of("0123456789") != std::string::npos)
        throw ApiError(Status::unprocessable_entity, "postcode.format", "a postcode has 6 digits",
                       std::string(field) + ".address.postcode");
    out["address"] = {{"postcode", postcode}, {"text", a.text("text", 500)}};
    return out;
}

}  // namespace

json letter_json(const Letter& l, Clock::time_point now, bool with_content) {
    json history = json::array();
    std::string status;
    const std::string from = postcode_of(l.sender).empty() ? "101000" : postcode_of(l.sender);
    const std::string to = postcode_of(l.recipient);
    for (const Stage& s : kStages) {
        const auto at = stage_time(l, s);
        if (at > now) break;
        status = s.status;
        std::string place = std::string_view(s.status) == "accepted" || std::string_view(s.status) == "in_transit"
                                ? "Отделение почтовой связи " + from
                                : "Отделение почтовой связи " + to;
        history.push_back({{"status", s.status}, {"at", iso_time(at)}, {"place", place}});
    }
    json j = {{"tracking_number", l.tracking}, {"status", status}, {"kind", l.kind},
              {"recipient", {{"name", l.recipient.value("name", "")}, {"postcode", to}}},
              {"accepted_at", iso_time(l.accepted)},
              {"expected_delivery_at", iso_time(stage_time(l, kStages[2]))},
              {"history", history}};
    if (with_content) {
        j["recipient"] = l.recipient;
        j["sender"] = l.sender;
        j["content"] = l.content;
    }
    return j;
}

void Sandbox::register_post_routes() {
    const http::RouteOptions opts{.csrf = false, .load_session = false};

    router_.post("/post/letters", [this](Request& req) {
        Body body(req);
        const std::string key(req.header("Idempotency-Key"));
        return idempotent("post/letters", key, body.raw().dump(), [&] {
            const json recipient = party(body, "recipient", true);
            const json sender = party(body, "sender", false);
            const std::string kind = body.optional_text("kind", 32).value_or("registered");
            if (kind != "registered" && kind != "ordinary")
                throw ApiError(Status::bad_request, "request.invalid_field", "kind must be registered or ordinary", "kind");
            const std::string content = body.optional_text("content", 8000).value_or("");
            const auto delivery = body.optional_integer("delivery_seconds", 0, 90 * 24 * 3600);
            Letter l;
            l.accepted = Clock::now();
            l.delivery_seconds = int(delivery.value_or(options().post_delivery_seconds));
            l.sender = sender;
            l.recipient = recipient;
            l.kind = kind;
            l.content = content;
            const std::string origin = postcode_of(sender).empty() ? "101000" : postcode_of(sender);
            const auto ymd = std::chrono::year_month_day{std::chrono::floor<std::chrono::days>(l.accepted)};
            std::lock_guard lock(mutex_);
            do {
                const std::string rnd = core::random_bytes(4);
                const std::uint32_t n = (std::uint8_t(rnd[0]) << 16 | std::uint8_t(rnd[1]) << 8 | std::uint8_t(rnd[2])) % 100000;
                l.tracking = post_tracking_number(fmt::format("{}{:02d}{:05d}", origin, unsigned(ymd.month()), n));
            } while (letters_.count(l.tracking));
            letters_[l.tracking] = l;
            return Response::json(letter_json(l, l.accepted, false), Status::created);
        });
    }, opts);

    router_.get("/post/letters/{tracking}", [this](Request& req) {
        std::string tracking;
        for (char c : req.param("tracking"))
            if (c != ' ') tracking += c;
        if (tracking.size() != 14 || tracking.find_first_not_of("0123456789") != std::string::npos)
            throw ApiError(Status::unprocessable_entity, "tracking.format", "a tracking number has 14 digits", "tracking");
        if (!post_tracking_valid(tracking))
            throw ApiError(Status::unprocessable_entity, "tracking.checksum", "the control digit does not match", "tracking");
        std::lock_guard lock(mutex_);
        auto it = letters_.find(tracking);
        if (it == letters_.end()) throw ApiError(Status::not_found, "post.letter_not_found", "no letter with this number");
        return Response::json(letter_json(it->second, Clock::now(), false));
    }, opts);
}

}  // namespace uslugi::registries::sandbox
