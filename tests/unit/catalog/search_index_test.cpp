#include <gtest/gtest.h>

#include <algorithm>
#include <iostream>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "catalog/search_index.hpp"
#include "core/text.hpp"

using namespace uslugi;
using catalog::SearchDocument;
using catalog::SearchIndex;
using catalog::SearchOptions;

namespace {

struct ServiceSpec {
    const char* id;
    int popularity;
    std::vector<std::string> audiences;
    std::vector<std::string> regions;
    catalog::LocalizedText ru;
    catalog::LocalizedText en;
    catalog::LocalizedText de = {};
    catalog::LocalizedText fr = {};
};

const std::vector<std::string> kPeople{"individuals"};
const std::vector<std::string> kPeopleAndForeigners{"individuals", "foreigners"};
const std::vector<std::string> kEveryone{"individuals", "foreigners", "legal"};
const std::vector<std::string> kEverywhere{"*"};

// A small catalog written like the real portal's cards.
std::vector<SearchDocument> test_catalog() {
    const std::vector<ServiceSpec> specs{
        {"passport-foreign-chip", 900000, kPeople, kEverywhere,
         {"Заграничный паспорт нового образца с электронным чипом на 10 лет",
          {"загранпаспорт", "биометрический паспорт", "выезд за границу"},
          "Оформление биометрического заграничного паспорта сроком на 10 лет для поездок за рубеж."},
         {"Foreign passport of the new type with a chip, valid for 10 years",
          {"biometric passport", "travel abroad"},
          "Apply for a biometric foreign passport for travelling abroad."},
         {"Reisepass neuen Typs mit Chip für 10 Jahre", {"biometrischer Reisepass"}, "Reisepass beantragen."},
         {"Passeport international biométrique valable 10 ans", {"passeport biométrique"}, "Demande de passeport."}},
        {"passport-foreign-old", 300000, kPeople, kEverywhere,
         {"Заграничный паспорт старого образца на 5 лет",
          {"загранпаспорт", "паспорт без чипа", "выезд за границу"},
          "Оформление заграничного паспорта старого образца сроком на 5 лет, в том числе детям."},
         {"Foreign passport of the old type, valid for 5 years", {"passport without chip"}, "Five-year passport."}},
        {"passport-replace", 700000, kPeople, kEverywhere,
         {"Замена паспорта гражданина РФ",
          {"паспорт гражданина", "замена паспорта в 20 и 45 лет", "смена фамилии", "утеря паспорта"},
          "Замена внутреннего паспорта при достижении 20 или 45 лет, смене фамилии, порче или утере."},
         {"Replacement of the internal passport of a Russian citizen",
          {"internal passport", "change of name"},
          "Replace the passport at 20 or 45, after a change of name or loss."}},
        {"passport-first", 200000, kPeople, kEverywhere,
         {"Получение паспорта гражданина РФ при достижении 14 лет",
          {"первый паспорт", "паспорт в 14 лет"},
          "Первичное получение паспорта подростком."},
         {"First internal passport at the age of 14", {"first passport"}, "Get the first passport at 14."}},
        {"traffic-fines", 1000000, kEveryone, kEverywhere,
         {"Штрафы ГИБДД",
          {"проверка штрафов", "оплата штрафов", "штрафы ПДД", "камеры фиксации нарушений"},
          "Проверка и оплата штрафов за нарушение правил дорожного движения со скидкой 25 % в первые 30 дней."},
         {"Traffic police fines", {"traffic fines", "pay a fine", "speed cameras"},
          "Check and pay traffic fines with a 25 % discount within 30 days."},
         {"Bußgelder der Verkehrspolizei", {"Strafzettel"}, "Bußgelder prüfen und bezahlen."},
         {"Amendes de la police de la route", {"amendes routières"}, "Vérifier et payer les amendes."}},
        {"tax-debts", 600000, kPeople, kEverywhere,
         {"Налоговая задолженность",
          {"налоги", "задолженность по налогам", "долги по налогам", "транспортный налог", "налог на имущество",
           "ИНН"},
          "Проверка и оплата налоговой задолженности физических лиц по ИНН."},
         {"Tax debts", {"taxes", "property tax", "vehicle tax"}, "Check and pay your tax debts by INN."}},
        {"court-debts", 400000, kPeople, kEverywhere,
         {"Судебная задолженность",
          {"ФССП", "приставы", "долги", "исполнительное производство", "судебные приставы"},
          "Проверка задолженности по исполнительным производствам у судебных приставов."},
         {"Court debts (bailiffs)", {"bailiffs", "enforcement proceedings"}, "Check debts with the bailiffs."}},
        {"driving-licence", 500000, kPeople, kEverywhere,
         {"Замена водительского удостоверения",
          {"водительские права", "замена прав", "истечение срока прав", "ВУ"},
          "Замена водительского удостоверения в связи с истечением срока действия или утратой."},
         {"Replacement of a driving licence", {"driver's license", "driving licence renewal"},
          "Replace your driving licence when it expires or is lost."}},
        {"driving-permit-international", 80000, kPeople, kEverywhere,
         {"Выдача международного водительского удостоверения", {"МВУ", "водить за границей"},
          "Международное водительское удостоверение для поездок за рубеж."},
         {"International driving permit", {"IDP", "drive abroad"}, "Permit to drive abroad."}},
        {"vehicle-registration", 450000, {"individuals", "legal"}, kEverywhere,
         {"Регистрация транспортного средства",
          {"постановка на учёт автомобиля", "поставить на учёт", "регистрация авто", "номера", "ГИБДД"},
          "Постановка автомобиля на учёт в ГИБДД после покупки, получение номеров."},
         {"Vehicle registration", {"register a car", "number plates"}, "Register a vehicle after buying it."}},
        {"vehicle-deregistration", 120000, {"individuals", "legal"}, kEverywhere,
         {"Снятие транспортного средства с учёта", {"утилизация", "вывоз за границу"},
          "Снятие автомобиля с регистрационного учёта для утилизации или вывоза."},
         {"Vehicle deregistration", {"scrapping", "export"}, "Deregister a vehicle."}},
        {"kindergarten", 800000, kPeople, kEverywhere,
         {"Запись в детский сад",
          {"очередь в детский сад", "дошкольное образование", "ясли"},
          "Постановка ребёнка в очередь в детский сад: выбор до трёх садов, номер в очереди."},
         {"Kindergarten enrolment", {"nursery", "preschool"}, "Put your child on the waiting list for a kindergarten."}},
        {"school", 500000, kPeople, kEverywhere,
         {"Запись в первый класс",
          {"зачисление в школу", "школа", "первоклассник", "записать ребенка в школу"},
          "Подача заявления на зачисление ребёнка в первый класс общеобразовательной школы."},
         {"School enrolment (first grade)", {"school", "first grade"}, "Enrol your child in the first grade."}},
        {"marriage", 300000, kPeopleAndForeigners, kEverywhere,
         {"Регистрация брака",
          {"ЗАГС", "свадьба", "бракосочетание", "заявление в ЗАГС"},
          "Подача заявления на регистрацию брака: выбор ЗАГСа, даты и времени."},
         {"Marriage registration", {"wedding", "registry office"}, "Apply to register a marriage."}},
        {"divorce", 150000, kPeople, kEverywhere,
         {"Расторжение брака", {"развод", "ЗАГС"}, "Заявление о расторжении брака по взаимному согласию."},
         {"Divorce", {"dissolution of marriage"}, "Apply for a divorce."}},
        {"birth-certificate", 250000, kPeople, kEverywhere,
         {"Регистрация рождения и свидетельство о рождении",
          {"рождение ребенка", "новорожденный", "ЗАГС"},
          "Государственная регистрация рождения ребёнка и получение свидетельства."},
         {"Birth registration and birth certificate", {"newborn"}, "Register the birth of a child."}},
        {"pension-statement", 850000, kPeople, kEverywhere,
         {"Выписка из индивидуального лицевого счёта",
          {"пенсионные баллы", "стаж", "пенсионный счёт", "СФР", "ИЛС"},
          "Сведения о состоянии пенсионного счёта: стаж, пенсионные баллы и взносы работодателей."},
         {"Pension account statement", {"pension points", "work record"}, "Your pension account: points and record."}},
        {"pension-assign", 200000, kPeople, kEverywhere,
         {"Назначение пенсии по старости", {"пенсия", "выход на пенсию", "пенсионный возраст"},
          "Заявление о назначении страховой пенсии по старости."},
         {"Old-age pension", {"retirement"}, "Apply for an old-age pension."}},
        {"doctor-appointment", 950000, kPeopleAndForeigners, kEverywhere,
         {"Запись на приём к врачу",
          {"поликлиника", "терапевт", "запись к врачу", "талон к врачу", "записаться к врачу"},
          "Запись на приём к терапевту, педиатру и другим врачам в поликлинику по месту прикрепления."},
         {"Doctor's appointment", {"clinic", "see a doctor"}, "Book an appointment with a doctor."}},
        {"criminal-record", 350000, kPeopleAndForeigners, kEverywhere,
         {"Справка об отсутствии судимости",
          {"справка о несудимости", "судимость", "МВД"},
          "Справка о наличии или отсутствии судимости и факта уголовного преследования."},
         {"Certificate of no criminal record", {"police clearance", "criminal record certificate"},
          "A certificate that you have no criminal record."}},
        {"inn", 300000, kEveryone, kEverywhere,
         {"Узнать ИНН", {"идентификационный номер налогоплательщика", "свидетельство ИНН"},
          "Узнать свой ИНН по паспортным данным."},
         {"Find your INN", {"taxpayer number"}, "Find your taxpayer identification number."}},
        {"snils", 200000, kPeopleAndForeigners, kEverywhere,
         {"Получение СНИЛС", {"страховое свидетельство", "страховой номер"},
          "Регистрация в системе индивидуального учёта и получение СНИЛС."},
         {"SNILS (individual insurance account number)", {"insurance number"}, "Get your SNILS."}},
        {"osago-check", 400000, kPeople, kEverywhere,
         {"Проверка полиса ОСАГО", {"автогражданка", "страховка автомобиля", "проверить полис"},
          "Проверка действительности полиса обязательного страхования автогражданской ответственности."},
         {"OSAGO policy check", {"car insurance"}, "Check a compulsory motor insurance policy."}},
        {"residence-registration", 350000, kPeople, kEverywhere,
         {"Регистрация по месту жительства", {"прописка", "постоянная регистрация"},
          "Регистрация гражданина по месту жительства."},
         {"Registration at the place of residence", {"permanent registration"}, "Register where you live."}},
        {"stay-registration", 150000, kPeopleAndForeigners, kEverywhere,
         {"Регистрация по месту пребывания", {"временная регистрация", "временная прописка"},
          "Временная регистрация гражданина по месту пребывания."},
         {"Registration at the place of stay", {"temporary registration"}, "Register where you stay."}},
        {"work-patent", 250000, {"foreigners"}, kEverywhere,
         {"Патент на работу для иностранных граждан",
          {"трудовой патент", "мигранты", "трудовая деятельность иностранцев"},
          "Оформление патента на осуществление трудовой деятельности иностранными гражданами."},
         {"Work patent for foreign citizens", {"work permit", "migrants"}, "Work patent for foreign citizens."}},
        {"temporary-residence", 100000, {"foreigners"}, kEverywhere,
         {"Разрешение на временное проживание", {"РВП", "иностранцы"},
          "Разрешение на временное проживание иностранного гражданина."},
         {"Temporary residence permit", {"residence permit"}, "Temporary residence permit for foreigners."}},
        {"meter-readings", 500000, kPeople, kEverywhere,
         {"Передача показаний счётчиков", {"счетчики воды", "ЖКХ", "электроэнергия"},
          "Передача показаний приборов учёта воды и электроэнергии."},
         {"Meter readings", {"utilities", "water meter"}, "Submit your meter readings."}},
        {"tax-deduction", 300000, kPeople, kEverywhere,
         {"Налоговый вычет", {"вычет за лечение", "вычет за обучение", "возврат НДФЛ", "3-НДФЛ"},
          "Получение имущественного и социального налогового вычета."},
         {"Tax deduction", {"tax refund"}, "Claim a tax deduction."}},
        {"maternity-capital", 250000, kPeople, kEverywhere,
         {"Материнский капитал", {"маткапитал", "сертификат на материнский капитал"},
          "Получение сертификата и распоряжение средствами материнского капитала."},
         {"Maternity capital", {"family capital"}, "Maternity capital certificate."}},
        {"unemployment", 150000, kPeople, kEverywhere,
         {"Пособие по безработице", {"центр занятости", "биржа труда", "безработный"},
          "Регистрация в центре занятости и назначение пособия по безработице."},
         {"Unemployment benefit", {"job centre"}, "Register as unemployed."}},
        {"hunting-licence", 50000, kPeople, kEverywhere,
         {"Выдача охотничьего билета", {"охота", "охотбилет"}, "Получение охотничьего билета единого образца."},
         {"Hunting licence", {"hunting"}, "Get a hunting licence."}},
        {"parking-perm", 60000, kPeople, {"59"},
         {"Оплата парковки в Перми", {"платная парковка", "парковка"}, "Оплата муниципальной платной парковки."},
         {"Parking payment in Perm", {"parking"}, "Pay for municipal parking."}},
        {"parking-moscow", 90000, kPeople, {"77"},
         {"Оплата парковки в Москве", {"платная парковка", "парковка"}, "Оплата городской платной парковки."},
         {"Parking payment in Moscow", {"parking"}, "Pay for city parking."}},
        {"egrn-extract", 200000, kEveryone, kEverywhere,
         {"Выписка <b>ЕГРН</b> & \"кадастр\"", {"недвижимость", "кадастровый номер"},
          "Выписка из Единого государственного реестра недвижимости."},
         {"Extract from the real estate register", {"real estate"}, "Real estate register extract."}},
    };
    std::vector<SearchDocument> docs;
    for (const ServiceSpec& s : specs) {
        SearchDocument d;
        d.id = s.id;
        d.popularity = s.popularity;
        d.audiences = s.audiences;
        d.regions = s.regions;
        d.ru = s.ru;
        d.en = s.en;
        d.de = s.de;
        d.fr = s.fr;
        docs.push_back(std::move(d));
    }
    return docs;
}

std::vector<catalog::SynonymGroup> test_synonyms() {
    return {
        {"загранпаспорт", "заграничный паспорт", "загран"},
        {"гибдд", "гаи", "штрафы"},
        {"детсад", "детский сад", "садик"},
        {"справка о несудимости", "справка об отсутствии судимости", "несудимость"},
        {"права", "водительское удостоверение"},
        {"прописка", "регистрация по месту жительства"},
        {"осаго", "автогражданка", "автостраховка"},
        {"машина", "автомобиль", "авто", "транспортное средство"},
        {"пфр", "сфр", "пенсионный фонд"},
        {"фссп", "приставы", "судебные приставы"},
        {"рвп", "разрешение на временное проживание"},
    };
}

const SearchIndex& index() {
    static const SearchIndex idx(test_catalog(), test_synonyms());
    return idx;
}

std::string first_id(std::string_view query, const SearchOptions& options = {}) {
    const auto r = index().search(query, options);
    return r.hits.empty() ? std::string("<nothing>") : r.hits.front().id;
}

std::vector<std::string> ids(const catalog::SearchResults& r) {
    std::vector<std::string> out;
    for (const auto& h : r.hits) out.push_back(h.id);
    return out;
}

struct QueryCase {
    const char* query;
    const char* expected_first;
    const char* lang = "ru";
};

// Queries as people type them, and the service that must come first.
const std::vector<QueryCase> kCases{
    // plain words and word forms
    {"загранпаспорт без чипа", "passport-foreign-old"},
    {"паспорт с чипом", "passport-foreign-chip"},
    {"паспорт", "passport-foreign-chip"},
    {"замена паспорта", "passport-replace"},
    {"паспорт в 45 лет", "passport-replace"},
    {"паспорт в 14 лет", "passport-first"},
    {"штрафов", "traffic-fines"},
    {"оплатить штраф гибдд", "traffic-fines"},
    {"долги по налогам", "tax-debts"},
    {"долги у приставов", "court-debts"},
    {"замена прав", "driving-licence"},
    {"поставить машину на учет", "vehicle-registration"},
    {"записать ребёнка в школу", "school"},
    {"свидетельство о рождении", "birth-certificate"},
    {"пенсионные баллы", "pension-statement"},
    {"запись к врачу", "doctor-appointment"},
    {"записаться к терапевту", "doctor-appointment"},
    {"узнать инн", "inn"},
    {"снилс", "snils"},
    {"проверить полис осаго", "osago-check"},
    {"патент для мигрантов", "work-patent"},
    {"развод", "divorce"},
    {"материнский капитал", "maternity-capital"},
    {"пособие по безработице", "unemployment"},
    {"вычет за лечение", "tax-deduction"},
    {"показания счетчиков", "meter-readings"},
    // typos
    {"пасспорт рф", "passport-replace"},
    {"замена пасспорта", "passport-replace"},
    {"штарфы", "traffic-fines"},
    {"детсат", "kindergarten"},
    {"регистрацыя брака", "marriage"},
    {"вадительское удостоверение", "driving-licence"},
    {"материнскй капитал", "maternity-capital"},
    // synonyms and colloquial names
    {"загранпаспорт", "passport-foreign-chip"},
    {"гаи", "traffic-fines"},
    {"детсад", "kindergarten"},
    {"садик", "kindergarten"},
    {"справка о несудимости", "criminal-record"},
    {"водительские права", "driving-licence"},
    {"прописка", "residence-registration"},
    {"автостраховка", "osago-check"},
    {"рвп", "temporary-residence"},
    // wrong keyboard layout
    {"gfcgjhn", "passport-foreign-chip"},
    {"inhfas", "traffic-fines"},
    {"pfvtyf gfcgjhnf", "passport-replace"},
    {"ltncrbq cfl", "kindergarten"},
    {"j[jnf", "hunting-licence"},
    {"ащкушпт зфыызщке", "passport-foreign-chip"},
    // English, German, French
    {"foreign passport", "passport-foreign-chip"},
    {"traffic fines", "traffic-fines"},
    {"driving licence", "driving-licence"},
    {"criminal record certificate", "criminal-record"},
    {"old passport without chip", "passport-foreign-old"},
    {"Reisepass", "passport-foreign-chip", "de"},
    {"amendes", "traffic-fines", "fr"},
    // case and Ё
    {"ЗАМЕНА ВОДИТЕЛЬСКОГО УДОСТОВЕРЕНИЯ", "driving-licence"},
    {"Регистрация Брака", "marriage"},
    {"выписка из лицевого счёта", "pension-statement"},
    {"Запись в ДЕТСКИЙ сад для ребёнка", "kindergarten"},
};

}  // namespace

TEST(SearchText, FoldsCaseAccentsAndYo) {
    const auto tokens = text::tokenize("ЁЛКА Ёжик école STRAßE Ça-va «Паспорт»,штрафы");
    std::vector<std::string> folded;
    for (const auto& t : tokens) folded.push_back(t.folded);
    EXPECT_EQ(folded, (std::vector<std::string>{"елка", "ежик", "ecole", "strasse", "ca", "va", "паспорт", "штрафы"}));
    EXPECT_EQ(tokens[2].lower, "école");
    // Decomposed й and é are composed or folded like the precomposed letters.
    const auto decomposed = text::tokenize("новыи\xCC\x86 e\xCC\x81" "cole");
    ASSERT_EQ(decomposed.size(), 2u);
    EXPECT_EQ(decomposed[0].folded, "новый");
    EXPECT_EQ(decomposed[1].folded, "ecole");
}

TEST(SearchText, InvalidUtf8AndControlsNeverBreakTokens) {
    const std::string bad = std::string("па\xFF\xFEспорт\xC3") + "\x01\x7f" + "\xED\xA0\x80" + "штраф";
    const auto tokens = text::tokenize(bad);
    ASSERT_EQ(tokens.size(), 3u);
    EXPECT_EQ(tokens[0].folded, "па");
    EXPECT_EQ(tokens[1].folded, "спорт");
    EXPECT_EQ(tokens[2].folded, "штраф");
    const std::string clean = text::sanitize(bad);
    EXPECT_EQ(text::encode_utf8(text::decode_utf8(clean)), clean);  // valid UTF-8
    EXPECT_EQ(clean.find('\x01'), std::string::npos);
    // Cutting never splits a character.
    EXPECT_EQ(text::cut_utf8("паспорт", 3), "п");
    EXPECT_EQ(text::cut_utf8("паспорт", 4), "па");
    EXPECT_EQ(text::cut_utf8("abc", 10), "abc");
}

TEST(SearchText, StopWordsAndStems) {
    const auto tokens = text::tokenize("справка о несудимости for the driver");
    std::vector<std::string> kept;
    for (const auto& t : tokens)
        if (!text::is_stop_word(t)) kept.push_back(t.folded);
    EXPECT_EQ(kept, (std::vector<std::string>{"справка", "несудимости", "driver"}));
    using text::StemLang;
    EXPECT_EQ(text::stem(StemLang::ru, "паспортом"), text::stem(StemLang::ru, "паспорт"));
    EXPECT_EQ(text::stem(StemLang::ru, "штрафов"), "штраф");
    EXPECT_EQ(text::stem(StemLang::en, "passports"), "passport");
    EXPECT_EQ(text::stem(StemLang::fr, "écoles"), "ecol");  // folded like words
}

TEST(SearchText, KeyboardLayoutSwap) {
    EXPECT_EQ(text::swap_keyboard_layout("gfcgjhn"), "паспорт");
    EXPECT_EQ(text::swap_keyboard_layout("руддщ"), "hello");
    EXPECT_EQ(text::swap_keyboard_layout("ltncfl"), "детсад");
    EXPECT_EQ(text::swap_keyboard_layout(";r[ j[jnf"), "жкх охота");
    EXPECT_EQ(text::swap_keyboard_layout("GFCGJHN"), "ПАСПОРТ");
    EXPECT_EQ(text::swap_keyboard_layout("ctkj"), "село");
    EXPECT_EQ(text::swap_keyboard_layout("mixed смесь"), "");
    EXPECT_EQ(text::swap_keyboard_layout("2024"), "");
}

TEST(SearchText, EditDistanceCountsCodePointsAndTranspositions) {
    using text::decode_utf8;
    using text::edit_distance;
    EXPECT_EQ(edit_distance(decode_utf8("штарфы"), decode_utf8("штрафы"), 2), 1);
    EXPECT_EQ(edit_distance(decode_utf8("пасспорт"), decode_utf8("паспорт"), 2), 1);
    EXPECT_EQ(edit_distance(decode_utf8("детсат"), decode_utf8("детсад"), 2), 1);
    EXPECT_EQ(edit_distance(decode_utf8("кот"), decode_utf8("кит"), 2), 1);
    EXPECT_EQ(edit_distance(decode_utf8("abcdef"), decode_utf8("uvwxyz"), 2), 3);  // capped at max + 1
    EXPECT_EQ(edit_distance(decode_utf8(""), decode_utf8("ab"), 2), 2);
}

TEST(SearchIndexQueries, RealUserQueriesFindTheRightServiceFirst) {
    ASSERT_GE(index().size(), 30u);
    ASSERT_GE(kCases.size(), 25u);
    int passed = 0;
    for (const QueryCase& c : kCases) {
        SearchOptions o;
        o.lang = c.lang;
        const auto r = index().search(c.query, o);
        const std::string got = r.hits.empty() ? "<nothing>" : r.hits.front().id;
        EXPECT_EQ(got, c.expected_first) << "query: " << c.query << " (total " << r.total << ")";
        if (got == c.expected_first) ++passed;
    }
    std::cout << "[ search  ] " << passed << " of " << kCases.size() << " queries found the expected service first\n";
}

TEST(SearchIndexQueries, WordFormsFindTheBaseWord) {
    for (const char* q : {"паспорта", "паспортом", "паспорту"}) {
        const auto r = index().search(q);
        ASSERT_GE(r.hits.size(), 3u) << q;
        EXPECT_FALSE(r.partial) << q;
        for (int i = 0; i < 3; ++i) EXPECT_EQ(r.hits[i].id.rfind("passport-", 0), 0u) << q << " → " << r.hits[i].id;
    }
    // A typo of the base word finds the same services.
    const auto typo = index().search("пасспорт");
    ASSERT_FALSE(typo.hits.empty());
    EXPECT_EQ(typo.hits.front().id.rfind("passport-", 0), 0u);
}

TEST(SearchIndexQueries, ExactBeatsStemBeatsTypo) {
    const auto exact = index().search("штрафы");
    const auto stem = index().search("штрафов");
    const auto typo = index().search("штарфы");
    ASSERT_FALSE(exact.hits.empty());
    ASSERT_FALSE(stem.hits.empty());
    ASSERT_FALSE(typo.hits.empty());
    EXPECT_GT(exact.hits[0].score, stem.hits[0].score);
    EXPECT_GT(stem.hits[0].score, typo.hits[0].score);
}

TEST(SearchIndexQueries, AllWordsBeatSomeAndFallBackToAny) {
    // Both words: only services having both.
    const auto both = index().search("заграничный паспорт");
    EXPECT_FALSE(both.partial);
    for (const auto& h : both.hits) EXPECT_EQ(h.id.rfind("passport-foreign", 0), 0u) << h.id;
    // An unknown word: fall back to services matching the others.
    const auto some = index().search("паспорт абракадабра");
    EXPECT_TRUE(some.partial);
    ASSERT_FALSE(some.hits.empty());
    EXPECT_EQ(some.hits.front().id.rfind("passport-", 0), 0u);
}

TEST(SearchIndexQueries, ShortWordsAreNotFuzzy) {
    EXPECT_EQ(index().search("инм").total, 0u);  // 3 letters: exact only, "инн" is not offered
    EXPECT_EQ(first_id("инн"), "inn");
    EXPECT_EQ(first_id("гаи"), "traffic-fines");
}

TEST(SearchIndexQueries, LayoutCorrectionIsReported) {
    const auto r = index().search("gfcgjhn");
    EXPECT_EQ(r.corrected_query, "паспорт");
    EXPECT_TRUE(index().search("паспорт").corrected_query.empty());
}

TEST(SearchIndexFilters, RegionFilterKeepsServicesOfTheRegionAndEverywhere) {
    EXPECT_EQ(index().search("оплата парковки").total, 2u);
    SearchOptions perm;
    perm.region = "59";
    auto r = index().search("оплата парковки", perm);
    EXPECT_EQ(ids(r), (std::vector<std::string>{"parking-perm"}));
    SearchOptions moscow;
    moscow.region = "77";
    EXPECT_EQ(ids(index().search("парковка", moscow)), (std::vector<std::string>{"parking-moscow"}));
    // Federal services ("*") apply in every region.
    EXPECT_EQ(first_id("штрафы гибдд", perm), "traffic-fines");
    SearchOptions elsewhere;
    elsewhere.region = "02";
    EXPECT_EQ(index().search("парковка", elsewhere).total, 0u);
}

TEST(SearchIndexFilters, AudienceFilter) {
    SearchOptions foreigners;
    foreigners.audience = "foreigners";
    foreigners.limit = 100;
    const auto r = index().search("регистрация", foreigners);
    ASSERT_FALSE(r.hits.empty());
    const std::vector<std::string> found_ids = ids(r);
    const std::set<std::string> found(found_ids.begin(), found_ids.end());
    EXPECT_TRUE(found.contains("stay-registration"));
    EXPECT_TRUE(found.contains("marriage"));
    EXPECT_FALSE(found.contains("residence-registration"));
    EXPECT_FALSE(found.contains("vehicle-registration"));
    EXPECT_EQ(first_id("патент", foreigners), "work-patent");
    SearchOptions legal;
    legal.audience = "legal";
    EXPECT_EQ(first_id("регистрация", legal), "vehicle-registration");
    EXPECT_EQ(index().search("патент", legal).total, 0u);
}

TEST(SearchIndexResults, PagingAndTotal) {
    SearchOptions all;
    all.limit = 100;
    const auto full = index().search("паспорт", all);
    ASSERT_GE(full.total, 4u);
    EXPECT_EQ(full.hits.size(), full.total);
    SearchOptions page;
    page.limit = 2;
    page.offset = 1;
    const auto second = index().search("паспорт", page);
    EXPECT_EQ(second.total, full.total);
    ASSERT_EQ(second.hits.size(), 2u);
    EXPECT_EQ(second.hits[0].id, full.hits[1].id);
    EXPECT_EQ(second.hits[1].id, full.hits[2].id);
    page.offset = 1000;
    EXPECT_TRUE(index().search("паспорт", page).hits.empty());
    page.offset = 0;
    page.limit = 100000;
    EXPECT_LE(index().search("паспорт", page).hits.size(), SearchIndex::kMaxLimit);
}

TEST(SearchIndexResults, HighlightsMatchedWordsInEscapedTitle) {
    const auto r = index().search("егрн");
    ASSERT_FALSE(r.hits.empty());
    EXPECT_EQ(r.hits[0].id, "egrn-extract");
    EXPECT_EQ(r.hits[0].title, "Выписка <b>ЕГРН</b> & \"кадастр\"");
    EXPECT_EQ(r.hits[0].title_html, "Выписка &lt;b&gt;<mark>ЕГРН</mark>&lt;/b&gt; &amp; &quot;кадастр&quot;");

    const auto forms = index().search("замены паспортов");
    ASSERT_FALSE(forms.hits.empty());
    EXPECT_EQ(forms.hits[0].title_html, "<mark>Замена</mark> <mark>паспорта</mark> гражданина РФ");

    // The title is shown in the language asked for.
    SearchOptions en;
    en.lang = "en";
    const auto english = index().search("штрафы", en);
    ASSERT_FALSE(english.hits.empty());
    EXPECT_EQ(english.hits[0].title, "Traffic police fines");

    // A query full of markup is only text, and never echoed unescaped.
    const auto markup = index().search("<mark>паспорт</mark><script>alert(1)</script>");
    for (const auto& h : markup.hits) {
        EXPECT_EQ(h.title_html.find("<script"), std::string::npos);
        EXPECT_EQ(h.title_html.find("<b>"), std::string::npos);
    }
}

TEST(SearchIndexInput, EmptyBlankAndHostileInput) {
    EXPECT_EQ(index().search("").total, 0u);
    EXPECT_EQ(index().search("   \t\n\r ").total, 0u);
    EXPECT_EQ(index().search("и в на").total, 0u);  // only stop words
    EXPECT_EQ(index().search("!!! ??? ...").total, 0u);
    EXPECT_EQ(first_id("\x01паспорт\x02\x7f"), "passport-foreign-chip");
    EXPECT_EQ(first_id("\xFF\xFEштрафы\xC3"), "traffic-fines");
    EXPECT_EQ(first_id(std::string("штрафы\0гибдд", 23)), "traffic-fines");
    // SQL-looking text is text.
    const auto sql = index().search("'; DROP TABLE services; -- паспорт");
    ASSERT_FALSE(sql.hits.empty());
    EXPECT_EQ(sql.hits.front().id.rfind("passport-", 0), 0u);
    // Random bytes never crash.
    std::string noise;
    for (int i = 0; i < 5000; ++i) noise.push_back(static_cast<char>((i * 7919 + 13) % 256));
    for (std::size_t i = 0; i + 64 < noise.size(); i += 61) {
        (void)index().search(noise.substr(i, 64 + i % 190));
        (void)index().suggest(noise.substr(i, 32));
    }
}

TEST(SearchIndexInput, OverlongQueriesAreCutOnACharacterBoundary) {
    std::string longq = "штрафы ";
    while (longq.size() < 5000) longq += "паспорт ";
    const auto r = index().search(longq);
    EXPECT_FALSE(r.hits.empty());
    // The cut lands inside a two-byte letter: no crash, no invalid output.
    std::string odd = "ш" + std::string(197, 'a') + "ффф";
    EXPECT_NO_THROW((void)index().search(odd));
    // Words beyond the first 200 bytes are ignored.
    std::string padded(195, ' ');
    padded += "штрафы";
    EXPECT_EQ(index().search(padded).total, 0u);
}

TEST(SearchIndexSuggest, CompletesTheLastWord) {
    const auto s = index().suggest("загр");
    ASSERT_GE(s.size(), 2u);
    EXPECT_EQ(s[0].id, "passport-foreign-chip");
    EXPECT_EQ(s[0].title_html.rfind("<mark>Заграничный</mark>", 0), 0u);
    const auto two = index().suggest("замена пас");
    ASSERT_FALSE(two.empty());
    EXPECT_EQ(two[0].id, "passport-replace");
    const auto doctor = index().suggest("запись к вр");
    ASSERT_FALSE(doctor.empty());
    EXPECT_EQ(doctor[0].id, "doctor-appointment");
    // A finished last word (trailing space) is matched whole, forms included.
    const auto finished = index().suggest("штрафов ");
    ASSERT_FALSE(finished.empty());
    EXPECT_EQ(finished[0].id, "traffic-fines");
    // Wrong layout while typing.
    const auto layout = index().suggest("inhf");
    ASSERT_FALSE(layout.empty());
    EXPECT_EQ(layout[0].id, "traffic-fines");
    // Limits and empty input.
    SearchOptions one;
    one.limit = 1;
    EXPECT_EQ(index().suggest("за", one).size(), 1u);
    EXPECT_TRUE(index().suggest("").empty());
    EXPECT_TRUE(index().suggest("   ").empty());
    EXPECT_TRUE(index().suggest("щщщщщ").empty());
}

TEST(SearchIndexConcurrency, ParallelQueriesGiveIdenticalResults) {
    // Reference answers from this thread.
    std::vector<std::vector<std::pair<std::string, double>>> expected;
    for (const QueryCase& c : kCases) {
        SearchOptions o;
        o.lang = c.lang;
        std::vector<std::pair<std::string, double>> hits;
        for (const auto& h : index().search(c.query, o).hits) hits.emplace_back(h.id, h.score);
        expected.push_back(std::move(hits));
    }
    constexpr int kThreads = 8;
    std::vector<int> mismatches(kThreads, 0);
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
        threads.emplace_back([&, t] {
            for (int round = 0; round < 10; ++round) {
                for (std::size_t i = 0; i < kCases.size(); ++i) {
                    const std::size_t k = (i + static_cast<std::size_t>(t) * 7) % kCases.size();
                    SearchOptions o;
                    o.lang = kCases[k].lang;
                    std::vector<std::pair<std::string, double>> hits;
                    for (const auto& h : index().search(kCases[k].query, o).hits) hits.emplace_back(h.id, h.score);
                    if (hits != expected[k]) ++mismatches[t];
                    (void)index().suggest(kCases[k].query);
                }
            }
        });
    }
    for (auto& th : threads) th.join();
    for (int t = 0; t < kThreads; ++t) EXPECT_EQ(mismatches[t], 0) << "thread " << t;
}

TEST(SearchIndexBuild, EmptyIndexAndDocumentsWithoutText) {
    const SearchIndex empty({}, {});
    EXPECT_EQ(empty.size(), 0u);
    EXPECT_EQ(empty.search("паспорт").total, 0u);
    EXPECT_TRUE(empty.suggest("па").empty());

    SearchDocument bare;
    bare.id = "bare";
    SearchDocument german;
    german.id = "de-only";
    german.de.title = "Führerschein umtauschen";
    const SearchIndex idx({bare, german}, {{"einzig"}});  // a group of one phrase is ignored
    EXPECT_EQ(idx.size(), 2u);
    const auto r = idx.search("fuhrerschein");  // without the umlaut
    ASSERT_EQ(r.hits.size(), 1u);
    EXPECT_EQ(r.hits[0].id, "de-only");
    EXPECT_EQ(r.hits[0].title, "Führerschein umtauschen");  // falls back to the title there is
}

TEST(SearchIndexFilters, SettlementFilterAppliesOnlyToServicesBoundToSettlements) {
    SearchDocument perm_city;
    perm_city.id = "bus-perm";
    perm_city.ru.title = "Проездной на автобус";
    perm_city.regions = {"59"};
    perm_city.settlements = {"perm"};
    SearchDocument kungur = perm_city;
    kungur.id = "bus-kungur";
    kungur.settlements = {"kungur"};
    SearchDocument region_wide = perm_city;
    region_wide.id = "bus-region";
    region_wide.settlements.clear();
    const SearchIndex idx({perm_city, kungur, region_wide}, {});
    SearchOptions o;
    o.region = "59";
    o.settlement = "kungur";
    // One service with copies for some places: one hit standing for the copies offered there.
    const auto r = idx.search("проездной автобус", o);
    ASSERT_EQ(r.hits.size(), 1u);
    std::vector<std::string> found = r.hits.front().copies;
    std::sort(found.begin(), found.end());
    EXPECT_EQ(found, (std::vector<std::string>{"bus-kungur", "bus-region"}));
    EXPECT_TRUE(r.hits.front().in_region);
    o.settlement.clear();
    const auto region = idx.search("проездной", o);
    EXPECT_EQ(region.total, 1u);
    ASSERT_EQ(region.hits.size(), 1u);
    EXPECT_EQ(region.hits.front().copies.size(), 3u);
}

TEST(SearchIndexQueries, LatinTyposAndWordForms) {
    SearchOptions en;
    en.lang = "en";
    EXPECT_EQ(first_id("foreign pasport", en), "passport-foreign-chip");
    EXPECT_EQ(first_id("trafic fines", en), "traffic-fines");
    EXPECT_EQ(first_id("passports without chips", en), "passport-foreign-old");
}
