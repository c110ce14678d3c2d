#pragma once
// Who may call a route, declared where the route is registered and enforced
// by the pipeline (App) before the handler runs, so that a new route cannot
// forget the check. The http layer knows accounts only as AccountBrief: the
// identity module says what the ranks of its levels are (identity::at_least).
#include "http/account_brief.hpp"

#include <string>

namespace uslugi::http {

struct Access {
    bool signed_in = false;
    // The least AccountBrief::level_rank admitted, 0 for any; `level` names it
    // for the page that explains how to reach it (/access?need=<level>).
    int min_level_rank = 0;
    std::string level;
    // A role the account must hold ("operator", "officer"), empty for none.
    std::string role;
};

// What a request's account lacks for a route's access, in the order the
// pipeline answers them: first sign in, then the level, then the role.
enum class Denial { none, sign_in, level, role };
Denial check_access(const Access& access, const AccountBrief* account);

// The common declarations.
inline Access anyone() { return {}; }
inline Access signed_in() {
    Access a;
    a.signed_in = true;
    return a;
}
inline Access with_role(std::string role) {
    Access a = signed_in();
    a.role = std::move(role);
    return a;
}

}  // namespace uslugi::http
