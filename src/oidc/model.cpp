#include "oidc/model.hpp"

#include "core/crypto.hpp"
#include "oidc/jose.hpp"

#include <algorithm>

namespace uslugi::oidc {

const std::vector<ScopeInfo>& scope_catalog() {
    static const std::vector<ScopeInfo> catalog = {
        {"openid", {"sub"}, ""},
        {"fullname", {"family_name", "given_name", "middle_name", "name"}, "surname,name,patronymic"},
        {"birthdate", {"birthdate"}, "birth_date"},
        {"birthplace", {"birthplace"}, "birth_place"},
        {"gender", {"gender"}, "gender"},
        {"snils", {"snils"}, "snils"},
        {"inn", {"inn"}, "inn"},
        {"id_doc", {"id_doc"}, "passport"},
        {"email", {"email", "email_verified"}, "email"},
        {"mobile", {"phone_number", "phone_number_verified"}, "phone"},
        // The cabinet's address (CAB-5) as OpenID Connect's structured "address" claim.
        {"addresses", {"address"}, "addresses"},
    };
    return catalog;
}

const ScopeInfo* find_scope(std::string_view name) {
    for (const auto& s : scope_catalog())
        if (s.name == name) return &s;
    return nullptr;
}

std::optional<ScopeSet> parse_scopes(std::string_view text) {
    ScopeSet out;
    if (text.empty()) return out;
    std::size_t pos = 0;
    while (pos <= text.size()) {
        std::size_t space = text.find(' ', pos);
        if (space == std::string_view::npos) space = text.size();
        const std::string_view name = text.substr(pos, space - pos);
        if (name.empty() || !find_scope(name)) return std::nullopt;
        out.insert(std::string(name));
        pos = space + 1;
    }
    return out;
}

std::string join_scopes(const ScopeSet& s) {
    std::string out;
    for (const auto& info : scope_catalog()) {  // catalog order: stable and readable
        if (!s.count(std::string(info.name))) continue;
        if (!out.empty()) out += ' ';
        out += info.name;
    }
    return out;
}

std::vector<std::string> data_scopes(const ScopeSet& s) {
    std::vector<std::string> out;
    for (const auto& info : scope_catalog())
        if (info.name != "openid" && s.count(std::string(info.name))) out.emplace_back(info.name);
    return out;
}

std::string audit_fields(const ScopeSet& s) {
    std::string out;
    for (const auto& name : data_scopes(s)) {
        if (!out.empty()) out += ',';
        out += find_scope(name)->audit_fields;
    }
    return out;
}

bool is_subset(const ScopeSet& inner, const ScopeSet& outer) {
    return std::includes(outer.begin(), outer.end(), inner.begin(), inner.end());
}

std::string_view to_string(ClientAuth a) {
    return a == ClientAuth::private_key_jwt ? "private_key_jwt" : "client_secret_basic";
}

std::optional<ClientAuth> client_auth_from_string(std::string_view s) {
    if (s == "client_secret_basic") return ClientAuth::client_secret_basic;
    if (s == "private_key_jwt") return ClientAuth::private_key_jwt;
    return std::nullopt;
}

namespace {

bool is_loopback_host(std::string_view host) {
    return host == "localhost" || host == "[::1]" || host.substr(0, 4) == "127.";
}

}  // namespace

bool valid_redirect_uri(std::string_view uri) {
    if (uri.size() > 2000 || uri.find('#') != std::string_view::npos) return false;
    if (uri.find_first_of(" \t\r\n\"<>\\") != std::string_view::npos) return false;
    const bool https = uri.substr(0, 8) == "https://";
    const bool http = uri.substr(0, 7) == "http://";
    if (!https && !http) return false;
    const std::string_view rest = uri.substr(https ? 8 : 7);
    const std::string_view authority = rest.substr(0, rest.find_first_of("/?"));
    if (authority.empty() || authority.find('@') != std::string_view::npos) return false;
    std::string_view host = authority;
    if (host.front() != '[') host = host.substr(0, host.find(':'));
    else host = host.substr(0, host.find(']') + 1);
    if (host.empty()) return false;
    return https || is_loopback_host(host);
}

bool valid_client_id(std::string_view id) {
    if (id.size() < 3 || id.size() > 64) return false;
    return std::all_of(id.begin(), id.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
    });
}

bool redirect_matches(const std::vector<std::string>& registered, std::string_view given) {
    return std::any_of(registered.begin(), registered.end(), [&](const std::string& r) { return r == given; });
}

std::string origin_of(std::string_view uri) {
    const auto scheme_end = uri.find("://");
    if (scheme_end == std::string_view::npos) return "";
    const std::string_view scheme = uri.substr(0, scheme_end);
    if (scheme != "https" && scheme != "http") return "";
    const auto end = uri.find_first_of("/?#", scheme_end + 3);
    const std::string_view authority = uri.substr(scheme_end + 3, end == std::string_view::npos ? uri.npos : end - scheme_end - 3);
    if (authority.empty() || authority.find('@') != std::string_view::npos) return "";
    return std::string(uri.substr(0, scheme_end + 3)) + std::string(authority);
}

namespace {

bool unreserved(char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.' ||
           c == '_' || c == '~';
}

}  // namespace

bool valid_code_challenge(std::string_view challenge) {
    return challenge.size() == 43 && std::all_of(challenge.begin(), challenge.end(), [](char c) {
               return unreserved(c) && c != '.' && c != '~';
           });
}

bool valid_code_verifier(std::string_view verifier) {
    return verifier.size() >= 43 && verifier.size() <= 128 && std::all_of(verifier.begin(), verifier.end(), unreserved);
}

bool pkce_matches(std::string_view verifier, std::string_view challenge) {
    if (!valid_code_verifier(verifier) || !valid_code_challenge(challenge)) return false;
    return core::constant_time_equal(b64url(sha256(verifier)), challenge);
}

std::optional<int> acr_rank(std::string_view name) {
    if (name == "simplified") return 1;
    if (name == "standard") return 2;
    if (name == "confirmed") return 3;
    return std::nullopt;
}

std::optional<int> requested_rank(std::string_view acr_values) {
    std::optional<int> lowest;
    std::size_t pos = 0;
    while (pos <= acr_values.size()) {
        std::size_t space = acr_values.find(' ', pos);
        if (space == std::string_view::npos) space = acr_values.size();
        if (auto r = acr_rank(acr_values.substr(pos, space - pos)); r && (!lowest || *r < *lowest)) lowest = r;
        pos = space + 1;
    }
    return lowest;
}

std::string_view acr_name(int rank) {
    switch (rank) {
        case 3: return "confirmed";
        case 2: return "standard";
        default: return "simplified";
    }
}

RefreshVerdict judge_refresh(bool already_used, bool grant_revoked, std::int64_t expires_at, std::int64_t now) {
    if (grant_revoked) return RefreshVerdict::revoked;
    if (already_used) return RefreshVerdict::reused;  // before expiry: a stolen old token still betrays the theft
    if (expires_at <= now) return RefreshVerdict::expired;
    return RefreshVerdict::rotate;
}

RequestProblem check_authorize(const AuthorizeRequest& r, const ScopeSet& allowed) {
    if (r.response_type != "code")
        return {"unsupported_response_type", "only the authorization code flow (response_type=code) is supported"};
    const auto scopes = parse_scopes(r.scope);
    if (!scopes) return {"invalid_scope", "a scope is unknown"};
    if (!scopes->count("openid")) return {"invalid_scope", "the openid scope is required"};
    if (!is_subset(*scopes, allowed)) return {"invalid_scope", "the client may not ask for some of these scopes"};
    if (r.code_challenge.empty()) return {"invalid_request", "PKCE is required: code_challenge is missing"};
    if (r.code_challenge_method != "S256") return {"invalid_request", "code_challenge_method must be S256"};
    if (!valid_code_challenge(r.code_challenge)) return {"invalid_request", "code_challenge is not a SHA-256 in base64url"};
    if (r.nonce.size() > 512 || r.state.size() > 512) return {"invalid_request", "state or nonce is too long"};
    if (!r.prompt.empty() && r.prompt != "none" && r.prompt != "login" && r.prompt != "consent")
        return {"invalid_request", "prompt must be none, login or consent"};
    return {};
}

}  // namespace uslugi::oidc
