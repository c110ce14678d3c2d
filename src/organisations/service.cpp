#include "organisations/service.hpp"

#include "core/clock.hpp"
#include "db/dialect.hpp"
#include "db/transaction.hpp"

#include <algorithm>

namespace uslugi::organisations {

namespace {

std::string text_of(const nlohmann::json& j, const char* key) {
    auto it = j.find(key);
    return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

std::vector<std::string> tidy_services(std::vector<std::string> services) {
    // Ids of the catalog: letters, digits, "-" and "_"; anything else cannot name a service.
    std::erase_if(services, [](const std::string& s) {
        return s.empty() || s.size() > 100 || !std::all_of(s.begin(), s.end(), [](unsigned char c) {
            return std::isalnum(c) || c == '-' || c == '_';
        });
    });
    std::sort(services.begin(), services.end());
    services.erase(std::unique(services.begin(), services.end()), services.end());
    return services;
}

}  // namespace

RegisterRecord record_from_json(const nlohmann::json& j) {
    RegisterRecord r;
    r.kind = text_of(j, "kind");
    r.ogrn = text_of(j, "ogrn");
    r.ogrnip = text_of(j, "ogrnip");
    r.inn = text_of(j, "inn");
    r.kpp = text_of(j, "kpp");
    r.short_name = text_of(j, "short_name");
    r.full_name = text_of(j, "full_name");
    r.address = text_of(j, "address");
    r.status = text_of(j, "status");
    r.registered_date = text_of(j, "registered_date");
    if (auto ok = j.find("okved"); ok != j.end() && ok->is_object())
        r.okved = text_of(*ok, "code") + " " + text_of(*ok, "name");
    if (auto head = j.find("head"); head != j.end() && head->is_object()) r.head_inn = text_of(*head, "inn");
    return r;
}

RegisterLookup http_register(std::shared_ptr<const registries::HttpTransport> transport) {
    return [transport](const std::string& id) -> std::optional<RegisterRecord> {
        try {
            return record_from_json(transport->call("fns", "GET", "/fns/organisations/" + id));
        } catch (const registries::RegistryRejected& e) {
            if (e.http_status() == 404) return std::nullopt;
            throw;
        }
    };
}

OrganisationService::OrganisationService(db::Database& db, identity::IdentityService& identity,
                                         identity::ProfileService& profiles, RegisterLookup lookup)
    : db_(db), identity_(identity), profiles_(profiles), lookup_(std::move(lookup)), store_(db) {}

std::string OrganisationService::person_inn(std::int64_t account_id) {
    auto p = profiles_.store().find(account_id);
    return p ? p->inn : std::string();
}

bool OrganisationService::is_confirmed(std::int64_t account_id) {
    auto a = identity_.accounts().find_brief(account_id);
    return a && a->status == identity::AccountStatus::active && a->level == identity::Level::confirmed;
}

std::optional<RegisterRecord> OrganisationService::look_up(const std::string& id, Done& failure) {
    try {
        auto r = lookup_(id);
        if (!r) failure = Done::fail("not_in_register", "id");
        return r;
    } catch (const registries::RegistryUnavailable&) {
        failure = Done::fail("registry_unavailable");
    } catch (const registries::RegistryRejected&) {
        failure = Done::fail("not_in_register", "id");
    }
    return std::nullopt;
}

Done OrganisationService::create(std::int64_t account_id, const std::string& typed_id) {
    std::string key;
    auto id = parse_org_id(typed_id, key);
    if (!id) return Done::fail("invalid", "id", key);
    if (!is_confirmed(account_id)) return Done::fail("not_confirmed");
    const std::string inn = person_inn(account_id);
    if (inn.empty()) return Done::fail("no_inn");
    Done failure;
    auto record = look_up(id->value, failure);
    if (!record) return failure;
    if (record->kind != "legal") return Done::fail("not_in_register", "id");
    if (record->status != "active") return Done::fail("not_active", "id");
    // Only the head the register names may open the organisation's account.
    if (record->head_inn != inn) return Done::fail("not_head", "id");
    Organisation o{0, record->ogrn, record->inn, record->kpp, record->short_name, record->full_name, record->address,
                   account_id, core::now_unix()};
    try {
        const std::int64_t new_id = db::transact(db_, [&](soci::session& tx) {
            const std::int64_t org = store_.create(tx, o, o.created_at);
            Member head{0, org, account_id, Role::head, MemberStatus::active, {}};
            store_.add_member(tx, head, account_id, o.created_at);
            identity_.mark_in_organisations(tx, account_id);
            return org;
        });
        Done d;
        d.id = new_id;
        return d;
    } catch (const std::exception& e) {
        if (db::is_unique_violation(e)) return Done::fail("already_registered", "id");
        throw;
    }
}

std::optional<OrganisationView> OrganisationService::view(std::int64_t account_id, std::int64_t organisation_id) {
    auto member = store_.open_member(organisation_id, account_id);
    if (!member || !may_see_organisation(*member)) return std::nullopt;
    auto org = store_.find(organisation_id);
    if (!org) return std::nullopt;
    OrganisationView v{*org, *member, {}};
    if (may_manage_members(*member)) {
        for (Member& m : store_.members_of(organisation_id)) {
            auto a = identity_.accounts().find_brief(m.account_id);
            v.members.push_back({std::move(m), a ? a->display_name() : std::string()});
        }
    }
    return v;
}

std::optional<Member> OrganisationService::manager(std::int64_t actor_id, std::int64_t organisation_id) {
    auto m = store_.open_member(organisation_id, actor_id);
    if (!m || !may_manage_members(*m)) return std::nullopt;
    return m;
}

Done OrganisationService::invite(std::int64_t actor_id, std::int64_t organisation_id, const std::string& login,
                                 const std::string& role_name, const std::vector<std::string>& services) {
    auto actor = manager(actor_id, organisation_id);
    if (!actor) return Done::fail("not_found");
    auto role = role_from_string(role_name);
    if (!role || !is_assignable(*role)) return Done::fail("invalid_role", "role");
    auto parsed = identity::parse_login(login);
    if (!parsed) return Done::fail("invalid_login", "login");
    // One answer for "no account" and "not confirmed": the form tells nothing more about strangers.
    auto invitee = identity_.accounts().find_by_login(*parsed);
    if (!invitee || !is_confirmed(*invitee)) return Done::fail("invitee_not_found", "login");
    const std::int64_t now = core::now_unix();
    return db::transact(db_, [&](soci::session& tx) {
        if (store_.open_member(tx, organisation_id, *invitee)) return Done::fail("already_member", "login");
        Member m{0, organisation_id, *invitee, *role, MemberStatus::invited,
                 *role == Role::employee ? tidy_services(services) : std::vector<std::string>{}};
        Done d;
        d.id = store_.add_member(tx, m, actor_id, now);
        identity_.mark_in_organisations(tx, *invitee);
        return d;
    });
}

Done OrganisationService::answer_invitation(std::int64_t account_id, std::int64_t member_id, bool accept) {
    auto m = store_.member(member_id);
    if (!m || m->account_id != account_id || m->status != MemberStatus::invited) return Done::fail("not_found");
    if (accept && !is_confirmed(account_id)) return Done::fail("not_confirmed");
    const bool changed = db::transact(db_, [&](soci::session& tx) {
        return store_.set_status(tx, member_id, MemberStatus::invited,
                                 accept ? MemberStatus::active : MemberStatus::declined, core::now_unix());
    });
    if (!changed) return Done::fail("not_found");
    Done d;
    d.id = m->organisation_id;
    return d;
}

Done OrganisationService::set_role(std::int64_t actor_id, std::int64_t organisation_id, std::int64_t member_id,
                                   const std::string& role_name, const std::vector<std::string>& services) {
    auto actor = manager(actor_id, organisation_id);
    auto target = store_.member(member_id);
    if (!actor || !target || !may_change_member(*actor, *target)) return Done::fail("not_found");
    auto role = role_from_string(role_name);
    if (!role || !is_assignable(*role)) return Done::fail("invalid_role", "role");
    db::transact(db_, [&](soci::session& tx) {
        store_.set_role(tx, member_id, *role,
                        *role == Role::employee ? tidy_services(services) : std::vector<std::string>{},
                        core::now_unix());
    });
    Done d;
    d.id = member_id;
    return d;
}

Done OrganisationService::remove(std::int64_t actor_id, std::int64_t organisation_id, std::int64_t member_id) {
    auto actor = manager(actor_id, organisation_id);
    auto target = store_.member(member_id);
    if (!actor || !target || !may_change_member(*actor, *target)) return Done::fail("not_found");
    const MemberStatus to = target->status == MemberStatus::invited ? MemberStatus::withdrawn : MemberStatus::removed;
    const bool changed = db::transact(db_, [&](soci::session& tx) {
        return store_.set_status(tx, member_id, target->status, to, core::now_unix());
    });
    if (!changed) return Done::fail("not_found");
    Done d;
    d.id = member_id;
    return d;
}

Done OrganisationService::switch_to(const http::SessionData& session, std::int64_t account_id,
                                    std::int64_t organisation_id) {
    if (organisation_id != 0) {
        auto m = store_.open_member(organisation_id, account_id);
        if (!m || !may_see_organisation(*m)) return Done::fail("not_found");
    }
    store_.set_choice(session.id_hash, account_id, organisation_id, core::now_unix());
    Done d;
    d.id = organisation_id;
    return d;
}

std::shared_ptr<const http::AccountBrief> OrganisationService::decorate(std::shared_ptr<const http::AccountBrief> brief,
                                                                        const http::SessionData& session) {
    if (!brief->in_organisations) return brief;  // never had a place: no look-up
    std::vector<Member> members;
    std::vector<http::AccountBrief::Organisation> choices;
    for (const Membership& m : store_.memberships_of(brief->id)) {
        if (!may_see_organisation(m.member)) continue;
        members.push_back(m.member);
        choices.push_back({m.member.organisation_id, m.organisation_name, std::string(to_string(m.member.role))});
    }
    if (choices.empty()) return brief;  // most people: the brief as loaded
    auto out = std::make_shared<http::AccountBrief>(*brief);
    out->organisations = std::move(choices);
    out->acting_for = acting_for(store_.choice(session.id_hash, brief->id), members);
    return out;
}

Done OrganisationService::register_entrepreneur(std::int64_t account_id, const std::string& typed_ogrnip) {
    std::string key;
    auto ogrnip = parse_ogrnip(typed_ogrnip, key);
    if (!ogrnip) return Done::fail("invalid", "ogrnip", key);
    if (!is_confirmed(account_id)) return Done::fail("not_confirmed");
    const std::string inn = person_inn(account_id);
    if (inn.empty()) return Done::fail("no_inn");
    Done failure;
    auto record = look_up(*ogrnip, failure);
    if (!record) return failure.field.empty() ? failure : Done::fail("not_in_register", "ogrnip");
    if (record->kind != "entrepreneur") return Done::fail("not_in_register", "ogrnip");
    if (record->status != "active") return Done::fail("not_active", "ogrnip");
    if (record->inn != inn) return Done::fail("not_yours", "ogrnip");
    Entrepreneur e{account_id,           record->ogrnip,  record->inn, record->short_name, record->full_name,
                   record->registered_date, record->okved, core::now_unix()};
    try {
        db::transact(db_, [&](soci::session& tx) { store_.save_entrepreneur(tx, e); });
    } catch (const std::exception& ex) {
        if (db::is_unique_violation(ex)) return Done::fail("already_registered", "ogrnip");
        throw;
    }
    return Done{};
}

}  // namespace uslugi::organisations
