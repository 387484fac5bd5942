"""Throughput and latency at scale, and what the update inbox costs per update.

Part 1, end to end through the Bot API emulator (tests/e2e/fakegram): the real `salesbot run`
process(es) in webhook mode; the bench POSTs updates to the webhook with the secret header, as
Telegram does, and watches the replies arrive at the emulator. 20 chats (reps of one team created
in the database beforehand) each send `/find w<chat>-<update id>`; the bot answers "Nothing found
for …". Set-ups:

    (a) SQLite, one instance (webhook)
    (b) PostgreSQL, one instance (webhook)
    (c) PostgreSQL, two instances (webhook; updates POSTed alternately to each; REDIS_URL set, so
        both share one Telegram sending budget, as several processes must)

Three load shapes per set-up: "1 chat" (one chat alone, each update sent when the previous reply
has arrived: the latency of an idle bot), "closed" (all chats at once, each sending its next update
when the reply to its previous one has arrived) and "burst" (every chat POSTs all its updates at
once, in order, and the replies are collected as they come; latency then includes the wait in the
inbox queue).
Throughput = updates / (last reply observed - first POST sent); latency = POST sent -> its reply
observed by the driver (the harness itself costs ~1.5-2 ms per observed reply, see the emulator's
README, "Latency / throughput floor"). Also shown: the bots' own mean time in process_update (from
their /metrics), their CPU time per update, and the CPU use of every party, "others" being the rest
of the machine: a row with a large "others" was measured on a busy machine and says little.

Each set-up runs twice: "30/s" is the bot as it is, whose rate limiter holds every process (or,
with Redis, all of them together) to Telegram's 30 messages a second overall, so throughput cannot
exceed 30/s; no setting lifts that cap. "cap lifted" starts the same `salesbot run` through this
script (`--serve-uncapped`), which, in the child process only and without touching any project
file, builds the same limiters with no overall budget (the in-process limiter with
overall_max_rate=0; the Redis limiter's 30/s item replaced by 1,000,000/s, so its Redis round trips
remain). The hook that marks an update handled before its first answer still runs.

Part 2, in process (no emulator, no network): the real Application built with
`build_application(settings, request=<recording fake>, rate_limiter=False, migrate=False)` on a
migrated database; for M `/find` updates of existing members, alternately:

    (a) direct: `await app.process_update(Update.de_json(payload, app.bot))`
    (b) inbox:  `InboxWorker.receive` (what the webhook and the poller call: the update stored and,
        its chat being idle, leased to a free slot in the same transaction), then the real worker,
        started as in `salesbot run`, handles it in that slot and finishes it.

Since `rate_limiter=False` drops the hook the runtime's limiter calls before each Bot API call
(`bot.runtime.worker.mark_answering`: an update that wrote nothing, like /find, is marked
handled in a transaction of its own before its answer goes out), the fake request calls that hook
itself, so (b) pays what the runtime pays. Reported: p50/p95 of (b - a) per pair, to the moment the
reply leaves (latency) and to the end of the update's handling (work, the finish after the reply
included), and each inbox step timed on its own (receive, mark before answer, finish). Target: the
inbox adds at most 5 ms p95 of latency per update.

Commands (the first is the whole bench with its defaults, spelled out in the second; about 4
minutes on an idle 2-core machine, more when other work runs on it):

    .venv/bin/python bench/scale.py
    .venv/bin/python bench/scale.py --chats 20 --per-chat 8 --inbox-updates 500 --inbox-warmup 20 \\
        --url postgresql+asyncpg://postgres@127.0.0.1:5432/test --redis-url redis://127.0.0.1:6379/11
    .venv/bin/python bench/scale.py --skip-e2e             # part 2 only (no emulator needed)
    .venv/bin/python bench/scale.py --skip-inbox           # part 1 only
    .venv/bin/python bench/scale.py --harness /tmp/harness --logs /tmp/scale-logs
        # the emulator from a copy of tests/e2e/fakegram where `npm ci` was run; keep the logs

The bot processes get this process's environment (then the bench's own settings), so a setting
such as INBOX_SLOTS=1 in front of the command reaches them. The database named in --url is left
alone: the bench makes `<name>_bench_scale` beside it and drops it at the end; SQLite files live in
a temporary folder. Redis database 11 is used (the limiter's keys only) so that a test suite using
database 0 does not share its budget.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import os
import re
import signal
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Coroutine, Iterator
from dataclasses import astuple, dataclass, field
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

ROOT = Path(__file__).resolve().parent.parent
HARNESS = ROOT / "tests" / "e2e" / "fakegram"
sys.path.insert(0, str(ROOT))

import aiohttp  # noqa: E402
from sqlalchemy import text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from bench.common import fresh_database  # noqa: E402
from bot.db import Database, Scope  # noqa: E402
from models import Member, Role, Team  # noqa: E402

if TYPE_CHECKING:
    import drive  # the emulator's driver, imported from --harness at run time

TOKEN = "424242:AAH" + "x" * 32
SECRET = "bench-scale-secret"
FIRST_USER = 7000
TELEGRAM_LIMIT = 30.0
TARGET_MS = 5.0
CLK_TCK = os.sysconf("SC_CLK_TCK")


# ---------------------------------------------------------------------------------------- shared


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def make_update(update_id: int, user_id: int, text_: str) -> dict[str, Any]:
    """A private-chat message update as Telegram sends it (a command gets its bot_command entity)."""
    user = {"id": user_id, "is_bot": False, "first_name": f"Rep{user_id - FIRST_USER}", "language_code": "en"}
    message: dict[str, Any] = {
        "message_id": update_id,
        "date": int(time.time()),
        "chat": {"id": user_id, "type": "private", "first_name": user["first_name"]},
        "from": user,
        "text": text_,
    }
    if text_.startswith("/"):
        message["entities"] = [{"type": "bot_command", "offset": 0, "length": len(text_.split()[0])}]
    return {"update_id": update_id, "message": message}


async def team_of_reps(url: str, chats: int) -> list[int]:
    """One team: an owner and `chats - 1` reps, each with a time zone (so nothing asks for one)."""
    db = Database(url)
    async with db.begin(Scope.system()) as s:
        team = Team(name="Scale")
        s.add(team)
        await s.flush()
        for i in range(chats):
            s.add(
                Member(
                    team_id=team.id,  # type: ignore[arg-type]
                    telegram_user_id=FIRST_USER + i,
                    first_name=f"Rep{i}",
                    role=Role.OWNER if i == 0 else Role.REP,
                    timezone="Europe/Zagreb",
                )
            )
    await db.dispose()
    return [FIRST_USER + i for i in range(chats)]


async def drop_database(url: str, admin_url: str) -> None:
    """Drop the database `url` names, connected to the one `admin_url` names."""
    admin = Database(admin_url, isolation_level="AUTOCOMMIT")
    async with admin.engine.connect() as conn:
        await conn.execute(text(f'DROP DATABASE IF EXISTS "{make_url(url).database}" WITH (FORCE)'))
    await admin.dispose()


async def database_for(kind: str, pg_url: str, workdir: Path, name: str) -> str:
    """A migrated, empty database: a new SQLite file, or `<name>_bench_scale` made anew."""
    if kind == "sqlite":
        return await fresh_database(f"sqlite+aiosqlite:///{workdir / f'{name}.db'}", "")
    return await fresh_database(pg_url, "bench_scale")


# ------------------------------------------------------------------------ part 1: end to end


@dataclass(frozen=True)
class Setup:
    label: str
    database: str  # "sqlite" | "postgresql"
    instances: int
    redis: bool


SETUPS = (
    Setup("(a) SQLite, 1 instance", "sqlite", 1, False),
    Setup("(b) PostgreSQL, 1 instance", "postgresql", 1, False),
    Setup("(c) PostgreSQL, 2 instances", "postgresql", 2, True),
)


@dataclass
class Measure:
    setup: str
    limiter: str
    shape: str
    updates: int
    seconds: float
    latencies: list[float]
    cpu: dict[str, float]  # percent of one core over the measurement
    bot_cpu: float  # CPU seconds of the bot process(es)
    handled: float  # mean seconds inside process_update, from the bots' /metrics
    stray: int = 0
    retries: int = 0

    @property
    def rate(self) -> float:
        return self.updates / self.seconds if self.seconds else 0.0


def cpu_ticks(pid: int) -> int:
    """utime + stime of a process so far (clock ticks), 0 once it is gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0
    return int(fields[11]) + int(fields[12])


def machine_ticks() -> tuple[int, int]:
    """The machine's busy (steal included) and idle clock ticks so far, over all cores (/proc/stat)."""
    values = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:9]]
    user, nice, system, idle, iowait, irq, softirq, steal = values
    return user + nice + system + irq + softirq + steal, idle + iowait


async def backend_ticks(db: Database) -> dict[int, int]:
    """CPU clock ticks of each PostgreSQL backend connected to `db`'s database (but this query's)."""
    async with db.read(Scope.system()) as session:
        query = "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"
        pids = (await session.scalars(text(query))).all()
    return {int(pid): cpu_ticks(int(pid)) for pid in pids}


def open_log(path: Path) -> IO[bytes]:
    return path.open("ab")


@dataclass
class Run:
    """One set-up running: the bot process(es), the driver's users, and an HTTP session to POST with."""

    fg: drive.Fakegram
    emulator_pid: int
    bots: list[asyncio.subprocess.Process]
    ports: list[int]
    http: aiohttp.ClientSession
    users: dict[int, drive.User]
    ids: Iterator[int]
    pg: Database | None = None  # the bench's database, to find the PostgreSQL backends serving it
    stray: int = 0
    retries: int = 0

    async def post(self, update_id: int, user_id: int, text_: str) -> None:
        """POST one update to its instance; like Telegram, try again (after 0.5 s) when the answer is
        not 200 (e.g. SQLite's busy timeout ran out on a starved machine)."""
        port = self.ports[update_id % len(self.ports)]
        body = make_update(update_id, user_id, text_)
        headers = {"X-Telegram-Bot-Api-Secret-Token": SECRET}
        for attempt in range(5):
            async with self.http.post(f"http://127.0.0.1:{port}/telegram", json=body, headers=headers) as r:
                if r.status == 200:
                    return
                answer = f"{r.status}: {await r.text()}"
            self.retries += 1
            if attempt == 4:
                raise RuntimeError(f"webhook on port {port} answered {answer}")
            await asyncio.sleep(0.5)

    async def reply_to(self, user: drive.User, marker: str) -> float:
        """Wait for the reply naming `marker`; the moment it was observed. Other messages (none are
        expected) are counted and skipped."""
        pattern = re.compile(re.escape(marker) + r"(?!\d)")
        while True:
            [message] = await user.wait_replies(1, timeout=120)
            if pattern.search(message.text or ""):
                return time.perf_counter()
            self.stray += 1

    async def handled(self) -> tuple[float, int]:
        """Seconds spent in process_update and updates handled so far, over all bots (/metrics)."""
        seconds, count = 0.0, 0
        for port in self.ports:
            async with self.http.get(f"http://127.0.0.1:{port}/metrics") as r:
                page = await r.text()
            for line in page.splitlines():
                if line.startswith("salesbot_update_seconds_sum"):
                    seconds += float(line.rsplit(" ", 1)[1])
                elif line.startswith("salesbot_update_seconds_count"):
                    count += int(float(line.rsplit(" ", 1)[1]))
        return seconds, count

    async def cpu(self) -> dict[str, Any]:
        """CPU clock ticks so far: the bots, the emulator, this driver, the PostgreSQL backends
        serving the bench's database (per pid), and the whole machine."""
        backends = await backend_ticks(self.pg) if self.pg is not None else {}
        busy, idle = machine_ticks()
        return {
            "bots": sum(cpu_ticks(b.pid) for b in self.bots),
            "emulator": cpu_ticks(self.emulator_pid),
            "driver": int(time.process_time() * CLK_TCK),
            "postgres": backends,
            "busy": busy,
            "idle": idle,
        }


Shape = Callable[[], Coroutine[Any, Any, tuple[float, float, list[float]]]]


async def measured(run: Run, setup: str, limiter: str, shape: str, body: Shape) -> Measure:
    """Run one load shape; `body` returns when its first POST was sent, when its last reply was
    observed, and the latencies."""
    before, handled, start = await run.cpu(), await run.handled(), time.perf_counter()
    stray, retries = run.stray, run.retries
    first_post, last_seen, latencies = await body()
    wall = time.perf_counter() - start
    after, handled_after = await run.cpu(), await run.handled()
    ticks = {k: after[k] - before[k] for k in ("bots", "emulator", "driver", "busy", "idle")}
    ticks["postgres"] = sum(t - before["postgres"].get(pid, 0) for pid, t in after["postgres"].items())
    ours = sum(ticks[k] for k in ("bots", "emulator", "driver", "postgres"))
    ticks["others"] = max(0, ticks["busy"] - ours)
    cpu = {k: 100.0 * v / CLK_TCK / wall for k, v in ticks.items()}
    count = handled_after[1] - handled[1]
    return Measure(
        setup,
        limiter,
        shape,
        len(latencies),
        last_seen - first_post,
        latencies,
        cpu,
        (after["bots"] - before["bots"]) / CLK_TCK,
        (handled_after[0] - handled[0]) / count if count else 0.0,
        run.stray - stray,
        run.retries - retries,
    )


async def closed_loop(run: Run, per_chat: int, chats: int = 0) -> tuple[float, float, list[float]]:
    """Each chat (of the first `chats`; all by default) sends its next update once the reply to its
    previous one has arrived."""
    users = list(run.users.items())[: chats or None]
    latencies: list[float] = []
    first_post = time.perf_counter()

    async def chat(uid: int, user: drive.User) -> None:
        for _ in range(per_chat):
            update_id = next(run.ids)
            marker = f"w{uid}-{update_id}"
            sent = time.perf_counter()
            await run.post(update_id, uid, f"/find {marker}")
            latencies.append(await run.reply_to(user, marker) - sent)

    await asyncio.gather(*(chat(uid, user) for uid, user in users))
    return first_post, time.perf_counter(), latencies


async def burst(run: Run, per_chat: int) -> tuple[float, float, list[float]]:
    """Every chat POSTs all its updates at once (each chat's in order, as Telegram delivers them);
    the replies are collected as they come."""
    latencies: list[float] = []
    sent_at: dict[str, float] = {}
    first_post = time.perf_counter()

    async def sender(uid: int, markers: list[tuple[int, str]]) -> None:
        for update_id, marker in markers:
            sent_at[marker] = time.perf_counter()
            await run.post(update_id, uid, f"/find {marker}")

    async def receiver(user: drive.User, markers: list[tuple[int, str]]) -> None:
        for _, marker in markers:
            seen = await run.reply_to(user, marker)
            latencies.append(seen - sent_at[marker])

    plan = {uid: [(i, f"w{uid}-{i}") for i in itertools.islice(run.ids, per_chat)] for uid in run.users}
    await asyncio.gather(
        *(sender(uid, markers) for uid, markers in plan.items()),
        *(receiver(run.users[uid], markers) for uid, markers in plan.items()),
    )
    return first_post, time.perf_counter(), latencies


async def wait_healthy(http: aiohttp.ClientSession, port: int, proc: asyncio.subprocess.Process) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.returncode is not None:
            raise RuntimeError(f"the bot on port {port} exited with code {proc.returncode}")
        try:
            async with http.get(f"http://127.0.0.1:{port}/healthz") as r:
                if r.status == 200:
                    return
        except aiohttp.ClientError:
            pass
        await asyncio.sleep(0.1)
    raise RuntimeError(f"the bot on port {port} did not start")


async def stop(proc: asyncio.subprocess.Process) -> None:
    if proc.returncode is None:
        proc.send_signal(signal.SIGTERM)
        try:
            await asyncio.wait_for(proc.wait(), 15)
        except TimeoutError:
            proc.kill()
            await proc.wait()


def load_driver(harness: Path) -> Any:
    """tests/e2e/fakegram/drive.py, or that of a copy of the harness (with its own node_modules)."""
    if not (harness / "node_modules" / "telegram-test-api").is_dir():
        raise SystemExit(f"the emulator's packages are missing in {harness}: run `npm ci` there (or pass --harness)")
    sys.path.insert(0, str(harness))
    import drive

    return drive


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def run_setup(
    setup: Setup, url: str, users: list[int], *, capped: bool, args: argparse.Namespace, workdir: Path
) -> list[Measure]:
    limiter = ("Redis, shared " if setup.redis else "in-process ") + ("30/s" if capped else "cap lifted")
    logs = workdir / f"{setup.database}-{setup.instances}-{'capped' if capped else 'uncapped'}"
    logs.mkdir()
    drive = load_driver(args.harness)
    async with drive.Stack(None, token=TOKEN, log_dir=logs, bot_username="salesbot_e2e_bot", timeout=120) as fg:
        assert fg.stack is not None and fg.stack.emulator is not None
        ports = [free_port() for _ in range(setup.instances)]
        env = {
            **os.environ,
            "TELEGRAM_BOT_TOKEN": TOKEN,
            "TELEGRAM_API_BASE_URL": fg.url,
            "DATABASE_URL": url,
            "WEBHOOK_URL": f"http://127.0.0.1:{ports[0]}/telegram",
            "WEBHOOK_SECRET": SECRET,
            "WEBHOOK_LISTEN": "127.0.0.1",
            "REDIS_URL": args.redis_url if setup.redis else "",
            "LOG_LEVEL": "WARNING",
        }
        command = [sys.executable, "-m", "bot", "run"] if capped else [sys.executable, __file__, "--serve-uncapped"]
        bots = []
        for i, port in enumerate(ports):
            log = open_log(logs / f"bot{i}.log")
            bots.append(
                await asyncio.create_subprocess_exec(
                    *command, env={**env, "WEBHOOK_PORT": str(port)}, stdout=log, stderr=log, cwd=str(logs)
                )
            )
            log.close()
        pg = Database(url) if setup.database == "postgresql" else None
        try:
            async with aiohttp.ClientSession() as http:
                await asyncio.gather(*(wait_healthy(http, p, b) for p, b in zip(ports, bots, strict=True)))
                run = Run(
                    fg=fg,
                    emulator_pid=fg.stack.emulator.pid,
                    bots=bots,
                    ports=ports,
                    http=http,
                    users={uid: await fg.user(uid, first_name=f"Rep{uid - FIRST_USER}") for uid in users},
                    ids=itertools.count(next(args.ids_block)),
                    pg=pg,
                )
                await closed_loop(run, 2)  # warm-up: connections, caches, first queries
                out = [
                    await measured(run, setup.label, limiter, "1 chat", lambda: closed_loop(run, args.single, 1)),
                    await measured(run, setup.label, limiter, "closed", lambda: closed_loop(run, args.per_chat)),
                    await measured(run, setup.label, limiter, "burst", lambda: burst(run, args.per_chat)),
                ]
        finally:
            for proc in bots:
                await stop(proc)
            if pg is not None:
                await pg.dispose()
    return out


async def end_to_end(args: argparse.Namespace, workdir: Path) -> list[Measure]:
    results: list[Measure] = []
    for setup in SETUPS:
        url = await database_for(setup.database, args.url, workdir, f"e2e-{setup.instances}")
        users = await team_of_reps(url, args.chats)
        try:
            for capped in (True, False):
                started = time.perf_counter()
                got = await run_setup(setup, url, users, capped=capped, args=args, workdir=workdir)
                results += got
                for m in got:
                    print(
                        f"  {m.setup:28} {m.limiter:24} {m.shape:6} {m.rate:6.1f} updates/s "
                        f"p50 {1000 * statistics.median(m.latencies):6.1f} ms ({time.perf_counter() - started:.0f} s)",
                        flush=True,
                    )
        finally:
            if setup.database == "postgresql":
                await drop_database(url, args.url)
    return results


def serve_uncapped() -> int:
    """Child process: `salesbot run` with the overall 30/s budget lifted (see the module docstring)."""
    from limits import RateLimitItemPerSecond
    from telegram.ext import AIORateLimiter

    import bot.app
    import bot.runtime.limiter as limiter
    from bot.cli import main

    class UncappedRateLimiter(limiter.CountingRateLimiter):
        """The bot's in-process limiter (with its hook before each answer), without a budget."""

        def __init__(self, **kwargs: Any) -> None:
            super().__init__(**kwargs)
            max_retries = kwargs.get("max_retries", 3)
            AIORateLimiter.__init__(self, overall_max_rate=0, group_max_rate=0, max_retries=max_retries)

    bot.app.CountingRateLimiter = UncappedRateLimiter  # type: ignore[misc]
    limiter.OVERALL = RateLimitItemPerSecond(1_000_000)
    return main(["run"])


# ------------------------------------------------------------------ part 2: the inbox in process


@dataclass(frozen=True)
class Cost:
    """One timed step: wall time, and what of it the database driver took (seconds)."""

    total: float
    statements: int = 0
    compiled: int = 0  # statements compiled anew (not found in SQLAlchemy's compiled cache)
    hops: int = 0  # aiosqlite calls, each a hand-off to its thread and back (SQLite only)
    execute: float = 0.0  # inside cursor.execute (BEGIN and every statement, round trip included)
    commit: float = 0.0  # inside the driver's commit

    @property
    def other(self) -> float:
        """The rest: sessions, the scope events, SQLAlchemy compiling and loading, asyncio, and on
        SQLite aiosqlite's thread hand-offs for cursors, fetches and the pool's reset."""
        return self.total - self.execute - self.commit

    def __add__(self, more: Cost) -> Cost:
        return Cost(*(a + b for a, b in zip(astuple(self), astuple(more), strict=True)))


class Probe:
    """Counts statements (and fresh compilations) and times the driver's execute and commit calls of
    one engine; on SQLite also counts aiosqlite's thread hand-offs."""

    def __init__(self, engine: Any) -> None:
        from sqlalchemy import event
        from sqlalchemy.engine.interfaces import CacheStats

        self.statements = self.compiled = self.hops = 0
        self.execute = self.commit = 0.0
        self._started = 0.0
        self._hit = CacheStats.CACHE_HIT
        self._hooks = [
            (engine.sync_engine, "before_cursor_execute", self._before),
            (engine.sync_engine, "after_cursor_execute", self._after),
        ]
        for target, name, fn in self._hooks:
            event.listen(target, name, fn)
        dialect = engine.dialect
        real_commit = dialect.do_commit

        def timed_commit(dbapi_connection: Any) -> None:
            started = time.perf_counter()
            try:
                real_commit(dbapi_connection)
            finally:
                self.commit += time.perf_counter() - started

        dialect.do_commit = timed_commit  # the driver's commit, for sessions and plain connections alike
        self._unpatch_commit: Callable[[], None] = lambda: delattr(dialect, "do_commit")
        self._unpatch: Callable[[], None] | None = None
        if engine.dialect.name == "sqlite":
            import aiosqlite.core

            original = aiosqlite.core.Connection._execute

            async def counted(connection: Any, fn: Any, *args: Any, **kwargs: Any) -> Any:
                self.hops += 1
                return await original(connection, fn, *args, **kwargs)

            aiosqlite.core.Connection._execute = counted  # type: ignore[method-assign]

            def unpatch() -> None:
                aiosqlite.core.Connection._execute = original  # type: ignore[method-assign]

            self._unpatch = unpatch

    def close(self) -> None:
        from sqlalchemy import event

        for target, name, fn in self._hooks:
            event.remove(target, name, fn)
        self._unpatch_commit()
        if self._unpatch is not None:
            self._unpatch()

    def _before(self, *_: Any) -> None:
        self._started = time.perf_counter()

    def _after(self, _conn: Any, _cursor: Any, _statement: Any, _parameters: Any, context: Any, _many: Any) -> None:
        self.execute += time.perf_counter() - self._started
        self.statements += 1
        if context is not None and context.compiled is not None and context.cache_hit is not self._hit:
            self.compiled += 1

    def mark(self) -> Cost:
        return Cost(time.perf_counter(), self.statements, self.compiled, self.hops, self.execute, self.commit)

    def since(self, mark: Cost) -> Cost:
        return Cost(*(b - a for a, b in zip(astuple(mark), astuple(self.mark()), strict=True)))


@dataclass
class Steps:
    """Per-update costs of one database."""

    direct_reply: list[float] = field(default_factory=list)  # (a): update in hand -> its reply leaves
    direct: list[float] = field(default_factory=list)  # (a): update in hand -> handling over
    inbox_reply: list[float] = field(default_factory=list)  # (b): update received -> its reply leaves
    inbox: list[float] = field(default_factory=list)  # (b): update received -> finished in the inbox
    store: list[Cost] = field(default_factory=list)  # receive: store + take, one transaction
    mark: list[Cost] = field(default_factory=list)  # mark_answering's own transaction
    finish: list[Cost] = field(default_factory=list)
    handoff: list[float] = field(default_factory=list)  # receive over -> a slot starts handling
    empty: list[Cost] = field(default_factory=list)  # a write transaction running only SELECT 1
    others: float = 0.0  # % of one core the rest of the machine used meanwhile

    @property
    def added(self) -> list[float]:
        return [b - a for a, b in zip(self.direct_reply, self.inbox_reply, strict=True)]

    @property
    def added_work(self) -> list[float]:
        return [b - a for a, b in zip(self.direct, self.inbox, strict=True)]

    @property
    def steps_sum(self) -> list[Cost]:
        return [a + b + c for a, b, c in zip(self.store, self.mark, self.finish, strict=True)]


async def inbox_overhead(url: str, users: list[int], count: int, warmup: int) -> Steps:
    from telegram import Update

    from bot.app import build_application
    from bot.config import Settings
    from bot.runtime.worker import InboxWorker, mark_answering
    from bot.services import inbox
    from bot.state import AppState, state_of
    from tests.telegram_fake import RecordingRequest

    class AnsweringRequest(RecordingRequest):
        """The recording fake, plus the hook the runtime's rate limiter runs right before each call;
        notes when the reply (sendMessage) leaves."""

        def __init__(self) -> None:
            super().__init__()
            self.state: AppState | None = None
            self.probe: Probe | None = None
            self.marking: list[Cost] = []
            self.replied_at = 0.0

        async def do_request(
            self,
            url: str,
            method: str,
            request_data: Any = None,
            read_timeout: Any = None,
            write_timeout: Any = None,
            connect_timeout: Any = None,
            pool_timeout: Any = None,
        ) -> tuple[int, bytes]:
            endpoint = url.rsplit("/", 1)[-1]
            if self.state is not None and self.probe is not None and "/file/bot" not in url:
                started = self.probe.mark()
                await mark_answering(self.state, endpoint)
                self.marking.append(self.probe.since(started))
            if endpoint == "sendMessage":
                self.replied_at = time.perf_counter()
            return await super().do_request(
                url, method, request_data, read_timeout, write_timeout, connect_timeout, pool_timeout
            )

    class TimedWorker(InboxWorker):
        """The real worker (started: its slots wait as in `salesbot run`), telling when an update's
        handling, finish included, is over."""

        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self.handed = asyncio.Event()
            self.finished = asyncio.Event()
            self.handled_from = self.finished_at = 0.0

        async def _handle(self, claimed: inbox.Claimed) -> bool:
            self.handled_from = time.perf_counter()
            self.handed.set()
            try:
                return await super()._handle(claimed)
            finally:
                self.finished_at = time.perf_counter()
                self.finished.set()

    settings = Settings(
        telegram_bot_token=TOKEN,
        database_url=url,
        admin_ids="",
        default_timezone="Europe/Zagreb",
        redis_url="",
        _env_file=None,  # type: ignore[call-arg]
    )
    request = AnsweringRequest()
    app = build_application(settings, request=request, rate_limiter=False, migrate=False)
    state = state_of(app)
    db = state.db
    probe = Probe(db.engine)
    request.state, request.probe = state, probe
    worker = TimedWorker(app, slots=settings.inbox_slots)
    steps = Steps()
    ids = itertools.count(1)
    wrong = 0
    finishing: list[Cost] = []
    real_finish = inbox.finish

    async def timed_finish(*args: Any, **kwargs: Any) -> bool:
        started = probe.mark()
        try:
            return await real_finish(*args, **kwargs)
        finally:
            finishing.append(probe.since(started))

    inbox.finish = timed_finish  # type: ignore[assignment]  # the worker calls it through the module

    def answered(marker: str) -> bool:
        sends = [c for c in request.calls[-3:] if c.method == "sendMessage"]
        return bool(sends) and marker in sends[-1].text

    async def direct(uid: int) -> tuple[float, float]:
        update_id = next(ids)
        payload = make_update(update_id, uid, f"/find d{uid}-{update_id}")
        started = time.perf_counter()
        await app.process_update(Update.de_json(payload, app.bot))
        return request.replied_at - started, time.perf_counter() - started

    async def through_inbox(uid: int) -> tuple[float, float, Cost, Cost, Cost, float]:
        update_id = next(ids)
        payload = make_update(update_id, uid, f"/find i{uid}-{update_id}")
        worker.handed.clear()
        worker.finished.clear()
        request.marking = []
        finishing.clear()
        t0 = probe.mark()
        # what the webhook (or the poller) does on receipt
        await worker.receive([inbox.Incoming(update_id, inbox.chat_key_of(payload), payload)], "webhook")
        receive = probe.since(t0)
        await worker.finished.wait()
        reply = request.replied_at - t0.total
        total = worker.finished_at - t0.total
        handoff = worker.handled_from - (t0.total + receive.total)
        return reply, total, receive, sum(request.marking, Cost(0.0)), sum(finishing, Cost(0.0)), handoff

    async def empty_transaction() -> Cost:
        started = probe.mark()
        async with db.core() as conn:
            await conn.execute(text("SELECT 1"))
        return probe.since(started)

    try:
        async with app:
            worker.start()
            await asyncio.sleep(0.2)  # the slots are waiting, as in a running bot
            for i in range(warmup + count):
                uid = users[i % len(users)]
                if i % 2:  # alternate which goes first, so that neither profits from the other's warm caches
                    timed = await through_inbox(uid)
                    wrong += not answered(f"i{uid}-")
                    plain = await direct(uid)
                    wrong += not answered(f"d{uid}-")
                else:
                    plain = await direct(uid)
                    wrong += not answered(f"d{uid}-")
                    timed = await through_inbox(uid)
                    wrong += not answered(f"i{uid}-")
                empty = await empty_transaction()
                if i >= warmup:
                    steps.direct_reply.append(plain[0])
                    steps.direct.append(plain[1])
                    steps.inbox_reply.append(timed[0])
                    steps.inbox.append(timed[1])
                    steps.store.append(timed[2])
                    steps.mark.append(timed[3])
                    steps.finish.append(timed[4])
                    steps.handoff.append(timed[5])
                    steps.empty.append(empty)
                request.calls.clear()
            await worker.stop(grace=1)
    finally:
        inbox.finish = real_finish  # type: ignore[assignment]
        probe.close()
        await db.dispose()
    if wrong:
        raise RuntimeError(f"{wrong} updates were not answered with their search")
    return steps


async def inbox_part(args: argparse.Namespace, workdir: Path) -> dict[str, Steps]:
    out: dict[str, Steps] = {}
    for kind in ("sqlite", "postgresql"):
        url = await database_for(kind, args.url, workdir, "inbox")
        try:
            users = await team_of_reps(url, args.chats)
            pg = Database(url) if kind == "postgresql" else None
            before = (machine_ticks()[0], time.process_time(), await backend_ticks(pg) if pg else {})
            started = time.perf_counter()
            out[kind] = steps = await inbox_overhead(url, users, args.inbox_updates, args.inbox_warmup)
            wall = time.perf_counter() - started
            backends = await backend_ticks(pg) if pg else {}
            if pg is not None:
                await pg.dispose()
            ours = (time.process_time() - before[1]) * CLK_TCK
            ours += sum(t - before[2].get(pid, 0) for pid, t in backends.items())
            steps.others = max(0.0, 100.0 * (machine_ticks()[0] - before[0] - ours) / CLK_TCK / wall)
            print(f"  inbox in process, {kind}: {time.perf_counter() - started:.0f} s", flush=True)
        finally:
            if kind == "postgresql":
                await drop_database(url, args.url)
    return out


# ------------------------------------------------------------------------------------- report


def ms(values: list[float], q: float) -> str:
    return f"{1000 * pct(values, q):.1f}"


def report_e2e(results: list[Measure], args: argparse.Namespace) -> None:
    print(
        f"\n1. End to end, webhook mode: {args.single} `/find` updates of 1 chat alone, then {args.chats} chats x "
        f"{args.per_chat} updates per shape (after 2 warm-up updates per chat), reply observed through the emulator. "
        "'handle' is the bots' own mean time in "
        "process_update (their /metrics; waits for the sending budget included), 'bot CPU' the CPU time of the bot "
        "process(es) per update (ms), then CPU use in % of one core by the bots, the emulator, the driver, the "
        "PostgreSQL backends serving the bench, and everything else on the machine (other processes, VM steal)"
    )
    header = (
        f"{'set-up':28} {'limiter':24} {'shape':6} {'updates':>7} {'upd/s':>6} {'p50 ms':>7} {'p95 ms':>7} "
        f"{'handle':>6} {'bot CPU':>7} {'CPU% bots/emul/driver/pg/others':>31}"
    )
    print(header)
    print("-" * len(header))
    for m in results:
        cpu = "/".join(f"{m.cpu[k]:.0f}" for k in ("bots", "emulator", "driver", "postgres", "others"))
        print(
            f"{m.setup:28} {m.limiter:24} {m.shape:6} {m.updates:7d} {m.rate:6.1f} {ms(m.latencies, 0.5):>7} "
            f"{ms(m.latencies, 0.95):>7} {1000 * m.handled:6.1f} {1000 * m.bot_cpu / m.updates:7.1f} {cpu:>31}"
        )
    stray, retries = sum(m.stray for m in results), sum(m.retries for m in results)
    if stray:
        print(f"(messages other than the expected replies: {stray}, skipped)")
    if retries:
        print(f"(webhook POSTs answered with an error and sent again: {retries})")
    print(
        f"'30/s' rows: the bot as it is; its limiter keeps to Telegram's {TELEGRAM_LIMIT:.0f} messages/s. No setting "
        "lifts that; 'cap lifted' rows run the same bot through this script's launcher (--serve-uncapped). "
        f"{os.cpu_count()} CPU cores are shared by the bot(s), the emulator and the driver."
    )


def report_inbox(out: dict[str, Steps], args: argparse.Namespace) -> None:
    print(
        f"\n2. Inbox cost per update, in process: {args.inbox_updates} `/find` updates each way, alternating "
        f"(after {args.inbox_warmup} warm-up pairs); ms. Latency is counted to the moment the reply leaves "
        "(sendMessage called); 'work' to the end of the update's handling, the inbox's finish included (which "
        "comes after the reply).\n   Inbox steps: statements, of which compiled anew (SQLAlchemy cache miss), "
        "aiosqlite thread hand-offs (SQLite), and the p50 of the time inside the driver's execute (BEGIN, "
        "statements, round trips) and commit; 'other' is the rest (SQLAlchemy, asyncio; on SQLite mostly the "
        "hand-offs outside execute)"
    )
    header = (
        f"{'database':10} {'what':50} {'p50':>5} {'p95':>5} {'mean':>5} {'stmts':>5} {'comp':>4} {'hops':>4} "
        f"{'exec':>5} {'commit':>6} {'other':>5}"
    )
    print(header)
    print("-" * len(header))
    for kind, s in out.items():
        print(f"{kind:10} (meanwhile the rest of the machine used {s.others:.0f}% of one core)")
        plain: list[tuple[str, list[float]]] = [
            ("(a) direct: process_update, to the reply", s.direct_reply),
            ("(b) through the inbox, received to the reply", s.inbox_reply),
            ("(b - a), paired: latency the inbox adds", s.added),
            ("(a) direct: process_update, whole", s.direct),
            ("(b) through the inbox, whole (finish included)", s.inbox),
            ("(b - a), paired: work the inbox adds", s.added_work),
            ("  hand-off: received to a slot's first step", s.handoff),
        ]
        for name, values in plain:
            print(
                f"{kind:10} {name:50} {ms(values, 0.5):>5} {ms(values, 0.95):>5} {1000 * statistics.fmean(values):5.1f}"
            )
        costs: list[tuple[str, list[Cost]]] = [
            ("  receive: store + take (one transaction)", s.store),
            ("  mark before answer (its own transaction)", s.mark),
            ("  finish (its own transaction, after the reply)", s.finish),
            ("  sum of these three inbox steps", s.steps_sum),
            ("  for scale: a write transaction with SELECT 1", s.empty),
        ]
        for name, values in costs:
            totals = [c.total for c in values]
            hops = f"{statistics.fmean(c.hops for c in values):4.0f}" if kind == "sqlite" else f"{'-':>4}"
            print(
                f"{kind:10} {name:50} {ms(totals, 0.5):>5} {ms(totals, 0.95):>5} "
                f"{1000 * statistics.fmean(totals):5.1f} {statistics.fmean(c.statements for c in values):5.0f} "
                f"{statistics.fmean(c.compiled for c in values):4.0f} {hops} "
                f"{ms([c.execute for c in values], 0.5):>5} {ms([c.commit for c in values], 0.5):>6} "
                f"{ms([c.other for c in values], 0.5):>5}"
            )
    for kind, s in out.items():
        p95 = 1000 * pct(s.added, 0.95)
        verdict = (
            "met" if p95 <= TARGET_MS else f"missed by {p95 - TARGET_MS:.1f} ms ({p95 / TARGET_MS:.1f}x the target)"
        )
        print(
            f"{kind}: the inbox adds {p95:.1f} ms p95 of latency per update (target {TARGET_MS:.0f} ms): {verdict}; "
            f"and {1000 * pct(s.added_work, 0.95):.1f} ms p95 of work, finish included"
        )


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chats", type=int, default=20)
    parser.add_argument("--per-chat", type=int, default=8, help="updates per chat in each load shape")
    parser.add_argument("--single", type=int, default=30, help="updates of one chat alone, one after another")
    parser.add_argument("--inbox-updates", type=int, default=500)
    parser.add_argument("--inbox-warmup", type=int, default=20)
    parser.add_argument(
        "--url", default=os.environ.get("TEST_POSTGRES_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/test")
    )
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/11")
    parser.add_argument(
        "--harness", type=Path, default=HARNESS, help="the emulator's folder (default tests/e2e/fakegram)"
    )
    parser.add_argument("--logs", type=Path, help="keep the bots' and the emulator's logs in this (new) folder")
    parser.add_argument("--skip-e2e", action="store_true")
    parser.add_argument("--skip-inbox", action="store_true")
    args = parser.parse_args()
    args.ids_block = itertools.count(1_000_000, 1_000_000)  # update ids: a fresh block per run
    started, load = time.perf_counter(), os.getloadavg()
    with tempfile.TemporaryDirectory(prefix="bench-scale-") as tmp:
        workdir = Path(tmp)
        if args.logs is not None:
            args.logs.mkdir(parents=True)
            workdir = args.logs
        results = await end_to_end(args, workdir) if not args.skip_e2e else []
        inbox_results = await inbox_part(args, workdir) if not args.skip_inbox else {}
    if results:
        report_e2e(results, args)
    if inbox_results:
        report_inbox(inbox_results, args)
    print(
        f"\n(run time {time.perf_counter() - started:.0f} s; load average before {load[0]:.2f}, "
        f"after {os.getloadavg()[0]:.2f}, on {os.cpu_count()} cores)"
    )


if __name__ == "__main__":
    if sys.argv[1:] == ["--serve-uncapped"]:
        sys.exit(serve_uncapped())
    asyncio.run(main())
