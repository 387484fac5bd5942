"""`salesbot init` against a stubbed Bot API: the token asked for hidden, checked with getMe when
Telegram answers, `.env` written with mode 0600, and the next command named."""

from __future__ import annotations

import json
import socket
import stat
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from bot import setup_env
from bot.cli import main

GOOD = "123456789:AAGood-token_secret_0123456789abcdefgh"
BAD = "123456789:AABad-token_secret_00000000000000000"


class _BotApi(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        if self.path == f"/bot{GOOD}/getMe":
            code, body = 200, {"ok": True, "result": {"id": 123456789, "is_bot": True, "username": "acme_sales_bot"}}
        else:
            code, body = 401, {"ok": False, "error_code": 401, "description": "Unauthorized"}
        data = json.dumps(body).encode()
        self.send_response(code)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def bot_api() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _BotApi)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def typed(monkeypatch: pytest.MonkeyPatch, *answers: str) -> list[str]:
    """What the person types at the hidden prompt; returns the prompts shown."""
    prompts: list[str] = []
    queue = list(answers)

    def fake_getpass(prompt: str = "") -> str:
        prompts.append(prompt)
        if not queue:
            raise EOFError
        return queue.pop(0)

    monkeypatch.setattr(setup_env.getpass, "getpass", fake_getpass)
    return prompts


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_a_good_token_is_checked_and_written_with_mode_0600(tmp_path, bot_api, monkeypatch, capsys):
    prompts = typed(monkeypatch, GOOD)
    env = tmp_path / ".env"
    assert setup_env.init(env, api_url=bot_api) == 0
    out = capsys.readouterr().out
    assert prompts == ["Bot token (hidden as you type): "]
    assert "it is the bot @acme_sales_bot" in out
    assert "Next: make run" in out
    assert GOOD not in out  # never echoed
    text = env.read_text()
    assert f"TELEGRAM_BOT_TOKEN={GOOD}\n" in text
    assert "DATABASE_URL=sqlite+aiosqlite:///salesbot.db" in text  # the rest of .env.example
    assert mode(env) == 0o600


def test_a_rejected_token_is_asked_again(tmp_path, bot_api, monkeypatch, capsys):
    prompts = typed(monkeypatch, "not a token", BAD, GOOD)
    env = tmp_path / ".env"
    assert setup_env.init(env, api_url=bot_api) == 0
    out = capsys.readouterr().out
    assert len(prompts) == 3
    assert "does not look like a bot token" in out and "Telegram rejected this token" in out
    assert f"TELEGRAM_BOT_TOKEN={GOOD}" in env.read_text() and BAD not in env.read_text()


def test_three_wrong_tokens_write_nothing(tmp_path, bot_api, monkeypatch, capsys):
    typed(monkeypatch, BAD, BAD, BAD)
    env = tmp_path / ".env"
    assert setup_env.init(env, api_url=bot_api) == 1
    assert "Nothing written." in capsys.readouterr().out
    assert not env.exists()


def test_without_telegram_the_token_is_saved_unchecked_and_other_lines_stay(tmp_path, monkeypatch, capsys):
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        nowhere = f"http://127.0.0.1:{s.getsockname()[1]}"
    env = tmp_path / ".env"
    env.write_text("TELEGRAM_BOT_TOKEN=old\nADMIN_IDS=42\n")
    env.chmod(0o644)
    typed(monkeypatch, GOOD)
    monkeypatch.setenv("TELEGRAM_API_BASE_URL", nowhere)
    assert main(["init", "--env-file", str(env)]) == 0
    out = capsys.readouterr().out
    assert "Could not reach Telegram to check the token" in out and "saved unchecked" in out
    assert env.read_text() == f"TELEGRAM_BOT_TOKEN={GOOD}\nADMIN_IDS=42\n"
    assert mode(env) == 0o600
