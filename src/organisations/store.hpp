#pragma once
// The SQL of the organisations module (migrations/0330_organisations.sql).
// Only this module reads or writes org_* tables.
#include "db/database.hpp"
#include "organisations/model.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace uslugi::organisations {

struct Organisation {
    std::int64_t id = 0;
    std::string ogrn, inn, kpp, short_name, full_name, address;
    std::int64_t head_account_id = 0;
    std::int64_t created_at = 0;
};

// A membership with the name of its organisation (the switcher, the invitations).
struct Membership {
    Member member;
    std::string organisation_name;
};

struct Entrepreneur {
    std::int64_t account_id = 0;
    std::string ogrnip, inn, short_name, full_name, registered_date, okved;
    std::int64_t checked_at = 0;
};

class OrganisationStore {
public:
    explicit OrganisationStore(db::Database& db) : db_(db) {}

    // Throws a unique violation (db::is_unique_violation) when the OGRN is registered already.
    std::int64_t create(soci::session& tx, const Organisation& o, std::int64_t now);
    std::optional<Organisation> find(std::int64_t id);
    std::optional<Organisation> find_by_ogrn(const std::string& ogrn);

    std::int64_t add_member(soci::session& tx, const Member& m, std::int64_t invited_by, std::int64_t now);
    std::optional<Member> member(std::int64_t member_id);
    // The account's open (invited or active) membership of an organisation.
    std::optional<Member> open_member(soci::session& s, std::int64_t organisation_id, std::int64_t account_id);
    std::optional<Member> open_member(std::int64_t organisation_id, std::int64_t account_id);
    // Invited and active members, the head first.
    std::vector<Member> members_of(std::int64_t organisation_id);
    // The account's invited and active memberships, by organisation name.
    std::vector<Membership> memberships_of(std::int64_t account_id);
    // Conditional: false (nothing written) unless the member is in `from` now.
    bool set_status(soci::session& tx, std::int64_t member_id, MemberStatus from, MemberStatus to, std::int64_t now);
    void set_role(soci::session& tx, std::int64_t member_id, Role role, const std::vector<std::string>& services,
                  std::int64_t now);

    // The organisation a browser session chose to act for (0: personal).
    std::int64_t choice(const std::string& session_hash, std::int64_t account_id);
    void set_choice(const std::string& session_hash, std::int64_t account_id, std::int64_t organisation_id,
                    std::int64_t now);

    std::optional<Entrepreneur> entrepreneur(std::int64_t account_id);
    // Throws a unique violation when another account holds this OGRNIP.
    void save_entrepreneur(soci::session& tx, const Entrepreneur& e);

private:
    db::Database& db_;
};

// "a b c" ↔ {"a","b","c"}
std::vector<std::string> split_words(const std::string& s);
std::string join_words(const std::vector<std::string>& words);

}  // namespace uslugi::organisations
