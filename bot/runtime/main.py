"""`salesbot run`: start-up checks, the inbox workers, polling or the webhook, health, shutdown.

One process: `salesbot run` with SQLite or PostgreSQL, long polling (no public address needed).
Several processes: PostgreSQL, `WEBHOOK_URL` and `WEBHOOK_SECRET` set on each, a load balancer in
front; or long polling, where one process polls at a time and all of them handle updates.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from collections.abc import Awaitable, Callable
from typing import Any

from sqlalchemy.engine import make_url
from telegram.error import InvalidToken, NetworkError, TelegramError

from bot.app import build_application
from bot.config import Settings
from bot.runtime import claim
from bot.runtime.health import Health
from bot.runtime.polling import ALLOWED_UPDATES, Poller
from bot.runtime.worker import InboxWorker
from bot.state import state_of

log = logging.getLogger("bot.runtime")

SHUTDOWN_SECONDS = 8.0  # in-flight updates get this long to finish after SIGTERM (exit within 10 s)
PROBE_EVERY = 60.0


class Stopped(Exception):
    """A stop signal arrived while waiting for a dependency."""


async def until_ready(
    what: str,
    attempt: Callable[[], Awaitable[Any]],
    stopping: asyncio.Event,
    *,
    fatal: tuple[type[BaseException], ...] = (),
) -> None:
    """Try `attempt` until it works, saying in one line what is wrong, with back-off (1 s … 60 s)."""
    delay = 1.0
    while True:
        try:
            await attempt()
            return
        except fatal:
            raise
        except Exception as exc:
            reason = type(exc).__name__
            log.warning("Cannot reach %s (%s); trying again in %.0f s.", what, reason, delay)
        try:
            await asyncio.wait_for(stopping.wait(), delay)
            raise Stopped
        except TimeoutError:
            delay = min(delay * 2, 60.0)


def describe_database(url: str) -> str:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        return f"the SQLite database {parsed.database}"
    return f"the database at {parsed.host}:{parsed.port or 5432}"


async def serve(settings: Settings) -> int:
    app = build_application(settings)
    state = state_of(app)
    stopping = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stopping.set)
    try:
        await until_ready(describe_database(settings.database_url), state.db.ping, stopping)
        try:
            await until_ready("Telegram", app.initialize, stopping, fatal=(InvalidToken,))
        except InvalidToken:
            log.critical(
                "Telegram rejected the bot token: check TELEGRAM_BOT_TOKEN (from @BotFather; /revoke makes a new one)."
            )
            return 2
    except Stopped:
        return 0
    try:
        return await _run(app, settings, stopping)
    finally:
        await app.shutdown()
        if app.post_shutdown is not None:
            await app.post_shutdown(app)


async def _run(app: Any, settings: Settings, stopping: asyncio.Event) -> int:
    state = state_of(app)
    if app.post_init is not None:
        await app.post_init(app)  # migrations, command menus, the delivery loop
    await app.start()
    # The HTTP side (aiohttp) is imported only when a port is set: a plain polling process starts
    # a quarter of a second sooner without it.
    from bot.runtime.web import make_app, serve_http

    health = Health(state)
    health.telegram_ok()  # getMe just worked
    worker = InboxWorker(app, slots=settings.inbox_slots)
    poller: Poller | None = None
    tasks: list[asyncio.Task[None]] = [asyncio.create_task(_probe(app, health), name="telegram-probe")]
    if settings.webhook_mode:
        await app.bot.set_webhook(
            url=settings.webhook_url.rstrip("/"),
            secret_token=settings.webhook_secret.get_secret_value(),
            allowed_updates=ALLOWED_UPDATES,
            max_connections=settings.webhook_max_connections,
            drop_pending_updates=False,
        )
        log.info("webhook mode: listening on %s:%d", settings.webhook_listen, settings.webhook_port)
    else:
        await app.bot.delete_webhook(drop_pending_updates=False)
        poller = Poller(app, worker.receive)
        tasks.append(asyncio.create_task(poller.run(), name="poller"))
    worker.start()  # after the poller: its first look for updates goes first
    stop_http: Callable[[], Awaitable[None]] | None = None
    port = settings.webhook_port if settings.webhook_mode else settings.ops_port
    if port:
        web_app = make_app(
            state, health, receive=worker.receive, webhook=settings.webhook_mode, stopping=stopping.is_set
        )
        try:
            stop_http = await serve_http(web_app, settings.webhook_listen, port)
        except OSError as exc:
            log.critical("Cannot listen on %s:%d (%s).", settings.webhook_listen, port, exc.strerror or exc)
            for task in tasks:
                task.cancel()
            await worker.stop(grace=0)
            await app.stop()
            return 2
    log.info("bot @%s is running (%s)", app.bot.username, "webhook" if settings.webhook_mode else "long polling")
    await claim.announce(app)
    await stopping.wait()
    log.info("stopping: no new updates; finishing the ones in hand")
    if poller is not None:
        poller.stop()
    for task in tasks:
        task.cancel()
    for task in tasks:
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await task
    await worker.stop(grace=SHUTDOWN_SECONDS)
    if stop_http is not None:
        await stop_http()
    await app.stop()
    if app.post_stop is not None:
        await app.post_stop(app)
    return 0


async def _probe(app: Any, health: Health) -> None:
    """Is Telegram reachable? Asked once a minute, for /readyz."""
    while True:
        await asyncio.sleep(PROBE_EVERY)
        try:
            await app.bot.get_me()
            health.telegram_ok()
        except (NetworkError, TelegramError) as exc:
            log.warning("Telegram is not reachable (%s)", type(exc).__name__)
