#pragma once
// Three ways from "standard" to "confirmed" (ID-3): a registered letter with a
// code, the person's online bank, and a service-centre operator who checks
// the passport in person (or registers the person on the spot). Each way ends
// in IdentityService::confirm_identity, which writes the level, the audit entry
// and the notification in the same transaction.
//
// The rules that need no I/O (the postal address, when a new letter may be
// ordered, which field of the bank's data differs) are free functions here so
// unit tests reach them directly.
#include "core/config.hpp"
#include "http/request.hpp"
#include "identity/profile_store.hpp"
#include "identity/service.hpp"
#include "jobs/service.hpp"
#include "jobs/store.hpp"
#include "registries/clients.hpp"

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace uslugi::identity {

// ---- pure rules ------------------------------------------------------------------------------

struct PostalAddress {
    std::string postcode, region, city, street, house, flat;
    bool operator==(const PostalAddress&) const = default;
};
// Field names of the address form, in form order.
const std::vector<std::string>& address_fields();
// Reads and checks the typed address: postcode of 6 digits, region, city,
// street and house required, every part of sane length and without control
// characters. Errors are locale keys ("confirmation.error.postcode" …).
FieldErrors parse_address(const std::map<std::string, std::string>& raw, PostalAddress& out);
// "614000, Пермский край, Пермь, ул. Ленина, д. 1, кв. 2": how the envelope is addressed.
std::string address_line(const PostalAddress& a);
std::string address_to_json(const PostalAddress& a);
PostalAddress address_from_json(const std::string& text);

struct LetterRules {
    std::int64_t code_ttl = 60 * 86400;       // a code is good for 60 days after the order
    std::int64_t reorder_after = 30 * 86400;  // a new letter no sooner than 30 days after the last
    int max_failures = 5;                     // wrong codes before the letter is dead
};
// When the next letter may be ordered (0: now), given when the last one was.
std::int64_t next_letter_at(std::optional<std::int64_t> last_ordered_at, const LetterRules& rules);

// The first field of the profile that the bank's verified data contradicts:
// "surname", "name", "patronymic", "birth_date", "snils" or "passport"; ""
// when they agree. Names compare without regard to case and to ё/е; the SNILS
// is compared when the bank knows it, otherwise the passport.
std::string bank_difference(const Profile& profile, const registries::VerifiedPerson& bank);

// ---- letters ---------------------------------------------------------------------------------

struct ConfirmLetter {
    std::int64_t id = 0, account_id = 0;
    PostalAddress address;
    std::string tracking;  // "" until the Post accepted it
    std::string status;    // ordered | accepted | in_transit | arrived | handed_over
    int failures = 0;
    std::int64_t created_at = 0, expires_at = 0, used_at = 0;
};

inline constexpr std::string_view kLetterJobKind = "identity.confirm_letter";

// What a service centre looks like to the identity module (the catalog owns
// centres; main.cpp passes these functions in, so identity needs no catalog header).
struct CentreInfo {
    std::string id, name, address, hours, distance;
    bool registers_accounts = false;  // may register a person on the spot
};
struct CentreDirectory {
    // A centre by id in a language, or nullopt when the catalog has none.
    std::function<std::optional<CentreInfo>(const std::string& id, const std::string& lang)> find;
    // Centres that confirm identity, nearest to the visitor's place first.
    std::function<std::vector<CentreInfo>(const http::Request& req, std::size_t limit)> nearest;
};

struct ConfirmationOptions {
    LetterRules letters;
    std::int64_t operator_ref_ttl = 30 * 60;  // an operator's search result stays usable this long
    std::int64_t bank_state_ttl = 15 * 60;    // the trip to the bank and back
    std::string bank_client_id = "uslugi";
};

class ConfirmationService {
public:
    ConfirmationService(IdentityService& identity, ProfileStore& profiles, jobs::JobStore& jobs,
                        registries::PostClient* post, registries::BankClient* bank, ConfirmationOptions options = {});

    // ---- registered letter ----
    struct Order {
        FieldErrors errors;
        std::int64_t not_before = 0;  // > 0: too early; the date from which a new letter may be ordered
        bool not_standard = false;
        bool ok() const { return errors.empty() && not_before == 0 && !not_standard; }
    };
    Order order_letter(const Context& ctx, std::int64_t account_id, const std::map<std::string, std::string>& raw);
    std::optional<ConfirmLetter> latest_letter(std::int64_t account_id);
    std::int64_t next_letter_at(std::int64_t account_id);

    enum class CodeOutcome { confirmed, wrong, expired, used, no_letter, no_tries_left, blocked, not_standard, invalid };
    struct CodeCheck {
        CodeOutcome outcome = CodeOutcome::wrong;
        int tries_left = 0;
        std::int64_t retry_after = 0;
    };
    CodeCheck check_letter_code(const Context& ctx, std::int64_t account_id, const std::string& code);
    // The job: sends the letter to the Post, then follows its tracking until it
    // is delivered. Throws RegistryUnavailable when the Post is down (retried).
    void run_letter_job(const std::string& payload);

    // ---- online bank ----
    // The bank's sign-in address; `return_url` is where the bank sends the browser back.
    std::string bank_start(const Context& ctx, std::int64_t account_id, const std::string& return_url);
    enum class BankOutcome { confirmed, mismatch, declined, unavailable, bad_state, not_standard, no_profile };
    struct BankCheck {
        BankOutcome outcome = BankOutcome::declined;
        std::string field;  // mismatch: which field differs
    };
    BankCheck bank_finish(const Context& ctx, std::int64_t account_id, const std::string& state,
                          const std::string& code, const std::string& error);

    // ---- service-centre operator ----
    struct PersonCard {
        std::string ref;  // opaque, bound to the operator's session and centre, short-lived
        std::string surname, name, patronymic, birth_date, passport;
        Level level = Level::simplified;
        bool checked = false;  // the registries confirmed the profile (standard or above)
    };
    struct Operator {
        std::int64_t account_id = 0;
        std::string name;         // shown in "Who accessed my data"
        std::string centre_id;
        std::string centre_name;
        bool registers_accounts = false;
    };
    // Finds an active account by SNILS ("snils") or passport ("passport") through
    // the blind indexes, exact match only, records the read, and hands back the card.
    std::optional<PersonCard> operator_find(const Context& ctx, const Operator& op, const std::string& kind,
                                            const std::string& value);
    // The account a reference names, if it was made for this session, operator and centre and is still fresh.
    std::optional<std::int64_t> open_ref(const Context& ctx, const Operator& op, const std::string& ref) const;
    enum class OperatorOutcome { confirmed, already_confirmed, not_standard, not_checked, passport_differs, not_found };
    OperatorOutcome operator_confirm(const Context& ctx, const Operator& op, const std::string& ref,
                                     const std::string& typed_passport);
    struct Registration {
        FieldErrors errors;
        std::int64_t account_id = 0;
        bool ok() const { return errors.empty() && account_id != 0; }
    };
    // Creates a confirmed account from the documents shown at the counter; the
    // person's phone gets a message telling how to set a password themselves.
    Registration operator_register(const Context& ctx, const Operator& op, const std::map<std::string, std::string>& raw);

    IdentityService& identity() { return identity_; }
    ProfileStore& profiles() { return profiles_; }
    const ConfirmationOptions& options() const { return options_; }

private:
    std::string make_ref(const Context& ctx, const Operator& op, std::int64_t account_id) const;
    void send_letter(const ConfirmLetter& l, const std::string& code);
    void track_letter(const ConfirmLetter& l);
    void record_operator_read(soci::session& tx, const Context& ctx, const Operator& op, std::int64_t account_id,
                              const std::string& action, const std::string& fields);

    IdentityService& identity_;
    ProfileStore& profiles_;
    jobs::JobStore& jobs_;
    registries::PostClient* post_;
    registries::BankClient* bank_;
    ConfirmationOptions options_;
};

std::string_view to_string(ConfirmationService::CodeOutcome o);

// The job handler of kLetterJobKind, with clients of its own (serve and worker alike).
void register_confirmation_jobs(jobs::JobRunner& runner, db::Database& db, const core::Config& cfg);

}  // namespace uslugi::identity
