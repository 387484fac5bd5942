from __future__ import annotations

import json
import logging
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

import pytest
from pydantic import ValidationError

from bot.config import Settings, describe_error
from bot.logs import RedactingFormatter, setup_logging

GOOD = "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw"
SECRET_HALF = GOOD.split(":")[1]


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


def test_cli_refuses_to_start_without_token_and_prints_no_traceback(tmp_path, repo_root):
    env = {"PATH": "/usr/bin:/bin", "TELEGRAM_BOT_TOKEN": "not-a-token", "PYTHONPATH": str(repo_root)}
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


@pytest.fixture
def restored_logging() -> Iterator[None]:
    """setup_logging changes the root logger and the excepthook: put them back afterwards."""
    root = logging.getLogger()
    handlers, level, hook = root.handlers[:], root.level, sys.excepthook
    yield
    root.handlers[:], sys.excepthook = handlers, hook
    root.setLevel(level)


def test_start_up_logging_redacts_the_token_and_its_secret_half(capsys, restored_logging):
    del restored_logging
    setup_logging("INFO", [GOOD])  # as `salesbot run` does: only the whole token is passed
    log = logging.getLogger("bot.test")
    log.info("polling with %s", GOOD)
    log.warning("the secret half alone: %s", SECRET_HALF)
    try:
        raise ConnectionError(f"POST https://api.telegram.org/bot{GOOD}/getUpdates failed")
    except ConnectionError:
        log.exception("a request failed")
    try:
        raise RuntimeError(f"The token `{GOOD}` was rejected by the server.")
    except RuntimeError:
        sys.excepthook(*sys.exc_info())  # an error nobody caught goes through the same formatter
    err = capsys.readouterr().err
    assert GOOD not in err and SECRET_HALF not in err
    for line in ("polling with [redacted]", "alone: [redacted]", "/bot[redacted]/getUpdates", "`[redacted]` was"):
        assert line in err
    assert err.count("Traceback") == 2
    assert logging.getLogger("httpx").level == logging.WARNING  # it logs every URL, token included


class _Refuses(BaseHTTPRequestHandler):
    """A Bot API that refuses every token, as Telegram does a revoked one."""

    def do_POST(self) -> None:
        body = json.dumps({"ok": False, "error_code": 401, "description": "Unauthorized"}).encode()
        self.send_response(401)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *_args: object) -> None:
        return None


def test_a_rejected_token_at_start_up_never_reaches_the_output(tmp_path: Path, repo_root: Path) -> None:
    server = HTTPServer(("127.0.0.1", 0), _Refuses)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        env = {
            "PATH": "/usr/bin:/bin",
            "PYTHONPATH": str(repo_root),
            "TELEGRAM_BOT_TOKEN": GOOD,
            "TELEGRAM_API_BASE_URL": f"http://127.0.0.1:{server.server_port}",
            "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}",
        }
        proc = subprocess.run(
            [sys.executable, "-m", "bot", "run"],
            cwd=tmp_path,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
    finally:
        server.shutdown()
    output = proc.stdout + proc.stderr
    assert proc.returncode == 2 and "Telegram rejected the bot token" in output, output[-2000:]
    assert "Traceback" not in output
    assert GOOD not in output and SECRET_HALF not in output
