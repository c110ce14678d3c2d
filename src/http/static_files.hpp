#pragma once
// static/ is loaded into memory at start (it is small): each asset gets an
// ETag, a gzipped copy and a fingerprinted URL (/static/css/site.<hash>.css)
// that may be cached for a year, since a change gives it a new URL.
#include "http/request.hpp"
#include "http/compress.hpp"
#include "http/response.hpp"

#include <string>
#include <unordered_map>

namespace uslugi::http {

struct Asset {
    std::string logical;  // "css/site.css"
    std::string content_type;
    Precompressed content;  // the file, its gzip and Brotli copies and its ETag
    std::string fingerprint;
    std::string url;      // "/static/css/site.<fingerprint>.css"
};

class StaticFiles {
public:
    void load(const std::string& dir);
    // Fingerprinted URL of an asset, for templates; throws if it does not exist.
    const std::string& url(const std::string& logical) const;
    // Serves GET /static/{path...}; 404 when unknown.
    Response serve(const Request& request, const std::string& path) const;
    std::size_t size() const { return assets_.size(); }

private:
    std::unordered_map<std::string, Asset> assets_;
};

std::string content_type_for(const std::string& filename);

}  // namespace uslugi::http
