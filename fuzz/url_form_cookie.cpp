// Fuzz target: the decoders of src/http/request.* on their own, where
// libFuzzer reaches their corners faster than through a whole request: the
// first byte picks one, the rest is its input. Each may only throw
// http::BadRequest, and what it returns must keep the promises callers rely on.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz_check.hpp"
#include "http/request.hpp"

namespace {

using uslugi::fuzz::expect;
using uslugi::fuzz::has_nul;
namespace http = uslugi::http;

// The boundary of the multipart seeds in fuzz/corpus/url_form_cookie.
constexpr std::string_view kBoundary = "uslugi-fuzz";

void url(std::string_view in, bool plus_is_space) {
    const std::string decoded = http::url_decode(in, plus_is_space);
    expect(!has_nul(decoded), "url_decode lets no NUL through");
    expect(decoded.size() <= in.size(), "decoding never lengthens");
    expect(http::url_decode(http::url_encode(decoded), false) == decoded, "url_encode round-trips");
}

void form(std::string_view in) {
    const http::Params params = http::parse_urlencoded(in);
    for (const auto& [key, value] : params.items())
        expect(!has_nul(key) && !has_nul(value), "no NUL in form fields");
}

void cookies(std::string_view in) {
    for (const auto& [name, value] : http::parse_cookie_header(in)) {
        expect(!name.empty() && name.front() != ' ', "a cookie has a trimmed name");
        expect(name.find(';') == std::string::npos && value.find(';') == std::string::npos,
               "cookies are split at ';'");
    }
}

void multipart(const std::string& body, const std::string& boundary) {
    http::Params fields;
    std::vector<http::UploadedFile> files;
    http::parse_multipart(body, boundary, fields, files);
    for (const auto& [key, value] : fields.items())
        expect(!has_nul(key) && !has_nul(value), "no NUL in multipart fields");
    for (const auto& file : files) expect(!has_nul(file.field) && !has_nul(file.filename), "no NUL in file names");
}

// "Content-Type line\nbody": the boundary as the server finds it.
void multipart_with_header(std::string_view in) {
    const std::size_t eol = in.find('\n');
    if (eol == std::string_view::npos) return;
    const std::string boundary = http::multipart_boundary(in.substr(0, eol));
    if (!boundary.empty()) multipart(std::string(in.substr(eol + 1)), boundary);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) return 0;
    const std::string_view in(reinterpret_cast<const char*>(data) + 1, size - 1);
    try {
        switch (data[0] % 6) {
            case 0: url(in, true); break;
            case 1: url(in, false); break;
            case 2: form(in); break;
            case 3: cookies(in); break;
            case 4: multipart(std::string(in), std::string(kBoundary)); break;
            case 5: multipart_with_header(in); break;
        }
    } catch (const http::BadRequest&) {
        // The server answers 400.
    }
    return 0;
}
