#include "notifications/test_routes.hpp"

#include "db/transaction.hpp"

#include <nlohmann/json.hpp>

namespace uslugi::notifications {

namespace {

nlohmann::json outbox_json(const OutboxMessage& m) {
    return {{"id", m.id},
            {"event_key", m.event_key},
            {"recipient", m.recipient},
            {"channel", std::string(to_string(m.channel))},
            {"address", m.address},
            {"lang", m.lang},
            {"template", m.template_name},
            {"status", std::string(to_string(m.status))},
            {"attempts", m.attempts},
            {"last_error", m.last_error},
            {"provider_id", m.provider_id},
            {"created_at", m.created_at},
            {"sent_at", m.sent_at}};
}

}  // namespace

void register_test_routes(http::Router& router, db::Database& db, OutboxStore& store, jobs::JobRunner* runner) {
    const http::RouteOptions options{.csrf = false, .load_session = false};

    router.post("/test/notify", [&db, &store, runner](http::Request& req) {
        nlohmann::json body;
        try {
            body = nlohmann::json::parse(req.body());
        } catch (const std::exception&) {
            throw http::BadRequest("body must be JSON");
        }
        if (!body.is_object()) throw http::BadRequest("body must be a JSON object");
        Message m;
        try {
            m.event_key = body.value("event_key", "");
            m.recipient = body.value("recipient", "");
            m.channel = channel_from_string(body.value("channel", "email"));
            m.address = body.value("address", "");
            m.lang = body.value("lang", "ru");
            m.template_name = body.value("template", "");
            if (body.contains("params")) m.params = body["params"];
        } catch (const std::exception& e) {
            throw http::BadRequest(e.what());
        }
        const int max_attempts = body.value("max_attempts", 10);
        EnqueueResult r;
        try {
            r = db::transact(db, [&](soci::session& s) { return store.enqueue(s, m, max_attempts); });
        } catch (const std::invalid_argument& e) {
            throw http::BadRequest(e.what());
        }
        if (runner) runner->notify();  // after the commit
        return http::Response::json({{"id", r.id}, {"created", r.created}}, http::Status::created);
    }, options);

    router.get("/test/notify/{id}", [&store](http::Request& req) {
        std::int64_t id = 0;
        try {
            id = std::stoll(req.param("id"));
        } catch (const std::exception&) {
            throw http::BadRequest("id must be a number");
        }
        const auto m = store.find(id);
        if (!m) return http::Response::json_error(http::Status::not_found, "notify.not_found", "no such message");
        return http::Response::json(outbox_json(*m));
    }, options);
}

}  // namespace uslugi::notifications
