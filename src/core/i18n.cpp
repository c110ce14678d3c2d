#include "core/i18n.hpp"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <stdexcept>
#include <vector>

namespace uslugi::core {

namespace fs = std::filesystem;

bool is_supported_language(std::string_view lang) {
    return std::find(kLanguages.begin(), kLanguages.end(), lang) != kLanguages.end();
}

void flatten_json(const nlohmann::json& tree, const std::string& prefix,
                  std::unordered_map<std::string, std::string>& out) {
    for (auto it = tree.begin(); it != tree.end(); ++it) {
        const std::string key = prefix.empty() ? it.key() : prefix + "." + it.key();
        if (it->is_object())
            flatten_json(*it, key, out);
        else if (it->is_string())
            out[key] = it->get<std::string>();
        else
            out[key] = it->dump();
    }
}

const std::string& Locale::text(std::string_view key) const {
    for (const Locale* l = this; l; l = l->fallback_) {
        auto it = l->texts_.find(std::string(key));
        if (it != l->texts_.end()) return it->second;
    }
    thread_local std::string missing;
    missing.assign(key);
    return missing;
}

std::vector<std::string> Locale::keys() const {
    std::vector<std::string> out;
    for (const auto& [k, v] : texts_) out.push_back(k);
    std::sort(out.begin(), out.end());
    return out;
}

bool Locale::has(std::string_view key) const { return texts_.count(std::string(key)) != 0; }

const kainjow::mustache::data* Locale::template_value(const std::string& dotted_name) const {
    for (const Locale* l = this; l; l = l->fallback_) {
        auto it = l->template_values_.find(dotted_name);
        if (it != l->template_values_.end()) return &it->second;
    }
    return nullptr;
}

namespace {
nlohmann::json read_json(const fs::path& file) {
    std::ifstream in(file);
    if (!in) throw std::runtime_error("cannot read " + file.string());
    try {
        return nlohmann::json::parse(in);
    } catch (const nlohmann::json::parse_error& e) {
        throw std::runtime_error(file.string() + ": " + e.what());
    }
}
// The flattened texts of one folder's <lang>.json files, by language; a missing
// file reads as empty, so each of its keys shows up as a gap.
std::map<std::string, std::unordered_map<std::string, std::string>> folder_texts(const fs::path& folder) {
    std::map<std::string, std::unordered_map<std::string, std::string>> out;
    for (std::string_view lang : kLanguages) {
        auto& texts = out[std::string(lang)];
        const fs::path file = folder / (std::string(lang) + ".json");
        if (fs::exists(file)) flatten_json(read_json(file), "", texts);
    }
    return out;
}

void folder_gaps(const fs::path& folder, const std::string& label, std::vector<std::string>& out) {
    const auto texts = folder_texts(folder);
    std::set<std::string> all_keys;
    for (const auto& [lang, t] : texts)
        for (const auto& [key, value] : t) all_keys.insert(key);
    for (const auto& [lang, t] : texts) {
        const std::string file = label + lang + ".json";
        for (const auto& key : all_keys) {
            auto it = t.find(key);
            if (it == t.end())
                out.push_back(file + " lacks " + key);
            else if (it->second.empty())
                out.push_back(file + " has an empty " + key);
        }
    }
}
}  // namespace

std::vector<std::string> locale_gaps(const std::string& dir) {
    std::vector<std::string> out;
    const fs::path root(dir);
    const std::string name = root.filename().empty() ? root.parent_path().filename().string()
                                                     : root.filename().string();
    folder_gaps(root, name + "/", out);
    std::vector<fs::path> folders;
    for (const auto& entry : fs::directory_iterator(root))
        if (entry.is_directory()) folders.push_back(entry.path());
    std::sort(folders.begin(), folders.end());
    for (const auto& f : folders) folder_gaps(f, name + "/" + f.filename().string() + "/", out);
    return out;
}

void Locales::load(const std::string& dir) {
    locales_.clear();
    for (std::string_view lang : kLanguages) {
        nlohmann::json merged = nlohmann::json::object();
        const fs::path main_file = fs::path(dir) / (std::string(lang) + ".json");
        if (fs::exists(main_file)) merged.merge_patch(read_json(main_file));
        // Module folders (locales/validation/ru.json …) add their own subtrees.
        std::vector<fs::path> module_files;
        for (const auto& entry : fs::directory_iterator(dir))
            if (entry.is_directory() && fs::exists(entry.path() / (std::string(lang) + ".json")))
                module_files.push_back(entry.path() / (std::string(lang) + ".json"));
        std::sort(module_files.begin(), module_files.end());
        for (const auto& f : module_files) merged.merge_patch(read_json(f));

        Locale& locale = locales_[std::string(lang)];
        locale.code_ = std::string(lang);
        flatten_json(merged, "", locale.texts_);
        for (const auto& [key, value] : locale.texts_)
            locale.template_values_.emplace("t." + key, kainjow::mustache::data(value));
    }
    if (locales_.at("ru").size() == 0 || locales_.at("en").size() == 0)
        throw std::runtime_error("locales: ru.json and en.json are required in " + dir);
    // Missing German or French texts show in English; missing English in Russian.
    locales_.at("en").fallback_ = &locales_.at("ru");
    locales_.at("de").fallback_ = &locales_.at("en");
    locales_.at("fr").fallback_ = &locales_.at("en");
}

const Locale& Locales::get(std::string_view lang) const {
    auto it = locales_.find(std::string(lang));
    if (it == locales_.end()) return locales_.at(std::string(kDefaultLanguage));
    return it->second;
}

std::string Locales::negotiate(std::string_view header) {
    // Accept-Language: "de-CH, de;q=0.9, en;q=0.8, *;q=0.5"
    std::string best;
    double best_q = 0.0;
    std::size_t pos = 0;
    while (pos < header.size()) {
        std::size_t comma = header.find(',', pos);
        if (comma == std::string_view::npos) comma = header.size();
        std::string_view item = header.substr(pos, comma - pos);
        pos = comma + 1;
        double q = 1.0;
        if (auto semi = item.find(';'); semi != std::string_view::npos) {
            std::string_view params = item.substr(semi + 1);
            item = item.substr(0, semi);
            if (auto qpos = params.find("q="); qpos != std::string_view::npos) {
                try {
                    q = std::stod(std::string(params.substr(qpos + 2)));
                } catch (...) {
                    q = 0.0;
                }
            }
        }
        while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
        while (!item.empty() && item.back() == ' ') item.remove_suffix(1);
        std::string primary(item.substr(0, item.find('-')));
        std::transform(primary.begin(), primary.end(), primary.begin(),
                       [](unsigned char c) { return std::tolower(c); });
        if (q > best_q && is_supported_language(primary)) {
            best = primary;
            best_q = q;
        }
    }
    return best;
}

}  // namespace uslugi::core
