"""`FileStore`: conversations as small JSON files under `BOUSSOLE_DATA_DIR`, the embedded default.

Layout (`<dir>` is the data directory):

    <dir>/state/<2 hex>/<quoted key>.json     one file per key: one or more records, one per line,
                                              {"v": version, "exp": time|null, "data": {...}}; the last valid one counts
    <dir>/records/<stream>/<YYYY-MM-DD>.jsonl  append-only records, one JSON line each, one file per UTC day

- Nothing is loaded at start: a key is read from disk the first time it is asked for, then kept
  in a bounded LRU cache of recent conversations (`cache_size`).
- A write either appends the new record to the key's file or rewrites the file. A crash leaves
  the old or the new value, never a torn one: an append cut short leaves a last line that does
  not parse, and the record before it is read (a short write is also truncated away at once); a
  rewrite goes to `<file>.tmp` and is renamed over the file (`os.replace` is atomic).
- Appending costs about ten microseconds; creating a file, or renaming one over another, costs
  ext4 0.1 to 1 ms of kernel time (a rename pushes the data to the disk first), which was most
  of what a message cost. So the common write, a conversation moving on, is an append made on the event
  loop, and the file is rewritten (in a small thread pool, the event loop going on meanwhile)
  when it grows past `COMPACT_BYTES`, when the new record would live longer than the last one,
  when the last rewrite is `REWRITE_AFTER` (an hour) old, and on the first write after the file
  was read from disk. Older records of the same conversation therefore stay in its file until
  the next rewrite. They hold what the state holds (slot values, never free text), and none
  stays more than an hour past its own time-to-live: a record is appended only after records
  that live at least as long (a state with a flow under way has the short TTL, so the file is
  rewritten when the flow ends and its values vanish), and the file goes when its last record
  expires or the conversation is forgotten.
- Compare-and-set is exact within one process, which is what this store is for: the version is
  checked and the write reserved without yielding to the event loop; a write under way is what
  later readers see, and a failed write (disk full, read-only) is rolled back, so memory never
  moves on without the disk. Several processes need `RedisStore`.
- Expired values read as absent and are deleted when met; `sweep()` (run in a thread now and
  then) deletes the ones nobody asks for any more.
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import hashlib
import json
import logging
import os
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote

from bot.stores.base import Stored, StoreUnavailable

logger = logging.getLogger(__name__)
CACHE_SIZE = 10_000
SWEEP_INTERVAL = 3600.0
# Threads writing files: they mostly wait for the disk, so more than the cores.
WRITER_THREADS = 8
_PROBE = b"x" * 4096  # big enough to need a new block on a full disk
# A file is rewritten with only its last record once appends would take it past this size,
# or when its last rewrite is this many seconds old (see the module docstring).
COMPACT_BYTES = 4096
REWRITE_AFTER = 3600.0
_ABSENT: tuple[dict[str, Any] | None, str | None, float | None] = (None, None, None)


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


class FileStore:
    def __init__(
        self,
        directory: Path,
        cache_size: int = CACHE_SIZE,
        clock: Callable[[], float] = time.time,
        fsync: bool = False,
        sweep_interval: float = SWEEP_INTERVAL,
        writer_threads: int = WRITER_THREADS,
    ) -> None:
        self.directory = Path(directory)
        self.state_dir = self.directory / "state"
        self.records_dir = self.directory / "records"
        self.cache_size = cache_size
        self.clock = clock
        self.fsync = fsync
        self.sweep_interval = sweep_interval
        # key -> (data, version, expires at): the value on disk, as last read or written.
        self._cache: OrderedDict[str, tuple[dict[str, Any] | None, str | None, float | None]] = OrderedDict()
        # key -> value being written: it wins over the disk until its write is done.
        self._writing: dict[str, tuple[dict[str, Any] | None, str | None, float | None]] = {}
        # key -> (size, ttl of the last record, time of the last rewrite) of its file as this
        # process last wrote it: appending is safe only then.
        self._tails: dict[str, tuple[int, float | None, float]] = {}
        self._writer_threads = writer_threads
        self._executor: ThreadPoolExecutor | None = None
        self._made_dirs: set[Path] = set()
        self._paths: dict[str, Path] = {}  # key -> its file: the path is worked out on every read and write
        self._counter = 0
        # The first sweep waits one interval: start-up reads nothing it does not need.
        self._last_sweep = time.monotonic()
        self._sweeping = threading.Lock()

    # -- paths ---------------------------------------------------------------------------------

    def path(self, key: str) -> Path:
        path = self._paths.get(key)
        if path is None:
            if len(self._paths) >= self.cache_size:
                self._paths.clear()
            shard = hashlib.blake2b(key.encode("utf-8"), digest_size=1).hexdigest()
            path = self._paths[key] = self.state_dir / shard / f"{quote(key, safe='')}.json"
        return path

    @staticmethod
    def key_of(path: Path) -> str:
        return unquote(path.name.removesuffix(".json"))

    def _mkdir(self, directory: Path) -> None:
        if directory not in self._made_dirs:
            directory.mkdir(parents=True, exist_ok=True)
            self._made_dirs.add(directory)

    # -- protocol ------------------------------------------------------------------------------

    async def check(self) -> None:
        try:
            self._made_dirs.clear()
            self._mkdir(self.state_dir)
            probe = self.directory / f".probe-{os.getpid()}"
            fd = os.open(probe, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            try:
                os.write(fd, _PROBE)
                os.fsync(fd)
            finally:
                os.close(fd)
                with contextlib.suppress(OSError):
                    os.unlink(probe)
        except OSError as exc:
            raise StoreUnavailable(f"data directory {self.directory} is not writable: {exc.strerror or exc}") from exc
        self._maybe_sweep()

    async def get(self, key: str) -> Stored:
        data, version, _ = self._current(key)
        self._maybe_sweep()
        return Stored(data, version)

    async def put(self, key: str, data: dict[str, Any], expected: str | None, ttl: float | None = None) -> bool:
        previous = self._current(key)
        if previous[1] != expected:
            return False
        self._counter += 1
        new_version = f"{time.time_ns():x}.{self._counter}"
        now = self.clock()
        expires = now + ttl if ttl else None
        value = (data, new_version, expires)
        record = ("\n" + _dumps({"v": new_version, "exp": expires, "data": data})).encode("utf-8")
        path = self.path(key)
        tail = self._tails.pop(key, None)  # back only once this write is known to have landed
        if (
            tail is not None
            and _not_longer(ttl, tail[1])
            and tail[0] + len(record) <= COMPACT_BYTES
            and now - tail[2] < REWRITE_AFTER
            and key not in self._writing
        ):
            self._remember(key, value)
            try:
                size = self._append(path, record)
            except BaseException:
                self._remember(key, previous)
                raise
            self._tails[key] = (size, ttl, tail[2])
        else:
            await self._in_thread(key, value, previous, self._write, path, record)
            self._tails[key] = (len(record), ttl, now)
        return True

    async def delete(self, key: str) -> None:
        self._tails.pop(key, None)
        await self._in_thread(key, _ABSENT, self._current(key), self._unlink, self.path(key))

    async def _in_thread(self, key: str, value: Any, previous: Any, work: Callable[..., None], *args: Any) -> None:
        """Run a file operation in the writer threads; `value` is what readers see meanwhile,
        and what stays in memory if it succeeds. On failure the previous value is restored."""
        self._writing[key] = value
        self._remember(key, value)
        try:
            if self._executor is None:
                self._executor = ThreadPoolExecutor(self._writer_threads, thread_name_prefix="filestore")
            await asyncio.get_running_loop().run_in_executor(self._executor, work, *args)
        except BaseException:
            if self._writing.get(key) is value:
                self._remember(key, previous)
            raise
        finally:
            if self._writing.get(key) is value:
                del self._writing[key]

    async def append(self, stream: str, record: dict[str, Any], ttl: float) -> None:
        now = self.clock()
        directory = self.records_dir / quote(stream, safe="")
        line = _dumps({"at": now, "record": record}) + "\n"
        try:
            self._mkdir(directory)
            with open(directory / f"{_day(now)}.jsonl", "a", encoding="utf-8") as handle:
                handle.write(line)
        except OSError as exc:
            raise StoreUnavailable(f"cannot append a record: {exc.strerror or exc}") from exc
        self._prune_records(directory, now - ttl)

    async def records(self, stream: str, since: float = 0.0) -> list[dict[str, Any]]:
        directory = self.records_dir / quote(stream, safe="")
        if not directory.is_dir():
            return []
        first_day = _day(since) if since > 0 else ""
        found: list[tuple[float, dict[str, Any]]] = []
        for path in sorted(directory.glob("*.jsonl")):
            if path.stem < first_day:
                continue
            try:
                text = path.read_text(encoding="utf-8")
            except OSError as exc:
                raise StoreUnavailable(f"cannot read records: {exc.strerror or exc}") from exc
            try:  # one parse per file (the learning stats read 100,000s of lines) ...
                items = json.loads("[" + ",".join(text.splitlines()) + "]")
            except ValueError:  # ... and line by line when a crash cut one
                items = []
                for line in text.splitlines():
                    with contextlib.suppress(ValueError):
                        items.append(json.loads(line))
            for item in items:
                if isinstance(item, dict) and item.get("at", 0) >= since and isinstance(item.get("record"), dict):
                    found.append((item["at"], item["record"]))
        found.sort(key=lambda pair: pair[0])
        return [record for _, record in found]

    async def close(self) -> None:
        if self._executor is not None:
            self._executor.shutdown(wait=True)
            self._executor = None
        self._cache.clear()

    # -- internals -----------------------------------------------------------------------------

    def _remember(self, key: str, value: tuple[dict[str, Any] | None, str | None, float | None]) -> None:
        self._cache[key] = value
        self._cache.move_to_end(key)
        while len(self._cache) > self.cache_size:
            evicted, _ = self._cache.popitem(last=False)
            self._tails.pop(evicted, None)

    def _current(self, key: str) -> tuple[dict[str, Any] | None, str | None, float | None]:
        cached = self._writing.get(key) or self._cache.get(key)
        if cached is None:
            cached = self._read(key)
            self._remember(key, cached)
        else:
            self._cache.move_to_end(key)
        data, version, expires = cached
        if expires is not None and expires <= self.clock():
            self._tails.pop(key, None)
            with contextlib.suppress(OSError):
                os.unlink(self.path(key))
            self._remember(key, _ABSENT)
            return _ABSENT
        return cached

    def _read(self, key: str) -> tuple[dict[str, Any] | None, str | None, float | None]:
        path = self.path(key)
        try:
            raw = path.read_bytes()
        except FileNotFoundError:
            return _ABSENT
        except NotADirectoryError:
            return _ABSENT
        except OSError as exc:
            raise StoreUnavailable(f"cannot read a conversation: {exc.strerror or exc}") from exc
        try:
            item = _last_record(raw)
            data, version, expires = item["data"], str(item["v"]), item.get("exp")
            expires = float(expires) if expires is not None else None
        except (ValueError, TypeError, KeyError):
            # Not ours, or cut: readable as "something else is stored here", which the
            # caller validates and resets. The version is the content's digest so CAS still holds.
            data = _loads_dict(raw)
            version = "raw:" + hashlib.blake2b(raw, digest_size=8).hexdigest()
            expires = None
        if not isinstance(data, dict):
            data = {"__invalid__": True}
        return data, version, expires

    def _append(self, path: Path, record: bytes) -> int:
        """Add `record` at the end of the file; returns the file's new size. Whatever happens,
        the file ends as before or with the whole record."""
        try:
            fd = os.open(path, os.O_WRONLY | os.O_APPEND)
        except FileNotFoundError:  # gone behind our back: start it again
            self._write(path, record)
            return len(record)
        except OSError as exc:
            raise StoreUnavailable(f"cannot write a conversation: {exc.strerror or exc}") from exc
        try:
            start = os.lseek(fd, 0, os.SEEK_END)
            try:
                written = os.write(fd, record)
                if written != len(record):
                    raise OSError(errno.ENOSPC, "short write")
                if self.fsync:
                    os.fsync(fd)
            except OSError as exc:
                with contextlib.suppress(OSError):
                    os.ftruncate(fd, start)
                raise StoreUnavailable(f"cannot write a conversation: {exc.strerror or exc}") from exc
            return start + written
        finally:
            os.close(fd)

    def _write(self, path: Path, encoded: bytes) -> None:
        tmp = path.with_name(path.name + ".tmp")
        try:
            self._mkdir(path.parent)
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            try:
                os.write(fd, encoded)
                if self.fsync:
                    os.fsync(fd)
            finally:
                os.close(fd)
            os.replace(tmp, path)
        except OSError as exc:
            self._made_dirs.discard(path.parent)
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise StoreUnavailable(f"cannot write a conversation: {exc.strerror or exc}") from exc

    def _unlink(self, path: Path) -> None:
        try:
            os.unlink(path)
        except FileNotFoundError:
            pass
        except OSError as exc:
            raise StoreUnavailable(f"cannot delete a conversation: {exc.strerror or exc}") from exc

    def _prune_records(self, directory: Path, oldest: float) -> None:
        keep_from = _day(oldest)
        with contextlib.suppress(OSError):
            for path in directory.glob("*.jsonl"):
                if path.stem < keep_from:
                    path.unlink()

    def _maybe_sweep(self) -> None:
        now = time.monotonic()
        if self.sweep_interval <= 0 or now - self._last_sweep < self.sweep_interval:
            return
        self._last_sweep = now
        threading.Thread(target=self.sweep, name="filestore-sweep", daemon=True).start()

    def sweep(self) -> int:
        """Delete expired state files (and writes cut by a crash). Returns how many went."""
        if not self._sweeping.acquire(blocking=False):
            return 0
        removed = 0
        try:
            now = self.clock()
            if not self.state_dir.is_dir():
                return 0
            for shard in self.state_dir.iterdir():
                with contextlib.suppress(OSError):
                    for path in shard.iterdir():
                        if path.name.endswith(".tmp"):
                            if now - path.stat().st_mtime > 60:
                                path.unlink()
                                removed += 1
                            continue
                        if self.key_of(path) in self._cache:
                            continue  # recent: the event loop owns it (and may be rewriting it)
                        with contextlib.suppress(OSError, ValueError, TypeError, AttributeError):
                            expires = _last_record(path.read_bytes()).get("exp")
                            if expires is not None and float(expires) <= now:
                                path.unlink()
                                removed += 1
        finally:
            self._sweeping.release()
        return removed


def _day(timestamp: float) -> str:
    return datetime.fromtimestamp(max(timestamp, 0), UTC).strftime("%Y-%m-%d")


def _not_longer(ttl: float | None, than: float | None) -> bool:
    """Whether a value kept `ttl` seconds (None: for ever) goes no longer than one kept `than`."""
    return than is None or (ttl is not None and ttl <= than)


def _last_record(raw: bytes) -> Any:
    """The last record of a state file that parses (the whole file when it is one JSON value).
    Raises ValueError when none does."""
    try:
        return json.loads(raw)
    except ValueError:
        pass
    for line in reversed(raw.split(b"\n")):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
        except ValueError:
            continue  # an append cut short: the one before it holds the value
        if isinstance(item, dict) and "v" in item and "data" in item:
            return item
    raise ValueError("no record")


def _loads_dict(raw: bytes) -> dict[str, Any] | None:
    try:
        value = json.loads(raw)
    except ValueError:
        return {"__invalid__": True}
    return value if isinstance(value, dict) else {"__invalid__": True}
