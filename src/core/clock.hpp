#pragma once
// Times are UTC seconds since the epoch everywhere in the database.
#include <chrono>
#include <cstdint>

namespace uslugi::core {

inline std::int64_t now_unix() {
    return std::chrono::duration_cast<std::chrono::seconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

}  // namespace uslugi::core
