#!/usr/bin/python3
"""Generates the demo data of the registries sandbox (`uslugi registries`):
data/registries/people.json and data/registries/organisations.json.

Deterministic: a seeded RNG and no dependence on today's date, so running it
again gives byte-identical files (commit the output together with changes here).

    /usr/bin/python3 scripts/gen-registries-data.py [--out data/registries] [--count 240]

Rules the data follows (SPEC "Reference facts"; checked again by the unit tests
in tests/unit/registries/):
  * SNILS and INN carry correct control digits; OGRN/OGRNIP too.
  * Every UIN (traffic police 188…, tax 182…, bailiffs 322…) is 20 digits with
    the control digit of the UIN rule.
  * A passport issued before 20 is valid until the 20th birthday + 90 days, one
    issued before 45 until the 45th birthday + 90 days, one issued at 45 or
    later has no end ("valid_until": null). Valid passports here stay valid
    until at least 2032; expired ones ended before 2026.
  * Dates of fines, court cases and tax years are relative ("days_ago",
    "year_offset"): the sandbox turns them into dates from the day it runs, so a
    fine that is "5 days old" still has its discount whenever the demo is shown.
"""
import argparse
import datetime as dt
import json
import os
import random

SEED = 20260115
REF = dt.date(2026, 1, 1)  # "today" for ages; the data never depends on the real date

# ---------------------------------------------------------------- control digits


def snils_control(body9):
    s = sum(int(c) * (9 - i) for i, c in enumerate(body9))
    if s < 100:
        return s
    if s in (100, 101):
        return 0
    r = s % 101
    return 0 if r == 100 else r


def format_snils(body9):
    return f"{body9[0:3]}-{body9[3:6]}-{body9[6:9]} {snils_control(body9):02d}"


def inn_person(first10):
    w11 = [7, 2, 4, 10, 3, 5, 9, 4, 6, 8]
    d11 = sum(int(c) * w for c, w in zip(first10, w11)) % 11 % 10
    s11 = first10 + str(d11)
    w12 = [3, 7, 2, 4, 10, 3, 5, 9, 4, 6, 8]
    d12 = sum(int(c) * w for c, w in zip(s11, w12)) % 11 % 10
    return s11 + str(d12)


def inn_org(first9):
    w = [2, 4, 10, 3, 5, 9, 4, 6, 8]
    return first9 + str(sum(int(c) * x for c, x in zip(first9, w)) % 11 % 10)


def ogrn(first12):
    return first12 + str(int(first12) % 11 % 10)


def ogrnip(first14):
    return first14 + str(int(first14) % 13 % 10)


def uin(first19):
    assert len(first19) == 19 and first19.isdigit()

    def residue(start):
        return sum(int(c) * ((start - 1 + i) % 10 + 1) for i, c in enumerate(first19)) % 11

    r = residue(1)
    if r == 10:
        r = residue(3)
        if r == 10:
            r = 0
    return first19 + str(r)


assert format_snils("112233445") == "112-233-445 95"
assert inn_person("5001007322") == "500100732259"
assert inn_org("770708389") == "7707083893"
assert ogrn("102770013219") == "1027700132195"
assert ogrnip("30450011600015") == "304500116000157"
assert uin("1881047718000123456") == "18810477180001234563"


def post_tracking(first13):
    """Russian Post 14-digit tracking number: odd positions ×3 plus even ones."""
    s = sum(int(c) * (3 if i % 2 == 0 else 1) for i, c in enumerate(first13))
    return first13 + str((10 - s % 10) % 10)


# ---------------------------------------------------------------- names

# (name, patronymic of his son, patronymic of his daughter)
MALE_NAMES = [
    ("Александр", "Александрович", "Александровна"), ("Алексей", "Алексеевич", "Алексеевна"),
    ("Андрей", "Андреевич", "Андреевна"), ("Антон", "Антонович", "Антоновна"),
    ("Артём", "Артёмович", "Артёмовна"), ("Борис", "Борисович", "Борисовна"),
    ("Вадим", "Вадимович", "Вадимовна"), ("Валерий", "Валерьевич", "Валерьевна"),
    ("Василий", "Васильевич", "Васильевна"), ("Виктор", "Викторович", "Викторовна"),
    ("Владимир", "Владимирович", "Владимировна"), ("Вячеслав", "Вячеславович", "Вячеславовна"),
    ("Геннадий", "Геннадьевич", "Геннадьевна"), ("Георгий", "Георгиевич", "Георгиевна"),
    ("Григорий", "Григорьевич", "Григорьевна"), ("Денис", "Денисович", "Денисовна"),
    ("Дмитрий", "Дмитриевич", "Дмитриевна"), ("Евгений", "Евгеньевич", "Евгеньевна"),
    ("Егор", "Егорович", "Егоровна"), ("Иван", "Иванович", "Ивановна"),
    ("Игорь", "Игоревич", "Игоревна"), ("Илья", "Ильич", "Ильинична"),
    ("Кирилл", "Кириллович", "Кирилловна"), ("Константин", "Константинович", "Константиновна"),
    ("Лев", "Львович", "Львовна"), ("Максим", "Максимович", "Максимовна"),
    ("Михаил", "Михайлович", "Михайловна"), ("Никита", "Никитич", "Никитична"),
    ("Николай", "Николаевич", "Николаевна"), ("Олег", "Олегович", "Олеговна"),
    ("Павел", "Павлович", "Павловна"), ("Пётр", "Петрович", "Петровна"),
    ("Роман", "Романович", "Романовна"), ("Сергей", "Сергеевич", "Сергеевна"),
    ("Станислав", "Станиславович", "Станиславовна"), ("Степан", "Степанович", "Степановна"),
    ("Тимур", "Тимурович", "Тимуровна"), ("Фёдор", "Фёдорович", "Фёдоровна"),
    ("Юрий", "Юрьевич", "Юрьевна"), ("Ярослав", "Ярославович", "Ярославовна"),
]
TATAR_MALE_NAMES = [
    ("Айдар", "Айдарович", "Айдаровна"), ("Ильдар", "Ильдарович", "Ильдаровна"),
    ("Ринат", "Ринатович", "Ринатовна"), ("Рустам", "Рустамович", "Рустамовна"),
    ("Марат", "Маратович", "Маратовна"), ("Радик", "Радикович", "Радиковна"),
    ("Фарид", "Фаридович", "Фаридовна"), ("Азат", "Азатович", "Азатовна"),
    ("Ильнур", "Ильнурович", "Ильнуровна"), ("Раиль", "Раилевич", "Раилевна"),
]
FEMALE_NAMES = [
    "Анна", "Мария", "Елена", "Ольга", "Наталья", "Татьяна", "Ирина", "Светлана", "Екатерина",
    "Юлия", "Анастасия", "Дарья", "Ксения", "Людмила", "Галина", "Валентина", "Марина",
    "Виктория", "Полина", "Алина", "Надежда", "Любовь", "Вера", "Софья", "Александра",
    "Евгения", "Оксана", "Лариса", "Нина", "Кристина",
]
TATAR_FEMALE_NAMES = ["Гульнара", "Алсу", "Лейсан", "Айгуль", "Гузель", "Резеда", "Ляйсан", "Диляра", "Эльмира", "Венера"]

SURNAMES = """Иванов Смирнов Кузнецов Попов Васильев Петров Соколов Михайлов Новиков Фёдоров Морозов
Волков Алексеев Лебедев Семёнов Егоров Павлов Козлов Степанов Николаев Орлов Андреев Макаров Никитин
Захаров Зайцев Соловьёв Борисов Яковлев Григорьев Романов Воробьёв Сергеев Кузьмин Фролов Александров
Дмитриев Королёв Гусев Киселёв Ильин Максимов Поляков Сорокин Виноградов Ковалёв Белов Медведев
Антонов Тарасов Жуков Баранов Филиппов Комаров Давыдов Беляев Герасимов Богданов Осипов Сидоров
Матвеев Титов Марков Миронов Крылов Куликов Карпов Власов Мельников Денисов Гаврилов Тихонов Казаков
Афанасьев Данилов Савельев Тимофеев Фомин Чернов Абрамов Мартынов Ефимов Федотов Щербаков Назаров
Калинин Исаев Чернышёв Быков Маслов Родионов Коновалов Лазарев Воронин Климов Филатов Пономарёв
Голубев Кудрявцев Прохоров Наумов Потапов Журавлёв Овчинников Трофимов Леонов Соболев Ермаков
Колесников Гончаров Емельянов Никифоров Грачёв Котов Гришин Ефремов Архипов Громов Кириллов Малышев
Панов Моисеев Румянцев Акимов Кондратьев Бирюков Горбунов Анисимов Ерёмин Тихомиров Галкин Лукьянов
Михеев Скворцов Юдин Белоусов Нестеров Симонов Прокофьев Харитонов Князев Цветков Левин Вишневский
Покровский Лозинский Преображенский Толстой Шевченко Бондаренко Ткаченко Черных Седых Мальцев Логинов
Горшков Савин Краснов Майоров Демидов Елисеев Рыбаков Сафонов Плотников Хохлов Жданов Суханов Шилов""".split()
TATAR_SURNAMES = "Хабибуллин Галиев Сафин Гарипов Валиев Закиров Мухаметшин Хайруллин Шарипов Нуриев Ахметов Зарипов".split()


def female_surname(s):
    if s.endswith(("ов", "ев", "ёв", "ин", "ын")):
        return s + "а"
    if s.endswith(("ский", "цкий")):
        return s[:-2] + "ая"
    if s.endswith("ой"):
        return s[:-2] + "ая"
    return s  # Шевченко, Черных: the same for women


TRANSLIT = dict(zip(
    "абвгдеёжзийклмнопрстуфхцчшщъыьэюя",
    ["a", "b", "v", "g", "d", "e", "e", "zh", "z", "i", "i", "k", "l", "m", "n", "o", "p", "r", "s", "t", "u", "f",
     "kh", "ts", "ch", "sh", "shch", "", "y", "", "e", "iu", "ia"]))


def translit(s):
    return "".join(TRANSLIT.get(c, c) for c in s.lower())


# ---------------------------------------------------------------- regions

REGIONS = {
    "59": {
        "name": "Пермский край", "okato": "57", "mvd": "590", "inn_prefixes": ["5902", "5903", "5904", "5905", "5906", "5908"],
        "plate_codes": ["59", "159"], "oms": "59", "gibdd_issuer": "ГУ МВД России по Пермскому краю",
        "mvd_body": "ГУ МВД России по Пермскому краю", "ufms": "УФМС России по Пермскому краю",
        "cities": [
            {"city": "Пермь", "prep": "г. Перми", "gen": "г. Перми", "postcode": (614000, 614113), "okato_city": "57401", "oktmo": "57701000",
             "districts": ["Дзержинском", "Индустриальном", "Кировском", "Ленинском", "Мотовилихинском", "Орджоникидзевском", "Свердловском"],
             "streets": ["ул. Ленина", "Комсомольский просп.", "ул. Сибирская", "ул. Петропавловская", "ул. Пушкина",
                         "ул. Екатерининская", "ул. Куйбышева", "ул. Революции", "ул. Мира", "шоссе Космонавтов",
                         "ул. Попова", "ул. Газеты Звезда", "ул. Уинская", "ул. Героев Хасана"]},
            {"city": "Березники", "prep": "г. Березниках", "gen": "г. Березники", "postcode": (618400, 618426), "okato_city": "57408", "oktmo": "57708000",
             "districts": [], "streets": ["ул. Пятилетки", "Советский просп.", "ул. Мира", "ул. Ломоносова"]},
            {"city": "Кунгур", "prep": "г. Кунгуре", "gen": "г. Кунгура", "postcode": (617470, 617475), "okato_city": "57420", "oktmo": "57721000",
             "districts": [], "streets": ["ул. Ленина", "ул. Гоголя", "ул. Свободы"]},
        ],
        "fssp": "ОСП по {dat} району {city}",
    },
    "77": {
        "name": "г. Москва", "okato": "45", "mvd": "770", "inn_prefixes": ["7701", "7703", "7705", "7713", "7715", "7724", "7728", "7743"],
        "plate_codes": ["77", "97", "99", "177", "197", "199", "777", "799"], "oms": "77",
        "mvd_body": "ГУ МВД России по г. Москве", "ufms": "УФМС России по гор. Москве",
        "cities": [
            {"city": "Москва", "prep": "г. Москве", "gen": "г. Москвы", "postcode": (101000, 129626), "okato_city": "45", "oktmo": "45380000",
             "districts": ["Тверском", "Пресненском", "Басманном", "Останкинском", "Савёловском", "Даниловском", "Гагаринском"],
             "streets": ["ул. Тверская", "Ленинский просп.", "ул. Арбат", "Профсоюзная ул.", "ул. Маросейка",
                         "Кутузовский просп.", "ул. Новый Арбат", "Садовая-Кудринская ул.", "ул. Вавилова", "Люблинская ул."]},
        ],
        "fssp": "ОСП по {dat} району ГУФССП России по г. Москве",
    },
    "78": {
        "name": "г. Санкт-Петербург", "okato": "40", "mvd": "780", "inn_prefixes": ["7801", "7802", "7804", "7810", "7813", "7816", "7825", "7842"],
        "plate_codes": ["78", "98", "178", "198"], "oms": "78",
        "mvd_body": "ГУ МВД России по г. Санкт-Петербургу и Ленинградской области",
        "ufms": "УФМС России по Санкт-Петербургу и Ленинградской обл.",
        "cities": [
            {"city": "Санкт-Петербург", "prep": "г. Санкт-Петербурге", "gen": "г. Санкт-Петербурга", "postcode": (190000, 199406), "okato_city": "40", "oktmo": "40911000",
             "districts": ["Адмиралтейском", "Василеостровском", "Выборгском", "Калининском", "Московском", "Невском", "Центральном"],
             "streets": ["Невский просп.", "ул. Марата", "Садовая ул.", "Лиговский просп.", "Большой просп. В.О.",
                         "Московский просп.", "ул. Савушкина", "Гражданский просп.", "ул. Ленсовета"]},
        ],
        "fssp": "{nom} РОСП ГУФССП России по г. Санкт-Петербургу",
    },
    "63": {
        "name": "Самарская область", "okato": "36", "mvd": "630", "inn_prefixes": ["6311", "6312", "6315", "6316", "6317", "6319", "6320"],
        "plate_codes": ["63", "163", "763"], "oms": "63",
        "mvd_body": "ГУ МВД России по Самарской области", "ufms": "УФМС России по Самарской обл.",
        "cities": [
            {"city": "Самара", "prep": "г. Самаре", "gen": "г. Самары", "postcode": (443000, 443125), "okato_city": "36401", "oktmo": "36701000",
             "districts": ["Кировском", "Ленинском", "Октябрьском", "Промышленном", "Советском"],
             "streets": ["ул. Молодогвардейская", "Московское шоссе", "ул. Ново-Садовая", "ул. Куйбышева",
                         "ул. Ленинградская", "просп. Ленина", "ул. Гагарина"]},
            {"city": "Тольятти", "prep": "г. Тольятти", "gen": "г. Тольятти", "postcode": (445000, 445057), "okato_city": "36440", "oktmo": "36740000",
             "districts": ["Автозаводском", "Комсомольском", "Центральном"],
             "streets": ["Южное шоссе", "ул. Революционная", "Приморский б-р", "ул. Юбилейная", "ул. Свердлова"]},
        ],
        "fssp": "ОСП {gen} района {city}",
    },
    "16": {
        "name": "Республика Татарстан", "okato": "92", "mvd": "160", "inn_prefixes": ["1655", "1656", "1657", "1658", "1659", "1660", "1650"],
        "plate_codes": ["16", "116", "716"], "oms": "16",
        "mvd_body": "МВД по Республике Татарстан", "ufms": "УФМС России по Республике Татарстан",
        "cities": [
            {"city": "Казань", "prep": "г. Казани", "gen": "г. Казани", "postcode": (420000, 420140), "okato_city": "92401", "oktmo": "92701000",
             "districts": ["Вахитовском", "Приволжском", "Советском", "Московском", "Ново-Савиновском"],
             "streets": ["ул. Баумана", "ул. Пушкина", "просп. Победы", "ул. Кремлёвская", "ул. Декабристов",
                         "ул. Чистопольская", "ул. Татарстан", "просп. Ямашева"]},
            {"city": "Набережные Челны", "prep": "г. Набережных Челнах", "gen": "г. Набережные Челны", "postcode": (423800, 423832), "okato_city": "92430", "oktmo": "92730000",
             "districts": ["Автозаводском", "Комсомольском", "Центральном"],
             "streets": ["просп. Мира", "просп. Сююмбике", "Московский просп.", "просп. Чулман"]},
        ],
        "fssp": "ОСП № 1 по {dat} району {city}",
    },
}
REGION_WEIGHTS = [("59", 40), ("77", 20), ("78", 15), ("63", 13), ("16", 12)]

# Where people were born, with the name the town had in that year.
BIRTH_TOWNS = {
    "59": [("г. Пермь", "Пермской обл."), ("г. Березники", "Пермской обл."), ("г. Кунгур", "Пермской обл."),
           ("г. Чайковский", "Пермской обл."), ("г. Соликамск", "Пермской обл.")],
    "77": [("г. Москва", None), ("г. Зеленоград", None), ("г. Подольск", "Московской обл.")],
    "78": [("г. Санкт-Петербург", None), ("г. Пушкин", None), ("г. Колпино", None)],
    "63": [("г. Самара", None), ("г. Тольятти", "Куйбышевской обл."), ("г. Сызрань", "Куйбышевской обл.")],
    "16": [("г. Казань", "Татарской АССР"), ("г. Набережные Челны", "Татарской АССР"), ("г. Альметьевск", "Татарской АССР"),
           ("г. Елабуга", "Татарской АССР")],
}
OTHER_BIRTH_PLACES = ["г. Свердловск", "г. Горький", "г. Новосибирск", "г. Челябинск", "г. Уфа Башкирской АССР",
                      "г. Киров", "г. Омск", "г. Ижевск Удмуртской АССР", "г. Вологда", "г. Тула"]


def birth_place(rng, region, born):
    if rng.random() < 0.12:
        place = rng.choice(OTHER_BIRTH_PLACES)
        if born.year >= 1992:
            place = (place.replace("Свердловск", "Екатеринбург").replace("Горький", "Нижний Новгород")
                     .replace(" Башкирской АССР", "").replace(" Удмуртской АССР", ""))
        return place
    town, where = rng.choice(BIRTH_TOWNS[region])
    # Names as they were in the year of birth.
    if town == "г. Санкт-Петербург" and born.year < 1991 or town == "г. Колпино" and born.year < 1991:
        town = "г. Ленинград" if town == "г. Санкт-Петербург" else town + " Ленинградской обл."
    if town == "г. Самара" and born.year < 1991:
        town = "г. Куйбышев"
    if town == "г. Пермь" and 1940 <= born.year < 1957:
        town = "г. Молотов"
    if town == "г. Набережные Челны" and 1982 <= born.year < 1988:
        town = "г. Брежнев"
    if where:
        if born.year >= 1991:
            where = {"Куйбышевской обл.": "Самарской обл.", "Татарской АССР": "Республики Татарстан"}.get(where, where)
        if born.year >= 2006 and where == "Пермской обл.":
            where = "Пермского края"
        if town != "г. Пермь" or born.year < 1940:
            town = f"{town} {where}"
    return town


# ---------------------------------------------------------------- dates


def add_years(d, years):
    try:
        return d.replace(year=d.year + years)
    except ValueError:  # 29 February
        return d.replace(year=d.year + years, day=28)


def age_on(born, day):
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def passport_valid_until(born, issued):
    """The 20/45 rule: valid until the 20th (45th) birthday plus 90 days."""
    age = age_on(born, issued)
    if age < 20:
        return add_years(born, 20) + dt.timedelta(days=90)
    if age < 45:
        return add_years(born, 45) + dt.timedelta(days=90)
    return None


def district_case(prepositional, case):
    """"Дзержинском" (районе) → "Дзержинского" (gen), "Дзержинскому" (dat), "Дзержинский" (nom)."""
    stem = prepositional[:-2]
    if case == "gen":
        return stem + "ого"
    if case == "dat":
        return stem + "ому"
    return stem + ("ий" if stem.endswith(("ск", "цк")) else "ый")


def iso(d):
    return d.isoformat() if d else None


# ---------------------------------------------------------------- generator


class Generator:
    def __init__(self, seed):
        self.rng = random.Random(seed)
        self.used = {k: set() for k in ("snils", "inn", "passport", "phone", "licence", "plate", "sts", "oms", "vin",
                                        "uin", "email", "cadastral", "ogrn", "fssp")}
        self.uin_seq = 0

    def unique(self, kind, make):
        for _ in range(1000):
            v = make()
            if v not in self.used[kind]:
                self.used[kind].add(v)
                return v
        raise RuntimeError("cannot make a unique " + kind)

    def digits(self, n):
        return "".join(self.rng.choice("0123456789") for _ in range(n))

    def snils(self):
        def make():
            body = f"{self.rng.randint(1002000, 199999999):09d}"
            return format_snils(body)
        return self.unique("snils", make)

    def inn(self, region):
        return self.unique("inn", lambda: inn_person(self.rng.choice(REGIONS[region]["inn_prefixes"]) + self.digits(6)))

    def phone(self):
        codes = ["912", "902", "950", "919", "922", "916", "926", "903", "905", "921", "911", "931", "927", "917",
                 "937", "960", "987", "999", "982", "965"]
        return self.unique("phone", lambda: "+7" + self.rng.choice(codes) + self.digits(7))

    def address(self, region, city=None):
        reg = REGIONS[region]
        c = city or self.rng.choices(reg["cities"], weights=[6] + [2] * (len(reg["cities"]) - 1))[0]
        street = self.rng.choice(c["streets"])
        house = str(self.rng.randint(1, 180))
        if self.rng.random() < 0.15:
            house += self.rng.choice(["а", "б", " корп. 2", " стр. 1"])
        flat = str(self.rng.randint(1, 280)) if self.rng.random() < 0.9 else None
        postcode = str(self.rng.randint(*c["postcode"]))
        parts = [postcode, reg["name"]]
        if c["city"] not in ("Москва", "Санкт-Петербург"):
            parts.append(f"г. {c['city']}")
        parts += [street, f"д. {house}"]
        if flat:
            parts.append(f"кв. {flat}")
        return {"postcode": postcode, "region_code": region, "region": reg["name"], "city": c["city"], "street": street,
                "house": house, "flat": flat, "text": ", ".join(parts)}, c

    def passport(self, region, city, born, issued, status="valid", lost_days_ago=None):
        reg = REGIONS[region]
        series_year = (issued.year - self.rng.choice([0, 0, 0, 1, 2])) % 100
        series = f"{reg['okato']}{series_year:02d}"
        number = self.unique("passport", lambda: series + " " + self.digits(6)).split()[1]
        district = self.rng.choice(city["districts"]) if city["districts"] else None
        if issued.year >= 2017:
            issuer = reg["mvd_body"]
        elif issued.year >= 2006:
            issuer = f"Отделом {reg['ufms']} " + (f"в {district} районе {city['gen'].replace('г.', 'гор.')}" if district else
                                                  f"в {city['prep'].replace('г.', 'гор.')}")
        else:
            issuer = (f"ОВД {district_case(district, 'gen')} района {city['gen']}" if district
                      else f"ОВД {city['gen']}")
        dept = f"{reg['mvd']}-{self.rng.randint(1, 60):03d}"
        p = {"series": series, "number": number, "issue_date": iso(issued), "issuer": issuer, "department_code": dept,
             "valid_until": iso(passport_valid_until(born, issued))}
        if status == "lost":
            p["lost"] = {"reported_days_ago": lost_days_ago}
        return p

    def licence(self, region, born, adult_from):
        code = region if len(region) == 2 else region[:2]
        number = self.unique("licence", lambda: f"{code} {self.digits(2)} {self.digits(6)}")
        latest = REF - dt.timedelta(days=30)
        earliest = max(adult_from, latest - dt.timedelta(days=9 * 365))
        issued = earliest + dt.timedelta(days=self.rng.randint(0, max(0, (latest - earliest).days)))
        cats = self.rng.choices(["B", "B, B1, M", "A, B, M", "B, C, C1, M", "B, BE, M"], weights=[10, 6, 2, 2, 1])[0]
        return {"number": number, "issue_date": iso(issued), "valid_until": iso(add_years(issued, 10)),
                "categories": cats, "issuer": f"ГИБДД {REGIONS[region]['mvd'][:2]}{self.digits(2)}"}

    def plate(self, region):
        letters = "АВЕКМНОРСТУХ"
        rcode = self.rng.choice(REGIONS[region]["plate_codes"])
        return self.unique("plate", lambda: (self.rng.choice(letters) + self.digits(3) + self.rng.choice(letters) +
                                             self.rng.choice(letters) + rcode))

    def vehicle(self, region, owner_since_min):
        models = [("LADA", "Granta", "XTA", 90), ("LADA", "Vesta", "XTA", 106), ("LADA", "Niva Travel", "XTA", 80),
                  ("Kia", "Rio", "Z94", 123), ("Hyundai", "Solaris", "Z94", 123), ("Volkswagen", "Polo", "XW8", 110),
                  ("Skoda", "Octavia", "XW8", 150), ("Toyota", "Camry", "XW7", 181), ("Renault", "Logan", "X7L", 82),
                  ("Haval", "Jolion", "XZG", 143), ("Chery", "Tiggo 7 Pro", "LVV", 147), ("Geely", "Coolray", "Y4K", 150),
                  ("Nissan", "Qashqai", "SJN", 144), ("Mitsubishi", "Outlander", "Z8T", 167)]
        make, model, wmi, hp = self.rng.choice(models)
        year = self.rng.randint(2008, 2025)
        vin_chars = "ABCDEFGHJKLMNPRSTUVWXYZ0123456789"
        vin = self.unique("vin", lambda: wmi + "".join(self.rng.choice(vin_chars) for _ in range(14)))
        sts_series = self.rng.choice([f"{self.digits(2)}", "".join(self.rng.choice("АВЕКМНОРСТУХ") for _ in range(2))])
        sts = self.unique("sts", lambda: f"{REGIONS[region]['mvd'][:2]} {sts_series} {self.digits(6)}")
        since = max(dt.date(year, self.rng.randint(1, 12), self.rng.randint(1, 28)), owner_since_min)
        if since > REF - dt.timedelta(days=40):
            since = REF - dt.timedelta(days=40)
        colours = ["белый", "чёрный", "серый", "серебристый", "синий", "красный", "коричневый", "зелёный"]
        return {"make": make, "model": model, "year": year, "vin": vin, "colour": self.rng.choice(colours),
                "engine_hp": hp, "plate": self.plate(region), "certificate": sts, "registered_date": iso(since)}

    def next_uin(self, prefix):
        def make():
            self.uin_seq += 1
            body = prefix + self.digits(19 - len(prefix) - 6) + f"{self.uin_seq:06d}"
            return uin(body)
        return self.unique("uin", make)


FINE_ARTICLES = [
    # article, description, rubles, source, weight
    ("12.9 ч.2", "Превышение установленной скорости движения на величину более 20, но не более 40 км/ч", 500, "camera", 30),
    ("12.9 ч.3", "Превышение установленной скорости движения на величину более 40, но не более 60 км/ч", 1500, "camera", 6),
    ("12.12 ч.1", "Проезд на запрещающий сигнал светофора", 1000, "camera", 6),
    ("12.12 ч.3", "Повторный проезд на запрещающий сигнал светофора", 5000, "camera", 2),
    ("12.16 ч.1", "Несоблюдение требований дорожных знаков или разметки", 500, "camera", 8),
    ("12.16 ч.5", "Нарушение правил остановки или стоянки в г. Москве или г. Санкт-Петербурге", 3000, "camera", 3),
    ("12.6", "Управление транспортным средством водителем, не пристёгнутым ремнём безопасности", 1000, "officer", 6),
    ("12.37 ч.2", "Управление транспортным средством без полиса ОСАГО", 800, "officer", 5),
    ("12.18", "Невыполнение требования уступить дорогу пешеходам", 1500, "officer", 5),
    ("12.36.1", "Пользование во время движения телефоном, не оборудованным устройством «свободные руки»", 1500, "officer", 4),
    ("12.2 ч.1", "Управление транспортным средством с нечитаемыми государственными регистрационными знаками", 500, "officer", 2),
    ("12.15 ч.4", "Выезд на полосу, предназначенную для встречного движения", 5000, "camera", 2),
    ("12.15 ч.5", "Повторный выезд на полосу, предназначенную для встречного движения", 7500, "officer", 1),
    ("12.8 ч.1", "Управление транспортным средством водителем, находящимся в состоянии опьянения", 45000, "officer", 1),
    ("12.24 ч.1", "Нарушение ПДД, повлёкшее причинение лёгкого вреда здоровью потерпевшего", 5000, "officer", 1),
]
EXCLUDED_FROM_DISCOUNT = {"12.8 ч.1", "12.8 ч.3", "12.12 ч.3", "12.15 ч.5", "12.24 ч.1", "12.24 ч.2", "12.26"}
CAMERA_ARTICLES = [a for a in FINE_ARTICLES if a[3] == "camera"]
OFFICER_ARTICLES = [a for a in FINE_ARTICLES if a[3] == "officer"]

FSSP_SUBJECTS = [
    ("Задолженность по кредитным платежам (кроме ипотеки)", (15000, 350000)),
    ("Налог, сбор, пени (в том числе по имущественным налогам)", (1200, 25000)),
    ("Штраф ГИБДД", (500, 5000)),
    ("Задолженность по платежам за жилую площадь, коммунальные платежи, включая пени", (3000, 90000)),
    ("Иной вид исполнения имущественного характера", (2000, 60000)),
    ("Исполнительский сбор", (1000, 10000)),
]
BAILIFFS = ["Петрова А. С.", "Гусейнова Л. Р.", "Смирнов Д. В.", "Кравец О. Н.", "Мухаметова Г. Ф.", "Орлов И. И.",
            "Белова Е. А.", "Сабиров Р. Р."]


def fine(gen, region, article, days_ago, paid=False):
    art, desc, rub, source, _ = article
    places = {"59": ["г. Пермь, ул. Героев Хасана, 105", "г. Пермь, Комсомольский просп., 34", "а/д Пермь — Екатеринбург, 25 км"],
              "77": ["г. Москва, МКАД, 41 км", "г. Москва, Ленинский просп., 90", "г. Москва, ТТК, ул. Сущёвский Вал"],
              "78": ["г. Санкт-Петербург, КАД, 27 км", "г. Санкт-Петербург, Невский просп., 100", "г. Санкт-Петербург, Московский просп., 200"],
              "63": ["г. Самара, Московское шоссе, 18 км", "г. Тольятти, Южное шоссе, 50", "а/д М-5 «Урал», 1012 км"],
              "16": ["г. Казань, просп. Победы, 100", "г. Набережные Челны, просп. Мира, 20", "а/д М-7 «Волга», 810 км"]}
    region_uin = region[:2]
    f = {"uin": gen.next_uin("18810" + region_uin + ("1" if source == "camera" else "2")), "article": art,
         "description": desc, "amount": rub * 100, "source": source, "place": gen.rng.choice(places[region]),
         "offence_days_ago": days_ago + gen.rng.randint(1, 3), "decision_days_ago": days_ago,
         "offence_time": f"{gen.rng.randint(6, 23):02d}:{gen.rng.randint(0, 59):02d}",
         "discount_excluded": art in EXCLUDED_FROM_DISCOUNT, "paid": paid}
    if paid:
        f["paid_days_ago"] = max(0, days_ago - gen.rng.randint(1, 15))
    return f


def court_debt(gen, region, city, district, days_ago, subject=None, amount=None, paid_share=None):
    subj, (lo, hi) = subject or gen.rng.choice(FSSP_SUBJECTS)
    total = amount if amount is not None else gen.rng.randint(lo, hi) * 100
    share = paid_share if paid_share is not None else gen.rng.choice([0, 0, 0, 0.25, 0.5])
    remaining = int(total * (1 - share)) // 100 * 100
    year = (REF - dt.timedelta(days=days_ago)).year % 100
    number = gen.unique("fssp", lambda: f"{gen.rng.randint(10000, 999999)}/{year:02d}/{region[:2]}{gen.rng.randint(1, 30):03d}-ИП")
    if district:
        dept = REGIONS[region]["fssp"].format(gen=district_case(district, "gen"), dat=district_case(district, "dat"),
                                              nom=district_case(district, "nom"), city=city["gen"])
    else:
        dept = f"Отдел судебных приставов {city['gen']}"
    return {"number": number, "opened_days_ago": days_ago, "subject": subj, "amount": total, "remaining": remaining,
            "department": dept, "bailiff": gen.rng.choice(BAILIFFS), "phone": "+7" + "342" + gen.digits(7) if region == "59"
            else "+7" + {"77": "495", "78": "812", "63": "846", "16": "843"}[region] + gen.digits(7),
            "uin": gen.next_uin("32259" if region == "59" else "322" + region[:2])}


def property_and_taxes(gen, person, region, city, vehicles, tax_debt=False):
    rng = gen.rng
    estate, land, taxes = [], [], []
    reg_digits = region[:2]
    if rng.random() < 0.6 or tax_debt:
        area = round(rng.uniform(28, 110), 1)
        value = int(area * rng.randint(60000, 190000 if region in ("77", "78") else 90000))
        cad = gen.unique("cadastral", lambda: f"{reg_digits}:{rng.randint(1, 50):02d}:{rng.randint(1000000, 9999999):07d}:{rng.randint(1, 9999)}")
        estate.append({"kind": "apartment", "cadastral_number": cad, "address": person["address"]["text"],
                       "area_m2": area, "cadastral_value": value * 100, "share": rng.choice(["1", "1", "1", "1/2", "1/3"]),
                       "owned_since": iso(dt.date(rng.randint(1998, 2024), rng.randint(1, 12), rng.randint(1, 28)))})
    if rng.random() < 0.15:
        area = rng.randint(400, 1500)
        cad = gen.unique("cadastral", lambda: f"{reg_digits}:{rng.randint(1, 50):02d}:{rng.randint(1000000, 9999999):07d}:{rng.randint(1, 9999)}")
        land.append({"kind": "land", "cadastral_number": cad, "purpose": "для ведения садоводства", "area_m2": area,
                     "cadastral_value": area * rng.randint(150, 900) * 100,
                     "address": f"{REGIONS[region]['name']}, СНТ «{rng.choice(['Рассвет', 'Берёзка', 'Дружба', 'Ветеран', 'Сосновый бор'])}», уч. {rng.randint(1, 300)}"})
    kbk = {"property": "18210601020041000110", "transport": "18210604012021000110", "land": "18210606042041000110"}
    names = {"property": "Налог на имущество физических лиц", "transport": "Транспортный налог с физических лиц",
             "land": "Земельный налог с физических лиц"}
    owed_years = {2} if tax_debt else set()
    if not tax_debt and rng.random() < 0.08:
        owed_years.add(1)
    for offset in (3, 2, 1):
        for kind, objects in (("property", estate), ("transport", vehicles), ("land", land)):
            for o in objects:
                if kind == "property":
                    share = {"1": 1, "1/2": 0.5, "1/3": 1 / 3}[o["share"]]
                    amount = int(o["cadastral_value"] * 0.001 * share) // 100 * 100
                    obj = f"Квартира, {o['cadastral_number']}"
                elif kind == "transport":
                    rate = 25 if o["engine_hp"] <= 100 else (35 if o["engine_hp"] <= 150 else 50)
                    amount = o["engine_hp"] * rate * 100
                    obj = f"{o['make']} {o['model']}, {o['plate']}"
                else:
                    amount = int(o["cadastral_value"] * 0.003) // 100 * 100
                    obj = f"Земельный участок, {o['cadastral_number']}"
                if amount <= 0:
                    continue
                unpaid = offset in owed_years
                taxes.append({"kind": kind, "name": names[kind], "year_offset": offset, "object": obj, "amount": amount,
                              "paid": 0 if unpaid else amount, "kbk": kbk[kind],
                              "oktmo": city["oktmo"], "uin": gen.next_uin("18201" + reg_digits)})
    return {"real_estate": estate, "land": land}, taxes


def make_person(gen, idx, spec=None):
    spec = spec or {}
    rng = gen.rng
    region = spec.get("region") or rng.choices([r for r, _ in REGION_WEIGHTS], weights=[w for _, w in REGION_WEIGHTS])[0]
    gender = spec.get("gender") or rng.choice(["male", "female"])
    tatar = region == "16" and rng.random() < 0.55 if "tatar" not in spec else spec["tatar"]
    if "surname" in spec:
        surname = spec["surname"]
    else:
        base = rng.choice(TATAR_SURNAMES if tatar else SURNAMES)
        surname = base if gender == "male" else female_surname(base)
    father = rng.choice(TATAR_MALE_NAMES if tatar else MALE_NAMES)
    patronymic = spec.get("patronymic") or (father[1] if gender == "male" else father[2])
    if "name" in spec:
        name = spec["name"]
    elif gender == "male":
        name = rng.choice(TATAR_MALE_NAMES if tatar else MALE_NAMES)[0]
    else:
        name = rng.choice(TATAR_FEMALE_NAMES if tatar else FEMALE_NAMES)

    # Passport story: valid (and staying valid until 2032+), expired, or lost.
    story = spec.get("passport", rng.choices(["valid", "expired", "lost", "lost_replaced"], weights=[86, 6, 4, 4])[0])
    if "birth_date" in spec:
        born = dt.date.fromisoformat(spec["birth_date"])
    elif story == "expired":
        # Either turned 20 or 45 long enough ago and never replaced the passport.
        if rng.random() < 0.35:
            born = REF - dt.timedelta(days=rng.randint(int(20.6 * 365), int(24 * 365)))
        else:
            born = REF - dt.timedelta(days=rng.randint(int(45.6 * 365), int(52 * 365)))
    else:
        # Ages that do not reach 20 or 45 before 2032.
        age_years = rng.choice([rng.randint(21, 38), rng.randint(21, 38), rng.randint(46, 80)])
        born = REF - dt.timedelta(days=age_years * 365 + rng.randint(0, 364))
    address, city = gen.address(region)
    age = age_on(born, REF)

    def issued_at_age(a, spread=60):
        d = add_years(born, a) + dt.timedelta(days=rng.randint(5, spread))
        return max(d, dt.date(1998, 1, 1) + dt.timedelta(days=rng.randint(0, 5 * 365))) if d < dt.date(1998, 1, 1) else d

    previous = []
    if story == "expired":
        issued = issued_at_age(14) if age < 40 else issued_at_age(20)
    elif age >= 45:
        issued = issued_at_age(45)
        if add_years(born, 20) >= dt.date(1998, 1, 1):
            prev_issued = issued_at_age(20)
            previous.append(gen.passport(region, city, born, prev_issued) | {"replaced_by_reason": "age_45"})
    else:
        issued = issued_at_age(20)
        if add_years(born, 14) >= dt.date(1997, 10, 1):
            prev_issued = issued_at_age(14)
            previous.append(gen.passport(region, city, born, prev_issued) | {"replaced_by_reason": "age_20"})
    if story == "lost_replaced":
        # The current passport replaced one reported lost some time after it was issued.
        old_issued = issued_at_age(45 if age >= 45 else 20)
        lost_days = rng.randint(60, max(61, min(700, (REF - old_issued).days - 30)))
        issued = REF - dt.timedelta(days=lost_days - rng.randint(10, 30))
        if passport_valid_until(born, issued) and passport_valid_until(born, issued) < dt.date(2032, 1, 1):
            issued = REF - dt.timedelta(days=40)
        old = gen.passport(region, city, born, old_issued, "lost", lost_days)
        old["replaced_by_reason"] = "lost"
        previous = [old]
    lost_days_ago = spec.get("lost_days_ago", rng.randint(3, 120)) if story == "lost" else None
    passport = gen.passport(region, city, born, issued, "lost" if story == "lost" else "valid", lost_days_ago)
    vu = passport["valid_until"]
    if story == "expired":
        assert vu and vu < "2026-01-01", (born, issued, vu)
    elif vu:
        assert vu >= "2032-01-01", (born, issued, vu, story)

    first = translit(name)
    sur = translit(surname)
    email = gen.unique("email", lambda: f"{first}.{sur}{rng.choice(['', str(born.year), str(rng.randint(1, 99))])}@example.org")
    person = {
        "id": f"p{idx:04d}",
        "surname": surname, "name": name, "patronymic": patronymic, "gender": gender,
        "birth_date": iso(born), "birth_place": spec.get("birth_place", birth_place(rng, region, born)),
        "citizenship": "RU",
        "snils": gen.snils(),
        "inn": gen.inn(region),
        "phone": gen.phone(),
        "email": email,
        "address": address,
        "passport": passport,
        "previous_passports": previous,
        "oms": gen.unique("oms", lambda: REGIONS[region]["oms"] + gen.digits(14)),
        "bank_customer": spec.get("bank_customer", rng.random() < 0.7),
        "driver_licence": None,
        "vehicles": [],
        "fines": [],
        "court_debts": [],
    }
    if spec.get("licence", rng.random() < 0.6):
        person["driver_licence"] = gen.licence(region, born, add_years(born, 18))
    n_vehicles = spec.get("vehicles", rng.choices([0, 1, 2], weights=[55, 38, 7])[0] if person["driver_licence"] else 0)
    for _ in range(n_vehicles):
        person["vehicles"].append(gen.vehicle(region, add_years(born, 18)))
    # Fines by licence (stopped by an officer) and by certificate (cameras).
    if person["driver_licence"]:
        n = spec.get("licence_fines", rng.choices([0, 1, 2], weights=[70, 22, 8])[0])
        for _ in range(n):
            person["fines"].append(fine(gen, region, rng.choices(OFFICER_ARTICLES, weights=[a[4] for a in OFFICER_ARTICLES])[0],
                                        rng.randint(2, 400), paid=rng.random() < 0.3) | {"by": "licence"})
    for v in person["vehicles"]:
        n = spec.get("camera_fines", rng.choices([0, 1, 2, 3], weights=[55, 25, 12, 8])[0])
        for _ in range(n):
            f = fine(gen, region, rng.choices(CAMERA_ARTICLES, weights=[a[4] for a in CAMERA_ARTICLES])[0],
                     rng.randint(2, 400), paid=rng.random() < 0.3)
            person["fines"].append(f | {"by": "certificate", "certificate": v["certificate"], "plate": v["plate"]})
    if spec.get("court_debts", rng.random() < 0.12):
        district = rng.choice(city["districts"]) if city["districts"] else None
        for _ in range(spec.get("court_debt_count", rng.randint(1, 3))):
            person["court_debts"].append(court_debt(gen, region, city, district, rng.randint(30, 1500)))
    prop, taxes = property_and_taxes(gen, person, region, city, person["vehicles"], spec.get("tax_debt", False))
    person["property"] = prop
    person["taxes"] = taxes
    if "note" in spec:
        person["demo_note"] = spec["note"]
    return person


# The named demo people (data/registries/README.md), first in the file.
DEMO_PEOPLE = [
    {"surname": "Смирнова", "name": "Анна", "patronymic": "Сергеевна", "gender": "female", "region": "59",
     "birth_date": "1990-04-12", "passport": "valid", "bank_customer": True, "licence": True, "vehicles": 0,
     "licence_fines": 0, "court_debts": False, "tatar": False,
     "note": "Всё в порядке: СНИЛС и паспорт действительны, клиентка демо-банка, без долгов."},
    {"surname": "Кузнецов", "name": "Пётр", "patronymic": "Алексеевич", "gender": "male", "region": "59",
     "birth_date": "1987-09-03", "passport": "valid", "bank_customer": True, "licence": True, "vehicles": 1,
     "licence_fines": 0, "camera_fines": 0, "court_debts": False, "tatar": False,
     "note": "Штрафы ГИБДД: по водительскому удостоверению и по СТС, со скидкой и без неё."},
    {"surname": "Волкова", "name": "Мария", "patronymic": "Николаевна", "gender": "female", "region": "77",
     "birth_date": "1995-02-20", "passport": "lost", "lost_days_ago": 12, "bank_customer": False, "licence": False,
     "court_debts": False, "tatar": False, "note": "Паспорт заявлен утраченным (12 дней назад), новый ещё не получен."},
    {"surname": "Морозов", "name": "Дмитрий", "patronymic": "Викторович", "gender": "male", "region": "78",
     "birth_date": "1976-06-15", "passport": "expired", "bank_customer": True, "licence": True, "vehicles": 0,
     "licence_fines": 0, "court_debts": False, "tatar": False,
     "note": "Паспорт просрочен: в 45 лет не заменён (правило 20/45 лет + 90 дней)."},
    {"surname": "Хабибуллин", "name": "Рустам", "patronymic": "Ринатович", "gender": "male", "region": "16",
     "birth_date": "1979-11-30", "passport": "valid", "bank_customer": True, "licence": True, "vehicles": 1,
     "licence_fines": 0, "camera_fines": 0, "court_debts": True, "court_debt_count": 2, "tax_debt": True, "tatar": True,
     "note": "Долги у судебных приставов (2 производства) и недоимка по налогам."},
    {"surname": "Лебедева", "name": "Ольга", "patronymic": "Павловна", "gender": "female", "region": "78",
     "birth_date": "1961-01-08", "birth_place": "г. Ленинград", "passport": "valid", "bank_customer": False, "licence": False, "court_debts": False,
     "tax_debt": True, "tatar": False,
     "note": "Родилась в Ленинграде; налог на имущество не уплачен; не клиентка банка (подтверждение через банк невозможно)."},
    {"surname": "Иванов", "name": "Александр", "patronymic": "Сергеевич", "gender": "male", "region": "63",
     "birth_date": "1988-07-21", "passport": "valid", "bank_customer": True, "licence": True, "vehicles": 0,
     "licence_fines": 0, "court_debts": True, "court_debt_count": 1, "tatar": False,
     "note": "Полный тёзка следующего человека, другая дата рождения: у этого есть долг у приставов."},
    {"surname": "Иванов", "name": "Александр", "patronymic": "Сергеевич", "gender": "male", "region": "63",
     "birth_date": "1992-03-05", "passport": "lost_replaced", "bank_customer": True, "licence": False,
     "court_debts": False, "tatar": False,
     "note": "Полный тёзка предыдущего; старый паспорт утерян и заменён новым (старый — lost, новый — valid)."},
]


def demo_fines(gen, person):
    """Fixed fines for p0002 (Кузнецов): what the README promises."""
    region = person["address"]["region_code"]
    by_article = {a[0]: a for a in FINE_ARTICLES}
    v = person["vehicles"][0]
    person["fines"] = [
        fine(gen, region, by_article["12.6"], 5) | {"by": "licence"},                   # discount available
        fine(gen, region, by_article["12.12 ч.3"], 8) | {"by": "licence", "source": "officer"},  # no discount
        fine(gen, region, by_article["12.18"], 120, paid=True) | {"by": "licence"},     # paid long ago
        fine(gen, region, by_article["12.9 ч.2"], 3) | {"by": "certificate", "certificate": v["certificate"], "plate": v["plate"]},
        fine(gen, region, by_article["12.16 ч.1"], 45) | {"by": "certificate", "certificate": v["certificate"], "plate": v["plate"]},
    ]


def organisations(gen, people):
    rng = gen.rng
    forms = [("ООО", "Общество с ограниченной ответственностью"), ("АО", "Акционерное общество"),
             ("ПАО", "Публичное акционерное общество")]
    names = ["Камская долина", "Прикамский хлеб", "Уральские пельмени", "Северная верфь-сервис", "Невские окна",
             "Волжский подшипник", "Казанский сувенир", "Тольяттинская автобаза", "Самарский кирпич",
             "Московская типография № 9", "Бухгалтерия Плюс", "ТехноСтрой", "Лесная сказка", "Чайковский текстиль",
             "Кама-Логистик", "Питерские мосты", "Городская аптека", "Зелёный квартал", "Волга-Агро", "Татнефтесервис",
             "Березниковский калий-сервис", "Арбат-Консалтинг", "Юридическое бюро «Право»", "Радуга-Детство",
             "Кунгурская керамика", "Ладожские сети", "Поволжский хладокомбинат", "Цифровые решения",
             "Пермская мебельная фабрика", "Челнинские моторы"]
    okveds = [("10.71", "Производство хлеба и хлебобулочных изделий"), ("41.20", "Строительство жилых и нежилых зданий"),
              ("49.41", "Деятельность автомобильного грузового транспорта"), ("62.01", "Разработка компьютерного программного обеспечения"),
              ("69.20", "Деятельность по оказанию услуг в области бухгалтерского учёта"), ("47.73", "Торговля розничная лекарственными средствами"),
              ("23.32", "Производство кирпича, черепицы и прочих строительных изделий"), ("31.01", "Производство мебели для офисов и предприятий торговли")]
    regions_of = {"Пермск": "59", "Прикам": "59", "Камск": "59", "Кама": "59", "Уральск": "59", "Чайковск": "59", "Березник": "59", "Кунгур": "59",
                  "Невск": "78", "Питер": "78", "Северн": "78", "Ладожск": "78", "Волжск": "63", "Тольятт": "63", "Самарск": "63",
                  "Поволжск": "63", "Волга": "63", "Казанск": "16", "Татнефт": "16", "Челнинск": "16", "Московск": "77", "Арбат": "77"}
    adults = [p for p in people if age_on(dt.date.fromisoformat(p["birth_date"]), REF) >= 25]
    out = []
    for i, n in enumerate(names):
        region = next((r for k, r in regions_of.items() if k in n), rng.choice(["59", "77", "78", "63", "16"]))
        short, full = rng.choices(forms, weights=[8, 3, 1])[0]
        reg_date = dt.date(rng.randint(2003, 2024), rng.randint(1, 12), rng.randint(1, 28))
        og = gen.unique("ogrn", lambda: ogrn(("1" if rng.random() < 0.8 else "5") + f"{reg_date.year % 100:02d}" +
                                             region[:2] + gen.digits(7)))
        inn10 = gen.unique("inn", lambda: inn_org(rng.choice(REGIONS[region]["inn_prefixes"]) + gen.digits(5)))
        head = rng.choice([p for p in adults if p["address"]["region_code"] == region] or adults)
        address, _ = gen.address(region)
        okved = rng.choice(okveds)
        out.append({"kind": "legal", "ogrn": og, "inn": inn10, "kpp": inn10[:4] + "01001",
                    "short_name": f"{short} «{n}»", "full_name": f"{full} «{n}»",
                    "registered_date": iso(reg_date), "status": "liquidated" if i in (7, 23) else "active",
                    "address": address["text"], "okved": {"code": okved[0], "name": okved[1]},
                    "head": {"person_id": head["id"], "position": "Генеральный директор",
                             "name": f"{head['surname']} {head['name']} {head['patronymic']}", "inn": head["inn"]}})
    for p in rng.sample(adults, 12):
        region = p["address"]["region_code"]
        reg_date = dt.date(rng.randint(2005, 2025), rng.randint(1, 12), rng.randint(1, 28))
        ogip = gen.unique("ogrn", lambda: ogrnip("3" + f"{reg_date.year % 100:02d}" + region[:2] + gen.digits(9)))
        okved = rng.choice([("47.91", "Торговля розничная по почте или по информационно-коммуникационной сети Интернет"),
                            ("96.02", "Предоставление услуг парикмахерскими и салонами красоты"),
                            ("49.32", "Деятельность легкового такси и арендованных легковых автомобилей"),
                            ("74.20", "Деятельность в области фотографии"), ("62.01", "Разработка компьютерного программного обеспечения")])
        out.append({"kind": "entrepreneur", "ogrnip": ogip, "inn": p["inn"], "person_id": p["id"],
                    "short_name": f"ИП {p['surname']} {p['name'][0]}. {p['patronymic'][0]}.",
                    "full_name": f"Индивидуальный предприниматель {p['surname']} {p['name']} {p['patronymic']}",
                    "registered_date": iso(reg_date), "status": "active", "okved": {"code": okved[0], "name": okved[1]}})
    return out


def money(kopecks):
    return f"{kopecks // 100:,}".replace(",", " ") + (f",{kopecks % 100:02d}" if kopecks % 100 else "") + " ₽"


def readme(people, orgs):
    """data/registries/README.md: the named demo people, from the data itself."""
    out = ["# Demo data of the registries sandbox", "",
           "Made by `/usr/bin/python3 scripts/gen-registries-data.py` (seeded, deterministic — do not edit",
           "`people.json`, `organisations.json` or this file by hand: change the script and run it again).",
           f"{len(people)} invented people in Perm krai, Moscow, St Petersburg, Samara region and Tatarstan,",
           f"{sum(1 for o in orgs if o['kind'] == 'legal')} organisations and "
           f"{sum(1 for o in orgs if o['kind'] == 'entrepreneur')} individual entrepreneurs. `uslugi registries` serves them",
           "(see docs/registries.md for the APIs); the unit tests check every identifier and rule.", "",
           "Dates of fines, court cases and tax years are relative to the day the sandbox runs",
           "(`decision_days_ago`, `opened_days_ago`, `year_offset`), so a fresh fine keeps its discount in",
           "every demo. Passports follow the 20/45 rule: valid until the 20th (45th) birthday plus 90 days;",
           "one issued at 45 or later has no end.", "",
           "## People to try", "",
           "Sign in at the demo bank with the person's phone and the password `demo`. 3-D Secure code: `123456`.", ""]
    for p in people[:len(DEMO_PEOPLE)]:
        pp = p["passport"]
        out.append(f"### {p['id']} — {p['surname']} {p['name']} {p['patronymic']}")
        out.append("")
        out.append(p["demo_note"])
        out.append("")
        out.append("| | |")
        out.append("| --- | --- |")
        out.append(f"| born | {p['birth_date']}, {p['birth_place']} |")
        out.append(f"| SNILS / INN | {p['snils']} / {p['inn']} |")
        status = ("lost " + str(pp["lost"]["reported_days_ago"]) + " days ago" if "lost" in pp else
                  "valid until " + pp["valid_until"] if pp["valid_until"] and pp["valid_until"] >= "2026" else
                  "expired " + pp["valid_until"] if pp["valid_until"] else "valid, no end")
        out.append(f"| passport | {pp['series']} {pp['number']}, issued {pp['issue_date']}, code {pp['department_code']} — {status} |")
        for old in p["previous_passports"]:
            why = {"age_20": "replaced at 20", "age_45": "replaced at 45", "lost": "reported lost"}[old["replaced_by_reason"]]
            out.append(f"| old passport | {old['series']} {old['number']} ({why}) |")
        out.append(f"| phone / e-mail | {p['phone']} / {p['email']} |")
        out.append(f"| address | {p['address']['text']} |")
        out.append(f"| demo bank customer | {'yes' if p['bank_customer'] else 'no'} |")
        if p["driver_licence"]:
            out.append(f"| driver's licence | {p['driver_licence']['number']} |")
        for v in p["vehicles"]:
            out.append(f"| vehicle | {v['make']} {v['model']} {v['plate']}, certificate {v['certificate']} |")
        unpaid = [f for f in p["fines"] if not f["paid"]]
        if unpaid:
            fines = "; ".join(f"{f['article']} {money(f['amount'])} ({'camera' if f['source'] == 'camera' else 'officer'}, "
                              f"by {f['by']}{', no discount' if f['discount_excluded'] else ''})" for f in unpaid)
            out.append(f"| unpaid fines | {fines} |")
        if p["court_debts"]:
            out.append(f"| court debts | {len(p['court_debts'])}, left {money(sum(d['remaining'] for d in p['court_debts']))} "
                       f"(search region {p['address']['region_code']}) |")
        owed = sum(t["amount"] - t["paid"] for t in p["taxes"])
        if owed:
            out.append(f"| taxes owed | {money(owed)} |")
        out.append("")
    lost = [p for p in people if "lost" in p["passport"]]
    expired = [p for p in people if "lost" not in p["passport"] and p["passport"]["valid_until"]
               and p["passport"]["valid_until"] < "2026"]
    out += ["## More of each kind", "",
            "- lost passports: " + ", ".join(f"{p['id']}" for p in lost),
            "- expired passports: " + ", ".join(f"{p['id']}" for p in expired),
            "- court debts: " + ", ".join(p["id"] for p in people if p["court_debts"]),
            "- unpaid fines: " + ", ".join(p["id"] for p in people if any(not f["paid"] for f in p["fines"])),
            "- not customers of the demo bank: " + ", ".join(p["id"] for p in people[:60] if not p["bank_customer"]) + " …",
            "", "## Test cards of the demo bank", "",
            "| card | result |", "| --- | --- |",
            "| 4111 1111 1111 1111, 5555 5555 5555 4444, 2200 0000 0000 0004 | paid |",
            "| 4000 0000 0000 0002 | declined: insufficient funds |",
            "| 4000 0000 0000 3220 | 3-D Secure step, code 123456 |",
            "", "Any future expiry (MM/YY) and any three-digit CVC.", ""]
    return "\n".join(out)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "data", "registries"))
    ap.add_argument("--count", type=int, default=240)
    args = ap.parse_args()
    gen = Generator(SEED)
    people = []
    for i, spec in enumerate(DEMO_PEOPLE, start=1):
        people.append(make_person(gen, i, dict(spec)))
    demo_fines(gen, people[1])
    for i in range(len(DEMO_PEOPLE) + 1, args.count + 1):
        people.append(make_person(gen, i))
    orgs = organisations(gen, people)
    os.makedirs(args.out, exist_ok=True)
    meta = {"generator": "scripts/gen-registries-data.py", "seed": SEED,
            "note": "Demo data. Every person, document and debt here is invented."}
    with open(os.path.join(args.out, "people.json"), "w", encoding="utf-8") as f:
        json.dump(meta | {"people": people}, f, ensure_ascii=False, indent=1)
        f.write("\n")
    with open(os.path.join(args.out, "organisations.json"), "w", encoding="utf-8") as f:
        json.dump(meta | {"organisations": orgs}, f, ensure_ascii=False, indent=1)
        f.write("\n")
    with open(os.path.join(args.out, "README.md"), "w", encoding="utf-8") as f:
        f.write(readme(people, orgs))
    print(f"{len(people)} people, {len(orgs)} organisations → {os.path.normpath(args.out)}")


if __name__ == "__main__":
    main()
