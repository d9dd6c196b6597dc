"""`MemoryStore`: a dict, for the terminal doors (one conversation, one process, nothing kept)."""

from __future__ import annotations

import itertools
import time
from collections.abc import Callable
from typing import Any

from bot.stores.base import Stored


class MemoryStore:
    def __init__(self, clock: Callable[[], float] = time.time) -> None:
        self.clock = clock
        self._values: dict[str, tuple[dict[str, Any], str, float | None]] = {}
        self._records: dict[str, list[tuple[float, dict[str, Any]]]] = {}
        self._versions = itertools.count(1)

    async def check(self) -> None:
        return None

    async def get(self, key: str) -> Stored:
        value = self._values.get(key)
        if value is None:
            return Stored(None, None)
        data, version, expires = value
        if expires is not None and expires <= self.clock():
            del self._values[key]
            return Stored(None, None)
        return Stored(data, version)

    async def put(self, key: str, data: dict[str, Any], expected: str | None, ttl: float | None = None) -> bool:
        if (await self.get(key)).version != expected:
            return False
        self._values[key] = (data, str(next(self._versions)), self.clock() + ttl if ttl else None)
        return True

    async def delete(self, key: str) -> None:
        self._values.pop(key, None)

    async def append(self, stream: str, record: dict[str, Any], ttl: float) -> None:
        now = self.clock()
        kept = [(at, r) for at, r in self._records.get(stream, []) if at >= now - ttl]
        self._records[stream] = [*kept, (now, record)]

    async def records(self, stream: str, since: float = 0.0) -> list[dict[str, Any]]:
        return [r for at, r in self._records.get(stream, []) if at >= since]

    async def close(self) -> None:
        return None
