"""Several bot processes on one database: webhook mode behind a load balancer (two instances, one
killed half-way) and long polling (only one process polls; another takes over)."""

from __future__ import annotations

import asyncio
import os
import re
import signal
import socket
import sys
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path

import aiohttp
import pytest

from bot.db import Database, Scope
from models import Member, Role, Team
from tests.e2e.conftest import _require_emulator, drive
from tests.telegram_fake import TOKEN

SECRET = "e2e-webhook-secret"
CHATS = 20
PER_CHAT = 10
KILL_ROUND = PER_CHAT // 2
FIRST_USER = 7000


async def _team_of_reps(url: str) -> None:
    db = Database(url)
    async with db.begin(Scope.system()) as s:
        team = Team(name="Scale")
        s.add(team)
        await s.flush()
        for i in range(CHATS):
            s.add(
                Member(
                    team_id=team.id,
                    telegram_user_id=FIRST_USER + i,
                    first_name=f"Rep{i}",
                    role=Role.OWNER if i == 0 else Role.REP,
                    timezone="Europe/Zagreb",
                )
            )
    await db.dispose()


def _update(update_id: int, user_id: int, text: str) -> dict:
    user = {"id": user_id, "is_bot": False, "first_name": f"Rep{user_id - FIRST_USER}", "language_code": "en"}
    message = {
        "message_id": update_id,
        "date": int(time.time()),
        "chat": {"id": user_id, "type": "private", "first_name": user["first_name"]},
        "from": user,
        "text": text,
    }
    if text.startswith("/"):
        message["entities"] = [{"type": "bot_command", "offset": 0, "length": len(text.split()[0])}]
    return {"update_id": update_id, "message": message}


async def _spawn(env: dict[str, str], log: Path, cwd: Path) -> asyncio.subprocess.Process:
    handle = log.open("ab")
    return await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "run", env={**os.environ, **env}, stdout=handle, stderr=asyncio.subprocess.STDOUT,
        cwd=str(cwd),
    )  # fmt: skip


async def _wait_ready(port: int) -> None:
    deadline = time.monotonic() + 30
    async with aiohttp.ClientSession() as http:
        while time.monotonic() < deadline:
            try:
                async with http.get(f"http://127.0.0.1:{port}/healthz") as r:
                    if r.status == 200:
                        return
            except aiohttp.ClientError:
                pass
            await asyncio.sleep(0.1)
    raise AssertionError(f"the instance on port {port} did not start")


def two_free_ports() -> list[int]:
    """Two different free ports (asked for together: one after the other, the system may give the
    same port twice)."""
    with socket.socket() as a, socket.socket() as b:
        a.bind(("127.0.0.1", 0))
        b.bind(("127.0.0.1", 0))
        return [a.getsockname()[1], b.getsockname()[1]]


async def _until(condition: Callable[[], bool], seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while not condition() and time.monotonic() < deadline:  # noqa: ASYNC110  (a log file, not an event)
        await asyncio.sleep(0.2)


async def _stop(proc: asyncio.subprocess.Process) -> None:
    if proc.returncode is None:
        proc.send_signal(signal.SIGTERM)
        await asyncio.wait_for(proc.wait(), 15)


@pytest.mark.usefixtures("db")  # tables emptied first
async def test_two_webhook_instances_keep_order_lose_nothing_and_survive_a_kill(database_url, tmp_path):
    if not database_url.startswith("postgresql"):
        pytest.skip("several instances need PostgreSQL (run the suite with DATABASE_URL=postgresql+asyncpg://…)")
    _require_emulator()
    await _team_of_reps(database_url)
    ports = two_free_ports()
    async with drive.Stack(None, token=TOKEN, log_dir=tmp_path, bot_username="salesbot_e2e_bot") as fg:
        base = {
            "TELEGRAM_BOT_TOKEN": TOKEN,
            "TELEGRAM_API_BASE_URL": fg.url,
            "DATABASE_URL": database_url,
            "WEBHOOK_URL": f"http://127.0.0.1:{ports[0]}/telegram",
            "WEBHOOK_SECRET": SECRET,
            "WEBHOOK_LISTEN": "127.0.0.1",
            "INBOX_LEASE_SECONDS": "4",
            "LOG_LEVEL": "INFO",
        }
        bots = [
            await _spawn({**base, "WEBHOOK_PORT": str(port)}, tmp_path / f"bot{i}.log", tmp_path)
            for i, port in enumerate(ports)
        ]
        try:
            await asyncio.gather(*(_wait_ready(p) for p in ports))
            users = {uid: await fg.user(uid) for uid in range(FIRST_USER, FIRST_USER + CHATS)}
            async with aiohttp.ClientSession() as http:
                # Without the secret: refused and not stored.
                intruder = _update(1, FIRST_USER, "/find intruder")
                async with http.post(f"http://127.0.0.1:{ports[0]}/telegram", json=intruder) as r:
                    assert r.status == 401
                headers = {"X-Telegram-Bot-Api-Secret-Token": SECRET}
                replies: dict[int, list[str]] = defaultdict(list)

                async def collect(each: int, seconds: float) -> None:
                    deadline = time.monotonic() + seconds
                    while time.monotonic() < deadline and any(len(replies[u]) < each for u in users):
                        for uid, user in users.items():
                            replies[uid] += [m.text for m in await user.settle(quiet=0.05)]

                async def post(port: int, body: dict) -> None:
                    async with http.post(f"http://127.0.0.1:{port}/telegram", json=body, headers=headers) as r:
                        assert r.status == 200

                update_id = 10
                for n in range(PER_CHAT):
                    bodies = []
                    for uid in users:
                        update_id += 1
                        bodies.append(_update(update_id, uid, f"/find w{uid}-{n}"))
                    if n == KILL_ROUND:
                        await collect(KILL_ROUND, 60)  # everything before it answered: both idle
                        # The whole round to the instance about to die, at once, then kill -9: what it
                        # stored and had not answered is handled by the other after the lease.
                        await asyncio.gather(*(post(ports[0], body) for body in bodies))
                        bots[0].kill()
                        await bots[0].wait()
                        continue
                    alive = ports[1:] if n > KILL_ROUND else ports
                    for i, body in enumerate(bodies):
                        await post(alive[i % len(alive)], body)
                await collect(PER_CHAT, 90)
            await asyncio.sleep(1)
            for uid, user in users.items():
                replies[uid] += [m.text for m in await user.settle(quiet=0.2)]
            for uid in users:
                seen = [int(m.group(1)) for text in replies[uid] if (m := re.search(rf"w{uid}-(\d+)", text))]
                assert seen == list(range(PER_CHAT)), f"chat {uid}: {seen}"
                assert not any("intruder" in text for text in replies[uid])
        finally:
            for proc in bots:
                await _stop(proc)
    assert bots[1].returncode == 0
    logs = "".join((tmp_path / f"bot{i}.log").read_text() for i in range(2))
    assert TOKEN not in logs and SECRET not in logs


@pytest.mark.usefixtures("db")
async def test_polling_with_two_processes_only_one_polls_and_the_other_takes_over(database_url, tmp_path):
    _require_emulator()
    if not database_url.startswith("postgresql"):
        pytest.skip("several processes need PostgreSQL")
    await _team_of_reps(database_url)
    async with drive.Stack(None, token=TOKEN, log_dir=tmp_path, bot_username="salesbot_e2e_bot") as fg:
        env = {
            "TELEGRAM_BOT_TOKEN": TOKEN,
            "TELEGRAM_API_BASE_URL": fg.url,
            "DATABASE_URL": database_url,
            "LOG_LEVEL": "INFO",
        }
        logs = [tmp_path / "a.log", tmp_path / "b.log"]
        bots = [await _spawn(env, log, tmp_path) for log in logs]
        try:
            rep = await fg.user(FIRST_USER + 1, first_name="Rep1")

            def pollers() -> list[int]:
                return [i for i, log in enumerate(logs) if "now polls Telegram" in log.read_text()]

            await _until(lambda: bool(pollers()), 30)
            await asyncio.sleep(3)
            [holder] = pollers()  # exactly one process polls
            assert "Conflict" not in "".join(log.read_text() for log in logs)
            [reply] = await rep.ask("/find first")
            assert "first" in reply.text
            bots[holder].kill()
            await bots[holder].wait()
            other = 1 - holder
            await _until(lambda: other in pollers(), 40)
            assert other in pollers(), "the other process did not take over polling"
            await asyncio.sleep(1)
            [reply] = await rep.ask("/find second")
            assert "second" in reply.text
        finally:
            for proc in bots:
                await _stop(proc)
