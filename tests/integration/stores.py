"""Helpers for store tests: both implementations, a slow store, and small real filesystems."""

from __future__ import annotations

import asyncio
import contextlib
import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from bot.stores import FileStore
from bot.stores.base import StateStore, Stored


def make_store(kind: str, tmp_path: Path | None, redis_url: str | None, **options: Any) -> StateStore:
    """A store of `kind`; two stores made for one test share their data (same dir, same prefix)."""
    if kind == "file":
        assert tmp_path is not None
        return FileStore(tmp_path / "data", **options)
    from bot.stores.redis_store import RedisStore

    assert redis_url is not None
    # One prefix per test: tests share the server, never each other's keys.
    prefix = f"test-{tmp_path.name if tmp_path else uuid.uuid4().hex[:8]}:"
    return RedisStore(redis_url, prefix=prefix, **options)


class SlowStore:
    """Another store with a pause after each read: concurrent handlers all read before any writes."""

    def __init__(self, inner: StateStore, delay: float = 0.05) -> None:
        self.inner = inner
        self.delay = delay

    async def get(self, key: str) -> Stored:
        stored = await self.inner.get(key)
        await asyncio.sleep(self.delay)
        return stored

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)


@contextlib.contextmanager
def tmpfs(path: Path, size: str = "64k") -> Iterator[Path]:
    """A real small filesystem at `path` (needs mount rights: root in a container that allows it)."""
    path.mkdir(parents=True, exist_ok=True)
    result = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(path)],
                            capture_output=True, text=True)
    if result.returncode != 0:
        pytest.skip(f"mount refused on this machine ({result.stderr.strip()}): this variant needs a tmpfs")
    try:
        yield path
    finally:
        subprocess.run(["umount", "-l", str(path)], capture_output=True)


def remount_read_only(path: Path) -> None:
    subprocess.run(["mount", "-o", "remount,ro", str(path)], check=True, capture_output=True)


def fill(path: Path) -> None:
    """Fill a filesystem to the last byte."""
    with contextlib.suppress(OSError), open(path / "filler", "wb") as handle:
        while True:
            handle.write(b"\0" * 4096)
            handle.flush()
