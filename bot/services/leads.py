"""Leads: create, look up (always through the session's access scope), notes, birthday, parking."""

from __future__ import annotations

import secrets
import unicodedata
from datetime import date, datetime
from typing import Any

from sqlalchemy import case, func, insert, update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.domain.hygiene import check_typed, tidy
from bot.flows import RecordFlow
from bot.services import flows
from models import (
    Activity,
    ActivityKind,
    ContactKind,
    ContactPoint,
    Lead,
    Member,
    ParkReason,
    Reminder,
    ReminderKind,
    ReminderStatus,
    Stage,
    StageChange,
    funnel,
    limits,
)
from models.errors import N_, AccessDenied, DomainError

MAX_NOTE = limits.NOTE  # characters; a note is what was said, not a document
CODE_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no look-alikes: a code may be read aloud


def fold(text: str | None) -> str:
    """Lower-case, accent-free, single-spaced: "Ćosić  d.o.o." -> "cosic d.o.o.". Made from the
    tidied text (bot/domain/hygiene.py), so invisible characters never tell two keys apart."""
    if not text:
        return ""
    text = unicodedata.normalize("NFKD", tidy(text).casefold())
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return " ".join(text.replace("đ", "d").replace("ł", "l").replace("ø", "o").split())


def saved_id(row_id: int | None) -> int:
    """The id of a row that has been flushed (a row without one is a programming error)."""
    if row_id is None:
        raise ValueError("the row has not been saved yet")
    return row_id


def new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(8))


def telegram_points(
    lead: Lead | None = None, *, user_id: int | None = None, username: str | None = None
) -> list[tuple[ContactKind, list[str]]]:
    """The contact points of a Telegram account (of `lead`, or the one given), as (kind, values)."""
    if lead is not None:
        user_id, username = lead.telegram_id, lead.telegram_username
    return [
        (ContactKind.TELEGRAM, [str(user_id)] if user_id is not None else []),
        (ContactKind.TELEGRAM_USERNAME, [username] if username else []),
    ]


def refresh_keys(lead: Lead) -> None:
    lead.name_key = fold(lead.full_name)[: limits.NAME_KEY]
    lead.company_key = fold(lead.company)[: limits.COMPANY_KEY]
    parts = [lead.full_name, lead.company, lead.job_title, *lead.emails, *lead.phones]
    lead.search_text = fold(" ".join(p for p in parts if p))


async def create_lead(
    session: AsyncSession,
    owner: Member,
    *,
    now: datetime,
    stage: Stage = Stage.LEAD,
    reason: str | None = None,
    **fields: Any,
) -> Lead:
    """Add a lead owned by `owner`, with its contact points and its first history row."""
    lead = Lead(team_id=owner.team_id, owner_id=saved_id(owner.id), code=new_code(), stage=stage, **fields)
    lead.stage_changed_at = now
    lead.last_activity_at = now
    lead.probability = funnel.DEFAULT_PROBABILITY[stage]
    refresh_keys(lead)
    session.add(lead)
    await session.flush()
    for kind, values in ((ContactKind.EMAIL, lead.emails), (ContactKind.PHONE, lead.phones), *telegram_points(lead)):
        for value in values:
            session.add(ContactPoint(team_id=lead.team_id, lead_id=saved_id(lead.id), kind=kind, value=fold(value)))
    session.add(funnel.created(lead, by=owner.id, now=now, reason=reason))
    await session.flush()
    return lead


async def create_leads(
    session: AsyncSession, owner: Member, many: list[dict[str, Any]], *, now: datetime, stage: Stage
) -> list[Lead]:
    """`create_lead` for many records at once (an import): a few statements for the lot, each
    an executemany (the ORM would insert row by row to learn each id; the ids are read back by
    the records' unique codes instead)."""
    rows = []
    for fields in many:
        lead = Lead(team_id=owner.team_id, owner_id=saved_id(owner.id), code=new_code(), stage=stage, **fields)
        lead.stage_changed_at = lead.last_activity_at = now
        lead.probability = funnel.DEFAULT_PROBABILITY[stage]
        refresh_keys(lead)
        rows.append(lead)
    if not rows:
        return rows
    columns = [c.key for c in Lead.__table__.columns if c.key != "id"]  # type: ignore[attr-defined]
    await session.exec(insert(Lead), params=[{c: getattr(lead, c) for c in columns} for lead in rows])
    codes = [lead.code for lead in rows]
    ids = dict((await session.exec(select(Lead.code, Lead.id).where(col(Lead.code).in_(codes)))).all())
    points, changes = [], []
    for lead in rows:
        lead.id = ids[lead.code]
        for kind, values in (
            (ContactKind.EMAIL, lead.emails),
            (ContactKind.PHONE, lead.phones),
            *telegram_points(lead),
        ):
            points += [{"team_id": lead.team_id, "lead_id": lead.id, "kind": kind, "value": fold(v)} for v in values]
        changes.append(funnel.created(lead, by=owner.id, now=now).model_dump(exclude={"id"}))
    if points:
        await session.exec(insert(ContactPoint), params=points)
    await session.exec(insert(StageChange), params=changes)
    return rows


async def get_visible(session: AsyncSession, lead_id: int, *, lock: bool = False) -> Lead:
    """The lead if this session's member may see it; AccessDenied otherwise (same answer for
    "does not exist" and "not yours", so ids cannot be probed). `lock`: the row is held until the
    transaction ends (PostgreSQL; SQLite's writer holds the database anyway), so a rule checked
    on it still holds when the change is written."""
    query = select(Lead).where(Lead.id == lead_id)
    if lock:
        query = query.with_for_update()
    lead = (await session.exec(query)).first()
    if lead is None:
        raise AccessDenied()
    return lead


async def by_code(session: AsyncSession, code: str) -> Lead:
    lead = (await session.exec(select(Lead).where(Lead.code == code))).first()
    if lead is None:
        raise AccessDenied()
    return lead


async def history(session: AsyncSession, lead_id: int, limit: int = 5) -> list[StageChange]:
    rows = await session.exec(
        select(StageChange)
        .where(StageChange.lead_id == lead_id)
        .order_by(col(StageChange.at).desc(), col(StageChange.id).desc())
        .limit(limit)
    )
    return list(rows)


async def stage_counts(session: AsyncSession) -> dict[Stage, int]:
    """Records per stage, as far as the session's scope sees."""
    rows = await session.exec(select(Lead.stage, func.count()).group_by(col(Lead.stage)))
    return {Stage(stage): n for stage, n in rows.all()}


def value_of() -> Any:
    """A record's value as SQL (its definition: bot/domain/sources.py, `lead_value`)."""
    chance = func.coalesce(
        col(Lead.probability), case(dict(funnel.DEFAULT_PROBABILITY.items()), value=Lead.stage, else_=0)
    )
    return func.coalesce(col(Lead.deal_amount), col(Lead.estimated_value), 0) * chance


async def page(session: AsyncSession, *, offset: int, limit: int, by_value: bool = False) -> list[Lead]:
    """Records grouped by stage (open deals first), newest activity first within a stage; or, `by_value`,
    the most valuable first (closed records last)."""
    order = case({stage: i for i, stage in enumerate(funnel.BROWSE_ORDER)}, value=Lead.stage)
    first: tuple[Any, ...] = (order,)
    if by_value:
        closed = case((col(Lead.stage).in_((Stage.CUSTOMER, Stage.LOST)), 1), else_=0)
        first = (closed, value_of().desc())
    rows = await session.exec(
        select(Lead)
        .order_by(*first, col(Lead.last_activity_at).desc(), col(Lead.id).desc())
        .offset(offset)
        .limit(limit)
    )
    return list(rows)


async def search(session: AsyncSession, words: str, limit: int = 10) -> list[Lead]:
    """Records whose name, company, title, e-mails or phones contain every word (accents ignored)."""
    terms = [t for t in fold(words).split() if t][:6]
    if not terms:
        return []
    query = select(Lead)
    for term in terms:
        escaped = term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        query = query.where(col(Lead.search_text).like(f"%{escaped}%", escape="\\"))
    return list(await session.exec(query.order_by(col(Lead.last_activity_at).desc()).limit(limit)))


async def notes(session: AsyncSession, lead_id: int, limit: int = 3) -> list[Activity]:
    rows = await session.exec(
        select(Activity)
        .where(Activity.lead_id == lead_id)
        .order_by(col(Activity.at).desc(), col(Activity.id).desc())
        .limit(limit)
    )
    return list(rows)


def check_note(text: str) -> None:
    if len(text) > MAX_NOTE:
        raise DomainError(N_("That note is too long. Please keep a note under 3,000 characters."))
    check_typed(text)


async def add_note(
    session: AsyncSession, lead: Lead, by: Member, text: str, *, now: datetime, kind: ActivityKind = ActivityKind.NOTE
) -> Activity:
    """A note on the record (at most `MAX_NOTE` characters); the record counts as active."""
    check_note(text)
    text = tidy(text, multiline=True)
    note = Activity(team_id=lead.team_id, lead_id=saved_id(lead.id), member_id=by.id, kind=kind, text=text, at=now)
    lead.last_activity_at = now
    session.add(lead)
    session.add(note)
    await session.flush()
    return note


async def note_on_open_record(session: AsyncSession, by: Member, text: str, *, now: datetime) -> tuple[Lead, Activity]:
    """A note on the record the member has open (the one shown last); none open: refused."""
    check_note(text)
    flow = await flows.current_of(session, by, RecordFlow)
    if flow is None:
        raise DomainError(N_("Open a record first (/leads or /find), then send the note."))
    lead = await get_visible(session, flow.lead)
    return lead, await add_note(session, lead, by, text, now=now)


async def mark_note(session: AsyncSession, note_id: int, kind: ActivityKind) -> Activity:
    """Mark a note as an objection or a question (a note of a record this member sees)."""
    note = await note_by_id(session, note_id)
    if note is None:
        raise AccessDenied()
    note.kind = kind
    session.add(note)
    await session.flush()
    return note


async def set_birthday(session: AsyncSession, lead_id: int, birthday: date) -> Lead:
    lead = await get_visible(session, lead_id)
    lead.birthday = birthday
    session.add(lead)
    await session.flush()
    return lead


async def park(
    session: AsyncSession,
    lead: Lead,
    reason: ParkReason,
    until: datetime,
    *,
    by: Member,
    now: datetime,
) -> Reminder:
    """Park the record and schedule its follow-up; an earlier pending follow-up is cancelled.
    Parking again until the same moment is refused (a double tap parks once)."""
    session.add(funnel.park(lead, reason, until, by=by.id, now=now))
    session.add(lead)
    await session.exec(
        update(Reminder)
        .where(
            col(Reminder.lead_id) == lead.id,
            col(Reminder.kind) == ReminderKind.FOLLOW_UP,
            col(Reminder.status) == ReminderStatus.PENDING,
        )
        .values(status=ReminderStatus.CANCELLED, updated_at=now)
    )
    reminder = Reminder(
        team_id=lead.team_id,
        owner_id=lead.owner_id,
        lead_id=lead.id,
        kind=ReminderKind.FOLLOW_UP,
        due_at=until,
        reason=reason.value,
    )
    session.add(reminder)
    await session.flush()
    return reminder


async def note_by_id(session: AsyncSession, note_id: int) -> Activity | None:
    return (await session.exec(select(Activity).where(Activity.id == note_id))).first()
