"""The storage protocol behind conversations and the opt-in learning log.

Two implementations live beside this file: files in `BOUSSOLE_DATA_DIR` (the embedded
default, one process) and Redis (`REDIS_URL`, several replicas). Everything stored is a
JSON-compatible dict; keys are short ASCII strings chosen by the callers
(`"chat:telegram:123"`, `"chat:cli"`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol


class StoreUnavailable(Exception):
    """The store cannot be read or written (disk full, read-only, Redis down)."""


@dataclass(frozen=True)
class Stored:
    """A value as read, with the version token a later `put` must present."""

    data: dict[str, Any] | None  # None: nothing stored under this key (or expired)
    version: str | None  # opaque; None when nothing is stored


class StateStore(Protocol):
    async def check(self) -> None:
        """Raise `StoreUnavailable` when the store cannot be written (called at start)."""

    async def get(self, key: str) -> Stored: ...

    async def put(self, key: str, data: dict[str, Any], expected: str | None, ttl: float | None = None) -> bool:
        """Store `data` only if the key still holds the version `expected` (None: absent).
        Returns False, storing nothing, when another writer changed it since it was read.
        `ttl` in seconds: the value disappears after that much time without a write."""

    async def delete(self, key: str) -> None: ...

    # -- append-only records (the opt-in learning log, feedback counts) -------------------

    async def append(self, stream: str, record: dict[str, Any], ttl: float) -> None:
        """Add a record to a stream; records older than `ttl` seconds are deleted."""

    async def records(self, stream: str, since: float = 0.0) -> list[dict[str, Any]]:
        """The records of a stream appended at `since` (Unix time) or later, oldest first."""

    async def close(self) -> None: ...
