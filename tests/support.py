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


# --- reminders, summaries and delivery (h-reminders): an update's unit of work, checked ----------


class UnitOfWork:
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
