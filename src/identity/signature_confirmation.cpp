#include "identity/signature_confirmation.hpp"

#include "core/clock.hpp"
#include "core/crypto.hpp"
#include "core/log.hpp"
#include "core/time.hpp"
#include "db/transaction.hpp"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace uslugi::identity {

namespace fs = std::filesystem;
namespace cms = core::cms;

void add_signature_options(CLI::App& cmd, core::Config& cfg) {
    cmd.add_option("--qes-trust-dir", cfg.qes_trust_dir,
                   "folder of the certification authorities (CA certificates and CRLs, PEM or DER) whose qualified "
                   "signatures confirm an identity; relative to --root; the default is the demo CA")
        ->envname("USLUGI_QES_TRUST_DIR")
        ->capture_default_str();
}

std::string resolve_trust_dir(const std::string& root, const std::string& dir) {
    return fs::path(dir).is_absolute() || root.empty() ? dir : (fs::path(root) / dir).string();
}

namespace {

bool is_trust_file(const fs::directory_entry& entry) {
    const std::string ext = entry.path().extension().string();
    return entry.is_regular_file() && (ext == ".pem" || ext == ".crt" || ext == ".cer" || ext == ".der" || ext == ".crl");
}

std::vector<fs::path> trust_files(const std::string& dir) {
    std::vector<fs::path> files;
    std::error_code ec;
    for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec))
        if (is_trust_file(*it)) files.push_back(it->path());
    std::sort(files.begin(), files.end());
    return files;
}

}  // namespace

cms::TrustStore load_trust_dir(const std::string& dir) {
    if (!cms::load_gost_engine())
        core::app_log().warn("GOST engine not available (apt-get install libengine-gost-openssl): "
                             "GOST signatures cannot be verified");
    cms::TrustStore trust;
    std::error_code ec;
    if (!fs::is_directory(dir, ec)) {
        core::app_log().warn("qualified signatures: no folder {}, no certification authority is trusted", dir);
        return trust;
    }
    for (const auto& file : trust_files(dir)) {
        std::ifstream in(file, std::ios::binary);
        std::ostringstream bytes;
        bytes << in.rdbuf();
        try {
            trust.add(bytes.str());
        } catch (const std::invalid_argument& e) {
            throw std::invalid_argument("--qes-trust-dir: " + file.string() + ": " + e.what());
        }
    }
    core::app_log().info("qualified signatures: {} certification authorities and {} CRLs trusted from {}",
                         trust.authorities(), trust.crls(), dir);
    return trust;
}

TrustDir::TrustDir(std::string dir) : dir_(std::move(dir)) {
    seen_ = fingerprint();
    store_ = std::make_shared<const cms::TrustStore>(load_trust_dir(dir_));
}

// Names, sizes and modification times: a few stat calls, cheap next to one verification.
std::string TrustDir::fingerprint() const {
    std::string f;
    std::error_code ec;
    for (const auto& file : trust_files(dir_)) {
        f += file.filename().string();
        f += ':' + std::to_string(fs::file_size(file, ec));
        f += ':' + std::to_string(fs::last_write_time(file, ec).time_since_epoch().count()) + '\n';
    }
    return f;
}

std::shared_ptr<const cms::TrustStore> TrustDir::current() {
    std::lock_guard lock(mutex_);
    const std::string now = fingerprint();
    if (now != seen_) {
        seen_ = now;
        try {
            store_ = std::make_shared<const cms::TrustStore>(load_trust_dir(dir_));
        } catch (const std::exception& e) {
            core::app_log().warn("qualified signatures: {}; the previous trust store stays in use", e.what());
        }
    }
    return store_;
}

std::string challenge_bytes(std::int64_t account_id, const std::string& token, std::int64_t issued_at) {
    // ASCII only, one field a line: the same bytes whatever tool or system signs the file.
    return "uslugi identity confirmation by a qualified electronic signature\n"
           "account: " + std::to_string(account_id) + "\n"
           "challenge: " + token + "\n"
           "issued: " + core::format_utc(issued_at) + "\n";
}

std::string snils_digits(const std::string& snils) {
    std::string d;
    for (char c : snils)
        if (c >= '0' && c <= '9') d.push_back(c);
    return d;
}

struct SignatureConfirmation::Stored {
    std::int64_t id = 0;
    std::int64_t account_id = 0;
    int failures = 0;
    std::int64_t created_at = 0, expires_at = 0;
};

SignatureConfirmation::SignatureConfirmation(IdentityService& identity, const std::string& trust_dir,
                                             SignatureOptions options)
    : identity_(identity),
      profiles_(identity.database(), identity.protector()),
      trust_(trust_dir),
      options_(std::move(options)) {
    identity_.on_erase([](soci::session& tx, std::int64_t account_id) {
        const long long a = account_id;
        tx << "DELETE FROM identity_signature_challenges WHERE account_id = :a", soci::use(a);
    });
}

std::string SignatureConfirmation::refusal(std::int64_t account_id) {
    const auto a = identity_.accounts().find(account_id);
    if (!a || a->status != AccountStatus::active) return "not_standard";
    if (a->level == Level::confirmed) return "already_confirmed";
    if (a->level != Level::standard) return "not_standard";
    return "";
}

std::optional<IssuedChallenge> SignatureConfirmation::issue(const Context& ctx, std::int64_t account_id,
                                                            SignatureResult& refused) {
    refused = {};
    refused.code = refusal(account_id);
    if (!refused.ok()) return std::nullopt;
    const std::int64_t now = core::now_unix();
    IssuedChallenge issued;
    issued.token = core::random_token(24);
    issued.expires_at = now + options_.challenge_ttl;
    const std::string hash = core::sha256_hex(issued.token);
    const bool made = db::transact(identity_.database(), [&](soci::session& tx) {
        const long long a = account_id, t = now, hour_ago = now - 3600, day_ago = now - 86400, exp = issued.expires_at;
        tx << "DELETE FROM identity_signature_challenges WHERE account_id = :a AND created_at < :d", soci::use(a),
            soci::use(day_ago);
        long long recent = 0, oldest = 0;
        soci::indicator oldest_ind = soci::i_null;
        tx << "SELECT COUNT(*), MIN(created_at) FROM identity_signature_challenges WHERE account_id = :a AND created_at > :h",
            soci::use(a), soci::use(hour_ago), soci::into(recent), soci::into(oldest, oldest_ind);
        if (recent >= options_.challenges_per_hour) {
            refused.code = "too_many_challenges";
            refused.retry_after = std::max<std::int64_t>(1, (oldest_ind == soci::i_ok ? oldest : now) + 3600 - now);
            return false;
        }
        // One live challenge per session: the earlier ones end.
        tx << "UPDATE identity_signature_challenges SET used_at = :t WHERE account_id = :a AND session_hash = :s "
              "AND used_at IS NULL",
            soci::use(t), soci::use(a), soci::use(ctx.session_hash);
        tx << "INSERT INTO identity_signature_challenges (account_id, session_hash, token_hash, created_at, expires_at) "
              "VALUES (:a, :s, :h, :c, :e)",
            soci::use(a), soci::use(ctx.session_hash), soci::use(hash), soci::use(t), soci::use(exp);
        return true;
    });
    if (!made) return std::nullopt;
    issued.text = challenge_bytes(account_id, issued.token, now);
    return issued;
}

std::optional<SignatureConfirmation::Stored> SignatureConfirmation::find_live(soci::session& s, const Context& ctx,
                                                                              std::int64_t account_id,
                                                                              const std::string& token,
                                                                              std::int64_t now) {
    if (token.empty() || token.size() > 200) return std::nullopt;
    Stored c;
    long long id = 0, created = 0, expires = 0;
    int failures = 0;
    const long long a = account_id, t = now;
    const std::string hash = core::sha256_hex(token);
    s << "SELECT id, failures, created_at, expires_at FROM identity_signature_challenges WHERE token_hash = :h "
         "AND account_id = :a AND session_hash = :s AND used_at IS NULL AND expires_at > :t",
        soci::use(hash), soci::use(a), soci::use(ctx.session_hash), soci::use(t), soci::into(id), soci::into(failures),
        soci::into(created), soci::into(expires);
    if (!s.got_data()) return std::nullopt;
    c.id = id;
    c.account_id = account_id;
    c.failures = failures;
    c.created_at = created;
    c.expires_at = expires;
    return c;
}

std::optional<std::string> SignatureConfirmation::challenge_text(const Context& ctx, std::int64_t account_id,
                                                                 const std::string& token) {
    db::Connection conn(identity_.database());
    const auto c = find_live(*conn, ctx, account_id, token, core::now_unix());
    if (!c) return std::nullopt;
    return challenge_bytes(account_id, token, c->created_at);
}

// A failed upload uses up one try of the challenge and shows in the user's
// recent actions (someone else holding the session would be noticed).
SignatureResult SignatureConfirmation::count_failure(const Context& ctx, const Stored& c, SignatureResult r) {
    const long long id = c.id;
    db::transact(identity_.database(), [&](soci::session& tx) {
        tx << "UPDATE identity_signature_challenges SET failures = failures + 1 WHERE id = :id", soci::use(id);
        identity_.audit_self(tx, ctx, c.account_id, "signature_failed", r.code);
    });
    r.tries_left = std::max(0, options_.tries_per_challenge - c.failures - 1);
    return r;
}

SignatureResult SignatureConfirmation::check_person(std::int64_t account_id, const cms::SignerCertificate& signer) {
    SignatureResult r;
    const auto stored = profiles_.find(account_id);
    const std::string snils = stored ? snils_digits(stored->data.snils) : "";
    if (snils.empty() || snils != signer.subject.snils) {
        r.code = "wrong_person";
        r.field = "snils";
    } else if (stored && !stored->inn.empty() && !signer.subject.inn.empty() && stored->inn != signer.subject.inn) {
        r.code = "wrong_person";
        r.field = "inn";
    }
    return r;
}

SignatureResult SignatureConfirmation::spend_and_confirm(const Context& ctx, std::int64_t account_id, const Stored& c,
                                                         const cms::SignerCertificate& signer) {
    SignatureResult r;
    r.signer = signer;
    const long long id = c.id, t = core::now_unix();
    const std::string certificate = signer.serial + " / " + signer.issuer;
    const bool changed = db::transact(identity_.database(), [&](soci::session& tx) {
        // Spent by this statement or by nobody: two uploads at once confirm once.
        soci::statement st = (tx.prepare << "UPDATE identity_signature_challenges SET used_at = :t, certificate = :c "
                                            "WHERE id = :id AND used_at IS NULL",
                              soci::use(t), soci::use(certificate), soci::use(id));
        st.execute(true);
        if (st.get_affected_rows() != 1) {
            r.code = "no_challenge";
            return false;
        }
        switch (identity_.confirm_identity(tx, ctx, account_id, "qualified_signature")) {
            case IdentityService::ConfirmOutcome::confirmed: return true;
            case IdentityService::ConfirmOutcome::already_confirmed: r.code = "already_confirmed"; break;
            default: r.code = "not_standard"; break;
        }
        return false;
    });
    if (changed) identity_.wake();
    return r;
}

SignatureResult SignatureConfirmation::submit(const Context& ctx, std::int64_t account_id, const std::string& token,
                                              const std::string& signature) {
    SignatureResult r;
    r.code = refusal(account_id);
    if (!r.ok()) return r;
    const std::int64_t now = core::now_unix();
    std::optional<Stored> c;
    {
        db::Connection conn(identity_.database());
        c = find_live(*conn, ctx, account_id, token, now);
    }
    if (!c) {
        r.code = "no_challenge";
        return r;
    }
    if (c->failures >= options_.tries_per_challenge) {
        r.code = "no_tries_left";
        return r;
    }
    cms::Limits limits;
    limits.max_bytes = options_.max_signature_bytes;
    const auto trust = trust_.current();
    const cms::Verdict v = cms::verify_detached(challenge_bytes(account_id, token, c->created_at), signature, *trust,
                                                now, limits);
    if (v.has_certificate) r.signer = v.signer;
    if (!v.ok()) {
        core::app_log().info("qualified signature refused for account {}: {} ({})", account_id,
                             cms::to_string(v.failure), v.detail);
        r.code = std::string(cms::to_string(v.failure));
        if (v.failure == cms::Failure::empty) {  // nothing was tried: no try used up
            r.tries_left = options_.tries_per_challenge - c->failures;
            return r;
        }
        return count_failure(ctx, *c, std::move(r));
    }
    SignatureResult person = check_person(account_id, v.signer);
    if (!person.ok()) {
        person.signer = v.signer;
        return count_failure(ctx, *c, std::move(person));
    }
    return spend_and_confirm(ctx, account_id, *c, v.signer);
}

}  // namespace uslugi::identity
