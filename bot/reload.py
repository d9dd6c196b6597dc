"""Live reload of knowledge/ and intents/ (SIGHUP, or /recharger from an admin chat).

The new engine is loaded in a thread (validation, the intent model from its cache or fitted,
the geography) while the running one goes on answering; then it replaces the old one in the
conversation service in one assignment, so each message is handled wholly by one of them and
no conversation is dropped (states live in the store, not in the engine). Invalid content
leaves the running engine in place and the errors, with file and line, go to the caller.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from bot.content.loader import INTENTS_DIR, KNOWLEDGE_DIR, ContentErrors
from bot.content.yaml_source import ContentError
from bot.conversation import ConversationService
from bot.engine import Engine


@dataclass(frozen=True)
class ReloadResult:
    ok: bool
    errors: str = ""  # the content errors, one per line ("file:line: what is wrong")
    entries: int = 0
    intents: int = 0
    seconds: float = 0.0


@dataclass
class Reloader:
    service: ConversationService
    knowledge_dir: Path = KNOWLEDGE_DIR
    intents_dir: Path = INTENTS_DIR
    # Called with the new engine after the swap (the inline cards hold one too).
    on_swap: list[Callable[[Engine], None]] = field(default_factory=list)
    _lock: asyncio.Lock = field(default_factory=asyncio.Lock)

    def _load(self) -> Engine:
        engine = Engine.load(self.knowledge_dir, self.intents_dir, learning=self.service.engine.learning)
        engine.territory  # noqa: B018 -- loaded here, not on the first question after the swap
        return engine

    async def reload(self) -> ReloadResult:
        async with self._lock:  # two SIGHUPs in a row: the second waits, then loads again
            started = time.perf_counter()
            try:
                engine = await asyncio.to_thread(self._load)
            except ContentErrors as exc:
                return ReloadResult(False, "\n".join(str(e) for e in exc.errors))
            except ContentError as exc:
                return ReloadResult(False, str(exc))
            except Exception as exc:  # noqa: BLE001 -- whatever broke, the running content stays
                return ReloadResult(False, f"{type(exc).__name__}: {exc}")
            self.service.replace_engine(engine)
            for callback in self.on_swap:
                callback(engine)
            return ReloadResult(True, entries=len(engine.content.entries), intents=len(engine.content.intents),
                                seconds=time.perf_counter() - started)
