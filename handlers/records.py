"""Opening one record: from a button (`1rec:<id>`) or a deep link (`/start r-<code>`)."""

from __future__ import annotations

from telegram import Update

from bot import callbacks
from bot.context import BotContext
from bot.i18n import N_, Translator
from bot.services import leads
from handlers.common import edit, reply
from models import Lead, Stage
from models.errors import DomainError

LINK_PREFIX = "r-"

STAGE_NAMES = {
    Stage.SUSPECT: N_("suspect"),
    Stage.LEAD: N_("lead"),
    Stage.PROSPECT: N_("prospect"),
    Stage.OPPORTUNITY: N_("opportunity"),
    Stage.CUSTOMER: N_("customer"),
    Stage.LOST: N_("lost"),
}


def stage_name(t: Translator, stage: Stage) -> str:
    return t(STAGE_NAMES[stage])


def render_card(t: Translator, lead: Lead, zone: str) -> str:
    lines = [t("<b>{name}</b>", name=lead.full_name or t("(no name)"))]
    if lead.job_title or lead.company:
        lines.append(t("{title} at {company}", title=lead.job_title or "–", company=lead.company or "–"))
    lines.append(t("Stage: {stage}", stage=stage_name(t, lead.stage)))
    if lead.parked and lead.parked_until is not None:
        lines.append(t("Parked until {date}", date=t.datetime(lead.parked_until, zone, "short")))
    for email in lead.emails:
        lines.append(t("Email: {email}", email=email))
    for phone in lead.phones:
        lines.append(t("Phone: {phone}", phone=phone))
    return "\n".join(lines)


async def open_button(update: Update, context: BotContext) -> None:
    query = update.callback_query
    assert query is not None
    data = callbacks.parse(query.data)
    lead_id = data.int_arg(0) if data else None
    try:
        if lead_id is None:
            raise DomainError(N_("That record is not available to you."))
        async with context.db.begin(context.scope) as session:
            lead = await leads.get_visible(session, lead_id)
    except DomainError as exc:
        await query.answer(context.t(exc.message, **exc.params), show_alert=True)
        return
    await query.answer()
    await edit(query, render_card(context.t, lead, context.tz()))


async def open_link(update: Update, context: BotContext, code: str) -> None:
    try:
        async with context.db.begin(context.scope) as session:
            lead = await leads.by_code(session, code)
    except DomainError as exc:
        await reply(update, context.t(exc.message, **exc.params))
        return
    await reply(update, render_card(context.t, lead, context.tz()))
