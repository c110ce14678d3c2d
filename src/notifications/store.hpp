#pragma once
// The SQL of the notifications module: the outbox (migrations/0005_notifications.sql).
// Only this module reads or writes notifications_outbox.
//
// enqueue() runs inside the caller's transaction and writes both the outbox
// row and its "notify.deliver" job (through jobs::JobStore): the message
// exists if and only if the event that causes it was committed (NOTE-1).
#include "core/crypto.hpp"
#include "db/database.hpp"
#include "db/reseal.hpp"
#include "jobs/store.hpp"
#include "notifications/model.hpp"

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace uslugi::notifications {

inline constexpr std::string_view kDeliverKind = "notify.deliver";
// The job key of an outbox row: "notify:<id>".
std::string job_key(std::int64_t outbox_id);

struct EnqueueResult {
    std::int64_t id = 0;    // the outbox row
    bool created = false;   // false: this event already had a message to this recipient over this channel
    std::int64_t job_id = 0;  // 0 when not created
};

class OutboxStore {
public:
    using Clock = std::function<std::int64_t()>;  // UTC seconds
    // With a protector, addresses and params (codes, links, names) are sealed
    // at rest (DESIGN.md: phones and e-mails are personal data); the portal
    // always passes one, some unit tests do not.
    OutboxStore(db::Database& db, jobs::JobStore& jobs, Clock clock = {},
                const core::DataProtector* protector = nullptr);

    // In the caller's transaction. Idempotent on (event_key, recipient,
    // channel): a second enqueue writes nothing and returns the first row.
    // An empty recipient means the address itself. Throws
    // std::invalid_argument on missing fields.
    EnqueueResult enqueue(soci::session& tx, const Message& message, int max_attempts = 10);

    std::optional<OutboxMessage> find(std::int64_t id);
    // Most recent first.
    std::vector<OutboxMessage> list_for_recipient(const std::string& recipient, int limit = 100);

    // One delivery attempt began (counts it).
    void mark_attempt(std::int64_t id);
    // Delivered to the provider: status sent, its message id kept.
    void mark_sent(std::int64_t id, const std::string& provider_id);
    // A failed attempt that will be retried: the row stays queued with the error.
    void mark_retrying(std::int64_t id, const std::string& error);
    // Given up: status failed with the reason.
    void mark_failed(std::int64_t id, const std::string& error);
    // An operator retried the dead job of a failed row: it is queued again
    // (attempts and the last error stay for reference). False when not failed.
    bool reopen(std::int64_t id);
    // Converts the outbox's "v1." sealed values to "v2." (db/reseal.hpp);
    // nothing without a protector.
    db::ResealResult reseal();

private:
    std::int64_t now() const;
    std::optional<OutboxMessage> load(soci::session& s, long long id) const;
    db::Database& db_;
    jobs::JobStore& jobs_;
    Clock clock_;
    const core::DataProtector* protector_;
};

}  // namespace uslugi::notifications
