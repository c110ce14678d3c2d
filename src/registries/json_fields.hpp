#pragma once
// Registry JSON read into structs, on both sides of the sandbox: the data files
// it serves (model.cpp) and the answers the portal's clients get (clients.cpp).
// A struct's fields are listed once as (key, member) pairs, each read by its
// member's type; the reader decides what an absent or mistyped value means (a
// broken data file, a bad answer) and throws.
#include "registries/model.hpp"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <utility>

namespace uslugi::registries {

// The typed values of one JSON object; `fail` throws what the caller's side throws.
class JsonReader {
public:
    [[noreturn]] virtual void fail(const std::string& what) const = 0;

    // nullopt when absent or null; a value that is not a string fails.
    std::optional<std::string> text(const nlohmann::json& j, const char* key) const;
    // Anything but an integer, absence included, fails.
    std::int64_t integer(const nlohmann::json& j, const char* key) const;
    // nullopt when absent or null; a value that is not a boolean fails.
    std::optional<bool> boolean(const nlohmann::json& j, const char* key) const;
    // `text` of the field `key` as a date ("YYYY-MM-DD"), or a failure that names it.
    Date date_of(const std::string& text, const char* key) const;

protected:
    ~JsonReader() = default;
};

// Fills members of a struct from one JSON object through `Reader`, which has a
// read(json, key, member&) for each member type it supports.
template <class Reader>
class Fields {
public:
    Fields(Reader reader, const nlohmann::json& j) : reader_(std::move(reader)), j_(j) {}
    template <class T, class... M>
    void into(T& out, std::pair<const char*, M T::*>... fields) const {
        (reader_.read(j_, fields.first, out.*fields.second), ...);
    }

private:
    Reader reader_;
    const nlohmann::json& j_;
};

// One (JSON key, member) pair for Fields::into.
template <class T, class M>
std::pair<const char*, M T::*> field(const char* key, M T::*member) {
    return {key, member};
}

}  // namespace uslugi::registries
