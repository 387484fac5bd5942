"""The sending budget shared through Redis: two limiters (two processes) together stay within
Telegram's 30 messages a second, and a 429 seen by one pauses the other."""

from __future__ import annotations

import asyncio
import time
from datetime import timedelta

import pytest
import redis.asyncio as aioredis
from telegram.error import RetryAfter

from bot.runtime.limiter import PAUSE_KEY, SharedRateLimiter

REDIS = "redis://127.0.0.1:6379/15"


@pytest.fixture
async def redis_url():
    client = aioredis.from_url(REDIS)
    try:
        await client.ping()
    except OSError:
        pytest.skip("Redis is not running on 127.0.0.1:6379")
    await client.flushdb()
    yield REDIS
    await client.flushdb()
    await client.aclose()


async def test_two_limiters_share_thirty_messages_a_second(redis_url):
    one, two = SharedRateLimiter(redis_url), SharedRateLimiter(redis_url)
    await one.initialize()
    await two.initialize()
    sent: list[float] = []

    async def send() -> bool:
        sent.append(time.monotonic())
        return True

    start = time.monotonic()
    await asyncio.gather(
        *(
            limiter.process_request(send, (), {}, "sendMessage", {"chat_id": 100 + i}, None)
            for i, limiter in enumerate([one, two] * 40)
        )
    )
    assert len(sent) == 80
    # 80 messages at 30 a second: the last 50 had to wait for the first second to pass.
    assert sent[-1] - start >= 1.0
    first_second = [t for t in sent if t - start < 0.95]
    assert len(first_second) <= 30


async def test_a_429_seen_by_one_pauses_the_other(redis_url):
    one, two = SharedRateLimiter(redis_url, max_retries=0), SharedRateLimiter(redis_url)
    await one.initialize()
    await two.initialize()

    async def refused() -> bool:
        raise RetryAfter(timedelta(seconds=1))

    with pytest.raises(RetryAfter):
        await one.process_request(refused, (), {}, "sendMessage", {"chat_id": 1}, None)
    client = aioredis.from_url(redis_url)
    assert [k async for k in client.scan_iter(f"*{PAUSE_KEY}*")]  # the pause is in Redis, for everyone
    await client.aclose()
    start = time.monotonic()

    async def ok() -> bool:
        return True

    assert await two.process_request(ok, (), {}, "sendMessage", {"chat_id": 2}, None) is True
    assert time.monotonic() - start >= 0.8  # waited out the other process's 429
