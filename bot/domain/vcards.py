"""vCard files (one or many contacts) and MECARD QR payloads, read into `Card`s.

The reader is our own and linear in its input: one pass splits the text into lines, folded and
quoted-printable lines are joined, contacts are cut at BEGIN/END, and each kept property is split
with plain string operations. (vobject's line pattern backtracks exponentially on a parameter
list such as `TEL;X=,,,,,,,,,,,,,,,,,,,,,,,,:`, and a regex over the whole file was quadratic on
`BEGIN:VCARD` repeated without END: both held the interpreter for seconds to hours.)

Bounds: a file of at most `MAX_VCF_BYTES`, at most `MAX_CONTACTS` contacts read (the others are
counted as over the limit), per contact at most `MAX_CONTACT_LINES` properties and
`MAX_CONTACT_CHARS` characters of the properties we read (photos, logos, sounds and keys are
skipped unread), and at most `MAX_POINTS` e-mails and phones checked. A contact that breaks a bound
is refused with its reason; one bad contact never loses the others. A file whose reading takes more
than `FILE_SECONDS` stops there, the rest refused as too slow (a safety net: the bounds above keep
a contact to milliseconds).

`read_vcards` reads a large file in a worker process, so that the interpreter of the bot never
spends seconds on it (in a thread it would share the interpreter lock with every chat); a small
one (a shared contact, a few dozen contacts) is read in a thread. The worker is started on first
use and kept; one stuck past `FILE_SECONDS` and a margin is killed and the file refused.
"""

from __future__ import annotations

import asyncio
import codecs
import concurrent.futures
import multiprocessing
import quopri
import re
import threading
import time
from dataclasses import dataclass, field

from bot.domain.cards import Card, normalise_email, normalise_phone
from bot.domain.hygiene import tidy
from models import limits

MAX_VCF_BYTES = 5_000_000
MAX_CONTACTS = 10_000
MAX_CONTACT_LINES = 500
MAX_CONTACT_CHARS = 100_000
MAX_POINTS = 100  # e-mails, and phones, checked per contact (a contact keeps `limits.EMAILS`)
FILE_SECONDS = 60.0
MAX_MECARD = 4_000  # a QR code holds less

# Why a contact (or the file) was refused: codes, worded by bot/presentation/cards.py.
UNREADABLE = "unreadable"  # no property could be read
EMPTY = "empty"  # no name, company, e-mail or phone
UNTERMINATED = "unterminated"  # BEGIN:VCARD without its END:VCARD
TOO_LARGE = "too_large"  # over a contact's bounds
OVER_LIMIT = "over_limit"  # beyond MAX_CONTACTS
TOO_SLOW = "too_slow"  # beyond FILE_SECONDS
FILE_TOO_LARGE = "file_too_large"
NO_CONTACT = "no_contact"

# Properties read; the others are skipped (binary ones without even being joined).
_READ = frozenset({"N", "FN", "ORG", "TITLE", "EMAIL", "TEL", "URL", "ADR"})
_BINARY = frozenset({"PHOTO", "LOGO", "SOUND", "KEY"})
_MARKERS = frozenset({"BEGIN:VCARD", "END:VCARD"})
_LINE_BREAK = re.compile(r"\r\n|\r|\n")
_ESCAPE = re.compile(r"\\(.)", re.DOTALL)
_UNESCAPED = {"n": "\n", "N": "\n"}


@dataclass(frozen=True, slots=True)
class Refusal:
    """A contact that was not read: where it is in the file (1 = first), what it is called when
    that could be seen, and why (one of the codes above)."""

    position: int
    reason: str
    label: str = ""


@dataclass
class VcardResult:
    cards: list[Card] = field(default_factory=list)
    rejected: list[str] = field(default_factory=list)  # the reason code of each contact not read
    refusals: list[Refusal] = field(default_factory=list)  # the same, with where and who
    contacts: int = 0  # contacts found in the file

    def refuse(self, position: int, reason: str, label: str = "") -> None:
        self.rejected.append(reason)
        self.refusals.append(Refusal(position, reason, label))


@dataclass(slots=True)
class _Property:
    name: str
    params: dict[str, list[str]]
    value: str


def decode(data: bytes) -> str:
    """The file's text: UTF-8 (with or without BOM), UTF-16 with a BOM; bad bytes replaced."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16", errors="replace")
    return data.decode("utf-8-sig", errors="replace")


def _head_and_value(line: str) -> tuple[str, str] | None:
    """Split "group.NAME;PARAM=\"a:b\":value" at its first colon outside quotes."""
    colon = line.find(":")
    if colon < 0:
        return None
    quote = line.find('"', 0, colon)
    if quote < 0:
        return line[:colon], line[colon + 1 :]
    inside = False
    for i, ch in enumerate(line):
        if ch == '"':
            inside = not inside
        elif ch == ":" and not inside:
            return line[:i], line[i + 1 :]
    return None


def _name_of(head: str) -> str:
    return head.split(";", 1)[0].rsplit(".", 1)[-1].strip().upper()


def _params(head: str) -> dict[str, list[str]]:
    params: dict[str, list[str]] = {}
    for part in head.split(";")[1:]:
        key, eq, values = part.partition("=")
        if not eq:  # vCard 2.1: "TEL;CELL;FAX:" names types (and encodings) bare
            key, values = "TYPE", part
        params.setdefault(key.strip().upper(), []).extend(v.strip().strip('"') for v in values.split(",") if v)
    return params


def _logical_lines(lines: list[str], start: int) -> tuple[str, int]:
    """The logical line beginning at `lines[start]` (folded lines joined, and quoted-printable soft
    breaks) and the index after it."""
    parts = [lines[start]]
    qp = "QUOTED-PRINTABLE" in lines[start].split(":", 1)[0].upper()
    i = start + 1
    while i < len(lines):
        line = lines[i]
        if line[:1] in (" ", "\t"):
            parts.append(line[1:])
        elif qp and parts[-1].endswith("=") and line.strip().upper() not in _MARKERS:
            parts[-1] = parts[-1][:-1]
            parts.append(line)
        else:
            break
        i += 1
    if qp and parts[-1].endswith("=") and len(parts) > 1:
        parts[-1] = parts[-1][:-1]
    return "".join(parts), i


def _value(prop: _Property) -> str:
    """The property's value as text: quoted-printable and its charset decoded."""
    encoding = {e.upper() for e in prop.params.get("ENCODING", [])} | {t.upper() for t in prop.params.get("TYPE", [])}
    if "QUOTED-PRINTABLE" not in encoding:
        return prop.value
    raw = quopri.decodestring(prop.value.encode("utf-8", errors="replace"))
    charset = (prop.params.get("CHARSET") or ["utf-8"])[0]
    try:
        return raw.decode(charset, errors="replace")
    except LookupError:
        return raw.decode("utf-8", errors="replace")


def _unescape(text: str) -> str:
    return _ESCAPE.sub(lambda m: _UNESCAPED.get(m.group(1), m.group(1)), text)


def _components(text: str) -> list[str]:
    """A structured value (N, ADR, ORG) split at its unescaped semicolons, each unescaped."""
    out, current, i = [], [], 0
    while i < len(text):
        ch = text[i]
        if ch == "\\" and i + 1 < len(text):
            current.append(text[i : i + 2])
            i += 2
            continue
        if ch == ";":
            out.append(_unescape("".join(current)).strip())
            current = []
        else:
            current.append(ch)
        i += 1
    out.append(_unescape("".join(current)).strip())
    return out


def _one_line(text: str) -> str:
    return tidy(text)


@dataclass(slots=True)
class _Contact:
    position: int
    lines: list[str] = field(default_factory=list)
    chars: int = 0
    properties: int = 0  # lines that look like a property (read or not)
    too_large: bool = False
    agents: int = 0  # vCard 2.1 AGENT contacts nested in this one, still open


def _split(text: str, result: VcardResult) -> list[_Contact]:
    """The contacts of the file, in one pass over its lines."""
    lines = _LINE_BREAK.split(text)
    contacts: list[_Contact] = []
    current: _Contact | None = None
    previous_agent = False
    i = 0
    while i < len(lines):
        line, i = _logical_lines(lines, i)
        marker = line.strip().upper()
        if marker == "BEGIN:VCARD":
            if current is not None and previous_agent:
                current.agents += 1  # an AGENT's own contact: skipped with its lines
            else:
                if current is not None:
                    result.refuse(current.position, UNTERMINATED, _label(current))
                result.contacts += 1
                current = _Contact(result.contacts)
            previous_agent = False
            continue
        if current is None:
            continue
        if marker == "END:VCARD":
            if current.agents:
                current.agents -= 1
                continue
            contacts.append(current)
            current = None
            continue
        previous_agent = marker.startswith("AGENT") and marker.endswith(":")
        if current.agents or current.too_large:
            continue
        if ":" not in line:
            continue
        current.properties += 1
        name = _name_of(line[: line.find(":")])
        if name in _BINARY or name not in _READ and name != "VERSION":
            continue
        current.lines.append(line)
        current.chars += len(line)
        if len(current.lines) > MAX_CONTACT_LINES or current.chars > MAX_CONTACT_CHARS:
            current.too_large = True
    if current is not None:
        result.refuse(current.position, UNTERMINATED, _label(current))
    return contacts


def _label(contact: _Contact) -> str:
    """What the contact is called (its FN, else its N), for the report; "" when unknown."""
    names: dict[str, str] = {}
    for line in contact.lines[:50]:
        split = _head_and_value(line)
        if split is not None and _name_of(split[0]) in ("FN", "N") and _name_of(split[0]) not in names:
            value = split[1] if _name_of(split[0]) == "FN" else " ".join(reversed(_components(split[1])[:2]))
            names[_name_of(split[0])] = _unescape(value)
    return limits.cut(_one_line(names.get("FN") or names.get("N") or ""), 60)


def _card(contact: _Contact, default_region: str | None) -> Card | None:
    """The card of one contact (empty when it has none of the properties read); None when no
    line of it is a property at all."""
    props: list[_Property] = []
    for line in contact.lines:
        split = _head_and_value(line)
        if split is None:
            continue
        head, value = split
        name = _name_of(head)
        if name in _READ:
            props.append(_Property(name, _params(head), value))
    if not props and not contact.properties:
        return None
    card = Card(raw_text="\n".join(contact.lines))
    first: dict[str, str] = {}
    checked = {"EMAIL": 0, "TEL": 0}
    for prop in props:
        text = _value(prop)
        if prop.name in ("EMAIL", "TEL"):
            checked[prop.name] += 1
            if checked[prop.name] > MAX_POINTS:
                continue
            if prop.name == "EMAIL":
                email = normalise_email(_one_line(_unescape(text)))
                if email and email not in card.emails:
                    card.emails.append(email)
            elif "FAX" not in {t.upper() for t in prop.params.get("TYPE", [])}:
                phone = normalise_phone(_one_line(_unescape(text))[: limits.PHONE * 2], default_region)
                if phone and phone not in card.phones:
                    card.phones.append(phone)
        elif prop.name not in first:
            first[prop.name] = text
    if "N" in first:
        family, given, additional, prefix = (_components(first["N"]) + [""] * 4)[:4]
        card.first_name = _one_line(" ".join(p for p in (prefix, given, additional) if p)) or None
        card.last_name = _one_line(family) or None
    if not card.first_name and not card.last_name and "FN" in first:
        words = _one_line(_unescape(first["FN"])).split()
        if words:
            card.first_name = " ".join(words[:-1]) or words[0]
            card.last_name = words[-1] if len(words) > 1 else None
    if "ORG" in first:
        card.company = _one_line(" ".join(p for p in _components(first["ORG"]) if p)) or None
    if "TITLE" in first:
        card.job_title = _one_line(_unescape(first["TITLE"])) or None
    if "URL" in first:
        card.website = _one_line(_unescape(first["URL"])) or None
    if "ADR" in first:
        parts = (_components(first["ADR"]) + [""] * 7)[:7]
        street, city, code, country = parts[2], parts[3], parts[5], parts[6]
        pieces = [street, " ".join(p for p in (code, city) if p), country]
        card.address = _one_line(", ".join(p for p in pieces if p)) or None
    return card


def parse_vcards(data: bytes | str, default_region: str | None = None) -> VcardResult:
    """Every contact in a .vcf; a malformed file or contact is reported, never raised."""
    result = VcardResult()
    if isinstance(data, bytes):
        if len(data) > MAX_VCF_BYTES:
            result.rejected.append(FILE_TOO_LARGE)
            return result
        data = decode(data)
    elif len(data) > MAX_VCF_BYTES:
        result.rejected.append(FILE_TOO_LARGE)
        return result
    deadline = time.monotonic() + FILE_SECONDS
    contacts = _split(data, result)
    if result.contacts == 0:
        result.rejected.append(NO_CONTACT)
        return result
    for index, contact in enumerate(contacts):
        if index >= MAX_CONTACTS:
            result.refuse(contact.position, OVER_LIMIT)
            continue
        if time.monotonic() > deadline:
            result.refuse(contact.position, TOO_SLOW, _label(contact))
            continue
        if contact.too_large:
            result.refuse(contact.position, TOO_LARGE, _label(contact))
            continue
        card = _card(contact, default_region)
        if card is None:
            result.refuse(contact.position, UNREADABLE)
        elif card.is_empty:
            result.refuse(contact.position, EMPTY, _label(contact))
        else:
            result.cards.append(card)
    result.refusals.sort(key=lambda r: r.position)
    return result


def parse_mecard(text: str, default_region: str | None = None) -> Card | None:
    """MECARD:N:Kovač,Ana;ORG:Acme;TEL:+385...;EMAIL:...;URL:...;ADR:...;;"""
    text = text[:MAX_MECARD]
    body = text[len("MECARD:") :] if text.upper().startswith("MECARD:") else text
    fields: dict[str, list[str]] = {}
    for part in re.split(r"(?<!\\);", body):
        if ":" in part:
            key, value = part.split(":", 1)
            fields.setdefault(key.upper(), []).append(value.replace("\\;", ";").replace("\\:", ":").strip())
    card = Card()
    if "N" in fields:
        family, _, given = fields["N"][0].partition(",")
        card.first_name, card.last_name = (given.strip() or None), (family.strip() or None)
    card.company = _first(fields.get("ORG"))
    card.job_title = _first(fields.get("TITLE"))
    card.emails = [e for e in (normalise_email(v) for v in fields.get("EMAIL", [])[:MAX_POINTS]) if e]
    card.phones = [p for p in (normalise_phone(v, default_region) for v in fields.get("TEL", [])[:MAX_POINTS]) if p]
    card.website = _first(fields.get("URL"))
    card.address = _first(fields.get("ADR"))
    return None if card.is_empty else card


def _first(values: list[str] | None) -> str | None:
    return values[0] if values else None


# -- reading off the event loop ------------------------------------------------------------------
IN_THREAD_BYTES = 64_000  # smaller files are read in a thread: a process would cost more
_POOL: concurrent.futures.ProcessPoolExecutor | None = None
_POOL_LOCK = threading.Lock()


class VcardTimeout(Exception):
    """The worker reading a file did not answer within its budget (and was replaced)."""


def _pool() -> concurrent.futures.ProcessPoolExecutor:
    global _POOL
    with _POOL_LOCK:
        if _POOL is None:
            _POOL = concurrent.futures.ProcessPoolExecutor(
                max_workers=1, mp_context=multiprocessing.get_context("spawn")
            )
        return _POOL


def close_pool(*, kill: bool = False) -> None:
    """Stop the worker (at shutdown, or `kill` when it is stuck); the next large file starts another."""
    global _POOL
    with _POOL_LOCK:
        pool, _POOL = _POOL, None
    if pool is None:
        return
    if kill:
        for process in list(getattr(pool, "_processes", {}).values()):
            process.kill()
    pool.shutdown(wait=not kill, cancel_futures=True)


async def read_vcards(
    data: bytes, default_region: str | None = None, *, in_thread_bytes: int = IN_THREAD_BYTES
) -> VcardResult:
    """`parse_vcards` off the event loop: in the worker process for a large file, else a thread.
    Raises `VcardTimeout` when the worker is stuck."""
    if len(data) <= in_thread_bytes:
        return await asyncio.to_thread(parse_vcards, data, default_region)
    future = _pool().submit(parse_vcards, data, default_region)
    try:
        return await asyncio.wait_for(asyncio.wrap_future(future), timeout=FILE_SECONDS + 30)
    except TimeoutError as exc:
        close_pool(kill=True)
        raise VcardTimeout() from exc
    except concurrent.futures.BrokenExecutor as exc:  # the worker died (killed, out of memory)
        close_pool(kill=True)
        raise VcardTimeout() from exc
