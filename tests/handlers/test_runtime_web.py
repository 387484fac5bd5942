"""The HTTP side of the runtime: the webhook stores an update only with Telegram's secret, answers
after storing it, and /healthz, /readyz and /metrics say how the process is."""

from __future__ import annotations

import pytest
from aiohttp.test_utils import TestClient, TestServer
from sqlmodel import select

from bot.config import Settings
from bot.db import Scope
from bot.runtime.web import SECRET_HEADER, Health, make_app
from bot.runtime.worker import InboxWorker
from bot.state import state_of
from models import InboxUpdate

SECRET = "s3cret-token_1"


def _update(update_id: int) -> dict:
    return {
        "update_id": update_id,
        "message": {"message_id": 1, "date": 0, "chat": {"id": 55, "type": "private"}, "text": "/help"},
    }


async def _client(tg, settings: Settings, received: list[tuple[list[int], str, int]]) -> TestClient:
    state = state_of(tg.app)
    state.settings = settings.model_copy(update={"webhook_secret": settings.webhook_secret.__class__(SECRET)})
    health = Health(state)
    health.telegram_ok()
    worker = InboxWorker(tg.app, slots=2)  # not started: nothing handles what it stores

    async def receive(updates, source: str) -> int:
        new = await worker.receive(updates, source)
        received.append(([u.update_id for u in updates], source, new))
        return new

    app = make_app(state, health, receive=receive, webhook=True, stopping=lambda: False)
    client = TestClient(TestServer(app))
    await client.start_server()
    return client


async def test_the_webhook_needs_the_secret_and_stores_each_update_once(tg, db, settings):
    received: list[tuple[list[int], str, int]] = []
    client = await _client(tg, settings, received)
    try:
        path = state_of(tg.app).settings.webhook_path
        assert (await client.post(path, json=_update(1))).status == 401
        assert (await client.post(path, json=_update(1), headers={SECRET_HEADER: "wrong"})).status == 401
        ok = {SECRET_HEADER: SECRET}
        assert (await client.post(path, json=_update(2), headers=ok)).status == 200
        assert (await client.post(path, json=_update(2), headers=ok)).status == 200  # Telegram sent it again
        assert (await client.post(path, data=b"not json", headers=ok)).status == 400
        async with db.read(Scope.system()) as s:
            rows = (await s.exec(select(InboxUpdate))).all()
        assert [(r.update_id, r.chat_key) for r in rows] == [(2, 55)]
        assert received == [([2], "webhook", 1), ([2], "webhook", 0)]  # stored once, answered 200 twice
    finally:
        await client.close()


@pytest.mark.usefixtures("db")
async def test_health_readiness_and_metrics(tg, settings):
    client = await _client(tg, settings, [])
    try:
        assert (await client.get("/healthz")).status == 200
        ready = await client.get("/readyz")
        body = await ready.json()
        assert ready.status == 200 and body["ready"] and body["database"] and body["inbox_lag_seconds"] == 0
        page = await (await client.get("/metrics")).text()
        assert "salesbot_updates_received_total" in page and "salesbot_inbox_lag_seconds" in page
    finally:
        await client.close()
