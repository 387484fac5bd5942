"""Whole journeys through the real handlers: capture, qualify, advance, win; park; disqualify;
qualify, leave and resume; the pipeline; and the bad input along the way. Wording is checked
through catalogue ids; every update of these handlers writes once, never while talking to Telegram."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from sqlmodel import select

from bot.db import Scope
from bot.services import leads
from models import Lead, Member, ParkReason, Stage, StageChange
from models.base import utcnow
from tests.support import ANA, UnitOfWork, alert, catalogue, make_team, msg, owner, says, sent


@pytest.fixture(autouse=True)
def unit_of_work(tg):
    watch = UnitOfWork(tg)
    yield watch
    watch.restore()
    watch.check()


async def the_lead(db) -> Lead:
    async with db.read(Scope.system()) as s:
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


WHEN = "When will they buy? Type it in words (Q2, in three months, after the summer), or tap a button."


def is_now(call, stage: str, name: str = "Ana Kovačević") -> bool:
    return says(call, "<b>{name}</b> is now: {stage}.", name=name, stage=msg(stage))


async def test_capture_qualify_prospect_opportunity_won(tg, db):
    olga = await owner(tg)
    [saved] = await captured(olga)
    calls = await olga.tap(saved, "Qualify now")
    assert sent(calls)[-1].text == msg("Does the company need what we sell?")
    calls = await qualify(olga, ["Yes", "Yes", "Yes"], calls)
    assert says(sent(calls)[-1], WHEN)
    calls = await qualify(olga, ["in three months", "Yes", "20k"], calls)
    [summary] = sent(calls)
    assert says(
        summary,
        "<b>{name}</b>: qualification score {score}/100 (pass mark {mark}).",
        name="Ana Kovačević",
        score=100,
        mark=60,
    )
    assert says(summary, "My advice: advance it to prospect.")
    lead = await the_lead(db)
    assert lead.score == 100 and lead.estimated_value == Decimal("20000.00") and lead.qualification["timeline"] == "yes"

    calls = await olga.tap(summary, "Advance to prospect")
    assert is_now(sent(calls)[0], "prospect")
    [card] = sent(await olga.press(f"1rec:{lead.id}"), "editMessageText")
    calls = await olga.tap(card, "➡️ opportunity")
    assert says(sent(calls)[0], "Deal amount? e.g. 12.500 EUR or 20k.")
    refusal = "I could not read that as an amount. Type digits, e.g. 12.500 EUR, 8000 or 20k."
    assert says(sent(await olga.send("ten grand"))[0], refusal)
    [prob] = sent(await olga.send("50.000 EUR"))
    assert says(prob, "Win probability in percent? Tap the default or type a number from 0 to 100.")
    assert says(sent(await olga.send("-10"))[0], "A probability is a number from 0 to 100.")
    calls = await olga.tap(prob, "75%")
    assert says(sent(calls)[0], "Expected close date? In words: end of month, Q3, in six weeks.")
    assert says(sent(await olga.send("someday maybe"))[0], "I could not read that as a future date. ")
    calls = await olga.send("end of month")
    assert is_now(sent(calls)[0], "opportunity")
    assert "€50,000, 75% likely" in sent(calls)[0].text
    lead = await the_lead(db)
    assert (lead.stage, lead.deal_amount, lead.currency, lead.probability) == (
        Stage.OPPORTUNITY,
        Decimal("50000.00"),
        "EUR",
        75,
    )
    assert lead.expected_close_date is not None
    close = msg("Expected close: {date}", date=catalogue().day(lead.expected_close_date))
    assert close in sent(calls)[0].text  # the typed date is said back
    [card] = sent(await olga.press(f"1rec:{lead.id}"), "editMessageText")
    assert close in card.text  # and shown on the card

    [card] = sent(await olga.press(f"1rec:{lead.id}"), "editMessageText")
    [final] = sent(await olga.tap(card, "🏆 Won"))
    assert says(final, "Final amount of the deal?")
    calls = await olga.tap(final, "Same")
    assert is_now(sent(calls)[0], "customer")
    lead = await the_lead(db)
    assert lead.stage is Stage.CUSTOMER and lead.closed_at is not None and lead.deal_amount == Decimal("50000.00")
    async with db.read(Scope.system()) as s:
        moves = [(c.from_stage, c.to_stage) for c in (await s.exec(select(StageChange).order_by(StageChange.id))).all()]
    assert moves == [
        (None, Stage.LEAD),
        (Stage.LEAD, Stage.PROSPECT),
        (Stage.PROSPECT, Stage.OPPORTUNITY),
        (Stage.OPPORTUNITY, Stage.CUSTOMER),
    ]
    # the old "Won" button again: the record has moved since, and nothing moves twice
    assert alert(await olga.tap(card, "🏆 Won")) == msg("This record has moved since; open it again.")
    assert alert(await olga.tap(final, "Same")) == msg(
        "This button is no longer active. Please send the command again."
    )
    assert (await the_lead(db)).stage is Stage.CUSTOMER


async def test_skipping_who_decides_moves_on(tg, db):
    olga = await owner(tg)
    [saved] = await captured(olga)
    calls = await olga.tap(saved, "Qualify now")
    calls = await qualify(olga, ["Yes", "Yes", "No", "Skip"], calls)
    assert says(sent(calls)[-1], WHEN)
    assert (await the_lead(db)).qualification["authority"] == "no"


async def test_a_timeline_beyond_six_months_is_not_sure(tg, db):
    olga = await owner(tg)
    [saved] = await captured(olga)
    calls = await olga.tap(saved, "Qualify now")
    calls = await qualify(olga, ["Yes", "Yes", "Yes", "in ten months"], calls)
    assert says(sent(calls)[-1], "Does the company fit our ideal customer profile?")
    lead = await the_lead(db)
    assert lead.qualification["timeline"] == "unsure" and "timeline_at" in lead.qualification


async def test_an_old_question_button_was_already_answered(tg, db):
    olga = await owner(tg)
    [saved] = await captured(olga)
    calls = await olga.tap(saved, "Qualify now")
    [need] = sent(calls)
    await olga.tap(need, "Yes")
    calls = await olga.tap(need, "No")  # tapped again: the flow is at the next question
    answers = [c for c in calls if c.method == "answerCallbackQuery"]
    assert answers[0].params["text"] == msg("That question was already answered.")
    assert not answers[0].params.get("show_alert")
    assert (await the_lead(db)).qualification == {"need": "yes"}
    assert says(sent(await olga.send("maybe"))[0], "Please use the buttons under the question, or /cancel.")


async def test_capture_qualify_low_then_park(tg, db):
    olga = await owner(tg)
    await olga.press("1tz:set:Europe/Zagreb")
    [saved] = await captured(olga)
    calls = await olga.tap(saved, "Qualify now")
    calls = await qualify(olga, ["Yes", "No", "Not sure", "Not sure", "Skip", "Skip"], calls)
    [summary] = sent(calls)
    assert says(summary, "– {criterion}: {answer} (−{points})", criterion=msg("budget"), answer=msg("no"), points=25)
    assert says(summary, "My advice: park it until later.")
    [reasons] = sent(await olga.tap(summary, "⏸ Park"), "editMessageText")
    assert says(reasons, "Why is it parked?")
    await olga.tap(reasons, msg("No budget now"))
    [confirm] = sent(await olga.send("next tuesday 10am"))
    await olga.tap(confirm, "Park until then")
    lead = await the_lead(db)
    assert lead.parked and lead.stage is Stage.LEAD and lead.parked_until.weekday() == 1


async def test_capture_disqualify_with_a_reason(tg, db):
    olga = await owner(tg)
    [saved] = await captured(olga)
    calls = await olga.tap(saved, "Qualify now")
    [summary] = sent(await qualify(olga, ["No", "No", "Skip", "Skip", "No", "Skip"], calls))
    assert says(summary, "My advice: disqualify it.")
    [reasons] = sent(await olga.tap(summary, "Disqualify"), "editMessageText")
    assert says(reasons, "Why was it lost?")
    [note] = sent(await olga.tap(reasons, msg("Chose a competitor")))
    assert says(note, "Anything to add about why it was lost? Type it, or tap Skip.")
    calls = await olga.send("went with the cheaper local supplier")
    assert is_now(sent(calls)[0], "lost")
    lead = await the_lead(db)
    # The reason is the code (the team summary counts codes); the rep's words are the note.
    assert lead.stage is Stage.LOST and lead.lost_reason == "competitor"
    assert lead.lost_note == "went with the cheaper local supplier"


async def test_lost_with_the_note_skipped(tg, db):
    olga = await owner(tg)
    await captured(olga)
    lead = await the_lead(db)
    [reasons] = sent(await olga.press(f"1mv:{lead.id}:lead:lost"), "editMessageText")
    [note] = sent(await olga.tap(reasons, msg("Price")))
    calls = await olga.tap(note, "Skip")
    assert is_now(sent(calls)[0], "lost")
    lead = await the_lead(db)
    assert (lead.lost_reason, lead.lost_note) == ("price", None)
    async with db.read(Scope.system()) as s:
        change = (await s.exec(select(StageChange).where(StageChange.to_stage == Stage.LOST))).one()
    assert change.reason == "price"


async def test_qualify_leave_and_resume_where_it_stopped(tg, db):
    olga = await owner(tg)
    [saved] = await captured(olga)
    calls = await olga.tap(saved, "Qualify now")
    await qualify(olga, ["Yes", "Not sure"], calls)
    await olga.send("/cancel")
    lead = await the_lead(db)
    calls = await olga.press(f"1qs:{lead.id}")
    assert sent(calls)[-1].text == msg("Is this contact the one who decides?")
    calls = await olga.tap(sent(calls)[-1], "No")
    assert says(sent(calls)[-1], "Who decides, then? Type a name or a role, or tap Skip.")
    calls = await olga.send("Ivo, the CFO")
    # and on to the next question
    assert says(sent(calls)[-1], WHEN)
    lead = await the_lead(db)
    assert lead.qualification["need"] == "yes" and lead.qualification["budget"] == "unsure"
    assert lead.qualification["decision_maker"] == "Ivo, the CFO"


async def test_reps_need_a_pass_to_advance_managers_override_with_a_reason(tg, db):
    team = await make_team(db, "T", 500)
    rep = tg.person(team["rep1"].telegram_user_id, "Rita")
    await captured(rep)
    lead = await the_lead(db)
    calls = await rep.press(f"1mv:{lead.id}:lead:prospect")
    assert says(
        alert(calls),
        "Qualification has not passed yet (score {score}, pass mark {mark}). "
        "Qualify it, or ask a manager to advance it.",
        score="–",
        mark=60,
    )
    manager = tg.person(team["manager"].telegram_user_id, "Max")
    [why] = sent(await manager.press(f"1mv:{lead.id}:lead:prospect"))
    assert says(why, "Why? Type the reason for this move.")
    calls = await manager.send("known buyer, met at the fair")
    assert is_now(sent(calls)[0], "prospect")
    async with db.read(Scope.system()) as s:
        change = (await s.exec(select(StageChange).where(StageChange.to_stage == Stage.PROSPECT))).one()
    assert change.reason == "known buyer, met at the fair" and change.member_id == team["manager"].id


async def test_a_rep_advances_a_qualified_lead_at_once(tg, db):
    team = await make_team(db, "T", 550)
    rep = tg.person(team["rep1"].telegram_user_id, "Rita")
    await captured(rep)
    lead = await the_lead(db)
    async with db.begin(Scope.system()) as s:
        row = (await s.exec(select(Lead))).one()
        row.score = 70
        s.add(row)
    calls = await rep.press(f"1mv:{lead.id}:lead:prospect")
    assert is_now(sent(calls)[0], "prospect")
    assert [c.method for c in calls] == ["answerCallbackQuery", "sendMessage"]  # the tap answered, once
    assert (await the_lead(db)).stage is Stage.PROSPECT


async def test_forged_and_illegal_moves_are_refused(tg, db):
    olga = await owner(tg)
    await captured(olga)
    lead = await the_lead(db)
    cannot = msg("A record cannot move from this stage to that one.")
    assert alert(await olga.press(f"1mv:{lead.id}:lead:customer")) == cannot
    assert alert(await olga.press(f"1mv:{lead.id}:prospect:lead")) == msg("This record has moved since; open it again.")
    stale = msg("This button is no longer active. Please send the command again.")
    assert alert(await olga.press(f"1mv:{lead.id}:lead:moon")) == stale
    assert alert(await olga.press("1mv:x:lead:lost")) == stale
    other = await make_team(db, "B", 600)
    intruder = tg.person(other["manager"].telegram_user_id, "Eve")
    hidden = msg("That record is not available to you.")
    assert alert(await intruder.press(f"1mv:{lead.id}:lead:lost")) == hidden
    calls = await intruder.press(f"1qs:{lead.id}")
    assert alert(calls) == hidden and sent(calls) == []
    assert (await the_lead(db)).stage is Stage.LEAD


async def test_pipeline_counts_and_values(tg, db):
    team = await make_team(db, "T", 650)
    manager, rep1, rep2 = team["manager"], team["rep1"], team["rep2"]

    async def record(
        owner: Member, name: str, stage: Stage, amount: str | None = None, currency: str = "EUR", probability: int = 0
    ) -> None:
        async with db.begin(Scope.of(owner)) as s:
            row = await leads.create_lead(s, owner, now=utcnow(), stage=stage, first_name=name)
            if amount is not None:
                row.deal_amount, row.currency, row.probability = Decimal(amount), currency, probability
                s.add(row)
            if name == "Parked":
                await leads.park(s, row, ParkReason.NOT_READY, utcnow() + timedelta(days=7), by=owner, now=utcnow())

    await record(rep1, "Sam", Stage.SUSPECT)
    await record(rep1, "Lea", Stage.LEAD)
    await record(rep1, "Parked", Stage.LEAD)
    await record(rep1, "Pia", Stage.PROSPECT, "1000", probability=20)
    await record(rep1, "Olli", Stage.OPPORTUNITY, "10000", probability=50)
    await record(rep1, "Usha", Stage.OPPORTUNITY, "2000", "USD", probability=75)
    await record(rep2, "Otto", Stage.OPPORTUNITY, "4000", probability=25)
    await record(rep2, "Cora", Stage.CUSTOMER, "9999", probability=100)  # won: not an open deal
    await record(rep2, "Lou", Stage.LOST, "5555")  # lost: neither

    def open_deals(value: str, weighted: str, currency: str = "EUR") -> str:
        t = catalogue()
        return msg(
            "Open deals: {value}, weighted {weighted}",
            value=t.money(Decimal(value), currency),
            weighted=t.money(Decimal(weighted), currency),
        )

    def shows(text: str, counts: dict[str, int]) -> None:
        lines = text.split("\n")
        assert lines[0] == msg("<b>Pipeline</b>")
        assert lines[1:7] == [f"{msg(stage)}: {n}" for stage, n in counts.items()]

    # A manager sees the team: open deals are lead, prospect and opportunity; won and lost are not.
    [team_view] = sent(await tg.person(manager.telegram_user_id, "Max").send("/pipeline"))
    shows(team_view.text, {"suspect": 1, "lead": 2, "prospect": 1, "opportunity": 3, "customer": 1, "lost": 1})
    assert open_deals("15000", "6200") in team_view.text and open_deals("2000", "1500", "USD") in team_view.text
    assert team_view.text.split("\n")[-1] == msg("{n} parked", n=1)

    # A rep sees their own.
    [own] = sent(await tg.person(rep2.telegram_user_id, "Rob").send("/pipeline"))
    shows(own.text, {"suspect": 0, "lead": 0, "prospect": 0, "opportunity": 1, "customer": 1, "lost": 1})
    assert open_deals("4000", "1000") in own.text
    assert "USD" not in own.text and "$" not in own.text
    assert own.text.split("\n")[-1] == msg("{n} parked", n=0)


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
    assert "Only a manager" in alert(await rep.press("1qw:pass:5"))


async def test_moving_back_a_stage_needs_a_reason(tg, db):
    team = await make_team(db, "T", 900)
    manager = tg.person(team["manager"].telegram_user_id, "Max")
    await captured(manager)
    lead = await the_lead(db)
    await manager.press(f"1mv:{lead.id}:lead:prospect")
    await manager.send("strong referral")
    [card] = sent(await manager.press(f"1rec:{lead.id}"), "editMessageText")
    [why] = sent(await manager.tap(card, "⬅️ Back to lead"))
    assert says(why, "Why? Type the reason for this move.")
    calls = await manager.send("budget frozen until spring")
    assert is_now(sent(calls)[0], "lead")
    async with db.read(Scope.system()) as s:
        back = (await s.exec(select(StageChange).where(StageChange.from_stage == Stage.PROSPECT))).one()
    assert back.to_stage is Stage.LEAD and back.reason == "budget frozen until spring"
