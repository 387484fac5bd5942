"""Start-up that speaks: a rejected token, Telegram out of reach, a database that is down. Each
gets a sentence (never a traceback), and the token appears in no output at all."""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

from aiohttp import web

from tests.e2e.conftest import free_port
from tests.telegram_fake import TOKEN


async def _bot(env: dict[str, str], cwd: Path, seconds: float) -> tuple[int | None, str]:
    """Run `salesbot run` for at most `seconds`; its exit code (None if still running) and output."""
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "run",
        env={**os.environ, "LOG_LEVEL": "INFO", "ADMIN_IDS": "", **env},
        cwd=str(cwd),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    try:
        await asyncio.wait_for(proc.wait(), seconds)
    except TimeoutError:
        proc.terminate()
        await proc.wait()
        code = None
    else:
        code = proc.returncode
    assert proc.stdout is not None
    return code, (await proc.stdout.read()).decode()


def _clean(output: str) -> None:
    assert TOKEN not in output and TOKEN.split(":")[1] not in output
    assert "Traceback" not in output


async def test_a_token_telegram_rejects_is_one_sentence_and_exit_2(tmp_path):
    async def unauthorized(_: web.Request) -> web.Response:
        return web.json_response({"ok": False, "error_code": 401, "description": "Unauthorized"}, status=401)

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", unauthorized)
    runner = web.AppRunner(app)
    await runner.setup()
    port = free_port()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    try:
        code, output = await _bot(
            {
                "TELEGRAM_BOT_TOKEN": TOKEN,
                "TELEGRAM_API_BASE_URL": f"http://127.0.0.1:{port}",
                "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'a.db'}",
            },
            tmp_path,
            20,
        )
    finally:
        await runner.cleanup()
    assert code == 2
    assert "Telegram rejected the bot token" in output
    _clean(output)


async def test_telegram_out_of_reach_is_a_sentence_and_retries(tmp_path):
    code, output = await _bot(
        {
            "TELEGRAM_BOT_TOKEN": TOKEN,
            "TELEGRAM_API_BASE_URL": f"http://127.0.0.1:{free_port()}",  # nobody listens there
            "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'b.db'}",
        },
        tmp_path,
        6,
    )
    assert code in (None, 0)  # still trying when stopped; SIGTERM ends it cleanly
    assert output.count("Cannot reach Telegram") >= 2 and "trying again" in output
    _clean(output)


async def test_a_database_that_is_down_is_a_sentence_and_retries(tmp_path):
    code, output = await _bot(
        {
            "TELEGRAM_BOT_TOKEN": TOKEN,
            "TELEGRAM_API_BASE_URL": f"http://127.0.0.1:{free_port()}",
            "DATABASE_URL": f"postgresql+asyncpg://salesbot:secret-pw@127.0.0.1:{free_port()}/nothing",
        },
        tmp_path,
        6,
    )
    assert code in (None, 0)
    assert "Cannot reach the database at 127.0.0.1" in output
    assert "secret-pw" not in output
    _clean(output)
