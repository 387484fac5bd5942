"""Card drafts: the card a rep sent, kept until it is saved, merged or discarded (one per member).

A draft is not a flow: it lives in `card_draft`, so a time zone prompt, an open record or a
reminder started meanwhile leaves it alone and its preview's buttons keep working. A `CardFlow`
is open only while a field of the draft is being typed (Edit, or /new field by field); it ends
with the draft it belongs to.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.domain.cards import Card
from bot.domain.hygiene import tidy_card
from bot.flows import CardField, CardFlow
from bot.services import flows
from models import CardDraft, Member
from models.base import utcnow
from models.errors import N_, StaleButton

# /new asks these, in this order, each skippable.
GUIDED: tuple[CardField, ...] = ("name", "company", "job_title", "emails", "phones")


class DraftGone(StaleButton):
    """The draft a button or an answer belongs to was saved, discarded or replaced."""

    def __init__(self) -> None:
        super().__init__(N_("This card was already saved or discarded."))


@dataclass(frozen=True, slots=True)
class Shown:
    """Where a draft's preview (or /new prompt) is, when known."""

    chat_id: int | None
    message_id: int | None


def new_nonce() -> str:
    return secrets.token_hex(4)


def next_field(field: CardField) -> CardField | None:
    """The field /new asks after `field`; None after the last one."""
    if field not in GUIDED:
        return None
    index = GUIDED.index(field) + 1
    return GUIDED[index] if index < len(GUIDED) else None


def card_of(draft: CardDraft) -> Card:
    return Card.from_dict(draft.card)


def _member_id(member: Member) -> int:
    if member.id is None:
        raise ValueError("a member without an id has no draft")
    return member.id


async def current(session: AsyncSession, member: Member) -> CardDraft | None:
    """The member's draft, if any."""
    return (await session.exec(select(CardDraft).where(CardDraft.member_id == _member_id(member)))).first()


async def by_nonce(session: AsyncSession, member: Member, nonce: str) -> CardDraft | None:
    """The member's draft when it is the one a button (or a flow) names."""
    draft = await current(session, member)
    return draft if draft is not None and nonce and draft.nonce == nonce else None


async def get(session: AsyncSession, member: Member, nonce: str) -> CardDraft:
    """Like `by_nonce`, but a draft that is gone raises `DraftGone`."""
    draft = await by_nonce(session, member, nonce)
    if draft is None:
        raise DraftGone()
    return draft


async def _end_flow_of(session: AsyncSession, member: Member, nonce: str) -> None:
    flow = await flows.current_of(session, member, CardFlow)
    if flow is not None and flow.nonce == nonce:
        await flows.end(session, member)


async def put(
    session: AsyncSession,
    member: Member,
    card: Card,
    *,
    duplicate_id: int | None,
    chat_id: int | None,
    message_id: int | None = None,
    nonce: str | None = None,
) -> tuple[CardDraft, Shown | None]:
    """Keep `card` as the member's draft, replacing an older one (and the field question it awaited).
    Returns the draft and where the replaced draft's preview is (its buttons are stale now)."""
    draft = await current(session, member)
    replaced = None
    now = utcnow()
    if draft is None:
        draft = CardDraft(team_id=member.team_id, member_id=_member_id(member), nonce="")
    else:
        await _end_flow_of(session, member, draft.nonce)
        replaced = Shown(draft.chat_id, draft.message_id)
    draft.nonce = nonce or new_nonce()
    draft.card = tidy_card(card).to_dict()  # clean and within limits (a NUL cannot go into JSONB)
    draft.duplicate_id = duplicate_id
    draft.chat_id, draft.message_id = chat_id, message_id
    draft.created_at = draft.updated_at = now
    session.add(draft)
    await session.flush()
    return draft, replaced


async def revise(
    session: AsyncSession, member: Member, nonce: str, card: Card, *, duplicate_id: int | None
) -> CardDraft:
    """The draft with a corrected card (and the duplicate found for it)."""
    draft = await get(session, member, nonce)
    draft.card = tidy_card(card).to_dict()
    draft.duplicate_id = duplicate_id
    session.add(draft)
    await session.flush()
    return draft


async def locate(session: AsyncSession, member: Member, nonce: str, *, chat_id: int, message_id: int) -> CardDraft:
    """Remember where the draft's preview is (learnt from a tapped button), so that a typed
    correction can edit it in place."""
    draft = await get(session, member, nonce)
    if (draft.chat_id, draft.message_id) != (chat_id, message_id):
        draft.chat_id, draft.message_id = chat_id, message_id
        session.add(draft)
        await session.flush()
    return draft


async def delete(session: AsyncSession, member: Member, nonce: str) -> CardDraft:
    """Drop the draft (saved, merged or discarded) and the field question it awaited."""
    draft = await get(session, member, nonce)
    await _end_flow_of(session, member, nonce)
    await session.delete(draft)
    await session.flush()
    return draft
