"""A record as the rep sees it: its card (fields, notes, recent history) and its buttons."""

from __future__ import annotations

from collections.abc import Sequence

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot import callbacks
from bot.domain.dates import UNKNOWN_YEAR
from bot.i18n import Translator
from bot.presentation.labels import NOTE_KINDS, stage_name
from models import Activity, HistoryEvent, Lead, Stage, StageChange, funnel


def render_card(
    t: Translator,
    lead: Lead,
    zone: str,
    notes: Sequence[Activity] | None = None,
    history: Sequence[StageChange] | None = None,
) -> str:
    lines = [t("<b>{name}</b>", name=lead.full_name or t("(no name)"))]
    if lead.job_title or lead.company:
        lines.append(t("{title} at {company}", title=lead.job_title or "–", company=lead.company or "–"))
    lines.append(t("Stage: {stage}", stage=stage_name(t, lead.stage)))
    if lead.score is not None:
        lines.append(t("Qualification score: {score}/100", score=lead.score))
    if lead.deal_amount is not None:
        lines.append(
            t(
                "Deal: {amount}, {probability}% likely.",
                amount=t.money(lead.deal_amount, lead.currency or "EUR"),
                probability=lead.probability or 0,
            )
        )
    if lead.parked and lead.parked_until is not None:
        lines.append(t("Parked until {date}", date=t.datetime(lead.parked_until, zone, "short")))
    if lead.birthday is not None:
        shown = t.day_month(lead.birthday) if lead.birthday.year == UNKNOWN_YEAR else t.date(lead.birthday, "long")
        lines.append(t("Birthday: {date}", date=shown))
    for email in lead.emails:
        lines.append(t("Email: {email}", email=email))
    for phone in lead.phones:
        lines.append(t("Phone: {phone}", phone=phone))
    if notes:
        lines += ["", t("<b>Notes</b>")]
        for note in notes:
            mark = f"{t(NOTE_KINDS[note.kind])}: " if note.kind in NOTE_KINDS else ""
            lines.append(t("{date} – {text}", date=t.date(note.at.date(), "short"), text=mark + note.text[:200]))
    if history:
        lines += ["", t("<b>History</b>")]
        for change in history:
            what = (
                t("parked")
                if change.event is HistoryEvent.PARKED
                else t("unparked")
                if change.event is HistoryEvent.UNPARKED
                else stage_name(t, change.to_stage)
            )
            lines.append(t("{date} – {what}", date=t.date(change.at.date(), "short"), what=what))
    return "\n".join(lines)


def move_buttons(t: Translator, lead: Lead) -> list[list[InlineKeyboardButton]]:
    """The moves the funnel allows from the record's stage, as buttons."""
    row: list[InlineKeyboardButton] = []
    back: list[InlineKeyboardButton] = []
    for target in funnel.allowed_moves(lead.stage):
        data = callbacks.encode("mv", _id(lead), lead.stage.value, target.value)
        if target is Stage.LOST:
            row.append(InlineKeyboardButton(t("✖ Lost"), callback_data=data))
        elif funnel.is_backward(lead.stage, target):
            back.append(InlineKeyboardButton(t("⬅️ Back to {stage}", stage=stage_name(t, target)), callback_data=data))
        else:
            label = t("🏆 Won") if target is Stage.CUSTOMER else t("➡️ {stage}", stage=stage_name(t, target))
            row.insert(0, InlineKeyboardButton(label, callback_data=data))
    return [r for r in (row, back) if r]


def card_buttons(t: Translator, lead: Lead) -> InlineKeyboardMarkup:
    """Under a record's card: the allowed moves, then note, birthday, park, remind, qualify."""
    lead_id = _id(lead)
    rows = move_buttons(t, lead)
    actions = [
        InlineKeyboardButton(t("📝 Note"), callback_data=callbacks.encode("note", lead_id)),
        InlineKeyboardButton(t("🎂 Birthday"), callback_data=callbacks.encode("bday", lead_id)),
    ]
    if not lead.stage.is_closed:
        actions.append(InlineKeyboardButton(t("⏸ Park"), callback_data=callbacks.encode("pk", lead_id)))
    actions.append(InlineKeyboardButton(t("⏰ Remind me"), callback_data=callbacks.encode("rmn", lead_id)))
    if lead.stage in (Stage.SUSPECT, Stage.LEAD, Stage.PROSPECT):
        actions.insert(0, InlineKeyboardButton(t("✅ Qualify"), callback_data=callbacks.encode("qs", lead_id)))
    rows.append(actions)
    rows.append([InlineKeyboardButton(t("« My records"), callback_data=callbacks.encode("ls", 0))])
    return InlineKeyboardMarkup(rows)


def open_button(t: Translator, lead: Lead) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(t("Open the record"), callback_data=callbacks.encode("rec", _id(lead)))]]
    )


def _id(lead: Lead) -> int:
    if lead.id is None:
        raise ValueError("an unsaved record has no buttons")
    return lead.id
