#include "applications/model.hpp"
#include "applications/photo_check.hpp"

#include "core/text.hpp"
#include "core/time.hpp"
#include "core/validators.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <regex>
#include <set>
#include <stdexcept>

namespace uslugi::applications {

namespace {

constexpr std::pair<FieldType, std::string_view> kFieldTypes[] = {
    {FieldType::text, "text"},         {FieldType::number, "number"},     {FieldType::date, "date"},
    {FieldType::choice, "choice"},     {FieldType::address, "address"},   {FieldType::document, "document"},
    {FieldType::file, "file"},         {FieldType::group, "group"},
};

constexpr std::pair<Status, std::string_view> kStatuses[] = {
    {Status::draft, "draft"},
    {Status::registered, "registered"},
    {Status::sent, "sent"},
    {Status::received, "received"},
    {Status::accepted, "accepted"},
    {Status::intermediate, "intermediate"},
    {Status::info_requested, "info_requested"},
    {Status::correction_required, "correction_required"},
    {Status::appointment, "appointment"},
    {Status::document_ready, "document_ready"},
    {Status::document_issued, "document_issued"},
    {Status::provided, "provided"},
    {Status::refused, "refused"},
    {Status::send_error, "send_error"},
    {Status::cancelling, "cancelling"},
    {Status::cancelled, "cancelled"},
};

// Every allowed transition, one line each: anything not here is refused.
constexpr std::pair<Status, Status> kTransitions[] = {
    {Status::draft, Status::registered},
    {Status::registered, Status::sent},
    {Status::registered, Status::send_error},
    {Status::send_error, Status::sent},
    {Status::sent, Status::received},
    {Status::received, Status::accepted},
    {Status::received, Status::refused},
    {Status::accepted, Status::intermediate},
    {Status::accepted, Status::info_requested},
    {Status::accepted, Status::correction_required},
    {Status::accepted, Status::appointment},
    {Status::accepted, Status::document_ready},
    {Status::accepted, Status::provided},
    {Status::accepted, Status::refused},
    {Status::intermediate, Status::info_requested},
    {Status::intermediate, Status::appointment},
    {Status::intermediate, Status::document_ready},
    {Status::intermediate, Status::provided},
    {Status::intermediate, Status::refused},
    {Status::info_requested, Status::accepted},       // the applicant answered
    {Status::info_requested, Status::refused},        // … or did not, in time
    {Status::correction_required, Status::accepted},  // corrected
    {Status::correction_required, Status::refused},
    {Status::appointment, Status::intermediate},
    {Status::appointment, Status::document_ready},
    {Status::appointment, Status::provided},
    {Status::appointment, Status::refused},
    {Status::document_ready, Status::document_issued},
    {Status::document_ready, Status::provided},
    {Status::document_issued, Status::provided},
    // Withdrawal by the applicant (may_cancel says from where).
    {Status::registered, Status::cancelled},
    {Status::sent, Status::cancelled},
    {Status::received, Status::cancelled},
    {Status::info_requested, Status::cancelled},
    {Status::correction_required, Status::cancelled},
    {Status::accepted, Status::cancelling},
    {Status::intermediate, Status::cancelling},
    {Status::appointment, Status::cancelling},
    {Status::cancelling, Status::cancelled},
};

[[noreturn]] void fail(const std::string& where, const std::string& what) {
    throw std::invalid_argument(where + ": " + what);
}

std::string text_of(const nlohmann::json& j) {
    if (j.is_string()) return j.get<std::string>();
    if (j.is_number_integer()) return std::to_string(j.get<long long>());
    return {};
}

Condition parse_condition(const nlohmann::json& j, const std::string& where) {
    Condition c;
    if (j.is_null()) return c;
    if (!j.is_object() || !j.contains("field") || !j["field"].is_string()) fail(where, "a condition needs \"field\"");
    c.field = j["field"].get<std::string>();
    if (j.contains("equals")) c.any_of.push_back(text_of(j["equals"]));
    if (j.contains("in"))
        for (const auto& v : j["in"]) c.any_of.push_back(text_of(v));
    if (j.contains("not_equals")) {
        c.any_of.push_back(text_of(j["not_equals"]));
        c.negate = true;
    }
    if (j.value("filled", false)) {  // any value at all: "not equal to the empty text"
        c.any_of.push_back("");
        c.negate = true;
    }
    if (c.any_of.empty()) fail(where, "a condition needs equals, in, not_equals or filled");
    return c;
}

Field parse_field(const nlohmann::json& j, const std::string& where, bool in_group);

void parse_field_limits(Field& f, const nlohmann::json& j, const std::string& at) {
    f.max_length = j.value("max_length", f.type == FieldType::address ? 300 : 200);
    f.pattern = j.value("pattern", "");
    if (!f.pattern.empty()) {
        try {
            std::regex probe(f.pattern, std::regex::ECMAScript);
        } catch (const std::regex_error&) {
            fail(at, "the pattern is not a regular expression");
        }
        if (!j.contains("pattern_message")) fail(at, "a pattern needs a pattern_message");
        f.pattern_message = Text::from_json(j["pattern_message"]);
    }
    f.validator = j.value("validator", "");
    if (!f.validator.empty()) {
        const auto kinds = core::validation_kinds();
        if (std::find(kinds.begin(), kinds.end(), f.validator) == kinds.end())
            fail(at, "unknown validator \"" + f.validator + "\"");
    }
    if (f.type == FieldType::document && f.validator.empty()) fail(at, "a document field needs a validator");
    if (j.contains("min")) f.min = j["min"].get<double>();
    if (j.contains("max")) f.max = j["max"].get<double>();
    f.integer = j.value("integer", false);
    f.min_date = j.value("min_date", "");
    f.max_date = j.value("max_date", "");
    for (const auto* d : {&f.min_date, &f.max_date})
        if (!d->empty() && *d != "today" && !core::parse_iso_date(*d)) fail(at, "a date limit must be YYYY-MM-DD or today");
}

void parse_options(Field& f, const nlohmann::json& j, const std::string& at) {
    for (const auto& o : j.value("options", nlohmann::json::array())) {
        Option opt;
        opt.value = o.at("value").get<std::string>();
        opt.label = Text::from_json(o.at("label"));
        f.options.push_back(std::move(opt));
    }
    if (f.type == FieldType::choice && f.options.empty()) fail(at, "a choice needs options");
}

Field parse_field(const nlohmann::json& j, const std::string& where, bool in_group) {
    Field f;
    f.id = j.value("id", "");
    const std::string at = where + " field " + f.id;
    if (f.id.empty() || f.id.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789_") != std::string::npos)
        fail(where, "a field id must be lower-case letters, digits and _ (\"" + f.id + "\")");
    const auto type = field_type_from_string(j.value("type", ""));
    if (!type) fail(at, "unknown type \"" + j.value("type", "") + "\"");
    f.type = *type;
    if (!j.contains("label")) fail(at, "a field needs a label");
    f.label = Text::from_json(j["label"]);
    if (j.contains("hint")) f.hint = Text::from_json(j["hint"]);
    f.required = j.value("required", false);
    f.required_if = parse_condition(j.value("required_if", nlohmann::json()), at);
    f.show_if = parse_condition(j.value("show_if", nlohmann::json()), at);
    f.prefill = j.value("prefill", "");
    f.file_check = j.value("file_check", "");
    if (!f.file_check.empty() && (f.type != FieldType::file || !is_file_check(f.file_check)))
        fail(at, "unknown file_check \"" + f.file_check + "\" (file fields only)");
    parse_field_limits(f, j, at);
    parse_options(f, j, at);
    if (f.type == FieldType::group) {
        if (in_group) fail(at, "groups do not nest");
        std::set<std::string> ids;
        for (const auto& sub : j.value("fields", nlohmann::json::array())) {
            f.fields.push_back(parse_field(sub, at, true));
            if (!ids.insert(f.fields.back().id).second) fail(at, "duplicate field " + f.fields.back().id);
        }
        if (f.fields.empty()) fail(at, "a group needs fields");
        f.min_items = j.value("min_items", 0);
        f.max_items = j.value("max_items", 10);
        if (f.max_items < f.min_items || f.max_items == 0 || f.max_items > 50) fail(at, "bad min_items/max_items");
    }
    return f;
}

void check_condition_targets(const FormDefinition& def) {
    auto check = [&](const Condition& c, const std::string& where) {
        if (c.always()) return;
        const Field* target = def.field(c.field);
        if (!target || target->type == FieldType::group || target->type == FieldType::file)
            fail(where, "the condition names \"" + c.field + "\", not a simple field of the form");
    };
    for (const auto& s : def.steps) {
        check(s.show_if, "step " + s.id);
        for (const auto& f : s.fields) {
            check(f.show_if, "field " + f.id);
            check(f.required_if, "field " + f.id);
        }
    }
}

std::string value_text(const Values& values, const std::string& id) {
    if (!values.is_object()) return {};
    auto it = values.find(id);
    return it == values.end() ? std::string() : text_of(*it);
}


std::string trimmed(const std::string& s) {
    const auto b = s.find_first_not_of(" \t\r\n");
    if (b == std::string::npos) return {};
    return s.substr(b, s.find_last_not_of(" \t\r\n") - b + 1);
}

std::string date_limit(const std::string& limit, const std::string& today) { return limit == "today" ? today : limit; }

// One value's rules after "required": "" when fine, else the locale key.
std::string check_value(const Field& f, std::string& v, const std::string& today) {
    if (v.size() > f.max_length * 4 || text::decode_utf8(v).size() > f.max_length) return "applications.error.too_long";
    v = text::sanitize(v);  // broken bytes and control characters never reach the database
    switch (f.type) {
        case FieldType::number: {
            double n = 0;
            try {
                std::size_t used = 0;
                std::string dotted = v;
                std::replace(dotted.begin(), dotted.end(), ',', '.');
                n = std::stod(dotted, &used);
                if (used != dotted.size() || !std::isfinite(n)) return "applications.error.number";
            } catch (const std::exception&) {
                return "applications.error.number";
            }
            if (f.integer && n != std::floor(n)) return "applications.error.integer";
            if (f.min && n < *f.min) return "applications.error.min";
            if (f.max && n > *f.max) return "applications.error.max";
            break;
        }
        case FieldType::date: {
            auto d = core::parse_iso_date(v);
            if (!d) d = core::parse_ru_date(v);
            if (!d) return "applications.error.date";
            v = core::format_iso_date(*d);
            if (!f.min_date.empty() && v < date_limit(f.min_date, today)) return "applications.error.date_min";
            if (!f.max_date.empty() && v > date_limit(f.max_date, today)) return "applications.error.date_max";
            break;
        }
        case FieldType::choice: {
            const bool known = std::any_of(f.options.begin(), f.options.end(), [&](const Option& o) { return o.value == v; });
            if (!known) return "applications.error.choice";
            break;
        }
        default:
            break;
    }
    if (!f.validator.empty()) {
        const auto r = core::validate(f.validator, v);
        if (!r) return r.message_key();
        v = r.normalized;
    }
    if (!f.pattern.empty() && !std::regex_match(v, std::regex(f.pattern, std::regex::ECMAScript)))
        return "applications.error.pattern";
    return {};
}

void check_simple(const Field& f, const std::string& path, Values& holder, const Values& form, FieldErrors& errors,
                  const std::string& today) {
    std::string v = trimmed(value_text(holder, f.id));
    const bool required = f.required || (!f.required_if.always() && holds(f.required_if, form));
    if (v.empty()) {
        holder.erase(f.id);
        if (required) errors[path] = f.type == FieldType::file ? "applications.error.file_required" : "applications.error.required";
        return;
    }
    if (f.type == FieldType::file) return;  // a stored file's id; checked when it was uploaded
    const std::string problem = check_value(f, v, today);
    if (!problem.empty()) errors[path] = problem;
    holder[f.id] = v;
}

void check_group(const Field& g, Values& values, FieldErrors& errors, const std::string& today) {
    Values& list = values[g.id];
    if (!list.is_array()) list = Values::array();
    if (list.size() < g.min_items) errors[g.id] = "applications.error.group_min";
    if (list.size() > g.max_items) errors[g.id] = "applications.error.group_max";
    for (std::size_t i = 0; i < list.size(); ++i) {
        if (!list[i].is_object()) list[i] = Values::object();
        for (const auto& f : g.fields)
            check_simple(f, g.id + "." + std::to_string(i) + "." + f.id, list[i], values, errors, today);
    }
}

}  // namespace

std::string_view to_string(FieldType t) {
    for (const auto& [k, name] : kFieldTypes)
        if (k == t) return name;
    return "text";
}

std::optional<FieldType> field_type_from_string(std::string_view s) {
    for (const auto& [k, name] : kFieldTypes)
        if (name == s) return k;
    return std::nullopt;
}

const Field* FormDefinition::field(std::string_view id) const {
    for (const auto& s : steps)
        for (const auto& f : s.fields)
            if (f.id == id) return &f;
    return nullptr;
}

FormDefinition parse_form(const nlohmann::json& doc) {
    FormDefinition def;
    try {
        def.service = doc.at("service").get<std::string>();
        def.deadline_days = doc.value("deadline_days", 30);
        if (def.deadline_days < 1 || def.deadline_days > 366) fail(def.service, "deadline_days must be 1…366");
        def.refusal_reasons = doc.value("refusal_reasons", std::vector<std::string>{"incomplete", "invalid_documents", "not_entitled"});
        std::set<std::string> step_ids, field_ids;
        for (const auto& sj : doc.at("steps")) {
            Step s;
            s.id = sj.at("id").get<std::string>();
            if (!step_ids.insert(s.id).second) fail(def.service, "duplicate step " + s.id);
            s.title = Text::from_json(sj.at("title"));
            if (sj.contains("intro")) s.intro = Text::from_json(sj["intro"]);
            s.show_if = parse_condition(sj.value("show_if", nlohmann::json()), "step " + s.id);
            for (const auto& fj : sj.at("fields")) {
                s.fields.push_back(parse_field(fj, def.service + " step " + s.id, false));
                if (!field_ids.insert(s.fields.back().id).second) fail(def.service, "duplicate field " + s.fields.back().id);
            }
            if (s.fields.empty()) fail(def.service, "step " + s.id + " has no fields");
            def.steps.push_back(std::move(s));
        }
        if (def.steps.empty()) fail(def.service, "a form needs steps");
        check_condition_targets(def);
    } catch (const nlohmann::json::exception& e) {
        fail(def.service.empty() ? "form" : def.service, e.what());
    }
    return def;
}

bool holds(const Condition& c, const Values& values) {
    if (c.always()) return true;
    const std::string v = trimmed(value_text(values, c.field));
    const bool found = std::find(c.any_of.begin(), c.any_of.end(), v) != c.any_of.end();
    return c.negate ? !found : found;
}

std::vector<std::size_t> visible_steps(const FormDefinition& def, const Values& values) {
    std::vector<std::size_t> out;
    for (std::size_t i = 0; i < def.steps.size(); ++i)
        if (holds(def.steps[i].show_if, values)) out.push_back(i);
    return out;
}

FieldErrors validate_step(const FormDefinition& def, std::size_t step, Values& values, const std::string& today) {
    FieldErrors errors;
    if (!values.is_object()) values = Values::object();
    if (step >= def.steps.size()) return errors;
    for (const auto& f : def.steps[step].fields) {
        if (!holds(f.show_if, values)) {
            values.erase(f.id);
            continue;
        }
        if (f.type == FieldType::group) check_group(f, values, errors, today);
        else check_simple(f, f.id, values, values, errors, today);
    }
    return errors;
}

FieldErrors validate_all(const FormDefinition& def, Values& values, const std::string& today,
                         std::optional<std::size_t>* first_step) {
    FieldErrors all;
    if (!values.is_object()) values = Values::object();
    // Values of steps that the answers hide are not sent.
    const auto shown = visible_steps(def, values);
    for (std::size_t i = 0; i < def.steps.size(); ++i)
        if (std::find(shown.begin(), shown.end(), i) == shown.end())
            for (const auto& f : def.steps[i].fields) values.erase(f.id);
    for (std::size_t i : shown) {
        const auto errors = validate_step(def, i, values, today);
        if (!errors.empty() && first_step && !*first_step) *first_step = i;
        all.insert(errors.begin(), errors.end());
    }
    return all;
}

std::string_view to_string(Status s) {
    for (const auto& [k, name] : kStatuses)
        if (k == s) return name;
    return "draft";
}

Status status_from_string(std::string_view s) {
    for (const auto& [k, name] : kStatuses)
        if (name == s) return k;
    throw std::invalid_argument("unknown application status \"" + std::string(s) + "\"");
}

const std::vector<Status>& all_statuses() {
    static const std::vector<Status> all = [] {
        std::vector<Status> v;
        for (const auto& [k, name] : kStatuses) v.push_back(k);
        return v;
    }();
    return all;
}

bool can_transition(Status from, Status to) {
    return std::any_of(std::begin(kTransitions), std::end(kTransitions),
                       [&](const auto& t) { return t.first == from && t.second == to; });
}

bool is_final(Status s) { return s == Status::provided || s == Status::refused || s == Status::cancelled; }

bool may_cancel(Status s) {
    if (s == Status::cancelling) return false;  // already withdrawn: the authority confirms
    return can_transition(s, Status::cancelled) || can_transition(s, Status::cancelling);
}

Status withdrawal_target(Status s) {
    return can_transition(s, Status::cancelled) && s != Status::cancelling ? Status::cancelled : Status::cancelling;
}

std::string_view colour_class(Status s) {
    switch (s) {
        case Status::draft: return "status-neutral";
        case Status::registered:
        case Status::sent:
        case Status::received:
        case Status::accepted:
        case Status::intermediate: return "status-progress";
        case Status::info_requested:
        case Status::correction_required:
        case Status::appointment: return "status-action";
        case Status::document_ready:
        case Status::document_issued:
        case Status::provided: return "status-success";
        case Status::refused:
        case Status::send_error: return "status-error";
        case Status::cancelling:
        case Status::cancelled: return "status-muted";
    }
    return "status-neutral";
}

bool is_open(Status s) { return !is_final(s) && s != Status::draft; }

std::string sniff_content_type(std::string_view b) {
    if (b.substr(0, 5) == "%PDF-") return "application/pdf";
    if (b.size() >= 3 && static_cast<unsigned char>(b[0]) == 0xFF && static_cast<unsigned char>(b[1]) == 0xD8 &&
        static_cast<unsigned char>(b[2]) == 0xFF)
        return "image/jpeg";
    if (b.substr(0, 8) == std::string_view("\x89PNG\r\n\x1a\n", 8)) return "image/png";
    return "";
}

std::string check_upload(std::string_view b) {
    if (b.empty()) return "applications.error.file_empty";
    if (b.size() > kMaxFileBytes) return "applications.error.file_too_big";
    const std::string type = sniff_content_type(b);
    if (type.empty()) return "applications.error.file_type";
    // A whole file ends as its format says: a PDF with %%EOF, a JPEG with its
    // end marker, a PNG with its IEND chunk; a cut or damaged one is refused.
    const std::string_view tail = b.substr(b.size() > 1024 ? b.size() - 1024 : 0);
    if (type == "application/pdf" && tail.find("%%EOF") == std::string_view::npos) return "applications.error.file_broken";
    if (type == "image/jpeg" && tail.find("\xFF\xD9") == std::string_view::npos) return "applications.error.file_broken";
    if (type == "image/png" && (b.size() < 33 || b.substr(12, 4) != "IHDR" || tail.find("IEND") == std::string_view::npos))
        return "applications.error.file_broken";
    return "";
}

std::string clean_file_name(std::string_view name) {
    if (const auto slash = name.find_last_of("/\\"); slash != std::string_view::npos) name.remove_prefix(slash + 1);
    std::u32string out;
    for (char32_t c : text::decode_utf8(name)) {
        if (c < 0x20 || c == 0x7F || c == 0xFFFD || c == '"' || c == '\\' || c == ';' || (c >= 0x202A && c <= 0x202E) ||
            (c >= 0x2066 && c <= 0x2069))
            continue;  // control characters, quotes and bidirectional overrides never reach a header or a page
        out.push_back(c);
        if (out.size() >= 100) break;
    }
    std::string s = text::encode_utf8(out);
    while (!s.empty() && (s.front() == '.' || s.front() == ' ')) s.erase(0, 1);
    return s.empty() ? "file" : s;
}

std::string application_number(int year, std::int64_t id) { return fmt::format("{:04}-{:08}", year, id); }

std::int64_t deadline_after(std::int64_t sent_at, int days) { return sent_at + std::int64_t(days) * 86400; }

bool is_overdue(Status s, std::int64_t due_at, std::int64_t now) { return is_open(s) && due_at > 0 && now > due_at; }

}  // namespace uslugi::applications
