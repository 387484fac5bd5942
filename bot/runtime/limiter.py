"""Telegram's sending limits, kept by every process together or by one alone.

Telegram allows a bot about 30 messages a second overall and 20 a minute per group; a 429 answer
names the seconds to wait. `SharedRateLimiter` keeps those budgets in Redis (the `limits` library's
moving windows over redis-py), so several bot processes share one budget, and a 429 seen by one
pauses all. Without Redis (one process, e.g. on SQLite) `CountingRateLimiter`, PTB's in-process
`AIORateLimiter`, does the same for one process. Both count failed calls for the metrics.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Coroutine
from datetime import timedelta
from typing import Any

from telegram.error import BadRequest, Forbidden, InvalidToken, NetworkError, RetryAfter, TelegramError, TimedOut
from telegram.ext import AIORateLimiter, BaseRateLimiter

from bot import metrics

log = logging.getLogger(__name__)

JSONDict = dict[str, Any]
Callback = Callable[..., Coroutine[Any, Any, bool | JSONDict | list[JSONDict]]]
PAUSE_KEY = "salesbot:telegram-pause-until"


def error_code(exc: BaseException) -> str:
    """A small fixed label for a failed Bot API call."""
    if isinstance(exc, RetryAfter):
        return "429"
    if isinstance(exc, InvalidToken):
        return "401"
    if isinstance(exc, Forbidden):
        return "403"
    if isinstance(exc, BadRequest):
        return "400"
    if isinstance(exc, TimedOut):
        return "timeout"
    if isinstance(exc, NetworkError):
        return "network"
    return "other"


def retry_seconds(exc: RetryAfter) -> float:
    value = exc._retry_after  # a timedelta; the public int attribute is deprecated
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


BeforeAnswer = Callable[[str], Awaitable[None]]


async def _nothing(_endpoint: str) -> None:
    return None


class CountingRateLimiter(AIORateLimiter):
    """PTB's in-process limiter, counting failures for /metrics."""

    def __init__(self, *, max_retries: int = 3, before_answer: BeforeAnswer = _nothing) -> None:
        super().__init__(max_retries=max_retries)
        self.before_answer = before_answer

    async def process_request(
        self,
        callback: Callback,
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> bool | JSONDict | list[JSONDict]:

        async def send(*call_args: Any, **call_kwargs: Any) -> bool | JSONDict | list[JSONDict]:
            await self.before_answer(endpoint)  # after the wait for the budget, right before the call
            return await callback(*call_args, **call_kwargs)

        try:
            return await super().process_request(send, args, kwargs, endpoint, data, rate_limit_args)
        except TelegramError as exc:
            metrics.TELEGRAM_ERRORS.labels(error_code(exc)).inc()
            raise


class SharedRateLimiter(BaseRateLimiter[int]):
    def __init__(self, redis_url: str, *, max_retries: int = 3, before_answer: BeforeAnswer = _nothing) -> None:
        self.redis_url = redis_url
        self.before_answer = before_answer
        self.max_retries = max_retries
        self._storage: Any = None  # limits' RedisStorage
        self._limiter: Any = None  # limits' MovingWindowRateLimiter
        self._overall: Any = None
        self._per_group: Any = None

    async def initialize(self) -> None:
        # Imported here: only processes sharing a budget through Redis need the library.
        from limits import RateLimitItemPerMinute, RateLimitItemPerSecond
        from limits.aio.storage import RedisStorage
        from limits.aio.strategies import MovingWindowRateLimiter

        url = self.redis_url if self.redis_url.startswith("async+") else f"async+{self.redis_url}"
        self._storage = RedisStorage(url, implementation="redispy")
        self._limiter = MovingWindowRateLimiter(self._storage)
        self._overall, self._per_group = RateLimitItemPerSecond(30), RateLimitItemPerMinute(20)

    async def shutdown(self) -> None:
        self._limiter = None
        self._storage = None

    async def _acquire(self, item: Any, key: str) -> None:
        limiter = self._limiter
        if limiter is None:
            return
        while not await limiter.hit(item, "salesbot", key):
            stats = await limiter.get_window_stats(item, "salesbot", key)
            await asyncio.sleep(min(1.0, max(0.01, stats.reset_time - time.time())))

    async def _pause_left(self) -> float:
        if self._storage is None:
            return 0.0
        until = await self._storage.get(PAUSE_KEY)
        return max(0.0, until / 1000 - time.time()) if until else 0.0

    async def _pause_all(self, seconds: float) -> None:
        if self._storage is not None:
            until_ms = int((time.time() + seconds) * 1000)
            await self._storage.clear(PAUSE_KEY)
            await self._storage.incr(PAUSE_KEY, int(seconds) + 1, amount=until_ms)

    async def process_request(
        self,
        callback: Callback,
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> bool | JSONDict | list[JSONDict]:
        retries = rate_limit_args or self.max_retries
        chat_id = data.get("chat_id")
        for attempt in range(retries + 1):
            left = await self._pause_left()
            if left:
                await asyncio.sleep(left)
            if chat_id is not None:
                await self._acquire(self._overall, "all")
                if isinstance(chat_id, str) or int(chat_id) < 0:
                    await self._acquire(self._per_group, f"group:{chat_id}")
            await self.before_answer(endpoint)
            try:
                return await callback(*args, **kwargs)
            except RetryAfter as exc:
                metrics.TELEGRAM_ERRORS.labels("429").inc()
                seconds = retry_seconds(exc) + 0.1
                await self._pause_all(seconds)
                if attempt == retries:
                    raise
                log.info("Telegram asked every process to wait %.1f s", seconds)
            except TelegramError as exc:
                metrics.TELEGRAM_ERRORS.labels(error_code(exc)).inc()
                raise
        raise AssertionError("unreachable")
