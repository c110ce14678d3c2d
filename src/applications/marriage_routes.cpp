// The pages of marriage registration after the form: the slot picker (free
// dates of the office's month as links, the chosen day's free times as
// radio buttons — no JavaScript needed), the hold, and the booking as both
// spouses see it, with the second spouse's confirm and decline.
#include "applications/marriage.hpp"
#include "applications/route_kit.hpp"

#include "catalog/route_kit.hpp"
#include "core/clock.hpp"
#include "core/time.hpp"

namespace uslugi::applications::marriage {

using http::Data;
using http::Request;
using http::Response;
using HttpStatus = http::Status;

namespace {

struct MarriageKit {
    http::Router& router;
    const http::Renderer& renderer;
    MarriageService& service;
    const core::Locale& locale(const Request& req) const { return renderer.locale(req); }
    Response not_found(const Request& req) const { return renderer.error_page(req, HttpStatus::not_found); }
};
using Kit = std::shared_ptr<const MarriageKit>;

std::string draft_path(std::int64_t id) { return "/applications/drafts/" + std::to_string(id); }
std::string slot_path(std::int64_t id) { return draft_path(id) + "/marriage/slot"; }
std::string booking_path(std::int64_t id) { return "/account/marriage/" + std::to_string(id); }

using namespace std::chrono;

sys_days month_start(core::Date d) {
    const year_month_day ymd(d);
    return sys_days(ymd.year() / ymd.month() / 1);
}
sys_days month_end(core::Date d) {
    const year_month_day ymd(d);
    return sys_days(year_month_day_last(ymd.year(), month_day_last(ymd.month())));
}
std::string month_key(core::Date d) { return core::format_iso_date(d).substr(0, 7); }

// "?month=2027-03" → its first day, kept inside the window's months.
core::Date chosen_month(const Request& req, const Window& w) {
    core::Date m = month_start(w.first);
    if (const auto parsed = core::parse_iso_date(req.query().get_or("month", "") + "-01")) m = *parsed;
    return std::clamp(m, month_start(w.first), month_start(w.last));
}

// "Март 2027": the month's own name (a long date has it in the genitive, "1 марта 2027").
std::string month_title(core::Date m, const core::Locale& t) {
    const year_month_day ymd(m);
    return t.text("marriage.month." + std::to_string(static_cast<unsigned>(ymd.month()))) + " " +
           std::to_string(static_cast<int>(ymd.year()));
}

struct Picked {
    std::optional<Draft> draft;
    const Office* office = nullptr;
};

Picked load(const Kit& kit, const Request& req) {
    Picked p;
    const std::int64_t id = id_param(req, "draft");
    if (!id) return p;
    p.draft = kit->service.applications().draft(req.account->id, id);
    if (!p.draft || p.draft->service_id != kServiceId) {
        p.draft.reset();
        return p;
    }
    const auto it = p.draft->values.find("office");
    if (it != p.draft->values.end() && it->is_string()) p.office = kit->service.rules().office(it->get<std::string>());
    return p;
}

Data date_list(const Kit& kit, const Request& req, const Picked& p, const std::vector<core::Date>& dates,
               const std::set<std::string>& taken, core::Date chosen, std::size_t per_day) {
    Data list{Data::type::list};
    for (const core::Date d : dates) {
        std::size_t busy = 0;
        for (const int t : times(*p.office)) busy += taken.count(slot_key({d, t}));
        Data item;
        item.set("label", core::format_long_date(d, req.lang));
        item.set("href", slot_path(p.draft->id) + "?month=" + month_key(d) + "&date=" + core::format_iso_date(d) + "#times");
        item.set("full", busy >= per_day);
        item.set("current", d == chosen);
        list.push_back(item);
    }
    return list;
}

Data time_list(const Office& office, core::Date day, const std::set<std::string>& taken) {
    Data list{Data::type::list};
    for (const int t : times(office)) {
        if (taken.count(slot_key({day, t}))) continue;  // a held slot is not offered
        Data item;
        item.set("value", format_time(t));
        item.set("id", "time-" + std::to_string(t));
        list.push_back(item);
    }
    return list;
}

void add_month_links(Data& d, const Picked& p, core::Date month, const Window& w) {
    const core::Date prev = month_start(month - days(1)), next = month_end(month) + days(1);
    d.set("has_prev", month > month_start(w.first));
    d.set("prev_href", slot_path(p.draft->id) + "?month=" + month_key(prev));
    d.set("has_next", next <= w.last);
    d.set("next_href", slot_path(p.draft->id) + "?month=" + month_key(next));
}

Response slot_page(const Kit& kit, Request& req, const Picked& p, const std::string& problem,
                   HttpStatus status = HttpStatus::ok) {
    const core::Locale& t = kit->locale(req);
    const Rules& rules = kit->service.rules();
    const core::Date today = core::today_utc();
    const Window w = window(rules, today);
    const core::Date month = chosen_month(req, w);
    const core::Date from = std::max(month, w.first), to = std::min(month_end(month), w.last);
    const auto dates = open_dates(rules, *p.office, today, from, to);
    const auto taken = kit->service.taken(p.office->id, from, to);
    const auto chosen = core::parse_iso_date(req.query().get_or("date", req.form().get_or("date", "")));
    const bool day_open = chosen && registers_on(rules, *p.office, *chosen, today);
    Data d;
    const auto cat = kit->service.applications().catalog().current();
    if (const catalog::Authority* a = cat->authority(p.office->id)) catalog::set_text(d, "office", a->name, req.lang);
    d.set("month", month_title(month, t));
    add_month_links(d, p, month, w);
    std::string window_text = t.text("marriage.slot.window");
    for (const auto& [ph, day] : {std::pair<std::string, core::Date>{"{from}", w.first}, {"{to}", w.last}})
        if (const auto at = window_text.find(ph); at != std::string::npos)
            window_text.replace(at, ph.size(), core::format_long_date(day, req.lang));
    d.set("window", window_text);
    d.set("dates", date_list(kit, req, p, dates, taken, chosen.value_or(core::Date{}), times(*p.office).size()));
    d.set("has_dates", !dates.empty());
    d.set("day_chosen", day_open);
    if (day_open) {
        const auto day_taken = kit->service.taken(p.office->id, *chosen, *chosen);
        Data free = time_list(*p.office, *chosen, day_taken);
        d.set("has_times", !free.list_value().empty());
        d.set("times", free);
        d.set("day", core::format_long_date(*chosen, req.lang));
        d.set("date", core::format_iso_date(*chosen));
    }
    d.set("action", draft_path(p.draft->id) + "/marriage/hold");
    d.set("submit_key", p.draft->submit_key);
    d.set("summary_href", draft_path(p.draft->id) + "/summary");
    d.set("problem", problem);
    d.set("has_problem", !problem.empty());
    return kit->renderer.page(req, "applications/marriage_slot", d, t.text("marriage.slot.title"), status);
}

void register_slot_routes(const Kit& kit) {
    // The summary's button: on to the slot.
    kit->router.post("/applications/drafts/{draft}/marriage", [kit](Request& req) {
        const Picked p = load(kit, req);
        return p.draft ? Response::redirect(slot_path(p.draft->id)) : kit->not_found(req);
    }, http::for_signed_in());

    kit->router.get("/applications/drafts/{draft}/marriage/slot", [kit](Request& req) {
        const Picked p = load(kit, req);
        if (!p.draft) return kit->not_found(req);
        if (!p.office) return Response::redirect(draft_path(p.draft->id) + "/summary");
        return slot_page(kit, req, p, "");
    }, http::for_signed_in());

    kit->router.post("/applications/drafts/{draft}/marriage/hold", [kit](Request& req) {
        // Held already (a double click, a retry after the draft became the application): that booking.
        // Asked again when the draft is gone: the other click may have turned it into the
        // application between the first question and the draft's lookup.
        const auto held_already = [&]() -> std::optional<Response> {
            if (const auto earlier = kit->service.booking_by_key(req.account->id, req.form().get_or("submit_key", "")))
                return Response::redirect(booking_path(*earlier));
            return std::nullopt;
        };
        if (auto r = held_already()) return std::move(*r);
        const Picked p = load(kit, req);
        if (!p.draft) return held_already().value_or(kit->not_found(req));
        if (!p.office) return Response::redirect(draft_path(p.draft->id) + "/summary");
        const std::string key = req.form().get_or("date", "") + "T" + req.form().get_or("time", "");
        const HoldResult r = kit->service.hold(*req.account, p.draft->id, key, core::today_utc());
        const core::Locale& t = kit->locale(req);
        switch (r.outcome) {
            case HoldOutcome::ok: return Response::redirect(booking_path(r.booking_id) + "?held=1");
            case HoldOutcome::not_found: return held_already().value_or(kit->not_found(req));
            case HoldOutcome::invalid:
                return Response::redirect(draft_path(p.draft->id) + "/steps/" + std::to_string(r.first_step.value_or(0) + 1));
            case HoldOutcome::level_too_low: return slot_page(kit, req, p, t.text("applications.error.level"), HttpStatus::forbidden);
            case HoldOutcome::bad_slot: return slot_page(kit, req, p, t.text("marriage.error.bad_slot"), HttpStatus::unprocessable_entity);
            case HoldOutcome::slot_taken: return slot_page(kit, req, p, t.text("marriage.error.slot_taken"), HttpStatus::conflict);
            case HoldOutcome::under_age:
                return slot_page(kit, req, p, t.text("marriage.error.under_age"), HttpStatus::unprocessable_entity);
            case HoldOutcome::spouse_unknown:
                return slot_page(kit, req, p, t.text("marriage.error.spouse_unknown"), HttpStatus::unprocessable_entity);
        }
        return kit->not_found(req);
    }, http::for_signed_in());
}

Data booking_data(const Kit& kit, const Request& req, const Booking& b) {
    const core::Locale& t = kit->locale(req);
    Data d;
    const auto cat = kit->service.applications().catalog().current();
    if (const catalog::Authority* a = cat->authority(b.office_id)) catalog::set_text(d, "office", a->name, req.lang);
    else d.set("office", b.office_id);
    if (const auto s = parse_slot(b.slot)) {
        d.set("date", core::format_long_date(s->date, req.lang));
        d.set("time", format_time(s->minute));
    }
    d.set("href", booking_path(b.id));
    d.set("state", t.text("marriage.state." + b.state));
    d.set("state_code", b.state);
    d.set("held", b.state == "held");
    d.set("until", when(req, b.expires_at));
    d.set("applicant", kit->service.applications().applicant_name(b.applicant_id));
    d.set("spouse", kit->service.applications().applicant_name(b.spouse_id));
    d.set("is_applicant", b.applicant_id == req.account->id);
    d.set("is_spouse", b.spouse_id == req.account->id);
    return d;
}

Response booking_page(const Kit& kit, Request& req, const Booking& b, const std::string& problem = "",
                      HttpStatus status = HttpStatus::ok) {
    const core::Locale& t = kit->locale(req);
    Data d = booking_data(kit, req, b);
    if (const auto a = kit->service.applications().store().find(b.application_id)) {
        d.set("number", a->number);
        add_status(d, a->status, t);
        if (a->account_id == req.account->id) d.set("application_href", "/account/applications/" + std::to_string(a->id));
        // Both spouses read what the application says about them before it goes to the office.
        if (const auto def = kit->service.applications().form(a->service_id))
            d.set("steps", answers_data(*def, a->values, req.lang, t));
    }
    d.set("may_answer", b.state == "held" && b.spouse_id == req.account->id);
    d.set("confirm_action", booking_path(b.id) + "/confirm");
    d.set("decline_action", booking_path(b.id) + "/decline");
    for (const char* flag : {"held", "confirmed", "declined"}) d.set(std::string("just_") + flag, req.query().get_or(flag, "") == "1");
    d.set("problem", problem);
    d.set("has_problem", !problem.empty());
    return kit->renderer.page(req, "applications/marriage_booking", d, t.text("marriage.booking.title"), status);
}

void register_booking_routes(const Kit& kit) {
    kit->router.get("/account/marriage", [kit](Request& req) {
        Data items{Data::type::list};
        for (const auto& b : kit->service.bookings_of(req.account->id)) items.push_back(booking_data(kit, req, b));
        Data d;
        d.set("has_bookings", !items.list_value().empty());
        d.set("bookings", items);
        return kit->renderer.page(req, "applications/marriage_list", d, kit->locale(req).text("marriage.list.title"));
    }, http::for_signed_in());

    kit->router.get("/account/marriage/{booking}", [kit](Request& req) {
        const std::int64_t id = id_param(req, "booking");
        const auto b = id ? kit->service.booking_for(req.account->id, id) : std::nullopt;
        return b ? booking_page(kit, req, *b) : kit->not_found(req);
    }, http::for_signed_in());

    for (const std::string answer : {"confirm", "decline"}) {
        kit->router.post("/account/marriage/{booking}/" + answer, [kit, answer](Request& req) {
            const std::int64_t id = id_param(req, "booking");
            if (!id) return kit->not_found(req);
            const Outcome o = answer == "confirm" ? kit->service.confirm(req.account->id, id)
                                                  : kit->service.decline(req.account->id, id);
            if (o == Outcome::ok) return Response::redirect(booking_path(id) + (answer == "confirm" ? "?confirmed=1" : "?declined=1"));
            const auto b = kit->service.booking_for(req.account->id, id);
            if (o == Outcome::not_found || !b) return kit->not_found(req);
            return booking_page(kit, req, *b, kit->locale(req).text("marriage.error.settled"), HttpStatus::conflict);
        }, http::for_signed_in());
    }
}

}  // namespace

void register_routes(http::Router& router, const http::Renderer& renderer, MarriageService& service) {
    const auto kit = std::make_shared<const MarriageKit>(MarriageKit{router, renderer, service});
    register_slot_routes(kit);
    register_booking_routes(kit);
}

}  // namespace uslugi::applications::marriage
