// "My documents" and "My vehicles" (CAB-3): the list with validity, the add and
// edit forms, removal; each with its /api/v1/account/documents twin.
#include "cabinet/route_kit.hpp"

#include "http/twin_routes.hpp"

#include <algorithm>

namespace uslugi::cabinet {

using http::Data;
using http::Request;
using http::Response;
using http::Status;

namespace {

nlohmann::json date_json(const std::optional<Date>& d) {
    return d ? nlohmann::json(core::format_iso_date(*d)) : nlohmann::json();
}

nlohmann::json document_json(const DocumentView& v) {
    const Document& d = v.document;
    nlohmann::json j{{"id", d.id}, {"kind", to_string(d.kind)}, {"number", d.number},
                     {"expiry", to_string(v.expiry)}};
    if (d.kind != DocumentKind::vehicle) j["valid_until"] = date_json(d.valid_until);
    if (d.kind == DocumentKind::driver_licence || d.kind == DocumentKind::foreign_passport)
        j["issued"] = date_json(d.issued);
    if (d.kind == DocumentKind::driver_licence) j["categories"] = d.categories;
    if (d.kind == DocumentKind::vehicle) {
        j["plate"] = d.plate;
        j["make_model"] = d.make_model;
        j["year"] = d.year;
    }
    if (v.expiry != Expiry::none) j["days_left"] = v.days_left;
    j["replacement_service"] = v.replacement.empty() ? nlohmann::json() : nlohmann::json(v.replacement);
    return j;
}

std::string kind_key(DocumentKind k) { return "cabinet.kind." + std::string(to_string(k)); }

// The facts a card lists, in the reader's language.
Data facts_of(const Kit& kit, const Request& req, const Document& d) {
    Data list{Data::type::list};
    auto add = [&](const std::string& field, const std::string& value) {
        if (value.empty()) return;
        Data f;
        f.set("label", kit->t(req, "cabinet.field." + field));
        f.set("value", value);
        list.push_back(f);
    };
    add("number", d.number);
    add("plate", d.plate);
    add("make_model", d.make_model);
    if (d.year) add("year", std::to_string(d.year));
    std::string categories;
    for (const auto& c : d.categories) categories += (categories.empty() ? "" : ", ") + c;
    add("categories", categories);
    add("issued", long_date(d.issued, req));
    add("valid_until", long_date(d.valid_until, req));
    return list;
}

Data card_of(const Kit& kit, const Request& req, const DocumentView& v) {
    Data c;
    c.set("id", std::to_string(v.document.id));
    c.set("title", v.document.kind == DocumentKind::vehicle && !v.document.make_model.empty()
                       ? v.document.make_model + " " + v.document.plate
                       : kit->t(req, kind_key(v.document.kind)));
    c.set("facts", facts_of(kit, req, v.document));
    c.set("expired", v.expiry == Expiry::expired);
    c.set("expiring", v.expiry == Expiry::expiring);
    if (v.expiry == Expiry::expiring) {
        std::string text = kit->t(req, "cabinet.documents.expiring");
        text += " " + long_date(v.document.valid_until, req);
        c.set("expiring_text", text);
    }
    if (!v.replacement.empty()) {
        const auto cat = kit->catalog.current();
        if (const catalog::Service* s = cat->service(v.replacement)) {
            c.set("replacement_href", "/services/" + s->id);
            c.set("replacement_title", s->title.in(req.lang));
        }
    }
    return c;
}

Response list_page(const Kit& kit, Request& req) {
    const auto all = kit->service.documents(req.account->id);
    Data sections{Data::type::list};
    for (DocumentKind k : document_kinds()) {
        Data s;
        const std::string kind(to_string(k));
        s.set("kind", kind);
        s.set("anchor", k == DocumentKind::vehicle ? "vehicles" : kind);
        s.set("title", kit->t(req, "cabinet.section." + kind));
        s.set("add_text", kit->t(req, "cabinet.add." + kind));
        Data cards{Data::type::list};
        for (const auto& v : all)
            if (v.document.kind == k) cards.push_back(card_of(kit, req, v));
        s.set("empty", cards.is_empty_list());
        s.set("cards", cards);
        sections.push_back(s);
    }
    Data d;
    d.set("sections", sections);
    const std::string done = req.query().get_or("done", "");
    if (done == "saved" || done == "removed") d.set("notice", kit->t(req, "cabinet.documents." + done));
    return kit->renderer.page(req, "cabinet/documents", d, kit->t(req, "cabinet.documents.title"));
}

// The add or edit form; `typed` holds what was sent when it failed.
Response form_page(const Kit& kit, Request& req, DocumentKind kind, std::int64_t id, const Fields& typed,
                   const std::vector<FieldError>& errors) {
    Data d;
    const std::string k(to_string(kind));
    d.set("action", id ? "/account/documents/" + std::to_string(id) : "/account/documents/new/" + k);
    d.set("title", kit->t(req, (id ? "cabinet.edit." : "cabinet.add.") + k));
    Data fields{Data::type::list};
    const auto error_of = [&errors](const std::string& f) {
        auto it = std::find_if(errors.begin(), errors.end(), [&f](const FieldError& e) { return e.field == f; });
        return it == errors.end() ? std::string() : it->key;
    };
    for (const auto& name : document_fields(kind)) {
        Data f;
        const auto it = typed.find(name);
        const std::string value = it == typed.end() ? "" : it->second;
        f.set("name", name);
        f.set("label", kit->t(req, "cabinet.field." + name));
        f.set("hint", kit->t(req, name == "number" ? "cabinet.hint.number." + k : "cabinet.hint." + name));
        f.set("value", value);
        const std::string err = error_of(name);
        f.set("invalid", !err.empty());
        f.set("error", err.empty() ? "" : kit->t(req, err));
        f.set("is_date", name == "issued" || name == "valid_until");
        f.set("is_categories", name == "categories");
        f.set("is_text", name != "issued" && name != "valid_until" && name != "categories");
        f.set("numeric", name == "year");
        if (name == "categories") {
            Data boxes{Data::type::list};
            for (auto c : licence_categories()) {
                Data b;
                b.set("value", std::string(c));
                b.set("checked", (" " + value + " ").find(" " + std::string(c) + " ") != std::string::npos);
                boxes.push_back(b);
            }
            f.set("choices", boxes);
        }
        fields.push_back(f);
    }
    d.set("fields", fields);
    add_errors(d, req, kit, errors);
    return kit->renderer.page(req, "cabinet/document_form", d, kit->t(req, (id ? "cabinet.edit." : "cabinet.add.") + k),
                              errors.empty() ? Status::ok : Status::unprocessable_entity);
}

// What a stored document's form shows: its values as typed text.
Fields typed_of(const Document& d) {
    Fields f{{"number", d.number}, {"plate", d.plate}, {"make_model", d.make_model}};
    if (d.issued) f["issued"] = core::format_iso_date(*d.issued);
    if (d.valid_until) f["valid_until"] = core::format_iso_date(*d.valid_until);
    if (d.year) f["year"] = std::to_string(d.year);
    std::string c;
    for (const auto& x : d.categories) c += (c.empty() ? "" : " ") + x;
    f["categories"] = c;
    return f;
}

struct Sent {
    DocumentKind kind = DocumentKind::driver_licence;
    std::int64_t id = 0;
    Fields typed;
    Outcome outcome;
};

void register_reads(const Kit& kit) {
    kit->router.get("/account/documents", [kit](Request& req) { return list_page(kit, req); }, http::for_signed_in());
    kit->router.get("/account/vehicles", [](Request&) { return Response::redirect("/account/documents#vehicles"); },
                    http::for_signed_in());
    kit->router.get("/api/v1/account/documents", [kit](Request& req) {
        nlohmann::json list = nlohmann::json::array();
        for (const auto& v : kit->service.documents(req.account->id)) list.push_back(document_json(v));
        return Response::json({{"documents", list}, {"expiry_warning_days", kExpiryWarningDays}});
    }, http::for_signed_in());
    kit->router.get("/account/documents/new/{kind}", [kit](Request& req) {
        const auto kind = document_kind_from_string(req.param("kind"));
        if (!kind) return kit->renderer.error_page(req, Status::not_found);
        return form_page(kit, req, *kind, 0, {}, {});
    }, http::for_signed_in());
    kit->router.get("/account/documents/{id}", [kit](Request& req) {
        const auto id = id_param(req, "id");
        const auto v = id ? kit->service.document(req.account->id, *id) : std::nullopt;
        if (!v) return kit->renderer.error_page(req, Status::not_found);
        return form_page(kit, req, v->document.kind, *id, typed_of(v->document), {});
    }, http::for_signed_in());
    kit->router.get("/api/v1/account/documents/{id}", [kit](Request& req) {
        const auto id = id_param(req, "id");
        const auto v = id ? kit->service.document(req.account->id, *id) : std::nullopt;
        if (!v) return Response::json_error(Status::not_found, "cabinet.not_found", kit->t(req, "cabinet.error.not_found"));
        return Response::json(document_json(*v));
    }, http::for_signed_in());
}

Response api_answer(const Kit& kit, Request& req, const Sent& s, Status ok_status) {
    if (s.outcome.error == "not_found")
        return Response::json_error(Status::not_found, "cabinet.not_found", kit->t(req, "cabinet.error.not_found"));
    if (!s.outcome.ok()) return json_invalid(req, kit, s.outcome);
    return Response::json(document_json(*kit->service.document(req.account->id, s.outcome.id)), ok_status);
}

void register_writes(const Kit& kit) {
    http::post_twins(
        kit->router, {"/account/documents/new/{kind}", "/api/v1/account/documents/new/{kind}"},
        [kit](Request& req) {
            Sent s;
            const auto kind = document_kind_from_string(req.param("kind"));
            if (!kind) return std::optional<Sent>();
            s.kind = *kind;
            s.typed = typed_fields(req, document_fields(*kind));
            s.outcome = kit->service.add_document(req.account->id, *kind, s.typed);
            return std::optional<Sent>(s);
        },
        [kit](Request& req, const std::optional<Sent>& s) {
            if (!s) return kit->renderer.error_page(req, Status::not_found);
            if (!s->outcome.ok()) return form_page(kit, req, s->kind, 0, s->typed, s->outcome.errors);
            return Response::redirect("/account/documents?done=saved");
        },
        [kit](Request& req, const std::optional<Sent>& s) {
            if (!s) return Response::json_error(Status::not_found, "cabinet.not_found", kit->t(req, "cabinet.error.not_found"));
            return api_answer(kit, req, *s, Status::created);
        },
        http::for_signed_in());
    http::post_twins(
        kit->router, {"/account/documents/{id}", "/api/v1/account/documents/{id}"},
        [kit](Request& req) {
            Sent s;
            const auto id = id_param(req, "id");
            const auto before = id ? kit->service.document(req.account->id, *id) : std::nullopt;
            if (!before) {
                s.outcome.error = "not_found";
                return s;
            }
            s.id = *id;
            s.kind = before->document.kind;
            s.typed = typed_fields(req, document_fields(s.kind));
            s.outcome = kit->service.update_document(req.account->id, *id, s.typed);
            return s;
        },
        [kit](Request& req, const Sent& s) {
            if (s.outcome.error == "not_found") return kit->renderer.error_page(req, Status::not_found);
            if (!s.outcome.ok()) return form_page(kit, req, s.kind, s.id, s.typed, s.outcome.errors);
            return Response::redirect("/account/documents?done=saved");
        },
        [kit](Request& req, const Sent& s) { return api_answer(kit, req, s, Status::ok); }, http::for_signed_in());
    http::post_twins(
        kit->router, {"/account/documents/{id}/delete", "/api/v1/account/documents/{id}/delete"},
        [kit](Request& req) {
            const auto id = id_param(req, "id");
            return id && kit->service.remove_document(req.account->id, *id);
        },
        [kit](Request& req, bool removed) {
            if (!removed) return kit->renderer.error_page(req, Status::not_found);
            return Response::redirect("/account/documents?done=removed");
        },
        [kit](Request& req, bool removed) {
            if (!removed) return Response::json_error(Status::not_found, "cabinet.not_found", kit->t(req, "cabinet.error.not_found"));
            return Response::json({{"removed", true}});
        },
        http::for_signed_in());
}

}  // namespace

void register_document_routes(const Kit& kit) {
    register_reads(kit);
    register_writes(kit);
}

}  // namespace uslugi::cabinet
