"""A second, independent card corpus: other people, companies, layouts, fonts and photo faults than
tests/data/cards/make_corpus.py, in two splits kept apart.

    python scripts/card_corpus.py        # writes tests/data/cards2/{tune,heldout}/
    python scripts/card_corpus.py --probe /tmp/probe --seed 777   # a throw-away probe corpus

- `tune` (16 cards a language): layout families centred, logo-left, dark and contact-band, seed 1501, the first half of
  each language's people and companies. Rules may be written against it.
- `heldout` (16 cards a language): layout families two-column, vertical, back-side-only and right-aligned, seed 9176,
  the second half of the people and companies. Never tuned on: it is the figure that tells how
  the reader does on cards nobody wrote rules for (`bench/cards.py`).

Every card may carry a tagline, a fax line, several phones, an e-mail starting with an initial
("m.novak@..."), a long company name or Persian digits. Photos: perspective, shading, blur, noise,
JPEG. Files are checked in, so the figures are stable; this script is only needed to make them
again. Needs Pillow with raqm, phonenumbers, and the Debian fonts fonts-dejavu-core,
fonts-liberation2, fonts-freefont-ttf and fonts-farsiweb.
"""

from __future__ import annotations

import io
import json
import math
import random
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import phonenumbers
from PIL import Image, ImageDraw, ImageFilter, ImageFont

OUT = Path(__file__).resolve().parent.parent / "tests" / "data" / "cards2"
T = "/usr/share/fonts/truetype/"
LATIN_FONTS = [
    (T + "dejavu/DejaVuSerif.ttf", T + "dejavu/DejaVuSerif-Bold.ttf"),
    (T + "dejavu/DejaVuSansCondensed.ttf", T + "dejavu/DejaVuSansCondensed-Bold.ttf"),
    (T + "liberation2/LiberationSans-Regular.ttf", T + "liberation2/LiberationSans-Bold.ttf"),
    (T + "liberation2/LiberationSerif-Regular.ttf", T + "liberation2/LiberationSerif-Bold.ttf"),
    (T + "freefont/FreeSerif.ttf", T + "freefont/FreeSerifBold.ttf"),
    (T + "dejavu/DejaVuSans.ttf", T + "liberation2/LiberationSans-Bold.ttf"),
]
PERSIAN_FONTS = [
    (T + "dejavu/DejaVuSans.ttf", T + "farsiweb/titr.ttf"),
    (T + "farsiweb/nazli.ttf", T + "farsiweb/nazlib.ttf"),
    (T + "dejavu/DejaVuSansCondensed.ttf", T + "dejavu/DejaVuSansCondensed-Bold.ttf"),
    (T + "farsiweb/homa.ttf", T + "dejavu/DejaVuSans-Bold.ttf"),
]
LATIN_FOR_PERSIAN = T + "liberation2/LiberationSans-Regular.ttf"

# (first, last, latin first, latin last), companies (name, domain), titles, streets, towns, taglines
DATA: dict[str, dict[str, Any]] = {
    "en": {
        "people": [
            ("Margaret", "Ashworth"),
            ("Harold", "Pennington"),
            ("Lucy", "Danvers"),
            ("Oscar", "Whitlock"),
            ("Abigail", "Sutton"),
            ("Nathan", "Crowley"),
            ("Megan", "Rowntree"),
            ("Samuel", "Oakes"),
            ("Rebecca", "Lindqvist"),
            ("Edward", "Marsh"),
            ("Isla", "Fairbairn"),
            ("George", "Tennant"),
        ],
        "companies": [
            ("Kestrel Marine Ltd", "kestrelmarine.co.uk"),
            ("Bluebell Print & Packaging Limited", "bluebellprint.co.uk"),
            ("Ironbridge Consulting LLC", "ironbridgeconsulting.com"),
            ("Solent Wind Energy plc", "solentwind.co.uk"),
            ("Copperleaf Interiors Ltd", "copperleaf.co.uk"),
            ("Thistle & Oak Brewing Company Ltd", "thistleoak.co.uk"),
            ("Paragon Data Systems Inc.", "paragondata.com"),
            ("Fenwick Medical Supplies Ltd", "fenwickmedical.co.uk"),
        ],
        "titles": [
            "Managing Director",
            "Key Account Manager",
            "Purchasing Manager",
            "Senior Sales Consultant",
            "Operations Director",
            "Founder & CEO",
            "Export Sales Executive",
            "Head of Partnerships",
        ],
        "streets": [
            "42 Quayside",
            "Unit 7, Harbour Road",
            "15 Castle Street",
            "3 Mill Lane",
            "Suite 12, 9 Grey Street",
        ],
        "towns": ["Newcastle NE1 3DX", "Southampton SO14 2AQ", "Glasgow G2 5QR", "Cardiff CF10 1EP", "York YO1 7HH"],
        "taglines": ["Sailing since 1992", "Quality you can trust", "Printing the north", "Brewed with care"],
        "region": "GB",
        "tel": ["Tel:", "T:", "Mobile:", "M:", "Office:"],
        "fax": "Fax:",
        "mail": ["Email:", "E:", ""],
        "web": ["", "Web:"],
        "honor": ["Dr "],
    },
    "hr": {
        "people": [
            ("Zrinka", "Matijević"),
            ("Hrvoje", "Bošnjak"),
            ("Nikolina", "Tomić"),
            ("Stjepan", "Grgić"),
            ("Vesna", "Jelić"),
            ("Damir", "Radić"),
            ("Mirela", "Kovačić"),
            ("Goran", "Barišić"),
            ("Jelena", "Vidović"),
            ("Mislav", "Šarić"),
            ("Tea", "Pavić"),
            ("Nenad", "Đaković"),
        ],
        "companies": [
            ("Jadranska Brodogradnja d.o.o.", "jadranskabrod.hr"),
            ("Slavonski Mlin d.d.", "slavonskimlin.hr"),
            ("Kvarner Turist j.d.o.o.", "kvarnerturist.hr"),
            ("Zagorje Drvo d.o.o.", "zagorjedrvo.hr"),
            ("Istarska Vina i Maslinova Ulja d.o.o.", "istarskavina.hr"),
            ("Lika Energo d.o.o.", "likaenergo.hr"),
            ("Podravina Prehrana d.d.", "podravinaprehrana.hr"),
            ("Omiš Kamen d.o.o.", "omiskamen.hr"),
        ],
        "titles": [
            "Direktor",
            "Voditeljica prodaje",
            "Komercijalistica",
            "Voditelj nabave",
            "Predsjednik uprave",
            "Savjetnik za ključne kupce",
            "Voditeljica izvoza",
            "Referent prodaje",
        ],
        "streets": ["Vukovarska 58", "Trg slobode 3", "Zagrebačka cesta 145", "Ulica Ivana Gundulića 12", "Obala 7"],
        "towns": ["21000 Split", "31000 Osijek", "52100 Pula", "42000 Varaždin", "20000 Dubrovnik"],
        "taglines": ["Tradicija od 1956.", "Kvaliteta s Jadrana", "Vaš partner u gradnji", "Iz srca Slavonije"],
        "region": "HR",
        "tel": ["Tel:", "Mob:", "T:", "M:", "Tel."],
        "fax": "Faks:",
        "mail": ["E-mail:", "E:", ""],
        "web": ["", "Web:"],
        "honor": ["dr. sc. ", "mr. "],
    },
    "cs": {
        "people": [
            ("Radek", "Šťastný"),
            ("Markéta", "Dvořáková"),
            ("Lukáš", "Beneš"),
            ("Zuzana", "Fialová"),
            ("Vojtěch", "Holub"),
            ("Barbora", "Kratochvílová"),
            ("Michal", "Novotný"),
            ("Klára", "Sedláčková"),
            ("Filip", "Doležal"),
            ("Veronika", "Urbanová"),
            ("Jakub", "Kříž"),
            ("Hana", "Vaňková"),
        ],
        "companies": [
            ("Šumava Dřevo s.r.o.", "sumavadrevo.cz"),
            ("Krkonošské Sklárny a.s.", "krkonosskesklarny.cz"),
            ("Brněnské Strojírny s.r.o.", "brnenskestrojirny.cz"),
            ("Labe Logistik s.r.o.", "labelogistik.cz"),
            ("Moravské Vinařství a Sklepy s.r.o.", "moravskevinarstvi.cz"),
            ("Ostravská Ocel a.s.", "ostravskaocel.cz"),
            ("Jihočeská Mlékárna s.r.o.", "jihoceskamlekarna.cz"),
            ("Pardubice Elektro a.s.", "pardubiceelektro.cz"),
        ],
        "titles": [
            "Jednatel společnosti",
            "Obchodní manažerka",
            "Vedoucí prodeje",
            "Ředitel nákupu",
            "Obchodní zástupce",
            "Specialistka nákupu",
            "Předseda představenstva",
            "Konzultant prodeje",
        ],
        "streets": ["Husova 17", "Masarykovo náměstí 4", "Palackého třída 88", "Nádražní 1520/6", "Lidická 33"],
        "towns": [
            "370 01 České Budějovice",
            "460 01 Liberec",
            "500 02 Hradec Králové",
            "779 00 Olomouc",
            "612 00 Brno",
        ],
        "taglines": ["Tradice od roku 1921", "Sklo z Krkonoš", "Spolehlivě a včas", "Víno z jižní Moravy"],
        "region": "CZ",
        "tel": ["Tel.:", "Mobil:", "T:", "M:", "Tel:"],
        "fax": "Fax:",
        "mail": ["E-mail:", "E:", ""],
        "web": ["", "Web:"],
        "honor": ["Ing. ", "Mgr. "],
    },
    "pl": {
        "people": [
            ("Małgorzata", "Nowicka"),
            ("Bartosz", "Kaczmarek"),
            ("Aleksandra", "Pawłowska"),
            ("Grzegorz", "Michalski"),
            ("Natalia", "Zając"),
            ("Marcin", "Król"),
            ("Dorota", "Wieczorek"),
            ("Rafał", "Jabłoński"),
            ("Monika", "Wróbel"),
            ("Jakub", "Sikora"),
            ("Beata", "Stępień"),
            ("Adam", "Górski"),
        ],
        "companies": [
            ("Pomorska Stocznia Jachtowa sp. z o.o.", "pomorskastocznia.pl"),
            ("Śląskie Kable S.A.", "slaskiekable.pl"),
            ("Tatry Turystyka sp. z o.o.", "tatryturystyka.pl"),
            ("Kujawy Agro sp. z o.o.", "kujawyagro.pl"),
            ("Warmińskie Zakłady Mleczarskie S.A.", "warminskiemleko.pl"),
            ("Podlasie Meble sp. z o.o.", "podlasiemeble.pl"),
            ("Lubuskie Winnice sp. z o.o.", "lubuskiewinnice.pl"),
            ("Opole Cement S.A.", "opolecement.pl"),
        ],
        "titles": [
            "Prezes zarządu",
            "Kierownik sprzedaży",
            "Specjalista ds. zakupów",
            "Dyrektor handlowy",
            "Przedstawicielka handlowa",
            "Menedżer regionu",
            "Kierowniczka projektu",
            "Konsultant ds. klientów kluczowych",
        ],
        "streets": ["ul. Grunwaldzka 212", "al. Niepodległości 18", "ul. Długa 5", "pl. Wolności 9", "ul. Portowa 3A"],
        "towns": ["80-244 Gdańsk", "40-017 Katowice", "34-500 Zakopane", "61-735 Poznań", "10-512 Olsztyn"],
        "taglines": ["Żeglujemy od 1992", "Jakość od pokoleń", "Budujemy z pasją", "Prosto z Podlasia"],
        "region": "PL",
        "tel": ["tel.", "kom.", "Tel.:", "T:", "tel. kom."],
        "fax": "faks:",
        "mail": ["e-mail:", "E:", ""],
        "web": ["", "www:"],
        "honor": ["mgr inż. ", "dr "],
    },
    "mk": {
        "people": [
            ("Весна", "Трајчевска", "vesna", "trajchevska"),
            ("Зоран", "Митревски", "zoran", "mitrevski"),
            ("Билјана", "Андоновска", "biljana", "andonovska"),
            ("Владимир", "Стефановски", "vladimir", "stefanovski"),
            ("Катерина", "Блажевска", "katerina", "blazhevska"),
            ("Филип", "Наумовски", "filip", "naumovski"),
            ("Снежана", "Ташкова", "snezhana", "tashkova"),
            ("Игор", "Давидовски", "igor", "davidovski"),
            ("Мила", "Јакимовска", "mila", "jakimovska"),
            ("Христијан", "Велковски", "hristijan", "velkovski"),
            ("Ирена", "Божиновска", "irena", "bozhinovska"),
            ("Димитар", "Лазаров", "dimitar", "lazarov"),
        ],
        "companies": [
            ("Струмица Агро ДООЕЛ", "strumicaagro.mk"),
            ("Тиквеш Винарија АД", "tikvesvino.mk"),
            ("Кочани Ориз ДОО", "kocanioriz.mk"),
            ("Прилеп Тутун ДООЕЛ", "prileptutun.mk"),
            ("Скопска Индустрија за Градежни Материјали АД", "sigm.mk"),
            ("Куманово Текстил ДОО", "kumanovotekstil.mk"),
            ("Гостивар Млеко ДООЕЛ", "gostivarmleko.mk"),
            ("Велес Метал ДОО", "velesmetal.mk"),
        ],
        "titles": [
            "Генерален директор",
            "Менаџер за продажба",
            "Раководител на набавки",
            "Комерцијалист",
            "Извршна директорка",
            "Консултант за клиенти",
            "Менаџерка за извоз",
            "Претседател на одбор",
        ],
        "streets": ["ул. Маршал Тито 21", "бул. Гоце Делчев 9", "ул. Народна 44", "ул. Димитрие Чуповски 13"],
        "towns": ["2400 Струмица", "1400 Велес", "7500 Прилеп", "1300 Куманово", "2300 Кочани"],
        "taglines": ["Традиција од 1946", "Квалитет што трае", "Од нашите полиња", "Ваш доверлив партнер"],
        "region": "MK",
        "tel": ["Тел:", "Моб:", "Т:", "тел.", "М:"],
        "fax": "Факс:",
        "mail": ["Е-пошта:", "E:", ""],
        "web": ["", "Веб:"],
        "honor": ["д-р "],
    },
    "fa": {
        "people": [
            ("کامران", "صالحی", "kamran", "salehi"),
            ("نازنین", "فرهادی", "nazanin", "farhadi"),
            ("بهرام", "توکلی", "bahram", "tavakoli"),
            ("شیرین", "اکبری", "shirin", "akbari"),
            ("داوود", "نجفی", "davood", "najafi"),
            ("الهام", "شریفی", "elham", "sharifi"),
            ("مسعود", "قربانی", "masoud", "ghorbani"),
            ("پریسا", "زمانی", "parisa", "zamani"),
            ("فرهاد", "یزدانی", "farhad", "yazdani"),
            ("مینا", "خلیلی", "mina", "khalili"),
            ("سعید", "باقری", "saeed", "bagheri"),
            ("رویا", "مرادی", "roya", "moradi"),
        ],
        "companies": [
            ("شرکت صنایع غذایی مهرگان", "mehrganfood.ir"),
            ("گروه مهندسی آسا", "asagroup.ir"),
            ("بازرگانی خلیج فارس", "khalijtrade.ir"),
            ("شرکت فولاد سپاهان", "sepahansteel.ir"),
            ("شرکت نرم افزاری رایان", "rayansoft.ir"),
            ("گروه صنعتی کاوه", "kavehgroup.ir"),
            ("بازرگانی پارسیان", "parsiantrade.ir"),
            ("شرکت پخش البرز", "alborzpakhsh.ir"),
        ],
        "titles": [
            "مدیر فروش",
            "مدیرعامل",
            "کارشناس فروش",
            "مدیر بازرگانی",
            "مسئول خرید",
            "مشاور فنی",
            "معاون فروش",
            "کارشناس ارشد صادرات",
        ],
        "streets": ["خیابان شریعتی، پلاک ۲۴", "بلوار فردوس، پلاک ۱۱", "خیابان انقلاب، پلاک ۷", "خیابان حافظ، پلاک ۵۲"],
        "towns": ["تهران", "تبریز", "کرج", "اصفهان", "یزد"],
        "taglines": ["کیفیت برتر از سال ۱۳۷۰", "همراه صنعت ایران", "با ما مطمئن باشید", "طعم اصیل ایرانی"],
        "region": "IR",
        "tel": ["تلفن:", "همراه:", "تلفن:", "موبایل:", ""],
        "fax": "فکس:",
        "mail": ["ایمیل:", ""],
        "web": [""],
        "honor": ["مهندس ", "دکتر "],
    },
}

MOBILE = {"GB": "7700", "HR": "98", "CZ": "731", "PL": "512", "MK": "71", "IR": "935"}
LANDLINE = {"GB": "191", "HR": "21", "CZ": "38", "PL": "58", "MK": "34", "IR": "21"}
LENGTH = {"GB": 10, "HR": 8, "CZ": 9, "PL": 9, "MK": 8, "IR": 10}
FA_DIGITS = str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")
TUNE_FAMILIES = ("centred", "logo_left", "dark", "band")
HELDOUT_FAMILIES = ("two_column", "vertical", "back_only", "right_aligned")


def fold(text: str) -> str:
    text = unicodedata.normalize("NFKD", text.lower())
    return "".join(c for c in text if not unicodedata.combining(c)).replace("ł", "l").replace("đ", "d")


def phone(rng: random.Random, region: str, mobile: bool) -> phonenumbers.PhoneNumber:
    prefix = (MOBILE if mobile else LANDLINE)[region]
    length = LENGTH[region] + (1 if region == "HR" and mobile else 0)
    while True:
        national = prefix + "".join(rng.choice("0123456789") for _ in range(length - len(prefix)))
        number = phonenumbers.parse(f"+{phonenumbers.country_code_for_region(region)}{national}")
        if phonenumbers.is_valid_number(number):
            return number


@dataclass
class Line:
    text: str
    role: str  # name, title, company, tagline, contact, address, web
    big: bool = False


@dataclass
class Spec:
    lang: str
    family: str
    lines: list[Line] = field(default_factory=list)
    label: dict[str, Any] = field(default_factory=dict)


def build(lang: str, family: str, person: int, company: int, rng: random.Random) -> Spec:
    d = DATA[lang]
    people = d["people"][person]
    first, last = people[0], people[1]
    latin_first, latin_last = (people[2], people[3]) if len(people) > 2 else (fold(first), fold(last))
    name_co, domain = d["companies"][company]
    title = rng.choice(d["titles"])
    honor = rng.choice(d["honor"]) if rng.random() < 0.2 else ""
    back_only = family == "back_only"
    kind = rng.choice(["first.last", "f.last", "f.last", "first", "flast", "last"])
    local = {
        "first.last": f"{latin_first}.{latin_last}",
        "f.last": f"{latin_first[0]}.{latin_last}",
        "first": latin_first,
        "flast": f"{latin_first[0]}{latin_last}",
        "last": latin_last,
    }[kind]
    if back_only:
        local = rng.choice(["info", "office", "sales"])
    email = f"{local}@{domain}"
    emails = [email]
    if not back_only and rng.random() < 0.15:
        emails.append(f"{rng.choice(['info', 'sales', 'office'])}@{domain}")
    website = rng.choice([f"www.{domain}", f"www.{domain}", domain])
    region = d["region"]
    numbers = [phone(rng, region, True)] if not back_only else [phone(rng, region, False)]
    extra = rng.random()
    if extra < 0.45:
        numbers.append(phone(rng, region, not back_only and False))
    if extra < 0.12:
        numbers.append(phone(rng, region, True))
    national = rng.random() < 0.35
    persian_digits = lang == "fa" and rng.random() < 0.6
    shown_phones = []
    for number in numbers:
        fmt = phonenumbers.PhoneNumberFormat.NATIONAL if national else phonenumbers.PhoneNumberFormat.INTERNATIONAL
        text = phonenumbers.format_number(number, fmt)
        if persian_digits:
            text = text.translate(FA_DIGITS)
        shown_phones.append(f"{rng.choice(d['tel'])} {text}".strip())
    fax_line = None
    if rng.random() < 0.3:
        fax = phonenumbers.format_number(phone(rng, region, False), phonenumbers.PhoneNumberFormat.INTERNATIONAL)
        fax_line = f"{d['fax']} {fax.translate(FA_DIGITS) if persian_digits else fax}"
    street, town = rng.choice(d["streets"]), rng.choice(d["towns"])
    two_line_address = rng.random() < 0.5
    if lang == "fa":
        address_parts = [f"{town}، {street}"]
    elif two_line_address:
        address_parts = [street, town]
    else:
        address_parts = [f"{street}, {town}"]
    tagline = rng.choice(d["taglines"]) if rng.random() < 0.45 or back_only else None
    mail_label = rng.choice(d["mail"])
    web_label = rng.choice(d["web"])
    spec = Spec(lang, family)
    add = spec.lines.append
    if back_only:
        add(Line(name_co, "company", big=True))
        if tagline:
            add(Line(tagline, "tagline"))
    else:
        order = rng.choice(["name_first", "company_first"]) if family != "band" else "name_first"
        if order == "company_first":
            add(Line(name_co, "company", big=family in ("logo_left", "right_aligned")))
            if tagline and rng.random() < 0.5:
                add(Line(tagline, "tagline"))
                tagline = None
        add(Line(f"{honor}{first} {last}", "name", big=True))
        add(Line(title, "title"))
        if order == "name_first":
            add(Line(name_co, "company"))
    for text in shown_phones:
        add(Line(text, "contact"))
    if fax_line:
        add(Line(fax_line, "contact"))
    for e in emails:
        add(Line(f"{mail_label} {e}".strip(), "contact"))
    add(Line(f"{web_label} {website}".strip(), "web"))
    for part in address_parts:
        add(Line(part, "address"))
    if tagline:
        add(Line(tagline, "tagline"))
    address = ", ".join(address_parts).translate(str.maketrans("۰۱۲۳۴۵۶۷۸۹", "0123456789"))
    spec.label = {
        "language": lang,
        "family": family,
        "first_name": None if back_only else f"{honor}{first}",
        "last_name": None if back_only else last,
        "job_title": None if back_only else title,
        "company": name_co,
        "emails": emails,
        "phones": [phonenumbers.format_number(n, phonenumbers.PhoneNumberFormat.E164) for n in numbers],
        "website": website,
        "address": address,
    }
    return spec


# -- drawing -------------------------------------------------------------------------------------
def _is_rtl(text: str) -> bool:
    return any("\u0600" <= c <= "\u06ff" for c in text)


def _font(spec: Spec, line: Line, fonts: tuple[str, str], size: int) -> ImageFont.FreeTypeFont:
    if spec.lang == "fa" and not _is_rtl(line.text):
        return ImageFont.truetype(LATIN_FOR_PERSIAN, size)
    return ImageFont.truetype(fonts[1] if line.big else fonts[0], size)


def _draw_lines(
    draw: ImageDraw.ImageDraw,
    spec: Spec,
    lines: list[Line],
    fonts: tuple[str, str],
    box: tuple[int, int, int, int],
    align: str,
    fg: tuple[int, int, int],
    accent: tuple[int, int, int],
    rng: random.Random,
) -> None:
    """Lines top to bottom inside box (left, top, right, bottom), shrunk until they fit."""
    left, top, right, bottom = box
    width = right - left
    base = rng.randint(24, 30)
    for _ in range(20):
        sizes = [int(base * (1.6 if line.big else 0.85 if line.role == "tagline" else 1)) for line in lines]
        height = sum(int(s * 1.45) for s in sizes)
        if height <= bottom - top or base <= 14:
            break
        base -= 1
    y = top
    for line, size in zip(lines, sizes, strict=True):
        rtl = _is_rtl(line.text)
        kwargs: dict[str, Any] = {"direction": "rtl", "language": "fa"} if rtl else {}
        while True:
            font = _font(spec, line, fonts, size)
            length = draw.textlength(line.text, font=font, **kwargs)
            if length <= width or size <= 12:
                break
            size -= 1
        if align == "right" or (align == "start" and spec.lang == "fa"):
            x = right - length
        elif align == "centre":
            x = left + (width - length) / 2
        else:
            x = left
        colour = accent if line.role in ("company", "tagline") and rng.random() < 0.5 else fg
        draw.text((x, y), line.text, fill=colour, font=font, **kwargs)
        y += int(size * 1.45)


def render_card(spec: Spec, rng: random.Random) -> Image.Image:
    fonts = rng.choice(PERSIAN_FONTS if spec.lang == "fa" else LATIN_FONTS)
    family = spec.family
    w, h = (600, 1000) if family == "vertical" else (1050, 600)
    light = family != "dark" and rng.random() < 0.85
    bg = (
        rng.choice([(252, 252, 250), (245, 240, 228), (232, 240, 236), (250, 236, 230)])
        if light
        else (rng.choice([(28, 36, 52), (45, 25, 30), (20, 60, 50), (35, 35, 38)]))
    )
    fg = (25, 25, 30) if light else (238, 238, 232)
    accent = rng.choice([(160, 30, 40), (20, 80, 150), (30, 110, 60), (170, 110, 20)]) if light else (230, 190, 90)
    card = Image.new("RGB", (w, h), bg)
    draw = ImageDraw.Draw(card)
    lines = spec.lines
    ident = [ln for ln in lines if ln.role in ("name", "title", "company", "tagline")]
    rest = [ln for ln in lines if ln not in ident]
    if family == "centred":
        _draw_lines(draw, spec, lines, fonts, (60, 45, w - 60, h - 40), "centre", fg, accent, rng)
    elif family == "logo_left":
        draw.ellipse((40, 200, 220, 380), fill=accent)
        initials = "".join(word[0] for word in spec.label["company"].split()[:2]).upper()
        draw.text((130, 290), initials, fill=bg, font=ImageFont.truetype(fonts[1], 70), anchor="mm")
        _draw_lines(draw, spec, lines, fonts, (260, 50, w - 40, h - 40), "left", fg, accent, rng)
    elif family == "dark":
        draw.rectangle((0, 0, 24, h), fill=accent)
        _draw_lines(draw, spec, lines, fonts, (70, 50, w - 50, h - 40), "start", fg, accent, rng)
    elif family == "band":
        band = 170
        draw.rectangle((0, h - band, w, h), fill=accent)
        _draw_lines(draw, spec, ident, fonts, (60, 50, w - 60, h - band - 20), "start", fg, accent, rng)
        band_fg = (250, 250, 250)
        pairs = [" | ".join(ln.text for ln in rest[i : i + 2]) for i in range(0, len(rest), 2)]
        band_lines = [Line(p, "contact") for p in pairs]
        _draw_lines(draw, spec, band_lines, fonts, (40, h - band + 12, w - 40, h - 10), "centre", band_fg, band_fg, rng)
    elif family == "two_column":
        split = int(w * rng.uniform(0.44, 0.5))
        draw.line((split, 60, split, h - 60), fill=accent, width=3)
        first, second = (ident, rest) if spec.lang != "fa" else (rest, ident)
        _draw_lines(draw, spec, first, fonts, (45, 70, split - 30, h - 40), "start", fg, accent, rng)
        _draw_lines(draw, spec, second, fonts, (split + 30, 70, w - 45, h - 40), "start", fg, accent, rng)
    elif family == "vertical":
        draw.rectangle((0, 0, w, 120), fill=accent)
        _draw_lines(draw, spec, lines, fonts, (40, 160, w - 40, h - 40), "centre", fg, accent, rng)
    elif family == "back_only":
        draw.rectangle((0, 0, w, h), outline=accent, width=18)
        _draw_lines(draw, spec, lines, fonts, (90, 90, w - 90, h - 80), "centre", fg, accent, rng)
    elif family == "framed":  # probe corpora only
        draw.rectangle((10, 10, w - 10, h - 10), outline=accent, width=6)
        draw.rectangle((30, 30, w - 30, h - 30), outline=accent, width=2)
        align = rng.choice(["centre", "left"])
        _draw_lines(draw, spec, lines, fonts, (80, 60, w - 80, h - 60), align, fg, accent, rng)
    elif family == "stripe_left":  # probe corpora only
        draw.rectangle((0, 0, 140, h), fill=accent)
        _draw_lines(draw, spec, lines, fonts, (180, 50, w - 50, h - 40), "start", fg, accent, rng)
    elif family == "logo_top":  # probe corpora only
        draw.ellipse((w // 2 - 50, 20, w // 2 + 50, 120), fill=accent)
        _draw_lines(draw, spec, lines, fonts, (60, 140, w - 60, h - 30), "centre", fg, accent, rng)
    else:  # right_aligned
        draw.rectangle((40, 50, 52, h - 50), fill=accent)
        draw.rectangle((80, 60, 170, 150), fill=accent)
        _draw_lines(draw, spec, lines, fonts, (200, 45, w - 55, h - 40), "right", fg, accent, rng)
    return card


def photograph(card: Image.Image, rng: random.Random, hard: int) -> bytes:
    """The card on a table, seen at an angle, under uneven light."""
    W, H = 1280, 960
    desk_colour = rng.choice([(96, 72, 54), (140, 140, 140), (70, 80, 95), (180, 170, 150), (50, 50, 50)])
    desk = Image.new("RGB", (W, H), desk_colour)
    if rng.random() < 0.5:  # a grain on the desk
        grain = Image.fromarray(_noise(rng, (H // 8, W // 8), 128, 60)).resize((W, H), Image.Resampling.BICUBIC)
        desk = Image.composite(desk, Image.new("RGB", (W, H), tuple(max(0, c - 25) for c in desk_colour)), grain)
    scale = rng.uniform(0.72, 0.9) * min(W / card.width, H / card.height)
    cw, ch = int(card.width * scale), int(card.height * scale)
    card = card.resize((cw, ch), Image.Resampling.LANCZOS)
    angle = math.radians(rng.uniform(-3, 3) + (rng.choice([-1, 1]) * rng.uniform(4, 9) if hard >= 2 else 0))
    cx, cy = W / 2 + rng.uniform(-40, 40), H / 2 + rng.uniform(-30, 30)
    skew = rng.uniform(0, 0.06) if hard >= 1 else 0
    corners = [(-cw / 2, -ch / 2), (cw / 2, -ch / 2), (cw / 2, ch / 2), (-cw / 2, ch / 2)]
    pts = []
    for i, (x, y) in enumerate(corners):
        shrink = 1 - (skew if i in (0, 1) else 0)  # the far edge looks shorter
        x *= shrink
        rx = x * math.cos(angle) - y * math.sin(angle)
        ry = x * math.sin(angle) + y * math.cos(angle)
        pts.append((cx + rx, cy + ry))
    coeffs = _perspective(pts, [(0, 0), (cw, 0), (cw, ch), (0, ch)])
    warped = card.transform((W, H), Image.Transform.PERSPECTIVE, coeffs, Image.Resampling.BICUBIC)
    mask = Image.new("L", (cw, ch), 255).transform((W, H), Image.Transform.PERSPECTIVE, coeffs)
    shadow = mask.filter(ImageFilter.GaussianBlur(12))
    desk = Image.composite(Image.new("RGB", (W, H), (20, 20, 20)), desk, shadow.point(lambda v: v // 3))
    photo = Image.composite(warped, desk, mask)
    # Light from one side.
    gradient = Image.linear_gradient("L").rotate(rng.choice([0, 90, 180, 270])).resize((W, H))
    dark = Image.new("RGB", (W, H), (0, 0, 0))
    photo = Image.composite(dark, photo, gradient.point(lambda v: int(v * rng.uniform(0.1, 0.3))))
    if hard >= 2:
        photo = photo.filter(ImageFilter.GaussianBlur(rng.uniform(0.6, 1.1)))
    if hard >= 1:
        noise = Image.fromarray(_noise(rng, (H, W), 128, 50)).convert("RGB")
        photo = Image.blend(photo, noise, rng.uniform(0.03, 0.07))
    out = io.BytesIO()
    photo.save(out, format="JPEG", quality=rng.choice([65, 75, 85]))
    return out.getvalue()


def _noise(rng: random.Random, shape: tuple[int, int], mean: float, sigma: float) -> Any:
    import numpy as np

    values = np.random.default_rng(rng.randrange(2**32)).normal(mean, sigma, shape)
    return np.clip(values, 0, 255).astype("uint8")


def _perspective(src: list[tuple[float, float]], dst: list[tuple[float, float]]) -> list[float]:
    """Coefficients mapping output pixels (src: where the card lands) to card pixels (dst)."""
    import numpy as np

    rows = []
    for (x, y), (u, v) in zip(src, dst, strict=True):
        rows.append([x, y, 1, 0, 0, 0, -u * x, -u * y])
        rows.append([0, 0, 0, x, y, 1, -v * x, -v * y])
    a = np.array(rows, dtype=float)
    b = np.array([c for pt in dst for c in pt], dtype=float)
    return list(np.linalg.solve(a, b))


def _write(folder: Path, key: str, spec: Spec, rng: random.Random, hard: int) -> str:
    """One card: its photo, its text as typed and its label."""
    card = render_card(spec, rng)
    (folder / f"{key}.jpg").write_bytes(photograph(card, rng, hard=hard))
    (folder / f"{key}.txt").write_text("\n".join(ln.text for ln in spec.lines) + "\n", encoding="utf-8")
    (folder / f"{key}.json").write_text(json.dumps(spec.label, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return key


def make_split(name: str, families: tuple[str, ...], seed: int, half: int, per_language: int) -> None:
    rng = random.Random(seed)
    folder = OUT / name
    folder.mkdir(parents=True, exist_ok=True)
    index = []
    for lang, d in DATA.items():
        people = list(range(len(d["people"])))
        companies = list(range(len(d["companies"])))
        people = people[: len(people) // 2] if half == 0 else people[len(people) // 2 :]
        companies = companies[: len(companies) // 2] if half == 0 else companies[len(companies) // 2 :]
        for i in range(per_language):
            family = families[i % len(families)]
            spec = build(lang, family, rng.choice(people), rng.choice(companies), rng)
            index.append(_write(folder, f"{lang}-{i:02d}", spec, rng, hard=i % 3))
    (folder / "index.json").write_text(json.dumps(index, indent=0) + "\n", encoding="utf-8")


def make_probe(folder: Path, seed: int, per_language: int, company_share: float) -> None:
    """A throw-away corpus to find failures in: the tuning half of the people and companies, the
    tuning layouts and three more, a share of company-only cards, any seed but the splits' own."""
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    index = []
    for lang, d in DATA.items():
        people = list(range(len(d["people"])))[: len(d["people"]) // 2]
        companies = list(range(len(d["companies"])))[: len(d["companies"]) // 2]
        for i in range(per_language):
            family = PROBE_FAMILIES[i % len(PROBE_FAMILIES)]
            company_only = rng.random() < company_share
            spec = build(lang, "back_only" if company_only else family, rng.choice(people), rng.choice(companies), rng)
            spec.family = family
            spec.label["family"] = family + (" (company only)" if company_only else "")
            index.append(_write(folder, f"{lang}-{i:02d}", spec, rng, hard=i % 3))
    (folder / "index.json").write_text(json.dumps(index, indent=0) + "\n", encoding="utf-8")


PROBE_FAMILIES = (*TUNE_FAMILIES, "framed", "stripe_left", "logo_top")


def main() -> None:
    import argparse

    parser = argparse.ArgumentParser()
    parser.add_argument("--probe", type=Path, help="write a probe corpus to this folder instead of the splits")
    parser.add_argument("--seed", type=int, default=4242)
    parser.add_argument("--per-language", type=int, default=30)
    parser.add_argument("--company-share", type=float, default=0.5)
    args = parser.parse_args()
    if args.probe:
        if args.seed in (1501, 9176):
            parser.error("the splits' own seeds make the splits' cards")
        make_probe(args.probe, args.seed, args.per_language, args.company_share)
        return
    make_split("tune", TUNE_FAMILIES, seed=1501, half=0, per_language=16)
    make_split("heldout", HELDOUT_FAMILIES, seed=9176, half=1, per_language=16)


if __name__ == "__main__":
    main()
