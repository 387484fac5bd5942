"""Leads: create, look up (always through the session's access scope), record history."""

from __future__ import annotations

import secrets
import unicodedata
from datetime import datetime
from typing import Any

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from models import ContactKind, ContactPoint, Lead, Member, Stage, StageChange, funnel
from models.errors import AccessDenied

CODE_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no look-alikes: a code may be read aloud


def fold(text: str | None) -> str:
    """Lower-case, accent-free, single-spaced: "Ćosić  d.o.o." -> "cosic d.o.o."."""
    if not text:
        return ""
    text = unicodedata.normalize("NFKD", text.casefold())
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return " ".join(text.replace("đ", "d").replace("ł", "l").replace("ø", "o").split())


def new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(8))


def refresh_keys(lead: Lead) -> None:
    lead.name_key = fold(lead.full_name)[:260]
    lead.company_key = fold(lead.company)[:200]
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
    lead = Lead(team_id=owner.team_id, owner_id=owner.id, code=new_code(), stage=stage, **fields)  # type: ignore[arg-type]
    lead.stage_changed_at = now
    lead.last_activity_at = now
    lead.probability = funnel.DEFAULT_PROBABILITY[stage]
    refresh_keys(lead)
    session.add(lead)
    await session.flush()
    for kind, values in ((ContactKind.EMAIL, lead.emails), (ContactKind.PHONE, lead.phones)):
        for value in values:
            session.add(ContactPoint(team_id=lead.team_id, lead_id=lead.id, kind=kind, value=fold(value)))  # type: ignore[arg-type]
    session.add(funnel.created(lead, by=owner.id, now=now, reason=reason))
    await session.flush()
    return lead


async def get_visible(session: AsyncSession, lead_id: int) -> Lead:
    """The lead if this session's member may see it; AccessDenied otherwise (same answer for
    "does not exist" and "not yours", so ids cannot be probed)."""
    lead = (await session.exec(select(Lead).where(Lead.id == lead_id))).first()
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
        .order_by(StageChange.at.desc(), StageChange.id.desc())  # type: ignore[union-attr]
        .limit(limit)
    )
    return list(rows)


async def move(
    session: AsyncSession, lead: Lead, to_stage: Stage, *, by: Member, now: datetime, reason: str | None = None
) -> StageChange:
    """Move through the funnel rules; the lead and its history row are written together."""
    change = funnel.move(lead, to_stage, by=by.id, now=now, reason=reason)
    session.add(lead)
    session.add(change)
    await session.flush()
    return change
