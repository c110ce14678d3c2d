#include "http/prefs_routes.hpp"

#include "core/clock.hpp"
#include "core/time.hpp"
#include "http/time_zones.hpp"

#include <initializer_list>

namespace uslugi::http {

namespace {

// One radio group of the visually-impaired choices: its values with the current one checked.
Data vi_choices(const core::Locale& locale, std::initializer_list<const char*> values, const std::string& group,
                const std::string& current) {
    Data list{Data::type::list};
    for (const char* v : values) {
        Data item;
        item.set("value", std::string(v));
        item.set("id", "vi-" + group + "-" + v);
        item.set("label", locale.text("ui.vi." + group + "." + v));
        item.set("checked", current == v);
        list.push_back(item);
    }
    return list;
}

Data settings_data(const Request& req, const Renderer& renderer, const std::string& error_key, bool saved) {
    const core::Locale& locale = renderer.locale(req);
    const std::string current = req.session ? req.session->lang : req.lang;
    Data languages{Data::type::list};
    for (std::string_view code : core::kLanguages) {
        Data item;
        item.set("code", std::string(code));
        item.set("name", renderer.locales().get(code).text("lang.self"));
        item.set("checked", code == current);
        languages.push_back(item);
    }
    // The zone in force is checked, so a form refused for an unknown zone shows what still applies.
    const std::int64_t now = core::now_unix();
    Data zones{Data::type::list};
    for (std::string_view zone : core::russian_time_zones()) {
        Data item;
        item.set("id", std::string(zone));
        item.set("slug", std::string(zone.substr(zone.rfind('/') + 1)));
        item.set("name", zone_name(locale, zone, now));
        item.set("checked", zone == req.time_zone);
        zones.push_back(item);
    }
    Data d;
    d.set("languages", languages);
    d.set("zones", zones);
    d.set("vi_checked", req.session && req.session->vi_mode);
    const ViOptions vi = unpack_vi_options(req.session ? req.session->vi_options : 0);
    // Smallest to largest here; the stored numbers keep their own order (render.hpp).
    d.set("vi_sizes", vi_choices(locale, {"normal", "large", "huge"}, "size", vi.size));
    d.set("vi_schemes", vi_choices(locale, {"bw", "wb", "blue"}, "scheme", vi.scheme));
    d.set("vi_spacings", vi_choices(locale, {"normal", "wide"}, "spacing", vi.spacing));
    d.set("saved", saved);
    if (!error_key.empty()) d.set("error", locale.text(error_key));
    return d;
}

}  // namespace

void register_prefs_routes(Router& router, App& app, const Renderer& renderer, SessionStore& sessions) {
    router.get("/prefs/lang/{code}", [&app, &sessions](Request& req) {
        const std::string code = req.param("code");
        const std::string next = safe_next(req.query().get_or("next", "/"));
        if (!core::is_supported_language(code)) return Response::redirect(next);
        SessionData& s = app.ensure_session(req);
        s.lang = code;
        sessions.save_preferences(s);
        return Response::redirect(next);
    });

    router.get("/prefs/vi/{mode}", [&app, &sessions](Request& req) {
        const std::string mode = req.param("mode");
        const std::string next = safe_next(req.query().get_or("next", "/"));
        if (mode != "on" && mode != "off") return Response::redirect(next);
        SessionData& s = app.ensure_session(req);
        s.vi_mode = mode == "on";
        sessions.save_preferences(s);
        return Response::redirect(next);
    });

    router.get("/settings", [&app, &renderer](Request& req) {
        app.ensure_csrf(req);
        const bool saved = req.query().get_or("saved", "") == "1";
        return renderer.page(req, "prefs/settings", settings_data(req, renderer, "", saved),
                             renderer.locale(req).text("settings.title"));
    });

    router.post("/settings", [&renderer, &sessions](Request& req) {
        SessionData& s = *req.session;  // the pipeline makes one for a form sent with a valid token
        const std::string lang = req.form().get_or("lang", "");
        if (!core::is_supported_language(lang)) {
            return renderer.page(req, "prefs/settings", settings_data(req, renderer, "settings.error_language", false),
                                 renderer.locale(req).text("settings.title"), Status::unprocessable_entity);
        }
        // None checked (a configured default outside Russia's zones) sends none: the zone stays.
        const auto zone = req.form().get("time_zone");
        if (zone && !core::is_russian_time_zone(*zone)) {
            return renderer.page(req, "prefs/settings", settings_data(req, renderer, "settings.error_time_zone", false),
                                 renderer.locale(req).text("settings.title"), Status::unprocessable_entity);
        }
        // A form without the choices (an older page, a script) leaves them as they are.
        ViOptions vi = unpack_vi_options(s.vi_options);
        vi.size = req.form().get_or("vi_size", vi.size);
        vi.scheme = req.form().get_or("vi_scheme", vi.scheme);
        vi.spacing = req.form().get_or("vi_spacing", vi.spacing);
        const std::optional<int> packed = pack_vi_options(vi);
        if (!packed) {
            return renderer.page(req, "prefs/settings", settings_data(req, renderer, "ui.vi.error_choice", false),
                                 renderer.locale(req).text("settings.title"), Status::unprocessable_entity);
        }
        s.lang = lang;
        s.vi_mode = req.form().get_or("vi", "") == "on";
        s.vi_options = *packed;
        if (zone) s.time_zone = std::string(*zone);
        sessions.save_preferences(s);
        return Response::redirect("/settings?saved=1");
    });
}

}  // namespace uslugi::http
