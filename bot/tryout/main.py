"""`salesbot try`: start the Bot API emulator, seed a throw-away SQLite database, run the real bot
(`salesbot run`, a subprocess that only gets the emulator's address) and serve the web chat.

Everything lives in a temporary folder that goes when the command stops (Ctrl+C)."""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import json
import os
import shutil
import signal
import socket
import sys
import tempfile
import time
import webbrowser
from dataclasses import dataclass
from pathlib import Path

import aiohttp
from aiohttp import web

from bot.config import Settings
from bot.db import Database
from bot.tryout.chat import Room, make_app
from bot.tryout.seed import CAST, seed

ROOT = Path(__file__).resolve().parent.parent.parent
HARNESS = ROOT / "tests" / "e2e" / "fakegram"
# Any token of the right shape: the emulator accepts every token, and its bot id is the number.
TOKEN = "7000000001:TRY-" + "x" * 31
BOT_USERNAME = "salesbot_try_bot"
DEFAULT_PORT = 8765
READY_SECONDS = 60.0


def _die_with_parent() -> None:
    """In the child, before exec: SIGTERM when this process dies, however it dies (Linux)."""
    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError, AttributeError):
            ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


class TryError(Exception):
    """Why the try mode cannot start, in one sentence."""


def say(line: str) -> None:
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


def check_emulator() -> None:
    if not (HARNESS / "fakegram.mjs").is_file():
        raise TryError(f"The Bot API emulator is not in {HARNESS}: `salesbot try` runs from a clone of the project.")
    if shutil.which("node") is None:
        raise TryError("Node.js is not installed: the try mode runs the Bot API emulator with it (see the README).")
    if not (HARNESS / "node_modules" / "telegram-test-api").is_dir():
        raise TryError(f"The emulator's packages are missing: run `make try`, or `npm ci` in {HARNESS}.")


async def start_emulator(workdir: Path) -> tuple[asyncio.subprocess.Process, str]:
    ready = workdir / "fakegram.json"
    node = await asyncio.create_subprocess_exec(
        "node", str(HARNESS / "fakegram.mjs"), "--port", "0", "--quiet", "--ready-file", str(ready),
        "--bot-username", BOT_USERNAME, "--bot-name", "Salesbot",
        stdout=asyncio.subprocess.DEVNULL,
        cwd=str(workdir),
        preexec_fn=_die_with_parent,
    )  # fmt: skip
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if node.returncode is not None:
            raise TryError(f"The Bot API emulator stopped at start-up (exit code {node.returncode}).")
        if ready.is_file() and ready.read_text().endswith("\n"):
            port = json.loads(ready.read_text())["port"]
            return node, f"http://127.0.0.1:{port}"
        await asyncio.sleep(0.05)
    raise TryError("The Bot API emulator did not start within 30 s.")


async def seed_database(url: str) -> None:
    db = Database(url)
    try:
        await db.upgrade()
        await seed(db)
    finally:
        await db.dispose()


def bot_environment(emulator_url: str, database_url: str) -> dict[str, str]:
    """The bot's environment: the caller's, minus any setting of the bot's own (a real token, a
    webhook, Redis…), plus the emulator and the throw-away database."""
    own = {name.upper() for name in Settings.model_fields}
    env = {k: v for k, v in os.environ.items() if k.upper() not in own}
    env.update(
        TELEGRAM_BOT_TOKEN=TOKEN,
        TELEGRAM_API_BASE_URL=emulator_url,
        DATABASE_URL=database_url,
        DEFAULT_TIMEZONE=CAST.timezone,
        LOG_LEVEL="WARNING",
        REMINDER_POLL_SECONDS="5",
    )
    return env


async def wait_polling(emulator_url: str, bot: asyncio.subprocess.Process) -> None:
    deadline = time.monotonic() + READY_SECONDS
    async with aiohttp.ClientSession() as http:
        while time.monotonic() < deadline:
            if bot.returncode is not None:
                raise TryError(f"The bot stopped at start-up (exit code {bot.returncode}); its output is above.")
            async with http.get(f"{emulator_url}/harness/state") as r:
                if (await r.json())["calls"].get("getUpdates", 0) > 0:
                    return
            await asyncio.sleep(0.1)
    raise TryError(f"The bot did not start within {READY_SECONDS:.0f} s.")


@dataclass
class Served:
    port: int
    runner: web.AppRunner


async def serve_page(room: Room, port: int) -> Served:
    runner = web.AppRunner(make_app(room), access_log=None, shutdown_timeout=1.0)
    await runner.setup()
    for candidate in (port, 0) if port else (0,):
        site = web.TCPSite(runner, "127.0.0.1", candidate)
        try:
            await site.start()
        except OSError:
            continue
        server = site._server
        assert server is not None
        sockets: list[socket.socket] = getattr(server, "sockets", [])
        return Served(sockets[0].getsockname()[1], runner)
    await runner.cleanup()
    raise TryError("Cannot listen on 127.0.0.1 for the web chat.")


def can_open_browser() -> bool:
    """Only where a window can open: a console browser would take over this terminal."""
    return sys.platform in ("darwin", "win32") or bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


async def run(port: int = DEFAULT_PORT, *, open_browser: bool = True) -> int:
    started = time.monotonic()
    check_emulator()
    stopping = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stopping.set)
    with tempfile.TemporaryDirectory(prefix="salesbot-try-") as tmp:
        workdir = Path(tmp)
        database_url = f"sqlite+aiosqlite:///{workdir / 'try.db'}"
        node: asyncio.subprocess.Process | None = None
        bot: asyncio.subprocess.Process | None = None
        room: Room | None = None
        served: Served | None = None
        try:
            (node, emulator_url), _ = await asyncio.gather(start_emulator(workdir), seed_database(database_url))
            bot = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "bot", "run", env=bot_environment(emulator_url, database_url), cwd=tmp,
                preexec_fn=_die_with_parent,
            )  # fmt: skip
            room = Room(emulator_url, TOKEN, CAST, database_url, BOT_USERNAME)
            await room.start()
            served = await serve_page(room, port)
            await wait_polling(emulator_url, bot)
            url = f"http://127.0.0.1:{served.port}/"
            say(f"salesbot try: the bot is running against the emulator, ready in {time.monotonic() - started:.1f} s.")
            say(f"Open {url} to chat as {', '.join(p.first_name for p in CAST.people)} and in the team's group.")
            say("Nothing leaves this machine and nothing is kept: Ctrl+C stops it and forgets the data.")
            if open_browser and can_open_browser():
                webbrowser.open(url)
            waits = [
                asyncio.create_task(stopping.wait()),
                asyncio.create_task(bot.wait()),
                asyncio.create_task(node.wait()),
            ]
            await asyncio.wait(waits, return_when=asyncio.FIRST_COMPLETED)
            for task in waits:
                task.cancel()
            if bot.returncode is not None and not stopping.is_set():
                raise TryError(f"The bot stopped (exit code {bot.returncode}); its output is above.")
            if node.returncode is not None and not stopping.is_set():
                raise TryError(f"The Bot API emulator stopped (exit code {node.returncode}).")
            return 0
        finally:
            await _stop(bot, 10)
            if room is not None:
                await room.stop()
            if served is not None:
                await served.runner.cleanup()
            await _stop(node, 3)


async def _stop(proc: asyncio.subprocess.Process | None, grace: float) -> None:
    if proc is None or proc.returncode is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        proc.terminate()
    try:
        await asyncio.wait_for(proc.wait(), grace)
    except TimeoutError:
        with contextlib.suppress(ProcessLookupError):
            proc.kill()
        await proc.wait()


def main(port: int = DEFAULT_PORT, *, open_browser: bool = True) -> int:
    try:
        return asyncio.run(run(port, open_browser=open_browser))
    except TryError as exc:
        sys.stderr.write(f"{exc}\n")
        return 2
