#include "http/templates.hpp"

#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <vector>

namespace uslugi::http {

namespace fs = std::filesystem;
using kainjow::mustache::basic_context;

namespace {

// Looks names up in the request's data layers, and "t.*" in the locale's
// pre-built table, so no locale text is copied per request.
class LayeredContext : public basic_context<std::string> {
public:
    explicit LayeredContext(const core::Locale& locale) : locale_(locale) {}

    void push(const Data* data) override { items_.insert(items_.begin(), data); }
    void pop() override { items_.erase(items_.begin()); }

    const Data* get(const std::string& name) const override {
        if (name.size() == 1 && name[0] == '.') return items_.front();
        if (name.size() > 2 && name[0] == 't' && name[1] == '.') return locale_.template_value(name);
        if (name.find('.') == std::string::npos) {
            for (const Data* item : items_)
                if (const Data* v = item->get(name)) return v;
            return nullptr;
        }
        // Dotted names ("page.lang") are walked segment by segment through one
        // reused buffer: no allocation per lookup.
        thread_local std::string segment;
        for (const Data* item : items_) {
            const Data* v = item;
            std::size_t pos = 0;
            while (v && pos <= name.size()) {
                std::size_t dot = name.find('.', pos);
                if (dot == std::string::npos) dot = name.size();
                segment.assign(name, pos, dot - pos);
                v = v->get(segment);
                pos = dot + 1;
            }
            if (v) return v;
        }
        return nullptr;
    }

    const Data* get_partial(const std::string&) const override { return nullptr; }

private:
    const core::Locale& locale_;
    std::vector<const Data*> items_;
};

struct StringSink {
    std::string out;
    StringSink& operator<<(const std::string& s) {
        out += s;
        return *this;
    }
};

}  // namespace

std::string localize_template(const std::string& source, const core::Locale& locale) {
    std::string out;
    out.reserve(source.size() * 2);
    std::size_t pos = 0;
    for (;;) {
        const std::size_t open = source.find("{{t.", pos);
        if (open == std::string::npos || (open > 0 && source[open - 1] == '{')) {
            // No more, or a triple-brace tag: leave the rest to the renderer.
            if (open == std::string::npos) break;
            out.append(source, pos, open + 4 - pos);
            pos = open + 4;
            continue;
        }
        const std::size_t close = source.find("}}", open);
        if (close == std::string::npos) break;
        const std::string key = source.substr(open + 4, close - open - 4);
        out.append(source, pos, open - pos);
        for (char c : kainjow::mustache::html_escape<std::string>(locale.text(key))) {
            if (c == '{') out += "&#123;";  // a translation must never open a tag
            else out.push_back(c);
        }
        pos = close + 2;
    }
    out.append(source, pos, std::string::npos);
    return out;
}

std::string collapse_whitespace(const std::string& source) {
    // A line break with its indentation becomes one space: the same HTML, fewer
    // bytes on the wire and far fewer pieces for the renderer to walk.
    std::string out;
    out.reserve(source.size());
    for (std::size_t i = 0; i < source.size(); ++i) {
        if (source[i] == '\n') {
            while (i + 1 < source.size() && (source[i + 1] == ' ' || source[i + 1] == '\t' || source[i + 1] == '\n')) ++i;
            if (!out.empty() && i + 1 < source.size()) out.push_back(' ');
            continue;
        }
        out.push_back(source[i]);
    }
    return out;
}

std::string escape_html(const std::string& s) {
    // kainjow's own escape appends one character at a time; most values have
    // nothing to escape, and the rest are copied in runs between specials.
    std::size_t first = 0;
    while (first < s.size()) {
        const char c = s[first];
        if (c == '&' || c == '<' || c == '>' || c == '"' || c == '\'') break;
        ++first;
    }
    if (first == s.size()) return s;
    std::string out;
    out.reserve(s.size() + s.size() / 8 + 16);
    out.append(s, 0, first);
    std::size_t run = first;
    for (std::size_t i = first; i < s.size(); ++i) {
        const char* entity = nullptr;
        switch (s[i]) {
            case '&': entity = "&amp;"; break;
            case '<': entity = "&lt;"; break;
            case '>': entity = "&gt;"; break;
            case '"': entity = "&quot;"; break;
            case '\'': entity = "&apos;"; break;
            default: continue;
        }
        out.append(s, run, i - run);
        out.append(entity);
        run = i + 1;
    }
    out.append(s, run, std::string::npos);
    return out;
}

void Templates::load(const std::string& dir, const core::Locales& locales) {
    templates_.clear();
    for (const auto& entry : fs::recursive_directory_iterator(dir)) {
        if (!entry.is_regular_file() || entry.path().extension() != ".mustache") continue;
        std::ifstream in(entry.path());
        std::stringstream text;
        text << in.rdbuf();
        fs::path name = fs::relative(entry.path(), dir);
        name.replace_extension();
        for (std::string_view lang : core::kLanguages) {
            auto tmpl = std::make_unique<kainjow::mustache::mustache>(
                localize_template(collapse_whitespace(text.str()), locales.get(lang)));
            if (!tmpl->is_valid())
                throw std::runtime_error("template " + entry.path().string() + ": " + tmpl->error_message());
            tmpl->set_custom_escape(escape_html);
            templates_.emplace(name.generic_string() + "@" + std::string(lang), std::move(tmpl));
        }
    }
}

std::string Templates::render(const std::string& name, const Data& data, const Data* chrome,
                              const core::Locale& locale, const Data* shared) const {
    auto it = templates_.find(name + "@" + locale.code());
    if (it == templates_.end()) throw std::runtime_error("no template " + name);
    LayeredContext ctx(locale);
    if (shared) ctx.push(shared);
    if (chrome) ctx.push(chrome);
    ctx.push(&data);
    StringSink sink;
    sink.out.reserve(16 * 1024);
    it->second->render(ctx, sink);
    return std::move(sink.out);
}

}  // namespace uslugi::http
