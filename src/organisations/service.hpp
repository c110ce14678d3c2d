#pragma once
// Use cases of organisation and entrepreneur accounts (ID-5): a confirmed
// person whom the tax service lists as an organisation's head registers it;
// the head and administrators invite confirmed persons, who accept in their
// cabinet, and give them roles; a person switches whom they act for; an
// entrepreneur's profile is checked by OGRNIP against the tax service.
//
// Every access check reads the membership from the database on the request
// that needs it (never from the session), so a removed employee loses access
// at once.
#include "http/account_brief.hpp"
#include "http/session_store.hpp"
#include "identity/service.hpp"
#include "identity/verification.hpp"
#include "organisations/store.hpp"
#include "registries/clients.hpp"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace uslugi::organisations {

// The answer of a use case: `error` is a stable code ("" on success), with
// the form field it concerns and the locale key of its message.
struct Done {
    std::string error;
    std::string field;
    std::string message_key;
    std::int64_t id = 0;
    bool ok() const { return error.empty(); }
    static Done fail(std::string error, std::string field = "", std::string key = "") {
        Done d;
        d.message_key = key.empty() ? "organisations.error." + error : std::move(key);
        d.error = std::move(error);
        d.field = std::move(field);
        return d;
    }
};

// What the tax service's register says of an organisation or entrepreneur.
struct RegisterRecord {
    std::string kind;  // legal | entrepreneur
    std::string ogrn, ogrnip, inn, kpp, short_name, full_name, address, status, registered_date, okved;
    std::string head_inn;
};
// Reads the sandbox's (and the real register's) JSON record.
RegisterRecord record_from_json(const nlohmann::json& j);

// Looks a record up: nullopt when the register has none; throws
// registries::RegistryUnavailable when it does not answer.
using RegisterLookup = std::function<std::optional<RegisterRecord>(const std::string& id)>;
RegisterLookup http_register(std::shared_ptr<const registries::HttpTransport> transport);

// The organisation as a member sees it, with the viewer's membership.
struct OrganisationView {
    Organisation organisation;
    Member viewer;
    struct Row {
        Member member;
        std::string name;  // the member's display name
    };
    std::vector<Row> members;  // only for those who may manage them
};

class OrganisationService {
public:
    OrganisationService(db::Database& db, identity::IdentityService& identity, identity::ProfileService& profiles,
                        RegisterLookup lookup);

    // ---- organisations ----
    Done create(std::int64_t account_id, const std::string& typed_id);
    // nullopt unless the account may see the organisation's data right now.
    std::optional<OrganisationView> view(std::int64_t account_id, std::int64_t organisation_id);
    std::vector<Membership> memberships(std::int64_t account_id) { return store_.memberships_of(account_id); }

    // ---- members ----
    // `login` is a phone, e-mail or SNILS of a confirmed account; `role` admin | employee | none.
    Done invite(std::int64_t actor_id, std::int64_t organisation_id, const std::string& login, const std::string& role,
                const std::vector<std::string>& services);
    Done answer_invitation(std::int64_t account_id, std::int64_t member_id, bool accept);
    Done set_role(std::int64_t actor_id, std::int64_t organisation_id, std::int64_t member_id, const std::string& role,
                  const std::vector<std::string>& services);
    Done remove(std::int64_t actor_id, std::int64_t organisation_id, std::int64_t member_id);

    // ---- acting for ----
    Done switch_to(const http::SessionData& session, std::int64_t account_id, std::int64_t organisation_id);
    // The account as the header and access checks need it for this session.
    std::shared_ptr<const http::AccountBrief> decorate(std::shared_ptr<const http::AccountBrief> brief,
                                                       const http::SessionData& session);

    // ---- entrepreneurs ----
    Done register_entrepreneur(std::int64_t account_id, const std::string& typed_ogrnip);
    std::optional<Entrepreneur> entrepreneur(std::int64_t account_id) { return store_.entrepreneur(account_id); }

    OrganisationStore& store() { return store_; }

private:
    std::optional<Member> manager(std::int64_t actor_id, std::int64_t organisation_id);
    std::string person_inn(std::int64_t account_id);
    bool is_confirmed(std::int64_t account_id);
    std::optional<RegisterRecord> look_up(const std::string& id, Done& failure);

    db::Database& db_;
    identity::IdentityService& identity_;
    identity::ProfileService& profiles_;
    RegisterLookup lookup_;
    OrganisationStore store_;
};

}  // namespace uslugi::organisations
