#include "http/csrf.hpp"

namespace uslugi::http {

namespace {
constexpr std::string_view kCookieDomain = "csrf-cookie";
constexpr std::string_view kTokenDomain = "csrf-token";
}  // namespace

CsrfCookies::Issued CsrfCookies::issue() const {
    const std::string value = core::random_token(32);
    return {value + "." + signer_.sign(kCookieDomain, value), signer_.sign(kTokenDomain, value)};
}

std::string CsrfCookies::token_for(std::string_view cookie) const {
    const auto dot = cookie.find('.');
    if (dot == std::string_view::npos || dot < 32 || dot > 64) return {};
    const std::string_view value = cookie.substr(0, dot);
    if (!core::constant_time_equal(cookie.substr(dot + 1), signer_.sign(kCookieDomain, value))) return {};
    return signer_.sign(kTokenDomain, value);
}

}  // namespace uslugi::http
