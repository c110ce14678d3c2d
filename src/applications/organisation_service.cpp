// Applying on behalf of an organisation (ID-5): whoever acts for an
// organisation applies for a service for legal entities in its name, if
// their role allows that service; the head and administrators see all the
// organisation's applications. Membership is the organisations module's,
// asked through OrganisationAccess on every call (never from the session).
#include "applications/service.hpp"

#include <algorithm>

namespace uslugi::applications {

std::int64_t ApplicationService::applying_for(const http::AccountBrief& account, const catalog::Service& service,
                                              bool& permitted) const {
    permitted = true;
    const bool for_legal = std::find(service.audiences.begin(), service.audiences.end(), "legal") != service.audiences.end();
    if (!account.acting_for || !for_legal) return 0;
    permitted = organisations_.may_apply && organisations_.may_apply(account.id, account.acting_for, service.id);
    return account.acting_for;
}

bool ApplicationService::sees_organisation(const http::AccountBrief& account) const {
    return account.acting_for && organisations_.may_see_all && organisations_.may_see_all(account.id, account.acting_for);
}

std::optional<std::vector<Application>> ApplicationService::organisation_applications(const http::AccountBrief& account,
                                                                                       std::size_t offset,
                                                                                       std::size_t limit,
                                                                                       std::size_t* total) {
    if (!sees_organisation(account)) return std::nullopt;
    if (total) *total = store_.count_of_organisation(account.acting_for);
    return store_.of_organisation(account.acting_for, offset, limit);
}

std::optional<Application> ApplicationService::organisation_application(const http::AccountBrief& account,
                                                                        std::int64_t id) {
    if (!sees_organisation(account)) return std::nullopt;
    auto a = store_.find(id);
    if (!a || a->organisation_id != account.acting_for) return std::nullopt;
    return a;
}

}  // namespace uslugi::applications
