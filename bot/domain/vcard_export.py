"""Records written as vCards 3.0 (vobject), which every phone's contacts app opens."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

import vobject

from bot.domain.dates import UNKNOWN_YEAR


@dataclass(frozen=True)
class Contact:
    """What a vCard holds of a record (plain values, no database row)."""

    first_name: str | None = None
    last_name: str | None = None
    company: str | None = None
    job_title: str | None = None
    emails: list[str] = field(default_factory=list)
    phones: list[str] = field(default_factory=list)
    website: str | None = None
    address: str | None = None
    birthday: date | None = None
    note: str | None = None


def vcard(contact: Contact) -> str:
    """One contact as a vCard 3.0 text (CRLF line ends, folded as the standard says)."""
    card = vobject.vCard()
    card.add("n").value = vobject.vcard.Name(family=contact.last_name or "", given=contact.first_name or "")
    full = " ".join(p for p in (contact.first_name, contact.last_name) if p)
    card.add("fn").value = full or contact.company or "-"
    if contact.company:
        card.add("org").value = [contact.company]
    if contact.job_title:
        card.add("title").value = contact.job_title
    for email in contact.emails:
        line = card.add("email")
        line.value = email
        line.type_param = "INTERNET"
    for phone in contact.phones:
        line = card.add("tel")
        line.value = phone
        line.type_param = "WORK"
    if contact.website:
        card.add("url").value = contact.website
    if contact.address:
        card.add("adr").value = vobject.vcard.Address(street=contact.address)
    if contact.birthday is not None:
        day = contact.birthday
        # vCard 3.0 has no year-less date; a birthday without its year is written as --MM-DD (vCard 4 style),
        # which iOS and Android read.
        card.add("bday").value = f"--{day:%m-%d}" if day.year == UNKNOWN_YEAR else day.isoformat()
    if contact.note:
        card.add("note").value = contact.note
    text: str = card.serialize()
    return text


def vcards(contacts: Iterable[Contact]) -> str:
    """Many contacts in one .vcf file."""
    return "".join(vcard(c) for c in contacts)
