// Fuzz target: the bytes a client sends on one keep-alive connection, read
// the way src/http/server.cpp reads them (Beast's parser with the server's
// header limit; the body limit applied once the header is known; pipelined
// requests one after the other), each request then turned into an
// http::Request as App::handle does (target, path, query, cookies,
// Accept-Language, then the url-encoded or multipart form). Malformed input
// may only end as a parser error (the server answers 400/413/431) or as
// http::BadRequest; any other exception or a crash is a finding.
#include <utility>  // before Boost.Asio under C++20 with GCC 12 (DESIGN.md)

#include <boost/asio/buffer.hpp>
#include <boost/beast/http.hpp>

#include <cstddef>
#include <cstdint>
#include <limits>
#include <optional>
#include <string_view>

#include "core/config.hpp"
#include "core/i18n.hpp"
#include "fuzz_check.hpp"
#include "http/compress.hpp"
#include "http/request.hpp"

namespace {

namespace bhttp = boost::beast::http;
using uslugi::fuzz::expect;
using uslugi::fuzz::has_nul;

const uslugi::core::Config kDefaults;  // the limits `uslugi serve` runs with unless configured
constexpr int kMaxPipelined = 8;

// Feeds `bytes` to the parser until it stops asking; drops what it consumed.
bool feed(bhttp::request_parser<bhttp::string_body>& parser, std::string_view& bytes,
          bool (bhttp::request_parser<bhttp::string_body>::*done)() const) {
    while (!(parser.*done)()) {
        boost::beast::error_code ec;
        const std::size_t used = parser.put(boost::asio::buffer(bytes.data(), bytes.size()), ec);
        expect(used <= bytes.size(), "the parser consumed more than it was given");
        bytes.remove_prefix(used);
        if (ec) return false;  // need_more at the end of the input: the client went quiet
        if (used == 0) return false;
    }
    return true;
}

// One request off the connection, or nullopt where the server would answer
// with an error or wait for more bytes.
std::optional<uslugi::http::RawRequest> read_request(std::string_view& bytes) {
    bhttp::request_parser<bhttp::string_body> parser;
    parser.header_limit(static_cast<std::uint32_t>(kDefaults.header_limit));
    parser.body_limit(std::numeric_limits<std::uint64_t>::max());
    if (!feed(parser, bytes, &bhttp::request_parser<bhttp::string_body>::is_header_done)) return std::nullopt;
    if (auto length = parser.content_length(); length && *length > kDefaults.body_limit) return std::nullopt;
    parser.body_limit(kDefaults.body_limit);
    parser.eager(true);
    if (!feed(parser, bytes, &bhttp::request_parser<bhttp::string_body>::is_done)) return std::nullopt;
    return parser.release();
}

void handle(uslugi::http::RawRequest raw) {
    (void)uslugi::core::Locales::negotiate(raw[bhttp::field::accept_language]);
    try {
        uslugi::http::Request request(std::move(raw));
        expect(!request.path().empty() && request.path().front() == '/', "the path starts with /");
        expect(!has_nul(request.path()), "no NUL in the path");
        for (const auto& [key, value] : request.query().items())
            expect(!has_nul(key) && !has_nul(value), "no NUL in the query");
        (void)request.cookie("sid");
        (void)request.wants_json();
        (void)uslugi::http::choose_encoding(request.header(bhttp::field::accept_encoding), true);
        for (const auto& [key, value] : request.form().items())
            expect(!has_nul(key) && !has_nul(value), "no NUL in form fields");
        (void)request.files();
    } catch (const uslugi::http::BadRequest&) {
        // The server answers 400.
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string_view bytes(reinterpret_cast<const char*>(data), size);
    for (int i = 0; i < kMaxPipelined && !bytes.empty(); ++i) {
        auto raw = read_request(bytes);
        if (!raw) break;
        handle(std::move(*raw));
    }
    return 0;
}
