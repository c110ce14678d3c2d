#pragma once
// What the two groups of recovery routes share (recovery_start_routes.cpp,
// recovery_finish_routes.cpp).
#include "identity/recovery.hpp"
#include "identity/route_kit.hpp"

#include <optional>
#include <string>

namespace uslugi::identity {

// What the visitor typed into a form of /recover or of the second proof, shown back after an error.
struct RecoverForm {
    std::string contact, id_kind = "snils", id_value, question;
    static RecoverForm question_of(const FormInput& in);
};

// A proven recovery in the API: what is still asked for before the password.
nlohmann::json proven_json(const std::optional<SecondStep>& s);
// The API's answer to a proof: where the recovery stands, or the error.
http::Response proven_or_error(const RouteKit& k, http::Request& req, const Result& r);

}  // namespace uslugi::identity
