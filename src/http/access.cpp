#include "http/access.hpp"

#include <algorithm>

namespace uslugi::http {

Denial check_access(const Access& access, const AccountBrief* account) {
    const bool needs_account = access.signed_in || access.min_level_rank > 0 || !access.role.empty();
    if (!needs_account) return Denial::none;
    if (!account) return Denial::sign_in;
    if (account->level_rank < access.min_level_rank) return Denial::level;
    if (!access.role.empty() &&
        std::find(account->roles.begin(), account->roles.end(), access.role) == account->roles.end())
        return Denial::role;
    return Denial::none;
}

}  // namespace uslugi::http
