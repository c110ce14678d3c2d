#pragma once
// CSRF protection for visitors without a session row (a signed double-submit
// cookie), so that showing a form to an anonymous visitor stores nothing.
//
// The cookie holds a random value and its HMAC under a key derived from the
// data key; the token the form carries (field _csrf or header X-CSRF-Token) is
// a second HMAC of the same value. Only the server can make either, a token
// matches only the cookie it was made for (a token from one browser is refused
// with another browser's cookie), and the HttpOnly cookie's value itself never
// appears in a page. Every instance sharing the data key accepts the others'.
#include "core/crypto.hpp"

#include <string>
#include <string_view>

namespace uslugi::http {

inline constexpr std::string_view kCsrfCookie = "csrf";

class CsrfCookies {
public:
    struct Issued {
        std::string cookie;  // the cookie's value
        std::string token;   // what the forms carry
    };

    // `master_key` is the 32-byte data key.
    explicit CsrfCookies(std::string_view master_key) : signer_(master_key) {}

    Issued issue() const;
    // The token belonging to a cookie value, or "" when the cookie was not
    // made by this server (forged, altered or signed under another key).
    std::string token_for(std::string_view cookie) const;

private:
    core::Signer signer_;
};

}  // namespace uslugi::http
