#include "http/router.hpp"

#include <stdexcept>

namespace uslugi::http {

namespace {
std::vector<std::string_view> split_path(std::string_view path) {
    std::vector<std::string_view> out;
    std::size_t pos = 1;  // skip the leading '/'
    while (pos <= path.size()) {
        std::size_t slash = path.find('/', pos);
        if (slash == std::string_view::npos) slash = path.size();
        out.push_back(path.substr(pos, slash - pos));
        pos = slash + 1;
    }
    if (!out.empty() && out.back().empty() && out.size() > 1) out.pop_back();  // trailing slash
    return out;
}

bool is_param(const std::string& s) { return s.size() > 2 && s.front() == '{' && s.back() == '}'; }
bool is_tail(const std::string& s) { return is_param(s) && s.size() > 5 && s.compare(s.size() - 4, 4, "...}") == 0; }
std::string param_name(const std::string& s) { return is_tail(s) ? s.substr(1, s.size() - 5) : s.substr(1, s.size() - 2); }

bool match_segments(const Route& route, const std::vector<std::string_view>& parts,
                    std::map<std::string, std::string, std::less<>>* params) {
    const auto& segs = route.segments;
    for (std::size_t i = 0; i < segs.size(); ++i) {
        if (is_tail(segs[i])) {
            if (i >= parts.size()) return false;
            if (params) {
                std::string rest;
                for (std::size_t j = i; j < parts.size(); ++j) {
                    if (j > i) rest += '/';
                    rest += parts[j];
                }
                (*params)[param_name(segs[i])] = rest;
            }
            return true;
        }
        if (i >= parts.size()) return false;
        if (is_param(segs[i])) {
            if (parts[i].empty()) return false;
            if (params) (*params)[param_name(segs[i])] = std::string(parts[i]);
        } else if (segs[i] != parts[i]) {
            return false;
        }
    }
    return segs.size() == parts.size();
}
}  // namespace

void Router::add(bhttp::verb method, std::string pattern, Handler handler, RouteOptions options) {
    if (pattern.empty() || pattern.front() != '/') throw std::invalid_argument("route must start with /: " + pattern);
    Route r{method, pattern, {}, std::move(handler), options};
    for (auto part : split_path(pattern)) r.segments.emplace_back(part);
    routes_.push_back(std::move(r));
}

RouteMatch Router::match(bhttp::verb method, std::string_view path,
                         std::map<std::string, std::string, std::less<>>* params) const {
    RouteMatch result;
    const auto parts = split_path(path);
    for (const Route& r : routes_) {
        if (!match_segments(r, parts, nullptr)) continue;
        const bool head_as_get = method == bhttp::verb::head && r.method == bhttp::verb::get;
        if (r.method == method || head_as_get) {
            if (params) match_segments(r, parts, params);
            result.route = &r;
            return result;
        }
        result.path_matched = true;
        result.allowed.push_back(r.method);
    }
    return result;
}

}  // namespace uslugi::http
