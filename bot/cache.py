"""Files derived from the content (the intent model's weights, the loaded geography), written
by `check` or the first start and read at every start after. Never committed: a hash of what
they are built from names them, so a content change simply builds a new one."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO


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
