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
        std::vector<std::string> parts;
        std::size_t pos = 0;
        while (pos <= name.size()) {
            std::size_t dot = name.find('.', pos);
            if (dot == std::string::npos) dot = name.size();
            parts.emplace_back(name, pos, dot - pos);
            pos = dot + 1;
        }
        for (const Data* item : items_) {
            const Data* v = item;
            for (const auto& p : parts) {
                v = v->get(p);
                if (!v) break;
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

void Templates::load(const std::string& dir) {
    templates_.clear();
    for (const auto& entry : fs::recursive_directory_iterator(dir)) {
        if (!entry.is_regular_file() || entry.path().extension() != ".mustache") continue;
        std::ifstream in(entry.path());
        std::stringstream text;
        text << in.rdbuf();
        auto tmpl = std::make_unique<kainjow::mustache::mustache>(text.str());
        if (!tmpl->is_valid())
            throw std::runtime_error("template " + entry.path().string() + ": " + tmpl->error_message());
        fs::path name = fs::relative(entry.path(), dir);
        name.replace_extension();
        templates_.emplace(name.generic_string(), std::move(tmpl));
    }
}

std::string Templates::render(const std::string& name, const Data& data, const Data* chrome,
                              const core::Locale& locale) const {
    auto it = templates_.find(name);
    if (it == templates_.end()) throw std::runtime_error("no template " + name);
    LayeredContext ctx(locale);
    if (chrome) ctx.push(chrome);
    ctx.push(&data);
    StringSink sink;
    sink.out.reserve(16 * 1024);
    it->second->render(ctx, sink);
    return std::move(sink.out);
}

}  // namespace uslugi::http
