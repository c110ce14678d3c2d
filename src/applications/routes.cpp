#include "applications/routes.hpp"

#include "applications/route_kit.hpp"
#include "core/time.hpp"
#include "http/time_zones.hpp"
#include "identity/web.hpp"

#include <CLI/CLI.hpp>

#include <charconv>

namespace uslugi::applications {

using http::Data;
using http::Request;

identity::Context RouteKit::ctx(const Request& req) const { return identity::context_of(req, public_url); }

std::int64_t id_param(const Request& req, std::string_view name) {
    const std::string s = req.param(name);
    std::int64_t id = 0;
    const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), id);
    if (ec != std::errc() || end != s.data() + s.size() || id <= 0) return 0;
    return id;
}

std::string error_text(const core::Locale& t, const std::string& key, const Field* field, const std::string& lang) {
    if (key == "applications.error.pattern" && field) return field->pattern_message.in(lang);
    return t.has(key) ? t.text(key) : t.text("applications.error.invalid");
}

void add_status(Data& d, Status s, const core::Locale& t) {
    d.set("status", t.text("applications.status." + std::string(to_string(s))));
    d.set("status_code", std::string(to_string(s)));
    d.set("status_class", std::string(colour_class(s)));
}

std::string when(const Request& req, std::int64_t at) {
    return http::local_time(req, at) + " " + http::zone_offset(req, at);
}

Data history_data(const Request& req, const std::vector<HistoryEntry>& history, const core::Locale& t) {
    Data list{Data::type::list};
    for (const auto& e : history) {
        Data item;
        add_status(item, e.status, t);
        item.set("at", when(req, e.at));
        item.set("actor", t.text("applications.actor." + e.actor_kind));
        item.set("comment", e.comment);
        item.set("has_comment", !e.comment.empty());
        list.push_back(item);
    }
    return list;
}

namespace {

std::string shown_value(const Field& f, const std::string& v, const std::string& lang) {
    if (f.type == FieldType::choice)
        for (const auto& o : f.options)
            if (o.value == v) return o.label.in(lang);
    if (f.type == FieldType::date)
        if (auto d = core::parse_iso_date(v)) return core::format_long_date(*d, lang);
    return v;
}

std::string text_value(const Values& holder, const std::string& id) {
    auto it = holder.find(id);
    if (it == holder.end() || !it->is_string()) return {};
    return it->get<std::string>();
}

}  // namespace

FileLinks file_links(const std::vector<StoredFile>& files, const std::string& href_prefix) {
    FileLinks out;
    for (const auto& f : files) out[std::to_string(f.id)] = {f.name, href_prefix + std::to_string(f.id)};
    return out;
}

Data file_list(const std::vector<StoredFile>& files, const std::string& href_prefix) {
    Data list{Data::type::list};
    for (const auto& f : files) {
        Data item;
        item.set("name", f.name);
        item.set("href", href_prefix + std::to_string(f.id));
        item.set("size", std::to_string((f.size + 1023) / 1024) + " KB");
        list.push_back(item);
    }
    return list;
}

http::Response file_response(const ApplicationService::FileContent& f) {
    http::Response r;
    r.content_type = f.file.content_type;
    r.body = f.bytes;
    // The name travels percent-encoded (RFC 6266 filename*), with a plain ASCII fallback.
    std::string ascii;
    for (char c : f.file.name) ascii += (static_cast<unsigned char>(c) < 0x80 && c != '"' && c != '\\') ? c : '_';
    r.set_header("Content-Disposition", "attachment; filename=\"" + ascii + "\"; filename*=UTF-8''" + http::url_encode(f.file.name));
    r.set_header("X-Content-Type-Options", "nosniff");
    return r;
}

Data answers_data(const FormDefinition& def, const Values& values, const std::string& lang, const core::Locale& t,
                  const FileLinks& files) {
    Data steps{Data::type::list};
    const auto shown = visible_steps(def, values);
    for (std::size_t i : shown) {
        const Step& s = def.steps[i];
        Data step;
        step.set("title", s.title.in(lang));
        step.set("number", std::to_string(i + 1));
        Data answers{Data::type::list};
        for (const auto& f : s.fields) {
            if (!holds(f.show_if, values)) continue;
            if (f.type == FieldType::group) {
                const auto it = values.find(f.id);
                const std::size_t n = it != values.end() && it->is_array() ? it->size() : 0;
                for (std::size_t k = 0; k < n; ++k) {
                    std::string joined;
                    for (const auto& sub : f.fields) {
                        const std::string v = text_value((*it)[k], sub.id);
                        if (!v.empty()) joined += (joined.empty() ? "" : "; ") + sub.label.in(lang) + ": " + shown_value(sub, v, lang);
                    }
                    Data a;
                    a.set("label", f.label.in(lang) + " " + std::to_string(k + 1));
                    a.set("value", joined);
                    answers.push_back(a);
                }
                if (n == 0) {
                    Data a;
                    a.set("label", f.label.in(lang));
                    a.set("value", t.text("applications.summary.none"));
                    answers.push_back(a);
                }
                continue;
            }
            const std::string v = text_value(values, f.id);
            Data a;
            a.set("label", f.label.in(lang));
            a.set("value", v.empty() ? t.text("applications.summary.empty") : shown_value(f, v, lang));
            if (f.type == FieldType::file && !v.empty()) {
                const auto it = files.find(v);
                a.set("value", it == files.end() ? t.text("applications.summary.empty") : it->second.first);
                if (it != files.end()) a.set("href", it->second.second);
            }
            answers.push_back(a);
        }
        step.set("answers", answers);
        steps.push_back(step);
    }
    return steps;
}

nlohmann::json application_json(const Application& a, const catalog::Catalog& cat, const core::Locale& t) {
    const catalog::Service* s = cat.service(a.service_id);
    return {{"id", a.id},
            {"number", a.number},
            {"service", {{"id", a.service_id}, {"title", s ? s->title.in(t.code()) : ""}}},
            {"authority", a.authority_id},
            {"status", std::string(to_string(a.status))},
            {"status_label", t.text("applications.status." + std::string(to_string(a.status)))},
            {"may_cancel", may_cancel(a.status)},
            {"submitted_at", core::format_utc(a.submitted_at)},
            {"due_at", core::format_utc(a.due_at)},
            {"request", a.request_text},
            {"result", a.result_text},
            {"refusal_reason", a.refusal_code}};
}

void add_options(CLI::App& serve, Options& options) {
    serve.add_option("--files-dir", options.files_dir,
                     "folder for the attachments of applications (content-hashed files; back it up with the database)")
        ->envname("USLUGI_FILES_DIR")
        ->capture_default_str();
    marriage::add_options(serve, options.marriage);
}

void register_routes(http::Router& router, const http::Renderer& renderer, ApplicationService& service,
                     const std::string& public_url, const std::string& font_dir) {
    const auto kit = std::make_shared<const RouteKit>(RouteKit{router, renderer, service, public_url, font_dir});
    register_apply_routes(kit);
    register_cabinet_routes(kit);
    register_office_routes(kit);
    register_complaint_routes(kit);
    register_assign_routes(kit);
    register_standalone_complaint_routes(kit);
    register_form_api_routes(kit);
    register_organisation_routes(kit);
}

}  // namespace uslugi::applications
