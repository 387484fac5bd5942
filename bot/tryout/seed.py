"""The try mode's team: an owner, a rep, a group linked to the team and a few records in every stage,
so that /leads, /pipeline and /funnel show something at once. Written through the same services
the bot uses, into a throw-away database."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal

from sqlmodel.ext.asyncio.session import AsyncSession

from bot.db import Database, Scope
from bot.services import leads
from models import Lead, LeadSource, Member, Role, Stage, Team, funnel
from models.base import utcnow
from models.reminder import GroupLink


@dataclass(frozen=True)
class Person:
    """Someone the web chat lets you play: a Telegram user, in the team or not (yet)."""

    user_id: int
    first_name: str
    last_name: str
    username: str
    role: Role | None  # None: not in the team (a newcomer, to try invites and refusals)
    language: str = "en"


@dataclass(frozen=True)
class Group:
    chat_id: int
    title: str


@dataclass(frozen=True)
class Cast:
    team_name: str
    timezone: str
    people: tuple[Person, ...]
    group: Group
    records: tuple[Record, ...] = field(default=())


@dataclass(frozen=True)
class Record:
    """A record as seeded: created `age` days ago, then moved through `path` (one stage a step)."""

    owner: int  # user id of the person who owns it
    first_name: str
    last_name: str
    job_title: str
    company: str
    email: str
    phone: str
    path: tuple[Stage, ...]
    age: int
    amount: Decimal | None = None
    score: int | None = None
    lost_reason: str | None = None
    close_in_days: int | None = None


OWNER_ID = 7001
REP_ID = 7002
NEWCOMER_ID = 7003

# fmt: off
RECORDS = (
    Record(
        REP_ID, "Petra", "Jurić", "Head of Procurement", "Lipa Foods d.o.o.",
        "petra.juric@lipafoods.hr", "+385915550101", (Stage.LEAD,), 3,
    ),
    Record(
        REP_ID, "Marko", "Babić", "Operations Director", "Sava Logistika d.o.o.",
        "marko@savalogistika.hr", "+385915550102", (Stage.LEAD, Stage.PROSPECT), 12, score=80,
    ),
    Record(
        REP_ID, "Lucija", "Marić", "CEO", "Dalmacija Tours d.o.o.",
        "lucija@dalmacijatours.hr", "+385915550103", (Stage.LEAD, Stage.PROSPECT, Stage.OPPORTUNITY), 20,
        amount=Decimal("18000"), score=90, close_in_days=20,
    ),
    Record(
        REP_ID, "Tomislav", "Perić", "Owner", "Perić Gradnja d.o.o.",
        "tomislav@pericgradnja.hr", "+385915550104",
        (Stage.LEAD, Stage.PROSPECT, Stage.OPPORTUNITY, Stage.CUSTOMER), 25, amount=Decimal("9500"), score=85,
    ),
    Record(
        REP_ID, "Ivana", "Šarić", "Marketing Manager", "Zagreb Print d.o.o.",
        "ivana@zagrebprint.hr", "+385915550105", (Stage.LEAD, Stage.LOST), 9, lost_reason="price",
    ),
    Record(
        OWNER_ID, "Jan", "Novák", "Sales Director", "Brno Systems s.r.o.",
        "jan.novak@brnosystems.cz", "+420601555106", (Stage.LEAD,), 2,
    ),
    Record(
        OWNER_ID, "Katarzyna", "Nowak", "Purchasing Manager", "Wisła Trade sp. z o.o.",
        "k.nowak@wislatrade.pl", "+48601555107", (Stage.LEAD, Stage.PROSPECT, Stage.OPPORTUNITY), 30,
        amount=Decimal("32000"), score=75, close_in_days=10,
    ),
    Record(
        OWNER_ID, "Goran", "Stojanovski", "CTO", "Ohrid Solutions DOOEL",
        "goran@ohridsolutions.mk", "+38970555108", (Stage.LEAD, Stage.PROSPECT), 8, score=70,
    ),
)
# fmt: on

CAST = Cast(
    team_name="Adria Sales",
    timezone="Europe/Zagreb",
    people=(
        Person(OWNER_ID, "Maja", "Kovač", "maja_k", Role.OWNER),
        Person(REP_ID, "Ivan", "Horvat", "ivan_h", Role.REP),
        Person(NEWCOMER_ID, "Ana", "Babić", "ana_b", None),
    ),
    group=Group(-1007001, "Adria Sales team"),
    records=RECORDS,
)


async def seed(db: Database, cast: Cast = CAST, *, now: datetime | None = None) -> dict[int, Member]:
    """Create the cast's team, members, group link and records; return the members by user id."""
    now = now or utcnow()
    async with db.begin(Scope.system()) as session:
        team = Team(name=cast.team_name, timezone=cast.timezone, currency="EUR", phone_region="HR")
        session.add(team)
        await session.flush()
        assert team.id is not None
        members: dict[int, Member] = {}
        for person in cast.people:
            if person.role is None:
                continue
            member = Member(
                team_id=team.id,
                telegram_user_id=person.user_id,
                role=person.role,
                first_name=person.first_name,
                last_name=person.last_name,
                username=person.username,
                language=person.language,
                timezone=cast.timezone,
                last_seen_at=now,
            )
            session.add(member)
            members[person.user_id] = member
        await session.flush()
        owner = next(m for m in members.values() if m.role is Role.OWNER)
        session.add(
            GroupLink(team_id=team.id, chat_id=cast.group.chat_id, chat_title=cast.group.title, linked_by_id=owner.id)
        )
        for record in cast.records:
            await _add_record(session, members[record.owner], record, now=now)
    return members


async def _add_record(session: AsyncSession, owner: Member, record: Record, *, now: datetime) -> Lead:
    created = now - timedelta(days=record.age)
    lead = await leads.create_lead(
        session,
        owner,
        now=created,
        stage=record.path[0],
        source=LeadSource.MEETING,
        first_name=record.first_name,
        last_name=record.last_name,
        job_title=record.job_title,
        company=record.company,
        emails=[record.email],
        phones=[record.phone],
    )
    steps = record.path[1:]
    for index, stage in enumerate(steps, start=1):
        # The moves are spread between the record's creation and a day ago.
        at = created + (now - timedelta(days=1) - created) * index / len(steps)
        change = funnel.move(
            lead,
            stage,
            by=owner.id,
            now=at,
            lost_reason=record.lost_reason if stage is Stage.LOST else None,
        )
        session.add(change)
    if record.score is not None:
        lead.score = record.score
        lead.qualified_at = created
    if record.amount is not None:
        lead.deal_amount, lead.currency = record.amount, "EUR"
    if record.close_in_days is not None:
        lead.expected_close_date = date.fromordinal(now.date().toordinal() + record.close_in_days)
    session.add(lead)
    await session.flush()
    return lead
