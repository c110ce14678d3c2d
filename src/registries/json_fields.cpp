#include "registries/json_fields.hpp"

#include <fmt/format.h>

namespace uslugi::registries {

std::optional<std::string> JsonReader::text(const nlohmann::json& j, const char* key) const {
    auto it = j.find(key);
    if (it == j.end() || it->is_null()) return std::nullopt;
    if (!it->is_string()) fail(fmt::format("\"{}\" is not a string", key));
    return it->get<std::string>();
}

std::int64_t JsonReader::integer(const nlohmann::json& j, const char* key) const {
    auto it = j.find(key);
    if (it == j.end() || !it->is_number_integer()) fail(fmt::format("\"{}\" is not an integer", key));
    return it->get<std::int64_t>();
}

std::optional<bool> JsonReader::boolean(const nlohmann::json& j, const char* key) const {
    auto it = j.find(key);
    if (it == j.end() || it->is_null()) return std::nullopt;
    if (!it->is_boolean()) fail(fmt::format("\"{}\" is not a boolean", key));
    return it->get<bool>();
}

Date JsonReader::date_of(const std::string& text, const char* key) const {
    auto d = parse_date(text);
    if (!d) fail(fmt::format("\"{}\" is not a date", key));
    return *d;
}

}  // namespace uslugi::registries
