"""Qualification: a few short questions with buttons, resumable, ending in a score with its reasons
and a recommendation (advance, park, disqualify) that the rep decides on."""

from __future__ import annotations

from datetime import timedelta

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update

from bot import callbacks
from bot.context import BotContext
from bot.domain import qualification as q
from bot.i18n import N_, Translator
from bot.services import flows, leads
from bot.services import funnel as funnel_service
from handlers.common import future_date, load_team, reply
from models import Lead, Stage
from models.base import utcnow
from models.errors import DomainError

FLOW = "qual"
QUESTIONS = {
    "need": N_("Does the company need what we sell?"),
    "budget": N_("Can they afford it: is there a budget?"),
    "authority": N_("Is this contact the one who decides?"),
    "timeline": N_("When will they buy? Type it in words (Q2, in three months, after the summer), or tap a button."),
    "fit": N_("Does the company fit our ideal customer profile?"),
    "value": N_("What could the deal be worth? Type an amount, e.g. 12.500 EUR or 20k, or tap Skip."),
    "who": N_("Who decides, then? Type a name or a role, or tap Skip."),
}
CRITERION_NAMES = {
    "need": N_("need"),
    "budget": N_("budget"),
    "authority": N_("decision maker"),
    "timeline": N_("timeline"),
    "fit": N_("ideal customer fit"),
}
ANSWER_NAMES = {q.NO: N_("no"), q.UNSURE: N_("not sure"), None: N_("not answered"), "skip": N_("not answered")}
TEXT_STEPS = ("timeline", "value", "who")


def _keyboard(t: Translator, lead_id: int, key: str) -> InlineKeyboardMarkup:
    def button(label: str, answer: str) -> InlineKeyboardButton:
        return InlineKeyboardButton(label, callback_data=callbacks.encode("qa", lead_id, key, answer))

    if key in ("value", "who"):
        return InlineKeyboardMarkup([[button(t("Skip"), "skip")]])
    if key == "timeline":
        return InlineKeyboardMarkup([[button(t("Not sure"), q.UNSURE), button(t("Skip"), "skip")]])
    return InlineKeyboardMarkup(
        [[button(t("Yes"), q.YES), button(t("No"), q.NO), button(t("Not sure"), q.UNSURE)], [button(t("Skip"), "skip")]]
    )


def summary(t: Translator, lead: Lead, result: q.Score, settings: q.Settings) -> str:
    lines = [
        t(
            "<b>{name}</b>: qualification score {score}/100 (pass mark {mark}).",
            name=lead.full_name or lead.company or "–",
            score=result.value,
            mark=settings.pass_mark,
        )
    ]
    for criterion, answer, points in result.shortfalls:
        lines.append(
            t(
                "– {criterion}: {answer} (−{points})",
                criterion=t(CRITERION_NAMES[criterion.value]),
                answer=t(ANSWER_NAMES.get(answer, ANSWER_NAMES[None])),
                points=points,
            )
        )
    advice = {
        "advance": N_("My advice: advance it to prospect."),
        "park": N_("My advice: park it until later."),
        "disqualify": N_("My advice: disqualify it."),
    }[result.recommendation]
    lines += ["", t(advice), t("You decide:")]
    return "\n".join(lines)


def decision_buttons(t: Translator, lead: Lead) -> InlineKeyboardMarkup:
    rows = [
        [
            InlineKeyboardButton(
                t("➡️ Advance to prospect"), callback_data=callbacks.encode("mv", lead.id, "lead", "prospect")
            )
        ],
        [
            InlineKeyboardButton(t("⏸ Park"), callback_data=callbacks.encode("pk", lead.id)),
            InlineKeyboardButton(
                t("✖ Disqualify"), callback_data=callbacks.encode("mv", lead.id, lead.stage.value, "lost")
            ),
        ],
        [InlineKeyboardButton(t("Decide later"), callback_data=callbacks.encode("rec", lead.id))],
    ]
    return InlineKeyboardMarkup(rows if lead.stage is Stage.LEAD else rows[1:])


async def start_button(update: Update, context: BotContext) -> None:
    """✅ Qualify on a record: start, or resume where it stopped."""
    query = update.callback_query
    assert query is not None
    data = callbacks.parse(query.data)
    await query.answer()
    await _ask_next(update, context, (data.int_arg(0) if data else None) or 0)


async def _ask_next(update: Update, context: BotContext, lead_id: int) -> None:
    assert context.member is not None and update.effective_chat is not None
    t = context.t
    team = await load_team(context)
    settings = funnel_service.settings_of(team.settings)
    now = utcnow()
    try:
        async with context.db.begin(context.scope) as session:
            lead = await leads.get_visible(session, lead_id)
            key = funnel_service.next_question(lead, settings)
            if key is None:
                result = funnel_service.finish(lead, settings, now)
                session.add(lead)
                await flows.clear(session, context.member)
    except DomainError as exc:
        await reply(update, t(exc.message, **exc.params))
        return
    if key is None:
        await reply(update, summary(t, lead, result, settings), decision_buttons(t, lead))
        return
    message = await reply(update, t(QUESTIONS[key]), _keyboard(t, lead_id, key))
    async with context.db.begin(context.scope) as session:
        await flows.start(
            session,
            context.member,
            FLOW,
            step=key,
            data={"lead": lead_id, "q": key},
            chat_id=update.effective_chat.id,
            message_id=message.message_id,
        )


async def answer_button(update: Update, context: BotContext) -> None:
    query = update.callback_query
    assert query is not None and context.member is not None
    data = callbacks.parse(query.data)
    lead_id, key, answer = (data.int_arg(0), data.arg(1), data.arg(2)) if data else (None, "", "")
    async with context.db.begin(context.scope) as session:
        state = await flows.get(session, context.member)
    if lead_id is None or state is None or state.flow != FLOW or state.data.get("q") != key:
        await query.answer(context.t("That question was already answered."), show_alert=False)
        return
    await query.answer()
    await query.edit_message_reply_markup(reply_markup=None)
    await _save(update, context, lead_id, key, answer)


async def _save(update: Update, context: BotContext, lead_id: int, key: str, answer: str, **extra: object) -> None:
    assert context.member is not None
    try:
        async with context.db.begin(context.scope) as session:
            lead = await leads.get_visible(session, lead_id)
            if key == "who":
                funnel_service.record_answer(lead, "authority", lead.qualification.get("authority", q.NO), **extra)
            else:
                funnel_service.record_answer(lead, key, answer, **extra)
            session.add(lead)
            if key == "authority" and answer == q.NO:
                await flows.start(session, context.member, FLOW, step="who", data={"lead": lead_id, "q": "who"})
    except DomainError as exc:
        await reply(update, context.t(exc.message, **exc.params))
        return
    if key == "authority" and answer == q.NO:
        who = "who"
        await reply(update, context.t(QUESTIONS[who]), _keyboard(context.t, lead_id, who))
        return
    await _ask_next(update, context, lead_id)


async def on_text(update: Update, context: BotContext) -> None:
    """A typed answer: the timeline in words, the value, or who decides."""
    message = update.effective_message
    assert message is not None and context.member is not None
    t = context.t
    text = (message.text or "").strip()
    async with context.db.begin(context.scope) as session:
        state = await flows.get(session, context.member)
    assert state is not None
    key, lead_id = state.data.get("q"), int(state.data["lead"])
    if key == "timeline":
        when = await future_date(update, context, text)
        if when is None:
            return
        soon = when.at - utcnow() <= timedelta(days=183)
        await _save(update, context, lead_id, "timeline", q.YES if soon else q.UNSURE, timeline_at=when.at.isoformat())
    elif key == "value":
        team = await load_team(context)
        parsed = q.parse_amount(text, team.currency)
        if parsed is None:
            await reply(update, t("I could not read that as an amount. Type digits, e.g. 12.500 EUR, 8000 or 20k."))
            return
        async with context.db.begin(context.scope) as session:
            lead = await leads.get_visible(session, lead_id)
            lead.estimated_value, lead.estimated_currency = parsed
            session.add(lead)
        await _save(update, context, lead_id, "value", "given")
    elif key == "who":
        await _save(update, context, lead_id, "who", "given", decision_maker=text[:200])
    else:
        await reply(update, t("Please use the buttons under the question, or /cancel."))
