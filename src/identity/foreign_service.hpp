#pragma once
// Foreign citizens (ID-5): their profile with a foreign identity document,
// stored sealed, checked by the Interior Ministry at once when saved. A valid
// document raises a simplified account to standard; the account's kind is
// "foreign" from the first save, so the catalog offers what applies to them.
#include "identity/foreign.hpp"
#include "identity/service.hpp"
#include "registries/clients.hpp"

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

namespace uslugi::identity {

struct StoredForeign {
    ForeignProfile profile;
    ForeignCheck check = ForeignCheck::not_checked;
    std::int64_t checked_at = 0, updated_at = 0;
};

// Asks the Interior Ministry about a foreign document; throws
// registries::RegistryUnavailable when it does not answer.
using ForeignDocumentCheck = std::function<ForeignCheck(const ForeignProfile&)>;
ForeignDocumentCheck http_foreign_check(std::shared_ptr<const registries::HttpTransport> transport);

struct ForeignSave {
    std::map<std::string, std::string> errors;  // field → locale key
    ForeignProfile profile;
    ForeignCheck check = ForeignCheck::not_checked;
    bool raised = false;  // the account became standard
    bool ok() const { return errors.empty(); }
};

class ForeignService {
public:
    ForeignService(IdentityService& identity, ForeignDocumentCheck check);
    std::optional<StoredForeign> find(std::int64_t account_id);
    ForeignSave save(const Context& ctx, std::int64_t account_id, const std::map<std::string, std::string>& raw);
    // Asks the registry again (after it was unavailable).
    ForeignSave recheck(const Context& ctx, std::int64_t account_id);

private:
    ForeignSave conclude(const Context& ctx, std::int64_t account_id, ForeignSave r, bool write_profile);
    IdentityService& identity_;
    ForeignDocumentCheck check_;
};

}  // namespace uslugi::identity
