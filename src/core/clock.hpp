#pragma once
// Times are UTC seconds since the epoch everywhere in the database; core/time.hpp
// formats them (UTC for the API, the reader's zone for pages and messages).
#include <chrono>
#include <cstdint>

namespace uslugi::core {

inline std::int64_t now_unix() {
    return std::chrono::duration_cast<std::chrono::seconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

}  // namespace uslugi::core
