// The service-centre operator's part of ConfirmationService (ID-3 a): finding
// a person by SNILS or passport, confirming after the passport was checked in
// person, and registering a person on the spot. An operator reaches an account
// only through a reference handed out with a search result, sealed for the
// operator's session, account and centre and valid for half an hour; every
// read lands in the person's "Who accessed my data".
#include "core/clock.hpp"
#include "core/validators.hpp"
#include "db/transaction.hpp"
#include "identity/confirmation.hpp"

#include <nlohmann/json.hpp>

namespace uslugi::identity {

namespace {

core::SealContext ref_context(const Context& ctx, const ConfirmationService::Operator& op) {
    return core::SealContext("operator_ref", op.centre_id, ctx.session_hash);
}

// The fields an operator sees, as "Who accessed my data" names them.
constexpr const char* kCardFields = "surname,name,patronymic,birth_date,passport,level";

// Errors found inside the registration's transaction (a contact or document
// that another account holds): thrown to roll it back, reported as field errors.
struct Refused {
    FieldErrors errors;
};

}  // namespace

std::string ConfirmationService::make_ref(const Context& ctx, const Operator& op, std::int64_t account_id) const {
    const nlohmann::json ref{{"a", account_id},
                             {"o", op.account_id},
                             {"exp", core::now_unix() + options_.operator_ref_ttl}};
    return identity_.protector().seal(ref.dump(), ref_context(ctx, op));
}

std::optional<std::int64_t> ConfirmationService::open_ref(const Context& ctx, const Operator& op,
                                                          const std::string& ref) const {
    if (ref.empty() || ref.size() > 500) return std::nullopt;
    nlohmann::json j;
    try {
        j = nlohmann::json::parse(identity_.protector().open(ref, ref_context(ctx, op)), nullptr, false);
    } catch (const std::exception&) {
        return std::nullopt;  // made for another session or centre, or altered
    }
    if (!j.is_object() || j.value("o", std::int64_t(0)) != op.account_id ||
        j.value("exp", std::int64_t(0)) < core::now_unix())
        return std::nullopt;
    const std::int64_t id = j.value("a", std::int64_t(0));
    return id > 0 ? std::optional<std::int64_t>(id) : std::nullopt;
}

void ConfirmationService::record_operator_read(soci::session& tx, const Context& ctx, const Operator& op,
                                               std::int64_t account_id, const std::string& action,
                                               const std::string& fields) {
    (void)ctx;
    AuditEntry e;
    e.at = core::now_unix();
    e.account_id = account_id;
    e.actor_kind = "operator";
    e.actor_id = std::to_string(op.account_id);
    e.actor_name = op.name;
    e.organisation = op.centre_name;
    e.action = action;
    e.fields = fields;
    e.reason = "identity_confirmation";
    identity_.record_access(tx, e);
}

std::optional<ConfirmationService::PersonCard> ConfirmationService::operator_find(const Context& ctx,
                                                                                  const Operator& op,
                                                                                  const std::string& kind,
                                                                                  const std::string& value) {
    std::optional<std::int64_t> id;
    if (kind == "snils") {
        const auto v = core::validate_snils(value);
        if (!v.valid) return std::nullopt;
        id = identity_.accounts().find_by_login(Login{LoginKind::snils, v.normalized});
    } else if (kind == "passport") {
        const auto v = core::validate_passport_rf(value);
        if (!v.valid) return std::nullopt;
        id = identity_.accounts().find_by_passport(v.normalized);
    }
    if (!id) return std::nullopt;
    const auto account = identity_.accounts().find(*id);
    if (!account || account->status != AccountStatus::active) return std::nullopt;
    const auto profile = profiles_.find(*id);
    PersonCard card;
    card.ref = make_ref(ctx, op, *id);
    card.surname = profile ? profile->data.surname : account->surname;
    card.name = profile ? profile->data.name : account->name;
    if (profile) {
        card.patronymic = profile->data.patronymic;
        card.birth_date = profile->data.birth_date;
        card.passport = profile->data.passport;
    }
    card.level = account->level;
    card.checked = account->level != Level::simplified;
    db::transact(identity_.database(),
                 [&](soci::session& tx) { record_operator_read(tx, ctx, op, *id, "data_read", kCardFields); });
    return card;
}

ConfirmationService::OperatorOutcome ConfirmationService::operator_confirm(const Context& ctx, const Operator& op,
                                                                           const std::string& ref,
                                                                           const std::string& typed_passport) {
    const auto id = open_ref(ctx, op, ref);
    if (!id) return OperatorOutcome::not_found;
    const auto account = identity_.accounts().find(*id);
    if (!account || account->status != AccountStatus::active) return OperatorOutcome::not_found;
    if (account->level == Level::confirmed) return OperatorOutcome::already_confirmed;
    if (account->level != Level::standard) return OperatorOutcome::not_checked;
    const auto profile = profiles_.find(*id);
    const auto typed = core::validate_passport_rf(typed_passport);
    if (!profile || !typed.valid || typed.normalized != profile->data.passport) return OperatorOutcome::passport_differs;
    OperatorOutcome out = OperatorOutcome::confirmed;
    db::transact(identity_.database(), [&](soci::session& tx) {
        const auto r = identity_.confirm_identity(tx, ctx, *id, "service_centre",
                                                  "operator:" + std::to_string(op.account_id));
        if (r == IdentityService::ConfirmOutcome::already_confirmed) out = OperatorOutcome::already_confirmed;
        else if (r != IdentityService::ConfirmOutcome::confirmed) out = OperatorOutcome::not_standard;
        else record_operator_read(tx, ctx, op, *id, "identity_confirmed", "passport");
    });
    identity_.wake();
    return out;
}

ConfirmationService::Registration ConfirmationService::operator_register(const Context& ctx, const Operator& op,
                                                                         const std::map<std::string, std::string>& raw) {
    Registration reg;
    ProfileParse parsed = parse_profile(raw, SaveMode::submit, today_utc());
    reg.errors = parsed.errors;
    std::string phone_error;
    auto phone_it = raw.find("phone");
    const auto contact = parse_contact(phone_it == raw.end() ? "" : phone_it->second, phone_error);
    if (!contact || contact->kind != ContactKind::phone)
        reg.errors["phone"] = phone_error.empty() ? "confirmation.error.phone" : phone_error;
    if (!reg.errors.empty()) return reg;
    const Profile& p = parsed.profile;
    const std::int64_t now = core::now_unix();
    try {
        db::transact(identity_.database(), [&](soci::session& tx) {
            Account a;
            a.level = Level::standard;
            a.surname = p.surname;
            a.name = p.name;
            a.phone = contact->value;
            a.lang = ctx.lang;
            std::int64_t id = 0;
            try {
                id = identity_.accounts().create(tx, a, now);
            } catch (const ContactTaken&) {
                throw Refused{{{"phone", "confirmation.error.phone_taken"}}};
            }
            if (!identity_.accounts().set_snils(tx, id, p.snils, now))
                throw Refused{{{"snils", "confirmation.error.snils_taken"}}};
            if (!identity_.accounts().set_passport(tx, id, p.passport, now))
                throw Refused{{{"passport", "confirmation.error.passport_taken"}}};
            profiles_.save(tx, id, p, 1, true, now);
            identity_.confirm_identity(tx, ctx, id, "service_centre", "operator:" + std::to_string(op.account_id));
            record_operator_read(tx, ctx, op, id, "account_registered", "surname,name,patronymic,birth_date,snils,passport,phone");
            // The person sets the password with a code sent to their own phone
            // (account recovery): the operator never sees it.
            identity_.notify(tx, "identity-registered-at-centre-" + std::to_string(id), std::to_string(id), "sms",
                             a.phone, a.lang, "identity_confirmation.registered",
                             {{"name", a.name}, {"link", ctx.base_url + "/recover"}});
            reg.account_id = id;
        });
    } catch (const Refused& r) {
        reg.errors = r.errors;
        reg.account_id = 0;
        return reg;
    }
    identity_.wake();
    return reg;
}

}  // namespace uslugi::identity
