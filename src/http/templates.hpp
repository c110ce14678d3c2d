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

using Data = kainjow::mustache::data;

class Templates {
public:
    // Loads every templates/**/*.mustache as "<folder>/<name>"; throws on a syntax error.
    void load(const std::string& dir);
    bool has(const std::string& name) const { return templates_.count(name) != 0; }
    // Renders with `data` layered over `chrome`; {{t.some.key}} reads the locale.
    std::string render(const std::string& name, const Data& data, const Data* chrome,
                       const core::Locale& locale) const;

private:
    std::unordered_map<std::string, std::unique_ptr<kainjow::mustache::mustache>> templates_;
};

}  // namespace uslugi::http
