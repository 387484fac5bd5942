"""Qualification: a few short questions with buttons, resumable, ending in a score with its reasons
and a recommendation (advance, park, disqualify) that the rep decides on.

Each answer is one update: read the record, work out the next question, send it, then write the
answer and the flow (with the question's message) together; the last answer writes the score."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from telegram import Update

from bot import callbacks
from bot.context import BotContext
from bot.domain import qualification as q
from bot.domain.dates import Ambiguous
from bot.flows import QualifyFlow
from bot.presentation import qualification as view
from bot.presentation.moves import close_date_unclear
from bot.presentation.records import record_id
from bot.presentation.replies import message_text, reply
from bot.services import flows, leads, qualification
from models import Lead
from models.base import utcnow
from models.errors import Reply


@dataclass(frozen=True)
class Answer:
    key: q.QuestionKey
    answer: str
    extra: Mapping[str, Any] = field(default_factory=dict)
    estimate: tuple[Decimal, str] | None = None  # the deal value typed for "value"


async def _record(context: BotContext, lead_id: int) -> tuple[Lead, q.Settings]:
    async with context.read() as session:
        lead = await leads.get_visible(session, lead_id)
        settings = await qualification.settings_for(session, lead.team_id)
    return lead, settings


async def start_button(update: Update, context: BotContext) -> None:
    """✅ Qualify on a record: start, or resume at the first unanswered question."""
    lead, settings = await _record(context, callbacks.button(update).id(0))
    if update.callback_query is not None:
        await update.callback_query.answer()
    await _proceed(update, context, lead, settings, None)


async def answer_button(update: Update, context: BotContext) -> None:
    """Yes / No / Not sure / Skip under the question being asked."""
    data = callbacks.button(update)
    lead_id, key = data.id(0), data.choice(1, q.QUESTION_KEYS)
    answer = data.choice(2, q.button_answers(key))
    async with context.read() as session:
        flow = await flows.current_of(session, context.me, QualifyFlow)
    query = update.callback_query
    if flow is None or flow.lead != lead_id or flow.question != key:
        if query is not None:
            await query.answer(context.t("That question was already answered."), show_alert=False)
        return
    lead, settings = await _record(context, lead_id)
    if query is not None:
        await query.answer()
        await query.edit_message_reply_markup(reply_markup=None)
    await _proceed(update, context, lead, settings, Answer(flow.question, answer))


async def on_text(update: Update, context: BotContext) -> None:
    """A typed answer: the timeline in words, the value, or who decides."""
    t = context.t
    text = message_text(update).strip()
    async with context.read() as session:
        flow = await flows.current_of(session, context.me, QualifyFlow)
    if flow is None or flow.question not in (q.Criterion.TIMELINE.value, q.VALUE, q.WHO):
        raise Reply(t("Please use the buttons under the question, or /cancel."))
    if flow.question == q.Criterion.TIMELINE.value:
        when = await context.future_date(text)
        if isinstance(when, Ambiguous):  # a timeline is coarse: the hour does not matter, the day does
            if len({w.at.date() for w in when.options}) > 1:
                raise Reply(close_date_unclear(t, sorted({w.at.date() for w in when.options})))
            when = when.options[0]
        given = Answer(flow.question, q.timeline_answer(when.at, utcnow()), {"timeline_at": when.at.isoformat()})
    elif flow.question == q.VALUE:
        team = await context.team()
        amount = q.parse_amount(text, team.currency)
        if amount is None:
            raise Reply(t("I could not read that as an amount. Type digits, e.g. 12.500 EUR, 8000 or 20k."))
        given = Answer(flow.question, q.GIVEN, estimate=amount)
    else:
        given = Answer(flow.question, q.GIVEN, {"decision_maker": text[:200]})
    lead, settings = await _record(context, flow.lead)
    await _proceed(update, context, lead, settings, given)


async def _proceed(update: Update, context: BotContext, lead: Lead, settings: q.Settings, given: Answer | None) -> None:
    """Record `given` (if any) and ask what comes next (its message is kept with the flow), or
    score the record when nothing is left and show the summary."""
    t = context.t
    lead_id = record_id(lead)
    answers = lead.qualification or {}
    if given is None:
        key = q.next_question(answers, settings)
    else:
        answers = q.with_answer(answers, given.key, given.answer, **given.extra)
        key = q.question_after(answers, settings, given.key, given.answer)
    prompt = await reply(update, *view.question(t, lead_id, key)) if key is not None else None
    async with context.write() as session:
        if given is not None:
            lead = await qualification.record_answer(
                session, lead_id, given.key, given.answer, extra=given.extra, estimate=given.estimate
            )
        if prompt is not None and key is not None:
            flow = QualifyFlow(lead=lead_id, question=key, chat_id=prompt.chat_id, message_id=prompt.message_id)
            await flows.begin(session, context.me, flow)
            return
        if given is None:
            lead = await leads.get_visible(session, lead_id)
        result = qualification.finish(lead, settings, utcnow())
        session.add(lead)
        await flows.end(session, context.me)
    await reply(update, *view.finished(t, lead, result, settings))
