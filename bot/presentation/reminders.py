"""Reminders as the rep sees them: the reminder message and its buttons, the morning brief, the
questions and confirmations of /remind, ⏰ Remind me and "Other time…", and the calendar file."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot import callbacks
from bot.domain.calendar import follow_up_event
from bot.domain.dates import When
from bot.i18n import Translator
from bot.presentation.labels import park_reason_name, short_label, stage_name, who
from bot.presentation.moments import moment, option_buttons, which_one
from bot.services.nudges import Brief, Section
from models import Activity, Lead, ParkReason, Reminder, ReminderKind

WORDS = "words"  # the snooze button that asks for a time in words (the others: `reminding.SNOOZES`)
OPEN_BUTTONS = 8  # records of the morning brief with an Open button
PICK_LABEL = 60  # characters of a record's name on a "which record?" button
CALENDAR_FILE = "follow-up.ics"
CALENDAR_SOONEST = timedelta(hours=1)  # an event for a reminder already due starts an hour from now


def _id(value: int | None) -> int:
    if value is None:
        raise ValueError("an unsaved row has no buttons")
    return value


# --- the reminder ------------------------------------------------------------------------------


def reminder_text(
    t: Translator, reminder: Reminder, lead: Lead | None, note: Activity | None, zone: str, late: bool
) -> str:
    """A follow-up or a reminder the rep set: who, which company, the stage, why, the last note."""
    lines = _about(t, reminder, lead)
    if reminder.kind is not ReminderKind.CUSTOM and reminder.reason in {r.value for r in ParkReason}:
        lines.append(t("Parked because: {reason}", reason=park_reason_name(t, ParkReason(reminder.reason))))
    if note is not None:
        lines.append(t("Last note: {note}", note=note.text[:300]))
    if late:
        lines.append(t("(It was due {date}; I could not send it then.)", date=moment(t, reminder.due_at, zone)))
    return "\n".join(lines)


def _about(t: Translator, reminder: Reminder, lead: Lead | None) -> list[str]:
    """What a reminder is about: its own text or "Follow-up due", and the record."""
    if reminder.kind is ReminderKind.CUSTOM:
        lines = [t("⏰ <b>Reminder</b>: {text}", text=reminder.reason or "")]
    else:
        lines = [t("⏰ <b>Follow-up due</b>")]
    if lead is not None:
        lines.append(
            t(
                "{name} ({company}), stage: {stage}",
                name=lead.full_name or "–",
                company=lead.company or "–",
                stage=stage_name(t, lead.stage),
            )
        )
    return lines


def reminder_buttons(t: Translator, reminder_id: int, lead_id: int | None) -> InlineKeyboardMarkup:
    """Done, the snoozes, Add to calendar, and the record."""
    rows = [
        [InlineKeyboardButton(t("✅ Done"), callback_data=callbacks.encode("rd", reminder_id))],
        [
            InlineKeyboardButton(t("1 hour"), callback_data=callbacks.encode("rs", reminder_id, "1h")),
            InlineKeyboardButton(t("Tomorrow 9:00"), callback_data=callbacks.encode("rs", reminder_id, "tomorrow")),
            InlineKeyboardButton(t("Next week"), callback_data=callbacks.encode("rs", reminder_id, "week")),
        ],
        [InlineKeyboardButton(t("⏰ Other time…"), callback_data=callbacks.encode("rs", reminder_id, WORDS))],
    ]
    last = [InlineKeyboardButton(t("📅 Add to calendar"), callback_data=callbacks.encode("rc", reminder_id))]
    if lead_id is not None:
        last.append(InlineKeyboardButton(t("Open the record"), callback_data=callbacks.encode("rec", lead_id)))
    rows.append(last)
    return InlineKeyboardMarkup(rows)


def done_text(t: Translator) -> str:
    return t("✅ Follow-up done and noted. What happens next? Advance, park again or close it here.")


def snoozed_text(t: Translator, until: datetime, zone: str, reminder: Reminder, lead: Lead | None) -> str:
    """The reminder's message once snoozed: still what it is about, and until when."""
    return "\n".join([*_about(t, reminder, lead), t("⏰ Snoozed until {date}.", date=moment(t, until, zone))])


def calendar_file(t: Translator, reminder: Reminder, lead: Lead | None, now: datetime) -> bytes:
    """An .ics event for the follow-up: at its time, or an hour from now when that has passed."""
    name = short_label(lead, t("Follow-up")) if lead is not None else t("Follow-up")
    return follow_up_event(
        uid=f"salesbot-reminder-{reminder.id}",
        title=t("Follow up: {name}", name=name),
        description=t("A follow-up from your sales assistant."),
        start=max(reminder.due_at, now + CALENDAR_SOONEST),
    )


def calendar_caption(t: Translator) -> str:
    return t("Open it to add the follow-up to your calendar.")


# --- setting one in words ----------------------------------------------------------------------


def remind_examples(t: Translator) -> str:
    return t("For example: /remind Ana next Friday 3pm call about the quote")


def when_examples(t: Translator) -> str:
    return t("Try for example: tomorrow 10am, Friday 15:00, in 3 days, end of month.")


def tell_me(t: Translator) -> str:
    """/remind with nothing after it."""
    return t("Tell me who, when and what.") + "\n" + remind_examples(t)


def too_long(t: Translator) -> str:
    return t("That is too long for a reminder. Keep it short; details belong in a note.")


def no_date(t: Translator) -> str:
    return t("I could not find a date in that. ") + when_examples(t)


def no_such_record(t: Translator, name: str) -> str:
    return t(
        "No record of yours matches “{name}”. Check the name with /find, or leave it out for a reminder of your own.",
        name=name,
    )


def already_passed(t: Translator, at: datetime, zone: str) -> str:
    return t("{date} has already passed. ", date=moment(t, at, zone)) + when_examples(t)


def ask_what(t: Translator, lead: Lead) -> str:
    """⏰ Remind me on a record's card."""
    return (
        t("When shall I remind you about {who}, and what about?", who=who(t, lead))
        + "\n"
        + t("For example: Friday 10:00 send the offer")
    )


def pick_record(t: Translator, nonce: str, matches: Sequence[Lead]) -> tuple[str, InlineKeyboardMarkup]:
    """Several records match the name: which one?"""
    rows = [
        [InlineKeyboardButton(who(t, lead)[:PICK_LABEL], callback_data=callbacks.encode("rmp", nonce, _id(lead.id)))]
        for lead in matches
    ]
    rows.append([InlineKeyboardButton(t("Cancel"), callback_data=callbacks.encode("rmx", nonce))])
    return t("Which record is it about?"), InlineKeyboardMarkup(rows)


def confirm(
    t: Translator, nonce: str, at: datetime, zone: str, text: str, lead: Lead | None, part: str | None = None
) -> tuple[str, InlineKeyboardMarkup]:
    """The moment shown back, with Set reminder / Cancel: nothing is saved before."""
    date = moment(t, at, zone, part)
    what = text or t("follow up")
    if lead is not None:
        question = t("Remind you on {date} about {who}: {what}?", date=date, who=who(t, lead), what=what)
    else:
        question = t("Remind you on {date}: {what}?", date=date, what=what)
    markup = InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(t("✅ Set reminder"), callback_data=callbacks.encode("rmy", nonce)),
                InlineKeyboardButton(t("Cancel"), callback_data=callbacks.encode("rmx", nonce)),
            ]
        ]
    )
    return question, markup


def confirm_options(
    t: Translator, nonce: str, options: Sequence[When], zone: str, text: str, lead: Lead | None
) -> tuple[str, InlineKeyboardMarkup]:
    """Two readings of the moment: one button each (tapping one sets the reminder), and Cancel."""
    what = text or t("follow up")
    about = t("Reminder about {who}: {what}", who=who(t, lead), what=what) if lead else t("Reminder: {what}", what=what)
    rows = option_buttons(t, options, zone, [callbacks.encode("rmy", nonce, i) for i in range(len(options))])
    rows.append([InlineKeyboardButton(t("Cancel"), callback_data=callbacks.encode("rmx", nonce))])
    return about + "\n" + which_one(t), InlineKeyboardMarkup(rows)


def reminder_set(t: Translator, at: datetime, zone: str, part: str | None = None) -> str:
    return t("⏰ Reminder set for {date}.", date=moment(t, at, zone, part))


def no_reminder(t: Translator) -> str:
    return t("No reminder set.")


def until_when(t: Translator) -> str:
    """ "Other time…" under a reminder."""
    return t("Until when? ") + when_examples(t)


def confirm_snooze(
    t: Translator, reminder_id: int, until: datetime, zone: str, part: str | None = None
) -> tuple[str, InlineKeyboardMarkup]:
    stamp = int(until.timestamp())
    markup = InlineKeyboardMarkup(
        [[InlineKeyboardButton(t("✅ Snooze until then"), callback_data=callbacks.encode("rz", reminder_id, stamp))]]
    )
    return t("Snooze until {date}?", date=moment(t, until, zone, part)), markup


def snooze_options(
    t: Translator, reminder_id: int, options: Sequence[When], zone: str
) -> tuple[str, InlineKeyboardMarkup]:
    """Two readings of a typed snooze time: one button each."""
    data = [callbacks.encode("rz", reminder_id, int(w.at.timestamp())) for w in options]
    return which_one(t), InlineKeyboardMarkup(option_buttons(t, options, zone, data))


def use_the_buttons(t: Translator) -> str:
    return t("Please use the buttons above, or /cancel.")


# --- the morning brief -------------------------------------------------------------------------


def brief_text(t: Translator, told: Brief, *, zone: str, now: datetime) -> str:
    """The morning brief, one section per kind of nudge."""
    lines = [t("☀️ <b>Good morning! Your day</b>")]

    def more(section: Section) -> None:
        if section.more:
            lines.append(t.plural("…and {n} more", "…and {n} more", section.more))

    def quiet_days(lead: Lead) -> int:
        since = lead.last_activity_at or lead.created_at
        return max(0, (now - since).days)

    def what(reminder: Reminder, lead: Lead | None) -> str:
        return who(t, lead) if lead is not None else (reminder.reason or t("Reminder"))

    if told.today:
        lines += ["", t("<b>Follow-ups today</b>")]
        for reminder, lead in told.today:
            lines.append(t("• {time} {what}", time=t.time(reminder.due_at, zone), what=what(reminder, lead)))
    if told.overdue:
        lines += ["", t("<b>Overdue</b>")]
        for reminder, lead in told.overdue:
            date = moment(t, reminder.due_at, zone)
            lines.append(t("• {date}: {what}", date=date, what=what(reminder, lead)))
    if told.stalled:
        lines += ["", t("<b>Gone quiet</b> (no activity for a while)")]
        for lead in told.stalled.items:
            # (Values first: Babel's extractor reads a plural call only with plain arguments.)
            days, named, stage = quiet_days(lead), who(t, lead), stage_name(t, lead.stage)
            lines.append(
                t.plural(
                    "• {who}, {stage}, quiet for {n} day", "• {who}, {stage}, quiet for {n} days", days,
                    who=named, stage=stage,
                )
            )  # fmt: skip
        more(told.stalled)
    if told.escalated:
        lines += ["", t("<b>Still quiet after a reminder</b> (your team)")]
        for lead in told.escalated.items:
            days, named, stage = quiet_days(lead), who(t, lead), stage_name(t, lead.stage)
            rep = told.owners.get(lead.owner_id, "–")
            lines.append(
                t.plural(
                    "• {who}, {stage}, quiet for {n} day, rep: {rep}",
                    "• {who}, {stage}, quiet for {n} days, rep: {rep}",
                    days, who=named, stage=stage, rep=rep,
                )
            )  # fmt: skip
        more(told.escalated)
    if told.past_close:
        lines += ["", t("<b>Past their expected close date</b>")]
        for lead in told.past_close.items:
            close = t.date(lead.expected_close_date) if lead.expected_close_date is not None else "–"
            lines.append(t("• {who}, close date {date}", who=who(t, lead), date=close))
        more(told.past_close)
    if told.birthdays:
        lines += ["", t("<b>Birthdays tomorrow</b> 🎂")]
        lines += [t("• {who}", who=who(t, lead)) for lead in told.birthdays.items]
        more(told.birthdays)
    return "\n".join(lines)


def brief_buttons(told: Brief) -> InlineKeyboardMarkup | None:
    """An Open button per record named (the first few), two to a row."""
    buttons = [
        InlineKeyboardButton(
            (lead.full_name or lead.company or "–")[:40], callback_data=callbacks.encode("rec", _id(lead.id))
        )
        for lead in told.leads()[:OPEN_BUTTONS]
    ]
    if not buttons:
        return None
    return InlineKeyboardMarkup([buttons[i : i + 2] for i in range(0, len(buttons), 2)])
