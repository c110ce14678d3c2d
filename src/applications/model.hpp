#pragma once
// Applications to authorities (APP-1, APP-2): a service's online form as data
// (steps, fields, validation, conditions, pre-fill), the one validator every
// form goes through, and the status state machine with each allowed
// transition written out. Pure rules, no I/O.
#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "catalog/model.hpp"

namespace uslugi::applications {

using catalog::Text;

// ---- Forms as data (APP-1) ------------------------------------------------------------------

enum class FieldType { text, number, date, choice, address, document, file, group };
std::string_view to_string(FieldType t);
std::optional<FieldType> field_type_from_string(std::string_view s);

// "show this step or field only if <field> equals / is one of / is not …".
// An empty `field` means "always".
struct Condition {
    std::string field;                 // a top-level field of the form
    std::vector<std::string> any_of;   // shown when the value is one of these
    bool negate = false;               // … or when it is none of them ("not")
    bool always() const { return field.empty(); }
};

struct Option {
    std::string value;
    Text label;
};

struct Field {
    std::string id;
    FieldType type = FieldType::text;
    Text label, hint;
    bool required = false;
    Condition required_if;             // required when this holds (in addition to `required`)
    Condition show_if;                 // hidden fields are neither validated nor sent
    std::size_t max_length = 500;      // text, address, document
    std::string pattern;               // ECMAScript regular expression the whole value must match
    Text pattern_message;              // what the pattern means, shown when it fails
    std::string validator;             // a core validator kind: snils, inn, passport … (core/validators.hpp)
    std::optional<double> min, max;    // number
    bool integer = false;              // number: whole numbers only
    std::string min_date, max_date;    // date: "YYYY-MM-DD" or "today"
    std::vector<Option> options;       // choice
    std::string file_check;            // file: a check of the content by name ("passport_photo", photo_check.hpp)
    std::string prefill;               // a profile field (identity::profile_fields) the value starts from
    std::vector<Field> fields;         // group: the fields of one entry
    std::size_t min_items = 0, max_items = 10;  // group
};

struct Step {
    std::string id;
    Text title, intro;
    Condition show_if;
    std::vector<Field> fields;
};

struct FormDefinition {
    std::string service;               // catalog service id
    int deadline_days = 30;            // the authority's time to decide, from sending
    std::vector<std::string> refusal_reasons;  // locale keys' last parts: applications.refusal.<code>
    std::vector<Step> steps;

    const Field* field(std::string_view id) const;  // top-level fields of any step
};

// Parses one data/forms/*.json document; throws std::invalid_argument naming
// every problem (unknown type, duplicate id, a condition on an unknown field …).
FormDefinition parse_form(const nlohmann::json& doc);

// The values of a form: {"field": "text", "group": [{"sub": "text"}, …]}.
using Values = nlohmann::json;
// Field path ("surname", "children.1.name") → locale key of its message.
using FieldErrors = std::map<std::string, std::string>;

bool holds(const Condition& c, const Values& values);
// The steps shown for these values, as indexes into def.steps.
std::vector<std::size_t> visible_steps(const FormDefinition& def, const Values& values);

// Checks and normalizes the values of one step in place (trimmed, SNILS
// spelled canonically …); values of hidden fields are removed. `today` is
// "YYYY-MM-DD" and decides "today" in date limits.
FieldErrors validate_step(const FormDefinition& def, std::size_t step, Values& values, const std::string& today);
// Every visible step, for sending; `first_step` is the index of the first step with an error.
FieldErrors validate_all(const FormDefinition& def, Values& values, const std::string& today,
                         std::optional<std::size_t>* first_step = nullptr);

// ---- Statuses (APP-2, "Reference facts") ------------------------------------------------------

enum class Status {
    draft,
    registered,           // registered on the portal
    sent,                 // sent to the authority
    received,             // received by the authority
    accepted,             // accepted for consideration
    intermediate,         // intermediate results
    info_requested,       // waiting for additional information
    correction_required,  // requires correction
    appointment,          // invitation to an appointment
    document_ready,       // document ready
    document_issued,      // document issued
    provided,             // service provided (final)
    refused,              // refused (final)
    send_error,           // sending error
    cancelling,           // the applicant withdrew; the authority confirms
    cancelled,            // cancelled (final)
};
std::string_view to_string(Status s);
// Throws std::invalid_argument for an unknown name.
Status status_from_string(std::string_view s);
const std::vector<Status>& all_statuses();

bool can_transition(Status from, Status to);
bool is_final(Status s);
// Whether the applicant may withdraw an application in this status.
bool may_cancel(Status s);
// Where a withdrawal leads: straight to cancelled before the authority has
// started the work, to cancelling (the authority confirms) once it has.
Status withdrawal_target(Status s);
// The colour class of the status badge: status-neutral, status-progress,
// status-action (the applicant has something to do), status-success, status-error, status-muted.
std::string_view colour_class(Status s);
// The statuses an officer's queue counts as "still to be decided".
bool is_open(Status s);

// ---- Attachments -------------------------------------------------------------------------------

inline constexpr std::size_t kMaxFileBytes = 5 * 1024 * 1024;
inline constexpr std::size_t kMaxFilesPerDraft = 20;
// The type of a file read from its content, never from its name:
// "application/pdf", "image/jpeg", "image/png", or "" for anything else.
std::string sniff_content_type(std::string_view bytes);
// "" when the upload may be kept, else the locale key of what is wrong
// (empty, too big, not a PDF/JPEG/PNG, a PDF or image cut short).
std::string check_upload(std::string_view bytes);
// A name safe to store and to send back: the last path part, control
// characters and quotes dropped, at most 100 characters; "file" when nothing is left.
std::string clean_file_name(std::string_view name);

// ---- Numbers and deadlines ----------------------------------------------------------------------

// The number an applicant quotes: "<year>-<id as 8 digits>", e.g. "2026-00000042".
std::string application_number(int year, std::int64_t id);
// The deadline: `days` calendar days after sending.
std::int64_t deadline_after(std::int64_t sent_at, int days);
bool is_overdue(Status s, std::int64_t due_at, std::int64_t now);

}  // namespace uslugi::applications
