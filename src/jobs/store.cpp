#include "jobs/store.hpp"

#include "core/clock.hpp"
#include "db/dialect.hpp"
#include "db/transaction.hpp"

#include <algorithm>

namespace uslugi::jobs {

namespace {

constexpr const char* kColumns =
    "SELECT id, kind, job_key, payload, state, attempts, max_attempts, run_at, lease_owner, lease_until, "
    "last_error, created_at, updated_at, finished_at FROM jobs ";

// SOCI 4.0.3's SQLite backend returns no row into vectors of size 1 (a bulk
// fetch of one is mistaken for a single-row one), so bulk reads always use
// vectors of two or more and rely on LIMIT for the real bound.
std::size_t bulk_size(std::size_t n) { return std::max<std::size_t>(2, n); }

// Runs `kColumns + tail` with integer parameters bound in order (:p0, :p1 …)
// and reads up to `max_rows` jobs. SOCI 4.0 has no std::optional, so the
// nullable columns come with indicators.
std::vector<Job> select_jobs(soci::session& s, const std::string& tail, const std::vector<long long>& params,
                             std::size_t max_rows) {
    const std::size_t n = bulk_size(max_rows);
    std::vector<long long> id(n), run_at(n), lease_until(n), created_at(n), updated_at(n), finished_at(n);
    std::vector<int> attempts(n), max_attempts(n);
    std::vector<std::string> kind(n), key(n), payload(n), state(n), owner(n), error(n);
    std::vector<soci::indicator> key_ind(n), owner_ind(n), until_ind(n), error_ind(n), finished_ind(n);

    soci::details::prepare_temp_type prep = (s.prepare << std::string(kColumns) + tail);
    prep, soci::into(id), soci::into(kind), soci::into(key, key_ind), soci::into(payload), soci::into(state),
        soci::into(attempts), soci::into(max_attempts), soci::into(run_at), soci::into(owner, owner_ind),
        soci::into(lease_until, until_ind), soci::into(error, error_ind), soci::into(created_at),
        soci::into(updated_at), soci::into(finished_at, finished_ind);
    for (const long long& p : params) prep, soci::use(p);
    soci::statement st(prep);
    st.execute(true);

    std::vector<Job> out;
    for (std::size_t i = 0; i < id.size(); ++i) {
        Job j;
        j.id = id[i];
        j.kind = kind[i];
        if (key_ind[i] == soci::i_ok) j.key = key[i];
        j.payload = payload[i];
        j.state = job_state_from_string(state[i]);
        j.attempts = attempts[i];
        j.max_attempts = max_attempts[i];
        j.run_at = run_at[i];
        if (owner_ind[i] == soci::i_ok) j.lease_owner = owner[i];
        if (until_ind[i] == soci::i_ok) j.lease_until = lease_until[i];
        if (error_ind[i] == soci::i_ok) j.last_error = error[i];
        j.created_at = created_at[i];
        j.updated_at = updated_at[i];
        if (finished_ind[i] == soci::i_ok) j.finished_at = finished_at[i];
        out.push_back(std::move(j));
    }
    return out;
}

// " AND kind IN (:k0, :k1 …)" for a non-empty list.
std::string kind_filter(const std::vector<std::string>& kinds) {
    if (kinds.empty()) return "";
    std::string sql = " AND kind IN (";
    for (std::size_t i = 0; i < kinds.size(); ++i) sql += (i ? ", :k" : ":k") + std::to_string(i);
    return sql + ")";
}

long long affected(soci::statement& st) { return st.get_affected_rows(); }

}  // namespace

JobStore::JobStore(db::Database& db, Clock clock) : db_(db), clock_(std::move(clock)) {}

std::int64_t JobStore::now() const { return clock_ ? clock_() : core::now_unix(); }

EnqueueResult JobStore::enqueue(soci::session& s, const NewJob& job) {
    if (job.kind.empty()) throw std::invalid_argument("a job needs a kind");
    const long long now_s = now();
    const long long run_at = job.run_at > 0 ? job.run_at : now_s;
    const int max_attempts = std::max(1, job.max_attempts);
    soci::indicator key_ind = job.key.empty() ? soci::i_null : soci::i_ok;
    // ON CONFLICT … DO NOTHING (SQLite ≥ 3.24, PostgreSQL ≥ 9.5): a concurrent
    // enqueue with the same key waits for ours to commit, then writes nothing.
    // Jobs without a key (NULL) never conflict.
    long long id = 0;
    soci::indicator id_ind = soci::i_null;
    s << "INSERT INTO jobs (kind, job_key, payload, state, attempts, max_attempts, run_at, created_at, updated_at) "
         "VALUES (:kind, :job_key, :payload, 'queued', 0, :max_attempts, :run_at, :created_at, :updated_at) "
         "ON CONFLICT (job_key) DO NOTHING RETURNING id",
        soci::use(job.kind), soci::use(job.key, key_ind), soci::use(job.payload), soci::use(max_attempts),
        soci::use(run_at), soci::use(now_s), soci::use(now_s), soci::into(id, id_ind);
    if (s.got_data() && id_ind == soci::i_ok) return {id, true};
    s << "SELECT id FROM jobs WHERE job_key = :job_key", soci::use(job.key), soci::into(id);
    if (!s.got_data()) throw std::runtime_error("job with key '" + job.key + "' neither inserted nor found");
    return {id, false};
}

EnqueueResult JobStore::enqueue(const NewJob& job) {
    return db::transact(db_, [&](soci::session& s) { return enqueue(s, job); });
}

std::vector<Job> JobStore::lease(const std::string& owner, const std::vector<std::string>& kinds, int n,
                                 int lease_seconds) {
    if (n <= 0) return {};
    {
        // A cheap read first: an idle worker polling an empty queue takes no
        // write lock (SQLite has only one) and opens no write transaction.
        const long long now_s = now();
        long long id = 0;
        db::Connection c(db_);
        soci::details::prepare_temp_type prep =
            (c->prepare << "SELECT id FROM jobs WHERE (state = 'queued' AND run_at <= :now1 OR "
                           "state = 'running' AND lease_until <= :now2)" +
                               kind_filter(kinds) + " LIMIT 1");
        prep, soci::use(now_s), soci::use(now_s);
        for (const auto& k : kinds) prep, soci::use(k);
        prep, soci::into(id);
        soci::statement st(prep);
        if (!st.execute(true)) return {};
    }
    return db::transact(db_, [&](soci::session& s) {
        const long long now_s = now();
        const long long until = now_s + std::max(0, lease_seconds);
        const long long limit = n;

        // A job whose worker vanished on its last allowed attempt is not
        // taken again: it goes dead, visible to the operator.
        const std::string lost = "lease expired on the last attempt: the worker stopped or the handler "
                                 "overran its lease";
        // On PostgreSQL rows another worker is reaping are skipped, so two
        // workers never wait for (or deadlock on) each other here either.
        const std::string lost_leases =
            "state = 'running' AND lease_until <= :now AND attempts >= max_attempts";
        s << "UPDATE jobs SET state = 'dead', lease_owner = NULL, lease_until = NULL, last_error = :err, "
             "finished_at = :fin, updated_at = :upd WHERE " +
                 (db::backend_of(s) == db::Backend::postgresql
                      ? "id IN (SELECT id FROM jobs WHERE " + lost_leases + " FOR UPDATE SKIP LOCKED)"
                      : lost_leases),
            soci::use(lost), soci::use(now_s), soci::use(now_s), soci::use(now_s);

        const std::string due =
            "(state = 'queued' AND run_at <= :now1 OR "
            "state = 'running' AND lease_until <= :now2 AND attempts < max_attempts)" +
            kind_filter(kinds);
        std::vector<long long> ids(bulk_size(static_cast<std::size_t>(n)));
        if (db::backend_of(s) == db::Backend::postgresql) {
            // Rows locked by another worker's lease are skipped, not waited for.
            // The CTE is MATERIALIZED so the LIMIT applies exactly once.
            soci::details::prepare_temp_type prep =
                (s.prepare << "WITH picked AS MATERIALIZED (SELECT id FROM jobs WHERE " + due +
                                  " ORDER BY run_at, id LIMIT :lim FOR UPDATE SKIP LOCKED) "
                                  "UPDATE jobs SET state = 'running', lease_owner = :owner, lease_until = :until, "
                                  "attempts = attempts + 1, updated_at = :upd FROM picked "
                                  "WHERE jobs.id = picked.id RETURNING jobs.id");
            prep, soci::use(now_s), soci::use(now_s);
            for (const auto& k : kinds) prep, soci::use(k);
            prep, soci::use(limit), soci::use(owner), soci::use(until), soci::use(now_s), soci::into(ids);
            soci::statement st(prep);
            st.execute(true);
        } else {
            // BEGIN IMMEDIATE holds SQLite's one write lock: select, then update.
            soci::details::prepare_temp_type prep =
                (s.prepare << "SELECT id FROM jobs WHERE " + due + " ORDER BY run_at, id LIMIT :lim");
            prep, soci::use(now_s), soci::use(now_s);
            for (const auto& k : kinds) prep, soci::use(k);
            prep, soci::use(limit), soci::into(ids);
            soci::statement st(prep);
            st.execute(true);
            for (const long long id : ids) {
                s << "UPDATE jobs SET state = 'running', lease_owner = :owner, lease_until = :until, "
                     "attempts = attempts + 1, updated_at = :upd WHERE id = :id",
                    soci::use(owner), soci::use(until), soci::use(now_s), soci::use(id);
            }
        }
        std::vector<Job> out;
        for (const long long id : ids)
            if (auto j = load(s, id)) out.push_back(std::move(*j));
        std::sort(out.begin(), out.end(), [](const Job& a, const Job& b) {
            return a.run_at != b.run_at ? a.run_at < b.run_at : a.id < b.id;
        });
        return out;
    });
}

bool JobStore::complete(std::int64_t id_in, const std::string& owner) {
    const long long id = id_in, now_s = now();
    db::Connection c(db_);
    soci::statement st = (c->prepare << "UPDATE jobs SET state = 'done', lease_owner = NULL, lease_until = NULL, "
                                        "finished_at = :fin, updated_at = :upd "
                                        "WHERE id = :id AND state = 'running' AND lease_owner = :owner",
                          soci::use(now_s), soci::use(now_s), soci::use(id), soci::use(owner));
    st.execute(true);
    return affected(st) == 1;
}

bool JobStore::fail(std::int64_t id_in, const std::string& owner, const std::string& error,
                    std::optional<std::int64_t> retry_at) {
    const long long id = id_in, now_s = now();
    const std::string text = clip_error(error);
    db::Connection c(db_);
    if (retry_at) {
        const long long at = *retry_at;
        soci::statement st = (c->prepare << "UPDATE jobs SET state = 'queued', run_at = :run_at, lease_owner = NULL, "
                                            "lease_until = NULL, last_error = :err, updated_at = :upd "
                                            "WHERE id = :id AND state = 'running' AND lease_owner = :owner",
                              soci::use(at), soci::use(text), soci::use(now_s), soci::use(id), soci::use(owner));
        st.execute(true);
        return affected(st) == 1;
    }
    soci::statement st = (c->prepare << "UPDATE jobs SET state = 'dead', lease_owner = NULL, lease_until = NULL, "
                                        "last_error = :err, finished_at = :fin, updated_at = :upd "
                                        "WHERE id = :id AND state = 'running' AND lease_owner = :owner",
                          soci::use(text), soci::use(now_s), soci::use(now_s), soci::use(id), soci::use(owner));
    st.execute(true);
    return affected(st) == 1;
}

std::optional<Job> JobStore::load(soci::session& s, std::int64_t id) {
    auto found = select_jobs(s, "WHERE id = :p0", {static_cast<long long>(id)}, 1);
    if (found.empty()) return std::nullopt;
    return std::move(found.front());
}

std::optional<Job> JobStore::find(std::int64_t id) {
    db::Connection c(db_);
    return load(*c, id);
}

std::optional<Job> JobStore::find_by_key(const std::string& key) {
    if (key.empty()) return std::nullopt;
    db::Connection c(db_);
    long long id = 0;
    *c << "SELECT id FROM jobs WHERE job_key = :k", soci::use(key), soci::into(id);
    if (!c->got_data()) return std::nullopt;
    return load(*c, id);
}

std::vector<Job> JobStore::list_dead(int limit) {
    const long long lim = std::clamp(limit, 1, 10000);
    db::Connection c(db_);
    return select_jobs(*c, "WHERE state = 'dead' ORDER BY updated_at DESC, id DESC LIMIT :p0", {lim},
                       static_cast<std::size_t>(lim));
}

std::vector<std::int64_t> JobStore::ids_of_kind(const std::string& kind, int limit) {
    const long long lim = std::clamp(limit, 1, 10000);
    std::vector<long long> ids(static_cast<std::size_t>(lim));
    db::Connection c(db_);
    *c << "SELECT id FROM jobs WHERE kind = :kind ORDER BY id LIMIT :lim", soci::use(kind), soci::use(lim),
        soci::into(ids);
    return {ids.begin(), ids.end()};
}

bool JobStore::retry_dead(std::int64_t id_in) {
    const long long id = id_in, now_s = now();
    db::Connection c(db_);
    soci::statement st = (c->prepare << "UPDATE jobs SET state = 'queued', attempts = 0, run_at = :run_at, "
                                        "finished_at = NULL, updated_at = :upd WHERE id = :id AND state = 'dead'",
                          soci::use(now_s), soci::use(now_s), soci::use(id));
    st.execute(true);
    return affected(st) == 1;
}

std::map<JobState, std::int64_t> JobStore::counts() {
    std::map<JobState, std::int64_t> out{
        {JobState::queued, 0}, {JobState::running, 0}, {JobState::done, 0}, {JobState::dead, 0}};
    std::vector<std::string> state(8);
    std::vector<long long> count(8);
    db::Connection c(db_);
    *c << "SELECT state, COUNT(*) FROM jobs GROUP BY state", soci::into(state), soci::into(count);
    for (std::size_t i = 0; i < state.size(); ++i) out[job_state_from_string(state[i])] = count[i];
    return out;
}

int JobStore::purge_done(std::int64_t before_in) {
    const long long before = before_in;
    db::Connection c(db_);
    soci::statement st =
        (c->prepare << "DELETE FROM jobs WHERE state = 'done' AND finished_at < :before", soci::use(before));
    st.execute(true);
    return static_cast<int>(affected(st));
}

}  // namespace uslugi::jobs
