"""The Bot API emulator (telegram-test-api with compatibility patches, in ./fakegram) and its driver."""

from __future__ import annotations

import asyncio
import os
import shutil
import socket
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import ADMIN_ID
from tests.telegram_fake import TOKEN

HARNESS = Path(__file__).resolve().parent / "fakegram"
sys.path.insert(0, str(HARNESS))

import drive  # noqa: E402

pytestmark = pytest.mark.e2e


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _require_emulator() -> None:
    if shutil.which("node") is None:
        pytest.skip("Node.js is not installed: the end-to-end tests need it for the Bot API emulator")
    if not (HARNESS / "node_modules" / "telegram-test-api").is_dir():
        pytest.fail("the emulator's packages are missing: run `make install-test` (npm ci in tests/e2e/fakegram)")


class BotProcess:
    """`salesbot run` as a real subprocess pointed at the emulator; can be killed and started again."""

    def __init__(self, stack: drive.Stack, env: dict[str, str], cwd: Path) -> None:
        self.stack = stack
        self.env = env
        self.cwd = cwd

    @property
    def fg(self) -> drive.Fakegram:
        assert self.stack.fg is not None
        return self.stack.fg

    async def kill9(self) -> None:
        assert self.stack.bot is not None
        self.stack.bot.kill()  # SIGKILL: no shutdown hooks run
        await self.stack.bot.wait()

    async def start_again(self) -> None:
        before = (await self.fg.state())["calls"].get("getUpdates", 0)
        self.stack._bot_log.close()
        log = (self.stack.log_dir / "bot.log").open("ab")  # closed by the stack on exit
        self.stack._bot_log = log
        self.stack.bot = await asyncio.create_subprocess_exec(
            *self.stack.bot_cmd, env=self.env, stdout=log, stderr=asyncio.subprocess.STDOUT, cwd=str(self.cwd)
        )
        for _ in range(600):
            if (await self.fg.state())["calls"].get("getUpdates", 0) > before:
                return
            await asyncio.sleep(0.05)
        raise AssertionError("the bot did not poll again after the restart")


@asynccontextmanager
async def running_bot(database_url: str, workdir: Path, **extra_env: Any) -> AsyncIterator[BotProcess]:
    _require_emulator()
    port = free_port()
    env = {
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "TELEGRAM_API_BASE_URL": f"http://127.0.0.1:{port}",
        "DATABASE_URL": database_url,
        "ADMIN_IDS": str(ADMIN_ID),
        "DEFAULT_TIMEZONE": "Europe/Zagreb",
        "LOG_LEVEL": "INFO",
        **{k: str(v) for k, v in extra_env.items()},
    }
    full_env = {**os.environ, **env}
    stack = drive.Stack(
        [sys.executable, "-m", "bot", "run"],
        token=TOKEN,
        port=port,
        bot_env=env,
        log_dir=workdir,
        cwd=workdir,  # no .env of a developer's is read
        timeout=10,
        bot_username="salesbot_e2e_bot",
    )
    async with stack:
        yield BotProcess(stack, full_env, workdir)
