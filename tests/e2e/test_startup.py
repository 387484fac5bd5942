"""Start-up that speaks: Telegram out of reach, a database that is down: a sentence and retries
(never a traceback), and the token in no output at all. (A rejected token: tests/unit/test_config_and_logs.py.)"""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

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
