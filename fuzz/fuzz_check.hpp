#pragma once
// What every fuzz target shares: a broken invariant stops the run with a
// message, and libFuzzer keeps the input that broke it.
#include <cstdio>
#include <cstdlib>
#include <string_view>

namespace uslugi::fuzz {

inline void expect(bool holds, const char* what) {
    if (holds) return;
    std::fprintf(stderr, "fuzz invariant broken: %s\n", what);
    std::abort();
}

inline bool has_nul(std::string_view s) { return s.find('\0') != std::string_view::npos; }

}  // namespace uslugi::fuzz
