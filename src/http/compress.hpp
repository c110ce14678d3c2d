#pragma once
// Response compression. Pages rendered per request are gzipped with
// libdeflate (several times faster than zlib at the same ratio); pages kept in
// the shared page cache are compressed once, as gzip and as Brotli, at the
// highest levels, and then served many times.
#include <string>
#include <string_view>

namespace uslugi::http {

enum class Encoding { identity, gzip, br };

// The content coding to answer with for an Accept-Encoding header (RFC 9110
// 12.5.3): the acceptable coding with the highest q-value among those offered,
// Brotli first on a tie; "q=0" refuses a coding, "*" stands for the others.
// `br_available` is false when only gzip exists for the response.
Encoding choose_encoding(std::string_view accept_encoding, bool br_available);
std::string_view encoding_name(Encoding e);

// gzip (RFC 1952) of `data` with libdeflate, level 1–12.
std::string gzip(std::string_view data, int level = 6);
// Brotli (RFC 7932) of `data`, quality 0–11.
std::string brotli(std::string_view data, int quality = 9);
// Inverses, for tests and for reading compressed request bodies one day.
std::string gunzip(std::string_view data);
std::string unbrotli(std::string_view data);
// Text types worth compressing (HTML, CSS, JS, JSON, SVG, plain text).
bool is_compressible(std::string_view content_type);

}  // namespace uslugi::http

namespace uslugi::http {

struct Response;

// One body kept ready in every coding worth having, for answers served many
// times (static files, the shared page cache): compressed once, at the
// highest levels, when it is made.
struct Precompressed {
    std::string identity;
    std::string gzip;  // empty when compressing does not pay
    std::string br;    // likewise
    std::string etag;  // quoted, as sent

    // The defaults are the slowest, smallest levels: for what is made once
    // at start-up. Pages made while serving take faster ones.
    static Precompressed make(std::string body, std::string etag, bool compressible, int gzip_level = 12,
                              int br_quality = 11);
    // Puts the representation the client accepts best into `r` (body and
    // Content-Encoding).
    void answer(std::string_view accept_encoding, Response& r) const;
    // Whether the answer depends on Accept-Encoding (then say so in Vary,
    // on 304s too).
    bool varies() const { return !gzip.empty() || !br.empty(); }
    std::size_t bytes() const { return identity.size() + gzip.size() + br.size() + etag.size(); }
};

// Whether an If-None-Match header names `etag` (weak comparison, RFC 9110 13.1.2).
bool etag_matches(std::string_view if_none_match, std::string_view etag);

}  // namespace uslugi::http
