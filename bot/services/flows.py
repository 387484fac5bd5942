"""A member's place in a multi-step flow (see `bot.flows`), kept in the database so restarts lose
nothing. Reading validates the stored data; a row that does not validate reads as no flow."""

from __future__ import annotations

import logging
from typing import TypeVar

from pydantic import ValidationError
from sqlalchemy import delete
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.flows import FLOWS, FlowData, FlowKind
from models import FlowState, Member

log = logging.getLogger(__name__)
F = TypeVar("F", bound=FlowData)


def _member_id(member: Member) -> int:
    if member.id is None:
        raise ValueError("a member without an id has no flow")
    return member.id


async def _row(session: AsyncSession, member: Member) -> FlowState | None:
    return (await session.exec(select(FlowState).where(FlowState.member_id == _member_id(member)))).first()


def _load(row: FlowState) -> FlowData | None:
    try:
        cls = FLOWS[FlowKind(row.flow)]
        data = cls.model_validate(row.data)
    except (ValueError, KeyError, ValidationError):
        log.debug("a stored flow of kind %r does not validate; treated as none", row.flow)
        return None
    data.chat_id, data.message_id = row.chat_id, row.message_id
    return data


async def current(session: AsyncSession, member: Member) -> FlowData | None:
    """The member's open flow, validated, or None."""
    row = await _row(session, member)
    return _load(row) if row is not None else None


async def current_of(session: AsyncSession, member: Member, kind: type[F]) -> F | None:
    """The member's open flow when it is of `kind`, else None."""
    data = await current(session, member)
    return data if isinstance(data, kind) else None


async def begin(session: AsyncSession, member: Member, data: FlowData) -> FlowData | None:
    """Open `data`'s flow, replacing whatever flow the member was in; returns the replaced one
    (so that the caller can take the buttons off its prompt, after the commit)."""
    row = await _row(session, member)
    previous = _load(row) if row is not None else None
    if row is None:
        row = FlowState(member_id=_member_id(member), team_id=member.team_id, flow=data.kind.value)
    row.flow, row.step = data.kind.value, data.step_name[:32]
    row.data = data.model_dump(mode="json")
    row.chat_id, row.message_id = data.chat_id, data.message_id
    session.add(row)
    await session.flush()
    return previous


async def end(session: AsyncSession, member: Member) -> FlowData | None:
    """End any flow; return what it was (for /cancel to tidy up its prompt)."""
    row = await _row(session, member)
    if row is None:
        return None
    previous = _load(row)
    await session.exec(delete(FlowState).where(col(FlowState.member_id) == _member_id(member)))
    return previous or FlowData(chat_id=row.chat_id, message_id=row.message_id)
