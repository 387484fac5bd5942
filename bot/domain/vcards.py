"""vCard files (one or many contacts) and MECARD QR payloads, read into `Card`s with vobject."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import vobject

from bot.domain.cards import Card, normalise_email, normalise_phone

MAX_VCF_BYTES = 1_000_000
MAX_CONTACTS = 500


@dataclass
class VcardResult:
    cards: list[Card] = field(default_factory=list)
    rejected: list[str] = field(default_factory=list)  # why a contact could not be read


def _text(value: object) -> str:
    if isinstance(value, list | tuple):
        return " ".join(str(v) for v in value if v).strip()
    return str(value or "").strip()


def _card_from(component: vobject.base.Component, default_region: str | None) -> Card:
    card = Card()
    n = component.contents.get("n")
    if n:
        name = n[0].value
        card.first_name = (
            " ".join(p for p in (_text(name.prefix), _text(name.given), _text(name.additional)) if p) or None
        )
        card.last_name = _text(name.family) or None
    if not card.first_name and not card.last_name and "fn" in component.contents:
        words = _text(component.fn.value).split()
        if words:
            card.first_name = " ".join(words[:-1]) or words[0]
            card.last_name = words[-1] if len(words) > 1 else None
    if "org" in component.contents:
        card.company = _text(component.org.value) or None
    if "title" in component.contents:
        card.job_title = _text(component.title.value) or None
    for email in component.contents.get("email", []):
        normalised = normalise_email(_text(email.value))
        if normalised and normalised not in card.emails:
            card.emails.append(normalised)
    for tel in component.contents.get("tel", []):
        types = {t.lower() for t in tel.params.get("TYPE", [])}
        if "fax" in types:
            continue
        phone = normalise_phone(_text(tel.value), default_region)
        if phone and phone not in card.phones:
            card.phones.append(phone)
    if "url" in component.contents:
        card.website = _text(component.url.value) or None
    if "adr" in component.contents:
        adr = component.adr.value
        parts = [_text(adr.street), " ".join(p for p in (_text(adr.code), _text(adr.city)) if p), _text(adr.country)]
        card.address = ", ".join(p for p in parts if p) or None
    if "bday" in component.contents:
        card.raw_text = f"BDAY:{_text(component.bday.value)}"
    return card


def parse_vcards(data: bytes | str, default_region: str | None = None) -> VcardResult:
    """Every contact in a .vcf; a malformed file or contact is reported, never raised."""
    result = VcardResult()
    if isinstance(data, bytes):
        if len(data) > MAX_VCF_BYTES:
            result.rejected.append("file too large")
            return result
        data = data.decode("utf-8", errors="replace")
    # One component at a time, so that one broken contact does not lose the others.
    chunks = re.findall(r"BEGIN:VCARD.*?END:VCARD", data, flags=re.DOTALL | re.IGNORECASE)
    if not chunks:
        result.rejected.append("no contact found")
        return result
    for chunk in chunks[:MAX_CONTACTS]:
        try:
            component = vobject.readOne(chunk)
            card = _card_from(component, default_region)
        except Exception as exc:
            result.rejected.append(type(exc).__name__)
            continue
        card.raw_text = chunk.strip()
        if card.is_empty:
            result.rejected.append("empty contact")
        else:
            result.cards.append(card)
    if len(chunks) > MAX_CONTACTS:
        result.rejected.append(f"{len(chunks) - MAX_CONTACTS} contacts over the limit")
    return result


def parse_mecard(text: str, default_region: str | None = None) -> Card | None:
    """MECARD:N:Kovač,Ana;ORG:Acme;TEL:+385...;EMAIL:...;URL:...;ADR:...;;"""
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
    card.emails = [e for e in (normalise_email(v) for v in fields.get("EMAIL", [])) if e]
    card.phones = [p for p in (normalise_phone(v, default_region) for v in fields.get("TEL", [])) if p]
    card.website = _first(fields.get("URL"))
    card.address = _first(fields.get("ADR"))
    return None if card.is_empty else card


def _first(values: list[str] | None) -> str | None:
    return values[0] if values else None
