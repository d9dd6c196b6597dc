"""Files derived from the content (the intent model's weights, the loaded geography, the loaded
content), written by `check` or the first start and read at every start after. Never committed: a
hash of what they are built from names them, so a content change simply builds a new one."""

from __future__ import annotations

import contextlib
import gc
import hashlib
import os
import pickle
import sys
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, BinaryIO


def write_cached(path: Path, write: Callable[[BinaryIO], None], keep: int) -> None:
    """Write `path` atomically (two processes may build the same file at once) and keep only the
    `keep` most recent files of its kind in its folder. A read-only disk only costs a rebuild at
    the next start, so write errors are ignored."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(tmp, "wb") as handle:
            write(handle)
        tmp.replace(path)
        cached = sorted(path.parent.glob(f"*{path.suffix}"), key=lambda p: p.stat().st_mtime, reverse=True)
        for old in cached[keep:]:
            old.unlink(missing_ok=True)
    except OSError:
        with contextlib.suppress(OSError):
            tmp.unlink()


def load_pickle(path: Path) -> Any:
    """Unpickle a cached file (streamed: the whole file never sits in memory). The garbage
    collector is paused meanwhile: the hundreds of thousands of objects it creates would each
    trigger collections that find nothing to free (a third of the time for the geography)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        with path.open("rb") as file:
            return pickle.load(file)
    finally:
        if enabled:
            gc.enable()


def files_digest(digest: Any, files: Iterable[Path], root: Path | None = None) -> None:
    """Feed each file's name (relative to `root` when given) and bytes into `digest`, in order."""
    for path in files:
        name = path.relative_to(root) if root is not None else path
        data = path.read_bytes()
        digest.update(f"{name}\0{len(data)}\0".encode())
        digest.update(data)


def code_digest(package: Path) -> str:
    """A hash of the Python sources of `package` and of the interpreter's version: what a cache
    built by this code holds may change with either."""
    digest = hashlib.sha256(sys.version.encode())
    files_digest(digest, sorted(package.rglob("*.py")), package)
    return digest.hexdigest()
