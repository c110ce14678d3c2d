#pragma once
// Thin wrappers over libsodium (and OpenSSL for HMAC-SHA-1): the only place that touches raw crypto APIs.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

namespace uslugi::core {

// Initialises libsodium once; safe to call from any thread, any number of times.
void crypto_init();

std::string random_bytes(std::size_t n);
// URL-safe base64 (no padding) of n random bytes: session ids, CSRF tokens, codes.
std::string random_token(std::size_t bytes = 32);
// Lower-case hex of SHA-256: how tokens are stored (never the token itself).
std::string sha256_hex(std::string_view data);
std::string to_hex(std::string_view bytes);
// HMAC-SHA-1 (20 bytes): only for one-time codes (RFC 4226), which authenticator apps compute with SHA-1.
std::string hmac_sha1(std::string_view key, std::string_view message);
bool constant_time_equal(std::string_view a, std::string_view b);
// Standard base64 with padding (RFC 4648 §4, as in HTTP Basic credentials);
// nullopt when the text is not valid base64.
std::optional<std::string> base64_decode(std::string_view text);

}  // namespace uslugi::core

namespace uslugi::core {

// Passwords: Argon2id with t=2, m=19 MiB (DESIGN.md). The string holds the
// algorithm, parameters and salt ("$argon2id$v=19$m=19456,t=2,p=1$…").
inline constexpr unsigned long long kPasswordOpsLimit = 2;
inline constexpr std::size_t kPasswordMemLimit = 19 * 1024 * 1024;
std::string password_hash(std::string_view password);
bool password_verify(const std::string& hash, std::string_view password);
// True when the hash was made with other parameters and should be renewed at the next sign-in.
bool password_needs_rehash(const std::string& hash);

// Where a sealed value lives: the table, the column and the row's stable key.
// It is bound into the ciphertext as associated data, so a value copied to
// another row, column or table (someone with write access to the database
// swapping one person's phone into another's account) does not open there.
// The row key must be known before the value is written and never change:
// normally the row's id or the owning account's id.
struct SealContext {
    SealContext(std::string_view table, std::string_view column, std::int64_t row_id)
        : table(table), column(column), row(std::to_string(row_id)) {}
    SealContext(std::string_view table, std::string_view column, std::string row_key)
        : table(table), column(column), row(std::move(row_key)) {}

    std::string_view table, column;
    std::string row;
};

// A sealed value that does not open: altered, moved from another row, column
// or table, or sealed under another data key. The message names where it
// lives, never its content. The stores let it propagate: an unreadable value
// is never replaced by an empty one or by someone else's.
class UnreadableValue : public std::runtime_error {
public:
    UnreadableValue(const SealContext& where, std::string_view why);
};

// Personal data at rest (DESIGN.md "Data"): values sealed with
// XChaCha20-Poly1305 (AEAD) under a key derived from the data key, with their
// SealContext as associated data, and a keyed blind index (HMAC-SHA-256
// under a second derived key) for lookups by equality. Changing the data key
// makes every sealed value unreadable: keep it, apart from the backups.
class DataProtector {
public:
    static constexpr std::size_t kKeyBytes = 32;
    // `master_key` is 32 raw bytes; throws std::invalid_argument otherwise.
    explicit DataProtector(std::string_view master_key);
    ~DataProtector();
    DataProtector(const DataProtector&) = delete;
    DataProtector& operator=(const DataProtector&) = delete;

    // "v2." + base64url(nonce ‖ ciphertext ‖ tag). Empty stays empty (no value).
    std::string seal(std::string_view plaintext, const SealContext& where) const;
    // Opens "v2." values sealed for `where`, and "v1." values (secretbox, no
    // context) written before contexts existed, until the re-seal has
    // converted them. Throws UnreadableValue when the value does not open.
    std::string open(std::string_view sealed, const SealContext& where) const;
    // True for a value in the old format that the re-seal must convert.
    static bool is_legacy(std::string_view sealed);
    // 64 hex characters; `domain` separates kinds ("phone", "snils") so equal
    // values of different kinds never collide.
    std::string blind_index(std::string_view domain, std::string_view normalized_value) const;

private:
    std::string open_legacy(std::string_view body, const SealContext& where) const;
    unsigned char legacy_key_[32];
    unsigned char seal_key_[32];
    unsigned char index_key_[32];
};

// Signatures on values the server hands out and takes back later (the CSRF
// cookie of anonymous visitors): HMAC-SHA-256 under a key derived from the data
// key, so every instance sharing the data key accepts the others' signatures
// and no signing key has to be configured separately.
class Signer {
public:
    // `master_key` is the 32-byte data key; throws std::invalid_argument otherwise.
    explicit Signer(std::string_view master_key);
    ~Signer();
    Signer(const Signer&) = delete;
    Signer& operator=(const Signer&) = delete;

    // 64 hex characters; `domain` separates purposes, so a signature made for
    // one never verifies as another's.
    std::string sign(std::string_view domain, std::string_view value) const;

private:
    unsigned char key_[32];
};

// The data key: USLUGI_DATA_KEY / --data-key (64 hex characters), or else the
// file `key_file`, created with a fresh random key (mode 0600) when it does not
// exist yet — convenient for a trial; production passes the key explicitly.
// An existing key file must be a regular file owned by the running user and
// readable by no one else: otherwise std::invalid_argument names the file and
// the fix, and the portal does not start.
std::string load_data_key(const std::string& hex_key, const std::string& key_file);

}  // namespace uslugi::core
