"""Turning a read card into a lead: duplicates, saving, merging, importing many."""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import or_
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.db import Scope
from bot.domain import forwards
from bot.domain.cards import LANGUAGE_REGION, Card
from bot.domain.hygiene import check_typed, tidy, tidy_card
from bot.flows import ForwardFlow
from bot.services import drafts, flows, leads
from models import Activity, ActivityKind, ContactKind, ContactPoint, Lead, LeadSource, Member, Stage, Team, limits
from models.errors import N_, AccessDenied, DomainError

log = logging.getLogger(__name__)

CARD_FIELDS = ("first_name", "last_name", "job_title", "company", "website", "address")


def team_wide(member: Member) -> Scope:
    """The member's team as a whole: duplicates are checked against every record of the team."""
    return Scope(team_id=member.team_id, member_id=member.id, sees_team=True)


@dataclass(frozen=True, slots=True)
class Duplicate:
    """What the preview may say about a record of the team that matches a card. A member who can
    see the record gets its name and company and the merge; a rep whose colleague owns it gets
    only the colleague's name: never the contact's details they did not type themselves."""

    lead_id: int
    mergeable: bool
    name: str | None = None
    company: str | None = None
    colleague: str | None = None

    @property
    def merge_id(self) -> int | None:
        """The record a Merge tap may merge into (kept with the draft), when the member sees it."""
        return self.lead_id if self.mergeable else None


def phone_region(team: Team | None, member: Member) -> str | None:
    return (team.phone_region if team else None) or LANGUAGE_REGION.get(member.language)


async def _by_points(session: AsyncSession, points: Sequence[tuple[ContactKind, Sequence[str]]]) -> Lead | None:
    conditions = [
        (col(ContactPoint.kind) == kind) & col(ContactPoint.value).in_([leads.fold(v) for v in values])
        for kind, values in points
        if values
    ]
    if not conditions:
        return None
    return (
        await session.exec(
            select(Lead).join(ContactPoint, col(ContactPoint.lead_id) == col(Lead.id)).where(or_(*conditions)).limit(1)
        )
    ).first()


async def find_duplicate(session: AsyncSession, card: Card) -> Lead | None:
    """A record of the session's team with the same Telegram account, else the same e-mail or
    phone, else the same name and company (case and accents ignored)."""
    account = leads.telegram_points(user_id=card.telegram_id, username=card.telegram_username)
    for points in (account, [(ContactKind.EMAIL, card.emails), (ContactKind.PHONE, card.phones)]):
        # The Telegram account first: it names one person, where a phone may be a switchboard's.
        hit = await _by_points(session, points)
        if hit is not None:
            return hit
    name_key, company_key = leads.fold(card.full_name), leads.fold(card.company)
    if name_key and company_key:
        return (
            await session.exec(select(Lead).where(Lead.name_key == name_key, Lead.company_key == company_key).limit(1))
        ).first()
    return None


async def duplicate_for(session: AsyncSession, member: Member, card: Card) -> Duplicate | None:
    """The team's record matching `card` (run with `team_wide(member)`), as `member` may be told."""
    lead = await find_duplicate(session, tidy_card(card))
    if lead is None or lead.id is None:
        return None
    if member.role.sees_team or lead.owner_id == member.id:
        return Duplicate(lead.id, mergeable=True, name=lead.full_name, company=lead.company)
    owner = (await session.exec(select(Member).where(col(Member.id) == lead.owner_id))).first()
    return Duplicate(lead.id, mergeable=False, colleague=owner.display_name if owner is not None else None)


def _fields(card: Card) -> dict[str, Any]:
    values = {name: getattr(card, name) for name in CARD_FIELDS}
    return {
        **values,
        "emails": list(card.emails),
        "phones": list(card.phones),
        "raw_card_text": card.raw_text or None,
        "telegram_id": card.telegram_id,
        "telegram_username": card.telegram_username,
    }


async def save_card(
    session: AsyncSession,
    owner: Member,
    card: Card,
    *,
    now: datetime,
    stage: Stage = Stage.LEAD,
    source: LeadSource | None = LeadSource.MEETING,
) -> Lead:
    card = tidy_card(card)  # whatever path the card took, it is stored clean and within limits
    return await leads.create_lead(session, owner, now=now, stage=stage, source=source, **_fields(card))


async def merge_card(session: AsyncSession, lead: Lead, card: Card, *, by: Member, now: datetime) -> Lead:
    """Fill what the record lacks from the card; add e-mails and phones it does not have yet (up to
    the limits of a contact)."""
    card = tidy_card(card)
    changed = []
    for name in CARD_FIELDS:
        value = getattr(card, name)
        if value and not getattr(lead, name):
            setattr(lead, name, value)
            changed.append(name)
    for kind, attr in ((ContactKind.EMAIL, "emails"), (ContactKind.PHONE, "phones")):
        current = list(getattr(lead, attr))
        for value in getattr(card, attr):
            if value not in current and len(current) < (limits.EMAILS if attr == "emails" else limits.PHONES):
                current.append(value)
                session.add(ContactPoint(team_id=lead.team_id, lead_id=_id(lead), kind=kind, value=leads.fold(value)))
                changed.append(attr)
        setattr(lead, attr, current)
    account: list[tuple[ContactKind, str]] = []
    if card.telegram_id is not None and lead.telegram_id is None:
        lead.telegram_id = card.telegram_id
        account.append((ContactKind.TELEGRAM, str(card.telegram_id)))
    if card.telegram_username and not lead.telegram_username:
        lead.telegram_username = card.telegram_username
        account.append((ContactKind.TELEGRAM_USERNAME, card.telegram_username))
    for kind, value in account:
        session.add(ContactPoint(team_id=lead.team_id, lead_id=_id(lead), kind=kind, value=leads.fold(value)))
        changed.append("telegram")
    leads.refresh_keys(lead)
    lead.last_activity_at = now
    session.add(lead)
    session.add(
        Activity(
            team_id=lead.team_id,
            lead_id=_id(lead),
            member_id=by.id,
            kind=ActivityKind.NOTE,
            text="card merged: " + (", ".join(sorted(set(changed))) or "nothing new"),
            at=now,
        )
    )
    await session.flush()
    return lead


def _id(lead: Lead) -> int:
    if lead.id is None:
        raise ValueError("an unsaved record")
    return lead.id


async def save_draft(
    session: AsyncSession, member: Member, nonce: str, *, merge: bool, now: datetime
) -> tuple[Lead, bool]:
    """Save the member's draft as a new lead, or merge it into the duplicate it was shown with
    (when one was found and `merge` asks for it); the draft is gone afterwards, so a second tap
    finds nothing. A draft made from forwarded messages keeps their text as a note. Returns the
    lead and whether it was a merge."""
    draft = await drafts.get(session, member, nonce)
    card = drafts.card_of(draft)
    if card.is_empty:
        raise DomainError(N_("A lead needs at least a name, a company, an e-mail or a phone."))
    if merge and draft.duplicate_id is None:  # no record to merge into was offered (a colleague's)
        raise AccessDenied()
    if merge and draft.duplicate_id is not None:
        target = await leads.get_visible(session, draft.duplicate_id)
        lead, merged = await merge_card(session, target, card, by=member, now=now), True
    else:
        lead, merged = await save_card(session, member, card, now=now), False
    await drafts.delete(session, member, nonce)
    batch = await flows.current_of(session, member, ForwardFlow)
    if batch is not None and batch.nonce == nonce:  # a forward's sender: what they wrote is the first note
        text = forwards.joined(batch.texts, leads.MAX_NOTE)
        if text:
            await leads.add_note(session, lead, member, text, now=now)
        await flows.end(session, member)
    return lead, merged


async def set_source(session: AsyncSession, lead_id: int, source: LeadSource) -> Lead:
    """Where the lead came from (the buttons under a saved card)."""
    lead = await leads.get_visible(session, lead_id)
    lead.source = source
    session.add(lead)
    await session.flush()
    return lead


MAX_SOURCE_DETAIL = limits.SOURCE_DETAIL


async def set_source_detail(session: AsyncSession, lead_id: int, detail: str) -> Lead:
    """The event's name or where the rep met the contact (tidied, cut to 200 characters)."""
    check_typed(detail)
    lead = await leads.get_visible(session, lead_id)
    lead.source_detail = limits.cut(tidy(detail), MAX_SOURCE_DETAIL) or None
    session.add(lead)
    await session.flush()
    return lead


# -- importing a file of contacts ----------------------------------------------------------------
# An import is the deliberate exception to "one write transaction per update" (bot/context.py):
# ten thousand contacts in one transaction would hold SQLite's write lock for a minute, and every
# other member's update would fail meanwhile. The handler writes `import_some` chunks, each in a
# transaction of its own (`BotContext.write_chunk`, which lets waiting writers go first). A chunk
# is sized from the last one's time so that it holds the lock for about `IMPORT_CHUNK_SECONDS`.
# What is committed stays committed: if the process dies halfway, the update (still unhandled:
# only the import's last transaction marks it handled) is handled again, and every contact already
# saved is then found as a duplicate and skipped; sending the file again does the same.
IMPORT_CHUNK = 25  # contacts in the first chunk
IMPORT_CHUNK_MAX = 200  # (each e-mail and phone of a chunk is one parameter of its duplicate query)
IMPORT_CHUNK_SECONDS = 0.04
NOT_SAVED = "not_saved"  # a refusal reason of the import itself (the reader's are in bot/domain/vcards.py)


@dataclass
class ImportSummary:
    """What an import did so far: how many saved, which skipped as duplicates, which refused and why."""

    total: int = 0  # contacts in the file
    created: int = 0
    duplicates: list[str] = field(default_factory=list)
    refused: list[tuple[str, str]] = field(default_factory=list)  # (reason code, label)
    chunk: int = IMPORT_CHUNK  # contacts in the next chunk
    longest_write: float = 0.0  # seconds, the longest chunk's transaction (kept by the caller)

    @property
    def done(self) -> int:
        return self.created + len(self.duplicates) + len(self.refused)


def label_of(card: Card) -> str:
    """How a contact is named in a report."""
    return card.full_name or card.company or (card.emails or card.phones or ["?"])[0]


Key = tuple[str, str]


def _keys(card: Card) -> set[Key]:
    """What makes two contacts the same (as `find_duplicate` checks): an e-mail, a phone, or the
    name and the company together."""
    keys = {("email", leads.fold(e)) for e in card.emails} | {("phone", leads.fold(p)) for p in card.phones}
    name, company = leads.fold(card.full_name), leads.fold(card.company)
    if name and company:
        keys.add(("name", f"{name[: limits.NAME_KEY]}\n{company[: limits.COMPANY_KEY]}"))
    return keys


async def _known(session: AsyncSession, keys: set[Key]) -> set[Key]:
    """Which of `keys` the team's records already have (two queries)."""
    known: set[Key] = set()
    points = {kind: [v for k, v in keys if k == kind] for kind in ("email", "phone")}
    conditions = [
        (col(ContactPoint.kind) == ContactKind(kind)) & col(ContactPoint.value).in_(values)
        for kind, values in points.items()
        if values
    ]
    if conditions:
        rows = await session.exec(select(ContactPoint.kind, ContactPoint.value).where(or_(*conditions)))
        known |= {(ContactKind(kind).value, value) for kind, value in rows.all()}
    pairs = [v.split("\n", 1) for k, v in keys if k == "name"]
    if pairs:
        rows2 = await session.exec(
            select(Lead.name_key, Lead.company_key).where(
                col(Lead.name_key).in_({n for n, _ in pairs}), col(Lead.company_key).in_({c for _, c in pairs})
            )
        )
        known |= {("name", f"{n}\n{c}") for n, c in rows2.all()}
    return known


async def import_some(
    session: AsyncSession, owner: Member, cards: Sequence[Card], start: int, summary: ImportSummary, *, now: datetime
) -> int:
    """Import the next chunk of `cards` (from `start`) as suspects: contacts matching a record of
    the team, or an earlier contact of the file, are skipped and named. Returns where the next
    chunk starts. The chunk is saved at once; if that fails, contact by contact in savepoints, so
    that one contact that cannot be saved is refused alone."""
    began = time.monotonic()
    end = min(len(cards), start + max(1, summary.chunk))
    chunk = [tidy_card(card) for card in cards[start:end]]
    keys = [_keys(card) for card in chunk]
    seen = await _known(session, set().union(*keys))
    fresh = []
    for card, own in zip(chunk, keys, strict=True):
        if own & seen:
            summary.duplicates.append(label_of(card))
        else:
            seen |= own
            fresh.append(card)
    try:
        async with session.begin_nested():
            await leads.create_leads(session, owner, [_import_fields(c) for c in fresh], now=now, stage=Stage.SUSPECT)
        summary.created += len(fresh)
    except SQLAlchemyError:
        log.warning("a chunk of an import could not be saved; saving it contact by contact", exc_info=True)
        for card in fresh:
            try:
                async with session.begin_nested():
                    await leads.create_leads(session, owner, [_import_fields(card)], now=now, stage=Stage.SUSPECT)
                summary.created += 1
            except SQLAlchemyError:
                summary.refused.append((NOT_SAVED, label_of(card)))
    took = time.monotonic() - began
    fitting = int(len(chunk) * IMPORT_CHUNK_SECONDS / max(took, 1e-3))
    summary.chunk = max(1, min(IMPORT_CHUNK_MAX, 2 * len(chunk), fitting))
    return end


def _import_fields(card: Card) -> dict[str, Any]:
    return {**_fields(card), "source": LeadSource.BOUGHT_LIST}


async def import_cards(
    session: AsyncSession, owner: Member, cards: list[Card], *, now: datetime, rejected: list[str]
) -> ImportSummary:
    """Import a list in one transaction (tests, scripts; the bot imports in chunks, see above)."""
    summary = ImportSummary(total=len(cards) + len(rejected), refused=[(reason, "") for reason in rejected])
    index = 0
    while index < len(cards):
        index = await import_some(session, owner, cards, index, summary, now=now)
    return summary
