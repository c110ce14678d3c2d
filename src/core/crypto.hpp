#pragma once
// Thin wrappers over libsodium: the only place that touches raw crypto APIs.
#include <cstddef>
#include <optional>
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
bool constant_time_equal(std::string_view a, std::string_view b);
// Standard base64 with padding (RFC 4648 §4, as in HTTP Basic credentials);
// nullopt when the text is not valid base64.
std::optional<std::string> base64_decode(std::string_view text);

}  // namespace uslugi::core
