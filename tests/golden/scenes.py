"""The messages a rep reads most, rendered in one language with a woman's and a man's name and
fixed dates, for the golden files beside this module (`<language>.txt`).

The golden files are written by hand, by someone who speaks the language: a change that alters
what a rep reads shows up as a failing test (tests/unit/test_golden.py). After a deliberate change,
`python -m tests.golden.scenes hr` prints the new rendering to compare with the file, and
`python -m tests.golden.scenes --write hr` overwrites the file (then read it through).
"""

from __future__ import annotations

import sys
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

from telegram import InlineKeyboardMarkup

from bot.domain import qualification as q
from bot.domain import summary as maths
from bot.domain.cards import Card
from bot.i18n import Catalogs, Translator
from bot.presentation import cards, moves, qualification, records, reminders, summaries
from bot.services.moves import Pipeline
from bot.services.nudges import Brief, Section
from models import Activity, Lead, Reminder, ReminderKind, Stage
from models.enums import ParkReason

HERE = Path(__file__).resolve().parent
LANGUAGES = ("en", "hr", "cs", "pl", "mk", "fa")
# Fixed "now": Sunday 29 November 2026, 08:00 UTC. Dates this year are shown without the year.
NOW = datetime(2026, 11, 29, 8, 0, tzinfo=UTC)

# Per language: the rep's zone, a woman and a man with their companies, the local currency, a
# custom reminder text and a note as a rep of that country would type them.
PEOPLE = {
    "en": ("Europe/London", ("Emma", "Clarke", "Northwind Ltd"), ("James", "Wright", "Acme Ltd"), "GBP",
           "send the offer", "Wants a demo for the whole team."),
    "hr": ("Europe/Zagreb", ("Ana", "Horvat", "Podravka d.d."), ("Marko", "Kovač", "Infobip d.o.o."), "EUR",
           "poslati ponudu", "Želi demo za cijeli tim."),
    "cs": ("Europe/Prague", ("Jana", "Nováková", "Kofola a.s."), ("Petr", "Svoboda", "Alza.cz a.s."), "CZK",
           "poslat nabídku", "Chce ukázku pro celý tým."),
    "pl": ("Europe/Warsaw", ("Anna", "Nowak", "Allegro sp. z o.o."), ("Piotr", "Kowalski", "Comarch S.A."), "PLN",
           "wysłać ofertę", "Chce demo dla całego zespołu."),
    "mk": ("Europe/Skopje", ("Ана", "Стојановска", "Алкалоид АД"), ("Марко", "Петровски", "Макпетрол АД"), "MKD",
           "да се прати понуда", "Сака демо за целиот тим."),
    "fa": ("Asia/Tehran", ("مریم", "احمدی", "دیجی‌کالا"), ("علی", "رضایی", "اسنپ"), "IRR",
           "ارسال پیش‌فاکتور", "برای کل تیم دمو می‌خواهد."),
}  # fmt: skip
# Per language: the team's name in the group summary, its two reps, and a phone number on the card.
TEAMS = {
    "en": ("Sales", ("Olivia", "Harry"), "+44 7700 900123"),
    "hr": ("Prodaja", ("Ana", "Marko"), "+385 91 234 5678"),
    "cs": ("Obchod", ("Jana", "Petr"), "+420 601 234 567"),
    "pl": ("Sprzedaż", ("Anna", "Piotr"), "+48 601 234 567"),
    "mk": ("Продажба", ("Ана", "Марко"), "+389 70 123 456"),
    "fa": ("فروش", ("مریم", "علی"), "+98 912 345 6789"),
}
AMOUNTS = {"EUR": "12500", "GBP": "12500", "CZK": "250000", "PLN": "50000", "MKD": "600000", "IRR": "5000000000"}


def _buttons(markup: InlineKeyboardMarkup | None) -> list[str]:
    if markup is None:
        return []
    return [" ".join(f"[{b.text}]" for b in row) for row in markup.inline_keyboard]


def _lead(lead_id: int, first: str, last: str, company: str, stage: Stage, **fields: object) -> Lead:
    return Lead(
        id=lead_id, team_id=1, owner_id=1, code=f"L{lead_id}", first_name=first, last_name=last, company=company,
        stage=stage, created_at=NOW - timedelta(days=40), **fields,
    )  # fmt: skip


def scenes(t: Translator) -> list[tuple[str, str]]:
    """(title, what the rep reads) for the most frequent messages, in `t`'s language."""
    zone, her, him, currency, task, note_text = PEOPLE[t.language]
    amount = Decimal(AMOUNTS[currency])
    # Friday 4 December 2026, 15:00 in the rep's zone (a Wednesday for Persian, whose weekend is Friday).
    local = datetime(2026, 12, 2 if t.language == "fa" else 4, 15, 0)
    at = local.replace(tzinfo=ZoneInfo(zone)).astimezone(UTC)
    out: list[tuple[str, str]] = []
    for sex, (first, last, company) in (("female", her), ("male", him)):
        lead = _lead(1, first, last, company, Stage.LEAD)
        card = Card(
            first_name=first, last_name=last, job_title=None, company=company, emails=["office@example.com"],
            phones=[TEAMS[t.language][2]], website="example.com",
        )  # fmt: skip
        text, markup = cards.preview(t, "n1", card, None)
        out.append((f"preview, {sex}", "\n".join([text, *_buttons(markup)])))
        text, markup = cards.saved(t, lead)
        out.append((f"saved, {sex}", "\n".join([text, *_buttons(markup)])))
        settings = q.Settings.of(None)
        result = q.score({"need": "yes", "budget": "unsure", "authority": "yes", "timing": "no"}, settings)
        text, markup = qualification.finished(t, lead, result, settings)
        out.append((f"qualification summary, {sex}", "\n".join([text, *_buttons(markup)])))
        text, markup = records.park_confirm(t, 1, ParkReason.NOT_READY, at, zone)
        out.append((f"park confirmation, {sex}", "\n".join([text, *_buttons(markup)])))
        out.append((f"parked, {sex}", records.parked(t, at, zone)))
        text, markup = reminders.confirm(t, "n1", at, zone, task, lead)
        out.append((f"reminder confirmation, {sex}", "\n".join([text, *_buttons(markup)])))
        out.append((f"reminder set, {sex}", reminders.reminder_set(t, at, zone)))
        reminder = Reminder(id=7, team_id=1, owner_id=1, lead_id=1, kind=ReminderKind.FOLLOW_UP, due_at=at,
                            reason=ParkReason.NOT_READY.value)  # fmt: skip
        note = Activity(id=3, team_id=1, lead_id=1, text=note_text, at=NOW - timedelta(days=2))
        text = reminders.reminder_text(t, reminder, lead, note, zone, late=True)
        out.append((f"reminder, {sex}", "\n".join([text, *_buttons(reminders.reminder_buttons(t, 7, 1))])))
        text, markup = records.note_saved(t, lead, note)
        out.append((f"note saved, {sex}", "\n".join([text, *_buttons(markup)])))
        deal = _lead(1, first, last, company, Stage.OPPORTUNITY, deal_amount=amount, currency=currency,
                     probability=40, expected_close_date=date(2027, 1, 29))  # fmt: skip
        text, markup = moves.moved(t, deal)
        out.append((f"moved to opportunity, {sex}", "\n".join([text, *_buttons(markup)])))
    woman = _lead(1, *her, Stage.PROSPECT, last_activity_at=NOW - timedelta(days=12))
    man = _lead(2, *him, Stage.OPPORTUNITY, expected_close_date=date(2026, 11, 20))
    custom = Reminder(id=8, team_id=1, owner_id=1, kind=ReminderKind.CUSTOM, due_at=NOW + timedelta(hours=2),
                      reason=task)  # fmt: skip
    overdue = Reminder(id=9, team_id=1, owner_id=1, lead_id=2, due_at=NOW - timedelta(days=2, hours=1))
    brief = Brief(
        today=[(custom, None)], overdue=[(overdue, man)], stalled=Section(items=[woman]),
        past_close=Section(items=[man]), birthdays=Section(items=[woman]),
    )  # fmt: skip
    out.append(("morning brief", reminders.brief_text(t, brief, zone=zone, now=NOW)))
    pipeline = Pipeline(
        counts={Stage.SUSPECT: 3, Stage.LEAD: 12, Stage.PROSPECT: 5, Stage.OPPORTUNITY: 2, Stage.CUSTOMER: 4,
                Stage.LOST: 1},
        open_value={currency: amount * 2}, weighted={currency: amount * Decimal("0.8")}, parked=2,
    )  # fmt: skip
    out.append(("pipeline", moves.pipeline(t, pipeline)))
    title, reps, _ = TEAMS[t.language]
    summary = _summary(currency, amount, zone, reps, maths.calendar_of(t.language))
    out.append(("group summary", summaries.render_summary(t, summary, title=title)[1]))
    return out


def _summary(currency: str, amount: Decimal, zone: str, reps: tuple[str, str], cal: maths.Calendar) -> maths.Summary:
    period = maths.complete_period("week", NOW, zone, cal)
    stages = {
        Stage.SUSPECT: 3,
        Stage.LEAD: 12,
        Stage.PROSPECT: 5,
        Stage.OPPORTUNITY: 2,
        Stage.CUSTOMER: 4,
        Stage.LOST: 1,
    }
    current = maths.Flow(
        new=4, moves={(Stage.LEAD, Stage.PROSPECT): 2, (Stage.PROSPECT, Stage.OPPORTUNITY): 1,
                      (Stage.OPPORTUNITY, Stage.CUSTOMER): 1, (None, Stage.LEAD): 4},
        won=1, won_value={currency: amount}, lost=1, lost_reasons=[("price", 1)],
        avg_days={Stage.LEAD: 3.5, Stage.PROSPECT: 6.0},
        per_rep={1: maths.RepRow(new=3, advanced=2, won=1), 2: maths.RepRow(new=1, advanced=1, won=0)},
    )  # fmt: skip
    previous = maths.Flow(new=2, moves={(Stage.LEAD, Stage.PROSPECT): 1}, won=0)
    return maths.Summary(
        period=period, stages=stages, stages_before={**stages, Stage.LEAD: 10}, weighted={currency: amount},
        stalled=2, parked_due=1, current=current, previous=previous, rep_names={1: reps[0], 2: reps[1]},
    )  # fmt: skip


def render(language: str) -> str:
    t = Catalogs("en").get(language)
    t.clock = lambda: NOW
    return "".join(f"=== {title}\n{text}\n\n" for title, text in scenes(t))


def golden(language: str) -> Path:
    return HERE / f"{language}.txt"


def main(argv: list[str]) -> None:
    write = "--write" in argv
    for language in [a for a in argv if not a.startswith("-")] or LANGUAGES:
        text = render(language)
        if write:
            golden(language).write_text(text, encoding="utf-8")
        else:
            sys.stdout.write(text)


if __name__ == "__main__":
    main(sys.argv[1:])
