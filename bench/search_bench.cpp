// Latency of the catalog search index (CAT-2) over a synthetic catalog of
// 10,000 services made from ~50 realistic base services (regional variants,
// numbering, shuffled words, generated settlement names).
//
// Each benchmark times every query on its own and reports the 50th and 99th
// percentiles as counters (p50_us, p99_us); the summary at the end prints them
// per kind of query against the budget: p99 < 1 ms per query.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <chrono>
#include <ctime>
#include <cstdio>
#include <map>
#include <mutex>
#include <random>
#include <string>
#include <vector>

#include "catalog/search_index.hpp"

using uslugi::catalog::SearchDocument;
using uslugi::catalog::SearchIndex;
using uslugi::catalog::SearchOptions;

namespace {

constexpr std::size_t kServices = 10000;
constexpr double kBudgetUs = 1000.0;

struct Base {
    const char* id;
    const char* title;
    std::vector<const char*> keywords;
    const char* description;
    const char* title_en;
};

const std::vector<Base> kBase{
    {"passport-foreign-chip", "Заграничный паспорт нового образца на 10 лет", {"загранпаспорт", "биометрический паспорт", "выезд за границу"}, "Оформление биометрического заграничного паспорта с электронным чипом.", "Foreign passport of the new type"},
    {"passport-foreign-old", "Заграничный паспорт старого образца на 5 лет", {"загранпаспорт", "паспорт без чипа"}, "Оформление заграничного паспорта сроком на 5 лет, в том числе детям.", "Foreign passport of the old type"},
    {"passport-replace", "Замена паспорта гражданина РФ", {"замена паспорта в 20 и 45 лет", "смена фамилии", "утеря паспорта"}, "Замена внутреннего паспорта при достижении 20 или 45 лет, смене фамилии, порче или утере.", "Replacement of the internal passport"},
    {"passport-first", "Получение паспорта гражданина РФ в 14 лет", {"первый паспорт"}, "Первичное получение паспорта подростком.", "First internal passport"},
    {"traffic-fines", "Штрафы ГИБДД", {"проверка штрафов", "оплата штрафов", "штрафы ПДД", "камеры"}, "Проверка и оплата штрафов за нарушение правил дорожного движения со скидкой.", "Traffic police fines"},
    {"tax-debts", "Налоговая задолженность", {"налоги", "долги по налогам", "транспортный налог", "налог на имущество"}, "Проверка и оплата налоговой задолженности физических лиц по ИНН.", "Tax debts"},
    {"court-debts", "Судебная задолженность", {"ФССП", "приставы", "исполнительное производство"}, "Проверка задолженности по исполнительным производствам у судебных приставов.", "Court debts"},
    {"driving-licence", "Замена водительского удостоверения", {"водительские права", "замена прав"}, "Замена водительского удостоверения в связи с истечением срока действия.", "Replacement of a driving licence"},
    {"driving-permit", "Выдача международного водительского удостоверения", {"МВУ"}, "Международное водительское удостоверение для поездок за рубеж.", "International driving permit"},
    {"vehicle-registration", "Регистрация транспортного средства", {"постановка на учёт автомобиля", "регистрация авто", "номера"}, "Постановка автомобиля на учёт в ГИБДД после покупки.", "Vehicle registration"},
    {"vehicle-deregistration", "Снятие транспортного средства с учёта", {"утилизация", "вывоз за границу"}, "Снятие автомобиля с регистрационного учёта.", "Vehicle deregistration"},
    {"kindergarten", "Запись в детский сад", {"очередь в детский сад", "дошкольное образование", "ясли"}, "Постановка ребёнка в очередь в детский сад.", "Kindergarten enrolment"},
    {"school", "Запись в первый класс", {"зачисление в школу", "школа", "первоклассник"}, "Заявление на зачисление ребёнка в первый класс.", "School enrolment"},
    {"marriage", "Регистрация брака", {"ЗАГС", "свадьба", "бракосочетание"}, "Подача заявления на регистрацию брака: выбор ЗАГСа, даты и времени.", "Marriage registration"},
    {"divorce", "Расторжение брака", {"развод"}, "Заявление о расторжении брака по взаимному согласию.", "Divorce"},
    {"birth", "Регистрация рождения и свидетельство о рождении", {"рождение ребенка", "новорожденный"}, "Государственная регистрация рождения ребёнка.", "Birth registration"},
    {"pension-statement", "Выписка из индивидуального лицевого счёта", {"пенсионные баллы", "стаж", "СФР"}, "Сведения о состоянии пенсионного счёта.", "Pension account statement"},
    {"pension-assign", "Назначение пенсии по старости", {"пенсия", "выход на пенсию"}, "Заявление о назначении страховой пенсии по старости.", "Old-age pension"},
    {"doctor", "Запись на приём к врачу", {"поликлиника", "терапевт", "запись к врачу", "талон"}, "Запись на приём к терапевту, педиатру и другим врачам.", "Doctor's appointment"},
    {"criminal-record", "Справка об отсутствии судимости", {"справка о несудимости", "МВД"}, "Справка о наличии или отсутствии судимости.", "Certificate of no criminal record"},
    {"inn", "Узнать ИНН", {"идентификационный номер налогоплательщика"}, "Узнать свой ИНН по паспортным данным.", "Find your INN"},
    {"snils", "Получение СНИЛС", {"страховое свидетельство", "страховой номер"}, "Регистрация в системе индивидуального учёта.", "SNILS"},
    {"osago", "Проверка полиса ОСАГО", {"автогражданка", "страховка автомобиля"}, "Проверка действительности полиса ОСАГО.", "OSAGO policy check"},
    {"residence", "Регистрация по месту жительства", {"прописка", "постоянная регистрация"}, "Регистрация гражданина по месту жительства.", "Registration at the place of residence"},
    {"stay", "Регистрация по месту пребывания", {"временная регистрация"}, "Временная регистрация по месту пребывания.", "Registration at the place of stay"},
    {"work-patent", "Патент на работу для иностранных граждан", {"трудовой патент", "мигранты"}, "Оформление патента на трудовую деятельность иностранными гражданами.", "Work patent for foreign citizens"},
    {"rvp", "Разрешение на временное проживание", {"РВП", "иностранцы"}, "Разрешение на временное проживание иностранного гражданина.", "Temporary residence permit"},
    {"meters", "Передача показаний счётчиков", {"счетчики воды", "ЖКХ"}, "Передача показаний приборов учёта воды и электроэнергии.", "Meter readings"},
    {"tax-deduction", "Налоговый вычет", {"вычет за лечение", "возврат НДФЛ", "3-НДФЛ"}, "Получение имущественного и социального налогового вычета.", "Tax deduction"},
    {"maternity", "Материнский капитал", {"маткапитал", "сертификат"}, "Получение сертификата и распоряжение средствами материнского капитала.", "Maternity capital"},
    {"unemployment", "Пособие по безработице", {"центр занятости", "биржа труда"}, "Регистрация в центре занятости и назначение пособия.", "Unemployment benefit"},
    {"hunting", "Выдача охотничьего билета", {"охота", "охотбилет"}, "Получение охотничьего билета единого образца.", "Hunting licence"},
    {"parking", "Оплата парковки", {"платная парковка", "парковочное разрешение"}, "Оплата муниципальной платной парковки.", "Parking payment"},
    {"egrn", "Выписка из ЕГРН", {"недвижимость", "кадастровый номер"}, "Выписка из Единого государственного реестра недвижимости.", "Real estate register extract"},
    {"weapons", "Лицензия на приобретение оружия", {"оружие", "Росгвардия"}, "Получение лицензии на приобретение гражданского оружия.", "Firearms licence"},
    {"child-benefit", "Единое пособие на детей", {"детские пособия", "выплаты на ребёнка"}, "Назначение единого пособия семьям с детьми.", "Universal child benefit"},
    {"large-family", "Удостоверение многодетной семьи", {"многодетные", "льготы"}, "Получение удостоверения многодетной семьи.", "Large family certificate"},
    {"disability", "Установление инвалидности", {"МСЭ", "медико-социальная экспертиза"}, "Направление на медико-социальную экспертизу.", "Disability assessment"},
    {"land", "Предоставление земельного участка", {"земля", "участок в аренду"}, "Предоставление земельного участка в аренду или собственность.", "Land plot allocation"},
    {"building-permit", "Разрешение на строительство", {"стройка", "ИЖС"}, "Выдача разрешения на строительство объекта.", "Building permit"},
    {"business-registration", "Регистрация ИП", {"индивидуальный предприниматель", "открыть ИП"}, "Государственная регистрация индивидуального предпринимателя.", "Sole proprietor registration"},
    {"self-employed", "Регистрация самозанятого", {"налог на профессиональный доход", "НПД"}, "Постановка на учёт в качестве плательщика налога на профессиональный доход.", "Self-employed registration"},
    {"polis-oms", "Полис ОМС", {"медицинский полис", "страховая медицинская организация"}, "Оформление полиса обязательного медицинского страхования.", "Compulsory health insurance policy"},
    {"vaccination", "Запись на вакцинацию", {"прививка", "вакцина"}, "Запись на профилактическую прививку в поликлинику.", "Vaccination appointment"},
    {"education-certificate", "Подтверждение документа об образовании", {"апостиль", "диплом"}, "Проставление апостиля на документ об образовании.", "Apostille on education documents"},
    {"military", "Постановка на воинский учёт", {"военкомат", "военный билет"}, "Постановка граждан на воинский учёт.", "Military registration"},
    {"fishing", "Разрешение на добычу водных биоресурсов", {"рыбалка", "рыболовство"}, "Выдача разрешения на любительское рыболовство.", "Fishing permit"},
    {"housing-subsidy", "Субсидия на оплату ЖКУ", {"субсидия", "коммунальные услуги"}, "Предоставление субсидии на оплату жилого помещения и коммунальных услуг.", "Housing and utilities subsidy"},
    {"name-change", "Перемена имени", {"смена фамилии", "смена имени"}, "Государственная регистрация перемены имени.", "Change of name"},
    {"death", "Регистрация смерти", {"свидетельство о смерти"}, "Государственная регистрация смерти.", "Death registration"},
};

struct Region {
    const char* code;
    const char* name;  // as in "… в Пермском крае"
};

const std::vector<Region> kRegions{
    {"77", "в Москве"},           {"78", "в Санкт-Петербурге"},      {"59", "в Пермском крае"},
    {"66", "в Свердловской области"}, {"16", "в Республике Татарстан"}, {"02", "в Республике Башкортостан"},
    {"54", "в Новосибирской области"}, {"23", "в Краснодарском крае"},  {"63", "в Самарской области"},
    {"52", "в Нижегородской области"}, {"74", "в Челябинской области"}, {"24", "в Красноярском крае"},
    {"61", "в Ростовской области"},    {"36", "в Воронежской области"}, {"38", "в Иркутской области"},
    {"25", "в Приморском крае"},       {"39", "в Калининградской области"}, {"18", "в Удмуртской Республике"},
    {"43", "в Кировской области"},     {"55", "в Омской области"},
};

// Settlement names from syllables: a large vocabulary like a real catalog's.
std::string settlement_name(std::mt19937& rng) {
    static const std::vector<std::string> heads{"Бер", "Кам", "Ольх", "Сосн", "Крас", "Бел", "Зелен", "Нов", "Стар",
                                                "Лес", "Луг", "Озер", "Реч", "Гор", "Дуб", "Лип", "Клен", "Ряб",
                                                "Черн", "Сух", "Мох", "Ясн", "Тих", "Вол", "Зар"};
    static const std::vector<std::string> mids{"ез", "он", "ан", "ов", "ин", "ял", "ар", "ут", "ик", "ом"};
    static const std::vector<std::string> tails{"овка", "ино", "ево", "ск", "ое", "ичи", "ово", "ец", "ный", "ка"};
    std::string s = heads[rng() % heads.size()];
    if (rng() % 2) s += mids[rng() % mids.size()];
    s += tails[rng() % tails.size()];
    return s;
}

std::vector<SearchDocument> synthetic_catalog() {
    std::mt19937 rng(20240);
    std::vector<SearchDocument> docs;
    docs.reserve(kServices);
    for (std::size_t k = 0; k < kServices; ++k) {
        const Base& b = kBase[k % kBase.size()];
        const std::size_t variant = k / kBase.size();
        SearchDocument d;
        d.id = std::string(b.id) + "-" + std::to_string(variant);
        std::string title = b.title;
        if (variant % 4 == 3) {  // shuffled words, as some authorities phrase it
            std::vector<std::string> words;
            for (std::size_t p = 0, q; p < title.size(); p = q + 1) {
                q = title.find(' ', p);
                if (q == std::string::npos) q = title.size();
                words.push_back(title.substr(p, q - p));
            }
            std::rotate(words.begin(), words.begin() + 1, words.end());
            title.clear();
            for (const auto& w : words) title += (title.empty() ? "" : " ") + w;
        }
        if (variant == 0) {
            d.regions = {"*"};
        } else {
            const Region& r = kRegions[variant % kRegions.size()];
            d.regions = {r.code};
            title += std::string(" ") + r.name;
            if (variant >= kRegions.size()) title += " (№ " + std::to_string(variant / kRegions.size()) + ")";
        }
        d.ru.title = title;
        std::vector<std::string> keywords(b.keywords.begin(), b.keywords.end());
        std::shuffle(keywords.begin(), keywords.end(), rng);
        d.ru.keywords = keywords;
        d.ru.description = std::string(b.description) + " Отделение в населённом пункте " + settlement_name(rng) +
                           ", код услуги " + std::to_string(1000 + k) + ".";
        d.en.title = b.title_en;
        d.popularity = static_cast<int>(rng() % 1000000);
        d.audiences = (k % 7 == 0) ? std::vector<std::string>{"individuals", "foreigners"}
                                   : std::vector<std::string>{"individuals"};
        docs.push_back(std::move(d));
    }
    return docs;
}

std::vector<uslugi::catalog::SynonymGroup> synonyms() {
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
        {"ип", "индивидуальный предприниматель"},
        {"омс", "медицинский полис"},
        {"прививка", "вакцинация"},
    };
}

double build_ms = 0;

const SearchIndex& index() {
    static const SearchIndex idx = [] {
        auto docs = synthetic_catalog();
        const auto start = std::chrono::steady_clock::now();
        SearchIndex built(std::move(docs), synonyms());
        build_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
        return built;
    }();
    return idx;
}

const std::map<std::string, std::vector<std::string>> kQueries{
    {"1_exact", {"штрафы гибдд", "загранпаспорт", "регистрация брака", "снилс", "материнский капитал", "паспорт",
                 "налоговый вычет", "пособие"}},
    {"2_word_form", {"паспорта", "штрафов", "записаться к врачу", "налогов", "водительских прав", "пенсии",
                     "детских садов", "справку"}},
    {"3_typo", {"пасспорт", "штарфы", "детсат", "регистрацыя брака", "вадительское удостоверение", "налоговй вычет",
                "матиринский капитал", "поликлинника"}},
    {"4_layout", {"gfcgjhn", "inhfas", "pfgbcm r dhfxe", "ltncrbq cfl", "cybkc", "yfkjub", "ащкушпт зфыызщке"}},
    {"5_synonym", {"гаи", "детсад", "справка о несудимости", "прописка", "автогражданка", "садик", "открыть ип",
                   "прививка"}},
    {"6_three_words", {"замена водительского удостоверения", "оплата штрафов гибдд", "запись детский сад",
                       "выписка лицевого счета", "пособие по безработице москве", "заграничный паспорт ребенку",
                       "регистрация транспортного средства", "справка отсутствии судимости"}},
    {"8_translit", {"zagranpasport", "shtrafy gibdd", "pasport", "propiska", "detskiy sad", "matkapital", "pensiya",
                    "zapis k vrachu"}},
    {"9_fillers", {"как получить загранпаспорт", "проверить штрафы гаи", "где оформить пенсию", "хочу узнать инн",
                   "как записаться к врачу онлайн", "получить справку о несудимости"}},
};

// Wall-clock and this thread's CPU time of one call, in microseconds. On a
// shared machine the wall clock also counts time the thread was preempted;
// the CPU time is what the search itself costs.
struct Timing {
    double wall_us = 0;
    double cpu_us = 0;
};

double thread_cpu_us() {
    timespec ts{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return static_cast<double>(ts.tv_sec) * 1e6 + static_cast<double>(ts.tv_nsec) / 1e3;
}

template <class F>
Timing timed(F&& f) {
    const double cpu0 = thread_cpu_us();
    const auto wall0 = std::chrono::steady_clock::now();
    f();
    const auto wall1 = std::chrono::steady_clock::now();
    const double cpu1 = thread_cpu_us();
    return Timing{std::chrono::duration<double, std::micro>(wall1 - wall0).count(), cpu1 - cpu0};
}

// Worst case: 200-byte queries of long unknown words. Every word goes through
// the typo search (distance 2) and the keyboard-layout retry.
std::vector<std::string> adversarial_queries() {
    std::mt19937 rng(7);
    const std::u32string cyrillic = U"абвгдежзиклмнопрстуфхцчшщыэюя";
    const std::u32string latin = U"abcdefghijklmnopqrstuvwxyz";
    std::vector<std::string> out;
    for (int q = 0; q < 8; ++q) {
        const std::u32string& letters = q % 2 == 0 ? cyrillic : latin;
        std::string query;
        while (true) {
            std::string word;
            const std::size_t len = 8 + rng() % 10;
            for (std::size_t i = 0; i < len; ++i) {
                const char32_t c = letters[rng() % letters.size()];
                if (c < 0x80) {
                    word.push_back(static_cast<char>(c));
                } else {
                    word.push_back(static_cast<char>(0xC0 | (c >> 6)));
                    word.push_back(static_cast<char>(0x80 | (c & 0x3F)));
                }
            }
            if (query.size() + word.size() + 1 > SearchIndex::kMaxQueryBytes) break;
            query += (query.empty() ? "" : " ") + word;
        }
        out.push_back(query);
    }
    return out;
}

struct Percentiles {
    double p50 = 0, p99 = 0, max = 0;
    std::size_t count = 0;
};

Percentiles percentiles(std::vector<double> us) {
    Percentiles p;
    if (us.empty()) return p;
    std::sort(us.begin(), us.end());
    auto at = [&](double q) { return us[std::min(us.size() - 1, static_cast<std::size_t>(q * static_cast<double>(us.size())))]; };
    p.p50 = at(0.50);
    p.p99 = at(0.99);
    p.max = us.back();
    p.count = us.size();
    return p;
}

std::mutex g_mutex;
std::map<std::string, std::pair<std::vector<double>, std::vector<double>>> g_timings;  // kind → wall, cpu (us)

void record(const std::string& kind, const std::vector<Timing>& local, benchmark::State& state) {
    std::vector<double> wall, cpu;
    for (const Timing& t : local) {
        wall.push_back(t.wall_us);
        cpu.push_back(t.cpu_us);
    }
    const Percentiles pw = percentiles(wall), pc = percentiles(cpu);
    state.counters["p50_us"] = pw.p50;
    state.counters["p99_us"] = pw.p99;
    state.counters["cpu_p99_us"] = pc.p99;
    std::lock_guard lock(g_mutex);
    auto& all = g_timings[kind];
    all.first.insert(all.first.end(), wall.begin(), wall.end());
    all.second.insert(all.second.end(), cpu.begin(), cpu.end());
}

void BM_Search(benchmark::State& state, const std::string& kind) {
    const SearchIndex& idx = index();
    std::vector<std::string> queries;
    if (kind == "all") {
        for (const auto& [k, qs] : kQueries) queries.insert(queries.end(), qs.begin(), qs.end());
    } else if (kind == "7_adversarial") {
        queries = adversarial_queries();
    } else {
        queries = kQueries.at(kind);
    }
    SearchOptions options;
    std::vector<Timing> local;
    std::size_t i = static_cast<std::size_t>(state.thread_index()) * 3, total = 0;
    for (auto _ : state) {
        const std::string& q = queries[i++ % queries.size()];
        uslugi::catalog::SearchResults r;
        local.push_back(timed([&] { r = idx.search(q, options); }));
        benchmark::DoNotOptimize(r);
        total += r.total;
    }
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
    state.counters["found_avg"] = benchmark::Counter(static_cast<double>(total), benchmark::Counter::kAvgIterations);
    record(state.threads() > 1 ? kind + " (" + std::to_string(state.threads()) + " threads)" : kind, local, state);
}

void BM_Suggest(benchmark::State& state) {
    const SearchIndex& idx = index();
    const std::vector<std::string> prefixes{"п", "па", "пасп", "загр", "штр", "запись к в", "регистрация т", "gfc",
                                            "справка о нес", "материнский к"};
    SearchOptions options;
    std::vector<Timing> local;
    std::size_t i = 0;
    for (auto _ : state) {
        const std::string& q = prefixes[i++ % prefixes.size()];
        std::vector<uslugi::catalog::Suggestion> r;
        local.push_back(timed([&] { r = idx.suggest(q, options); }));
        benchmark::DoNotOptimize(r);
    }
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
    record("suggest", local, state);
}

void BM_SearchRegion(benchmark::State& state) {
    const SearchIndex& idx = index();
    SearchOptions options;
    options.region = "59";
    options.audience = "individuals";
    std::vector<std::string> queries;
    for (const auto& [k, qs] : kQueries) queries.insert(queries.end(), qs.begin(), qs.end());
    std::vector<Timing> local;
    std::size_t i = 0;
    for (auto _ : state) {
        uslugi::catalog::SearchResults r;
        local.push_back(timed([&] { r = idx.search(queries[i++ % queries.size()], options); }));
        benchmark::DoNotOptimize(r);
    }
    record("all, region+audience filter", local, state);
}

}  // namespace

BENCHMARK_CAPTURE(BM_Search, exact, std::string("1_exact"))->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(BM_Search, word_form, std::string("2_word_form"))->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(BM_Search, typo, std::string("3_typo"))->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(BM_Search, layout, std::string("4_layout"))->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(BM_Search, synonym, std::string("5_synonym"))->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(BM_Search, three_words, std::string("6_three_words"))->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(BM_Search, adversarial, std::string("7_adversarial"))->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(BM_Search, translit, std::string("8_translit"))->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(BM_Search, fillers, std::string("9_fillers"))->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(BM_Search, mix, std::string("all"))->Unit(benchmark::kMicrosecond)->Threads(1)->Threads(2);
BENCHMARK(BM_SearchRegion)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_Suggest)->Unit(benchmark::kMicrosecond);

int main(int argc, char** argv) {
    benchmark::Initialize(&argc, argv);
    if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
    const SearchIndex& idx = index();
    std::printf("search index: %zu services, %zu distinct words, built in %.0f ms\n", idx.size(), idx.vocabulary_size(),
                build_ms);
    benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();

    std::printf("\nPer-query latency over all runs, microseconds (budget: p99 < %.0f us).\n", kBudgetUs);
    std::printf("wall = elapsed time (includes preemption on a shared machine); cpu = this thread's CPU time.\n");
    std::printf("%-30s %8s %9s %9s %9s %9s %9s %11s\n", "queries", "count", "wall p50", "wall p99", "cpu p50",
                "cpu p99", "cpu max", "p99/budget");
    bool wall_ok = true, cpu_ok = true;
    for (const auto& [kind, times] : g_timings) {
        const Percentiles pw = percentiles(times.first), pc = percentiles(times.second);
        std::printf("%-30s %8zu %9.1f %9.1f %9.1f %9.1f %9.1f %11.3f\n", kind.c_str(), pw.count, pw.p50, pw.p99,
                    pc.p50, pc.p99, pc.max, pw.p99 / kBudgetUs);
        if (kind == "suggest" || kind.find("threads") != std::string::npos) continue;
        if (pw.p99 >= kBudgetUs) wall_ok = false;
        if (pc.p99 >= kBudgetUs) cpu_ok = false;
    }
    std::printf("target p99 < 1 ms per search query (single thread): wall %s, cpu %s\n", wall_ok ? "met" : "MISSED",
                cpu_ok ? "met" : "MISSED");
    return 0;
}
