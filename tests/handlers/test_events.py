"""/events: managers see each named event's cards, how far they got and what a won deal cost."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from sqlmodel import select

from bot.db import Scope
from models import EventCost, Lead, LeadSource, Stage
from tests.support import WriteWatch, make_team, msg, sent


@pytest.fixture
def watch(tg: Any) -> Any:
    watch = WriteWatch(tg)
    yield watch
    assert watch.problems == []


async def fair(db, people: dict) -> None:
    """Three cards from Interliber (typed two ways), one won; one from Expo; one referral."""
    rep = people["rep1"]
    async with db.begin(Scope.system()) as s:

        def add(code: str, detail: str | None, source: LeadSource = LeadSource.MEETING, **extra: Any) -> None:
            s.add(Lead(team_id=rep.team_id, owner_id=rep.id, code=code, first_name=f"Secret{code}", source=source,
                       source_detail=detail, **extra))  # fmt: skip

        add("e1", "Interliber 2026", stage=Stage.CUSTOMER, deal_amount=Decimal(4000), currency="EUR", score=90)
        add("e2", "interliber 2026", score=70)
        add("e3", "Interliber 2026", stage=Stage.OPPORTUNITY, deal_amount=Decimal(100), currency="EUR")
        add("e4", "Expo <Split>")
        add("e5", None, LeadSource.REFERRAL)


@pytest.mark.usefixtures("watch")
async def test_a_manager_sees_the_events_and_enters_a_cost(db, tg):
    people = await make_team(db, "Acme", 8100)
    await fair(db, people)
    boss = tg.person(people["manager"].telegram_user_id, "Maja")
    [listing] = sent(await boss.send("/events"))
    fair_line = msg(
        "<b>{name}</b>: {cards} · {qualified} · {opportunities} · {won}",
        name="Interliber 2026", cards=3, qualified="67%", opportunities=2, won=1,
    )  # fmt: skip
    assert fair_line + "; " + msg("worth {money}", money="€4,000") in listing.text
    expo = msg("<b>{name}</b>: {cards} · {qualified} · {opportunities} · {won}", name="Expo <Split>",
               cards=1, qualified="0%", opportunities=0, won=0)  # fmt: skip
    assert expo in listing.text and "Expo &lt;Split&gt;" in listing.text  # the name typed is escaped
    assert listing.text.index("Interliber") < listing.text.index("Expo")  # the most cards first
    assert "Secret" not in listing.text

    [saved] = sent(await boss.send("/events cost 2000 EUR INTERLIBER 2026"))
    assert saved.text == msg("Saved: {name} cost {amount}.", name="Interliber 2026", amount="€2,000")
    [listing] = sent(await boss.send("/events"))
    cost = msg("cost {cost}, {per} per won deal", cost="€2,000", per="€2,000")
    assert fair_line + "; " + msg("worth {money}", money="€4,000") + ", " + cost in listing.text
    [again] = sent(await boss.send("/events cost 300 Expo <Split>"))  # the team's currency; corrected later
    assert again.text == msg("Saved: {name} cost {amount}.", name="Expo <Split>", amount="€300")
    [symbol] = sent(await boss.send("/events cost 2.500 € Interliber 2026"))  # a symbol, a grouped amount
    assert symbol.text == msg("Saved: {name} cost {amount}.", name="Interliber 2026", amount="€2,500")
    sent(await boss.send("/events cost 2000 EUR INTERLIBER 2026"))
    sent(await boss.send("/events cost 450 USD expo <split>"))
    [listing] = sent(await boss.send("/events"))
    assert expo + "; " + msg("cost {cost}", cost="$450") in listing.text
    async with db.read(Scope.system()) as s:
        costs = (await s.exec(select(EventCost))).all()
    assert sorted((c.name_key, c.amount, c.currency) for c in costs) == [
        ("expo <split>", Decimal("450.00"), "USD"),
        ("interliber 2026", Decimal("2000.00"), "EUR"),
    ]


@pytest.mark.usefixtures("watch")
async def test_events_refused_to_reps_and_unknown_or_unreadable_costs(db, tg):
    people = await make_team(db, "Acme", 8200)
    rep = tg.person(people["rep1"].telegram_user_id, "Rita")
    [refusal] = sent(await rep.send("/events"))
    assert refusal.text == msg("Only the team's owner and managers see the events.")
    boss = tg.person(people["manager"].telegram_user_id, "Maja")
    [empty] = sent(await boss.send("/events"))
    assert empty.text == msg(
        "No record names an event yet. When you save a card, choose “Meeting or event” and type the event's name."
    )
    await fair(db, people)
    [unknown] = sent(await boss.send("/events cost 100 EUR Nowhere Fair"))
    assert unknown.text == msg(
        "No record names the event “{name}”. Send /events to see the names.", name="Nowhere Fair"
    )
    [usage] = sent(await boss.send("/events cost lots Expo"))
    assert usage.text == msg("A manager enters what an event cost: /events cost 2500 EUR Interliber 2026")
    async with db.read(Scope.system()) as s:
        assert (await s.exec(select(EventCost))).all() == []
