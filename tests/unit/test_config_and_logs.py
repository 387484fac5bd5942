from __future__ import annotations

import logging
import subprocess
import sys

import pytest
from pydantic import ValidationError

from bot.config import Settings, describe_error
from bot.logs import RedactingFormatter

GOOD = "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw"


@pytest.mark.parametrize(
    ("token", "expected"),
    [("", "TELEGRAM_BOT_TOKEN is not set"), ("hello", "does not look like a bot token")],
)
def test_missing_or_malformed_token_is_one_sentence(token, expected):
    with pytest.raises(ValidationError) as info:
        Settings(telegram_bot_token=token, _env_file=None)
    sentence = describe_error(info.value)
    assert expected in sentence and sentence.startswith("Cannot start:") and "\n" not in sentence
    assert token not in sentence or not token


def test_settings_parse_admin_ids_and_zone():
    s = Settings(
        telegram_bot_token=GOOD,
        admin_ids="1, 2 3",
        default_timezone="Europe/Zagreb",
        database_url="sqlite+aiosqlite:///x.db",
        _env_file=None,
    )
    assert s.admin_ids == {1, 2, 3} and s.is_sqlite
    with pytest.raises(ValidationError):
        Settings(telegram_bot_token=GOOD, default_timezone="Mars/Base", _env_file=None)


def test_cli_refuses_to_start_without_token_and_prints_no_traceback(tmp_path):
    env = {"PATH": "/usr/bin:/bin", "TELEGRAM_BOT_TOKEN": "not-a-token"}
    proc = subprocess.run(
        [sys.executable, "-m", "bot", "run"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert proc.returncode == 2
    assert proc.stderr.strip().count("\n") == 0, proc.stderr
    assert "Traceback" not in proc.stderr and "not-a-token" not in proc.stderr
    assert "TELEGRAM_BOT_TOKEN" in proc.stderr


def test_the_token_never_reaches_a_log_line_even_in_a_traceback():
    formatter = RedactingFormatter([GOOD, GOOD.split(":")[1]])
    try:
        raise RuntimeError(f"POST https://api.telegram.org/bot{GOOD}/getMe failed")
    except RuntimeError:
        record = logging.LogRecord("x", logging.ERROR, __file__, 1, "url %s", (f"/bot{GOOD}/x",), sys.exc_info())
    line = formatter.format(record)
    assert GOOD not in line and GOOD.split(":")[1] not in line and "[redacted]" in line
