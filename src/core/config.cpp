#include "core/config.hpp"

#include <cstdlib>
#include <filesystem>
#include <stdexcept>

namespace uslugi::core {

namespace fs = std::filesystem;

namespace {
bool looks_like_root(const fs::path& p) {
    std::error_code ec;
    return fs::is_directory(p / "templates", ec) && fs::is_directory(p / "locales", ec);
}
}  // namespace

std::string find_root(const std::string& explicit_root, const char* argv0) {
    if (!explicit_root.empty()) {
        if (!looks_like_root(explicit_root))
            throw std::runtime_error("--root " + explicit_root + " has no templates/ and locales/");
        return fs::absolute(explicit_root).string();
    }
    if (const char* env = std::getenv("USLUGI_ROOT"); env && *env && looks_like_root(env))
        return fs::absolute(env).string();
    if (looks_like_root(fs::current_path())) return fs::current_path().string();
    std::error_code ec;
    fs::path exe = fs::canonical("/proc/self/exe", ec);
    if (ec && argv0) exe = fs::absolute(argv0);
    for (fs::path p = exe.parent_path(); !p.empty() && p != p.root_path(); p = p.parent_path())
        if (looks_like_root(p)) return p.string();
    throw std::runtime_error(
        "cannot find the uslugi folder (templates/, locales/): run from it or set USLUGI_ROOT");
}

}  // namespace uslugi::core
