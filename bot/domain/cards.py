"""Reading a business card's text: name, title, company, e-mails, phones, website, address.

Plain rules, no I/O. The text may be typed, pasted, or come from OCR; the six languages of the
product are known (company legal forms, job-title words, street words, post codes). Nothing is
invented: a field the text does not show stays empty and is listed as missing.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import asdict, dataclass, field, replace
from typing import Any

import phonenumbers
from email_validator import EmailNotValidError, validate_email

from bot.domain.hygiene import check_typed, tidy
from models import limits
from models.errors import N_, DomainError

MAX_CARD_TEXT = 2000
# The longest value typed for one field (models/limits.py); the name is first and last name.
TYPED_LIMITS = {
    "name": limits.FIRST_NAME,
    "job_title": limits.JOB_TITLE,
    "company": limits.COMPANY,
    "emails": 2000,
    "phones": 1000,
    "website": limits.WEBSITE,
    "address": limits.ADDRESS,
}
CLEAR = "-"  # typed for a field: empty it

FIELDS = ("first_name", "last_name", "job_title", "company", "emails", "phones", "website", "address")

# Country of a language, and of a country-code top-level domain, for reading phone numbers.
LANGUAGE_REGION = {"en": "GB", "hr": "HR", "cs": "CZ", "pl": "PL", "mk": "MK", "fa": "IR"}
TLD_REGION = {
    "hr": "HR",
    "cz": "CZ",
    "pl": "PL",
    "mk": "MK",
    "ir": "IR",
    "uk": "GB",
    "de": "DE",
    "at": "AT",
    "si": "SI",
    "rs": "RS",
    "ba": "BA",
    "sk": "SK",
    "hu": "HU",
    "it": "IT",
    "fr": "FR",
    "ie": "IE",
}
TLD_LANGUAGE = {"hr": "hr", "cz": "cs", "pl": "pl", "mk": "mk", "ir": "fa"}

COMPANY_FORMS = [
    r"j\.\s?d\.\s?o\.\s?o\.",
    r"d\.\s?o\.\s?o\.",
    r"d\.\s?d\.",
    r"spol\.\s?s\s?r\.\s?o\.",
    r"s\.\s?r\.\s?o\.",
    r"a\.\s?s\.",
    r"v\.\s?o\.\s?s\.",
    r"k\.\s?s\.",
    r"sp\.\s?z\s?o\.\s?o\.",
    r"sp\.\s?j\.",
    r"sp\.\s?k\.",
    r"s\.\s?a\.",
    r"дооел",
    r"доо",
    r"ад",
    r"ltd\.?",
    r"llc",
    r"inc\.?",
    r"gmbh",
    r"plc",
    r"corp\.?",
    r"co\.",
    r"limited",
    r"شرکت",
    r"گروه",
    r"بازرگانی",
    r"هلدینگ",
]
_COMPANY_RE = re.compile(r"(?<!\w)(?:" + "|".join(COMPANY_FORMS) + r")(?!\w)", re.IGNORECASE)

TITLE_WORDS = {
    "en": "ceo cto cfo coo cmo founder co-founder director manager head lead engineer consultant officer president "
    "vp vice sales account executive partner owner specialist representative developer analyst architect "
    "buyer procurement marketing chief",
    "hr": "direktor direktorica voditelj voditeljica menadžer menadžerica prodaje inženjer inženjerka savjetnik "
    "savjetnica vlasnik vlasnica predsjednik predsjednica uprave referent referentica komercijalist "
    "komercijalistica specijalist specijalistica nabave predstavnik predstavnica",
    "cs": "ředitel ředitelka jednatel jednatelka vedoucí manažer manažerka obchodní zástupce zástupkyně konzultant "
    "konzultantka inženýr specialista specialistka nákupu prodeje majitel majitelka předseda "
    "představenstva obchodu",
    "pl": "dyrektor dyrektorka prezes kierownik kierowniczka menedżer menedżerka specjalista specjalistka handlowy "
    "handlowa przedstawiciel przedstawicielka konsultant konsultantka inżynier właściciel właścicielka "
    "zakupów sprzedaży zarządu",
    "mk": "директор директорка менаџер менаџерка раководител продажба продажби инженер консултант сопственик "
    "претседател извршен извршна комерцијалист набавки маркетинг",
    "fa": "مدیر مدیرعامل کارشناس مهندس مشاور رئیس فروش مسئول نماینده معاون",
}
_TITLE_WORDS = {w for words in TITLE_WORDS.values() for w in words.split()}

STREET_WORDS = (
    "street st. road rd. avenue ave. suite floor blvd. lane square way "
    "ulica ul. trg cesta avenija put obala "
    "ulice náměstí nám. třída tř. nábřeží "
    "al. aleja plac pl. os. osiedle "
    "ул. улица бул. булевар плоштад кеј "
    "خیابان بلوار میدان کوچه پلاک طبقه کدپستی"
).split()
_POSTCODE_RES = [
    re.compile(r"(?<!\d)\d{5}(?!\d)\s+\S+"),  # HR, generic five digits + town
    re.compile(r"(?<!\d)\d{3}\s\d{2}(?!\d)"),  # CZ "602 00"
    re.compile(r"(?<!\d)\d{2}-\d{3}(?!\d)"),  # PL "00-514"
    re.compile(r"(?<!\d)\d{4}(?!\d)\s+[^\d\s@]+"),  # MK "1000 Скопје"
    re.compile(r"\b[A-Z]{1,2}\d[A-Z\d]?\s\d[A-Z]{2}\b"),  # UK
]
_FAX_RE = re.compile(r"(?<!\w)(fax|faks|факс|فکس|telefax)(?!\w)", re.IGNORECASE)
_LABEL_RE = re.compile(
    r"(?<!\w)(tel|tel\.|phone|mob|mob\.|mobile|gsm|m|t|p|e|w|email|e-mail|web|www:|телефон|тел|моб|"
    r"تلفن|موبایل|همراه|ایمیل|وب|mail|kom\.?|komórka|telefon)\s*[:.]\s*",
    re.IGNORECASE,
)
_EMAIL_RE = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+", re.UNICODE)
_WEB_RE = re.compile(
    r"(?<![@\w.])(?:https?://)?(?:www\.)?[a-z0-9-]+(?:\.[a-z0-9-]+)*\.[a-z]{2,}(?:/[^\s]*)?", re.IGNORECASE
)
_DIGITS = str.maketrans("۰۱۲۳۴۵۶۷۸۹٠١٢٣٤٥٦٧٨٩", "01234567890123456789")
_CYR = str.maketrans(
    {
        "а": "a",
        "б": "b",
        "в": "v",
        "г": "g",
        "д": "d",
        "ѓ": "gj",
        "е": "e",
        "ж": "zh",
        "з": "z",
        "ѕ": "dz",
        "и": "i",
        "ј": "j",
        "к": "k",
        "л": "l",
        "љ": "lj",
        "м": "m",
        "н": "n",
        "њ": "nj",
        "о": "o",
        "п": "p",
        "р": "r",
        "с": "s",
        "т": "t",
        "ќ": "kj",
        "у": "u",
        "ф": "f",
        "х": "h",
        "ц": "c",
        "ч": "ch",
        "џ": "dj",
        "ш": "sh",
    }
)


@dataclass
class Card:
    first_name: str | None = None
    last_name: str | None = None
    job_title: str | None = None
    company: str | None = None
    emails: list[str] = field(default_factory=list)
    phones: list[str] = field(default_factory=list)
    website: str | None = None
    address: str | None = None
    raw_text: str = ""

    @property
    def full_name(self) -> str:
        return " ".join(p for p in (self.first_name, self.last_name) if p)

    @property
    def missing(self) -> list[str]:
        return [f for f in FIELDS if not getattr(self, f)]

    @property
    def is_empty(self) -> bool:
        return not (self.full_name or self.company or self.emails or self.phones)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Card:
        known = {k: v for k, v in data.items() if k in cls.__dataclass_fields__}
        return cls(**known)


def fold(text: str) -> str:
    """ASCII-ish lower case for comparisons: accents dropped, Macedonian transliterated."""
    text = unicodedata.normalize("NFKD", text.casefold().translate(_CYR))
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return text.replace("đ", "d").replace("ł", "l").replace("ø", "o")


def clean_text(text: str) -> str:
    text = unicodedata.normalize("NFC", text).translate(_DIGITS)
    text = re.sub("[\u200e\u200f\u202a-\u202e\u2066-\u2069\ufeff]", "", text)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    # Right-to-left OCR writes "+98 21 8876 5432" as "5432 8876 21 98+": put it back in order.
    text = re.sub(
        r"(?<![\d+])((?:\d{1,5}\s)+\d{1,4})\+(?!\d)", lambda m: "+" + " ".join(reversed(m.group(1).split())), text
    )
    # In Persian lines, a comma is the Persian comma.
    return "\n".join(
        re.sub(r"\s*,\s*", "، ", line) if re.search(r"[\u0600-\u06ff]", line) else line for line in text.split("\n")
    )


def repair_ocr(text: str) -> str:
    """Undo the usual OCR slips on cards: © or Q for @, 0 for o in legal forms."""
    text = re.sub(
        r"([\w.+-]{2,})\s?(?:\(©\)?|©|\(D|\(@|&|\(at\)|\[at\]|(?<=[a-z])Q(?=[a-z]))\s?([\w-]+(?:\.[\w-]+)+)",
        r"\1@\2",
        text,
    )
    text = re.sub(r"(?<=[a-z])Q@", "@", text)
    text = re.sub(r"(?i)\b(sp\.\s?z\s?)[o0]\.\s?[o0]\.", r"sp. z o.o.", text)
    text = re.sub(r"(?m)(?<=\w )pic$", "plc", text)
    return re.sub(r"(?i)\b(j\.\s?)?d\.\s?[o0]\.\s?[o0]\.", lambda m: (m.group(1) or "") + "d.o.o.", text)


def lines_of(text: str) -> list[str]:
    out = []
    for line in clean_text(text).split("\n"):
        for part in re.split(r"\s+[|•·]\s+|\t+", line):
            part = " ".join(part.split()).strip(" ,;")
            if part:
                out.append(part)
    return out


def normalise_email(raw: str) -> str | None:
    raw = raw.strip().strip(".,;:()<>")
    try:
        return validate_email(raw, check_deliverability=False).normalized
    except EmailNotValidError:
        return None


def email_error(raw: str) -> str | None:
    """Why an address is refused, in the library's words; None when it is fine."""
    try:
        validate_email(raw.strip(), check_deliverability=False)
    except EmailNotValidError as exc:
        return str(exc)
    return None


def normalise_phone(raw: str, region: str | None) -> str | None:
    try:
        number = phonenumbers.parse(raw, region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def _regions(emails: list[str], websites: list[str], language: str | None, default_region: str | None) -> list[str]:
    regions: list[str] = []
    for host in [e.rsplit("@", 1)[-1] for e in emails] + websites:
        tld = host.lower().rstrip("/").split("/")[0].rsplit(".", 1)[-1]
        if tld in TLD_REGION:
            regions.append(TLD_REGION[tld])
    if language in LANGUAGE_REGION:
        regions.append(LANGUAGE_REGION[language])
    if default_region:
        regions.append(default_region)
    return list(dict.fromkeys(regions)) or ["ZZ"]  # "ZZ": unknown region, only "+" numbers are read


def _find_phones(line: str, regions: list[str]) -> tuple[list[str], str]:
    found: list[str] = []
    rest = line
    for region in regions:
        for match in phonenumbers.PhoneNumberMatcher(rest, region, leniency=phonenumbers.Leniency.VALID):
            found.append(phonenumbers.format_number(match.number, phonenumbers.PhoneNumberFormat.E164))
            rest = rest.replace(match.raw_string, " ")
        if found:
            break
    return found, rest


def _is_title(line: str) -> bool:
    words = re.findall(r"[\w-]+", line.casefold())
    return any(w in _TITLE_WORDS for w in words)


def _is_address(line: str) -> bool:
    low = line.casefold()
    words = low.replace(",", " ").split()
    if any(w in STREET_WORDS or w.rstrip(",") in STREET_WORDS for w in words):
        return True
    if any(p.search(line) for p in _POSTCODE_RES):
        return True
    # "Ilica 242", "Vinohradská 12/3": a word and a house number
    return bool(
        re.fullmatch(r"[^\d@]{3,40}\s\d{1,4}[a-zA-Z]?(?:/\d{1,4}[a-zA-Z]?)?,?(?:\s.*)?", line)
    ) and not _is_title(line)


def _looks_like_name(line: str) -> bool:
    words = line.split()
    if not 2 <= len(words) <= 5 or any(ch.isdigit() for ch in line) or "@" in line:
        return False
    if _COMPANY_RE.search(line) or _is_title(line):
        return False
    letters = [w for w in words if w[0].isalpha()]
    if len(letters) != len(words):
        return False
    # Scripts without case (Persian) pass; cased scripts want capitalised words (or honorifics).
    return all(
        not w[0].islower() or w.rstrip(".") in {"dr", "mgr", "ing", "inż", "sc", "prof", "mr", "mrs", "dipl", "oec"}
        for w in words
    )


def _split_name(name: str) -> tuple[str | None, str | None]:
    words = name.split()
    if len(words) == 1:
        return words[0], None
    return " ".join(words[:-1]), words[-1]


def _split_name_and_title(lines: list[str]) -> list[str]:
    """ "Krešimir Đurđević, voditelj prodaje" on one line becomes two lines."""
    out: list[str] = []
    for line in lines:
        parts = [p.strip() for p in re.split(r",\s+|\s+[–-]\s+", line) if p.strip()]
        if len(parts) == 2 and _looks_like_name(parts[0]) and _is_title(parts[1]):
            out += parts
        else:
            out.append(line)
    return out


def detect_language(text: str, emails: list[str], websites: list[str]) -> str | None:
    """A language hint from the script or a country domain; None when nothing tells."""
    if re.search(r"[\u0600-\u06ff]", text):
        return "fa"
    if re.search(r"[\u0400-\u04ff]", text):
        return "mk"
    for host in [e.rsplit("@", 1)[-1] for e in emails] + websites:
        tld = host.lower().split("/")[0].rsplit(".", 1)[-1]
        if tld in TLD_LANGUAGE:
            return TLD_LANGUAGE[tld]
    if re.search(r"[řěůťď]", text, re.IGNORECASE):
        return "cs"
    if re.search(r"[łąęśźżń]", text, re.IGNORECASE):
        return "pl"
    if re.search(r"[đ]", text, re.IGNORECASE):
        return "hr"
    return None


def parse_card(text: str, *, language: str | None = None, default_region: str | None = None) -> Card:
    """Read the fields of a card from its text. Never raises; unknown parts stay empty."""
    text = text[:MAX_CARD_TEXT]
    lines = lines_of(text)
    card = Card(raw_text=clean_text(text).strip())
    emails: list[str] = []
    websites: list[str] = []
    leftovers: list[str] = []
    for line in lines:
        body = _LABEL_RE.sub(" ", line)
        for raw in _EMAIL_RE.findall(body):
            email = normalise_email(raw)
            if email and email not in emails:
                emails.append(email)
            body = body.replace(raw, " ")
        for raw in _WEB_RE.findall(body):
            candidate = raw.rstrip(".,;)")
            host = re.sub(r"^https?://", "", candidate, flags=re.IGNORECASE).split("/")[0].lower()
            email_hosts = {e.rsplit("@", 1)[-1].lower() for e in emails}
            if (
                candidate.lower().startswith(("www.", "http"))
                or host in email_hosts
                or host.removeprefix("www.") in email_hosts
            ):
                websites.append(candidate)
                body = body.replace(raw, " ")
        leftovers.append(body)
    language = language or detect_language(text, emails, websites)
    regions = _regions(emails, websites, language, default_region)
    phones: list[str] = []
    rest_lines: list[str] = []
    for body in leftovers:
        fax = _FAX_RE.search(body)
        if fax:  # "mob. 098 123 4567, fax 021 555 666": keep what comes before the fax label
            body = body[: fax.start()]
        found, body = _find_phones(body, regions)
        phones += [p for p in found if p not in phones]
        body = " ".join(body.split()).strip(" ,;:-–/")
        if body and not re.fullmatch(r"[\W\d_]+", body):
            rest_lines.append(body)
    card.emails, card.phones = emails, phones
    rest_lines = _split_name_and_title(rest_lines)
    card.website = websites[0] if websites else None

    company_idx = next((i for i, line in enumerate(rest_lines) if _COMPANY_RE.search(line)), None)
    if company_idx is None and emails:
        stem = fold(emails[0].rsplit("@", 1)[-1].split(".")[0])
        if len(stem) >= 3:
            company_idx = next(
                (i for i, line in enumerate(rest_lines) if stem in fold(line).replace(" ", "").replace("-", "")),
                None,
            )
    used: set[int] = set()
    if company_idx is not None:
        card.company = rest_lines[company_idx]
        used.add(company_idx)

    address_idx = [i for i, line in enumerate(rest_lines) if i not in used and _is_address(line)]
    if address_idx:
        card.address = ", ".join(rest_lines[i] for i in address_idx)
        used.update(address_idx)

    name_idx = None
    if emails:
        local = fold(emails[0].split("@", 1)[0])
        for i, line in enumerate(rest_lines):
            if i in used or not _looks_like_name(line):
                continue
            parts = [fold(w).strip(".") for w in line.split()]
            if sum(1 for p in parts if len(p) >= 2 and p in local) >= 1:
                name_idx = i
                break
    if name_idx is None:
        name_idx = next((i for i, line in enumerate(rest_lines) if i not in used and _looks_like_name(line)), None)
    if name_idx is not None:
        card.first_name, card.last_name = _split_name(rest_lines[name_idx])
        used.add(name_idx)

    title_candidates = [i for i, line in enumerate(rest_lines) if i not in used and _is_title(line)]
    if title_candidates:
        anchor = name_idx if name_idx is not None else 0
        best = min(title_candidates, key=lambda i: abs(i - anchor))
        card.job_title = rest_lines[best]
        used.add(best)
    return card


# The fields a rep can type (Edit, /new); "name" is first and last name together.
EDITABLE_FIELDS = ("name", "job_title", "company", "emails", "phones", "website", "address")


CARD_LINES = 3  # a pasted card has at least a name, a company or title, and a way to reach them
CARD_LINE_LENGTH = 80  # and short lines: a note is sentences


def card_shaped(text: str, *, language: str | None = None, default_region: str | None = None) -> bool:
    """Whether typed text is a business card rather than a note: a few short lines with a name
    (or company) and an e-mail or phone."""
    lines = lines_of(text)
    if len(lines) < CARD_LINES or any(len(line) > CARD_LINE_LENGTH for line in lines):
        return False
    card = parse_card(text, language=language, default_region=default_region)
    return bool((card.full_name or card.company) and (card.emails or card.phones))


def apply_field(card: Card, field_name: str, value: str, region: str | None) -> Card:
    """A copy of `card` with one field set from what the rep typed; `card` itself is left alone.

    "-" (or nothing) clears the field. A name is split into first and last name (the last word is
    the last name). E-mails and phones may be several, separated by commas or semicolons: each
    e-mail must be a valid address (the refusal gives the reason), each phone a valid number, read
    with `region` when it has no country code, and stored as E.164. The value is tidied first
    (bot/domain/hygiene.py); control characters, a value longer than the field's limit and more
    e-mails or phones than a contact keeps are refused. Refusals raise `DomainError` with the
    catalogue message."""
    if field_name not in EDITABLE_FIELDS:
        raise ValueError(f"not an editable card field: {field_name!r}")
    check_typed(value)
    value = tidy(value)
    if value in ("", CLEAR):
        if field_name == "name":
            return _with(card, first_name=None, last_name=None)
        if field_name in ("emails", "phones"):
            return _with(card, **{field_name: []})
        return _with(card, **{field_name: None})
    if len(value) > TYPED_LIMITS[field_name]:
        raise DomainError(N_("That is too long for this field: at most {n} characters."), n=TYPED_LIMITS[field_name])
    if field_name == "name":
        first, last = _split_name(value)
        return _with(card, first_name=first, last_name=last)
    if field_name == "emails":
        emails = []
        for raw in _items(value):
            problem = email_error(raw)
            if problem:
                raise DomainError(N_("That e-mail address does not work: {reason}"), reason=problem)
            emails.append(normalise_email(raw))
        _check_count(emails, limits.EMAILS)
        return _with(card, emails=[e for e in emails if e])
    if field_name == "phones":
        phones = []
        for raw in _items(value):
            phone = normalise_phone(raw, region)
            if phone is None:
                raise DomainError(
                    N_("I cannot read {value} as a phone number. Include the country code, e.g. +385 91 234 5678."),
                    value=raw.strip(),
                )
            phones.append(phone)
        _check_count(phones, limits.PHONES)
        return _with(card, phones=phones)
    return _with(card, **{field_name: value})


def _check_count(values: list[Any], most: int) -> None:
    if len(values) > most:
        raise DomainError(N_("That is too many: a contact keeps at most {n}."), n=most)


def _with(card: Card, **changes: Any) -> Card:
    """A copy of `card` with `changes`; its lists are copies too."""
    return replace(card, **{"emails": list(card.emails), "phones": list(card.phones), **changes})


def _items(value: str) -> list[str]:
    return value.replace(";", ",").split(",")
