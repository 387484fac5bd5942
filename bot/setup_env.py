"""`salesbot init`: ask for the bot token (hidden input), check it with Telegram's getMe when
Telegram is reachable, and write `.env` (mode 0600) with it. Other lines of an existing `.env` stay."""

from __future__ import annotations

import getpass
import os
import sys
from dataclasses import dataclass
from pathlib import Path

import httpx

from bot.config import TOKEN_RE

TELEGRAM = "https://api.telegram.org"
EXAMPLE = Path(__file__).resolve().parent.parent / ".env.example"
TRIES = 3


@dataclass(frozen=True)
class Check:
    ok: bool | None  # None: Telegram could not be asked
    text: str


def say(line: str) -> None:
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


def check_token(token: str, api_url: str, *, timeout: float = 10.0) -> Check:
    """Ask Telegram's getMe whether the token is a bot's."""
    try:
        r = httpx.get(f"{api_url.rstrip('/')}/bot{token}/getMe", timeout=timeout)
    except httpx.HTTPError as exc:
        reason = type(exc).__name__
        return Check(None, f"Could not reach Telegram to check the token ({reason}); it is saved unchecked.")
    if r.status_code in (401, 404):
        return Check(False, "Telegram rejected this token: copy it again from @BotFather (/mybots → API Token).")
    try:
        result = r.json().get("result") or {}
    except ValueError:
        result = {}
    if r.status_code != 200 or not result.get("is_bot", True):
        return Check(None, f"Telegram answered HTTP {r.status_code}; the token is saved unchecked.")
    return Check(True, f"Telegram knows this token: it is the bot @{result.get('username', '?')}.")


def write_env(path: Path, token: str) -> None:
    """Set TELEGRAM_BOT_TOKEN in `path` (made from .env.example when missing), readable by the owner only."""
    if path.is_file():
        lines = path.read_text(encoding="utf-8").splitlines()
    elif EXAMPLE.is_file():
        lines = EXAMPLE.read_text(encoding="utf-8").splitlines()
    else:
        lines = []
    line = f"TELEGRAM_BOT_TOKEN={token}"
    for index, old in enumerate(lines):
        if old.strip().startswith("TELEGRAM_BOT_TOKEN="):
            lines[index] = line
            break
    else:
        lines.append(line)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        out.write("\n".join(lines) + "\n")
    os.chmod(path, 0o600)  # also when the file was there before with wider rights


def init(env_file: Path = Path(".env"), *, api_url: str | None = None) -> int:
    api_url = api_url or os.environ.get("TELEGRAM_API_BASE_URL") or TELEGRAM
    say("The bot's token comes from @BotFather in Telegram: /newbot, then copy the token it gives.")
    for _ in range(TRIES):
        try:
            token = getpass.getpass("Bot token (hidden as you type): ").strip()
        except (EOFError, KeyboardInterrupt):
            say("")
            say("Nothing written.")
            return 1
        if not TOKEN_RE.match(token):
            say("That does not look like a bot token (digits, a colon, then about 35 letters, digits, - or _).")
            continue
        check = check_token(token, api_url)
        say(check.text)
        if check.ok is False:
            continue
        write_env(env_file, token)
        say(f"Wrote {env_file} (readable by you only).")
        say("Next: make run   (the first start prints a link that makes you the owner of your team)")
        return 0
    say("Nothing written.")
    return 1
