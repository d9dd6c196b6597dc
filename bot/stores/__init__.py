"""Where conversations are kept: the `StateStore` protocol and its implementations.

    store = open_store(data_dir, redis_url)   # RedisStore when redis_url is set, else FileStore
    await store.check()                        # StoreUnavailable when it cannot be written
"""

from __future__ import annotations

from pathlib import Path

from bot.stores.base import StateStore, Stored, StoreUnavailable
from bot.stores.file_store import FileStore
from bot.stores.memory import MemoryStore

__all__ = ["FileStore", "MemoryStore", "StateStore", "StoreUnavailable", "Stored", "open_store"]


def open_store(data_dir: Path, redis_url: str | None = None) -> StateStore:
    """The store the settings ask for: Redis when `REDIS_URL` is set, else files in the data dir."""
    if redis_url:
        from bot.stores.redis_store import RedisStore  # the client is only imported when used

        return RedisStore(redis_url)
    return FileStore(data_dir)
