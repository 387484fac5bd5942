"""Moving a record through the funnel: advance (with the deal details each stage needs), close as
won or lost, or go back a stage with a reason. Every move goes through the funnel rules."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update

from bot import callbacks
from bot.context import BotContext
from bot.domain import qualification as q
from bot.i18n import N_
from bot.services import flows, leads
from bot.services import funnel as funnel_service
from handlers.common import edit, future_date, load_team, reply
from handlers.records import stage_name
from models import FlowState, Lead, Stage, funnel
from models.base import utcnow
from models.errors import DomainError

FLOW = "move"
LOST_NAMES = {
    "price": N_("Price"),
    "competitor": N_("Chose a competitor"),
    "no_decision": N_("No decision"),
    "no_budget": N_("No budget"),
    "timing": N_("Bad timing"),
    "other": N_("Other"),
}
PROMPTS = {
    "amount": N_("Deal amount? e.g. 12.500 EUR or 20k."),
    "prob": N_("Win probability in percent? Tap the default or type a number from 0 to 100."),
    "close": N_("Expected close date? In words: end of month, Q3, in six weeks."),
    "final": N_("Final amount of the deal?"),
    "reason": N_("Why? Type the reason for this move."),
    "lostnote": N_("Anything to add about why it was lost? Type it, or tap Skip."),
}


async def move_button(update: Update, context: BotContext) -> None:
    query = update.callback_query
    assert query is not None and context.member is not None and query.message is not None
    data = callbacks.parse(query.data)
    t = context.t
    lead_id, source, target = (data.int_arg(0), data.arg(1), data.arg(2)) if data else (None, "", "")
    if lead_id is None or target not in Stage.__members__.values():
        await query.answer(t("This button is no longer active. Please send the command again."), show_alert=True)
        return
    to_stage = Stage(target)
    team = await load_team(context)
    settings = funnel_service.settings_of(team.settings)
    try:
        async with context.db.begin(context.scope) as session:
            lead = await leads.get_visible(session, lead_id)
            if lead.stage.value != source:
                raise DomainError(N_("This record has moved since; open it again."))
            funnel.check_move(lead.stage, to_stage, reason="-")  # the reason is asked below when needed
            step = _first_step(lead, to_stage, settings, context.member.role.sees_team)
            if step == "refused":
                raise DomainError(
                    N_(
                        "Qualification has not passed yet (score {score}, pass mark {mark}). "
                        "Qualify it, or ask a manager to advance it."
                    ),
                    score=lead.score if lead.score is not None else "–",
                    mark=settings.pass_mark,
                )
            if step:
                await flows.start(
                    session,
                    context.member,
                    FLOW,
                    step=step,
                    data={"lead": lead_id, "from": source, "to": target},
                    chat_id=query.message.chat.id,
                    message_id=query.message.message_id,
                )
    except DomainError as exc:
        await query.answer(t(exc.message, **exc.params), show_alert=True)
        return
    await query.answer()
    if step is None:
        await _execute(update, context, lead_id, source, to_stage, {})
    elif step == "lost":
        rows = [
            [InlineKeyboardButton(t(label), callback_data=callbacks.encode("ml", lead_id, source, code))]
            for code, label in LOST_NAMES.items()
        ]
        await edit(query, t("Why was it lost?"), InlineKeyboardMarkup(rows))
    else:
        await _prompt(update, context, lead, step)


def _first_step(lead: Lead, to_stage: Stage, settings: q.Settings, is_manager: bool) -> str | None:
    if to_stage is Stage.LOST:
        return "lost"
    if funnel.needs_reason(lead.stage, to_stage):
        return "reason"
    if to_stage is Stage.PROSPECT:
        passed = lead.score is not None and lead.score >= settings.pass_mark
        return None if passed else ("reason" if is_manager else "refused")
    if to_stage is Stage.OPPORTUNITY:
        return "amount"
    if to_stage is Stage.CUSTOMER:
        return "final"
    return None


async def _prompt(update: Update, context: BotContext, lead: Lead, step: str) -> None:
    t = context.t
    rows = []
    if step == "prob":
        default = funnel.DEFAULT_PROBABILITY[Stage.OPPORTUNITY]
        rows = [
            [
                InlineKeyboardButton(t("{n}%", n=p), callback_data=callbacks.encode("mp", lead.id, p))
                for p in (25, default, 75)
            ]
        ]
    if step == "final" and lead.deal_amount is not None:
        rows = [
            [
                InlineKeyboardButton(
                    t("Same: {amount}", amount=t.money(lead.deal_amount, lead.currency or "EUR")),
                    callback_data=callbacks.encode("mp", lead.id, "same"),
                )
            ]
        ]
    if step == "lostnote":
        rows = [[InlineKeyboardButton(t("Skip"), callback_data=callbacks.encode("mp", lead.id, "skip"))]]
    await reply(update, t(PROMPTS[step]), InlineKeyboardMarkup(rows) if rows else None)


async def lost_reason_button(update: Update, context: BotContext) -> None:
    query = update.callback_query
    assert query is not None and context.member is not None
    data = callbacks.parse(query.data)
    lead_id, code = (data.int_arg(0), data.arg(2)) if data else (None, "")
    state = await _state(context)
    if state is None or lead_id != state.data.get("lead") or code not in LOST_NAMES:
        await query.answer(
            context.t("This button is no longer active. Please send the command again."), show_alert=True
        )
        return
    await query.answer()
    await _advance_state(update, context, state.data | {"lost_reason": code}, "lostnote")


async def _state(context: BotContext) -> FlowState | None:
    assert context.member is not None
    async with context.db.begin(context.scope) as session:
        state = await flows.get(session, context.member)
    return state if state is not None and state.flow == FLOW else None


async def _advance_state(update: Update, context: BotContext, data: dict, step: str | None) -> None:
    """Store what was answered and ask the next thing, or make the move when nothing is left."""
    assert context.member is not None
    if step is None:
        async with context.db.begin(context.scope) as session:
            await flows.clear(session, context.member)
        await _execute(update, context, int(data["lead"]), data["from"], Stage(data["to"]), data)
        return
    async with context.db.begin(context.scope) as session:
        await flows.start(session, context.member, FLOW, step=step, data=data)
        lead = await leads.get_visible(session, int(data["lead"]))
    await _prompt(update, context, lead, step)


NEXT_STEP = {"amount": "prob", "prob": "close", "close": None, "final": None, "reason": None, "lostnote": None}


async def quick_button(update: Update, context: BotContext) -> None:
    """The buttons under a prompt: a probability, "same amount", or Skip."""
    query = update.callback_query
    assert query is not None
    data = callbacks.parse(query.data)
    state = await _state(context)
    value = data.arg(1) if data else ""
    if state is None or (data.int_arg(0) if data else None) != state.data.get("lead"):
        await query.answer(
            context.t("This button is no longer active. Please send the command again."), show_alert=True
        )
        return
    await query.answer()
    step, extra = state.step, {}
    if step == "prob" and value.isdigit():
        extra = {"probability": int(value)}
    elif step == "final" and value == "same":
        extra = {"same": True}
    elif step != "lostnote":
        return
    await _advance_state(update, context, state.data | extra, NEXT_STEP[step])


async def on_text(update: Update, context: BotContext) -> None:
    message = update.effective_message
    assert message is not None and context.member is not None
    t = context.t
    text = (message.text or "").strip()
    state = await _state(context)
    assert state is not None
    step, data = state.step, dict(state.data)
    team = await load_team(context)
    if step in ("amount", "final"):
        parsed = q.parse_amount(text, team.currency)
        if parsed is None:
            await reply(update, t("I could not read that as an amount. Type digits, e.g. 12.500 EUR, 8000 or 20k."))
            return
        data |= {"amount": str(parsed[0]), "currency": parsed[1]}
    elif step == "prob":
        value = q.parse_probability(text)
        if value is None:
            await reply(update, t("A probability is a number from 0 to 100."))
            return
        data["probability"] = value
    elif step == "close":
        when = await future_date(update, context, text)
        if when is None:
            return
        data["close"] = when.at.date().isoformat()
    elif step in ("reason", "lostnote"):
        data["reason"] = text[:500]
    await _advance_state(update, context, data, NEXT_STEP.get(step))


async def _execute(update: Update, context: BotContext, lead_id: int, source: str, to_stage: Stage, data: dict) -> None:
    assert context.member is not None
    t = context.t
    try:
        async with context.db.begin(context.scope) as session:
            lead = await leads.get_visible(session, lead_id)
            if lead.stage.value != source:
                raise DomainError(N_("This record has moved since; open it again."))
            amount = Decimal(data["amount"]) if "amount" in data else None
            if data.get("same"):
                amount = lead.deal_amount
            reason = (
                data.get("reason")
                or data.get("lost_reason")
                or ("manager override" if to_stage is Stage.PROSPECT and lead.score is None else None)
            )
            await funnel_service.move(
                session,
                lead,
                to_stage,
                by=context.member,
                now=utcnow(),
                reason=reason,
                amount=amount,
                currency=data.get("currency") or lead.currency,
                probability=data.get("probability") if to_stage is Stage.OPPORTUNITY else None,
                close_date=date.fromisoformat(data["close"]) if "close" in data else None,
                lost_reason=data.get("lost_reason"),
            )
    except DomainError as exc:
        await reply(update, t(exc.message, **exc.params))
        return
    text = t(
        "<b>{name}</b> is now: {stage}.", name=lead.full_name or lead.company or "–", stage=stage_name(t, to_stage)
    )
    if to_stage is Stage.OPPORTUNITY and lead.deal_amount is not None:
        text += "\n" + t(
            "Deal: {amount}, {probability}% likely.",
            amount=t.money(lead.deal_amount, lead.currency or "EUR"),
            probability=lead.probability or 0,
        )
    markup = InlineKeyboardMarkup(
        [[InlineKeyboardButton(t("Open the record"), callback_data=callbacks.encode("rec", lead.id))]]
    )
    await reply(update, text, markup)


async def pipeline_command(update: Update, context: BotContext) -> None:
    """My funnel in one message (the team's for a manager)."""
    t = context.t
    async with context.db.begin(context.scope) as session:
        result = await funnel_service.pipeline(session)
    lines = [t("<b>Pipeline</b>")]
    for stage in (Stage.SUSPECT, Stage.LEAD, Stage.PROSPECT, Stage.OPPORTUNITY, Stage.CUSTOMER, Stage.LOST):
        lines.append(f"{stage_name(t, stage)}: {result.counts.get(stage, 0)}")
    for currency, value in sorted(result.open_value.items()):
        lines.append(
            t(
                "Open deals: {value}, weighted {weighted}",
                value=t.money(value, currency),
                weighted=t.money(result.weighted.get(currency, 0), currency),
            )
        )
    lines.append(t.plural("{n} parked", "{n} parked", result.parked))
    await reply(update, "\n".join(lines))
