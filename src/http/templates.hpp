#pragma once
// Mustache templates (kainjow), parsed once at start and rendered from many
// threads at once: rendering a parsed template only reads it as long as no
// partials or lambdas are used, and uslugi uses neither (pages are composed
// by rendering the page first and passing it to the layout as {{{content}}}).
#include <kainjow/mustache.hpp>

#include "core/i18n.hpp"

#include <memory>
#include <string>
#include <unordered_map>

namespace uslugi::http {
// {{t.key}} → the key's text for the locale, HTML-escaped; other tags untouched.
std::string localize_template(const std::string& source, const core::Locale& locale);
// The same escaping as kainjow's (& < > " '), faster on long texts.
std::string escape_html(const std::string& s);
// Folds each line break and the indentation after it (templates carry no <pre>).
std::string collapse_whitespace(const std::string& source);
}

namespace uslugi::http {

using Data = kainjow::mustache::data;

class Templates {
public:
    // Loads every templates/**/*.mustache as "<folder>/<name>", once per
    // language: {{t.key}} tags are replaced by the escaped locale text at load
    // time, so a request renders only what really varies. Throws on a syntax error.
    void load(const std::string& dir, const core::Locales& locales);
    bool has(const std::string& name) const { return templates_.count(name + "@ru") != 0; }
    // Renders with `data` layered over `chrome`; {{t.some.key}} reads the locale.
    // `shared` is a further, lowest layer that is read in place, never copied:
    // large lists a handler keeps ready between requests.
    std::string render(const std::string& name, const Data& data, const Data* chrome,
                       const core::Locale& locale, const Data* shared = nullptr) const;

private:
    std::unordered_map<std::string, std::unique_ptr<kainjow::mustache::mustache>> templates_;
};

}  // namespace uslugi::http
