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
    "fa": "مدیر مدیرعامل کارشناس مهندس مشاور رئیس فروش مسئول نماینده معاون خرید ارشد فنی صادرات واردات "
    "بازاریابی تدارکات",
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
# A label before a value: "Tel:", "M.", "E-mail:". A label ending in a dot is never the start of
# an e-mail ("m.novak@firma.cz" keeps its initial).
_LABEL_RE = re.compile(
    r"(?<!\w)(?:tel|phone|mob|mobile|mobil|gsm|office|m|t|p|e|w|email|e-mail|web|www(?=:)|телефон|тел|моб|"
    r"е-пошта|веб|تلفن|موبایل|همراه|ایمیل|وب|mail|kom|komórka|telefon)(?:\s*:\s*|\.\s*(?![\w.+-]*@))",
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


@dataclass(frozen=True)
class TextLine:
    """One line of a card: its text and, when it comes from a photo, where it is and how big
    (pixels of the straightened card) and how sure the recogniser was (0-100)."""

    text: str
    x: int | None = None
    y: int | None = None
    width: int | None = None
    height: int | None = None
    confidence: float = 100.0


# A field the reader is unsure of: shown as a guess in the preview, to be confirmed or fixed.
GUESS_BELOW = 75.0  # a line read with less confidence than this makes its field a guess


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
    # The contact's Telegram account, when known (a shared contact, a forwarded message).
    telegram_id: int | None = None
    telegram_username: str | None = None
    # Editable fields (EDITABLE_FIELDS) read without enough evidence: shown as guesses.
    guesses: list[str] = field(default_factory=list)

    @property
    def full_name(self) -> str:
        return " ".join(p for p in (self.first_name, self.last_name) if p)

    @property
    def missing(self) -> list[str]:
        return [f for f in FIELDS if not getattr(self, f)]

    @property
    def is_empty(self) -> bool:
        return not (self.full_name or self.company or self.emails or self.phones or self.telegram_id)

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


_PERSIAN_LETTERS = str.maketrans({"ي": "ی", "ى": "ی", "ك": "ک"})  # Arabic forms OCR gives for Persian letters
_RTL_PHONE = re.compile(r"(?<![\d+])((?:\d{1,5}[\s-])+\d{1,4})\+(?!\d)")


def clean_text(text: str) -> str:
    text = unicodedata.normalize("NFC", text).replace("\r\n", "\n").replace("\r", "\n")
    text = re.sub("[\u200e\u200f\u202a-\u202e\u2066-\u2069\ufeff]", "", text)  # bidi marks
    # Persian digits mark a right-to-left line even where no Persian letter is left on it.
    text = "\n".join(
        line.translate(_DIGITS) + ("\u200f" if re.search("[\u06f0-\u06f9\u0660-\u0669]", line) else "")
        for line in text.split("\n")
    )
    return "\n".join(_clean_line(line) for line in text.split("\n"))


def _clean_line(line: str) -> str:
    rtl = line.endswith("\u200f")
    line = line.replace("\u200f", "")
    # Right-to-left OCR writes "+98 21 8876 5432" as "5432 8876 21 98+": put it back in order.
    line = _RTL_PHONE.sub(lambda m: "+" + " ".join(reversed(re.split(r"[\s-]", m.group(1)))), line)
    if rtl and not re.search(r"[\u0600-\u06ff]", line):
        line = _fix_rtl_number(line)
    if re.search(r"[\u0600-\u06ff]", line):
        # In Persian lines a comma is the Persian comma; digit groups of a number read right to
        # left ("8876 5432 021") are put back in logical order when the order is known to be wrong.
        line = re.sub(r"\s*[,،]\s*|(?<=[\u0600-\u06ff])\s*[.»«]\s+(?=[\u0600-\u06ff])", "، ", line)
        line = line.translate(_PERSIAN_LETTERS)
        line = re.sub(r"(?<=[\u0600-\u06ff])\s*\.$", "", line)  # a card's line ends with no full stop
        line = _persian_words(line)
        line = _fix_rtl_number(line)
    return line


def _persian_words(line: str) -> str:
    """Words of the card vocabulary (titles, company and street words, labels) that OCR broke in
    two ("مدیرعا مل") or got one letter wrong ("مدیز", "فروس") are spelt right again."""
    words = line.split(" ")
    out: list[str] = []
    i = 0
    while i < len(words):
        word = words[i]
        if i + 1 < len(words) and word + words[i + 1] in _PERSIAN_VOCABULARY and word not in _PERSIAN_VOCABULARY:
            out.append(word + words[i + 1])
            i += 2
            continue
        core = word.rstrip("،:")
        if len(core) >= 4 and core not in _PERSIAN_VOCABULARY and re.fullmatch(r"[\u0600-\u06ff]+", core):
            near = [v for v in _PERSIAN_VOCABULARY if len(v) == len(core) and _near_any(core, v)]
            if len(near) == 1:
                word = near[0] + word[len(core) :]
        out.append(word)
        i += 1
    return " ".join(out)


def _fix_rtl_number(line: str) -> str:
    """An Iranian number printed in a right-to-left line can come out with its groups reversed:
    "8876 5432 21 98+" or "5432 8876 021". Reversed groups that make a valid Iranian number, when
    the order as read does not, are put back."""
    for match in re.finditer(r"\+?\d[\d\s-]{6,}\d\+?", line):
        raw = match.group()
        groups = re.split(r"[\s-]+", raw.strip("+"))
        if len(groups) < 2:
            continue
        as_read = ("+" if raw.startswith("+") or raw.endswith("+") else "") + "".join(groups)
        backwards = ("+" if raw.startswith("+") or raw.endswith("+") else "") + "".join(reversed(groups))
        if normalise_phone(as_read, "IR") is None and normalise_phone(backwards, "IR") is not None:
            fixed = ("+" if as_read.startswith("+") else "") + " ".join(reversed(groups))
            line = line.replace(raw, fixed)
    return line


def repair_ocr(text: str) -> str:
    """Undo the usual OCR slips on cards: © or Q for @, 0 for o in legal forms."""
    text = re.sub(
        r"([\w.+-]{2,})\s?(?:\(©\)?|©|\(D|\(@|&|\(at\)|\[at\]|(?<=[a-z])Q(?=[a-z]))\s?([\w-]+(?:\.[\w-]+)+)",
        r"\1@\2",
        text,
    )
    text = re.sub(r"(?<=[a-z])Q@", "@", text)
    # Spaces around "@" and after "www." or before a top-level domain; "|" for "l" in an e-mail.
    text = re.sub(r"(?<=[\w.])\s+@\s*(?=\w)|(?<=\w)@\s+(?=\w)", "@", text)
    text = re.sub(r"(?i)\b(www)\s*\.\s+(?=\w)", r"\1.", text)
    text = re.sub(r"(?<=[a-z0-9])\s?\.\s(?=(?:com|hr|cz|pl|mk|ir|uk|co\.uk|net|org)\b)", ".", text)
    # The dot before the top-level domain lost altogether: "sales@khalijtrade ir", "www.firma cz".
    tld = r"(?:com|hr|cz|pl|mk|ir|rs|si|de|at|eu|net|org)\b(?![.\w-])"
    text = re.sub(rf"((?:@|\bwww\.)[\w-]{{2,}})\s(?={tld})", r"\1.", text)
    text = re.sub(r"(?<![\w|])\|(?=[\w.]*@)", "l", text)
    # "@" read as "(O", "(Q", "(0": a local part, the bracket, then a domain
    text = re.sub(
        r"(?<=[\w.])\s?\((?:O|Q|0|D|C|A)?(?=[a-z0-9-]+(?:\.[a-z0-9-]+)*\.[a-z]{2,}\b(?![\w.-]*\)))", "@", text
    )
    # "d.radic@k vamerturist.hr": a domain broken by a space after one or two letters
    text = re.sub(r"(?<=@)([a-z0-9]{1,2})\s(?=[a-z0-9-]+\.[a-z]{2,}\b)", r"\1", text)
    text = re.sub(r"(?i)(?<![\w.])\w{1,4}?(www\.[a-z0-9-]+\.)", r"\1", text)  # "Wwww." from "Web: www."
    text = re.sub(r"(?i)\b(sp\.\s?z\s?)[o0]\.\s?[o0]\.", r"sp. z o.o.", text)
    text = re.sub(r"(?m)(?<=\w )pic$", "plc", text)
    text = re.sub(r"(?i)\bs\.\s?r\.\s?[o0]\.", "s.r.o.", text)
    return re.sub(r"(?i)\b(j\.\s?)?d\.\s?[o0]\.\s?[o0]\.", lambda m: (m.group(1) or "") + "d.o.o.", text)


def _split_parts(line: str) -> list[str]:
    out = []
    for part in re.split(r"\s+[|•·]\s+|\t+", line):
        part = re.sub(r"^[.,:;|]+\s+|\s+[.,:;|]+$", "", " ".join(part.split())).strip(" ,;")
        if part:
            out.append(part)
    return out


def lines_of(text: str) -> list[str]:
    return [part for line in clean_text(text).split("\n") for part in _split_parts(line)]


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


def phones_in(text: str, region: str) -> list[str]:
    """The valid phone numbers in a (cleaned) line, read with `region` for national numbers."""
    return _find_phones(text, [region])[0]


def _is_title(line: str) -> bool:
    words = re.findall(r"[\w-]+", line.casefold())
    if len(words) >= 3 and words[0] in _HONORIFICS:  # "مهندس بهرام توکلی", "Ing. Jan Novák": a name
        words = words[1:]
    return any(w in _TITLE_WORDS for w in words)


# Words that address the reader or speak for the company: a slogan's, not a job title's.
_ADDRESSING = frozenset(
    "your our we you vaš vaša vaše vašeg naš naša naše vam váš vaše váš náš naše vám twój twoja twoje wasz "
    "wasza nasz nasza nasze dla ваш ваша ваше наш наша наше вас شما ما برای".split()
)


def _bare_title(line: str) -> bool:
    """A title that stands alone: a few words, none of them addressing the reader."""
    words = re.findall(r"[\w-]+", line.casefold())
    return len(words) <= 3 and not any(w in _ADDRESSING for w in words)


_PERSIAN_SOUNDS = str.maketrans(
    {
        "ب": "b", "پ": "p", "ت": "t", "ط": "t", "ث": "s", "س": "s", "ص": "s", "ج": "j", "چ": "c", "خ": "k",
        "د": "d", "ذ": "z", "ز": "z", "ض": "z", "ظ": "z", "ژ": "z", "ر": "r", "ش": "s", "غ": "g", "ق": "g",
        "ف": "f", "ک": "k", "ك": "k", "گ": "g", "ل": "l", "م": "m", "ن": "n",
    }
)  # fmt: skip


def skeleton(word: str) -> str:
    """The consonants of a word, Persian or Latin, in one Latin shape: "توکلی" and "tavakoli" are
    both "tkl". Vowels, and letters that are vowels as often as not (و ی ا ه, v w y h), are dropped."""
    if re.search(r"[\u0600-\u06ff]", word):
        return "".join(ch for ch in word.translate(_PERSIAN_SOUNDS) if ch.isascii() and ch.isalpha())
    low = fold(word)
    for pair, one in (("sh", "s"), ("kh", "k"), ("gh", "g"), ("zh", "z"), ("ch", "c"), ("ss", "s")):
        low = low.replace(pair, one)
    return re.sub(r"[^a-z]|[aeiouyhwv]", "", low)


_YEAR_RE = re.compile(
    r"(?i)(?:since|est\.?|from|od|roku|od roku|от|од|од\s+година|سال|از)\s*(?:19|20|1[0-4])\d\d\b|\b(?:19|20)\d\d\.?$"
)


def _address_evidence(line: str) -> int:
    """2: a street word or a post code; 1: "Word 12" (a street and a house number); 0: none."""
    low = line.casefold()
    words = low.replace(",", " ").replace("،", " ").split()
    if any(w in STREET_WORDS or w.rstrip(",") in STREET_WORDS for w in words):
        return 2
    if _YEAR_RE.search(line):  # "Sailing since 1992", "Tradicija od 1956.": a tagline
        return 0
    if any(p.search(line) for p in _POSTCODE_RES):
        return 2
    if _is_title(line) or _COMPANY_RE.search(line):
        return 0
    # "Ilica 242", "Vinohradská 12/3", "42 Quayside": a word and a house number
    if re.fullmatch(r"[^\d@]{3,40}\s\d{1,4}[a-zA-Z]?(?:/\d{1,4}[a-zA-Z]?)?,?(?:\s.*)?", line) or re.fullmatch(
        r"\d{1,4}[a-zA-Z]?\s[^\d@]{3,40}", line
    ):
        return 1
    return 0


def _is_address(line: str) -> bool:
    return _address_evidence(line) > 0


_PERSIAN_VOCABULARY = {
    *TITLE_WORDS["fa"].split(),
    *"شرکت گروه بازرگانی هلدینگ صنایع صنعتی مهندسی خیابان بلوار میدان کوچه پلاک طبقه".split(),
    *"تلفن موبایل همراه ایمیل فکس".split(),
}
GENERIC_MAILBOXES = {
    "info", "office", "sales", "contact", "kontakt", "hello", "mail", "admin", "prodaja", "obchod", "biuro",
    "sekretariat", "uprava", "support", "orders", "narudzbe", "zakazky", "info.mk", "kancelarija",
}  # fmt: skip
_HONORIFICS = {"dr", "mgr", "ing", "inż", "sc", "prof", "mr", "mrs", "ms", "dipl", "oec", "д-р", "مهندس", "دکتر"}
_PERSIAN_COMPANY_START = re.compile(r"^(?:شرکت|گروه|بازرگانی|هلدینگ|موسسه|مؤسسه|کارخانه)\s")


def _is_company(line: str) -> bool:
    if re.search(r"[\u0600-\u06ff]", line):
        # Persian: the company word opens the line ("شرکت ..."); "مدیر بازرگانی" is a title.
        return bool(_PERSIAN_COMPANY_START.match(line)) or (
            bool(_COMPANY_RE.search(line)) and not _is_title(line) and not re.search(r"شرکت|گروه|بازرگانی", line)
        )
    return bool(_COMPANY_RE.search(line))


def _looks_like_name(line: str) -> bool:
    words = line.split()
    if not 2 <= len(words) <= 5 or any(ch.isdigit() for ch in line) or "@" in line:
        return False
    if _is_company(line) or _is_title(line) or _address_evidence(line) == 2:
        return False
    letters = [w for w in words if w[0].isalpha()]
    if len(letters) != len(words):
        return False
    # Scripts without case (Persian) pass; cased scripts want capitalised words (or honorifics).
    return all(not w[0].islower() or w.rstrip(".") in _HONORIFICS or w in ("inż.", "sc.") for w in words)


def _split_name(name: str) -> tuple[str | None, str | None]:
    words = name.split()
    if len(words) == 1:
        return words[0], None
    return " ".join(words[:-1]), words[-1]


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


# OCR confusions between characters of e-mails and domains: each maps to one canonical shape.
_CONFUSIONS = (("rn", "m"), ("vv", "w"), ("1", "l"), ("i", "l"), ("|", "l"), ("0", "o"), ("5", "s"), ("8", "b"))


def _shape(text: str) -> str:
    text = text.lower()
    for wrong, right in _CONFUSIONS:
        text = text.replace(wrong, right)
    return text


def _agree_domains(emails: list[str], websites: list[str], company: str | None) -> tuple[list[str], list[str], bool]:
    """E-mail domains and the website that differ only by OCR confusions (l/1/i, rn/m, 0/o) or by
    one letter are made the same: the spelling most fields share, else the one the company's name
    spells, else the one without digits. Returns the fixed lists and whether anything changed."""
    hosts = [e.rsplit("@", 1)[1].lower() for e in emails] + [_host(w) for w in websites]
    if len(set(hosts)) < 2:
        return emails, websites, False
    groups: list[list[str]] = []
    for host in hosts:
        for group in groups:
            if _near(_shape(host), _shape(group[0])):
                group.append(host)
                break
        else:
            groups.append([host])
    company_key = fold(company or "").replace(" ", "").replace("-", "")
    chosen: dict[str, str] = {}
    for spellings in groups:
        if len(set(spellings)) < 2:
            continue

        def rank(host: str, spellings: list[str] = spellings) -> tuple[int, int, int, int, int]:
            stem, tld = host.split(".")[0], host.rsplit(".", 1)[-1]
            return (
                spellings.count(host),
                int(len(tld) >= 2),  # "slaskiekable.p": the last letter lost at the line's end
                int(bool(stem) and stem in company_key),
                -sum(c.isdigit() for c in host) - host.count("rn") - host.count("vv"),  # OCR's usual slips
                len(host),  # a letter is more often lost than added
            )

        best = max(sorted(set(spellings)), key=rank)
        chosen.update(dict.fromkeys(spellings, best))
    if not chosen:
        return emails, websites, False
    fixed_emails = []
    for email in emails:
        local, host = email.rsplit("@", 1)
        fixed_emails.append(f"{local}@{chosen.get(host.lower(), host)}")
    fixed_sites = []
    for site in websites:
        host = _host(site)
        if host in chosen:
            site = re.sub(re.escape(host), chosen[host], site, count=1, flags=re.IGNORECASE)
        fixed_sites.append(site)
    changed = fixed_emails != emails or fixed_sites != websites
    return list(dict.fromkeys(fixed_emails)), fixed_sites, changed


def _near(a: str, b: str) -> bool:
    """Equal, or (for names of 6 letters or more) one letter added, dropped or changed."""
    if a == b:
        return True
    if min(len(a), len(b)) < 6 or abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        return sum(x != y for x, y in zip(a, b, strict=True)) <= 1
    short, long_ = (a, b) if len(a) < len(b) else (b, a)
    return any(long_[:i] + long_[i + 1 :] == short for i in range(len(long_)))


def _lower_host(site: str) -> str:
    """A website with its host in small letters (a host has no case; OCR gives "Www.")."""
    match = re.match(r"(?i)(https?://)?([^/]+)(.*)", site)
    return (match.group(1) or "") + match.group(2).lower() + match.group(3) if match else site


def _host(site: str) -> str:
    return re.sub(r"^https?://", "", site, flags=re.IGNORECASE).split("/")[0].lower().removeprefix("www.")


def _local_from_name(email: str, name: str | None) -> str:
    """An e-mail's local part whose letters the name spells but for an OCR confusion ("rnarko" for
    Marko, "1.novak" for l.novak) is spelt as the name spells it."""
    if not name:
        return email
    local, host = email.rsplit("@", 1)
    words = [fold(w).strip(".") for w in name.split() if len(w.strip(".")) >= 2]
    names = [w for w in words if w.rstrip(".") not in _HONORIFICS] or [""]
    pieces = re.split(r"([._-])", local)
    out = []
    for piece in pieces:
        if piece and piece not in "._-":
            for word in words:
                if piece != word and _shape(piece) == _shape(word) and piece.isascii():
                    piece = word
                    break
                if len(piece) == 1 and piece != word[0] and _shape(piece) == _shape(word[0]):
                    piece = word[0]
                    break
                if len(piece) == len(word) + 1 and piece[1:] == word and names[0] and piece[0] != names[0][0]:
                    # "iperic" for "lperic": an initial read as a look-alike before the last name
                    if _shape(piece[0]) == _shape(names[0][0]):
                        piece = names[0][0] + word
                        break
                if len(word) >= 6 and word.isascii() and not piece.endswith(word):
                    # "hbennington" for "hpennington": the name word at the end, one letter off
                    tail = piece[-len(word) :]
                    if len(piece) >= len(word) and _near(tail, word):
                        piece = piece[: -len(word)] + word
                        break
        out.append(piece)
    return "".join(out) + "@" + host


def _at_misread(token: str, hosts: set[str]) -> str | None:
    """ "s.grgicekvarnerturist.hr": an e-mail whose "@" was read as a letter, told by the domain
    the card's other e-mail or website shows."""
    low = token.lower()
    for host in hosts:
        if len(host) >= 6 and low.endswith(host) and len(low) > len(host) + 1 and not low.endswith("." + host):
            local = token[: -len(host)]
            if local[-1] in "e@a©o(Q":
                local = local[:-1]
            return normalise_email(f"{local}@{host}") if local else None
    return None


def _spaced_host(text: str, hosts: set[str]) -> tuple[str, str] | None:
    """ "khalijtrade ir" on a card whose e-mail is at khalijtrade.ir: the website, its last dot read
    as a space or a comma. Returns the website and the text it was read from."""
    for host in sorted(hosts):
        name, _, tld = host.rpartition(".")
        if len(name) < 4 or "." in name:
            continue
        match = re.search(rf"(?i)(?<![\w@.])((?:www\.)?{re.escape(name)})\s?[,\s]\s?{re.escape(tld)}(?!\w)", text)
        if match:
            return f"{match.group(1)}.{tld}", match.group()
    return None


def _label_free(line: str) -> str:
    return _LABEL_RE.sub(" ", line)


def parse_card(text: str, *, language: str | None = None, default_region: str | None = None) -> Card:
    """Read the fields of a card from its text. Never raises; unknown parts stay empty."""
    text = text[:MAX_CARD_TEXT]
    card = parse_lines([TextLine(line) for line in text.split("\n")], language=language, default_region=default_region)
    card.raw_text = clean_text(text).strip()
    return card


@dataclass
class _Part:
    """A piece of a line (lines may hold several, "tel | e-mail"), what is left of it once e-mails,
    websites and phones are taken out, and the line's size and place."""

    text: str
    rest: str
    height: float | None
    y: float | None
    confidence: float
    index: float


def parse_lines(lines: list[TextLine], *, language: str | None = None, default_region: str | None = None) -> Card:
    """Read the fields of a card from its lines (typed text, or lines read from a photo with their
    size and place). Never raises; what the lines do not show stays empty; what is chosen on weak
    evidence is listed in `card.guesses`."""
    parts: list[_Part] = []
    budget = MAX_CARD_TEXT
    for line in lines:
        cleaned = clean_text(line.text[:budget])
        budget -= len(cleaned) + 1
        for piece in (p for raw in cleaned.split("\n") for p in _split_parts(raw)):
            parts.append(_Part(piece, piece, line.height, line.y, line.confidence, len(parts)))
        if budget <= 0:
            break
    text = "\n".join(p.text for p in parts)
    card = Card(raw_text=text)
    guesses: set[str] = set()
    emails: list[str] = []
    websites: list[str] = []
    for part in parts:
        body = _label_free(part.text)
        for raw in _EMAIL_RE.findall(body):
            email = normalise_email(raw)
            if email and email not in emails:
                emails.append(email)
                if part.confidence < GUESS_BELOW:
                    guesses.add("emails")
            body = body.replace(raw, " ")
        for raw in _WEB_RE.findall(body):
            candidate = raw.rstrip(".,;)")
            host = _host(candidate)
            email_hosts = {_shape(e.rsplit("@", 1)[-1]) for e in emails}
            if candidate.lower().startswith(("www.", "http")) or any(_near(_shape(host), h) for h in email_hosts):
                websites.append(candidate)
                body = body.replace(raw, " ")
                if part.confidence < GUESS_BELOW:
                    guesses.add("website")
        part.rest = body
    hosts = {e.rsplit("@", 1)[1].lower() for e in emails} | {_host(w) for w in websites}
    for part in parts:
        for token in re.findall(r"[\w.+-]+\.[a-z]{2,}", part.rest):
            email = _at_misread(token, hosts)
            if email and email not in emails:
                # in the card's order: before the e-mails of the lines below
                later = [e for e in emails if e in " ".join(p.text for p in parts if p.index > part.index)]
                emails.insert(emails.index(later[0]) if later else len(emails), email)
                guesses.add("emails")
                part.rest = part.rest.replace(token, " ")
    if not websites:  # then the hosts are the e-mails' alone
        for part in parts:
            site = _spaced_host(part.rest, hosts)
            if site:
                websites.append(site[0])
                guesses.add("website")
                part.rest = part.rest.replace(site[1], " ")
                break
    language = language or detect_language(text, emails, websites)
    regions = _regions(emails, websites, language, default_region)
    phones: list[str] = []
    rest: list[_Part] = []
    for part in parts:
        body = part.rest
        fax = _FAX_RE.search(body)
        if fax and not body[fax.end() :].strip(" :") and re.search(r"[\u0600-\u06ff]", body):
            body = ""  # "۰۸۴۲ ۹۰۸۴ ۲۱ ۹۸+ فکس:": a right-to-left line read backwards, the label last
        elif fax:  # "mob. 098 123 4567, fax 021 555 666": keep what comes before the fax label
            body = body[: fax.start()]
        found, body = _find_phones(body, regions)
        phones += [p for p in found if p not in phones]
        if found and part.confidence < GUESS_BELOW:
            guesses.add("phones")
        body = " ".join(body.split()).strip(" ,;:-–/")
        if body and not re.fullmatch(r"[\W\d_]+", body) and not (fax and not found and len(body) < 12):
            part.rest = body
            rest.append(part)
    card.emails, card.phones = emails, phones
    rest = _split_name_and_title(rest)
    heights = sorted(p.height for p in rest if p.height)
    median = heights[len(heights) // 2] if heights else None
    tallest = heights[-1] if heights else None

    def big(part: _Part) -> bool:
        return bool(part.height and median and part.height >= median * 1.25)

    used: set[float] = set()
    # Company: a legal form or company word, else the line the e-mail's domain spells.
    stems = [fold(h.split(".")[0]) for h in [e.rsplit("@", 1)[1] for e in emails] + [_host(w) for w in websites]]
    company = next((p for p in rest if _is_company(p.rest)), None)
    if company is None:
        company = _spelt_by_domain(rest, stems)
        if company is not None and (_is_title(company.rest) or _looks_like_name(company.rest)) and not big(company):
            guesses.add("company")
    if company is not None:
        card.company = re.sub(r"\bl(?=[bcdfghkmnpqrstvwxz][a-z])", "I", company.rest)  # "lronbridge"
        used.add(company.index)
        if company.confidence < GUESS_BELOW:
            guesses.add("company")

    # Name: a name-shaped line; the e-mail's local part, size and place are its evidence.
    locals_ = [fold(e.split("@", 1)[0]) for e in emails]
    best_name: tuple[float, _Part] | None = None
    for order, part in enumerate(p for p in rest if p.index not in used):
        if not _looks_like_name(part.rest):
            continue
        words = [fold(w).strip(".") for w in part.rest.split()]
        score = 0.0
        if any(len(w) >= 3 and w in local for w in words for local in locals_):
            score += 4
        elif any(
            len(skeleton(w)) >= 2 and skeleton(w) in [skeleton(piece) for piece in re.split(r"[._-]", local)]
            for w in part.rest.split()
            for local in locals_
        ):
            score += 3
        elif any(len(w) >= 3 and _shape(w) in _shape(local) for w in words for local in locals_):
            score += 3
        if tallest and part.height == tallest:
            score += 2
        elif big(part):
            score += 1
        score -= order * 0.1
        if best_name is None or score > best_name[0]:
            best_name = (score, part)
    if best_name is not None and best_name[0] < 1.5 and not any(c.isupper() for c in best_name[1].rest):
        # Without letter case (Persian), a line of words is a name only with some evidence; on a
        # company's card (no e-mail but a shared mailbox) it is a slogan.
        if not locals_ or all(local in GENERIC_MAILBOXES for local in locals_):
            best_name = None
    if best_name is not None:
        score, name = best_name
        card.first_name, card.last_name = _split_name(name.rest)
        used.add(name.index)
        if score < 1.5 or name.confidence < GUESS_BELOW:
            guesses.add("name")

    # Address: the longest run of neighbouring address lines with a street word or a post code.
    card.address = _address(rest, used)
    if card.address is not None:
        weak = [p for p in rest if p.index in used and p.rest in card.address and p.confidence < GUESS_BELOW]
        if weak:
            guesses.add("address")

    # Title: a line with a title word, the nearest to the name. A title belongs to a person: on a
    # card with no name (a company's card) only a short line that speaks to nobody is one, so that
    # a slogan with a title word ("Your partner in building") is not taken for a title.
    titles = [
        p
        for p in rest
        if p.index not in used
        and _is_title(p.rest)
        and "@" not in p.rest
        and not _WEB_RE.search(p.rest)
        and not _address_evidence(p.rest)
        and (best_name is not None or _bare_title(p.rest))
    ]
    if titles:
        anchor = best_name[1].index if best_name is not None else 0
        title = min(titles, key=lambda p: abs(p.index - anchor))
        card.job_title = title.rest
        used.add(title.index)
        if title.confidence < GUESS_BELOW:
            guesses.add("job_title")

    # Consistency between fields: domains that differ by an OCR confusion, e-mails the name spells.
    fixed_emails, fixed_sites, _ = _agree_domains(card.emails, websites, card.company)
    if fixed_emails != card.emails:
        guesses.add("emails")
    if fixed_sites != websites:
        guesses.add("website")
    emails, websites = fixed_emails, fixed_sites
    from_photo = any(p.height is not None for p in parts)
    card.emails = list(dict.fromkeys(_local_from_name(e.lower() if from_photo else e, card.full_name) for e in emails))
    card.website = _lower_host(_whole_host(websites[0], card.emails)) if websites else None
    card.guesses = [f for f in EDITABLE_FIELDS if f in guesses and _value(card, f)]
    return card


def _spelt_by_domain(rest: list[_Part], stems: list[str]) -> _Part | None:
    """The line that spells an e-mail's or the website's domain ("Adria Solar" for adriasolar.hr)."""
    for stem in stems:
        if len(stem) < 3:
            continue
        for part in rest:
            if _shape(stem) in _shape(fold(part.rest).replace(" ", "").replace("-", "").replace("&", "")):
                return part
    return None


def _whole_host(site: str, emails: list[str]) -> str:
    """ "www.asagroup" beside asagroup@... .ir: a website whose top-level domain OCR lost takes the
    e-mail's."""
    host = _host(site)
    if "." in host:
        return site
    whole = next((h for h in (e.rsplit("@", 1)[1].lower() for e in emails) if h.startswith(host + ".")), None)
    return site.replace(host, whole, 1) if whole else site


def _value(card: Card, field_name: str) -> Any:
    return card.full_name if field_name == "name" else getattr(card, field_name)


_PERSIAN_STREET = ("خیابان", "بلوار", "میدان", "کوچه", "پلاک", "طبقه")


def _persian_address(address: str) -> str:
    """Street words one letter off are spelt right ("فیابان" is خیابان), and each opens a part
    after a Persian comma, as Persian addresses are written."""
    words = []
    for word in address.split():
        core = word.rstrip("،")
        fixed = next((w for w in _PERSIAN_STREET if core != w and len(core) == len(w) and _near_any(core, w)), core)
        words.append(fixed + ("،" if word.endswith("،") else ""))
    out = " ".join(words)
    for street in _PERSIAN_STREET:
        out = re.sub(rf"(?<=[^\s،])\s+(?={street})", "، ", out)
    return out


def _near_any(a: str, b: str) -> bool:
    return sum(x != y for x, y in zip(a, b, strict=True)) <= 1


def _address(rest: list[_Part], used: set[float]) -> str | None:
    evidence = {p.index: _address_evidence(p.rest) for p in rest if p.index not in used}
    runs: list[list[_Part]] = []
    run: list[_Part] = []
    for part in rest:
        if evidence.get(part.index, 0) > 0 and not (run and part.index - run[-1].index > 1):
            run.append(part)
        else:
            if run:
                runs.append(run)
            run = [part] if evidence.get(part.index, 0) > 0 else []
    if run:
        runs.append(run)
    runs = [r for r in runs if any(evidence[p.index] == 2 for p in r) or len(r) >= 2]
    if not runs:
        return None
    best = max(runs, key=lambda r: (sum(evidence[p.index] for p in r), -r[0].index))
    used.update(p.index for p in best)
    if any(re.search(r"[\u0600-\u06ff]", p.rest) for p in best):
        return _persian_address("، ".join(p.rest for p in best))
    return ", ".join(p.rest for p in best)


def _split_name_and_title(parts: list[_Part]) -> list[_Part]:
    """ "Krešimir Đurđević, voditelj prodaje" on one line becomes two parts."""
    out: list[_Part] = []
    for part in parts:
        pieces = [p.strip() for p in re.split(r",\s+|\s+[–-]\s+", part.rest) if p.strip()]
        if len(pieces) == 2 and _looks_like_name(pieces[0]) and _is_title(pieces[1]):
            out.append(replace(part, rest=pieces[0]))
            out.append(replace(part, rest=pieces[1], index=part.index + 0.5))
        else:
            out.append(part)
    return out


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
    card = confirm(card, field_name)  # typed by the rep: no longer a guess
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


def confirm(card: Card, field_name: str) -> Card:
    """A copy of `card` where the rep has confirmed `field_name` as read: no longer a guess."""
    return _with(card, guesses=[g for g in card.guesses if g != field_name])


def _with(card: Card, **changes: Any) -> Card:
    """A copy of `card` with `changes`; its lists are copies too."""
    lists = {"emails": list(card.emails), "phones": list(card.phones), "guesses": list(card.guesses)}
    return replace(card, **{**lists, **changes})


def _items(value: str) -> list[str]:
    return value.replace(";", ",").split(",")
