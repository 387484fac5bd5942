"""Exports: the records a member sees (a manager the team's, a rep their own) as CSV or Excel, with
their notes and stage history beside them; vCards; a person's data report.

Large exports are streamed: each sheet is one ORM select of plain columns on the mapped classes (so
the session's scope applies), ordered by id and read `PAGE` rows at a time from a streamed result
in one read transaction (a consistent picture; no objects, nothing kept in the session; one sort
instead of a keyset query per page, which SQLite planned as a scan and sort of the whole team each
time). Each page is written by a worker thread into files in a private temporary folder (0700,
files 0600). XlsxWriter's constant-memory mode
flushes every row to disk, so memory stays flat however many records there are.
"""

from __future__ import annotations

import asyncio
import csv
import io
import json
import os
import shutil
import tempfile
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from pathlib import Path
from typing import IO, Any, Protocol
from zoneinfo import ZoneInfo

import xlsxwriter
from sqlalchemy import func
from sqlalchemy import select as sa_select
from sqlalchemy.orm import aliased
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.domain import qualification as q
from bot.domain.vcard_export import Contact, vcard, vcards
from bot.services import leads
from models import Activity, ContactPoint, Lead, Member, Reminder, StageChange

PAGE = 1000
UPLOAD_LIMIT = 50 * 1024 * 1024  # what a bot may send as a document
CRITERIA = tuple(c.value for c in q.ORDER)


class Format(StrEnum):
    CSV = "csv"
    XLSX = "xlsx"
    VCF = "vcf"


@dataclass(frozen=True)
class Money:
    """An amount with its currency: a number with the currency's format in Excel."""

    amount: Decimal
    currency: str


Cell = str | int | Decimal | Money | datetime | date | bool | None

RECORD_COLUMNS = (
    "code",
    "first_name",
    "last_name",
    "company",
    "job_title",
    "emails",
    "phones",
    "telegram_id",
    "telegram_username",
    "website",
    "address",
    "birthday",
    "stage",
    "owner",
    "source",
    "source_detail",
    *(f"q_{c}" for c in CRITERIA),
    "q_details",
    "score",
    "estimated_value",
    "deal_value",
    "probability",
    "expected_close",
    "parked_until",
    "lost_reason",
    "last_activity",
    "created",
)
NOTE_COLUMNS = ("record", "at", "author", "kind", "text")
HISTORY_COLUMNS = ("record", "at", "event", "from_stage", "to_stage", "by", "reason")
SHEETS = {"records": RECORD_COLUMNS, "notes": NOTE_COLUMNS, "history": HISTORY_COLUMNS}


def _name(first: str | None, last: str | None) -> str:
    return " ".join(p for p in (first, last) if p)


def _money(amount: Decimal | None, currency: str | None) -> Money | None:
    return Money(amount, currency or "EUR") if amount is not None else None


def record_row(lead: Lead, owner: str) -> list[Cell]:
    """One record's cells, from a loaded record (the export itself reads plain columns)."""
    return _record_cells(owner, *(getattr(lead, n) for n in _RECORD_NAMES))


# The record's columns the export reads, in the order `_record_cells` takes them.
_RECORD_NAMES = (
    "code",
    "first_name",
    "last_name",
    "company",
    "job_title",
    "emails",
    "phones",
    "telegram_id",
    "telegram_username",
    "website",
    "address",
    "birthday",
    "stage",
    "source",
    "source_detail",
    "qualification",
    "score",
    "estimated_value",
    "estimated_currency",
    "deal_amount",
    "currency",
    "probability",
    "expected_close_date",
    "parked",
    "parked_until",
    "lost_reason",
    "last_activity_at",
    "created_at",
)
_RECORD_FIELDS: tuple[Any, ...] = tuple(getattr(Lead, n) for n in _RECORD_NAMES)


def _record_cells(
    owner: str,
    code: str,
    first_name: str | None,
    last_name: str | None,
    company: str | None,
    job_title: str | None,
    emails: list[str],
    phones: list[str],
    telegram_id: int | None,
    telegram_username: str | None,
    website: str | None,
    address: str | None,
    birthday: date | None,
    stage: StrEnum,
    source: StrEnum | None,
    source_detail: str | None,
    qualification: dict[str, Any] | None,
    score: int | None,
    estimated_value: Decimal | None,
    estimated_currency: str | None,
    deal_amount: Decimal | None,
    currency: str | None,
    probability: int | None,
    expected_close_date: date | None,
    parked: bool,
    parked_until: datetime | None,
    lost_reason: str | None,
    last_activity_at: datetime | None,
    created_at: datetime,
) -> list[Cell]:
    answers = qualification or {}
    if answers:
        criteria: list[Cell] = [str(answers[c]) if c in answers else None for c in CRITERIA]
        details = {k: v for k, v in answers.items() if k not in CRITERIA}
    else:
        criteria, details = [None] * len(CRITERIA), {}
    return [
        code,
        first_name,
        last_name,
        company,
        job_title,
        "; ".join(emails),
        "; ".join(phones),
        str(telegram_id) if telegram_id is not None else None,  # an id, not a quantity
        telegram_username,
        website,
        address,
        birthday,
        stage.value,
        owner,
        source.value if source else None,
        source_detail,
        *criteria,
        json.dumps(details, ensure_ascii=False, default=str) if details else None,
        score,
        _money(estimated_value, estimated_currency),
        _money(deal_amount, currency),
        probability,
        expected_close_date,
        parked_until if parked else None,
        lost_reason,
        last_activity_at,
        created_at,
    ]


# --- reading, in pages, through the session's scope --------------------------------------------


async def count(session: AsyncSession) -> int:
    """Records this session's member sees."""
    return int((await session.exec(select(func.count()).select_from(Lead))).one())


async def _pages(session: AsyncSession, statement: Any, page: int) -> AsyncIterator[Sequence[Any]]:
    """The rows of an ORM select on mapped classes (so the session's scope applies), `page` at a
    time from one streamed result: plain tuples, no objects, nothing kept in the session."""
    result = await session.stream(statement.execution_options(yield_per=page))
    try:
        async for rows in result.partitions(page):
            yield rows
    finally:
        await result.close()


async def record_pages(session: AsyncSession, page: int = PAGE) -> AsyncIterator[list[list[Cell]]]:
    statement = (
        sa_select(*_RECORD_FIELDS, col(Member.first_name), col(Member.last_name))
        .join(Member, col(Member.id) == col(Lead.owner_id))
        .order_by(col(Lead.id))
    )
    cells, name = _record_cells, _name
    async for rows in _pages(session, statement, page):
        yield [cells(name(row[-2], row[-1]), *row[:-2]) for row in rows]


async def note_pages(session: AsyncSession, page: int = PAGE) -> AsyncIterator[list[list[Cell]]]:
    author = aliased(Member)
    statement = (
        sa_select(
            col(Lead.code),
            col(Activity.at),
            col(author.first_name),
            col(author.last_name),
            col(Activity.kind),
            col(Activity.text),
        )
        .select_from(Activity)
        .join(Lead, col(Lead.id) == col(Activity.lead_id))
        .outerjoin(author, col(author.id) == col(Activity.member_id))
        .order_by(col(Activity.id))
    )
    name = _name
    async for rows in _pages(session, statement, page):
        yield [[code, at, name(f, ln), kind.value, text] for code, at, f, ln, kind, text in rows]


async def history_pages(session: AsyncSession, page: int = PAGE) -> AsyncIterator[list[list[Cell]]]:
    by = aliased(Member)
    statement = (
        sa_select(
            col(Lead.code),
            col(StageChange.at),
            col(StageChange.event),
            col(StageChange.from_stage),
            col(StageChange.to_stage),
            col(by.first_name),
            col(by.last_name),
            col(StageChange.reason),
        )
        .select_from(StageChange)
        .join(Lead, col(Lead.id) == col(StageChange.lead_id))
        .outerjoin(by, col(by.id) == col(StageChange.member_id))
        .order_by(col(StageChange.id))
    )
    name = _name
    async for rows in _pages(session, statement, page):
        yield [
            [code, at, event.value, from_stage.value if from_stage else None, to_stage.value, name(f, ln), reason]
            for code, at, event, from_stage, to_stage, f, ln, reason in rows
        ]


# --- writing, in a worker thread ---------------------------------------------------------------


class Writer(Protocol):
    def rows(self, sheet: str, rows: Sequence[Sequence[Cell]]) -> None: ...

    def close(self) -> list[Path]: ...


def _private_file(path: Path) -> None:
    os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))


class CsvWriter:
    """One CSV per sheet, UTF-8 with a BOM (Excel then reads the accents right); times in the
    member's zone with their offset (ISO 8601), amounts as plain numbers with a currency column."""

    def __init__(self, folder: Path, stem: str, zone: str) -> None:
        self.zone = ZoneInfo(zone)
        self.paths: dict[str, Path] = {}
        self._files: dict[str, IO[str]] = {}
        self._writers: dict[str, Any] = {}
        for sheet, columns in SHEETS.items():
            path = folder / f"{stem}-{sheet}.csv"
            _private_file(path)
            handle = path.open("w", encoding="utf-8-sig", newline="")
            self.paths[sheet], self._files[sheet] = path, handle
            self._writers[sheet] = csv.writer(handle)
            self._writers[sheet].writerow(_csv_header(columns))

    def _cells(self, row: Sequence[Cell]) -> list[str]:
        out: list[str] = []
        add = out.append
        for value in row:
            kind = value.__class__
            # The most common types first; int and Decimal by exact class (a bool is an int too).
            if isinstance(value, str):
                add(value)
            elif value is None:
                add("")
            elif isinstance(value, datetime):
                add(value.astimezone(self.zone).isoformat(timespec="seconds"))
            elif kind is int or kind is Decimal:
                add(str(value))
            elif isinstance(value, Money):
                out += [str(value.amount), value.currency]
            elif isinstance(value, date):
                add(value.isoformat())
            else:
                add(str(value))
        return out

    def rows(self, sheet: str, rows: Sequence[Sequence[Cell]]) -> None:
        self._writers[sheet].writerows(self._cells(r) for r in rows)

    def close(self) -> list[Path]:
        for handle in self._files.values():
            handle.close()
        return list(self.paths.values())


def _csv_header(columns: Sequence[str]) -> list[str]:
    out: list[str] = []
    for name in columns:
        out.append(name)
        if name in ("estimated_value", "deal_value"):
            out.append(f"{name}_currency")
    return out


class XlsxWriter:
    """One workbook, a sheet each for records, notes and history; real dates (in the member's zone)
    and amounts as numbers formatted with their currency. Constant memory: rows go to disk as
    they are written."""

    def __init__(self, folder: Path, stem: str, zone: str) -> None:
        self.zone = ZoneInfo(zone)
        self.path = folder / f"{stem}.xlsx"
        _private_file(self.path)
        self.book = xlsxwriter.Workbook(
            str(self.path), {"constant_memory": True, "tmpdir": str(folder), "strings_to_numbers": False}
        )
        bold = self.book.add_format({"bold": True})
        self.date_format = self.book.add_format({"num_format": "yyyy-mm-dd"})
        self.time_format = self.book.add_format({"num_format": "yyyy-mm-dd hh:mm"})
        self._money: dict[str, Any] = {}
        self.sheets: dict[str, Any] = {}
        self.next_row: dict[str, int] = {}
        for sheet, columns in SHEETS.items():
            ws = self.book.add_worksheet(sheet)
            ws.write_row(0, 0, columns, bold)
            ws.freeze_panes(1, 0)
            self.sheets[sheet], self.next_row[sheet] = ws, 1

    def _money_format(self, currency: str) -> Any:
        if currency not in self._money:
            code = "".join(ch for ch in currency if ch.isalnum())[:3]
            self._money[currency] = self.book.add_format({"num_format": f'#,##0.00 "{code}"'})
        return self._money[currency]

    def rows(self, sheet: str, rows: Sequence[Sequence[Cell]]) -> None:
        ws, r = self.sheets[sheet], self.next_row[sheet]
        write_string, write_number, write_datetime = ws.write_string, ws.write_number, ws.write_datetime
        zone, time_format, date_format = self.zone, self.time_format, self.date_format
        for row in rows:
            for c, value in enumerate(row):
                kind = value.__class__
                # The most common types first; int and Decimal by exact class (a bool is an int too).
                if isinstance(value, str):
                    write_string(r, c, value)
                elif value is None:
                    continue
                elif isinstance(value, datetime):
                    write_datetime(r, c, value.astimezone(zone).replace(tzinfo=None), time_format)
                elif kind is int or kind is Decimal:
                    write_number(r, c, value)
                elif isinstance(value, Money):
                    write_number(r, c, float(value.amount), self._money_format(value.currency))
                elif isinstance(value, date):
                    write_datetime(r, c, value, date_format)
                elif isinstance(value, bool):
                    ws.write_boolean(r, c, value)
                else:  # an int or Decimal of a subclass
                    write_number(r, c, value)
            r += 1
        self.next_row[sheet] = r

    def close(self) -> list[Path]:
        self.book.close()
        return [self.path]


@dataclass
class Export:
    """Files ready to send, in a private folder that `cleanup` removes."""

    folder: Path
    files: list[Path] = field(default_factory=list)

    @property
    def too_big(self) -> bool:
        return any(p.stat().st_size > UPLOAD_LIMIT for p in self.files)

    def cleanup(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)


def new_folder() -> Path:
    return Path(tempfile.mkdtemp(prefix="salesbot-export-"))  # 0700


async def export_records(session: AsyncSession, fmt: Format, zone: str, stem: str, page: int = PAGE) -> Export:
    """Every record the session's member sees, with notes and history, as CSV files or a workbook."""
    folder = new_folder()
    result = Export(folder)
    try:
        writer: Writer
        if fmt is Format.XLSX:
            writer = await asyncio.to_thread(XlsxWriter, folder, stem, zone)
        else:
            writer = await asyncio.to_thread(CsvWriter, folder, stem, zone)
        for sheet, pages in (
            ("records", record_pages(session, page)),
            ("notes", note_pages(session, page)),
            ("history", history_pages(session, page)),
        ):
            async for rows in pages:
                await asyncio.to_thread(writer.rows, sheet, rows)
        result.files = await asyncio.to_thread(writer.close)
    except BaseException:
        result.cleanup()
        raise
    return result


def contact_of(lead: Lead) -> Contact:
    return Contact(
        first_name=lead.first_name,
        last_name=lead.last_name,
        company=lead.company,
        job_title=lead.job_title,
        emails=list(lead.emails),
        phones=list(lead.phones),
        website=lead.website,
        address=lead.address,
        birthday=lead.birthday,
    )


async def export_vcards(session: AsyncSession, stem: str, page: int = PAGE) -> Export:
    """Every record the session's member sees as one .vcf file, written page by page."""
    folder = new_folder()
    path = folder / f"{stem}.vcf"
    _private_file(path)
    try:
        with path.open("w", encoding="utf-8", newline="") as handle:
            last = 0
            while True:
                rows = list(
                    await session.exec(select(Lead).where(col(Lead.id) > last).order_by(col(Lead.id)).limit(page))
                )
                if not rows:
                    break
                last = leads.saved_id(rows[-1].id)
                contacts = [contact_of(lead) for lead in rows]
                session.expunge_all()
                await asyncio.to_thread(handle.write, vcards(contacts))
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    return Export(folder, [path])


async def one_vcard(session: AsyncSession, lead_id: int) -> tuple[Lead, bytes]:
    lead = await leads.get_visible(session, lead_id)
    return lead, vcard(contact_of(lead)).encode()


# --- a person's data report (subject access) ------------------------------------------------


def _plain(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, StrEnum):
        return value.value
    return value


async def data_report(session: AsyncSession, lead_id: int, now: datetime) -> tuple[Lead, bytes]:
    """Everything held about one contact, as a JSON document: the record's fields (raw card text
    included), contact points, notes, stage history and reminders. Times in UTC."""
    lead = await leads.get_visible(session, lead_id)
    skip = {"search_text", "name_key", "company_key"}  # derived from the fields, for searching
    fields = {k: _plain(v) for k, v in lead.model_dump().items() if k not in skip}
    points = await session.exec(select(ContactPoint).where(col(ContactPoint.lead_id) == lead_id))
    notes = await session.exec(select(Activity).where(col(Activity.lead_id) == lead_id).order_by(col(Activity.at)))
    changes = await session.exec(
        select(StageChange).where(col(StageChange.lead_id) == lead_id).order_by(col(StageChange.at))
    )
    reminders = await session.exec(
        select(Reminder).where(col(Reminder.lead_id) == lead_id).order_by(col(Reminder.due_at))
    )
    document = {
        "generated_at": now.isoformat(),
        "about": "Everything this team's sales bot holds about one contact.",
        "record": fields,
        "contact_points": [{"kind": p.kind.value, "value": p.value} for p in points],
        "notes": [{"at": _plain(n.at), "kind": n.kind.value, "text": n.text} for n in notes],
        "history": [
            {
                "at": _plain(c.at),
                "event": c.event.value,
                "from_stage": _plain(c.from_stage),
                "to_stage": c.to_stage.value,
                "reason": c.reason,
            }
            for c in changes
        ],
        "reminders": [
            {"due_at": _plain(r.due_at), "kind": r.kind.value, "status": r.status.value, "reason": r.reason}
            for r in reminders
        ],
    }
    out = io.StringIO()
    json.dump(document, out, ensure_ascii=False, indent=2)
    return lead, out.getvalue().encode()
