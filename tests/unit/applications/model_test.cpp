// The form engine and the status state machine of applications (model.hpp),
// and every form shipped in data/forms.
#include <gtest/gtest.h>

#include "applications/model.hpp"
#include "applications/result_pdf.hpp"

#include <filesystem>
#include <fstream>

using namespace uslugi::applications;
using nlohmann::json;

namespace {

json label(const char* ru) { return {{"ru", ru}, {"en", ru}}; }

// A small form with every kind of rule.
json sample_form() {
    return {{"service", "sample"},
            {"deadline_days", 10},
            {"steps",
             {{{"id", "one"},
               {"title", label("Шаг 1")},
               {"fields",
                {{{"id", "surname"}, {"type", "text"}, {"label", label("Фамилия")}, {"required", true}, {"max_length", 10}},
                 {{"id", "snils"}, {"type", "document"}, {"label", label("СНИЛС")}, {"validator", "snils"}},
                 {{"id", "kind"},
                  {"type", "choice"},
                  {"label", label("Вид")},
                  {"required", true},
                  {"options", {{{"value", "a"}, {"label", label("А")}}, {{"value", "other"}, {"label", label("Другое")}}}}},
                 {{"id", "other"},
                  {"type", "text"},
                  {"label", label("Что")},
                  {"show_if", {{"field", "kind"}, {"equals", "other"}}},
                  {"required_if", {{"field", "kind"}, {"equals", "other"}}}},
                 {{"id", "count"}, {"type", "number"}, {"label", label("Сколько")}, {"integer", true}, {"min", 1}, {"max", 5}},
                 {{"id", "born"}, {"type", "date"}, {"label", label("Дата")}, {"min_date", "1900-01-01"}, {"max_date", "today"}},
                 {{"id", "code"},
                  {"type", "text"},
                  {"label", label("Код")},
                  {"pattern", "^[0-9]{3}$"},
                  {"pattern_message", label("три цифры")}}}}},
              {{"id", "two"},
               {"title", label("Шаг 2")},
               {"show_if", {{"field", "kind"}, {"equals", "a"}}},
               {"fields",
                {{{"id", "children"},
                  {"type", "group"},
                  {"label", label("Ребёнок")},
                  {"min_items", 1},
                  {"max_items", 2},
                  {"fields", {{{"id", "name"}, {"type", "text"}, {"label", label("Имя")}, {"required", true}}}}}}}}}}};
}

const std::string kToday = "2026-12-03";

}  // namespace

TEST(ApplicationForm, ParsesEveryKindOfField) {
    const FormDefinition def = parse_form(sample_form());
    EXPECT_EQ(def.service, "sample");
    EXPECT_EQ(def.deadline_days, 10);
    ASSERT_EQ(def.steps.size(), 2u);
    EXPECT_EQ(def.field("kind")->options.size(), 2u);
    EXPECT_EQ(def.field("children")->type, FieldType::group);
    EXPECT_EQ(def.field("children")->fields[0].id, "name");
    EXPECT_FALSE(def.field("other")->show_if.always());
}

TEST(ApplicationForm, RefusesBrokenDefinitions) {
    json bad_type = sample_form();
    bad_type["steps"][0]["fields"][0]["type"] = "colour";
    EXPECT_THROW(parse_form(bad_type), std::invalid_argument);
    json duplicate = sample_form();
    duplicate["steps"][1]["fields"][0]["id"] = "surname";
    EXPECT_THROW(parse_form(duplicate), std::invalid_argument);
    json unknown_condition = sample_form();
    unknown_condition["steps"][0]["fields"][3]["show_if"]["field"] = "nothing";
    EXPECT_THROW(parse_form(unknown_condition), std::invalid_argument);
    json bad_validator = sample_form();
    bad_validator["steps"][0]["fields"][1]["validator"] = "horoscope";
    EXPECT_THROW(parse_form(bad_validator), std::invalid_argument);
    json bad_pattern = sample_form();
    bad_pattern["steps"][0]["fields"][6]["pattern"] = "([0-9";
    EXPECT_THROW(parse_form(bad_pattern), std::invalid_argument);
    json no_options = sample_form();
    no_options["steps"][0]["fields"][2].erase("options");
    EXPECT_THROW(parse_form(no_options), std::invalid_argument);
}

TEST(ApplicationForm, RequiredAndLimits) {
    const FormDefinition def = parse_form(sample_form());
    Values v = {{"surname", "  "}, {"kind", "x"}, {"count", "7"}, {"born", "2030-01-01"}, {"code", "12a"}};
    const auto e = validate_step(def, 0, v, kToday);
    EXPECT_EQ(e.at("surname"), "applications.error.required");
    EXPECT_EQ(e.at("kind"), "applications.error.choice");
    EXPECT_EQ(e.at("count"), "applications.error.max");
    EXPECT_EQ(e.at("born"), "applications.error.date_max");
    EXPECT_EQ(e.at("code"), "applications.error.pattern");
    EXPECT_FALSE(e.count("other")) << "hidden unless kind is other";
}

TEST(ApplicationForm, NumbersDatesAndTooLong) {
    const FormDefinition def = parse_form(sample_form());
    Values v = {{"surname", "Оченьдлиннаяфамилия"}, {"kind", "a"}, {"count", "2.5"}, {"born", "31.02.2000"}};
    auto e = validate_step(def, 0, v, kToday);
    EXPECT_EQ(e.at("surname"), "applications.error.too_long");
    EXPECT_EQ(e.at("count"), "applications.error.integer");
    EXPECT_EQ(e.at("born"), "applications.error.date");
    Values ok = {{"surname", "Иванова"}, {"kind", "a"}, {"count", "3"}, {"born", "15.03.1985"}, {"code", "123"}};
    EXPECT_TRUE(validate_step(def, 0, ok, kToday).empty());
    EXPECT_EQ(ok["born"], "1985-03-15") << "dates are kept as YYYY-MM-DD";
    Values zero = {{"surname", "Иванова"}, {"kind", "a"}, {"count", "0"}};
    EXPECT_EQ(validate_step(def, 0, zero, kToday).at("count"), "applications.error.min");
    Values word = {{"surname", "Иванова"}, {"kind", "a"}, {"count", "три"}};
    EXPECT_EQ(validate_step(def, 0, word, kToday).at("count"), "applications.error.number");
}

TEST(ApplicationForm, CoreValidatorsSayWhichRuleFailed) {
    const FormDefinition def = parse_form(sample_form());
    Values bad = {{"surname", "Иванова"}, {"kind", "a"}, {"snils", "112-233-445 96"}};
    EXPECT_EQ(validate_step(def, 0, bad, kToday).at("snils"), "validation.snils.checksum");
    Values good = {{"surname", "Иванова"}, {"kind", "a"}, {"snils", "11223344595"}};
    EXPECT_TRUE(validate_step(def, 0, good, kToday).empty());
    EXPECT_EQ(good["snils"], "112-233-445 95") << "normalized";
}

TEST(ApplicationForm, RequiredIfAndHiddenValuesDropped) {
    const FormDefinition def = parse_form(sample_form());
    Values v = {{"surname", "Иванова"}, {"kind", "other"}};
    EXPECT_EQ(validate_step(def, 0, v, kToday).at("other"), "applications.error.required");
    Values hidden = {{"surname", "Иванова"}, {"kind", "a"}, {"other", "лишнее"}};
    EXPECT_TRUE(validate_step(def, 0, hidden, kToday).empty());
    EXPECT_FALSE(hidden.contains("other")) << "a hidden field is not sent";
}

TEST(ApplicationForm, ConditionalStepsAndGroups) {
    const FormDefinition def = parse_form(sample_form());
    Values other = {{"surname", "Иванова"}, {"kind", "other"}, {"other", "x"}, {"children", json::array()}};
    EXPECT_EQ(visible_steps(def, other), std::vector<std::size_t>{0});
    std::optional<std::size_t> first;
    EXPECT_TRUE(validate_all(def, other, kToday, &first).empty());
    EXPECT_FALSE(other.contains("children")) << "values of a hidden step are not sent";

    Values a = {{"surname", "Иванова"}, {"kind", "a"}, {"children", json::array()}};
    EXPECT_EQ(visible_steps(def, a).size(), 2u);
    auto e = validate_all(def, a, kToday, &first);
    EXPECT_EQ(e.at("children"), "applications.error.group_min");
    ASSERT_TRUE(first);
    EXPECT_EQ(*first, 1u);
    Values rows = {{"surname", "Иванова"}, {"kind", "a"}, {"children", {{{"name", "Маша"}}, {{"name", ""}}}}};
    e = validate_all(def, rows, kToday);
    EXPECT_EQ(e.at("children.1.name"), "applications.error.required");
    Values many = {{"surname", "Иванова"}, {"kind", "a"}, {"children", {{{"name", "А"}}, {{"name", "Б"}}, {{"name", "В"}}}}};
    EXPECT_EQ(validate_all(def, many, kToday).at("children"), "applications.error.group_max");
}

TEST(ApplicationForm, NonTextValuesAreNotTrusted) {
    const FormDefinition def = parse_form(sample_form());
    Values v = {{"surname", json::object()}, {"kind", 5}};
    const auto e = validate_step(def, 0, v, kToday);
    EXPECT_EQ(e.at("surname"), "applications.error.required");
    EXPECT_EQ(e.at("kind"), "applications.error.choice");
}

TEST(ApplicationForm, ShippedFormsAreValid) {
    const std::filesystem::path dir = std::filesystem::path(USLUGI_SOURCE_DIR) / "data/forms";
    int n = 0;
    for (const auto& e : std::filesystem::directory_iterator(dir)) {
        std::ifstream in(e.path());
        const FormDefinition def = parse_form(json::parse(in));
        EXPECT_FALSE(def.steps.empty()) << e.path();
        ++n;
    }
    EXPECT_GE(n, 2);
}

TEST(ApplicationStatus, NamesRoundTrip) {
    for (Status s : all_statuses()) EXPECT_EQ(status_from_string(to_string(s)), s);
    EXPECT_THROW(status_from_string("lost"), std::invalid_argument);
    EXPECT_EQ(all_statuses().size(), 16u);
}

TEST(ApplicationStatus, TheLifecycleOfSpec) {
    EXPECT_TRUE(can_transition(Status::draft, Status::registered));
    EXPECT_TRUE(can_transition(Status::registered, Status::sent));
    EXPECT_TRUE(can_transition(Status::sent, Status::received));
    EXPECT_TRUE(can_transition(Status::received, Status::accepted));
    EXPECT_TRUE(can_transition(Status::accepted, Status::info_requested));
    EXPECT_TRUE(can_transition(Status::info_requested, Status::accepted));
    EXPECT_TRUE(can_transition(Status::accepted, Status::provided));
    EXPECT_TRUE(can_transition(Status::accepted, Status::refused));
    EXPECT_FALSE(can_transition(Status::draft, Status::provided));
    EXPECT_FALSE(can_transition(Status::sent, Status::provided)) << "an officer takes it first";
    EXPECT_FALSE(can_transition(Status::registered, Status::accepted));
}

TEST(ApplicationStatus, FinalStatusesGoNowhere) {
    for (Status from : {Status::provided, Status::refused, Status::cancelled}) {
        EXPECT_TRUE(is_final(from));
        EXPECT_FALSE(may_cancel(from));
        for (Status to : all_statuses()) EXPECT_FALSE(can_transition(from, to)) << to_string(from) << "→" << to_string(to);
    }
}

TEST(ApplicationStatus, WithdrawalAndColours) {
    EXPECT_TRUE(may_cancel(Status::sent));
    EXPECT_EQ(withdrawal_target(Status::sent), Status::cancelled);
    EXPECT_TRUE(may_cancel(Status::accepted));
    EXPECT_EQ(withdrawal_target(Status::accepted), Status::cancelling) << "the authority confirms once it has started";
    EXPECT_FALSE(may_cancel(Status::cancelling));
    EXPECT_FALSE(may_cancel(Status::document_ready));
    EXPECT_FALSE(may_cancel(Status::draft));
    for (Status s : all_statuses()) EXPECT_FALSE(colour_class(s).empty());
    EXPECT_EQ(colour_class(Status::info_requested), "status-action");
    EXPECT_EQ(colour_class(Status::refused), "status-error");
    EXPECT_EQ(colour_class(Status::provided), "status-success");
}

TEST(ApplicationNumbers, NumberAndDeadline) {
    EXPECT_EQ(application_number(2026, 42), "2026-00000042");
    EXPECT_EQ(deadline_after(1000, 2), 1000 + 2 * 86400);
    EXPECT_TRUE(is_overdue(Status::accepted, 100, 101));
    EXPECT_FALSE(is_overdue(Status::provided, 100, 101)) << "a decided one is never overdue";
    EXPECT_FALSE(is_overdue(Status::accepted, 100, 100));
}

TEST(ApplicationResult, PdfWithCyrillic) {
    ResultDocument doc{"Результат", "ГУВМ МВД России", "Загранпаспорт", "Заявление № 2026-00000001", "Заявитель: Дарья Соколова",
                       "Паспорт готов, получите его в подразделении по месту жительства.", "Выдан 03.12.2026", "Услуги"};
    const std::string pdf = render_result_pdf(doc, "/usr/share/fonts/truetype/dejavu");
    EXPECT_EQ(pdf.substr(0, 5), "%PDF-");
    EXPECT_NE(pdf.find("DejaVuSans"), std::string::npos);
}

TEST(ApplicationFiles, TypeComesFromTheContent) {
    EXPECT_EQ(sniff_content_type("%PDF-1.7\n"), "application/pdf");
    EXPECT_EQ(sniff_content_type(std::string("\xFF\xD8\xFF\xE0", 4)), "image/jpeg");
    EXPECT_EQ(sniff_content_type(std::string("\x89PNG\r\n\x1a\n", 8)), "image/png");
    EXPECT_EQ(sniff_content_type("GIF89a"), "");
    EXPECT_EQ(sniff_content_type("MZ\x90"), "") << "an executable named .pdf is no PDF";
}

TEST(ApplicationFiles, UploadChecks) {
    EXPECT_EQ(check_upload(""), "applications.error.file_empty");
    EXPECT_EQ(check_upload("hello"), "applications.error.file_type");
    EXPECT_EQ(check_upload("%PDF-1.4\n1 0 obj"), "applications.error.file_broken");
    EXPECT_EQ(check_upload("%PDF-1.4\n1 0 obj <<>> endobj\n%%EOF\n"), "");
    EXPECT_EQ(check_upload(std::string("\xFF\xD8\xFF\xE0 data", 9)), "applications.error.file_broken");
    EXPECT_EQ(check_upload(std::string("\xFF\xD8\xFF\xE0 data \xFF\xD9", 12)), "");
    std::string big = "%PDF-";
    big.resize(kMaxFileBytes + 1, ' ');
    EXPECT_EQ(check_upload(big), "applications.error.file_too_big");
}

TEST(ApplicationFiles, HostileNamesAreCleaned) {
    EXPECT_EQ(clean_file_name("../../etc/passwd"), "passwd");
    EXPECT_EQ(clean_file_name("C:\\Users\\me\\скан.pdf"), "скан.pdf");
    EXPECT_EQ(clean_file_name("a\"b;c\r\n.pdf"), "abc.pdf");
    EXPECT_EQ(clean_file_name("\u202Egnp.exe"), "gnp.exe") << "no bidirectional override";
    EXPECT_EQ(clean_file_name("..."), "file");
    EXPECT_EQ(clean_file_name(std::string(300, 'x')).size(), 100u);
}
