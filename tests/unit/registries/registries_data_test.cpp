// The demo data of the registries sandbox (data/registries/): every identifier
// valid by the core validators, the documents consistent with their owner, the
// 20/45 rule followed, the named demo people as data/registries/README.md says.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <string>

#include "core/validators.hpp"
#include "registries/model.hpp"

using namespace uslugi;
using namespace uslugi::registries;
using nlohmann::json;
namespace chr = std::chrono;

namespace {

std::string source_dir() {
    if (const char* root = std::getenv("USLUGI_ROOT")) return root;
    return USLUGI_SOURCE_DIR;
}

std::string read_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

json raw_people() { return json::parse(read_file(source_dir() + "/data/registries/people.json")).at("people"); }
json raw_organisations() {
    return json::parse(read_file(source_dir() + "/data/registries/organisations.json")).at("organisations");
}

const RegistryData& data() {
    static const RegistryData d = RegistryData::load(source_dir() + "/data/registries");
    return d;
}

bool ends_with_any(const std::string& s, std::initializer_list<const char*> suffixes) {
    for (const char* x : suffixes)
        if (s.ends_with(x)) return true;
    return false;
}

// OKATO prefix of passport series and first digits of department codes by region.
const std::map<std::string, std::pair<std::string, std::string>> kRegionCodes = {
    {"59", {"57", "590"}}, {"77", {"45", "770"}}, {"78", {"40", "780"}}, {"63", {"36", "630"}}, {"16", {"92", "160"}}};

}  // namespace

TEST(RegistriesData, LoadsAtLeastTwoHundredPeopleAndTheOrganisations) {
    EXPECT_GE(data().people().size(), 200u);
    EXPECT_GE(data().organisations().size(), 30u);
    std::set<std::string> regions;
    for (const Person& p : data().people()) regions.insert(p.region_code);
    EXPECT_EQ(regions, (std::set<std::string>{"16", "59", "63", "77", "78"}));
}

TEST(RegistriesData, EveryIdentifierIsValidAndInItsCanonicalSpelling) {
    // Straight from the JSON, independent of the loader.
    std::size_t checked = 0;
    auto expect_valid = [&](std::string_view kind, const json& value, const std::string& who) {
        ASSERT_TRUE(value.is_string()) << who << " " << kind;
        const auto r = core::validate(kind, value.get<std::string>());
        EXPECT_TRUE(r.valid) << who << " " << kind << " " << value << ": " << r.error_code;
        if (kind != "passport") { EXPECT_EQ(r.normalized, value.get<std::string>()) << who << " " << kind; }
        ++checked;
    };
    for (const json& p : raw_people()) {
        const std::string who = p.at("id");
        expect_valid("snils", p.at("snils"), who);
        expect_valid("inn_person", p.at("inn"), who);
        expect_valid("mobile_phone", p.at("phone"), who);
        expect_valid("email", p.at("email"), who);
        expect_valid("oms", p.at("oms"), who);
        expect_valid("passport", json(p["passport"]["series"].get<std::string>() + p["passport"]["number"].get<std::string>()), who);
        expect_valid("department_code", p["passport"]["department_code"], who);
        for (const json& pp : p["previous_passports"]) {
            expect_valid("passport", json(pp["series"].get<std::string>() + pp["number"].get<std::string>()), who);
            expect_valid("department_code", pp["department_code"], who);
        }
        if (p["driver_licence"].is_object()) expect_valid("driver_licence", p["driver_licence"]["number"], who);
        for (const json& v : p["vehicles"]) {
            expect_valid("plate", v["plate"], who);
            expect_valid("vehicle_certificate", v["certificate"], who);
        }
        for (const json& f : p["fines"]) expect_valid("uin", f["uin"], who);
        for (const json& d : p["court_debts"]) expect_valid("uin", d["uin"], who);
        for (const json& t : p["taxes"]) expect_valid("uin", t["uin"], who);
    }
    for (const json& o : raw_organisations()) {
        if (o["kind"] == "legal") {
            expect_valid("ogrn", o["ogrn"], o["short_name"]);
            expect_valid("inn_org", o["inn"], o["short_name"]);
        } else {
            expect_valid("ogrnip", o["ogrnip"], o["short_name"]);
            expect_valid("inn_person", o["inn"], o["short_name"]);
        }
    }
    EXPECT_GT(checked, 2000u);
}

TEST(RegistriesData, IdentifiersAreUnique) {
    // The loader refuses duplicates; check the sets here as well.
    std::set<std::string> snils, inn, phones, passports, uins, plates;
    for (const Person& p : data().people()) {
        EXPECT_TRUE(snils.insert(p.snils).second) << p.snils;
        EXPECT_TRUE(inn.insert(p.inn).second) << p.inn;
        EXPECT_TRUE(phones.insert(p.phone).second) << p.phone;
        EXPECT_TRUE(passports.insert(p.passport.key()).second) << p.passport.key();
        for (const auto& pp : p.previous_passports) EXPECT_TRUE(passports.insert(pp.key()).second) << pp.key();
        for (const auto& v : p.vehicles) EXPECT_TRUE(plates.insert(v.plate).second) << v.plate;
        for (const auto& f : p.fines) EXPECT_TRUE(uins.insert(f.uin).second) << f.uin;
        for (const auto& d : p.court_debts) EXPECT_TRUE(uins.insert(d.uin).second) << d.uin;
        for (const auto& t : p.taxes) EXPECT_TRUE(uins.insert(t.uin).second) << t.uin;
    }
}

TEST(RegistriesData, NamesHaveTheFormsOfTheirGender) {
    for (const Person& p : data().people()) {
        SCOPED_TRACE(p.id + " " + p.full_name());
        if (p.gender == "male") {
            EXPECT_TRUE(ends_with_any(p.patronymic, {"вич", "ич"}));
            EXPECT_FALSE(ends_with_any(p.surname, {"ова", "ева", "ёва", "ина", "ская", "цкая"}));
        } else {
            EXPECT_TRUE(ends_with_any(p.patronymic, {"вна", "чна"}));
            EXPECT_FALSE(ends_with_any(p.surname, {"ов", "ев", "ёв", "ин", "ский", "цкий"}));
        }
    }
}

TEST(RegistriesData, PassportsFollowTheOwnerAndTheTwentyFortyFiveRule) {
    const Date now = today();
    std::size_t expired = 0, lost = 0, valid = 0;
    for (const Person& p : data().people()) {
        SCOPED_TRACE(p.id);
        std::vector<const Passport*> all{&p.passport};
        for (const auto& pp : p.previous_passports) all.push_back(&pp);
        for (const Passport* pp : all) {
            // Issued from 14 on, never before the birth or in the future.
            EXPECT_GE(age_on(p.birth_date, pp->issue_date), 14) << pp->key();
            EXPECT_LE(pp->issue_date, now);
            EXPECT_EQ(pp->valid_until, passport_valid_until(p.birth_date, pp->issue_date)) << pp->key();
            const auto& codes = kRegionCodes.at(p.region_code);
            EXPECT_EQ(pp->series.substr(0, 2), codes.first) << pp->key();
            EXPECT_EQ(pp->department_code.substr(0, 3), codes.second) << pp->key();
        }
        // A previous passport was replaced before the current one was issued.
        for (const auto& pp : p.previous_passports) {
            EXPECT_LT(pp.issue_date, p.passport.issue_date);
            EXPECT_TRUE(pp.replaced_by_reason == "age_20" || pp.replaced_by_reason == "age_45" ||
                        (pp.replaced_by_reason == "lost" && pp.lost_days_ago))
                << pp.replaced_by_reason;
        }
        if (p.passport.lost_days_ago) ++lost;
        else if (p.passport.valid_until && *p.passport.valid_until < now) ++expired;
        else ++valid;
        // A valid passport does not expire in the next years of the demo.
        if (!p.passport.lost_days_ago && p.passport.valid_until && *p.passport.valid_until >= now) {
            EXPECT_GE(*p.passport.valid_until, Date{chr::year{2032} / 1 / 1});
        }
    }
    EXPECT_GE(expired, 5u);
    EXPECT_GE(lost, 5u);
    EXPECT_GE(valid, 180u);
}

TEST(RegistriesData, FinesDebtsAndTaxesAreConsistent) {
    std::size_t by_licence = 0, by_certificate = 0, debts = 0, excluded = 0;
    for (const Person& p : data().people()) {
        SCOPED_TRACE(p.id);
        for (const Fine& f : p.fines) {
            EXPECT_TRUE(f.uin.starts_with("188")) << f.uin;
            EXPECT_GT(f.amount, 0);
            EXPECT_EQ(f.amount % 100, 0);
            EXPECT_GE(f.offence_days_ago, f.decision_days_ago);
            if (f.paid) { EXPECT_TRUE(f.paid_days_ago.has_value()); }
            if (f.by == "licence") {
                ++by_licence;
                EXPECT_TRUE(p.driver_licence.has_value()) << "a fine by licence needs a licence";
            } else {
                ++by_certificate;
                bool owned = false;
                for (const Vehicle& v : p.vehicles) owned = owned || (v.certificate == f.certificate && v.plate == f.plate);
                EXPECT_TRUE(owned) << f.certificate;
            }
            if (f.discount_excluded) ++excluded;
        }
        for (const CourtDebt& d : p.court_debts) {
            ++debts;
            EXPECT_TRUE(d.uin.starts_with("322")) << d.uin;
            EXPECT_LE(d.remaining, d.amount);
            EXPECT_TRUE(d.number.ends_with("-ИП")) << d.number;
        }
        for (const TaxItem& t : p.taxes) {
            EXPECT_TRUE(t.uin.starts_with("182")) << t.uin;
            EXPECT_LE(t.paid, t.amount);
            EXPECT_GE(t.year_offset, 1);
        }
        if (!p.vehicles.empty()) { EXPECT_TRUE(p.driver_licence.has_value()); }
    }
    EXPECT_GE(by_licence, 10u);
    EXPECT_GE(by_certificate, 20u);
    EXPECT_GE(excluded, 1u);
    EXPECT_GE(debts, 20u);
}

TEST(RegistriesData, TheNamedDemoPeopleAreAsTheReadmeSays) {
    const Date now = today();
    const Person* anna = data().by_id("p0001");
    ASSERT_NE(anna, nullptr);
    EXPECT_EQ(anna->full_name(), "Смирнова Анна Сергеевна");
    EXPECT_TRUE(anna->bank_customer);
    EXPECT_TRUE(anna->fines.empty());
    EXPECT_TRUE(anna->court_debts.empty());

    const Person* petr = data().by_id("p0002");
    ASSERT_NE(petr, nullptr);
    EXPECT_EQ(petr->full_name(), "Кузнецов Пётр Алексеевич");
    ASSERT_TRUE(petr->driver_licence);
    ASSERT_EQ(petr->vehicles.size(), 1u);
    int unpaid_licence = 0, unpaid_certificate = 0;
    bool discounted = false, excluded = false;
    for (const Fine& f : petr->fines) {
        if (f.paid) continue;
        (f.by == "licence" ? unpaid_licence : unpaid_certificate)++;
        const DiscountState d = fine_discount(f, now - chr::days{f.decision_days_ago}, now, false);
        discounted = discounted || d.active;
        excluded = excluded || !d.eligible;
    }
    EXPECT_EQ(unpaid_licence, 2);
    EXPECT_EQ(unpaid_certificate, 2);
    EXPECT_TRUE(discounted);
    EXPECT_TRUE(excluded);

    const Person* maria = data().by_id("p0003");
    ASSERT_NE(maria, nullptr);
    EXPECT_EQ(maria->full_name(), "Волкова Мария Николаевна");
    EXPECT_TRUE(maria->passport.lost_days_ago.has_value());

    const Person* dmitry = data().by_id("p0004");
    ASSERT_NE(dmitry, nullptr);
    ASSERT_TRUE(dmitry->passport.valid_until);
    EXPECT_LT(*dmitry->passport.valid_until, now);
    EXPECT_FALSE(dmitry->passport.lost_days_ago);

    const Person* rustam = data().by_id("p0005");
    ASSERT_NE(rustam, nullptr);
    EXPECT_EQ(rustam->court_debts.size(), 2u);
    std::int64_t owed = 0;
    for (const TaxItem& t : rustam->taxes) owed += t.amount - t.paid;
    EXPECT_GT(owed, 0);

    const Person* olga = data().by_id("p0006");
    ASSERT_NE(olga, nullptr);
    EXPECT_FALSE(olga->bank_customer);
    EXPECT_TRUE(olga->birth_place.starts_with("г. Ленинград")) << olga->birth_place;

    // Two full namesakes, told apart by the birth date.
    const Person* a = data().by_id("p0007");
    const Person* b = data().by_id("p0008");
    ASSERT_TRUE(a && b);
    EXPECT_EQ(a->full_name(), b->full_name());
    EXPECT_NE(a->birth_date, b->birth_date);
    EXPECT_FALSE(a->court_debts.empty());
    EXPECT_TRUE(b->court_debts.empty());
    ASSERT_EQ(b->previous_passports.size(), 1u);
    EXPECT_TRUE(b->previous_passports[0].lost_days_ago.has_value());
}

TEST(RegistriesData, LookupsFindPeopleByTheirDocuments) {
    for (const Person& p : data().people()) {
        EXPECT_EQ(data().by_snils(p.snils), &p);
        EXPECT_EQ(data().by_inn(p.inn), &p);
        EXPECT_EQ(data().by_phone(p.phone), &p);
        auto hit = data().by_passport(p.passport.key());
        ASSERT_TRUE(hit);
        EXPECT_EQ(hit->person, &p);
        EXPECT_TRUE(hit->current);
        if (p.driver_licence) { EXPECT_EQ(data().by_licence(p.driver_licence->number), &p); }
        for (const auto& v : p.vehicles) EXPECT_EQ(data().by_certificate(v.certificate), &p);
        for (const auto& f : p.fines) EXPECT_EQ(data().fine_by_uin(f.uin)->person, &p);
    }
    for (const Organisation& o : data().organisations()) {
        EXPECT_EQ(data().organisation(o.ogrn), &o);
        if (o.kind == "legal") {
            EXPECT_EQ(data().organisation(o.inn), &o);
            // Its head is one of the demo people.
            EXPECT_NE(data().by_id(o.record["head"]["person_id"].get<std::string>()), nullptr);
        } else {
            EXPECT_EQ(data().by_inn(o.inn)->id, o.record["person_id"].get<std::string>());
        }
    }
}

TEST(RegistriesData, TheLoaderRefusesBadIdentifiers) {
    json people = raw_people();
    people[3]["snils"] = "112-233-445 96";
    try {
        RegistryData::from_json(people, raw_organisations());
        FAIL() << "a wrong SNILS control number was accepted";
    } catch (const std::runtime_error& e) {
        EXPECT_NE(std::string(e.what()).find("snils.checksum"), std::string::npos) << e.what();
        EXPECT_NE(std::string(e.what()).find("p0004"), std::string::npos) << e.what();
    }
    people = raw_people();
    people[5]["inn"] = people[4]["inn"];
    EXPECT_THROW(RegistryData::from_json(people, raw_organisations()), std::runtime_error);
}

TEST(RegistriesData, TheGeneratorReproducesTheCommittedFiles) {
    if (!std::filesystem::exists("/usr/bin/python3")) GTEST_SKIP() << "no /usr/bin/python3";
    const auto out = std::filesystem::temp_directory_path() / ("uslugi-gen-" + std::to_string(::getpid()));
    const std::string cmd = "/usr/bin/python3 " + source_dir() + "/scripts/gen-registries-data.py --out " + out.string() +
                            " > /dev/null";
    ASSERT_EQ(std::system(cmd.c_str()), 0) << cmd;
    for (const char* name : {"people.json", "organisations.json", "README.md"})
        EXPECT_EQ(read_file((out / name).string()), read_file(source_dir() + "/data/registries/" + name))
            << name << " differs from what scripts/gen-registries-data.py makes: run it and commit the result";
    std::filesystem::remove_all(out);
}
