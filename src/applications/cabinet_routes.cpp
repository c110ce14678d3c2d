// The applicant's side after sending (APP-2): the cabinet's list of
// applications and drafts, one application with its history, withdrawal,
// the answer to a request for information, and the result document.
#include "applications/result_pdf.hpp"
#include "applications/route_kit.hpp"

#include "catalog/route_kit.hpp"
#include "core/clock.hpp"
#include "core/time.hpp"
#include "http/pagination.hpp"

namespace uslugi::applications {

using http::Data;
using http::Request;
using http::Response;
using HttpStatus = http::Status;

namespace {

std::string app_path(std::int64_t id) { return "/account/applications/" + std::to_string(id); }

Data application_card(const Request& req, const Application& a, const catalog::Catalog& cat, const core::Locale& t,
                      const std::string& href) {
    Data d;
    d.set("href", href);
    d.set("number", a.number);
    if (const catalog::Service* s = cat.service(a.service_id)) catalog::set_text(d, "service", s->title, req.lang);
    else d.set("service", a.service_id);
    if (const catalog::Authority* au = cat.authority(a.authority_id)) catalog::set_text(d, "authority", au->name, req.lang);
    add_status(d, a.status, t);
    d.set("submitted", when(req, a.submitted_at));
    d.set("due", when(req, a.due_at));
    d.set("overdue", is_overdue(a.status, a.due_at, core::now_unix()));
    return d;
}

Response list_page(const Kit& kit, Request& req) {
    const core::Locale& t = kit->locale(req);
    const std::size_t page = http::page_of(req);
    const auto cat = kit->service.catalog().current();
    auto& store = kit->service.store();
    const std::size_t total = store.count_of_account(req.account->id);
    Data items{Data::type::list};
    for (const auto& a : store.of_account(req.account->id, (page - 1) * http::kPageSize, http::kPageSize))
        items.push_back(application_card(req, a, *cat, t, app_path(a.id)));
    Data drafts{Data::type::list};
    for (const auto& dr : kit->service.drafts(req.account->id)) {
        Data item;
        if (const catalog::Service* s = cat->service(dr.service_id)) catalog::set_text(item, "service", s->title, req.lang);
        item.set("href", "/applications/drafts/" + std::to_string(dr.id) + "/steps/" + std::to_string(dr.step + 1));
        item.set("delete", "/applications/drafts/" + std::to_string(dr.id) + "/delete");
        item.set("updated", when(req, dr.updated_at));
        drafts.push_back(item);
    }
    Data d;
    d.set("applications", items);
    d.set("has_applications", total > 0);
    d.set("drafts", drafts);
    d.set("organisation_applications", kit->service.sees_organisation(*req.account));
    d.set("has_drafts", !drafts.list_value().empty());
    d.set("saved", req.query().has("saved"));
    d.set("deleted", req.query().has("deleted"));
    d.set("pagination", http::pagination(kit->renderer, req, page, total));
    return kit->renderer.page(req, "applications/list", d, t.text("applications.list.title"));
}

Response detail_page(const Kit& kit, Request& req, const Application& a, const FieldErrors& errors,
                     HttpStatus status = HttpStatus::ok) {
    const core::Locale& t = kit->locale(req);
    const auto cat = kit->service.catalog().current();
    Data d = application_card(req, a, *cat, t, app_path(a.id));
    d.set("history", history_data(req, kit->service.history(a.id), t));
    const auto files = kit->service.application_files(a);
    if (const auto def = kit->service.form(a.service_id))
        d.set("steps", answers_data(*def, a.values, req.lang, t, file_links(files, app_path(a.id) + "/files/")));
    d.set("files", file_list(files, app_path(a.id) + "/files/"));
    d.set("has_files", !files.empty());
    d.set("may_cancel", may_cancel(a.status));
    d.set("withdraw_action", app_path(a.id) + "/withdraw");
    d.set("complain_href", app_path(a.id) + "/complaints");
    const bool asked = a.status == Status::info_requested || a.status == Status::correction_required;
    d.set("asked", asked);
    d.set("request_text", a.request_text);
    d.set("answer_action", app_path(a.id) + "/answer");
    d.set("provided", a.status == Status::provided);
    d.set("refused", a.status == Status::refused);
    d.set("result_text", a.result_text);
    d.set("result_href", app_path(a.id) + "/result.pdf");
    if (const auto* hook = kit->service.sent_hook(a.service_id); hook && !hook->result_page.empty()) {
        d.set("result_page", app_path(a.id) + "/" + hook->result_page);  // a result with a page of its own
        d.set("result_page_label", t.text(hook->result_label));
    }
    if (!a.refusal_code.empty()) d.set("refusal_reason", t.text("applications.refusal." + a.refusal_code));
    d.set("sent", req.query().has("sent"));
    d.set("answered", req.query().has("answered"));
    d.set("withdrawn", req.query().has("withdrawn"));
    if (auto it = errors.find("text"); it != errors.end()) {
        d.set("text_error", t.text(it->second));
        d.set("text_invalid", true);
    }
    if (auto it = errors.find("status"); it != errors.end()) d.set("status_error", t.text(it->second));
    return kit->renderer.page(req, "applications/detail", d, t.text("applications.detail.title") + " " + a.number, status);
}

// The applicant's own application named by {id}, or none: another's is "not found".
std::optional<Application> own(const Kit& kit, const Request& req) {
    const std::int64_t id = id_param(req, "id");
    if (!id) return std::nullopt;
    return kit->service.application_of(req.account->id, id);
}

std::string pdf_text(std::string text, std::initializer_list<std::pair<const char*, std::string>> values) {
    for (const auto& [ph, v] : values)
        if (auto p = text.find(ph); p != std::string::npos) text.replace(p, std::string_view(ph).size(), v);
    return text;
}

Response result_pdf(const Kit& kit, Request& req, const Application& a) {
    const core::Locale& t = kit->locale(req);
    const auto cat = kit->service.catalog().current();
    const catalog::Service* s = cat->service(a.service_id);
    const catalog::Authority* au = cat->authority(a.authority_id);
    ResultDocument doc;
    doc.heading = t.text("applications.pdf.heading");
    doc.authority = au ? au->name.in(req.lang) : a.authority_id;
    doc.service = s ? s->title.in(req.lang) : a.service_id;
    const auto date = [](std::int64_t at) { return core::format_ru_date(std::chrono::floor<std::chrono::days>(std::chrono::sys_seconds(std::chrono::seconds(at)))); };
    doc.number_line = pdf_text(t.text("applications.pdf.number"), {{"{number}", a.number}, {"{date}", date(a.submitted_at)}});
    doc.applicant = pdf_text(t.text("applications.pdf.applicant"), {{"{name}", kit->service.applicant_name(a.account_id)}});
    doc.decision = a.result_text;
    doc.issued_line = pdf_text(t.text("applications.pdf.issued"), {{"{date}", date(a.decided_at ? a.decided_at : a.updated_at)}});
    doc.footer = t.text("applications.pdf.footer");
    Response r;
    r.content_type = "application/pdf";
    r.body = render_result_pdf(doc, kit->font_dir);
    r.set_header("Content-Disposition", "attachment; filename=\"result-" + a.number + ".pdf\"");
    r.set_header("X-Content-Type-Options", "nosniff");
    return r;
}

void register_pages(const Kit& kit) {
    kit->router.get("/account/applications", [kit](Request& req) { return list_page(kit, req); }, http::for_signed_in());

    kit->router.get("/account/applications/{id}", [kit](Request& req) {
        const auto a = own(kit, req);
        return a ? detail_page(kit, req, *a, {}) : kit->not_found(req);
    }, http::for_signed_in());

    kit->router.get("/account/applications/{id}/result.pdf", [kit](Request& req) {
        const auto a = own(kit, req);
        if (!a || a->status != Status::provided) return kit->not_found(req);
        return result_pdf(kit, req, *a);
    }, http::for_signed_in());

    kit->router.post("/account/applications/{id}/withdraw", [kit](Request& req) {
        const auto a = own(kit, req);
        if (!a) return kit->not_found(req);
        const Outcome o = kit->service.withdraw(kit->ctx(req), req.account->id, a->id, req.form().get_or("comment", ""));
        if (o == Outcome::ok) return Response::redirect(app_path(a->id) + "?withdrawn=1");
        const auto now = kit->service.application_of(req.account->id, a->id);
        return detail_page(kit, req, *now, {{"status", "applications.error.cannot_withdraw"}}, HttpStatus::conflict);
    }, http::for_signed_in());

    kit->router.post("/account/applications/{id}/answer", [kit](Request& req) {
        const auto a = own(kit, req);
        if (!a) return kit->not_found(req);
        const std::string text = req.form().get_or("text", "");
        std::vector<ApplicationService::Upload> uploads;
        for (const auto& f : req.files())
            if (f.field == "files" && !(f.filename.empty() && f.data.empty())) uploads.push_back({f.filename, f.data});
        std::string problem;
        const Outcome o = kit->service.answer(kit->ctx(req), req.account->id, a->id, text, uploads, &problem);
        if (o == Outcome::ok) return Response::redirect(app_path(a->id) + "?answered=1");
        if (o == Outcome::invalid) return detail_page(kit, req, *a, {{"text", problem}}, HttpStatus::unprocessable_entity);
        return detail_page(kit, req, *a, {{"status", "applications.error.not_asked"}}, HttpStatus::conflict);
    }, http::for_signed_in({.body_limit = kUploadBodyLimit}));

    kit->router.get("/account/applications/{id}/files/{file}", [kit](Request& req) {
        const auto a = own(kit, req);
        const std::int64_t file = id_param(req, "file");
        const auto f = a && file ? kit->service.application_file(*a, file) : std::nullopt;
        return f ? file_response(*f) : kit->not_found(req);
    }, http::for_signed_in());
}

void register_api(const Kit& kit) {
    kit->router.get("/api/v1/applications", [kit](Request& req) {
        const core::Locale& t = kit->locale(req);
        const auto cat = kit->service.catalog().current();
        const std::size_t page = http::page_of(req);
        auto& store = kit->service.store();
        nlohmann::json items = nlohmann::json::array();
        for (const auto& a : store.of_account(req.account->id, (page - 1) * http::kPageSize, http::kPageSize))
            items.push_back(application_json(a, *cat, t));
        nlohmann::json drafts = nlohmann::json::array();
        for (const auto& dr : kit->service.drafts(req.account->id))
            drafts.push_back({{"id", dr.id}, {"service", dr.service_id}, {"step", dr.step + 1}, {"updated_at", core::format_utc(dr.updated_at)}});
        return Response::json({{"applications", items}, {"total", store.count_of_account(req.account->id)}, {"page", page}, {"drafts", drafts}});
    }, http::for_signed_in());

    kit->router.get("/api/v1/applications/{id}", [kit](Request& req) {
        const auto a = own(kit, req);
        if (!a) return Response::json_error(HttpStatus::not_found, "applications.not_found", "no such application");
        const core::Locale& t = kit->locale(req);
        nlohmann::json j = application_json(*a, *kit->service.catalog().current(), t);
        nlohmann::json history = nlohmann::json::array();
        for (const auto& e : kit->service.history(a->id))
            history.push_back({{"at", core::format_utc(e.at)}, {"status", std::string(to_string(e.status))}, {"actor", e.actor_kind}, {"comment", e.comment}});
        j["history"] = history;
        j["values"] = a->values;
        return Response::json(j);
    }, http::for_signed_in());
}

}  // namespace

void register_cabinet_routes(const Kit& kit) {
    register_pages(kit);
    register_api(kit);
}

}  // namespace uslugi::applications
