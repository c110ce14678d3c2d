#include "http/static_files.hpp"

#include "core/crypto.hpp"
#include "http/compress.hpp"

#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace uslugi::http {

namespace fs = std::filesystem;

std::string content_type_for(const std::string& filename) {
    static const std::unordered_map<std::string, std::string> types{
        {".css", "text/css; charset=utf-8"},        {".js", "application/javascript; charset=utf-8"},
        {".svg", "image/svg+xml"},                  {".png", "image/png"},
        {".ico", "image/x-icon"},                   {".woff2", "font/woff2"},
        {".txt", "text/plain; charset=utf-8"},      {".json", "application/json; charset=utf-8"},
        {".pdf", "application/pdf"},                {".webmanifest", "application/manifest+json"}};
    auto it = types.find(fs::path(filename).extension().string());
    return it == types.end() ? "application/octet-stream" : it->second;
}

void StaticFiles::load(const std::string& dir) {
    assets_.clear();
    if (!fs::is_directory(dir)) throw std::runtime_error("static folder not found: " + dir);
    for (const auto& entry : fs::recursive_directory_iterator(dir)) {
        if (!entry.is_regular_file()) continue;
        Asset a;
        a.logical = fs::relative(entry.path(), dir).generic_string();
        std::ifstream in(entry.path(), std::ios::binary);
        std::stringstream buf;
        buf << in.rdbuf();
        std::string body = buf.str();
        a.content_type = content_type_for(a.logical);
        const std::string hash = core::sha256_hex(body);
        a.content = Precompressed::make(std::move(body), "\"" + hash.substr(0, 16) + "\"", is_compressible(a.content_type));
        a.fingerprint = hash.substr(0, 10);
        const fs::path p(a.logical);
        a.url = "/static/" + (p.parent_path() / (p.stem().string() + "." + a.fingerprint + p.extension().string())).generic_string();
        assets_.emplace(a.logical, std::move(a));
    }
}

const std::string& StaticFiles::url(const std::string& logical) const {
    auto it = assets_.find(logical);
    if (it == assets_.end()) throw std::runtime_error("no static asset " + logical);
    return it->second.url;
}

Response StaticFiles::serve(const Request& request, const std::string& path) const {
    const Asset* asset = nullptr;
    bool fingerprinted = false;
    if (auto it = assets_.find(path); it != assets_.end()) {
        asset = &it->second;
    } else {
        // "css/site.<fp>.css" → "css/site.css" when <fp> is the current fingerprint.
        const fs::path p(path);
        const std::string stem = p.stem().string();
        const auto dot = stem.rfind('.');
        if (dot != std::string::npos) {
            const std::string logical = (p.parent_path() / (stem.substr(0, dot) + p.extension().string())).generic_string();
            if (auto it2 = assets_.find(logical); it2 != assets_.end() && it2->second.fingerprint == stem.substr(dot + 1)) {
                asset = &it2->second;
                fingerprinted = true;
            }
        }
    }
    if (!asset) return Response::text("not found", Status::not_found);

    Response r;
    r.content_type = asset->content_type;
    r.cacheable = true;
    r.set_header("ETag", asset->content.etag);
    r.set_header("Cache-Control", fingerprinted ? "public, max-age=31536000, immutable" : "no-cache");
    if (asset->content.varies()) r.set_header("Vary", "Accept-Encoding");
    if (etag_matches(request.header(bhttp::field::if_none_match), asset->content.etag)) {
        r.status = Status::not_modified;
        r.content_type.clear();
        return r;
    }
    asset->content.answer(request.header(bhttp::field::accept_encoding), r);
    return r;
}

}  // namespace uslugi::http
