// Templates: the real templates/ folder in every language, locale text baked
// in at load time (escaped, never able to open a tag), values HTML-escaped at
// render time, data layers, and what happens to missing templates and partials.
#include <gtest/gtest.h>

#include "http/templates.hpp"
#include "store_fixture.hpp"
#include "temp_dir.hpp"

#include <filesystem>
#include <map>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>
#include <stdexcept>
#include <string>

using namespace uslugi;
using namespace uslugi::http;
namespace fs = std::filesystem;

namespace {

using test_support::TempDir;

const core::Locales& project_locales() {
    static const core::Locales locales = [] {
        core::Locales l;
        l.load(test_support::source_dir() + "/locales");
        return l;
    }();
    return locales;
}

const Templates& project_templates() {
    static const Templates templates = [] {
        Templates t;
        t.load(test_support::source_dir() + "/templates", project_locales());
        return t;
    }();
    return templates;
}

// Templates of a test's own: `files` (name → text) written under dir/templates, then loaded.
Templates templates_in(const TempDir& dir, const std::map<std::string, std::string>& files,
                       const core::Locales& locales = project_locales()) {
    for (const auto& [name, text] : files) dir.write("templates/" + name, text);
    Templates t;
    t.load((dir.path() / "templates").string(), locales);
    return t;
}

// Locales of our own, so that a test controls every special character.
core::Locales locales_in(const TempDir& dir, const std::string& ru_json, const std::string& en_json) {
    dir.write("locales/ru.json", ru_json);
    dir.write("locales/en.json", en_json);
    core::Locales l;
    l.load((dir.path() / "locales").string());
    return l;
}

}  // namespace

TEST(Templates, LoadsEveryTemplateOfTheProject) {
    const Templates& templates = project_templates();
    const fs::path root = fs::path(test_support::source_dir()) / "templates";
    int seen = 0;
    for (const auto& entry : fs::recursive_directory_iterator(root)) {
        if (entry.path().extension() != ".mustache") continue;
        fs::path name = fs::relative(entry.path(), root);
        name.replace_extension();
        EXPECT_TRUE(templates.has(name.generic_string())) << name;
        ++seen;
    }
    EXPECT_GT(seen, 30);
    EXPECT_TRUE(templates.has("errors/error"));
    EXPECT_FALSE(templates.has("errors/no_such_page"));
    EXPECT_FALSE(templates.has("error")) << "names carry their folder";
}

TEST(Templates, EveryLocaleTagOfTheProjectHasRussianAndEnglishText) {
    // A key missing everywhere would show itself ("errors.home_link") on the page.
    const auto& ru = project_locales().get("ru");
    const auto& en = project_locales().get("en");
    const std::regex tag(R"(\{\{t\.([^}]+)\}\})");
    for (const auto& entry : fs::recursive_directory_iterator(fs::path(test_support::source_dir()) / "templates")) {
        if (entry.path().extension() != ".mustache") continue;
        std::ifstream in(entry.path());
        std::stringstream text;
        text << in.rdbuf();
        const std::string source = text.str();
        for (std::sregex_iterator it(source.begin(), source.end(), tag), end; it != end; ++it) {
            const std::string key = (*it)[1];
            EXPECT_TRUE(ru.has(key)) << entry.path().filename() << ": ru lacks " << key;
            EXPECT_TRUE(en.has(key)) << entry.path().filename() << ": en lacks " << key;
        }
    }
}

TEST(Templates, RendersTheErrorPageInEachLanguage) {
    const Templates& templates = project_templates();
    Data data;
    data.set("status", "404");
    data.set("heading", "Not found");
    data.set("text", "Nothing here");
    const auto& locales = project_locales();

    const std::string en = templates.render("errors/error", data, nullptr, locales.get("en"));
    EXPECT_NE(en.find(locales.get("en").text("errors.code_label") + " 404"), std::string::npos) << en;
    EXPECT_NE(en.find(locales.get("en").text("errors.home_link")), std::string::npos) << en;
    EXPECT_EQ(en.find("request-id"), std::string::npos) << "the section is off without show_request_id";

    const std::string de = templates.render("errors/error", data, nullptr, locales.get("de"));
    EXPECT_NE(de.find(locales.get("de").text("errors.code_label") + " 404"), std::string::npos) << de;
    EXPECT_NE(locales.get("de").text("errors.code_label"), locales.get("en").text("errors.code_label"));
    EXPECT_EQ(de.find(locales.get("en").text("errors.home_link")), std::string::npos) << "German, not English";

    const std::string ru = templates.render("errors/error", data, nullptr, locales.get("ru"));
    EXPECT_NE(ru.find(locales.get("ru").text("errors.code_label")), std::string::npos) << ru;
    EXPECT_EQ(ru.find("{{"), std::string::npos) << "no tag is left unrendered";
    EXPECT_EQ(ru.find('\n'), std::string::npos) << "line breaks are collapsed at load time";
}

TEST(Templates, EscapesValuesButNotTripleBraces) {
    const Templates& templates = project_templates();
    Data data;
    data.set("status", "500");
    data.set("heading", "<script>alert('x')</script> & \"q\"");
    data.set("show_request_id", true);
    data.set("request_id", "<b>id</b>");
    const std::string out = templates.render("errors/error", data, nullptr, project_locales().get("en"));
    EXPECT_EQ(out.find("<script>"), std::string::npos) << out;
    EXPECT_NE(out.find("&lt;script&gt;alert(&apos;x&apos;)&lt;/script&gt; &amp; &quot;q&quot;"), std::string::npos) << out;
    EXPECT_NE(out.find("<code>&lt;b&gt;id&lt;/b&gt;</code>"), std::string::npos) << out;

    TempDir dir;
    const Templates own = templates_in(dir, {{"page.mustache", "<main>{{{content}}}</main><p>{{content}}</p>"}});
    Data page;
    page.set("content", "<h1>Hi</h1>");
    EXPECT_EQ(own.render("page", page, nullptr, project_locales().get("en")),
              "<main><h1>Hi</h1></main><p>&lt;h1&gt;Hi&lt;/h1&gt;</p>");
}

TEST(Templates, AnUnknownTemplateThrows) {
    Data data;
    EXPECT_THROW(project_templates().render("errors/no_such_page", data, nullptr, project_locales().get("ru")),
                 std::runtime_error);
}

TEST(Templates, APartialTagRendersNothingEvenWhenDataHasThatName) {
    // Pages are composed through {{{content}}}, never partials: a value that
    // happened to share a partial's name must not be run as a template.
    TempDir dir;
    const Templates templates = templates_in(dir, {{"t/p.mustache", "[{{>secret_partial}}]"}});
    Data data;
    data.set("secret_partial", "{{leak}}");
    data.set("leak", "LEAKED");
    EXPECT_EQ(templates.render("t/p", data, nullptr, project_locales().get("en")), "[]");
}

TEST(Templates, DataIsLayeredOverChromeOverShared) {
    TempDir dir;
    const Templates templates =
        templates_in(dir, {{"x/layers.mustache", "{{a}} {{b}} {{c}} {{page.lang}} {{missing}}|{{#items}}{{.}},{{/items}}"}});
    Data shared;
    shared.set("a", "shared-a");
    shared.set("b", "shared-b");
    shared.set("c", "shared-c");
    Data chrome;
    chrome.set("a", "chrome-a");
    chrome.set("b", "chrome-b");
    Data page;
    page.set("lang", "de");
    chrome.set("page", page);
    Data data;
    data.set("a", "data-a");
    Data items = Data::type::list;
    items.push_back(Data("1"));
    items.push_back(Data("<2>"));
    data.set("items", items);
    EXPECT_EQ(templates.render("x/layers", data, &chrome, project_locales().get("en"), &shared),
              "data-a chrome-b shared-c de |1,&lt;2&gt;,");
}

TEST(Templates, ASyntaxErrorFailsTheLoadNamingTheFile) {
    TempDir dir;
    try {
        templates_in(dir, {{"ok.mustache", "fine"}, {"bad/broken.mustache", "{{#open}} never closed"}});
        FAIL() << "a broken template loaded";
    } catch (const std::runtime_error& e) {
        EXPECT_NE(std::string(e.what()).find("broken.mustache"), std::string::npos) << e.what();
    }
}

TEST(Templates, AMissingFolderFailsTheLoad) {
    Templates templates;
    EXPECT_ANY_THROW(templates.load(test_support::source_dir() + "/no-such-templates", project_locales()));
}

TEST(Templates, OnlyMustacheFilesAreTemplates) {
    TempDir dir;
    const Templates templates = templates_in(dir, {{"a/page.mustache", "page"}, {"a/notes.txt", "{{#not a template"}});
    EXPECT_TRUE(templates.has("a/page"));
    EXPECT_FALSE(templates.has("a/notes"));
}

TEST(LocalizeTemplate, ReplacesLocaleTagsWithEscapedText) {
    uslugi::core::Locales locales;
    locales.load(std::string(USLUGI_SOURCE_DIR) + "/locales");
    const std::string out = localize_template("<h1>{{t.home.heading}}</h1>{{name}}{{{content}}}{{t.no.such}}",
                                              locales.get("en"));
    EXPECT_EQ(out, "<h1>Government services online</h1>{{name}}{{{content}}}no.such");
}

TEST(LocalizeTemplate, ATranslationCannotOpenATag) {
    TempDir dir;
    const auto locales = locales_in(dir, R"({"x": {"odd": "Б & <i>{{secret}}</i>", "q": "it's \"quoted\""}})",
                                    R"({"x": {"odd": "A & <i>{{secret}}</i>"}})");
    EXPECT_EQ(localize_template("<p>{{t.x.odd}}</p>", locales.get("en")),
              "<p>A &amp; &lt;i&gt;&#123;&#123;secret}}&lt;/i&gt;</p>");
    EXPECT_EQ(localize_template("{{t.x.q}}", locales.get("ru")), "it&apos;s &quot;quoted&quot;");
    // German has no text of its own: English, then Russian.
    EXPECT_EQ(localize_template("{{t.x.q}}", locales.get("de")), "it&apos;s &quot;quoted&quot;");

    // Rendered, the escaped braces stay text.
    const Templates templates = templates_in(dir, {{"p.mustache", "{{t.x.odd}}"}}, locales);
    Data data;
    data.set("secret", "LEAKED");
    const std::string out = templates.render("p", data, nullptr, locales.get("ru"));
    EXPECT_EQ(out.find("LEAKED"), std::string::npos) << out;
    EXPECT_EQ(out, "Б &amp; &lt;i&gt;&#123;&#123;secret}}&lt;/i&gt;");
}

TEST(LocalizeTemplate, LeavesTripleBracesAndUnclosedTagsAlone) {
    TempDir dir;
    const auto locales = locales_in(dir, R"({"k": "К"})", R"({"k": "K"})");
    EXPECT_EQ(localize_template("{{{t.k}}} {{t.k}}", locales.get("en")), "{{{t.k}}} K");
    EXPECT_EQ(localize_template("{{t.k}} {{t.k", locales.get("en")), "K {{t.k");
    EXPECT_EQ(localize_template("no tags", locales.get("en")), "no tags");
    EXPECT_EQ(localize_template("", locales.get("en")), "");
}

TEST(CollapseWhitespace, FoldsLineBreaksAndIndentation) {
    EXPECT_EQ(collapse_whitespace("<ul>\n  <li>a</li>\n  <li>b\n    c</li>\n</ul>\n"), "<ul> <li>a</li> <li>b c</li> </ul>");
    // Inline elements on separate lines stay apart, as the browser would show them.
    EXPECT_EQ(collapse_whitespace("<a>x</a>\n  <span>y</span>"), "<a>x</a> <span>y</span>");
    EXPECT_EQ(collapse_whitespace("text\n  more"), "text more");
}

TEST(CollapseWhitespace, KeepsSpacesWithinALineAndDropsLeadingAndTrailingBreaks) {
    EXPECT_EQ(collapse_whitespace("a    b"), "a    b");
    EXPECT_EQ(collapse_whitespace("\n\n  <p>x</p>"), "<p>x</p>");
    EXPECT_EQ(collapse_whitespace("<p>x</p>\n\n\t\n"), "<p>x</p>");
    EXPECT_EQ(collapse_whitespace("a\n\n\n\t\tb"), "a b") << "blank lines fold into the one space";
    EXPECT_EQ(collapse_whitespace("a \n b"), "a  b") << "only the break and what follows it fold";
    EXPECT_EQ(collapse_whitespace(""), "");
    EXPECT_EQ(collapse_whitespace("\n"), "");
}

TEST(EscapeHtml, MatchesKainjowsEscaping) {
    for (const std::string s : {"", "plain текст", "<script>alert('x')</script> & \"q\"", "&&&", "a<b", ">"})
        EXPECT_EQ(escape_html(s), kainjow::mustache::html_escape<std::string>(s)) << s;
}

TEST(EscapeHtml, EscapesEachSpecialWhereverItStands) {
    EXPECT_EQ(escape_html("&"), "&amp;");
    EXPECT_EQ(escape_html("<>\"'"), "&lt;&gt;&quot;&apos;");
    EXPECT_EQ(escape_html("текст без особых знаков"), "текст без особых знаков");
    EXPECT_EQ(escape_html("x<"), "x&lt;");
    EXPECT_EQ(escape_html("'x"), "&apos;x");
    EXPECT_EQ(escape_html("a&b&c"), "a&amp;b&amp;c");
    EXPECT_EQ(escape_html("&amp;"), "&amp;amp;") << "no double-escape check: escaped text is escaped again";
}
