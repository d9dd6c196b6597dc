"""The start-up cache: the content as `Engine.load` makes it (messages, validated knowledge and
intents, the intent model, the orientation's vocabulary), pickled under a hash of everything it
is built from, so that a start with unchanged files reads one file instead of parsing and
validating some 180 YAML files.

The key covers every file under `knowledge/entries/` and `intents/` (names and bytes), the
messages file, the directories' paths, the Python sources of `bot/` and the interpreter's version:
an edited, added or removed file, or new code, is a different key, so it is never served from
the cache; it is loaded and validated from the YAML (errors with file and line, as always), and
the intent model comes from its own cache or is trained. Only derived data is written (never
committed), under `.cache/engine` or `BOUSSOLE_ENGINE_CACHE`, atomically; a missing, unreadable
or corrupt file is rebuilt, and a read-only disk only costs the full load at each start.
"""

from __future__ import annotations

import hashlib
import os
import pickle
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from bot.cache import code_digest, files_digest, load_pickle, write_cached

if TYPE_CHECKING:
    from bot.content.loader import Content
    from bot.messages import Messages
    from bot.nlu.ranking import Ranker
    from bot.orientation.reading import Vocabulary

# Bump when what is cached changes shape in a way the code hash would not show.
CACHE_VERSION = "engine-2"
CACHE_DIR = Path(os.environ.get("BOUSSOLE_ENGINE_CACHE", Path(__file__).resolve().parents[1] / ".cache" / "engine"))
CACHE_KEEP = 8
PACKAGE = Path(__file__).resolve().parent
# Where the knowledge files `load_content` reads live (the geography has its own cache).
ENTRIES_SUBDIR = "entries"


@dataclass(frozen=True)
class Loaded:
    messages: Messages
    content: Content
    matcher: Ranker
    vocabulary: Vocabulary
    # The topics' vocabulary (bot.engine.Engine._topic_vocabulary): half a second to build from the
    # examples, which the first follow-up would otherwise wait for.
    topics: tuple[dict[str, frozenset[str]], dict[str, str]]


_code_key: str | None = None


def cache_key(knowledge_dir: Path, intents_dir: Path, messages_file: Path) -> str:
    global _code_key
    if _code_key is None:  # the sources do not change under a running process
        _code_key = code_digest(PACKAGE)
    digest = hashlib.sha256(f"{CACHE_VERSION}\0{_code_key}\0{knowledge_dir}\0{intents_dir}\0".encode())
    for directory in (knowledge_dir / ENTRIES_SUBDIR, intents_dir):
        digest.update(f"{directory}\0".encode())
        files_digest(digest, sorted(p for p in directory.rglob("*") if p.is_file()), directory)
    files_digest(digest, [messages_file])
    return digest.hexdigest()[:32]


def path_for(cache_dir: Path | None, knowledge_dir: Path, intents_dir: Path, messages_file: Path) -> Path | None:
    """The cache file for these files, or None without a cache (or when they cannot be read:
    the full load then reports it)."""
    if cache_dir is None:
        return None
    try:
        return cache_dir / f"{cache_key(knowledge_dir, intents_dir, messages_file)}.pickle"
    except OSError:
        return None


def read(path: Path) -> Loaded | None:
    """What was cached at `path`, or None when it is missing or not readable as such."""
    if not path.exists():
        return None
    try:
        loaded = load_pickle(path)
    except Exception:  # noqa: BLE001 - any broken cache is rebuilt from the files
        return None
    return loaded if isinstance(loaded, Loaded) else None


def write(path: Path, loaded: Loaded) -> None:
    write_cached(path, lambda handle: pickle.dump(loaded, handle, protocol=pickle.HIGHEST_PROTOCOL), CACHE_KEEP)
