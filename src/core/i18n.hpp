#pragma once
// Interface languages (ACC-2): Russian first, then English, German, French.
// locales/<lang>.json plus locales/<module>/<lang>.json are merged into one
// tree per language and flattened to dotted keys ("layout.portal_name").
#include <kainjow/mustache.hpp>
#include <nlohmann/json.hpp>

#include <array>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace uslugi::core {

inline constexpr std::array<std::string_view, 4> kLanguages{"ru", "en", "de", "fr"};
inline constexpr std::string_view kDefaultLanguage = "ru";

bool is_supported_language(std::string_view lang);

class Locale {
public:
    const std::string& code() const { return code_; }
    // The text for a dotted key, falling back to English, then Russian, then the key.
    const std::string& text(std::string_view key) const;
    bool has(std::string_view key) const;
    // Template lookup: "t.layout.portal_name" → data, without copying per request.
    const kainjow::mustache::data* template_value(const std::string& dotted_name) const;
    std::size_t size() const { return texts_.size(); }
    std::vector<std::string> keys() const;

private:
    friend class Locales;
    std::string code_;
    std::unordered_map<std::string, std::string> texts_;
    std::unordered_map<std::string, kainjow::mustache::data> template_values_;
    const Locale* fallback_ = nullptr;
};

class Locales {
public:
    // Loads every language from `dir`; throws if Russian or English is missing.
    void load(const std::string& dir);
    const Locale& get(std::string_view lang) const;
    // Best supported language for an Accept-Language header, or "" if none.
    static std::string negotiate(std::string_view accept_language);

private:
    std::unordered_map<std::string, Locale> locales_;
};

// Every interface text in every language (ACC-2): for locales/ and each of its
// folders, the four <lang>.json files must hold the same dotted keys, none empty.
// Returns one line per problem ("locales/identity/fr.json lacks signup.title");
// empty when complete. Folders are discovered, so a new module is checked too.
std::vector<std::string> locale_gaps(const std::string& dir);

// Flattens {"a":{"b":"x"}} into {"a.b":"x"}; exposed for tests.
void flatten_json(const nlohmann::json& tree, const std::string& prefix,
                  std::unordered_map<std::string, std::string>& out);

}  // namespace uslugi::core
