#pragma once
// The signed-in account as every page needs it (header, access checks); the
// identity module loads it (App::set_account_loader). A header of its own so
// that services can produce it without the HTTP parser's headers.
#include <cstdint>
#include <string>
#include <vector>

namespace uslugi::http {

struct AccountBrief {
    std::int64_t id = 0;
    std::string display_name;  // "Анна Смирнова"
    std::string level;         // simplified | standard | confirmed
    int level_rank = 0;        // the level's order: a higher rank opens more (identity::Level)
    std::vector<std::string> roles;  // "operator", "officer": what the account may do beyond a citizen
    std::string kind = "citizen";    // citizen | foreign (ID-5): the catalog's audience follows it

    // The organisations the person may act for (the switcher in the header),
    // read on every request by the organisations module, never kept in the session.
    struct Organisation {
        std::int64_t id = 0;
        std::string name;
        std::string role;  // head | admin | employee
    };
    std::vector<Organisation> organisations;
    // False when the person has never had a place in an organisation: the
    // organisations module then skips its look-up (most requests).
    bool in_organisations = false;
    std::int64_t acting_for = 0;  // 0: personal, else one of `organisations`
    const Organisation* current_organisation() const {
        for (const auto& o : organisations)
            if (o.id == acting_for) return &o;
        return nullptr;
    }
};

}  // namespace uslugi::http
