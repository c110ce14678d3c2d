// Fuzz target: the identifier validators of src/core/validators.* (SNILS,
// INN, OGRN, UIN, passport, plates, phones, e-mail …) as /api/v1/validate/
// {kind} and the forms call them. The first byte picks the kind, the rest is
// the value. Beyond not crashing, a result must keep its documented promises:
// a known error code when invalid; when valid, a canonical spelling that
// JSON can carry and that validates again to itself.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/validators.hpp"
#include "fuzz_check.hpp"

namespace {

using uslugi::fuzz::expect;
namespace core = uslugi::core;

const std::vector<std::string>& known_codes() {
    static const std::vector<std::string> codes = core::validation_error_codes();
    return codes;
}

void check(std::string_view kind, std::string_view value) {
    const core::ValidationResult r = core::validate(kind, value);
    if (!r.valid) {
        expect(r.normalized.empty(), "an invalid value has no normalized form");
        expect(std::find(known_codes().begin(), known_codes().end(), r.error_code) != known_codes().end(),
               "the error code is one of validation_error_codes()");
        return;
    }
    expect(r.error_code.empty() && !r.normalized.empty(), "a valid value has a normalized form and no error");
    // The API answers {"normalized": …}: invalid UTF-8 would make that a 500.
    (void)nlohmann::json{{"normalized", r.normalized}}.dump();
    const core::ValidationResult again = core::validate(kind, r.normalized);
    expect(again.valid && again.normalized == r.normalized, "the normalized form validates to itself");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) return 0;
    const auto kinds = core::validation_kinds();
    const std::string_view value(reinterpret_cast<const char*>(data) + 1, size - 1);
    const std::size_t pick = data[0] % (kinds.size() + 1);
    if (pick == kinds.size()) {
        expect(core::validate("no-such-kind", value).error_code == "kind.unknown", "an unknown kind is reported");
        const char control = core::uin_control_digit(value);
        const std::string uin = core::complete_uin(value);
        expect(control == '\0' ? uin.empty() : core::validate_uin(uin).valid, "complete_uin makes a valid UIN");
        return 0;
    }
    check(kinds[pick], value);
    return 0;
}
