// "My addresses" (CAB-5): the place of residence, the actual and the postal
// address, each its own form on one page; /api/v1/account/addresses twins.
#include "cabinet/route_kit.hpp"

#include "http/twin_routes.hpp"

namespace uslugi::cabinet {

using http::Data;
using http::Request;
using http::Response;
using http::Status;

namespace {

nlohmann::json address_json(const CabinetService& service, const Address& a) {
    return {{"kind", to_string(a.kind)},   {"region", a.region},     {"region_name", service.region_name(a.region, "ru")},
            {"settlement", a.settlement},  {"street", a.street},     {"house", a.house},
            {"building", a.building},      {"flat", a.flat},         {"postcode", a.postcode},
            {"formatted", service.formatted(a)}};
}

Fields typed_of(const Address& a) {
    return {{"region", a.region}, {"settlement", a.settlement}, {"street", a.street}, {"house", a.house},
            {"building", a.building}, {"flat", a.flat}, {"postcode", a.postcode}};
}

Data region_choices(const Kit& kit, const Request& req, const std::string& chosen) {
    Data list{Data::type::list};
    const auto cat = kit->catalog.current();
    for (const auto& r : cat->data().regions) {
        Data item;
        item.set("code", r.code);
        item.set("name", r.name.in(req.lang));
        item.set("selected", r.code == chosen);
        list.push_back(item);
    }
    return list;
}

// One address's form: stored values, or what was sent with its errors.
Data address_form(const Kit& kit, const Request& req, AddressKind kind, const Fields& values, bool saved,
                  const std::vector<FieldError>& errors) {
    Data f;
    const std::string k(to_string(kind));
    f.set("kind", k);
    f.set("title", kit->t(req, "cabinet.address." + k));
    f.set("saved", saved);
    const auto error_of = [&](const std::string& field) {
        for (const auto& e : errors)
            if (e.field == field) return kit->t(req, e.key);
        return std::string();
    };
    Data fields{Data::type::list};
    for (const auto& name : address_fields()) {
        if (name == "region") continue;  // a select of its own
        Data x;
        const auto it = values.find(name);
        x.set("id", k + "-" + name);
        x.set("name", name);
        x.set("label", kit->t(req, "cabinet.field." + name));
        x.set("optional", name == "street" || name == "building" || name == "flat");
        x.set("numeric", name == "postcode");
        x.set("value", it == values.end() ? "" : it->second);
        x.set("error", error_of(name));
        x.set("invalid", !error_of(name).empty());
        fields.push_back(x);
    }
    const auto region = values.find("region");
    f.set("regions", region_choices(kit, req, region == values.end() ? "" : region->second));
    f.set("region_id", k + "-region");
    f.set("region_error", error_of("region"));
    f.set("region_invalid", !error_of("region").empty());
    // Errors name the field's id on this page (three forms share field names).
    std::vector<FieldError> scoped;
    for (const auto& e : errors) scoped.push_back({k + "-" + e.field, e.key});
    Data list{Data::type::list};
    for (const auto& e : scoped) {
        Data item;
        item.set("field", e.field);
        item.set("message", kit->t(req, e.key));
        list.push_back(item);
    }
    f.set("errors", list);
    f.set("has_errors", !errors.empty());
    f.set("fields", fields);
    return f;
}

Response page(const Kit& kit, Request& req, std::optional<AddressKind> failed_kind, const Fields& typed,
              const std::vector<FieldError>& errors) {
    const auto stored = kit->service.addresses(req.account->id);
    Data forms{Data::type::list};
    for (AddressKind k : address_kinds()) {
        const Address* have = nullptr;
        for (const auto& a : stored)
            if (a.kind == k) have = &a;
        if (failed_kind == k) forms.push_back(address_form(kit, req, k, typed, have != nullptr, errors));
        else forms.push_back(address_form(kit, req, k, have ? typed_of(*have) : Fields{}, have != nullptr, {}));
    }
    Data d;
    d.set("forms", forms);
    const std::string done = req.query().get_or("done", "");
    if (done == "saved" || done == "removed") d.set("notice", kit->t(req, "cabinet.addresses." + done));
    return kit->renderer.page(req, "cabinet/addresses", d, kit->t(req, "cabinet.addresses.title"),
                              errors.empty() ? Status::ok : Status::unprocessable_entity);
}

struct Sent {
    std::optional<AddressKind> kind;
    Fields typed;
    Outcome outcome;
};

}  // namespace

void register_address_routes(const Kit& kit) {
    kit->router.get("/account/addresses", [kit](Request& req) { return page(kit, req, std::nullopt, {}, {}); },
                    http::for_signed_in());
    kit->router.get("/api/v1/account/addresses", [kit](Request& req) {
        nlohmann::json list = nlohmann::json::array();
        for (const auto& a : kit->service.addresses(req.account->id)) list.push_back(address_json(kit->service, a));
        return Response::json({{"addresses", list}});
    }, http::for_signed_in());
    http::post_twins(
        kit->router, {"/account/addresses/{kind}", "/api/v1/account/addresses/{kind}"},
        [kit](Request& req) {
            Sent s;
            s.kind = address_kind_from_string(req.param("kind"));
            if (!s.kind) return s;
            s.typed = typed_fields(req, address_fields());
            s.outcome = kit->service.save_address(req.account->id, *s.kind, s.typed);
            return s;
        },
        [kit](Request& req, const Sent& s) {
            if (!s.kind) return kit->renderer.error_page(req, Status::not_found);
            if (!s.outcome.ok()) return page(kit, req, s.kind, s.typed, s.outcome.errors);
            return Response::redirect("/account/addresses?done=saved#" + std::string(to_string(*s.kind)));
        },
        [kit](Request& req, const Sent& s) {
            if (!s.kind) return Response::json_error(Status::not_found, "cabinet.not_found", kit->t(req, "cabinet.error.not_found"));
            if (!s.outcome.ok()) return json_invalid(req, kit, s.outcome);
            return Response::json(address_json(kit->service, *kit->service.address(req.account->id, *s.kind)));
        },
        http::for_signed_in());
    http::post_twins(
        kit->router, {"/account/addresses/{kind}/delete", "/api/v1/account/addresses/{kind}/delete"},
        [kit](Request& req) {
            const auto kind = address_kind_from_string(req.param("kind"));
            return kind && kit->service.remove_address(req.account->id, *kind);
        },
        [kit](Request& req, bool removed) {
            if (!removed) return kit->renderer.error_page(req, Status::not_found);
            return Response::redirect("/account/addresses?done=removed");
        },
        [kit](Request& req, bool removed) {
            if (!removed) return Response::json_error(Status::not_found, "cabinet.not_found", kit->t(req, "cabinet.error.not_found"));
            return Response::json({{"removed", true}});
        },
        http::for_signed_in());
}

}  // namespace uslugi::cabinet
