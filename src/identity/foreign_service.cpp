#include "identity/foreign_service.hpp"

#include "core/clock.hpp"
#include "db/transaction.hpp"
#include "identity/profile.hpp"

#include <nlohmann/json.hpp>

namespace uslugi::identity {

namespace {

core::SealContext foreign_field_ctx(std::int64_t account_id) {
    return {"identity_foreign_profiles", "data_enc", account_id};
}

nlohmann::json to_json(const ForeignProfile& p) {
    nlohmann::json j;
    for (auto f : foreign_fields()) j[std::string(f)] = foreign_field(p, f);
    return j;
}

ForeignProfile from_json(const nlohmann::json& j) {
    ForeignProfile p;
    auto s = [&](const char* k) { return j.value(k, std::string()); };
    p = {s("surname_latin"), s("name_latin"), s("surname_cyrillic"), s("name_cyrillic"), s("birth_date"),
         s("citizenship"), s("document_number"), s("issue_date"), s("expiry_date"), s("snils"), s("inn")};
    return p;
}

void write(soci::session& tx, const core::DataProtector& protector, std::int64_t account_id,
           const ForeignProfile& p, ForeignCheck check, std::int64_t now) {
    const std::string sealed = protector.seal(to_json(p).dump(), foreign_field_ctx(account_id));
    const long long id = account_id, t = now;
    const std::string state(to_string(check));
    int exists = 0;
    tx << "SELECT COUNT(*) FROM identity_foreign_profiles WHERE account_id = :a", soci::use(id), soci::into(exists);
    if (exists)
        tx << "UPDATE identity_foreign_profiles SET data_enc = :d, check_state = :s, checked_at = :c, updated_at = :t "
              "WHERE account_id = :a",
            soci::use(sealed), soci::use(state), soci::use(t), soci::use(t), soci::use(id);
    else
        tx << "INSERT INTO identity_foreign_profiles (account_id, data_enc, check_state, checked_at, updated_at) "
              "VALUES (:a, :d, :s, :c, :t)",
            soci::use(id), soci::use(sealed), soci::use(state), soci::use(t), soci::use(t);
    // The account is a foreign citizen's from now on (ID-5): the header and the catalog read the kind.
    tx << "UPDATE identity_accounts SET kind = 'foreign', updated_at = :t WHERE id = :a", soci::use(t), soci::use(id);
}

}  // namespace

ForeignDocumentCheck http_foreign_check(std::shared_ptr<const registries::HttpTransport> transport) {
    return [transport](const ForeignProfile& p) {
        const nlohmann::json body{{"country", p.citizenship},         {"number", p.document_number},
                                  {"surname_latin", p.surname_latin}, {"name_latin", p.name_latin},
                                  {"birth_date", p.birth_date},       {"issue_date", p.issue_date}};
        const nlohmann::json r = transport->call("mvd", "POST", "/mvd/foreign-documents/check", &body);
        const std::string status = r.value("status", std::string());
        if (status == "valid") return r.value("owner_matches", false) ? ForeignCheck::valid : ForeignCheck::mismatch;
        if (status == "expired") return ForeignCheck::expired;
        return ForeignCheck::not_found;
    };
}

ForeignService::ForeignService(IdentityService& identity, ForeignDocumentCheck check)
    : identity_(identity), check_(std::move(check)) {}

std::optional<StoredForeign> ForeignService::find(std::int64_t account_id) {
    db::Connection c(identity_.database());
    const long long id = account_id;
    soci::rowset<soci::row> rows =
        (c->prepare << "SELECT data_enc, check_state, checked_at, updated_at FROM identity_foreign_profiles "
                       "WHERE account_id = :a",
         soci::use(id));
    for (const auto& r : rows) {
        StoredForeign s;
        const std::string opened = identity_.protector().open(r.get<std::string>(0), foreign_field_ctx(account_id));
        s.profile = from_json(nlohmann::json::parse(opened));
        s.check = foreign_check_from_string(r.get<std::string>(1));
        s.checked_at = r.get_indicator(2) == soci::i_null ? 0 : (r.get_properties(2).get_data_type() == soci::dt_integer ? r.get<int>(2) : r.get<long long>(2));
        s.updated_at = (r.get_properties(3).get_data_type() == soci::dt_integer ? r.get<int>(3) : r.get<long long>(3));
        return s;
    }
    return std::nullopt;
}

ForeignSave ForeignService::save(const Context& ctx, std::int64_t account_id,
                                 const std::map<std::string, std::string>& raw) {
    ForeignParse parsed = parse_foreign_profile(raw, today_utc());
    ForeignSave r;
    r.profile = parsed.profile;
    r.errors = std::move(parsed.errors);
    if (!r.ok()) return r;
    return conclude(ctx, account_id, std::move(r), true);
}

ForeignSave ForeignService::recheck(const Context& ctx, std::int64_t account_id) {
    ForeignSave r;
    auto stored = find(account_id);
    if (!stored) {
        r.errors["document_number"] = "profile.error.required";
        return r;
    }
    r.profile = stored->profile;
    return conclude(ctx, account_id, std::move(r), true);
}

// Asks the registry (outside any transaction: it may be slow), then writes
// the profile, the verdict, the SNILS for sign-in and the level in one.
ForeignSave ForeignService::conclude(const Context& ctx, std::int64_t account_id, ForeignSave r, bool) {
    try {
        r.check = check_(r.profile);
    } catch (const registries::RegistryUnavailable&) {
        r.check = ForeignCheck::unavailable;
    } catch (const registries::RegistryRejected&) {
        r.check = ForeignCheck::not_found;
    }
    const std::int64_t now = core::now_unix();
    db::transact(identity_.database(), [&](soci::session& tx) {
        if (!r.profile.snils.empty() && !identity_.accounts().set_snils(tx, account_id, r.profile.snils, now)) {
            r.errors["snils"] = "identity_foreign.error.snils_taken";
            return;
        }
        if (r.profile.snils.empty()) identity_.accounts().clear_snils(tx, account_id, now);
        write(tx, identity_.protector(), account_id, r.profile, r.check, now);
        auto account = identity_.accounts().find(tx, account_id);
        if (!account) return;
        if (r.check == ForeignCheck::valid && account->level == Level::simplified) {
            identity_.accounts().set_level(tx, account_id, Level::standard, now);
            r.raised = true;
        } else if (r.check != ForeignCheck::valid && r.check != ForeignCheck::unavailable &&
                   account->level == Level::standard) {
            // A document the ministry does not vouch for cannot keep the level it gave.
            identity_.accounts().set_level(tx, account_id, Level::simplified, now);
        }
        identity_.audit_self(tx, ctx, account_id, "profile_submitted");
    });
    return r;
}

}  // namespace uslugi::identity
