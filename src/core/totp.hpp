#pragma once
// Time-based one-time passwords (RFC 6238 over RFC 4226 HOTP, HMAC-SHA-1,
// 30-second steps, 6 digits): what authenticator apps generate.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace uslugi::core {

inline constexpr int kTotpDigits = 6;
inline constexpr std::int64_t kTotpStep = 30;

// 20 random bytes, the size RFC 4226 recommends.
std::string new_totp_secret();
std::string base32_encode(std::string_view bytes);
std::optional<std::string> base32_decode(std::string_view text);  // spaces and case ignored
// HOTP value for a counter, `digits` long with leading zeros.
std::string hotp(std::string_view secret, std::uint64_t counter, int digits = kTotpDigits);
std::string totp(std::string_view secret, std::int64_t unix_time, int digits = kTotpDigits);
// The step a typed code matches within ±`window` steps of now (clock drift),
// or nullopt. Callers refuse a step at or before the last one used (replay).
std::optional<std::int64_t> totp_match(std::string_view secret, std::string_view typed, std::int64_t unix_time,
                                       int window = 1);
// otpauth://totp/… URI for the QR code an app scans.
std::string totp_uri(std::string_view issuer, std::string_view account_label, std::string_view secret);

}  // namespace uslugi::core
