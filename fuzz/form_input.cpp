// Fuzz target: how the identity pages and their JSON API read a POST body
// (identity::FormInput in src/identity/web.*): a JSON object or a form, read
// under the field names the identity routes use. The first byte picks the
// Content-Type, the rest is the body. Anything malformed must end as
// http::BadRequest (a 400 with a stable code), never another exception.
#include <utility>  // before Boost.Asio under C++20 with GCC 12 (DESIGN.md)

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz_check.hpp"
#include "http/request.hpp"
#include "identity/web.hpp"

namespace {

using uslugi::fuzz::expect;
using uslugi::fuzz::has_nul;
namespace http = uslugi::http;

constexpr std::array<std::string_view, 5> kContentTypes{
    "application/json", "application/json; charset=utf-8", "application/x-www-form-urlencoded",
    "multipart/form-data; boundary=uslugi-fuzz", "text/plain"};

// Every name src/identity/*routes.cpp reads with in.get() or in.flag().
constexpr std::array<const char*, 17> kTextFields{
    "answer", "code", "contact", "current_password", "handle", "id_kind", "id_value", "kind", "login", "name",
    "password", "password_repeat", "question", "surname", "token", "value", "_csrf"};
constexpr std::array<const char*, 3> kFlags{"confirm", "on", "remember"};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) return 0;
    http::RawRequest raw{http::bhttp::verb::post, "/api/v1/signin", 11};
    raw.set(http::bhttp::field::host, "localhost");
    const std::string_view content_type = kContentTypes[data[0] % kContentTypes.size()];
    // Forms refuse NUL bytes in the HTTP layer; a JSON "\u0000" reaches the field
    // checks like any other character (tests/integration/identity_bad_input.test.mjs).
    const bool nul_refused = content_type.rfind("application/json", 0) != 0;
    raw.set(http::bhttp::field::content_type, content_type);
    raw.body().assign(reinterpret_cast<const char*>(data) + 1, size - 1);
    raw.prepare_payload();
    http::Request request(std::move(raw));
    try {
        const uslugi::identity::FormInput in(request);
        for (const char* name : kTextFields)
            expect(!(nul_refused && has_nul(in.get(name))), "no NUL in a form field");
        for (const char* name : kFlags) (void)in.flag(name);
    } catch (const http::BadRequest&) {
        // The route answers 400.
    }
    return 0;
}
