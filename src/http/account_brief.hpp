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
};

}  // namespace uslugi::http
