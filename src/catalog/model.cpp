#include "catalog/model.hpp"

#include <algorithm>
#include <cmath>
#include <set>
#include <stdexcept>

namespace uslugi::catalog {

namespace {
std::string str(const nlohmann::json& j, const char* key) {
    auto it = j.find(key);
    return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

std::vector<std::string> strings(const nlohmann::json& j, const char* key) {
    std::vector<std::string> out;
    auto it = j.find(key);
    if (it != j.end() && it->is_array())
        for (const auto& v : *it)
            if (v.is_string()) out.push_back(v.get<std::string>());
    return out;
}

Text text(const nlohmann::json& j, const char* key) {
    auto it = j.find(key);
    return it != j.end() ? Text::from_json(*it) : Text{};
}

double number(const nlohmann::json& j, const char* key) {
    auto it = j.find(key);
    return it != j.end() && it->is_number() ? it->get<double>() : 0.0;
}

bool contains(const std::vector<std::string>& v, std::string_view s) { return std::find(v.begin(), v.end(), s) != v.end(); }
}  // namespace

std::string_view Text::language_in(std::string_view lang) const {
    const bool known = lang == "en" || lang == "de" || lang == "fr";
    const std::string& own = lang == "en" ? en : lang == "de" ? de : lang == "fr" ? fr : ru;
    if (!own.empty()) return known ? lang : "ru";
    // Nothing in any language: nothing shown, nothing to mark.
    if (ru.empty() && en.empty()) return known ? lang : "ru";
    return en.empty() || !known ? "ru" : "en";
}

const std::string& Text::in(std::string_view lang) const {
    const std::string_view shown = language_in(lang);
    return shown == "en" ? en : shown == "de" ? de : shown == "fr" ? fr : ru;
}

Text Text::from_json(const nlohmann::json& j) {
    Text t;
    if (j.is_string()) {
        t.ru = j.get<std::string>();
        return t;
    }
    if (!j.is_object()) return t;
    t.ru = str(j, "ru");
    t.en = str(j, "en");
    t.de = str(j, "de");
    t.fr = str(j, "fr");
    return t;
}

bool Service::available_in(std::string_view region, std::string_view settlement) const {
    if (region.empty()) return true;
    if (!regions.empty() && !contains(regions, "*") && !contains(regions, region)) return false;
    if (!settlements.empty() && !settlement.empty() && !contains(settlements, settlement)) return false;
    return true;
}

bool Service::for_audience(std::string_view audience) const {
    return audience.empty() || audiences.empty() || contains(audiences, audience);
}

void CatalogData::add_document(const nlohmann::json& doc) {
    if (auto it = doc.find("regions"); it != doc.end()) {
        for (const auto& r : *it) {
            Region region{str(r, "code"), str(r, "id"), str(r, "timezone"), text(r, "name"), {}};
            for (const auto& s : r.value("settlements", nlohmann::json::array())) {
                Settlement st{str(s, "id"), region.code, str(s, "kind"), str(s, "oktmo"), str(s, "municipality"),
                              text(s, "name"), number(s, "lat"), number(s, "lon")};
                region.settlements.push_back(st.id);
                settlements.emplace(st.id, std::move(st));
            }
            regions.push_back(std::move(region));
        }
    }
    if (auto it = doc.find("authorities"); it != doc.end()) {
        for (const auto& a : *it)
            authorities.push_back({str(a, "id"), str(a, "parent"), str(a, "level"), str(a, "region"), str(a, "settlement"),
                                   str(a, "kind"), str(a, "website"), str(a, "inn"), str(a, "ogrn"), text(a, "name"),
                                   text(a, "short_name"), text(a, "address"), text(a, "hours"), strings(a, "phones"), {}});
    }
    if (auto it = doc.find("categories"); it != doc.end()) {
        for (const auto& c : *it)
            categories.push_back({str(c, "id"), str(c, "icon"), text(c, "name"), text(c, "description"), c.value("order", 0)});
    }
    if (auto it = doc.find("services"); it != doc.end()) {
        for (const auto& s : *it) {
            Service svc;
            svc.id = str(s, "id");
            svc.authority = str(s, "authority");
            svc.level = str(s, "level");
            svc.title = text(s, "title");
            svc.short_text = text(s, "short");
            svc.description = text(s, "description");
            svc.fee_note = text(s, "fee_note");
            svc.duration = text(s, "duration");
            svc.result = text(s, "result");
            svc.audiences = strings(s, "audiences");
            svc.regions = strings(s, "regions");
            svc.settlements = strings(s, "settlements");
            svc.categories = strings(s, "categories");
            svc.how_to_get = strings(s, "how_to_get");
            svc.min_level = identity::parse_level(str(s, "min_level"));
            svc.fee_kopecks = s.value("fee_kopecks", 0LL);
            for (const auto& d : s.value("documents", nlohmann::json::array())) svc.documents.push_back(Text::from_json(d));
            svc.online_form = s.value("online_form", false);
            if (auto bf = s.find("blank_form"); bf != s.end() && bf->is_object()) {
                BlankForm form{text(*bf, "name"), {}};
                for (const auto& f : bf->value("fields", nlohmann::json::array())) form.fields.push_back(Text::from_json(f));
                svc.blank_form = std::move(form);
            }
            for (const auto& f : s.value("faq", nlohmann::json::array())) svc.faq.push_back({text(f, "q"), text(f, "a")});
            if (auto kw = s.find("keywords"); kw != s.end() && kw->is_object())
                for (auto k = kw->begin(); k != kw->end(); ++k)
                    for (const auto& w : k.value())
                        if (w.is_string()) svc.keywords[k.key()].push_back(w.get<std::string>());
            svc.popularity = s.value("popularity", 0);
            services.push_back(std::move(svc));
        }
    }
    if (auto it = doc.find("life_situations"); it != doc.end()) {
        for (const auto& l : *it) {
            LifeSituation ls{str(l, "id"), text(l, "title"), text(l, "description"), {}};
            for (const auto& st : l.value("steps", nlohmann::json::array())) ls.steps.push_back({str(st, "service"), text(st, "note")});
            life_situations.push_back(std::move(ls));
        }
    }
    if (auto it = doc.find("service_centres"); it != doc.end()) {
        for (const auto& c : *it)
            service_centres.push_back({str(c, "id"), str(c, "kind"), str(c, "region"), str(c, "settlement"), text(c, "name"),
                                       text(c, "address"), text(c, "hours"), strings(c, "phones"), number(c, "lat"),
                                       number(c, "lon"), c.value("confirms_identity", false), c.value("registers_accounts", false)});
    }
    if (auto it = doc.find("synonyms"); it != doc.end()) {
        for (const auto& g : *it) {
            std::vector<std::string> group;
            for (const auto& w : g)
                if (w.is_string()) group.push_back(w.get<std::string>());
            synonyms.push_back(std::move(group));
        }
    }
}

std::vector<std::string> CatalogData::validate() const {
    std::vector<std::string> problems;
    std::set<std::string> authority_ids, category_ids, service_ids, region_codes;
    auto unique = [&](std::set<std::string>& ids, const std::string& id, const char* what) {
        if (id.empty()) problems.push_back(std::string(what) + " without an id");
        else if (!ids.insert(id).second) problems.push_back(std::string(what) + " id repeated: " + id);
    };
    for (const auto& r : regions) unique(region_codes, r.code, "region");
    for (const auto& a : authorities) unique(authority_ids, a.id, "authority");
    for (const auto& c : categories) unique(category_ids, c.id, "category");
    for (const auto& s : services) unique(service_ids, s.id, "service");
    for (const auto& a : authorities)
        if (!a.parent.empty() && !authority_ids.count(a.parent)) problems.push_back("authority " + a.id + ": unknown parent " + a.parent);
    for (const auto& s : services) {
        if (!authority_ids.count(s.authority)) problems.push_back("service " + s.id + ": unknown authority " + s.authority);
        for (const auto& c : s.categories)
            if (!category_ids.count(c)) problems.push_back("service " + s.id + ": unknown category " + c);
        for (const auto& r : s.regions)
            if (r != "*" && !region_codes.count(r)) problems.push_back("service " + s.id + ": unknown region " + r);
        for (const auto& st : s.settlements)
            if (!settlements.count(st)) problems.push_back("service " + s.id + ": unknown settlement " + st);
        if (s.title.ru.empty() || s.title.en.empty()) problems.push_back("service " + s.id + ": title needs ru and en");
        if (s.fee_kopecks < 0) problems.push_back("service " + s.id + ": negative fee");
    }
    for (const auto& l : life_situations)
        for (const auto& st : l.steps)
            if (!service_ids.count(st.service)) problems.push_back("life situation " + l.id + ": unknown service " + st.service);
    for (const auto& c : service_centres) {
        if (!region_codes.count(c.region)) problems.push_back("service centre " + c.id + ": unknown region " + c.region);
        if (!settlements.count(c.settlement)) problems.push_back("service centre " + c.id + ": unknown settlement " + c.settlement);
    }
    return problems;
}

double distance_km(double lat1, double lon1, double lat2, double lon2) {
    constexpr double kEarthRadiusKm = 6371.0;
    constexpr double kRad = 3.14159265358979323846 / 180.0;
    const double dlat = (lat2 - lat1) * kRad, dlon = (lon2 - lon1) * kRad;
    const double a = std::sin(dlat / 2) * std::sin(dlat / 2) +
                     std::cos(lat1 * kRad) * std::cos(lat2 * kRad) * std::sin(dlon / 2) * std::sin(dlon / 2);
    return 2 * kEarthRadiusKm * std::asin(std::min(1.0, std::sqrt(a)));
}

namespace {
LocalizedText localized(const Service& s, const std::string& lang) {
    auto pick = [&](const Text& t) -> std::string {
        if (lang == "ru") return t.ru;
        if (lang == "en") return t.en;
        if (lang == "de") return t.de;
        return t.fr;
    };
    LocalizedText lt;
    lt.title = pick(s.title);
    lt.description = pick(s.short_text) + " " + pick(s.description);
    if (auto it = s.keywords.find(lang); it != s.keywords.end()) lt.keywords = it->second;
    return lt;
}

// Authorities and service centres for the search box's second group of
// results ("service or authority"). Ids are "authority:<id>" and
// "centre:<id>". A short name without its country ("МВД России" → "МВД") is
// what people type, so it is a keyword too.
LocalizedText body_text(const Text& name, const Text& short_name, const Text& extra, const std::string& lang) {
    auto pick = [&](const Text& t) -> std::string {
        if (lang == "ru") return t.ru;
        if (lang == "en") return t.en;
        if (lang == "de") return t.de;
        return t.fr;
    };
    LocalizedText lt;
    lt.title = pick(name);
    std::string s = pick(short_name);
    if (!s.empty()) {
        lt.keywords.push_back(s);
        for (std::string_view suffix : {" России", " РФ", " of Russia", " Russlands", " de Russie"})
            if (s.size() > suffix.size() && s.ends_with(suffix)) lt.keywords.push_back(s.substr(0, s.size() - suffix.size()));
    }
    lt.description = pick(extra);
    return lt;
}

std::vector<SearchDocument> body_documents(const CatalogData& data) {
    std::vector<SearchDocument> docs;
    for (const auto& a : data.authorities) {
        SearchDocument d;
        d.id = "authority:" + a.id;
        d.ru = body_text(a.name, a.short_name, {}, "ru");
        d.en = body_text(a.name, a.short_name, {}, "en");
        d.de = body_text(a.name, a.short_name, {}, "de");
        d.fr = body_text(a.name, a.short_name, {}, "fr");
        // Federal bodies first when nothing else tells them apart.
        d.popularity = a.level == "federal" ? 1000 : a.level == "regional" ? 100 : 10;
        d.merge_copies = false;
        if (!a.region.empty()) d.regions = {a.region};
        docs.push_back(std::move(d));
    }
    for (const auto& c : data.service_centres) {
        SearchDocument d;
        d.id = "centre:" + c.id;
        d.ru = body_text(c.name, {}, c.address, "ru");
        d.en = body_text(c.name, {}, c.address, "en");
        d.de = body_text(c.name, {}, c.address, "de");
        d.fr = body_text(c.name, {}, c.address, "fr");
        d.popularity = 100;
        d.merge_copies = false;  // centres of one name in several towns are different offices
        if (!c.region.empty()) d.regions = {c.region};
        docs.push_back(std::move(d));
    }
    return docs;
}
}  // namespace

Catalog::Catalog(CatalogData data, long long version) : data_(std::move(data)), version_(version) {
    for (std::size_t i = 0; i < data_.services.size(); ++i) services_.emplace(data_.services[i].id, i);
    for (std::size_t i = 0; i < data_.authorities.size(); ++i) authorities_.emplace(data_.authorities[i].id, i);
    for (std::size_t i = 0; i < data_.categories.size(); ++i) categories_.emplace(data_.categories[i].id, i);
    for (std::size_t i = 0; i < data_.life_situations.size(); ++i) situations_.emplace(data_.life_situations[i].id, i);
    for (std::size_t i = 0; i < data_.regions.size(); ++i) regions_.emplace(data_.regions[i].code, i);
    for (auto& a : data_.authorities)
        if (auto it = authorities_.find(a.parent); it != authorities_.end()) data_.authorities[it->second].children.push_back(a.id);
    std::sort(data_.categories.begin(), data_.categories.end(), [](const Category& a, const Category& b) { return a.order < b.order; });
    for (std::size_t i = 0; i < data_.categories.size(); ++i) categories_[data_.categories[i].id] = i;

    for (const auto& s : data_.services) by_popularity_.push_back(&s);
    std::stable_sort(by_popularity_.begin(), by_popularity_.end(),
                     [](const Service* a, const Service* b) { return a->popularity > b->popularity; });

    std::vector<SearchDocument> docs;
    docs.reserve(data_.services.size());
    for (const auto& s : data_.services) {
        SearchDocument d;
        d.id = s.id;
        d.ru = localized(s, "ru");
        d.en = localized(s, "en");
        d.de = localized(s, "de");
        d.fr = localized(s, "fr");
        d.popularity = s.popularity;
        d.audiences = s.audiences;
        d.regions = s.regions;
        d.settlements = s.settlements;
        docs.push_back(std::move(d));
    }
    search_ = std::make_unique<SearchIndex>(std::move(docs), data_.synonyms);
    bodies_ = std::make_unique<SearchIndex>(body_documents(data_), data_.synonyms);
}

template <class T>
static const T* find_in(const std::unordered_map<std::string, std::size_t>& index, const std::vector<T>& items, std::string_view id) {
    auto it = index.find(std::string(id));
    return it == index.end() ? nullptr : &items[it->second];
}

const Service* Catalog::service(std::string_view id) const { return find_in(services_, data_.services, id); }
const Authority* Catalog::authority(std::string_view id) const { return find_in(authorities_, data_.authorities, id); }
const Category* Catalog::category(std::string_view id) const { return find_in(categories_, data_.categories, id); }
const LifeSituation* Catalog::life_situation(std::string_view id) const { return find_in(situations_, data_.life_situations, id); }
const Region* Catalog::region(std::string_view code) const { return find_in(regions_, data_.regions, code); }
const Settlement* Catalog::settlement(std::string_view id) const {
    auto it = data_.settlements.find(std::string(id));
    return it == data_.settlements.end() ? nullptr : &it->second;
}

std::vector<const Service*> Catalog::popular(const Place& place, std::size_t limit) const {
    std::vector<const Service*> out;
    for (const Service* s : by_popularity_) {
        if (out.size() == limit) break;
        if (s->available_in(place.region, place.settlement) && s->for_audience(place.audience)) out.push_back(s);
    }
    return out;
}

std::vector<const Service*> Catalog::in_category(std::string_view category, const Place& place) const {
    std::vector<const Service*> out;
    for (const Service* s : by_popularity_)
        if (contains(s->categories, category) && s->available_in(place.region, place.settlement) && s->for_audience(place.audience))
            out.push_back(s);
    return out;
}

std::vector<const Service*> Catalog::of_authority(std::string_view authority, const Place& place) const {
    std::vector<const Service*> out;
    for (const Service* s : by_popularity_)
        if (s->authority == authority && s->available_in(place.region, place.settlement) && s->for_audience(place.audience))
            out.push_back(s);
    return out;
}

std::vector<std::pair<const ServiceCentre*, double>> Catalog::centres_near(double lat, double lon, std::string_view region,
                                                                             bool identity_only) const {
    std::vector<std::pair<const ServiceCentre*, double>> out;
    for (const auto& c : data_.service_centres) {
        if (!region.empty() && c.region != region) continue;
        if (identity_only && !c.confirms_identity) continue;
        out.emplace_back(&c, distance_km(lat, lon, c.lat, c.lon));
    }
    std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.second < b.second; });
    return out;
}

}  // namespace uslugi::catalog
