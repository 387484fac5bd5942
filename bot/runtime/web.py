"""The HTTP side: Telegram's webhook (webhook mode), /healthz, /readyz and /metrics.

The webhook stores each update in the inbox before answering 200, so an update Telegram was told
we have is never lost; a request without the secret Telegram sends (`X-Telegram-Bot-Api-Secret-Token`)
gets 401 and is not stored. Meant to sit behind a reverse proxy that terminates TLS.
"""

from __future__ import annotations

import hmac
import json
import logging
import time
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from bot.runtime.health import Health
from bot.services import inbox
from bot.state import AppState
from models.base import utcnow

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
MAX_BODY = 1024 * 1024  # an update is a few kilobytes; anything near this is not from Telegram


def make_app(
    state: AppState,
    health: Health,
    *,
    receive: Callable[[Sequence[inbox.Incoming], str], Awaitable[int]],
    webhook: bool,
    stopping: Callable[[], bool],
) -> web.Application:
    app = web.Application(client_max_size=MAX_BODY)
    secret = state.settings.webhook_secret.get_secret_value().encode()

    async def webhook_post(request: web.Request) -> web.Response:
        if stopping():
            return web.Response(status=503, text="shutting down")
        given = request.headers.get(SECRET_HEADER, "").encode()
        if not secret or not hmac.compare_digest(given, secret):
            return web.Response(status=401, text="unauthorized")
        try:
            payload = json.loads(await request.read())
            update_id = int(payload["update_id"])
        except (ValueError, KeyError, TypeError):
            return web.Response(status=400, text="not an update")
        await receive([inbox.Incoming(update_id, inbox.chat_key_of(payload), payload)], "webhook")
        return web.Response(text="ok")

    async def healthz(_: web.Request) -> web.Response:
        return web.Response(text="ok")

    async def readyz(_: web.Request) -> web.Response:
        checks: dict[str, Any] = {}
        try:
            async with state.db.core_read() as conn:
                checks["inbox_lag_seconds"] = round(await inbox.lag(conn, now=utcnow()), 1)
            checks["database"] = True
        except Exception as exc:  # any failure means "not ready"
            log.warning("readiness: database unreachable (%s)", type(exc).__name__)
            checks["database"] = False
        checks["telegram"] = time.monotonic() - health.telegram_ok_at < 300
        lag_ok = checks.get("inbox_lag_seconds", 0) <= state.settings.inbox_ready_lag_seconds
        ready = bool(checks["database"] and checks["telegram"] and lag_ok)
        return web.json_response({"ready": ready, **checks}, status=200 if ready else 503)

    async def metrics_page(_: web.Request) -> web.Response:
        return web.Response(body=generate_latest(), headers={"Content-Type": CONTENT_TYPE_LATEST})

    if webhook:
        app.router.add_post(state.settings.webhook_path, webhook_post)
    app.router.add_get("/healthz", healthz)
    app.router.add_get("/readyz", readyz)
    app.router.add_get("/metrics", metrics_page)
    return app


async def serve_http(app: web.Application, host: str, port: int) -> Callable[[], Awaitable[None]]:
    """Start serving `app`; returns what stops it."""
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, host, port).start()
    return runner.cleanup
