// CAT-2: the table of real-user queries (search_queries.tsv) against the real
// seeded catalog (data/catalog), as `uslugi seed` loads it. Each query must
// find the expected result first; the top-1 and top-3 accuracy of the whole
// table is printed so that changes to the ranking can be compared.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <set>
#include <sstream>

#include "catalog/model.hpp"
#include "catalog/store.hpp"
#include "store_fixture.hpp"

using namespace uslugi;
using catalog::SearchOptions;

namespace {

struct QueryRow {
    int line = 0;
    std::string lang, query, expected;
};

std::vector<QueryRow> read_table() {
    std::ifstream in(test_support::source_dir() + "/tests/unit/catalog/search_queries.tsv");
    std::vector<QueryRow> rows;
    std::string line;
    for (int n = 1; std::getline(in, line); ++n) {
        if (line.empty() || line.front() == '#') continue;
        std::istringstream fields(line);
        QueryRow r{n, {}, {}, {}};
        std::getline(fields, r.lang, '\t');
        std::getline(fields, r.query, '\t');
        std::getline(fields, r.expected, '\t');
        rows.push_back(r);
    }
    return rows;
}

const catalog::Catalog& seeded_catalog() {
    static const catalog::Catalog cat = [] {
        catalog::CatalogData data;
        for (const auto& f : catalog::read_seed_files(test_support::source_dir() + "/data/catalog")) data.add_document(f);
        return catalog::Catalog(std::move(data), 1);
    }();
    return cat;
}

// The same service: the id itself, or another regional copy of it (the same
// title in Russian, offered in other regions).
bool same_service(const catalog::Catalog& cat, const std::string& got, const std::string& expected) {
    if (got == expected) return true;
    const catalog::Service* a = cat.service(got);
    const catalog::Service* b = cat.service(expected);
    return a && b && a->level != "federal" && a->title.ru == b->title.ru;
}

// Whether a hit of the authorities-and-centres group is the one expected:
// "authority:<id>", or "centre:<kind>" for any service centre of that kind.
bool same_body(const catalog::Catalog& cat, const std::string& got, const std::string& expected) {
    if (got == expected) return true;
    if (!expected.starts_with("centre:") || !got.starts_with("centre:")) return false;
    for (const auto& c : cat.data().service_centres)
        if ("centre:" + c.id == got) return "centre:" + c.kind == expected;
    return false;
}

bool is_body(const std::string& expected) { return expected.starts_with("authority:") || expected.starts_with("centre:"); }

// Where the expected result came: 1 for first, 0 if not in the first three.
std::size_t rank_of(const catalog::Catalog& cat, const QueryRow& row, std::string& first) {
    SearchOptions o;
    o.lang = row.lang;
    o.limit = 3;
    const bool body = is_body(row.expected);
    const auto r = (body ? cat.body_index() : cat.search_index()).search(row.query, o);
    first = r.hits.empty() ? "<nothing>" : r.hits.front().id;
    if (std::getenv("USLUGI_SEARCH_DEBUG") != nullptr)
        for (const auto& h : r.hits) std::cout << "    " << row.query << " → " << h.id << " " << h.score << "\n";
    for (std::size_t i = 0; i < r.hits.size(); ++i) {
        const auto& h = r.hits[i];
        const bool same = body ? same_body(cat, h.id, row.expected)
                               : same_service(cat, h.id, row.expected) ||
                                     std::find(h.copies.begin(), h.copies.end(), row.expected) != h.copies.end();
        if (same) return i + 1;
    }
    return 0;
}

}  // namespace

TEST(SearchQuality, RealUserQueriesOnTheSeededCatalog) {
    const auto& cat = seeded_catalog();
    const auto rows = read_table();
    ASSERT_GE(rows.size(), 200u);
    std::size_t top1 = 0, top3 = 0;
    for (const QueryRow& row : rows) {
        ASSERT_FALSE(row.expected.empty()) << "line " << row.line;
        std::string first;
        const std::size_t rank = rank_of(cat, row, first);
        if (rank == 1) ++top1;
        if (rank >= 1) ++top3;
        EXPECT_EQ(rank, 1u) << "line " << row.line << " [" << row.lang << "] «" << row.query << "»: expected "
                            << row.expected << ", first " << first;
    }
    std::cout << "[ search  ] " << rows.size() << " queries: top-1 " << top1 << " ("
              << 100.0 * static_cast<double>(top1) / static_cast<double>(rows.size()) << " %), top-3 " << top3 << " ("
              << 100.0 * static_cast<double>(top3) / static_cast<double>(rows.size()) << " %)\n";
}

// The regional copies of a service come back as one hit standing for all of
// them; with the visitor's region known, as the copy of that region.
TEST(SearchQuality, RegionalCopiesAppearOnce) {
    const auto& cat = seeded_catalog();
    const auto everywhere = cat.search_index().search("вызов врача на дом");
    ASSERT_FALSE(everywhere.hits.empty());
    EXPECT_EQ(everywhere.hits.front().copies.size(), 5u);
    EXPECT_FALSE(everywhere.hits.front().in_region);
    std::set<std::string> titles;
    for (const auto& h : cat.search_index().search("охотничий билет", {.limit = 100}).hits)
        EXPECT_TRUE(titles.insert(h.title).second) << "repeated: " << h.title;

    const auto perm = cat.search_index().search("вызов врача на дом", {.region = "59"});
    ASSERT_FALSE(perm.hits.empty());
    EXPECT_EQ(perm.hits.front().id, "doctor-home-visit-perm");
    EXPECT_TRUE(perm.hits.front().in_region);
    EXPECT_EQ(perm.hits.front().copies, std::vector<std::string>{"doctor-home-visit-perm"});
}

TEST(SearchQuality, DidYouMean) {
    const auto& cat = seeded_catalog();
    EXPECT_EQ(cat.search_index().search("штарфы").suggestion, "штрафы");
    EXPECT_EQ(cat.search_index().search("zagranpasport").suggestion, "загранпаспорт");
    EXPECT_EQ(cat.search_index().search("ifnhfas").suggestion, "штрафы");
    EXPECT_EQ(cat.search_index().search("штрафы").suggestion, "");
    EXPECT_EQ(cat.search_index().search("штрафы qwzxqwzx").suggestion, "штрафы");
}

TEST(SearchQuality, FillerWordsNeverExcludeAService) {
    const auto& cat = seeded_catalog();
    const auto r = cat.search_index().search("проверить штрафы ГАИ", {.limit = 100});
    EXPECT_FALSE(r.partial);
    EXPECT_TRUE(std::any_of(r.hits.begin(), r.hits.end(), [](const auto& h) { return h.id == "traffic-fines"; }));
}

TEST(SearchQuality, AuthoritiesAndCentresHaveTheirOwnIndex) {
    const auto& cat = seeded_catalog();
    EXPECT_EQ(cat.body_index().size(), cat.data().authorities.size() + cat.data().service_centres.size());
    const auto mfc = cat.body_index().search("мфц", {.region = "59", .limit = 100});
    ASSERT_FALSE(mfc.hits.empty());
    for (const auto& h : mfc.hits) {
        EXPECT_TRUE(h.copies.empty()) << h.id;
        const bool perm_centre = std::any_of(cat.data().service_centres.begin(), cat.data().service_centres.end(),
                                             [&](const auto& c) { return "centre:" + c.id == h.id && c.region == "59"; });
        const bool perm_authority = std::any_of(cat.data().authorities.begin(), cat.data().authorities.end(),
                                                [&](const auto& a) { return "authority:" + a.id == h.id && (a.region.empty() || a.region == "59"); });
        EXPECT_TRUE(perm_centre || perm_authority) << h.id;
    }
    EXPECT_TRUE(cat.search_index().search("мфц").hits.empty() || cat.search_index().search("мфц").hits.front().id.find(':') == std::string::npos);
}
