"""Getting replies out in order and despite hiccups.

- `PerChatUpdateProcessor`: updates of different chats are processed concurrently, updates
  of one chat strictly one after the other, in arrival order (one FIFO lock per chat).
- `RetryingRateLimiter`: python-telegram-bot's `AIORateLimiter` (throttling, and flood
  control: a RetryAfter pauses every request for the time Telegram asks) plus retries with
  exponential backoff of timeouts and network errors. getUpdates is left to the updater, which
  has its own retry loop.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any

from telegram import Update
from telegram.error import BadRequest, NetworkError, RetryAfter, TimedOut
from telegram.ext import AIORateLimiter, BaseUpdateProcessor

from bot.telegram.logs import log_event

logger = logging.getLogger(__name__)


def ordering_key(update: object) -> int | None:
    """The chat (or, for inline queries, the user) whose updates must stay in order."""
    if isinstance(update, Update):
        if update.effective_chat is not None:
            return update.effective_chat.id
        if update.effective_user is not None:
            return update.effective_user.id
    return None


class PerChatUpdateProcessor(BaseUpdateProcessor):
    def __init__(self, max_concurrent_updates: int) -> None:
        # At least 2: python-telegram-bot awaits each update inline when the limit is 1.
        super().__init__(max(2, max_concurrent_updates))
        self._locks: dict[int, tuple[asyncio.Lock, int]] = {}

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        key = ordering_key(update)
        if key is None:
            await coroutine
            return
        lock, users = self._locks.get(key, (None, 0))
        if lock is None:
            lock = asyncio.Lock()
        self._locks[key] = (lock, users + 1)
        try:
            async with lock:  # asyncio.Lock wakes its waiters in FIFO order
                await coroutine
        finally:
            lock, users = self._locks[key]
            if users <= 1:
                del self._locks[key]
            else:
                self._locks[key] = (lock, users - 1)

    async def initialize(self) -> None:
        return None

    async def shutdown(self) -> None:
        return None


class RetryingRateLimiter(AIORateLimiter):
    """AIORateLimiter (throttling + RetryAfter) with retries of timeouts and network errors."""

    def __init__(
        self,
        max_rate: float = 30.0,
        flood_retries: int = 3,
        network_retries: int = 3,
        backoff: float = 0.5,
        max_backoff: float = 8.0,
    ) -> None:
        super().__init__(
            overall_max_rate=max_rate,
            overall_time_period=1,
            group_max_rate=20 if max_rate else 0,
            group_time_period=60,
            max_retries=flood_retries,
        )
        self.network_retries = network_retries
        self.backoff = backoff
        self.max_backoff = max_backoff

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, Any]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> Any:
        if endpoint == "getUpdates":
            return await callback(*args, **kwargs)
        delay = self.backoff
        for attempt in range(self.network_retries + 1):
            try:
                return await super().process_request(callback, args, kwargs, endpoint, data, rate_limit_args)
            except (RetryAfter, BadRequest):
                raise  # flood control is already retried by AIORateLimiter; a bad request stays bad
            except (TimedOut, NetworkError) as exc:
                if attempt == self.network_retries:
                    raise
                log_event(logger, "request_retried", logging.WARNING, method=endpoint,
                          error=type(exc).__name__, attempt=attempt + 1, delay=delay)
                await asyncio.sleep(delay)
                delay = min(delay * 2, self.max_backoff)
        raise AssertionError("unreachable")
