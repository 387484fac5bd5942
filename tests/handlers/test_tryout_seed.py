"""The try mode's seeded team, through the real handlers: the rep and the owner see the records at
once, the group answers /funnel, and a newcomer is a stranger."""

from __future__ import annotations

from collections import Counter

from bot.db import Scope
from bot.services import leads
from bot.tryout.seed import CAST, NEWCOMER_ID, OWNER_ID, REP_ID, seed
from tests.support import sent


async def test_the_seeded_team_shows_records_at_once(tg, db):
    await seed(db)
    expected = Counter(r.path[-1] for r in CAST.records)
    async with db.read(Scope.system()) as s:
        counts = await leads.stage_counts(s)
    assert {stage: n for stage, n in counts.items() if n} == dict(expected)

    ivan = tg.person(REP_ID, "Ivan")
    [listing] = sent(await ivan.send("/leads"))
    own = [r for r in CAST.records if r.owner == REP_ID]
    assert all(f"{r.first_name} {r.last_name}" in listing.text for r in own)
    assert "Jan Novák" not in listing.text  # the owner's record: not the rep's to see

    maja = tg.person(OWNER_ID, "Maja")
    [pipeline] = sent(await maja.send("/pipeline"))
    assert "€50,000" in pipeline.text  # the two open opportunities

    [chart] = sent(await maja.send("/funnel week", chat_id=CAST.group.chat_id), "sendPhoto")
    assert chart.params["chat_id"] == CAST.group.chat_id  # the team's group: linked, it answers

    [refusal] = sent(await tg.person(NEWCOMER_ID, "Ana").send("/start"))
    assert str(NEWCOMER_ID) in refusal.text
