#pragma once
// Errors that carry a stable machine code and an i18n message key, so the
// HTTP layer can answer with a page or a JSON error in the user's language.
#include <stdexcept>
#include <string>

namespace uslugi::core {

// A problem caused by the caller (bad input, missing object, forbidden action).
// `code` is stable for API clients; `message_key` is looked up in locales/.
class UserError : public std::runtime_error {
public:
    UserError(int http_status, std::string code, std::string message_key)
        : std::runtime_error(code), status_(http_status), code_(std::move(code)),
          message_key_(std::move(message_key)) {}

    int status() const { return status_; }
    const std::string& code() const { return code_; }
    const std::string& message_key() const { return message_key_; }

private:
    int status_;
    std::string code_;
    std::string message_key_;
};

}  // namespace uslugi::core
