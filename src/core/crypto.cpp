#include "core/crypto.hpp"

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
#include <filesystem>
#include <fstream>

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
constexpr char kSealPrefix[] = "v1.";
constexpr std::uint64_t kSealSubkey = 1, kIndexSubkey = 2, kSignSubkey = 3;
constexpr char kKdfContext[crypto_kdf_CONTEXTBYTES + 1] = "uslugipd";

std::string b64url(const unsigned char* data, std::size_t n) {
    const int variant = sodium_base64_VARIANT_URLSAFE_NO_PADDING;
    std::string out(sodium_base64_ENCODED_LEN(n, variant), '\0');
    sodium_bin2base64(out.data(), out.size(), data, n, variant);
    out.resize(out.find('\0'));
    return out;
}
}  // namespace

DataProtector::DataProtector(std::string_view master_key) {
    crypto_init();
    if (master_key.size() != kKeyBytes) throw std::invalid_argument("the data key must be 32 bytes");
    const auto* mk = reinterpret_cast<const unsigned char*>(master_key.data());
    crypto_kdf_derive_from_key(seal_key_, sizeof seal_key_, kSealSubkey, kKdfContext, mk);
    crypto_kdf_derive_from_key(index_key_, sizeof index_key_, kIndexSubkey, kKdfContext, mk);
}

DataProtector::~DataProtector() {
    sodium_memzero(seal_key_, sizeof seal_key_);
    sodium_memzero(index_key_, sizeof index_key_);
}

std::string DataProtector::seal(std::string_view plaintext) const {
    if (plaintext.empty()) return {};
    std::string buf(crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES + plaintext.size(), '\0');
    auto* nonce = reinterpret_cast<unsigned char*>(buf.data());
    randombytes_buf(nonce, crypto_secretbox_NONCEBYTES);
    crypto_secretbox_easy(nonce + crypto_secretbox_NONCEBYTES,
                          reinterpret_cast<const unsigned char*>(plaintext.data()), plaintext.size(), nonce, seal_key_);
    return kSealPrefix + b64url(nonce, buf.size());
}

std::string DataProtector::open(std::string_view sealed) const {
    if (sealed.empty()) return {};
    if (sealed.substr(0, sizeof kSealPrefix - 1) != kSealPrefix) throw std::runtime_error("not a sealed value");
    sealed.remove_prefix(sizeof kSealPrefix - 1);
    std::string raw(sealed.size(), '\0');
    std::size_t len = 0;
    if (sodium_base642bin(reinterpret_cast<unsigned char*>(raw.data()), raw.size(), sealed.data(), sealed.size(),
                          nullptr, &len, nullptr, sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0 ||
        len < crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES)
        throw std::runtime_error("sealed value is damaged");
    const auto* nonce = reinterpret_cast<const unsigned char*>(raw.data());
    const std::size_t clen = len - crypto_secretbox_NONCEBYTES;
    std::string out(clen - crypto_secretbox_MACBYTES, '\0');
    if (crypto_secretbox_open_easy(reinterpret_cast<unsigned char*>(out.data()), nonce + crypto_secretbox_NONCEBYTES,
                                   clen, nonce, seal_key_) != 0)
        throw std::runtime_error("sealed value does not open with this data key");
    return out;
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
    std::ifstream in(key_file);
    std::string hex;
    std::getline(in, hex);
    while (!hex.empty() && (hex.back() == '\r' || hex.back() == ' ')) hex.pop_back();
    return hex_to_key(hex, key_file);
}

}  // namespace uslugi::core
