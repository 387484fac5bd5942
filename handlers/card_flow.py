"""The card preview's buttons (save, edit, merge, discard), typed corrections, /new answers,
and the lead's source after saving."""

from __future__ import annotations

from telegram import Update

from bot import callbacks
from bot.context import BotContext
from bot.domain.cards import Card, email_error, normalise_email, normalise_phone
from bot.i18n import N_, Translator
from bot.presentation import keyboards
from bot.services import capture, flows, leads
from handlers.capture import FIELD_LABELS, FLOW, GUIDED, ask_text, on_text, render_preview
from handlers.common import edit, load_team, reply
from models import FlowState, Lead, LeadSource
from models.base import utcnow
from models.errors import DomainError

SOURCE_FLOW = "srcdetail"
SOURCE_LABELS = {
    LeadSource.MEETING: N_("Meeting or event"),
    LeadSource.REFERRAL: N_("Referral"),
    LeadSource.COLD_CALL: N_("Cold call"),
    LeadSource.BOUGHT_LIST: N_("Bought list"),
    LeadSource.LINKEDIN: N_("LinkedIn"),
    LeadSource.WEBSITE: N_("Website"),
    LeadSource.OTHER: N_("Other"),
}


def _sources(t: Translator) -> dict[str, str]:
    return {code.value: t(label) for code, label in SOURCE_LABELS.items()}


def saved_text(t: Translator, lead: Lead, merged: bool = False) -> str:
    head = (
        t("Merged into <b>{name}</b> ({company}).", name=lead.full_name or "–", company=lead.company or "–")
        if merged
        else t("Saved <b>{name}</b> ({company}) as a lead.", name=lead.full_name or "–", company=lead.company or "–")
    )
    return "\n\n".join(
        [
            head,
            t("Where did this lead come from? Then qualify it now (a few questions, under a minute) or later."),
        ]
    )


async def _draft(context: BotContext, nonce: str) -> FlowState | None:
    assert context.member is not None
    async with context.db.begin(context.scope) as session:
        state = await flows.get(session, context.member)
    if state is None or state.flow != FLOW or state.data.get("nonce") != nonce:
        return None
    return state


async def on_card_button(update: Update, context: BotContext) -> None:
    query = update.callback_query
    assert query is not None and context.member is not None
    data = callbacks.parse(query.data)
    assert data is not None
    t = context.t
    state = await _draft(context, data.arg(0))
    if state is None:
        await query.answer(t("This card was already saved or discarded."), show_alert=True)
        return
    action, card = data.arg(1), Card.from_dict(state.data["card"])
    nonce = state.data["nonce"]
    await query.answer()
    if action == "discard":
        async with context.db.begin(context.scope) as session:
            await flows.clear(session, context.member)
        await edit(query, t("Discarded. Nothing was saved."))
    elif action in ("save", "merge"):
        await _save(update, context, card, merge_into=state.data.get("dup") if action == "merge" else None)
    elif action == "edit":
        await edit(query, render_preview(t, card, None), keyboards.card_fields(t, nonce, _labels(t)))
    elif action == "field":
        field = data.arg(2)
        if field not in FIELD_LABELS:
            return
        await _set_step(context, state, f"edit:{field}")
        await edit(
            query,
            t("<b>{field}</b>: send the new value, or - to clear it. /cancel stops.", field=t(FIELD_LABELS[field])),
        )
    elif action == "skip":
        await _guided_next(update, context, state, card)
    else:  # back
        await _set_step(context, state, "preview")
        await _show_preview(update, context, state, card)


def _labels(t: Translator) -> dict[str, str]:
    return {name: t(label) for name, label in FIELD_LABELS.items()}


async def _set_step(context: BotContext, state: FlowState, step: str, card: Card | None = None) -> None:
    assert context.member is not None
    async with context.db.begin(context.scope) as session:
        data = dict(state.data)
        if card is not None:
            data["card"] = card.to_dict()
        await flows.start(
            session, context.member, FLOW, step=step, data=data, chat_id=state.chat_id, message_id=state.message_id
        )
    state.step, state.data = step, data


async def _show_preview(update: Update, context: BotContext, state: FlowState, card: Card) -> None:
    assert context.member is not None
    async with context.db.begin(capture.team_wide(context.member)) as session:
        duplicate = await capture.find_duplicate(session, card)
    state.data["dup"] = duplicate.id if duplicate else None
    await _set_step(context, state, "preview", card)
    await update.get_bot().edit_message_text(
        render_preview(context.t, card, duplicate),
        chat_id=state.chat_id,
        message_id=state.message_id,
        reply_markup=keyboards.card_preview(context.t, state.data["nonce"], duplicate=duplicate is not None),
    )


async def _save(update: Update, context: BotContext, card: Card, merge_into: int | None) -> None:
    query = update.callback_query
    assert query is not None and context.member is not None
    now = utcnow()
    try:
        async with context.db.begin(context.scope) as session:
            if merge_into is not None:
                lead = await capture.merge_card(
                    session, await leads.get_visible(session, merge_into), card, by=context.member, now=now
                )
            else:
                lead = await capture.save_card(session, context.member, card, now=now)
            await flows.clear(session, context.member)
    except DomainError as exc:  # merging into a record this member may not change
        await query.answer(context.t(exc.message, **exc.params), show_alert=True)
        return
    assert lead.id is not None
    await edit(
        query,
        saved_text(context.t, lead, merged=merge_into is not None),
        keyboards.lead_saved(context.t, lead.id, _sources(context.t), lead.source.value if lead.source else None),
    )


async def on_card_text(update: Update, context: BotContext) -> None:
    """A typed value: a correction from Edit, or an answer during /new."""
    message = update.effective_message
    assert message is not None and context.member is not None
    async with context.db.begin(context.scope) as session:
        state = await flows.get(session, context.member)
    assert state is not None
    card = Card.from_dict(state.data["card"])
    kind, _, field = state.step.partition(":")
    value = (message.text or "").strip()
    if kind not in ("edit", "new") or field not in FIELD_LABELS:
        await on_text(update, context)  # not answering a question: it is the next card
        return
    region = capture.phone_region(await load_team(context), context.member)
    error = apply_value(context.t, card, field, value, region)
    if error:
        await reply(update, error)
        return
    if kind == "new":
        await _guided_next(update, context, state, card)
    else:
        await _show_preview(update, context, state, card)


def apply_value(t: Translator, card: Card, field: str, value: str, region: str | None) -> str | None:
    """Set one field from typed text; the reason it was refused, or None."""
    if value == "-":
        setattr(card, field if field != "name" else "first_name", [] if field in ("emails", "phones") else None)
        if field == "name":
            card.last_name = None
        return None
    if len(value) > 300:
        return t("That is too long for this field.")
    if field == "name":
        words = value.split()
        card.first_name = " ".join(words[:-1]) or words[0]
        card.last_name = words[-1] if len(words) > 1 else None
    elif field == "emails":
        found = []
        for raw in value.replace(";", ",").split(","):
            problem = email_error(raw)
            if problem:
                return t("That e-mail address does not work: {reason}", reason=problem)
            found.append(normalise_email(raw))
        card.emails = [e for e in found if e]
    elif field == "phones":
        found = []
        for raw in value.replace(";", ",").split(","):
            phone = normalise_phone(raw, region)
            if phone is None:
                return t(
                    "I cannot read {value} as a phone number. Include the country code, e.g. +385 91 234 5678.",
                    value=raw.strip(),
                )
            found.append(phone)
        card.phones = found
    else:
        setattr(card, field, value)
    return None


async def _guided_next(update: Update, context: BotContext, state: FlowState, card: Card) -> None:
    _, _, field = state.step.partition(":")
    following = GUIDED[GUIDED.index(field) + 1] if field in GUIDED and field != GUIDED[-1] else None
    if following is None or state.step.startswith("edit"):
        if card.is_empty:
            await _set_step(context, state, f"new:{GUIDED[0]}", card)
            await reply(update, context.t("A lead needs at least a name, a company, an e-mail or a phone."))
            return
        await _show_preview(update, context, state, card)
        return
    await _set_step(context, state, f"new:{following}", card)
    await update.get_bot().edit_message_text(
        ask_text(context.t, following),
        chat_id=state.chat_id,
        message_id=state.message_id,
        reply_markup=keyboards.skip(context.t, state.data["nonce"]),
    )


async def on_source_button(update: Update, context: BotContext) -> None:
    query = update.callback_query
    assert query is not None and context.member is not None and query.message is not None
    data = callbacks.parse(query.data)
    lead_id = data.int_arg(0) if data else None
    code = data.arg(1) if data else ""
    t = context.t
    try:
        if lead_id is None:
            raise DomainError(N_("That record is not available to you."))
        async with context.db.begin(context.scope) as session:
            lead = await leads.get_visible(session, lead_id)
            if code == "detail":
                await flows.start(
                    session,
                    context.member,
                    SOURCE_FLOW,
                    data={"lead": lead_id},
                    chat_id=query.message.chat.id,
                    message_id=query.message.message_id,
                )
            elif code in {s.value for s in LeadSource}:
                lead.source = LeadSource(code)
                session.add(lead)
    except DomainError as exc:
        await query.answer(t(exc.message, **exc.params), show_alert=True)
        return
    if code == "detail":
        await query.answer()
        await reply(update, t("Type the event's name or where you met (e.g. Sales Summit Zagreb)."))
        return
    await query.answer(t("Source saved."))
    await edit(query, saved_text(t, lead), keyboards.lead_saved(t, lead_id, _sources(t), code))


async def on_source_text(update: Update, context: BotContext) -> None:
    message = update.effective_message
    assert message is not None and context.member is not None
    detail = (message.text or "").strip()[:200]
    async with context.db.begin(context.scope) as session:
        state = await flows.get(session, context.member)
        assert state is not None
        try:
            lead = await leads.get_visible(session, int(state.data.get("lead", 0)))
        except DomainError as exc:
            await reply(update, context.t(exc.message, **exc.params))
            return
        lead.source_detail = detail
        session.add(lead)
        await flows.clear(session, context.member)
    await reply(update, context.t("Noted: {detail}.", detail=detail))
