// Registry JSON read into structs (registries/json_fields.hpp): members filled
// by their type, and what the sandbox's data file loader says about a broken
// record — the file, the record and the field, so the data can be fixed.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <fstream>
#include <functional>
#include <sstream>
#include <stdexcept>
#include <string>

#include "registries/json_fields.hpp"
#include "registries/model.hpp"
#include "store_fixture.hpp"

using namespace uslugi;
using namespace uslugi::registries;
using nlohmann::json;

namespace {

// Strict about everything, as a test wants to see each failure.
struct StrictReader : JsonReader {
    [[noreturn]] void fail(const std::string& what) const override { throw std::invalid_argument(what); }
    void read(const json& j, const char* key, std::string& v) const { v = text(j, key).value_or("(absent)"); }
    void read(const json& j, const char* key, std::int64_t& v) const { v = integer(j, key); }
    void read(const json& j, const char* key, int& v) const { v = int(integer(j, key)); }
    void read(const json& j, const char* key, bool& v) const { v = boolean(j, key).value_or(false); }
    void read(const json& j, const char* key, Date& v) const { v = date_of(text(j, key).value_or(""), key); }
};

struct Sample {
    std::string name;
    std::int64_t amount = 0;
    int year = 0;
    bool paid = true;
    Date due{};
};

void read_sample(const json& j, Sample& s) {
    Fields(StrictReader{}, j).into(s, field("name", &Sample::name), field("amount", &Sample::amount),
                                   field("year", &Sample::year), field("paid", &Sample::paid), field("due", &Sample::due));
}

std::string failure_of(const std::function<void()>& f) {
    try {
        f();
    } catch (const std::exception& e) {
        return e.what();
    }
    return "(no failure)";
}

json raw(const std::string& file, const char* key) {
    std::ifstream in(test_support::source_dir() + "/data/registries/" + file);
    std::stringstream ss;
    ss << in.rdbuf();
    return json::parse(ss.str()).at(key);
}

// The first demo person that has a non-empty list `list`, and its index.
std::size_t first_with(const json& people, const char* list) {
    for (std::size_t i = 0; i < people.size(); ++i)
        if (people[i].contains(list) && !people[i][list].empty()) return i;
    throw std::runtime_error(std::string("no demo person has ") + list);
}

// What loading the demo data says once `change` has broken one person.
std::string load_failure(const std::function<void(json& people)>& change) {
    json people = raw("people.json", "people");
    change(people);
    return failure_of([&] { RegistryData::from_json(people, raw("organisations.json", "organisations")); });
}

}  // namespace

TEST(JsonFields, FillsEachMemberByItsType) {
    Sample s;
    read_sample(json{{"name", "Штраф"}, {"amount", 150000}, {"year", 2025}, {"paid", false}, {"due", "2026-12-01"}}, s);
    EXPECT_EQ(s.name, "Штраф");
    EXPECT_EQ(s.amount, 150000);
    EXPECT_EQ(s.year, 2025);
    EXPECT_FALSE(s.paid);
    EXPECT_EQ(format_date(s.due), "2026-12-01");

    Sample absent;
    read_sample(json{{"name", nullptr}, {"amount", 1}, {"year", 1}, {"due", "2026-01-01"}}, absent);
    EXPECT_EQ(absent.name, "(absent)") << "null reads as absent";
    EXPECT_FALSE(absent.paid);
}

TEST(JsonFields, NamesTheFieldOfTheWrongType) {
    const json good{{"name", "x"}, {"amount", 1}, {"year", 1}, {"paid", true}, {"due", "2026-01-01"}};
    auto with = [&](const char* key, json value) {
        json j = good;
        j[key] = std::move(value);
        return failure_of([&] {
            Sample s;
            read_sample(j, s);
        });
    };
    EXPECT_EQ(with("name", 5), "\"name\" is not a string");
    EXPECT_EQ(with("amount", "150000"), "\"amount\" is not an integer");
    EXPECT_EQ(with("amount", 1.5), "\"amount\" is not an integer");
    EXPECT_EQ(with("year", nullptr), "\"year\" is not an integer") << "an integer may not be absent";
    EXPECT_EQ(with("paid", "yes"), "\"paid\" is not a boolean");
    EXPECT_EQ(with("due", "01.12.2026"), "\"due\" is not a date");
}

TEST(RegistriesData, TheLoaderNamesTheRecordAndTheField) {
    EXPECT_EQ(load_failure([](json&) {}), "(no failure)") << "the demo data loads as committed";

    EXPECT_EQ(load_failure([](json& p) { p[2].erase("birth_place"); }),
              "people.json " + raw("people.json", "people")[2]["id"].get<std::string>() + ": missing \"birth_place\"");
    EXPECT_NE(load_failure([](json& p) { p[0]["surname"] = 7; }).find(": \"surname\" is not a string"), std::string::npos);
    EXPECT_NE(load_failure([](json& p) { p[0]["birth_date"] = "1985-13-01"; }).find(": \"birth_date\" is not a date"),
              std::string::npos);
    EXPECT_NE(load_failure([](json& p) { p[0]["bank_customer"] = "yes"; }).find(": \"bank_customer\" is not a boolean"),
              std::string::npos);

    const json people = raw("people.json", "people");
    const std::size_t driver = first_with(people, "vehicles");
    EXPECT_NE(load_failure([&](json& p) { p[driver]["vehicles"][0]["year"] = "2019"; }).find(": \"year\" is not an integer"),
              std::string::npos);
    const std::size_t fined = first_with(people, "fines");
    EXPECT_NE(load_failure([&](json& p) { p[fined]["fines"][0].erase("article"); }).find(": missing \"article\""),
              std::string::npos);
    const std::size_t taxed = first_with(people, "taxes");
    EXPECT_NE(load_failure([&](json& p) { p[taxed]["taxes"][0]["amount"] = nullptr; }).find(": \"amount\" is not an integer"),
              std::string::npos);
}

TEST(RegistriesData, OptionalFieldsMayBeAbsentOrNull) {
    const json people = raw("people.json", "people");
    const std::size_t debtor = first_with(people, "court_debts");
    EXPECT_EQ(load_failure([&](json& p) {
                  p[0].erase("patronymic");
                  p[0]["citizenship"] = nullptr;
                  p[0].erase("bank_customer");
                  p[debtor]["court_debts"][0].erase("bailiff");
                  p[debtor]["court_debts"][0]["phone"] = nullptr;
              }),
              "(no failure)");
    EXPECT_NE(load_failure([](json& p) { p[0]["patronymic"] = 1; }).find(": \"patronymic\" is not a string"),
              std::string::npos)
        << "optional, but a string when given";
}
