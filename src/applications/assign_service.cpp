// Take / assign (APP-3): an officer takes an application or hands it to a
// colleague of the same authority. The owner changes only if it is still the
// one the officer saw; the change is recorded in the history as internal and
// not notified: who works on it inside the authority is not the applicant's news.
#include "applications/service.hpp"

#include "core/clock.hpp"
#include "db/transaction.hpp"

#include <algorithm>

namespace uslugi::applications {

std::vector<ApplicationService::Colleague> ApplicationService::colleagues(const std::string& authority_id) {
    std::vector<Colleague> out;
    for (const auto& role : identity_.staff().all()) {
        if (role.role != identity::kRoleOfficer || role.scope != authority_id) continue;
        const auto account = identity_.accounts().find(role.account_id);
        if (!account || account->status != identity::AccountStatus::active) continue;
        out.push_back({role.account_id, account->display_name()});
    }
    std::sort(out.begin(), out.end(), [](const Colleague& a, const Colleague& b) { return a.name < b.name; });
    return out;
}

Outcome ApplicationService::assign(const Actor& by, std::int64_t id, std::int64_t to, std::int64_t expected,
                                   const std::string& note) {
    const auto a = store_.find(id);
    if (!a || !identity_.staff().has(by.id, identity::kRoleOfficer, a->authority_id)) return Outcome::not_found;
    if (to <= 0 || !identity_.staff().has(to, identity::kRoleOfficer, a->authority_id)) return Outcome::invalid;
    if (expected < 0) return Outcome::wrong_status;
    return db::transact(db_, [&](soci::session& tx) {
        const std::int64_t now = core::now_unix();
        if (!store_.assign(tx, id, expected, to, now)) return Outcome::wrong_status;
        const auto current = store_.find(tx, id);  // the status the entry is recorded at
        HistoryEntry e{now, current ? current->status : a->status, by.kind, by.id, note};
        e.internal = true;
        store_.add_history(tx, id, e);
        return Outcome::ok;
    });
}

}  // namespace uslugi::applications
