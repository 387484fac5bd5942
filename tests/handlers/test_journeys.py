"""Whole journeys through the real handlers: capture, qualify, advance, win; park; disqualify;
qualify, leave and resume; and the bad input along the way."""

from __future__ import annotations

from decimal import Decimal

from sqlmodel import select

from bot.db import Scope
from models import Lead, Stage, StageChange
from tests.support import ANA, make_team, owner, sent


def answer(calls):
    return [c for c in calls if c.method == "answerCallbackQuery"][0].params.get("text", "")


async def the_lead(db) -> Lead:
    async with db.begin(Scope.system()) as s:
        return (await s.exec(select(Lead))).one()


async def captured(person) -> list:
    [preview] = sent(await person.send(ANA))
    return sent(await person.tap(preview, "Save"), "editMessageText")


async def qualify(person, answers: list[str], calls: list) -> list:
    """Answer the questions in order, from the first question's calls: a button label, or text to type."""
    for reply in answers:
        question = sent(calls)[-1] if calls else None
        if question is not None and any(reply == b["text"] for b in question.buttons):
            calls = await person.tap(question, reply)
        else:
            calls = await person.send(reply)
    return calls


async def test_capture_qualify_prospect_opportunity_won(tg, db):
    olga = await owner(tg)
    [saved] = await captured(olga)
    calls = await olga.tap(saved, "Qualify now")
    assert sent(calls)[-1].text == "Does the company need what we sell?"
    calls = await qualify(olga, ["Yes", "Yes", "Yes"], calls)
    assert "When will they buy?" in sent(calls)[-1].text
    calls = await qualify(olga, ["in three months", "Yes", "20k"], calls)
    [summary] = sent(calls)
    assert "qualification score 100/100 (pass mark 60)" in summary.text and "advance it to prospect" in summary.text
    lead = await the_lead(db)
    assert lead.score == 100 and lead.estimated_value == Decimal("20000.00") and lead.qualification["timeline"] == "yes"

    calls = await olga.tap(summary, "Advance to prospect")
    assert "is now: prospect" in sent(calls)[0].text
    [card] = sent(await olga.press(f"1rec:{lead.id}"), "editMessageText")
    calls = await olga.tap(card, "➡️ opportunity")
    assert "Deal amount?" in sent(calls)[0].text
    assert "could not read that as an amount" in sent(await olga.send("ten grand"))[0].text
    [prob] = sent(await olga.send("50.000 EUR"))
    assert "A probability is a number" in sent(await olga.send("-10"))[0].text
    calls = await olga.tap(prob, "75%")
    assert "Expected close date?" in sent(calls)[0].text
    assert "could not read that as a future date" in sent(await olga.send("someday maybe"))[0].text
    calls = await olga.send("end of month")
    assert "is now: opportunity" in sent(calls)[0].text and "€50,000.00, 75% likely" in sent(calls)[0].text
    lead = await the_lead(db)
    assert (lead.stage, lead.deal_amount, lead.currency, lead.probability) == (
        Stage.OPPORTUNITY,
        Decimal("50000.00"),
        "EUR",
        75,
    )
    assert lead.expected_close_date is not None

    [card] = sent(await olga.press(f"1rec:{lead.id}"), "editMessageText")
    [final] = sent(await olga.tap(card, "🏆 Won"))
    calls = await olga.tap(final, "Same")
    assert "is now: customer" in sent(calls)[0].text
    lead = await the_lead(db)
    assert lead.stage is Stage.CUSTOMER and lead.closed_at is not None and lead.deal_amount == Decimal("50000.00")
    async with db.begin(Scope.system()) as s:
        moves = [(c.from_stage, c.to_stage) for c in (await s.exec(select(StageChange).order_by(StageChange.id))).all()]
    assert moves == [
        (None, Stage.LEAD),
        (Stage.LEAD, Stage.PROSPECT),
        (Stage.PROSPECT, Stage.OPPORTUNITY),
        (Stage.OPPORTUNITY, Stage.CUSTOMER),
    ]
    # the old "Won" button again: the record has moved since
    assert "moved since" in answer(await olga.tap(card, "🏆 Won"))


async def test_skipping_who_decides_moves_on(tg, db):
    olga = await owner(tg)
    [saved] = await captured(olga)
    calls = await olga.tap(saved, "Qualify now")
    calls = await qualify(olga, ["Yes", "Yes", "No", "Skip"], calls)
    assert sent(calls)[-1].text.startswith("When will they buy?")
    assert (await the_lead(db)).qualification["authority"] == "no"


async def test_capture_qualify_low_then_park(tg, db):
    olga = await owner(tg)
    await olga.press("1tz:set:Europe/Zagreb")
    [saved] = await captured(olga)
    calls = await olga.tap(saved, "Qualify now")
    calls = await qualify(olga, ["Yes", "No", "Not sure", "Not sure", "Skip", "Skip"], calls)
    [summary] = sent(calls)
    assert "budget: no (−25)" in summary.text and "park it until later" in summary.text
    [reasons] = sent(await olga.tap(summary, "⏸ Park"), "editMessageText")
    await olga.tap(reasons, "No budget now")
    [confirm] = sent(await olga.send("next tuesday 10am"))
    await olga.tap(confirm, "Park until then")
    lead = await the_lead(db)
    assert lead.parked and lead.stage is Stage.LEAD and lead.parked_until.weekday() == 1


async def test_capture_disqualify_with_a_reason(tg, db):
    olga = await owner(tg)
    [saved] = await captured(olga)
    calls = await olga.tap(saved, "Qualify now")
    [summary] = sent(await qualify(olga, ["No", "No", "Skip", "Skip", "No", "Skip"], calls))
    assert "disqualify it" in summary.text
    [reasons] = sent(await olga.tap(summary, "Disqualify"), "editMessageText")
    [note] = sent(await olga.tap(reasons, "Chose a competitor"))
    calls = await olga.send("went with the cheaper local supplier")
    assert "is now: lost" in sent(calls)[0].text
    lead = await the_lead(db)
    assert lead.stage is Stage.LOST and lead.lost_reason == "competitor"
    assert lead.lost_note == "went with the cheaper local supplier"


async def test_qualify_leave_and_resume_where_it_stopped(tg, db):
    olga = await owner(tg)
    [saved] = await captured(olga)
    calls = await olga.tap(saved, "Qualify now")
    await qualify(olga, ["Yes", "Not sure"], calls)
    await olga.send("/cancel")
    lead = await the_lead(db)
    calls = await olga.press(f"1qs:{lead.id}")
    assert sent(calls)[-1].text == "Is this contact the one who decides?"
    calls = await olga.tap(sent(calls)[-1], "No")
    assert "Who decides, then?" in sent(calls)[-1].text
    calls = await olga.send("Ivo, the CFO")
    assert sent(calls)[-1].text.startswith("When will they buy?")  # and on to the next question
    lead = await the_lead(db)
    assert lead.qualification["need"] == "yes" and lead.qualification["budget"] == "unsure"
    assert lead.qualification["decision_maker"] == "Ivo, the CFO"


async def test_reps_need_a_pass_to_advance_managers_override_with_a_reason(tg, db):
    team = await make_team(db, "T", 500)
    rep = tg.person(team["rep1"].telegram_user_id, "Rita")
    await captured(rep)
    lead = await the_lead(db)
    calls = await rep.press(f"1mv:{lead.id}:lead:prospect")
    assert "Qualification has not passed yet" in answer(calls)
    manager = tg.person(team["manager"].telegram_user_id, "Max")
    [why] = sent(await manager.press(f"1mv:{lead.id}:lead:prospect"))
    assert "Why?" in why.text
    calls = await manager.send("known buyer, met at the fair")
    assert "is now: prospect" in sent(calls)[0].text
    async with db.begin(Scope.system()) as s:
        change = (await s.exec(select(StageChange).where(StageChange.to_stage == Stage.PROSPECT))).one()
    assert change.reason == "known buyer, met at the fair" and change.member_id == team["manager"].id


async def test_forged_and_illegal_moves_are_refused(tg, db):
    olga = await owner(tg)
    await captured(olga)
    lead = await the_lead(db)
    assert "cannot move from this stage" in answer(await olga.press(f"1mv:{lead.id}:lead:customer"))
    other = await make_team(db, "B", 600)
    intruder = tg.person(other["manager"].telegram_user_id, "Eve")
    assert "not available to you" in answer(await intruder.press(f"1mv:{lead.id}:lead:lost"))
    assert "not available to you" in sent(await intruder.press(f"1qs:{lead.id}"))[0].text
    assert (await the_lead(db)).stage is Stage.LEAD


async def test_pipeline_in_one_message(tg):
    olga = await owner(tg)
    await captured(olga)
    [pipeline] = sent(await olga.send("/pipeline"))
    assert "<b>Pipeline</b>" in pipeline.text and "lead: 1" in pipeline.text and "0 parked" in pipeline.text


async def test_managers_change_the_team_criteria_reps_only_see_them(tg, db):
    team = await make_team(db, "T", 700)
    manager = tg.person(team["manager"].telegram_user_id, "Max")
    [view] = sent(await manager.send("/qualification"))
    assert "Pass mark: 60/100" in view.text and "budget: 25" in view.text
    calls = await manager.press("1qw:budget:-5")
    calls = await manager.press("1qw:pass:5")
    assert "Pass mark: 65/100" in sent(calls, "editMessageText")[0].text
    async with db.begin(Scope.system()) as s:
        from models import Team

        saved = (await s.exec(select(Team).where(Team.id == team["manager"].team_id))).one()
    assert saved.settings["qualification"] == {
        "weights": {"need": 25, "budget": 20, "authority": 20, "timeline": 15, "fit": 15},
        "pass_mark": 65,
    }
    rep = tg.person(team["rep1"].telegram_user_id, "Rita")
    [view] = sent(await rep.send("/qualification"))
    assert "Only a manager can change these." in view.text and not view.buttons
    assert "Only a manager" in answer(await rep.press("1qw:pass:5"))


async def test_moving_back_a_stage_needs_a_reason(tg, db):
    team = await make_team(db, "T", 900)
    manager = tg.person(team["manager"].telegram_user_id, "Max")
    await captured(manager)
    lead = await the_lead(db)
    await manager.press(f"1mv:{lead.id}:lead:prospect")
    await manager.send("strong referral")
    [card] = sent(await manager.press(f"1rec:{lead.id}"), "editMessageText")
    [why] = sent(await manager.tap(card, "⬅️ Back to lead"))
    assert "Why?" in why.text
    calls = await manager.send("budget frozen until spring")
    assert "is now: lead" in sent(calls)[0].text
    async with db.begin(Scope.system()) as s:
        back = (await s.exec(select(StageChange).where(StageChange.from_stage == Stage.PROSPECT))).one()
    assert back.to_stage is Stage.LEAD and back.reason == "budget frozen until spring"
