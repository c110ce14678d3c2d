#include "http/render.hpp"

#include "http/session_store.hpp"

namespace uslugi::http {

std::string safe_next(std::string_view next) {
    if (next.empty() || next.front() != '/' || next.size() > 2048) return "/";
    if (next.size() > 1 && (next[1] == '/' || next[1] == '\\')) return "/";  // "//evil.example"
    for (char c : next)
        if (static_cast<unsigned char>(c) < 0x20 || c == '\\') return "/";
    return std::string(next);
}

namespace {

// The index of `value` in `choices`, or -1.
template <std::size_t N>
int choice_index(const char* const (&choices)[N], const std::string& value) {
    for (std::size_t i = 0; i < N; ++i)
        if (value == choices[i]) return static_cast<int>(i);
    return -1;
}

template <std::size_t N>
std::string choice_at(const char* const (&choices)[N], int index) {
    return index >= 0 && static_cast<std::size_t>(index) < N ? choices[index] : choices[0];
}

// The quick menu by the name (ID-5): whom the person acts for, and a form
// button for each other choice, so switching needs no JavaScript.
void add_switcher(Data& account, const AccountBrief& a) {
    if (a.organisations.empty()) return;
    Data choices(Data::type::list);
    Data personal;
    personal.set("value", std::string("personal"));
    personal.set("personal", true);
    personal.set("name", std::string());  // not the person's name from the enclosing context
    personal.set("current", a.acting_for == 0);
    choices.push_back(personal);
    for (const auto& o : a.organisations) {
        Data item;
        item.set("value", std::to_string(o.id));
        item.set("name", o.name);
        item.set("current", o.id == a.acting_for);
        choices.push_back(item);
    }
    account.set("switcher", choices);
    account.set("has_switcher", true);
    if (const auto* o = a.current_organisation()) account.set("acting_name", o->name);
}

}  // namespace

ViOptions unpack_vi_options(int packed) {
    return {choice_at(kViSizes, packed & 3), choice_at(kViSchemes, (packed >> 2) & 3),
            choice_at(kViSpacings, (packed >> 4) & 1)};
}

std::optional<int> pack_vi_options(const ViOptions& o) {
    const int size = choice_index(kViSizes, o.size), scheme = choice_index(kViSchemes, o.scheme),
              spacing = choice_index(kViSpacings, o.spacing);
    if (size < 0 || scheme < 0 || spacing < 0) return std::nullopt;
    return size | scheme << 2 | spacing << 4;
}

Data Renderer::chrome(const Request* request, const std::string& lang, bool vi, const std::string& title) const {
    // Built in place through operator[]: kainjow's set() copies whole subtrees.
    const std::string here = request ? url_encode(request->target()) : "%2F";
    Data root;
    Data& page = root["page"];
    page.set("lang", lang);
    page.set("title", title);
    page.set("vi", vi);
    page.set("css", statics_.url("css/site.css"));
    page.set("js", statics_.url("js/app.js"));
    if (vi) {
        page.set("vi_css", statics_.url("css/vi.css"));
        // Only choices other than the default are named, so the default page stays <html class="vi">.
        const ViOptions o = unpack_vi_options(request && request->session ? request->session->vi_options : 0);
        const ViOptions defaults;
        if (o.size != defaults.size) page.set("vi_size", o.size);
        if (o.scheme != defaults.scheme) page.set("vi_scheme", o.scheme);
        if (o.spacing != defaults.spacing) page.set("vi_spacing", o.spacing);
    }
    page.set("lang_name", locales_.get(lang).text("lang.self"));
    std::string code = lang;  // "RU": the language menu's label on a phone
    for (char& c : code) c = static_cast<char>(c >= 'a' && c <= 'z' ? c - 'a' + 'A' : c);
    page.set("lang_code", code);
    page.set("vi_toggle", std::string("/prefs/vi/") + (vi ? "off" : "on") + "?next=" + here);
    Data& languages = page["languages"];
    languages = Data(Data::type::list);
    for (std::string_view code : core::kLanguages) {
        Data item;
        item.set("code", std::string(code));
        item.set("name", locales_.get(code).text("lang.self"));
        item.set("href", "/prefs/lang/" + std::string(code) + "?next=" + here);
        item.set("current", code == lang);
        languages.push_back(item);
    }
    if (request) {
        page.set("request_id", request->request_id);
        if (request->session) page.set("csrf", request->session->csrf_token);
        else if (!request->anonymous_csrf.empty()) page.set("csrf", request->anonymous_csrf);
        if (request->account) {
            Data& account = page["account"];
            account.set("name", request->account->display_name);
            account.set("level", request->account->level);
            account.set("level_text", locales_.get(lang).text("identity.level." + request->account->level));
            add_switcher(account, *request->account);
        }
    }
    return root;
}

Response Renderer::page(const Request& request, const std::string& name, const Data& data,
                        const std::string& title, Status status, const Data* shared) const {
    const core::Locale& locale = locales_.get(request.lang);
    const bool vi = request.session && request.session->vi_mode;
    Data root = chrome(&request, request.lang, vi, title);
    root.set("content", templates_.render(name, data, &root, locale, shared));
    return Response::html(templates_.render("layout/page", root, nullptr, locale), status);
}

std::string Renderer::fragment(const Request& request, const std::string& name, const Data& data) const {
    return templates_.render(name, data, nullptr, locales_.get(request.lang));
}

Response Renderer::error_response(const Request* request, Status status, const std::string& lang, bool vi,
                                  const std::string& request_id, const std::string& detail_key) const {
    const core::Locale& locale = locales_.get(lang);
    const std::string code = std::to_string(static_cast<unsigned>(status));
    const std::string base = locale.has("errors." + code + ".title") ? "errors." + code : "errors.default";
    Data data;
    data.set("status", code);
    data.set("heading", locale.text(base + ".title"));
    data.set("text", locale.text(detail_key.empty() ? base + ".text" : detail_key));
    data.set("request_id", request_id);
    data.set("show_request_id", status == Status::internal_server_error && !request_id.empty());
    data.set("not_found", status == Status::not_found);  // a search box: what was looked for may exist elsewhere
    Data root = chrome(request, lang, vi, locale.text(base + ".title"));
    root.set("content", templates_.render("errors/error", data, &root, locale));
    Response r = Response::html(templates_.render("layout/page", root, nullptr, locale), status);
    if (status == Status::service_unavailable) r.set_header("Retry-After", "2");
    return r;
}

Response Renderer::error_page(const Request& request, Status status, const std::string& detail_key) const {
    const bool vi = request.session && request.session->vi_mode;
    return error_response(&request, status, request.lang, vi, request.request_id, detail_key);
}

Response Renderer::bare_error_page(Status status, const std::string& lang, const std::string& request_id) const {
    return error_response(nullptr, status, lang, false, request_id, "");
}

}  // namespace uslugi::http
