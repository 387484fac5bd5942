"""Moving a record through the funnel: advance (with the deal details each stage needs), close as
won or lost, or go back a stage with a reason; and /pipeline.

A move that needs answers is a flow (`MoveFlow`): each answer is written with the flow's next
step, and the last one makes the move in the same transaction that ends the flow. Every rule is
checked again by the moves service when it writes."""

from __future__ import annotations

from telegram import Update

from bot import callbacks
from bot.context import BotContext
from bot.domain import moves as rules
from bot.domain import qualification as q
from bot.domain.dates import Ambiguous
from bot.flows import MoveFlow, MoveStep
from bot.presentation import moves as view
from bot.presentation.replies import edit, message_text, reply
from bot.services import flows, leads, moves, qualification
from models import Stage, funnel
from models.base import utcnow
from models.errors import N_, FunnelError, Reply, StaleButton

STAGES = tuple(stage.value for stage in Stage)


async def move_button(update: Update, context: BotContext) -> None:
    """A move under a record's card (or a qualification summary): make it, or ask its first question."""
    data = callbacks.button(update)
    lead_id, seen, to_stage = data.id(0), Stage(data.choice(1, STAGES)), Stage(data.choice(2, STAGES))
    async with context.read() as session:
        lead = await leads.get_visible(session, lead_id)
        settings = await qualification.settings_for(session, lead.team_id)
    funnel.check_seen(lead.stage, seen)
    step = rules.first_step(
        lead.stage, to_stage, score=lead.score, pass_mark=settings.pass_mark, is_manager=context.me.role.sees_team
    )
    if step is None:  # nothing to ask: the move is made now (any other flow stays as it is)
        direct = MoveFlow(step=MoveStep.REASON, lead=lead_id, from_stage=seen, to_stage=to_stage)
        await _move(update, context, direct, ends_flow=False)
        return
    query = update.callback_query
    message = query.message if query is not None else None
    flow = MoveFlow(
        step=step,
        lead=lead_id,
        from_stage=seen,
        to_stage=to_stage,
        chat_id=message.chat.id if message is not None else None,
        message_id=message.message_id if message is not None else None,
    )
    async with context.write() as session:
        await flows.begin(session, context.me, flow)
    await _answer(update)
    if step is MoveStep.LOST and query is not None:
        await edit(query, *view.lost_reasons(context.t, lead_id, seen))
    else:
        await reply(update, *view.prompt(context.t, step, lead))


async def lost_reason_button(update: Update, context: BotContext) -> None:
    """A lost reason picked: ask for an optional note."""
    data = callbacks.button(update)
    lead_id, code = data.id(0), data.choice(2, funnel.LOST_REASONS)
    flow = await _flow(context, lead_id)
    if flow.step is not MoveStep.LOST:
        raise StaleButton()
    await _advance(update, context, flow.model_copy(update={"lost_reason": code}))


async def quick_button(update: Update, context: BotContext) -> None:
    """The buttons under a prompt: a probability, "same amount", or Skip."""
    data = callbacks.button(update)
    lead_id, value = data.id(0), data.arg(1)
    flow = await _flow(context, lead_id)
    if flow.step is MoveStep.PROBABILITY and q.parse_probability(value) is not None:
        answered = flow.model_copy(update={"probability": q.parse_probability(value)})
    elif (flow.step is MoveStep.FINAL and value == view.SAME) or flow.step is MoveStep.LOST_NOTE:
        answered = flow  # the same amount stays; the note is skipped
    else:  # a button of another step: nothing to do
        if update.callback_query is not None:
            await update.callback_query.answer()
        return
    await _advance(update, context, answered)


async def on_text(update: Update, context: BotContext) -> None:
    """A typed answer: an amount, a probability, a close date, a reason or the lost note."""
    t = context.t
    text = message_text(update).strip()
    async with context.read() as session:
        flow = await flows.current_of(session, context.me, MoveFlow)
    if flow is None:
        raise StaleButton()
    if flow.step in (MoveStep.AMOUNT, MoveStep.FINAL):
        team = await context.team()
        amount = q.parse_amount(text, team.currency)
        if amount is None:
            raise Reply(t("I could not read that as an amount. Type digits, e.g. 12.500 EUR, 8000 or 20k."))
        answered = flow.model_copy(update={"amount": amount[0], "currency": amount[1]})
    elif flow.step is MoveStep.PROBABILITY:
        probability = q.parse_probability(text)
        if probability is None:
            raise Reply(t("A probability is a number from 0 to 100."))
        answered = flow.model_copy(update={"probability": probability})
    elif flow.step is MoveStep.CLOSE:
        when = await context.future_date(text)
        days = sorted({w.at.date() for w in when.options}) if isinstance(when, Ambiguous) else [when.at.date()]
        if len(days) > 1:  # "5/6": a date either way, but which?
            raise Reply(view.close_date_unclear(t, days))
        answered = flow.model_copy(update={"close": days[0]})
    elif flow.step in (MoveStep.REASON, MoveStep.LOST_NOTE):
        answered = flow.model_copy(update={"reason": text[:500]})
    else:  # the lost reason is a button
        raise FunnelError(N_("This move needs a reason."))
    await _advance(update, context, answered)


async def _flow(context: BotContext, lead_id: int) -> MoveFlow:
    """The move in progress for this record; a button of another (or no) move is stale."""
    async with context.read() as session:
        flow = await flows.current_of(session, context.me, MoveFlow)
    if flow is None or flow.lead != lead_id:
        raise StaleButton()
    return flow


async def _advance(update: Update, context: BotContext, flow: MoveFlow) -> None:
    """Keep the answer and ask the next question, or make the move when nothing is left."""
    step = rules.next_step(flow.step)
    if step is None:
        await _move(update, context, flow)
        return
    async with context.read() as session:
        lead = await leads.get_visible(session, flow.lead)
    async with context.write() as session:
        await flows.begin(session, context.me, flow.model_copy(update={"step": step}))
    await _answer(update)
    await reply(update, *view.prompt(context.t, step, lead))


async def _move(update: Update, context: BotContext, flow: MoveFlow, *, ends_flow: bool = True) -> None:
    """The move itself, with what was answered; the flow ends in the same transaction."""
    async with context.write() as session:
        if ends_flow:
            await flows.end(session, context.me)
        moved = await moves.move(
            session,
            flow.lead,
            flow.to_stage,
            seen=flow.from_stage,
            by=context.me,
            now=utcnow(),
            reason=flow.reason,
            amount=flow.amount,
            currency=flow.currency,
            probability=flow.probability,
            close_date=flow.close,
            lost_reason=flow.lost_reason,
        )
    await _answer(update)
    await reply(update, *view.moved(context.t, moved.lead))


async def _answer(update: Update) -> None:
    """The tapped button's answer, once the answer is known to be no refusal (after the write)."""
    if update.callback_query is not None:
        await update.callback_query.answer()


async def pipeline_command(update: Update, context: BotContext) -> None:
    """My funnel in one message (the team's for a manager)."""
    async with context.read() as session:
        result = await moves.pipeline(session)
    await reply(update, view.pipeline(context.t, result))
