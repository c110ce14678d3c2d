#pragma once
#include <string>
#include <string_view>

namespace uslugi::http {

// gzip (RFC 1952) of `data` with zlib; used for text responses when the client accepts it.
std::string gzip(std::string_view data, int level = 6);
// Inverse, for tests and for reading gzipped request bodies one day.
std::string gunzip(std::string_view data);
// Text types worth compressing (HTML, CSS, JS, JSON, SVG, plain text).
bool is_compressible(std::string_view content_type);

}  // namespace uslugi::http
