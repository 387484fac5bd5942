"""A member's place in a multi-step flow, kept in the database so restarts lose nothing."""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from models import FlowState, Member


async def get(session: AsyncSession, member: Member) -> FlowState | None:
    return (await session.exec(select(FlowState).where(FlowState.member_id == member.id))).first()


async def start(
    session: AsyncSession,
    member: Member,
    flow: str,
    *,
    step: str = "",
    data: dict[str, Any] | None = None,
    chat_id: int | None = None,
    message_id: int | None = None,
) -> FlowState:
    """Begin `flow`, replacing whatever flow the member was in."""
    state = await get(session, member) or FlowState(member_id=member.id, team_id=member.team_id, flow=flow)  # type: ignore[arg-type]
    state.flow, state.step, state.data = flow, step, dict(data or {})
    state.chat_id, state.message_id = chat_id, message_id
    session.add(state)
    await session.flush()
    return state


async def clear(session: AsyncSession, member: Member) -> FlowState | None:
    """End any flow; return what it was (for /cancel to tidy up its message)."""
    state = await get(session, member)
    if state is not None:
        await session.exec(delete(FlowState).where(FlowState.member_id == member.id))  # type: ignore[arg-type]
    return state
