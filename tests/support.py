"""What many tests share: people and teams to start from, the calls a step made, and wording checked
through catalogue message ids (rendered by the real catalogue) rather than copied English."""

from __future__ import annotations

from datetime import timedelta
from functools import cache
from typing import Any

from sqlmodel import select

from bot.db import Scope
from bot.i18n import Catalogs, Translator
from bot.services import leads
from bot.state import state_of
from models import Lead, Member, Reminder, Role, Team
from models.base import utcnow
from tests.conftest import ADMIN_ID
from tests.telegram_fake import Call

ANA = "Ana Kovačević\nDirektorica prodaje\nAdria Solar d.o.o.\nTel: +385 91 234 5678\nana.kovacevic@adriasolar.hr"


@cache
def catalogue(language: str = "en") -> Translator:
    return Catalogs("en").get(language)


def msg(message_id: str, language: str = "en", **params: Any) -> str:
    """A catalogue message as the bot renders it (with `params`)."""
    return catalogue(language)(message_id, **params)


def says(text: str | Call, message_id: str, language: str = "en", **params: Any) -> bool:
    """Whether `text` holds the catalogue message `message_id`. Without `params`, only the message's
    fixed parts are checked (the text around each placeholder)."""
    shown = text.text if isinstance(text, Call) else text
    if params:
        return msg(message_id, language, **params) in shown
    rendered = catalogue(language)(message_id)
    return all(part in shown for part in _fixed_parts(rendered) if part.strip())


def _fixed_parts(template: str) -> list[str]:
    out, depth, current = [], 0, ""
    for ch in template:
        if ch == "{":
            depth += 1
            out.append(current)
            current = ""
        elif ch == "}":
            depth = max(0, depth - 1)
        elif depth == 0:
            current += ch
    out.append(current)
    return out


def sent(calls: list[Call], method: str = "sendMessage") -> list[Call]:
    return [c for c in calls if c.method == method]


def alert(calls: list[Call]) -> str:
    """The text of the answer to a tapped button ("" for a silent answer)."""
    answers = [c for c in calls if c.method == "answerCallbackQuery"]
    return str(answers[0].params.get("text", "")) if answers else ""


async def owner(tg: Any) -> Any:
    person = tg.person(ADMIN_ID, "Olga")
    await person.send("/start")
    return person


async def all_leads(db: Any) -> list[Lead]:
    async with db.read(Scope.system()) as s:
        return list((await s.exec(select(Lead).order_by(Lead.id))).all())


async def make_team(db: Any, name: str, base_id: int) -> dict[str, Member]:
    """A team with an owner, a manager and two reps."""
    async with db.begin(Scope.system()) as s:
        team = Team(name=name)
        s.add(team)
        await s.flush()
        people = {}
        for offset, role in enumerate(("owner", "manager", "rep1", "rep2")):
            m = Member(
                team_id=team.id,
                telegram_user_id=base_id + offset,
                first_name=role,
                role=Role.REP if role.startswith("rep") else Role(role),
                timezone="Europe/Zagreb",
            )
            s.add(m)
            people[role] = m
        await s.flush()
    return people


async def add_lead(db: Any, owner: Member, name: str) -> Lead:
    async with db.begin(Scope.of(owner)) as s:
        return await leads.create_lead(
            s, owner, now=utcnow(), first_name=name, company="Acme d.o.o.", emails=[f"{name.lower()}@acme.hr"]
        )


async def due_reminder(db: Any, member: Member, *, minutes_ago: int = 1, reason: str = "no_budget") -> Reminder:
    lead = await add_lead(db, member, "Ana")
    async with db.begin(Scope.of(member)) as s:
        lead = await leads.get_visible(s, lead.id)
        await leads.add_note(s, lead, member, "call after the budget meeting", now=utcnow())
        reminder = Reminder(
            team_id=member.team_id,
            owner_id=member.id,
            lead_id=lead.id,
            due_at=utcnow() - timedelta(minutes=minutes_ago),
            reason=reason,
        )
        s.add(reminder)
    return reminder


async def reminder_rows(db: Any) -> list[Reminder]:
    async with db.read(Scope.system()) as s:
        return list((await s.exec(select(Reminder).order_by(Reminder.id))).all())


# --- funnel area (records, parking, moves, qualification): the unit of work, checked ----------

FUNNEL_HANDLERS = ("handlers.records", "handlers.park", "handlers.moves", "handlers.qualify")


class UnitOfWork:
    """Watches the updates that the given handler modules handle (their commands, buttons and the
    text of their flows): each may open at most one write transaction, may not call the Bot API
    while it is open, and a tapped button is answered exactly once. `check()` says which updates
    broke a rule."""

    def __init__(self, tg: Any, modules: tuple[str, ...] = FUNNEL_HANDLERS) -> None:
        from bot.state import state_of
        from handlers import TEXT_STEPS

        self.db = state_of(tg.app).db
        self.modules = modules
        self.mine = False
        self.too_many: list[tuple[str, int]] = []  # (update, writes)
        self.during_write: list[tuple[str, str]] = []  # (update, Bot API method)
        self.answers: list[tuple[str, int]] = []  # (button, answers) when not exactly one
        self._label = ""
        for handlers in tg.app.handlers.values():
            for handler in handlers:
                if getattr(handler.callback, "__module__", "") in modules:
                    handler.callback = self._marked(handler.callback)
        self._text_steps = dict(TEXT_STEPS)
        for kind, step in TEXT_STEPS.items():
            if getattr(step, "__module__", "") in modules:
                TEXT_STEPS[kind] = self._marked(step)
        process, request = tg.process, tg.request.do_request

        async def counted(data: dict[str, Any]) -> list[Call]:
            self.mine, self._label = False, _update_label(data)
            before = self.db.writes_started
            calls = await process(data)
            writes = self.db.writes_started - before
            if self.mine and writes > 1:
                self.too_many.append((self._label, writes))
            answered = len([c for c in calls if c.method == "answerCallbackQuery"])
            if self.mine and "callback_query" in data and answered != 1:
                self.answers.append((self._label, answered))
            return calls

        async def watched(url: str, method: str, *args: Any, **kwargs: Any) -> Any:
            if self.mine and self.db.writes_open:
                self.during_write.append((self._label, url.rsplit("/", 1)[-1]))
            return await request(url, method, *args, **kwargs)

        tg.process = counted
        tg.request.do_request = watched

    def _marked(self, callback: Any) -> Any:
        async def marked(update: Any, context: Any) -> Any:
            self.mine = True
            return await callback(update, context)

        return marked

    def restore(self) -> None:
        from handlers import TEXT_STEPS

        TEXT_STEPS.update(self._text_steps)

    def check(self) -> None:
        assert self.too_many == [], f"more than one write in an update: {self.too_many}"
        assert self.during_write == [], f"Bot API called while a write was open: {self.during_write}"
        assert self.answers == [], f"buttons not answered exactly once: {self.answers}"


def _update_label(data: dict[str, Any]) -> str:
    if "callback_query" in data:
        return str(data["callback_query"].get("data", ""))
    return str(data.get("message", {}).get("text", ""))[:40]


# --- reminders, summaries and delivery (h-reminders): an update's unit of work, checked ----------


class WriteWatch:
    """Watches the updates a FakeTelegram processes: no Bot API call while a write transaction is
    open, and at most one write transaction per update. `problems` lists what broke either rule.
    Background jobs called directly are watched too when `background` is set (only for one chat
    at a time: with several, one chat's write may be open while another's message goes out)."""

    def __init__(self, tg: Any, *, background: bool = False) -> None:
        self.db = state_of(tg.app).db
        self.problems: list[str] = []
        self._updates = 0
        request, process = tg.request.do_request, tg.process

        async def do_request(url: str, method: str, *args: Any, **kwargs: Any) -> Any:
            if (self._updates or background) and self.db.writes_open:
                self.problems.append(f"{url.rsplit('/', 1)[-1]} while a write transaction was open")
            return await request(url, method, *args, **kwargs)

        async def watched(data: dict[str, Any]) -> list[Call]:
            before = self.db.writes_started
            self._updates += 1
            try:
                calls: list[Call] = await process(data)
                return calls
            finally:
                self._updates -= 1
                if self.db.writes_started - before > 1:
                    self.problems.append(f"{self.db.writes_started - before} write transactions for {_what(data)}")

        tg.request.do_request = do_request
        tg.process = watched


def _what(update: dict[str, Any]) -> str:
    """An update in a few words: the button's data or the message's text."""
    if "callback_query" in update:
        return f"the button {update['callback_query'].get('data')!r}"
    return f"the message {update.get('message', {}).get('text')!r}"
