#include "core/totp.hpp"

#include "core/crypto.hpp"
#include "core/text.hpp"

namespace uslugi::core {

namespace {
constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
}

std::string new_totp_secret() { return core::random_bytes(20); }

std::string base32_encode(std::string_view bytes) {
    std::string out;
    unsigned buffer = 0;
    int bits = 0;
    for (unsigned char c : bytes) {
        buffer = (buffer << 8) | c;
        bits += 8;
        while (bits >= 5) {
            out.push_back(kAlphabet[(buffer >> (bits - 5)) & 31]);
            bits -= 5;
        }
    }
    if (bits > 0) out.push_back(kAlphabet[(buffer << (5 - bits)) & 31]);
    return out;
}

std::optional<std::string> base32_decode(std::string_view text) {
    std::string out;
    unsigned buffer = 0;
    int bits = 0;
    for (char ch : text) {
        if (ch == ' ' || ch == '-' || ch == '=') continue;
        if (ch >= 'a' && ch <= 'z') ch = static_cast<char>(ch - 'a' + 'A');
        int v = -1;
        if (ch >= 'A' && ch <= 'Z') v = ch - 'A';
        else if (ch >= '2' && ch <= '7') v = ch - '2' + 26;
        if (v < 0) return std::nullopt;
        buffer = (buffer << 5) | static_cast<unsigned>(v);
        bits += 5;
        if (bits >= 8) {
            out.push_back(static_cast<char>((buffer >> (bits - 8)) & 0xff));
            bits -= 8;
        }
    }
    return out;
}

std::string hotp(std::string_view secret, std::uint64_t counter, int digits) {
    unsigned char msg[8];
    for (int i = 7; i >= 0; --i) {
        msg[i] = static_cast<unsigned char>(counter & 0xff);
        counter >>= 8;
    }
    const std::string digest = hmac_sha1(secret, std::string_view(reinterpret_cast<const char*>(msg), sizeof msg));
    const auto* mac = reinterpret_cast<const unsigned char*>(digest.data());
    const std::size_t len = digest.size();
    const int offset = mac[len - 1] & 0x0f;
    const std::uint32_t binary = (static_cast<std::uint32_t>(mac[offset] & 0x7f) << 24) |
                                 (static_cast<std::uint32_t>(mac[offset + 1]) << 16) |
                                 (static_cast<std::uint32_t>(mac[offset + 2]) << 8) | mac[offset + 3];
    std::uint32_t mod = 1;
    for (int i = 0; i < digits; ++i) mod *= 10;
    std::string code = std::to_string(binary % mod);
    return std::string(static_cast<std::size_t>(digits) - code.size(), '0') + code;
}

std::string totp(std::string_view secret, std::int64_t unix_time, int digits) {
    return hotp(secret, static_cast<std::uint64_t>(unix_time / kTotpStep), digits);
}

std::optional<std::int64_t> totp_match(std::string_view secret, std::string_view typed, std::int64_t unix_time,
                                       int window) {
    std::string code;
    for (char c : typed)
        if (c >= '0' && c <= '9') code.push_back(c);
    if (code.size() != kTotpDigits || secret.empty()) return std::nullopt;
    const std::int64_t step = unix_time / kTotpStep;
    for (int d = -window; d <= window; ++d) {
        if (step + d < 0) continue;
        if (core::constant_time_equal(hotp(secret, static_cast<std::uint64_t>(step + d)), code)) return step + d;
    }
    return std::nullopt;
}

std::string totp_uri(std::string_view issuer, std::string_view label, std::string_view secret) {
    const std::string iss = text::url_encode(issuer);
    return "otpauth://totp/" + iss + ":" + text::url_encode(label) + "?secret=" + base32_encode(secret) +
           "&issuer=" + iss + "&algorithm=SHA1&digits=6&period=30";
}

}  // namespace uslugi::core
