#include "core/crypto.hpp"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <sodium.h>

#include <mutex>
#include <stdexcept>

namespace uslugi::core {

void crypto_init() {
    static std::once_flag once;
    std::call_once(once, [] {
        if (sodium_init() < 0) throw std::runtime_error("libsodium failed to initialise");
    });
}

std::string random_bytes(std::size_t n) {
    crypto_init();
    std::string out(n, '\0');
    randombytes_buf(out.data(), n);
    return out;
}

std::string random_token(std::size_t bytes) {
    const std::string raw = random_bytes(bytes);
    const int variant = sodium_base64_VARIANT_URLSAFE_NO_PADDING;
    std::string out(sodium_base64_ENCODED_LEN(bytes, variant), '\0');
    sodium_bin2base64(out.data(), out.size(), reinterpret_cast<const unsigned char*>(raw.data()),
                      raw.size(), variant);
    out.resize(out.find('\0'));
    return out;
}

std::string sha256_hex(std::string_view data) {
    crypto_init();
    unsigned char digest[crypto_hash_sha256_BYTES];
    crypto_hash_sha256(digest, reinterpret_cast<const unsigned char*>(data.data()), data.size());
    return to_hex(std::string_view(reinterpret_cast<const char*>(digest), sizeof digest));
}

std::string to_hex(std::string_view bytes) {
    static constexpr char digits[] = "0123456789abcdef";
    std::string out;
    out.reserve(bytes.size() * 2);
    for (unsigned char c : bytes) {
        out.push_back(digits[c >> 4]);
        out.push_back(digits[c & 0x0f]);
    }
    return out;
}

bool constant_time_equal(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    return sodium_memcmp(a.data(), b.data(), a.size()) == 0;
}

std::optional<std::string> base64_decode(std::string_view text) {
    crypto_init();
    std::string out(text.size() / 4 * 3 + 3, '\0');
    std::size_t len = 0;
    const char* end = nullptr;
    if (sodium_base642bin(reinterpret_cast<unsigned char*>(out.data()), out.size(), text.data(), text.size(),
                          nullptr, &len, &end, sodium_base64_VARIANT_ORIGINAL) != 0 ||
        end != text.data() + text.size())
        return std::nullopt;
    out.resize(len);
    return out;
}

}  // namespace uslugi::core

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <cstdio>
#include <filesystem>

namespace uslugi::core {

std::string password_hash(std::string_view password) {
    crypto_init();
    char out[crypto_pwhash_STRBYTES];
    if (crypto_pwhash_str_alg(out, password.data(), password.size(), kPasswordOpsLimit, kPasswordMemLimit,
                              crypto_pwhash_ALG_ARGON2ID13) != 0)
        throw std::runtime_error("password hashing ran out of memory");
    return out;
}

bool password_verify(const std::string& hash, std::string_view password) {
    crypto_init();
    if (hash.empty() || hash.size() >= crypto_pwhash_STRBYTES) return false;
    return crypto_pwhash_str_verify(hash.c_str(), password.data(), password.size()) == 0;
}

bool password_needs_rehash(const std::string& hash) {
    return crypto_pwhash_str_needs_rehash(hash.c_str(), kPasswordOpsLimit, kPasswordMemLimit) != 0;
}

namespace {
constexpr std::string_view kLegacyPrefix = "v1.", kSealPrefix = "v2.";
// Subkey 1 was the secretbox key of v1 values; v2 has its own; 4 signs cookies.
constexpr std::uint64_t kLegacySubkey = 1, kIndexSubkey = 2, kSealSubkey = 3, kSignSubkey = 4;
constexpr char kKdfContext[crypto_kdf_CONTEXTBYTES + 1] = "uslugipd";
constexpr std::size_t kNonceBytes = crypto_aead_xchacha20poly1305_ietf_NPUBBYTES;
constexpr std::size_t kTagBytes = crypto_aead_xchacha20poly1305_ietf_ABYTES;

std::string b64url(const unsigned char* data, std::size_t n) {
    const int variant = sodium_base64_VARIANT_URLSAFE_NO_PADDING;
    std::string out(sodium_base64_ENCODED_LEN(n, variant), '\0');
    sodium_bin2base64(out.data(), out.size(), data, n, variant);
    out.resize(out.find('\0'));
    return out;
}

std::optional<std::string> b64url_decode(std::string_view text) {
    std::string raw(text.size() / 4 * 3 + 3, '\0');
    std::size_t len = 0;
    const char* end = nullptr;
    if (sodium_base642bin(reinterpret_cast<unsigned char*>(raw.data()), raw.size(), text.data(), text.size(), nullptr,
                          &len, &end, sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0 ||
        end != text.data() + text.size())
        return std::nullopt;
    raw.resize(len);
    return raw;
}

// table NUL column NUL row: names hold no NUL and the row comes last, so two
// different places never give the same bytes.
std::string associated_data(const SealContext& where) {
    std::string ad;
    ad.reserve(where.table.size() + where.column.size() + where.row.size() + 2);
    ad.append(where.table).push_back('\0');
    ad.append(where.column).push_back('\0');
    ad.append(where.row);
    return ad;
}

const unsigned char* bytes(std::string_view s) { return reinterpret_cast<const unsigned char*>(s.data()); }
}  // namespace

UnreadableValue::UnreadableValue(const SealContext& where, std::string_view why)
    : std::runtime_error("the sealed value in " + std::string(where.table) + "." + std::string(where.column) +
                         " of row " + where.row + " " + std::string(why)) {}

DataProtector::DataProtector(std::string_view master_key) {
    crypto_init();
    if (master_key.size() != kKeyBytes) throw std::invalid_argument("the data key must be 32 bytes");
    const auto* mk = bytes(master_key);
    crypto_kdf_derive_from_key(legacy_key_, sizeof legacy_key_, kLegacySubkey, kKdfContext, mk);
    crypto_kdf_derive_from_key(seal_key_, sizeof seal_key_, kSealSubkey, kKdfContext, mk);
    crypto_kdf_derive_from_key(index_key_, sizeof index_key_, kIndexSubkey, kKdfContext, mk);
}

DataProtector::~DataProtector() {
    sodium_memzero(legacy_key_, sizeof legacy_key_);
    sodium_memzero(seal_key_, sizeof seal_key_);
    sodium_memzero(index_key_, sizeof index_key_);
}

std::string DataProtector::seal(std::string_view plaintext, const SealContext& where) const {
    if (plaintext.empty()) return {};
    const std::string ad = associated_data(where);
    std::string buf(kNonceBytes + plaintext.size() + kTagBytes, '\0');
    auto* nonce = reinterpret_cast<unsigned char*>(buf.data());
    randombytes_buf(nonce, kNonceBytes);  // 192 random bits: no counter to keep across instances
    crypto_aead_xchacha20poly1305_ietf_encrypt(nonce + kNonceBytes, nullptr, bytes(plaintext), plaintext.size(),
                                               bytes(ad), ad.size(), nullptr, nonce, seal_key_);
    return std::string(kSealPrefix) + b64url(nonce, buf.size());
}

std::string DataProtector::open(std::string_view sealed, const SealContext& where) const {
    if (sealed.empty()) return {};
    if (is_legacy(sealed)) return open_legacy(sealed.substr(kLegacyPrefix.size()), where);
    if (sealed.substr(0, kSealPrefix.size()) != kSealPrefix) throw UnreadableValue(where, "is not a sealed value");
    const auto raw = b64url_decode(sealed.substr(kSealPrefix.size()));
    if (!raw || raw->size() < kNonceBytes + kTagBytes) throw UnreadableValue(where, "is damaged");
    const std::string ad = associated_data(where);
    const auto* nonce = bytes(*raw);
    std::string out(raw->size() - kNonceBytes - kTagBytes, '\0');
    if (crypto_aead_xchacha20poly1305_ietf_decrypt(reinterpret_cast<unsigned char*>(out.data()), nullptr, nullptr,
                                                   nonce + kNonceBytes, raw->size() - kNonceBytes, bytes(ad),
                                                   ad.size(), nonce, seal_key_) != 0)
        throw UnreadableValue(where, "does not open: altered, copied from another row or column, or sealed under "
                                     "another data key");
    return out;
}

bool DataProtector::is_legacy(std::string_view sealed) { return sealed.substr(0, kLegacyPrefix.size()) == kLegacyPrefix; }

// v1: secretbox without associated data. Read only during the transition; the
// re-seal turns every such value into v2.
std::string DataProtector::open_legacy(std::string_view body, const SealContext& where) const {
    const auto raw = b64url_decode(body);
    if (!raw || raw->size() < crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES)
        throw UnreadableValue(where, "is damaged");
    const auto* nonce = bytes(*raw);
    const std::size_t clen = raw->size() - crypto_secretbox_NONCEBYTES;
    std::string out(clen - crypto_secretbox_MACBYTES, '\0');
    if (crypto_secretbox_open_easy(reinterpret_cast<unsigned char*>(out.data()), nonce + crypto_secretbox_NONCEBYTES,
                                   clen, nonce, legacy_key_) != 0)
        throw UnreadableValue(where, "does not open: altered or sealed under another data key");
    return out;
}

std::string hmac_sha1(std::string_view key, std::string_view message) {
    unsigned char mac[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    if (!HMAC(EVP_sha1(), key.data(), static_cast<int>(key.size()), reinterpret_cast<const unsigned char*>(message.data()),
              message.size(), mac, &len))
        throw std::runtime_error("HMAC-SHA-1 failed");
    return std::string(reinterpret_cast<const char*>(mac), len);
}

namespace {
std::string domain_hmac(const unsigned char* key, std::size_t key_size, std::string_view domain, std::string_view value) {
    crypto_auth_hmacsha256_state st;
    crypto_auth_hmacsha256_init(&st, key, key_size);
    crypto_auth_hmacsha256_update(&st, reinterpret_cast<const unsigned char*>(domain.data()), domain.size());
    const unsigned char sep = 0;
    crypto_auth_hmacsha256_update(&st, &sep, 1);
    crypto_auth_hmacsha256_update(&st, reinterpret_cast<const unsigned char*>(value.data()), value.size());
    unsigned char mac[crypto_auth_hmacsha256_BYTES];
    crypto_auth_hmacsha256_final(&st, mac);
    return to_hex(std::string_view(reinterpret_cast<const char*>(mac), sizeof mac));
}
}  // namespace

std::string DataProtector::blind_index(std::string_view domain, std::string_view value) const {
    return domain_hmac(index_key_, sizeof index_key_, domain, value);
}

Signer::Signer(std::string_view master_key) {
    crypto_init();
    if (master_key.size() != DataProtector::kKeyBytes) throw std::invalid_argument("the data key must be 32 bytes");
    crypto_kdf_derive_from_key(key_, sizeof key_, kSignSubkey, kKdfContext,
                               reinterpret_cast<const unsigned char*>(master_key.data()));
}

Signer::~Signer() { sodium_memzero(key_, sizeof key_); }

std::string Signer::sign(std::string_view domain, std::string_view value) const {
    return domain_hmac(key_, sizeof key_, domain, value);
}

namespace {
std::string hex_to_key(const std::string& hex, const std::string& where) {
    std::string key(DataProtector::kKeyBytes, '\0');
    std::size_t len = 0;
    const char* end = nullptr;
    if (sodium_hex2bin(reinterpret_cast<unsigned char*>(key.data()), key.size(), hex.data(), hex.size(), nullptr, &len,
                       &end) != 0 ||
        len != key.size() || end != hex.data() + hex.size())
        throw std::invalid_argument(where + ": the data key must be 64 hexadecimal characters");
    return key;
}
// Whoever can read the key file can read every sealed value, and whoever can
// replace it can make the portal seal new data under a key of their own: the
// file must be a regular file of the running user that nobody else can read
// or write. Checked on the opened descriptor, so the file cannot be swapped
// between the check and the read.
std::string read_private_key_file(const std::string& key_file) {
    const int fd = ::open(key_file.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
    if (fd < 0) throw std::runtime_error("cannot read the data key file " + key_file + ": " + std::strerror(errno));
    struct stat st {};
    std::string problem;
    if (::fstat(fd, &st) != 0)
        problem = std::string("cannot be examined: ") + std::strerror(errno);
    else if (!S_ISREG(st.st_mode))
        problem = "is not a regular file: point --data-key-file at a regular file holding the key";
    else if (st.st_uid != ::geteuid())
        problem = "belongs to another user (uid " + std::to_string(st.st_uid) + ", uslugi runs as uid " +
                  std::to_string(::geteuid()) + "): give it to this user (chown) and run `chmod 600 " + key_file + "`";
    else if ((st.st_mode & 077) != 0) {
        char mode[8];
        std::snprintf(mode, sizeof mode, "%04o", static_cast<unsigned>(st.st_mode & 07777));
        problem = std::string("can be read or changed by other users (mode ") + mode + "): run `chmod 600 " +
                  key_file + "`";
    }
    if (!problem.empty()) {
        ::close(fd);
        throw std::invalid_argument("the data key file " + key_file + " " + problem);
    }
    std::string text(256, '\0');
    const ssize_t n = ::read(fd, text.data(), text.size());
    const int read_errno = errno;
    ::close(fd);
    if (n < 0) throw std::runtime_error("cannot read the data key file " + key_file + ": " + std::strerror(read_errno));
    text.resize(static_cast<std::size_t>(n));
    return text;
}
}  // namespace

std::string load_data_key(const std::string& hex_key, const std::string& key_file) {
    crypto_init();
    if (!hex_key.empty()) return hex_to_key(hex_key, "--data-key");
    if (key_file.empty()) throw std::invalid_argument("no data key: pass --data-key or --data-key-file");
    namespace fs = std::filesystem;
    if (!fs::exists(key_file)) {
        if (auto parent = fs::path(key_file).parent_path(); !parent.empty()) fs::create_directories(parent);
        // Written in full to a private file first, then published with link():
        // when several processes start at once exactly one key wins, and no
        // reader ever sees a file that is still being written.
        const std::string tmp = key_file + ".tmp." + to_hex(random_bytes(6));
        const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL, 0600);
        if (fd < 0) throw std::runtime_error("cannot create " + tmp + ": " + std::strerror(errno));
        const std::string hex = to_hex(random_bytes(DataProtector::kKeyBytes)) + "\n";
        const bool ok = ::write(fd, hex.data(), hex.size()) == static_cast<ssize_t>(hex.size()) && ::fsync(fd) == 0;
        ::close(fd);
        const int linked = ok ? ::link(tmp.c_str(), key_file.c_str()) : -1;
        const int link_errno = errno;
        ::unlink(tmp.c_str());
        if (!ok) throw std::runtime_error("cannot write the data key to " + tmp);
        if (linked != 0 && link_errno != EEXIST)
            throw std::runtime_error("cannot create the data key file " + key_file + ": " + std::strerror(link_errno));
    }
    std::string hex = read_private_key_file(key_file);
    hex = hex.substr(0, hex.find('\n'));
    while (!hex.empty() && (hex.back() == '\r' || hex.back() == ' ')) hex.pop_back();
    return hex_to_key(hex, key_file);
}

}  // namespace uslugi::core
