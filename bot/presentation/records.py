"""A record as the rep sees it: its card (fields, notes, recent history) and its buttons; the
lists of records (/leads, /find); notes, the birthday and parking."""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from datetime import date, datetime

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot import callbacks
from bot.domain.dates import UNKNOWN_YEAR, When
from bot.domain.forwards import chat_link
from bot.i18n import Safe, Translator
from bot.presentation.labels import NOTE_KINDS, PARK_REASONS, short_label, stage_name
from bot.presentation.moments import moment, option_buttons, which_one
from models import Activity, ActivityKind, HistoryEvent, Lead, ParkReason, Stage, StageChange, funnel

PAGE = 8  # records per page of /leads
SHOWN_POINTS = 5  # e-mails (and phones) listed on a record's card; the rest are counted


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
    if lead.expected_close_date is not None and not lead.stage.is_closed:
        lines.append(t("Expected close: {date}", date=t.day(lead.expected_close_date)))
    if lead.parked and lead.parked_until is not None:
        lines.append(t("Parked until {date}", date=moment(t, lead.parked_until, zone)))
    if lead.birthday is not None:
        lines.append(t("Birthday: {date}", date=birthday(t, lead.birthday)))
    for email in lead.emails[:SHOWN_POINTS]:
        lines.append(t("Email: {email}", email=email))
    for phone in lead.phones[:SHOWN_POINTS]:
        lines.append(t("Phone: {phone}", phone=phone))
    link = chat_link(lead.telegram_id, lead.telegram_username)
    if link is not None:  # the rep writes to the contact in one tap
        href = Safe(html.escape(link, quote=True))
        lines.append(
            t('Telegram: @{username} – <a href="{link}">Open chat</a>', username=lead.telegram_username, link=href)
            if lead.telegram_username
            else t('Telegram: <a href="{link}">Open chat</a>', link=href)
        )
    hidden = max(0, len(lead.emails) - SHOWN_POINTS) + max(0, len(lead.phones) - SHOWN_POINTS)
    if hidden:  # all of them are in the record's vCard and in exports
        lines.append(
            t.plural(
                "…and {n} more e-mail address or phone number (all of them are in the record's vCard).",
                "…and {n} more e-mail addresses and phone numbers (all of them are in the record's vCard).",
                hidden,
            )
        )
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
                else t("handed over: {who}", who=change.reason or "–")
                if change.event is HistoryEvent.HANDED_OVER
                else stage_name(t, change.to_stage)
            )
            lines.append(t("{date} – {what}", date=t.date(change.at.date(), "short"), what=what))
    return "\n".join(lines)


def move_buttons(t: Translator, lead: Lead) -> list[list[InlineKeyboardButton]]:
    """The moves the funnel allows from the record's stage, as buttons."""
    row: list[InlineKeyboardButton] = []
    back: list[InlineKeyboardButton] = []
    for target in funnel.allowed_moves(lead.stage):
        data = callbacks.encode("mv", record_id(lead), lead.stage.value, target.value)
        if target is Stage.LOST:
            row.append(InlineKeyboardButton(t("✖ Lost"), callback_data=data))
        elif funnel.is_backward(lead.stage, target):
            back.append(InlineKeyboardButton(t("⬅️ Back to {stage}", stage=stage_name(t, target)), callback_data=data))
        else:
            label = t("🏆 Won") if target is Stage.CUSTOMER else t("➡️ {stage}", stage=stage_name(t, target))
            row.insert(0, InlineKeyboardButton(label, callback_data=data))
    return [r for r in (row, back) if r]


def card_buttons(t: Translator, lead: Lead) -> InlineKeyboardMarkup:
    """Under a record's card: the allowed moves, then note, birthday, park, remind, qualify; then
    vCard, data report and delete above the actions (whoever sees a record may delete it: its owner or a manager)."""
    lead_id = record_id(lead)
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
    rows.append(
        [
            InlineKeyboardButton(t("👤 vCard"), callback_data=callbacks.encode("xvc", lead_id)),
            InlineKeyboardButton(t("📄 Data report"), callback_data=callbacks.encode("xrep", lead_id)),
            InlineKeyboardButton(t("🗑 Delete"), callback_data=callbacks.encode("xdel", lead_id)),
        ]
    )
    rows.append(actions)
    rows.append([InlineKeyboardButton(t("« My records"), callback_data=callbacks.encode("ls", 0))])
    return InlineKeyboardMarkup(rows)


def opened(
    t: Translator, lead: Lead, zone: str, notes: Sequence[Activity], history: Sequence[StageChange]
) -> tuple[str, InlineKeyboardMarkup]:
    """The card of the record just opened: what typed text does now, and its buttons."""
    text = render_card(t, lead, zone, notes, history)
    text += "\n\n" + t("Anything you type now is saved as a note on this record. /cancel closes it.")
    return text, card_buttons(t, lead)


def label(lead: Lead) -> str:
    """A record in a list or on a button (its code when it has no name and no company)."""
    return short_label(lead, lead.code)


def _record_buttons(leads: Sequence[Lead]) -> list[list[InlineKeyboardButton]]:
    return [
        [InlineKeyboardButton(label(lead)[:60], callback_data=callbacks.encode("rec", record_id(lead)))]
        for lead in leads
    ]


def listing(
    t: Translator, counts: Mapping[Stage, int], rows: Sequence[Lead], offset: int, *, by_value: bool = False
) -> tuple[str, InlineKeyboardMarkup | None]:
    """A page of /leads: the counts per stage, then the page's records (parked ones with their
    date), a button per record, the paging buttons, and the button that orders by value (or by
    stage again)."""
    total = sum(counts.values())
    if not total:
        return t("No records yet. Send me a business card to add the first one."), None
    lines = [t.plural("<b>{n} record</b>", "<b>{n} records</b>", total)]
    lines += [t("{stage}: {n}", stage=stage_name(t, s), n=counts[s]) for s in funnel.BROWSE_ORDER if counts.get(s)]
    lines.append("")
    for lead in rows:
        parked = (
            t(" (parked until {date})", date=t.date(lead.parked_until.date(), "short"))
            if lead.parked and lead.parked_until
            else ""
        )
        lines.append(t("{stage} – {name}{parked}", stage=stage_name(t, lead.stage), name=label(lead), parked=parked))
    order = "v" if by_value else "s"
    paging = []
    if offset > 0:
        paging.append(
            InlineKeyboardButton(t("« Previous"), callback_data=callbacks.encode("ls", max(0, offset - PAGE), order))
        )
    if offset + PAGE < total:
        paging.append(InlineKeyboardButton(t("Next »"), callback_data=callbacks.encode("ls", offset + PAGE, order)))
    toggle = InlineKeyboardButton(
        t("Order by stage") if by_value else t("💰 Most valuable first"),
        callback_data=callbacks.encode("ls", 0, "s" if by_value else "v"),
    )
    buttons = _record_buttons(rows)
    return "\n".join(lines), InlineKeyboardMarkup([*buttons, *([paging] if paging else []), [toggle]])


def found(t: Translator, words: str, rows: Sequence[Lead]) -> tuple[str, InlineKeyboardMarkup | None]:
    """What /find found: a button per record."""
    if not rows:
        return t("Nothing found for “{words}”.", words=words), None
    return t.plural("Found {n} record:", "Found {n} records:", len(rows)), InlineKeyboardMarkup(_record_buttons(rows))


def note_saved(t: Translator, lead: Lead, note: Activity) -> tuple[str, InlineKeyboardMarkup]:
    """A note saved: which record, and buttons to mark it as an objection or a question."""
    if note.id is None:
        raise ValueError("an unsaved note has no buttons")
    note_id = note.id
    markup = InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(t(name), callback_data=callbacks.encode("nk", note_id, kind.value))
                for kind, name in NOTE_KINDS.items()
            ]
        ]
    )
    return t("Note saved on {name}. Was it an objection or a question?", name=label(lead)), markup


def note_marked(t: Translator, kind: ActivityKind) -> tuple[str, str]:
    """The answer under the tapped button and the note's message afterwards."""
    name = t(NOTE_KINDS[kind])
    return t("Marked as {kind}.", kind=name.lower()), t("Note saved as: {kind}.", kind=name)


def birthday(t: Translator, day: date) -> str:
    """A birthday as the rep typed it: without the year when they did not know it."""
    return t.day_month(day) if day.year == UNKNOWN_YEAR else t.date(day, "long")


def park_reasons(t: Translator, lead_id: int) -> tuple[str, InlineKeyboardMarkup]:
    """⏸ Park: why, as buttons, and the way back to the card."""
    rows = [
        [InlineKeyboardButton(t(name), callback_data=callbacks.encode("pr", lead_id, reason.value))]
        for reason, name in PARK_REASONS.items()
    ]
    rows.append([InlineKeyboardButton(t("« Back"), callback_data=callbacks.encode("rec", lead_id))])
    return t("Why is it parked?"), InlineKeyboardMarkup(rows)


def park_until_question(t: Translator) -> str:
    return t("Until when? For example: next Tuesday 10am, in two weeks, end of month, Q2.")


def park_confirm(
    t: Translator, lead_id: int, reason: ParkReason, until: datetime, zone: str, part: str | None = None
) -> tuple[str, InlineKeyboardMarkup]:
    """The follow-up time shown back as a concrete date before anything is saved."""
    stamp = int(until.timestamp())
    markup = InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    t("✅ Park until then"), callback_data=callbacks.encode("py", lead_id, reason.value, stamp)
                )
            ],
            [InlineKeyboardButton(t("Change the date"), callback_data=callbacks.encode("pr", lead_id, reason.value))],
        ]
    )
    return t("Park until {date}?", date=moment(t, until, zone, part)), markup


def park_options(
    t: Translator, lead_id: int, reason: ParkReason, options: Sequence[When], zone: str
) -> tuple[str, InlineKeyboardMarkup]:
    """Two readings of the typed date: one "park until" button each, and Change the date."""
    data = [callbacks.encode("py", lead_id, reason.value, int(w.at.timestamp())) for w in options]
    rows = option_buttons(t, options, zone, data)
    rows.append(
        [InlineKeyboardButton(t("Change the date"), callback_data=callbacks.encode("pr", lead_id, reason.value))]
    )
    return which_one(t), InlineKeyboardMarkup(rows)


def parked(t: Translator, until: datetime, zone: str) -> str:
    return t("Parked until {date}. I will remind you then.", date=moment(t, until, zone))


def card_not_note(t: Translator) -> str:
    """After a pasted card while a record was open: it was read as a new card, not as a note."""
    return t(
        "That looks like a business card, so I read it as a new card, not as a note. "
        "To keep it as a note instead, send /note and the text."
    )


def open_button(t: Translator, lead: Lead) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(t("Open the record"), callback_data=callbacks.encode("rec", record_id(lead)))]]
    )


def record_id(lead: Lead) -> int:
    if lead.id is None:
        raise ValueError("an unsaved record has no buttons")
    return lead.id
