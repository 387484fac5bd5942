"""Builds the labelled card corpus: for each card a typed text (`NN.txt`), a photo (`NN.jpg`) and the
expected fields (`NN.json`). Deterministic (seeded), so the files are reproducible:

    python tests/data/cards/make_corpus.py            # writes next to this file

Each language gets 12 cards in varied layouts (label prefixes, separators, local or international
phone formats, honorifics). Photos are rendered on a desk background with tilt, perspective,
blur, noise or darkness, some carrying a vCard QR code. Needs Pillow with raqm, segno, phonenumbers,
and the Debian fonts fonts-dejavu-core and fonts-liberation2.
"""

from __future__ import annotations

import io
import json
import random
from pathlib import Path

import phonenumbers
from PIL import Image, ImageDraw, ImageFilter, ImageFont

HERE = Path(__file__).resolve().parent
FONTS = {
    "sans": "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
    "bold": "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf",
    "serif": "/usr/share/fonts/truetype/liberation2/LiberationSerif-Regular.ttf",
    "libsans": "/usr/share/fonts/truetype/liberation2/LiberationSans-Regular.ttf",
    "fa": "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
    "fa_bold": "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf",
}

DATA = {
    "en": {
        "people": [
            ("Emily", "Carter"),
            ("James", "Whitfield"),
            ("Olivia", "Bennett"),
            ("Daniel", "Hughes"),
            ("Sophie", "Turner"),
            ("Michael", "Grant"),
            ("Hannah", "Lloyd"),
            ("Robert", "Fleming"),
            ("Grace", "Holloway"),
            ("Thomas", "Reid"),
            ("Chloe", "Morgan"),
            ("William", "Price"),
        ],
        "companies": [
            ("Northwind Logistics Ltd", "northwind.co.uk"),
            ("Brightpath Software Inc.", "brightpath.com"),
            ("Harbor Analytics LLC", "harboranalytics.com"),
            ("Greenfield Foods plc", "greenfieldfoods.co.uk"),
        ],
        "titles": [
            "Sales Director",
            "Head of Procurement",
            "Account Executive",
            "Chief Technology Officer",
            "Regional Sales Manager",
            "Business Development Manager",
        ],
        "streets": ["221 Baker Street", "14 Kingsway Road", "Suite 400, 88 Market Street", "7 Riverside Avenue"],
        "cities": ["London NW1 6XE", "Manchester M1 4BT", "Leeds LS1 4DY", "Bristol BS1 5TR"],
        "region": "GB",
        "labels": ["Tel: ", "M: ", "Mobile: ", "", "T "],
        "email_labels": ["E: ", "Email: ", ""],
    },
    "hr": {
        "people": [
            ("Ana", "Kovačević"),
            ("Ivan", "Horvat"),
            ("Marija", "Babić"),
            ("Tomislav", "Jurić"),
            ("Petra", "Novak"),
            ("Luka", "Marić"),
            ("Ivana", "Knežević"),
            ("Marko", "Pavlović"),
            ("Maja", "Šimić"),
            ("Josip", "Vuković"),
            ("Lucija", "Perić"),
            ("Dario", "Đurić"),
        ],
        "companies": [
            ("Adria Solar d.o.o.", "adriasolar.hr"),
            ("Konzum Trgovina d.d.", "konzumtrgovina.hr"),
            ("Dalmacija Vino j.d.o.o.", "dalmacijavino.hr"),
            ("Infobip Sustavi d.o.o.", "infobipsustavi.hr"),
        ],
        "titles": [
            "Direktorica prodaje",
            "Voditelj nabave",
            "Komercijalist",
            "Član uprave",
            "Savjetnica za prodaju",
            "Voditeljica marketinga",
        ],
        "streets": ["Ilica 242", "Ulica grada Vukovara 269", "Trg bana Jelačića 5", "Savska cesta 32"],
        "cities": ["10000 Zagreb", "21000 Split", "51000 Rijeka", "31000 Osijek"],
        "region": "HR",
        "labels": ["Tel: ", "Mob: ", "M: ", "", "T: "],
        "email_labels": ["E-mail: ", "E: ", ""],
    },
    "cs": {
        "people": [
            ("Jan", "Novák"),
            ("Petra", "Svobodová"),
            ("Tomáš", "Dvořák"),
            ("Lucie", "Černá"),
            ("Jiří", "Procházka"),
            ("Kateřina", "Kučerová"),
            ("Martin", "Veselý"),
            ("Eva", "Horáková"),
            ("Ondřej", "Němec"),
            ("Tereza", "Marková"),
            ("Pavel", "Pokorný"),
            ("Jana", "Růžičková"),
        ],
        "companies": [
            ("Moravia Stavby s.r.o.", "moraviastavby.cz"),
            ("Pražská Energie a.s.", "prazskaenergie.cz"),
            ("Bohemia Soft s.r.o.", "bohemiasoft.cz"),
            ("Vltava Logistika a.s.", "vltavalogistika.cz"),
        ],
        "titles": [
            "Obchodní ředitel",
            "Vedoucí nákupu",
            "Obchodní zástupkyně",
            "Jednatel",
            "Manažerka prodeje",
            "Konzultant",
        ],
        "streets": ["Vinohradská 12", "Náměstí Míru 15", "Jugoslávská 29", "Karlovo náměstí 10"],
        "cities": ["120 00 Praha 2", "602 00 Brno", "301 00 Plzeň", "702 00 Ostrava"],
        "region": "CZ",
        "labels": ["Tel.: ", "Mobil: ", "T: ", "", "M: "],
        "email_labels": ["E-mail: ", "E: ", ""],
    },
    "pl": {
        "people": [
            ("Anna", "Kowalska"),
            ("Piotr", "Nowak"),
            ("Katarzyna", "Wiśniewska"),
            ("Tomasz", "Wójcik"),
            ("Magdalena", "Kamińska"),
            ("Paweł", "Lewandowski"),
            ("Agnieszka", "Zielińska"),
            ("Michał", "Szymański"),
            ("Joanna", "Woźniak"),
            ("Łukasz", "Dąbrowski"),
            ("Ewa", "Kozłowska"),
            ("Krzysztof", "Jankowski"),
        ],
        "companies": [
            ("Wisła Logistyka sp. z o.o.", "wislalogistyka.pl"),
            ("Polskie Okna S.A.", "polskieokna.pl"),
            ("Mazowsze Energia sp. z o.o.", "mazowszeenergia.pl"),
            ("Bałtyk Software S.A.", "baltyksoftware.pl"),
        ],
        "titles": [
            "Dyrektor sprzedaży",
            "Kierownik zakupów",
            "Przedstawiciel handlowy",
            "Prezes zarządu",
            "Specjalistka ds. sprzedaży",
            "Menedżer projektu",
        ],
        "streets": ["ul. Marszałkowska 84", "al. Jerozolimskie 65", "ul. Piotrkowska 120", "pl. Grunwaldzki 22"],
        "cities": ["00-514 Warszawa", "90-006 Łódź", "50-363 Wrocław", "31-042 Kraków"],
        "region": "PL",
        "labels": ["tel. ", "kom. ", "Tel.: ", "", "T: "],
        "email_labels": ["e-mail: ", "E: ", ""],
    },
    "mk": {
        "people": [
            ("Александар", "Петровски"),
            ("Марија", "Стојанова"),
            ("Никола", "Трајковски"),
            ("Елена", "Димитрова"),
            ("Горан", "Николовски"),
            ("Ивана", "Јованова"),
            ("Дејан", "Костовски"),
            ("Ана", "Ристова"),
            ("Бојан", "Илиевски"),
            ("Сара", "Ангеловска"),
            ("Петар", "Георгиевски"),
            ("Марта", "Спасовска"),
        ],
        "latin": {
            "Александар": "aleksandar",
            "Марија": "marija",
            "Никола": "nikola",
            "Елена": "elena",
            "Горан": "goran",
            "Ивана": "ivana",
            "Дејан": "dejan",
            "Ана": "ana",
            "Бојан": "bojan",
            "Сара": "sara",
            "Петар": "petar",
            "Марта": "marta",
        },
        "companies": [
            ("Вардар Трејд ДООЕЛ", "vardartrejd.mk"),
            ("Македонски Телеком АД", "mkteleko.mk"),
            ("Охрид Софт ДОО", "ohridsoft.mk"),
            ("Пелагонија Агро ДОО", "pelagonijaagro.mk"),
        ],
        "titles": [
            "Директор за продажба",
            "Менаџер за набавки",
            "Комерцијалист",
            "Извршен директор",
            "Раководител на маркетинг",
            "Консултант за продажба",
        ],
        "streets": ["ул. Македонија 12", "бул. Партизански одреди 45", "ул. Орце Николов 76", "бул. Илинден 100"],
        "cities": ["1000 Скопје", "7000 Битола", "6000 Охрид", "2000 Штип"],
        "region": "MK",
        "labels": ["Тел: ", "Моб: ", "Т: ", "", "тел. "],
        "email_labels": ["Е-пошта: ", "E: ", ""],
    },
    "fa": {
        "people": [
            ("علی", "رضایی"),
            ("مریم", "احمدی"),
            ("رضا", "محمدی"),
            ("سارا", "حسینی"),
            ("محمد", "کریمی"),
            ("زهرا", "موسوی"),
            ("حسین", "جعفری"),
            ("نرگس", "صادقی"),
            ("امیر", "رحیمی"),
            ("لیلا", "نوری"),
            ("مهدی", "کاظمی"),
            ("فاطمه", "قاسمی"),
        ],
        "latin": {
            "علی": "ali",
            "مریم": "maryam",
            "رضا": "reza",
            "سارا": "sara",
            "محمد": "mohammad",
            "زهرا": "zahra",
            "حسین": "hossein",
            "نرگس": "narges",
            "امیر": "amir",
            "لیلا": "leila",
            "مهدی": "mahdi",
            "فاطمه": "fatemeh",
        },
        "companies": [
            ("شرکت آرین تجارت", "ariantejarat.ir"),
            ("گروه صنعتی پارس", "parsgroup.ir"),
            ("شرکت داده پردازان", "dadehpardazan.ir"),
            ("بازرگانی البرز", "alborztrade.ir"),
        ],
        "titles": ["مدیر فروش", "کارشناس بازرگانی", "مدیرعامل", "مدیر خرید", "مشاور فروش", "معاون بازاریابی"],
        "streets": ["خیابان ولیعصر، پلاک ۱۲", "بلوار کشاورز، پلاک ۴۵", "خیابان آزادی، پلاک ۸", "میدان ونک، پلاک ۳"],
        "cities": ["تهران", "اصفهان", "شیراز", "مشهد"],
        "region": "IR",
        "labels": ["تلفن: ", "موبایل: ", "", "تلفن: ", ""],
        "email_labels": ["ایمیل: ", ""],
    },
}

MOBILE_PREFIX = {"GB": "7911", "HR": "91", "CZ": "602", "PL": "601", "MK": "70", "IR": "912"}
LANDLINE_PREFIX = {"GB": "20", "HR": "1", "CZ": "2", "PL": "22", "MK": "2", "IR": "21"}
FA_DIGITS = str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")


def make_phone(rng: random.Random, region: str, mobile: bool) -> phonenumbers.PhoneNumber:
    prefix = (MOBILE_PREFIX if mobile else LANDLINE_PREFIX)[region]
    code = phonenumbers.country_code_for_region(region)
    while True:
        length = {"GB": 10, "HR": 9 if mobile else 8, "CZ": 9, "PL": 9, "MK": 8, "IR": 10}[region]
        national = prefix + "".join(rng.choice("23456789") for _ in range(length - len(prefix)))
        number = phonenumbers.parse(f"+{code}{national}")
        if phonenumbers.is_valid_number(number):
            return number


def ascii_fold(text: str) -> str:
    import unicodedata

    text = unicodedata.normalize("NFKD", text.lower())
    return "".join(c for c in text if not unicodedata.combining(c)).replace("ł", "l").replace("đ", "d")


def build(lang: str, i: int, rng: random.Random) -> tuple[list[str], dict, str]:
    d = DATA[lang]
    first, last = d["people"][i]
    company, domain = d["companies"][i % 4]
    title = d["titles"][i % len(d["titles"])]
    street, city = d["streets"][i % 4], d["cities"][(i + 1) % 4]
    latin_first = d.get("latin", {}).get(first, ascii_fold(first))
    latin_last = ascii_fold(last) if lang not in ("mk", "fa") else f"{latin_first[0]}"
    local = rng.choice([f"{latin_first}.{latin_last}", f"{latin_first[0]}{latin_last}", latin_first])
    if lang in ("mk", "fa"):
        local = latin_first
    email = f"{local}@{domain}"
    website = f"www.{domain}"
    region = d["region"]
    mobile = make_phone(rng, region, True)
    phones = [mobile]
    if i % 3 == 0:
        phones.append(make_phone(rng, region, False))
    style = i % 4
    shown = []
    for number in phones:
        fmt = phonenumbers.PhoneNumberFormat.INTERNATIONAL if style != 1 else phonenumbers.PhoneNumberFormat.NATIONAL
        text = phonenumbers.format_number(number, fmt)
        if lang == "fa" and i % 2 == 0:
            text = text.translate(FA_DIGITS)
        shown.append(rng.choice(d["labels"]) + text)
    honor = {"cs": "Ing. ", "pl": "mgr ", "hr": "dr. sc. "}.get(lang, "") if i % 5 == 4 else ""
    name_line = f"{honor}{first} {last}"
    address = f"{street}, {city}" if lang != "fa" else f"{city}، {street}"
    email_line = rng.choice(d["email_labels"]) + email
    layouts = [
        [name_line, title, company, *shown, email_line, website, address],
        [company, name_line, title, address, *shown, email_line, website],
        [name_line, title, "", company, address, " | ".join([*shown, email_line]), website],
        [company, "", name_line, title, *shown, email_line, address],
    ]
    lines = layouts[style]
    label = {
        "language": lang,
        "first_name": f"{honor}{first}".strip(),
        "last_name": last,
        "job_title": title,
        "company": company,
        "emails": [email],
        "phones": [phonenumbers.format_number(p, phonenumbers.PhoneNumberFormat.E164) for p in phones],
        "website": website if website in "\n".join(lines) else None,
        "address": address if address in "\n".join(lines) else None,
    }
    if label["address"]:  # the reader gives ASCII digits, whatever digits the card prints
        label["address"] = label["address"].translate(str.maketrans("۰۱۲۳۴۵۶۷۸۹", "0123456789"))
    vcard = (
        "BEGIN:VCARD\nVERSION:3.0\n"
        f"N:{last};{first};;;\nFN:{first} {last}\nORG:{company}\nTITLE:{title}\n"
        + "".join(f"TEL:{p}\n" for p in label["phones"])
        + f"EMAIL:{email}\nURL:{website}\n"
        + "ADR:;;"
        + (label["address"] or "").replace(",", "\\,")
        + ";;;;\n"
        + "END:VCARD\n"
    )
    return lines, label, vcard


def render(lang: str, lines: list[str], vcard: str | None, rng: random.Random, difficulty: int) -> bytes:
    w, h = 1050, 600
    bg = rng.choice([(255, 255, 255), (250, 247, 240), (235, 242, 250), (40, 48, 64)])
    fg = (20, 20, 20) if sum(bg) > 300 else (240, 240, 240)
    card = Image.new("RGB", (w, h), bg)
    draw = ImageDraw.Draw(card)
    rtl = lang == "fa"
    family = "fa" if rtl else rng.choice(["sans", "serif", "libsans"])
    y = 50
    for n, line in enumerate(lines):
        if not line:
            y += 20
            continue
        size = 44 if n == 0 else 30
        font_path = FONTS["fa_bold" if rtl and n == 0 else family if not (n == 0 and family == "sans") else "bold"]
        kwargs = {"direction": "rtl", "language": "fa"} if rtl and any("\u0600" <= c <= "\u06ff" for c in line) else {}
        while True:  # shrink a long line until it fits on the card
            font = ImageFont.truetype(font_path, size)
            length = draw.textlength(line, font=font, **kwargs)
            if length <= w - 120 - (230 if vcard else 0) or size <= 16:
                break
            size -= 2
        x = (w - 60 - length) if rtl else 60
        draw.text((x, y), line, fill=fg, font=font, **kwargs)
        y += int(size * 1.45)
    if vcard:
        import segno

        qr = segno.make(vcard, error="m", micro=False)
        buf = io.BytesIO()
        qr.save(buf, kind="png", scale=5, border=2)
        qimg = Image.open(buf).convert("RGB")
        card.paste(qimg, (w - qimg.width - 30, h - qimg.height - 30) if not rtl else (30, h - qimg.height - 30))
    desk = Image.new("RGB", (1280, 960), rng.choice([(120, 85, 60), (90, 90, 95), (160, 150, 135), (60, 70, 60)]))
    angle = rng.uniform(-4, 4) if difficulty else 0
    if difficulty >= 2:
        angle = rng.choice([-1, 1]) * rng.uniform(6, 12)
    rotated = card.rotate(angle, expand=True, resample=Image.BICUBIC, fillcolor=desk.getpixel((0, 0)))
    scale = 1150 / max(rotated.size)
    rotated = rotated.resize((int(rotated.width * scale), int(rotated.height * scale)), Image.LANCZOS)
    desk.paste(rotated, ((1280 - rotated.width) // 2, (960 - rotated.height) // 2))
    if difficulty >= 3:
        desk = desk.filter(ImageFilter.GaussianBlur(0.8))
    if difficulty >= 2:
        noise = Image.effect_noise(desk.size, 18).convert("RGB")
        desk = Image.blend(desk, noise, 0.08)
    out = io.BytesIO()
    desk.save(out, format="JPEG", quality=rng.choice([70, 80, 90]))
    return out.getvalue()


def main() -> None:
    rng = random.Random(20261122)
    index = []
    for lang in DATA:
        for i in range(12):
            lines, label, vcard = build(lang, i, rng)
            name = f"{lang}-{i:02d}"
            with_qr = i in (3, 7)
            difficulty = i % 4
            (HERE / f"{name}.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
            (HERE / f"{name}.jpg").write_bytes(render(lang, lines, vcard if with_qr else None, rng, difficulty))
            # The QR code carries the website even where the layout does not print it.
            label["qr_website"] = f"www.{DATA[lang]['companies'][i % 4][1]}" if with_qr else None
            label.update({"qr": with_qr, "difficulty": difficulty})
            (HERE / f"{name}.json").write_text(json.dumps(label, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
            index.append(name)
    (HERE / "index.json").write_text(json.dumps(index, indent=0) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
