#include "notifications/store.hpp"

#include "core/clock.hpp"
#include "jobs/model.hpp"

#include <algorithm>

namespace uslugi::notifications {

namespace {

constexpr const char* kColumns =
    "SELECT id, event_key, recipient, channel, address, lang, template, params, status, attempts, last_error, "
    "provider_id, created_at, sent_at, updated_at FROM notifications_outbox ";

// Where a sealed value of the outbox lives (core::SealContext). The row's id
// is only known after the INSERT … ON CONFLICT DO NOTHING, which must stay one
// statement; its unique key (event_key, recipient, channel) is known before,
// never changes, and names one row as surely. Length-prefixed, so no two keys
// give the same text.
core::SealContext outbox_field(std::string_view column, const std::string& event_key, const std::string& recipient,
                               std::string_view channel) {
    return {"notifications_outbox", column,
            std::to_string(event_key.size()) + ":" + event_key + std::to_string(recipient.size()) + ":" + recipient +
                std::string(channel)};
}

}  // namespace

std::optional<OutboxMessage> OutboxStore::load(soci::session& s, long long id) const {
    OutboxMessage m;
    long long row_id = 0, created = 0, sent = 0, updated = 0;
    int attempts = 0;
    std::string channel, status, error, provider;
    soci::indicator error_ind = soci::i_null, provider_ind = soci::i_null, sent_ind = soci::i_null;
    s << std::string(kColumns) + "WHERE id = :id", soci::use(id), soci::into(row_id), soci::into(m.event_key),
        soci::into(m.recipient), soci::into(channel), soci::into(m.address), soci::into(m.lang),
        soci::into(m.template_name), soci::into(m.params), soci::into(status), soci::into(attempts),
        soci::into(error, error_ind), soci::into(provider, provider_ind), soci::into(created),
        soci::into(sent, sent_ind), soci::into(updated);
    if (!s.got_data()) return std::nullopt;
    m.id = row_id;
    m.channel = channel_from_string(channel);
    m.status = status_from_string(status);
    m.attempts = attempts;
    if (error_ind == soci::i_ok) m.last_error = error;
    if (provider_ind == soci::i_ok) m.provider_id = provider;
    m.created_at = created;
    if (sent_ind == soci::i_ok) m.sent_at = sent;
    m.updated_at = updated;
    if (protector_) {
        m.address = protector_->open(m.address, outbox_field("address", m.event_key, m.recipient, channel));
        m.params = protector_->open(m.params, outbox_field("params", m.event_key, m.recipient, channel));
    }
    return m;
}

std::string job_key(std::int64_t outbox_id) { return "notify:" + std::to_string(outbox_id); }

OutboxStore::OutboxStore(db::Database& db, jobs::JobStore& jobs, Clock clock, const core::DataProtector* protector)
    : db_(db), jobs_(jobs), clock_(std::move(clock)), protector_(protector) {}

std::int64_t OutboxStore::now() const { return clock_ ? clock_() : core::now_unix(); }

EnqueueResult OutboxStore::enqueue(soci::session& s, const Message& message, int max_attempts) {
    if (message.event_key.empty()) throw std::invalid_argument("a notification needs an event key");
    if (message.address.empty()) throw std::invalid_argument("a notification needs an address");
    if (message.template_name.empty()) throw std::invalid_argument("a notification needs a template");
    // Without an account the recipient is the address itself: then only its blind index is kept.
    const std::string recipient = !message.recipient.empty() ? message.recipient
                                  : protector_ ? "addr:" + protector_->blind_index("outbox-address", message.address)
                                               : message.address;
    const std::string channel(to_string(message.channel));
    const std::string lang = core::is_supported_language(message.lang) ? message.lang : std::string(core::kDefaultLanguage);
    const std::string plain_params = message.params.is_object() ? message.params.dump() : std::string("{}");
    const std::string params =
        protector_ ? protector_->seal(plain_params, outbox_field("params", message.event_key, recipient, channel))
                   : plain_params;
    const std::string address =
        protector_ ? protector_->seal(message.address, outbox_field("address", message.event_key, recipient, channel))
                   : message.address;
    const long long now_s = now();
    long long id = 0;
    soci::indicator id_ind = soci::i_null;
    // A concurrent enqueue of the same event waits for ours to commit, then writes nothing.
    s << "INSERT INTO notifications_outbox (event_key, recipient, channel, address, lang, template, params, "
         "status, attempts, created_at, updated_at) VALUES (:event_key, :recipient, :channel, :address, :lang, "
         ":template, :params, 'queued', 0, :created_at, :updated_at) "
         "ON CONFLICT (event_key, recipient, channel) DO NOTHING RETURNING id",
        soci::use(message.event_key), soci::use(recipient), soci::use(channel), soci::use(address),
        soci::use(lang), soci::use(message.template_name), soci::use(params), soci::use(now_s), soci::use(now_s),
        soci::into(id, id_ind);
    if (s.got_data() && id_ind == soci::i_ok) {
        jobs::NewJob job;
        job.kind = std::string(kDeliverKind);
        job.key = job_key(id);
        job.payload = nlohmann::json{{"outbox_id", id}}.dump();
        job.max_attempts = max_attempts;
        const auto j = jobs_.enqueue(s, job);
        return {id, true, j.id};
    }
    s << "SELECT id FROM notifications_outbox WHERE event_key = :event_key AND recipient = :recipient AND "
         "channel = :channel",
        soci::use(message.event_key), soci::use(recipient), soci::use(channel), soci::into(id);
    if (!s.got_data()) throw std::runtime_error("outbox row for event '" + message.event_key + "' neither inserted nor found");
    return {id, false, 0};
}

db::ResealResult OutboxStore::reseal() {
    if (!protector_) return {};
    return db::reseal_legacy_values(
        db_, *protector_,
        {"notifications_outbox", "id", {"event_key", "recipient", "channel"}, {"address", "params"},
         [](const std::string& column, std::int64_t, const std::vector<std::string>& keys) {
             return outbox_field(column, keys[0], keys[1], keys[2]);
         }});
}

std::optional<OutboxMessage> OutboxStore::find(std::int64_t id) {
    db::Connection c(db_);
    return load(*c, id);
}

std::vector<OutboxMessage> OutboxStore::list_for_recipient(const std::string& recipient, int limit) {
    // SOCI 4.0.3's SQLite backend returns no row into a vector of size 1 (see
    // jobs/store.cpp): at least two, LIMIT bounds the real count.
    const long long lim = std::max(1, limit);
    std::vector<long long> ids(static_cast<std::size_t>(std::max(2, limit)));
    db::Connection c(db_);
    *c << "SELECT id FROM notifications_outbox WHERE recipient = :recipient ORDER BY created_at DESC, id DESC "
          "LIMIT :lim",
        soci::use(recipient), soci::use(lim), soci::into(ids);
    std::vector<OutboxMessage> out;
    for (const long long id : ids)
        if (auto m = load(*c, id)) out.push_back(std::move(*m));
    return out;
}

void OutboxStore::mark_attempt(std::int64_t id) {
    const long long row = id, now_s = now();
    db::Connection c(db_);
    *c << "UPDATE notifications_outbox SET attempts = attempts + 1, updated_at = :upd WHERE id = :id",
        soci::use(now_s), soci::use(row);
}

void OutboxStore::mark_sent(std::int64_t id, const std::string& provider_id) {
    const long long row = id, now_s = now();
    db::Connection c(db_);
    *c << "UPDATE notifications_outbox SET status = 'sent', provider_id = :provider, sent_at = :sent, "
          "updated_at = :upd, last_error = NULL WHERE id = :id",
        soci::use(provider_id), soci::use(now_s), soci::use(now_s), soci::use(row);
}

void OutboxStore::mark_retrying(std::int64_t id, const std::string& error) {
    const long long row = id, now_s = now();
    const std::string clipped = jobs::clip_error(error);
    db::Connection c(db_);
    *c << "UPDATE notifications_outbox SET last_error = :err, updated_at = :upd WHERE id = :id AND status = 'queued'",
        soci::use(clipped), soci::use(now_s), soci::use(row);
}

void OutboxStore::mark_failed(std::int64_t id, const std::string& error) {
    const long long row = id, now_s = now();
    const std::string clipped = jobs::clip_error(error);
    db::Connection c(db_);
    *c << "UPDATE notifications_outbox SET status = 'failed', last_error = :err, updated_at = :upd "
          "WHERE id = :id AND status = 'queued'",
        soci::use(clipped), soci::use(now_s), soci::use(row);
}

bool OutboxStore::reopen(std::int64_t id) {
    const long long row = id, now_s = now();
    db::Connection c(db_);
    soci::statement st = (c->prepare << "UPDATE notifications_outbox SET status = 'queued', updated_at = :upd "
                                        "WHERE id = :id AND status = 'failed'",
                          soci::use(now_s), soci::use(row));
    st.execute(true);
    return st.get_affected_rows() > 0;
}

}  // namespace uslugi::notifications
