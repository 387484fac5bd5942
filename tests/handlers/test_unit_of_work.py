"""Every update is one unit of work: at most one write transaction, and no Bot API call while it is
open (a send inside a write would hold SQLite's write lock across a network round trip, and answer
before the commit). Checked on the real application, step by step, along a whole journey.

The fake Bot API tells the watch of every call as it is made (`RecordingRequest.on_call`); the
watch looks at `Database.writes_open` then, and counts `Database.writes_started` around each step.
A failure names every step that broke a rule, with what it did.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import timedelta

import pytest
from sqlalchemy import update
from sqlmodel import col, select
from telegram import Update
from telegram.ext import CommandHandler

from bot.context import BotContext
from bot.db import Database, Scope
from bot.delivery import loop as delivery_loop
from bot.delivery import reminders as delivery_reminders
from bot.state import state_of
from models import Lead, Reminder, ReminderStatus
from models.base import utcnow
from tests.conftest import ADMIN_ID
from tests.support import ANA, make_team
from tests.telegram_fake import BOT_USERNAME, Call, FakeTelegram, Person

INVITE_RE = re.compile(rf"https://t\.me/{BOT_USERNAME}\?start=(i-[A-Za-z0-9_-]+)")
SHOWN = ("sendMessage", "editMessageText", "sendPhoto")


class Watch:
    """Counts each step's write transactions and notes every Bot API call made inside one."""

    def __init__(self, tg: FakeTelegram) -> None:
        self.db: Database = state_of(tg.app).db
        self.inside: list[str] = []
        tg.request.on_call = self._seen

    def _seen(self, call: Call) -> None:
        if self.db.writes_open:
            self.inside.append(call.method)

    async def check(self, name: str, action: Awaitable[object], *, update: bool = True) -> list[str]:
        """Run one step; what it broke, as sentences naming the step."""
        self.inside = []
        before = self.db.writes_started
        await action
        writes = self.db.writes_started - before
        problems = []
        if update and writes > 1:
            problems.append(f"{name!r} opened {writes} write transactions (one at most)")
        if self.inside:
            problems.append(f"{name!r} called {', '.join(self.inside)} while a write transaction was open")
        return problems


@dataclass
class Journey:
    """The people of the journey and the messages it taps later, kept by name."""

    tg: FakeTelegram
    db: Database
    people: dict[str, Person] = field(default_factory=dict)
    kept: dict[str, Call] = field(default_factory=dict)

    def keep(self, name: str | None, calls: list[Call]) -> list[Call]:
        """Remember the last message the step showed (one with buttons if there is one)."""
        shown = [c for c in calls if c.method in SHOWN]
        if name is not None:
            with_buttons = [c for c in shown if c.buttons]
            if not (with_buttons or shown):
                raise AssertionError(f"no message to keep as {name!r}: {[c.method for c in calls]}")
            self.kept[name] = (with_buttons or shown)[-1]
        return calls

    async def send(self, who: str, text: str, keep: str | None = None) -> list[Call]:
        return self.keep(keep, await self.people[who].send(text))

    async def press(self, who: str, data: str, keep: str | None = None) -> list[Call]:
        return self.keep(keep, await self.people[who].press(data))

    async def tap(self, who: str, message: str, label: str, keep: str | None = None) -> list[Call]:
        return self.keep(keep, await self.people[who].tap(self.kept[message], label))

    async def lead_id(self, name: str) -> int:
        async with self.db.read(Scope.system()) as s:
            lead = (await s.exec(select(Lead).where(col(Lead.first_name) == name))).one()
        assert lead.id is not None
        return lead.id


Action = Callable[[Journey], Awaitable[object]]


@dataclass(frozen=True)
class Step:
    name: str
    act: Action
    update: bool = True  # False: not an update (the delivery loop writes per message by design)


def send(who: str, text: str, keep: str | None = None) -> Action:
    return lambda j: j.send(who, text, keep)


def press(who: str, data: str, keep: str | None = None) -> Action:
    return lambda j: j.press(who, data, keep)


def tap(who: str, message: str, label: str, keep: str | None = None) -> Action:
    return lambda j: j.tap(who, message, label, keep)


def open_record(who: str, name: str, keep: str = "card") -> Action:
    async def act(j: Journey) -> list[Call]:
        return await j.press(who, f"1rec:{await j.lead_id(name)}", keep)

    return act


def sticker() -> dict[str, object]:
    return {
        "sticker": {
            "file_id": "st1",
            "file_unique_id": "st1",
            "width": 512,
            "height": 512,
            "is_animated": False,
            "is_video": False,
            "type": "regular",
        }
    }


async def join(j: Journey) -> list[Call]:
    """The rep opens the owner's invite link (`/start i-…`)."""
    match = INVITE_RE.search(j.kept["invite"].text)
    assert match, j.kept["invite"].text
    j.people["rita"] = j.tg.person(777, "Rita")
    return await j.send("rita", f"/start {match.group(1)}", keep="zone question")


async def deliver(j: Journey) -> list[Call]:
    """The follow-up of parking and the /remind reminder fall due and the delivery loop sends them."""
    async with j.db.begin(Scope.system()) as s:
        await s.exec(
            update(Reminder)
            .where(col(Reminder.status) == ReminderStatus.PENDING)
            .values(due_at=utcnow() - timedelta(minutes=1))
        )
    start = len(j.tg.request.calls)
    await delivery_loop.tick(j.tg.app)
    calls = j.tg.request.calls[start:]
    due = [c for c in calls if c.method == "sendMessage" and any("Done" in b["text"] for b in c.buttons)]
    assert len(due) == 2, [c.text for c in calls]
    j.kept["reminder 1"], j.kept["reminder 2"] = due
    return calls


# --- the steps of this area (settings, invites, team settings, /cancel and the catch-alls) --------

SETTINGS_STEPS = [
    Step("/settings", send("boss", "/settings", keep="settings")),
    Step("settings: Language", tap("boss", "settings", "Language", keep="languages")),
    Step("settings: Hrvatski", tap("boss", "languages", "Hrvatski")),
    Step("settings: back to English", press("boss", "1set:lang:en")),
    Step("settings: a language that is not there", press("boss", "1set:lang:xx")),
    Step("settings: Time zone", press("boss", "1set:tz", keep="zones")),
    Step("settings: a zone by button", tap("boss", "zones", "Zagreb")),
    Step("settings: an unknown zone by button", press("boss", "1tz:set:Mars/Base")),
    Step("settings: Another time zone…", press("boss", "1tz:ask")),
    Step("settings: a zone that does not exist, typed", send("boss", "Atlantis")),
    Step("settings: a city typed", send("boss", "warsaw")),
    Step("settings: Close", press("boss", "1set:close")),
    Step("/qualification", send("boss", "/qualification")),
    Step("qualification: pass mark +5", press("boss", "1qw:pass:5")),
    Step("qualification: budget −5", press("boss", "1qw:budget:-5")),
    Step("/nudges", send("boss", "/nudges")),
    Step("nudges: birthdays off", press("boss", "1nt:birthday")),
    Step("nudges: a lead is quiet one day later", press("boss", "1nd:lead:1")),
    Step("/invite", send("boss", "/invite", keep="invite")),
    Step("/invite manager", send("boss", "/invite manager")),
    Step("a rep: /invite (refused)", send("rep", "/invite")),
    Step("a rep: /qualification", send("rep", "/qualification")),
    Step("a rep: a weight button (refused)", press("rep", "1qw:pass:5")),
    Step("a rep: a nudge button (refused)", press("rep", "1nt:digest")),
    Step("/cancel with nothing open", send("boss", "/cancel")),
    Step("settings: Another time zone… again", press("boss", "1tz:ask")),
    Step("/cancel of the time zone question", send("boss", "/cancel")),
    Step("an unknown command", send("boss", "/frobnicate")),
    Step("a sticker", lambda j: j.people["boss"].send_message(**sticker())),
    Step("a text too long", send("boss", "x" * 5000)),
    Step("a stale button", press("boss", "0old:1")),
    Step("an unknown button", press("boss", "1zzz:1")),
]

# --- the whole journey, through every area's handlers ----------------------------------------

JOURNEY = [
    Step("owner: /start of a new admin", send("olga", "/start")),
    Step("owner: /settings", send("olga", "/settings", keep="settings")),
    Step("owner: Language", tap("olga", "settings", "Language", keep="languages")),
    Step("owner: Hrvatski", tap("olga", "languages", "Hrvatski")),
    Step("owner: back to English", press("olga", "1set:lang:en")),
    Step("owner: Time zone", press("olga", "1set:tz", keep="zones")),
    Step("owner: a zone", tap("olga", "zones", "Zagreb")),
    Step("owner: /invite", send("olga", "/invite", keep="invite")),
    Step("rep: joins by the invite link", join),
    Step("rep: picks the time zone asked at onboarding", tap("rita", "zone question", "Zagreb")),
    Step("rep: a typed card", send("rita", ANA, keep="preview")),
    Step("rep: Save", tap("rita", "preview", "Save", keep="saved")),
    Step("rep: the source", tap("rita", "saved", "Referral", keep="saved")),
    Step("rep: /new", send("rita", "/new", keep="new")),
    Step("rep: /new, the name", send("rita", "Jan Novák", keep="new")),
    Step("rep: /new, the company", send("rita", "Bohemia Soft s.r.o.", keep="new")),
    Step("rep: /new, Skip the title", tap("rita", "new", "Skip")),
    Step("rep: /new, the e-mail", send("rita", "jan@bohemiasoft.cz")),
    Step("rep: /new, the phone", send("rita", "+420 602 111 222", keep="new preview")),
    Step("rep: /new, Save", tap("rita", "new preview", "Save")),
    Step("rep: Qualify now", tap("rita", "saved", "Qualify now", keep="question")),
    Step("rep: qualify, need (button)", tap("rita", "question", "Yes", keep="question")),
    Step("rep: qualify, budget (button)", tap("rita", "question", "Yes", keep="question")),
    Step("rep: qualify, decision maker (button)", tap("rita", "question", "Yes", keep="question")),
    Step("rep: qualify, timeline (typed)", send("rita", "in three months", keep="question")),
    Step("rep: qualify, fit (button)", tap("rita", "question", "Yes", keep="question")),
    Step("rep: qualify, value (typed)", send("rita", "20k", keep="summary")),
    Step("rep: advance to prospect", tap("rita", "summary", "Advance to prospect")),
    Step("rep: open the record", open_record("rita", "Ana")),
    Step("rep: to opportunity", tap("rita", "card", "➡️ opportunity")),
    Step("rep: the deal amount", send("rita", "50.000 EUR", keep="probability")),
    Step("rep: the probability (button)", tap("rita", "probability", "75%")),
    Step("rep: the close date", send("rita", "end of month")),
    Step("rep: open the record again", open_record("rita", "Ana")),
    Step("rep: Won", tap("rita", "card", "🏆 Won", keep="final")),
    Step("rep: the same amount", tap("rita", "final", "Same")),
    Step("rep: /leads", send("rita", "/leads")),
    Step("rep: /find", send("rita", "/find novak", keep="found")),
    Step("rep: open a found record", tap("rita", "found", "Jan", keep="card")),
    Step("rep: a note", send("rita", "asked about delivery times", keep="note")),
    Step("rep: the note's kind", tap("rita", "note", "Objection")),
    Step("rep: Birthday", tap("rita", "card", "Birthday")),
    Step("rep: the birthday", send("rita", "12.5.")),
    Step("rep: Park", tap("rita", "card", "Park", keep="reasons")),
    Step("rep: the park reason", tap("rita", "reasons", "No budget now")),
    Step("rep: the follow-up date", send("rita", "in two weeks", keep="park")),
    Step("rep: Park until then", tap("rita", "park", "Park until then")),
    Step("rep: /remind", send("rita", "/remind Jan tomorrow 10am send the offer", keep="proposal")),
    Step("rep: Set reminder", tap("rita", "proposal", "Set reminder")),
    Step("dispatcher: the due reminders are delivered", deliver, update=False),
    Step("rep: Done", tap("rita", "reminder 1", "Done")),
    Step("rep: Snooze", tap("rita", "reminder 2", "Tomorrow 9:00")),
    Step("rep: /pipeline", send("rita", "/pipeline")),
    Step("rep: /funnel", send("rita", "/funnel week")),
    Step("rep: /cancel", send("rita", "/cancel")),
    Step("rep: /help", send("rita", "/help")),
    Step("rep: a stale button", press("rita", "0old:1")),
]


async def walk(tg: FakeTelegram, journey: Journey, steps: list[Step]) -> list[str]:
    watch = Watch(tg)
    problems: list[str] = []
    for step in steps:
        try:
            problems += await watch.check(step.name, step.act(journey), update=step.update)
        except AssertionError as exc:  # the step could not be taken: the journey stops there
            raise AssertionError(f"step {step.name!r} could not be taken: {exc}") from exc
    return problems


async def test_settings_invites_and_fallbacks_are_one_unit_of_work_per_update(tg, db):
    team = await make_team(db, "T", 3100)
    journey = Journey(tg, db)
    journey.people["boss"] = tg.person(team["owner"].telegram_user_id, "Olga")
    journey.people["rep"] = tg.person(team["rep1"].telegram_user_id, "Rita")
    problems = await walk(tg, journey, SETTINGS_STEPS)
    assert not problems, "\n".join(["these updates broke the unit of work:", *problems])


async def test_a_whole_journey_is_one_unit_of_work_per_update(tg, db, monkeypatch):
    monkeypatch.setattr(delivery_reminders, "PER_CHAT_INTERVAL", 0)
    journey = Journey(tg, db)
    journey.people["olga"] = tg.person(ADMIN_ID, "Olga")
    problems = await walk(tg, journey, JOURNEY)
    assert not problems, "\n".join(["these updates broke the unit of work:", *problems])


async def test_the_watch_sees_a_second_write_and_a_send_inside_one(tg):
    """The instrument itself: a handler that writes twice and sends inside its write is caught."""

    async def careless(update: Update, context: BotContext) -> None:
        del update
        async with context.write(Scope.system()):
            pass
        async with context.write(Scope.system()):
            await context.bot.send_message(ADMIN_ID, "too early")

    tg.app.add_handler(CommandHandler("careless", careless), group=-1)
    olga = tg.person(ADMIN_ID, "Olga")
    await olga.send("/help")  # the team exists before the careless update
    problems = await Watch(tg).check("careless", olga.send("/careless"))
    assert problems == [
        "'careless' opened 2 write transactions (one at most)",
        "'careless' called sendMessage while a write transaction was open",
    ]


@pytest.mark.parametrize("steps", [SETTINGS_STEPS, JOURNEY], ids=["settings", "journey"])
def test_step_names_are_unique(steps: list[Step]) -> None:
    names = [s.name for s in steps]
    assert len(names) == len(set(names))
