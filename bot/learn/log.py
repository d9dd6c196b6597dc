"""The opt-in learning log: what people asked that the bot could not answer, and feedback.

Off unless `BOUSSOLE_LEARN=1`. Nothing here knows who wrote: no chat or user identifier is
ever passed in, and texts are scrubbed (bot.learn.scrub) before they reach the store. Records
go through the same store as conversations (files on one machine, Redis for replicas) and
expire after `BOUSSOLE_LEARN_DAYS` days (90 by default).

Three streams:
- `learn:events`: one record per message (outcome and intent, no text), for the shares;
- `learn:questions`: the scrubbed text of messages not answered, or answered with a
  confidence under DOUBT_MARGIN, with the best candidates;
- `learn:feedback`: 👍 / 👎 per intent.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from bot.actions import AskIntent, decode
from bot.learn.scrub import scrub
from bot.replies import Event, Reply
from bot.stores.base import StateStore

logger = logging.getLogger(__name__)

EVENTS = "learn:events"
QUESTIONS = "learn:questions"
FEEDBACK = "learn:feedback"
DEFAULT_DAYS = 90
# An answer given with less confidence than this is kept for review as "doubtful".
DOUBT_MARGIN = 0.70
MAX_STORED_CHARS = 500

Outcome = Literal["answered", "doubtful", "suggested", "unanswered"]


@dataclass(frozen=True)
class LearnSettings:
    enabled: bool = False
    days: int = DEFAULT_DAYS

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> LearnSettings:
        env = os.environ if environ is None else environ
        enabled = env.get("BOUSSOLE_LEARN", "0").strip().lower() in ("1", "true", "yes", "oui")
        try:
            days = max(1, int(env.get("BOUSSOLE_LEARN_DAYS", DEFAULT_DAYS)))
        except ValueError:
            days = DEFAULT_DAYS
        return cls(enabled, days)


def store_from_env(environ: Mapping[str, str] | None = None) -> StateStore:
    """The store Telegram uses (REDIS_URL, else files in BOUSSOLE_DATA_DIR): the terminal doors,
    `stats` and `review` read and feed the same one."""
    from bot.stores import open_store

    env = os.environ if environ is None else environ
    data_dir = Path(env.get("BOUSSOLE_DATA_DIR", "").strip() or "data")
    return open_store(data_dir, env.get("REDIS_URL", "").strip() or None)


def outcome_of(matched: bool, confidence: float, suggested: bool) -> Outcome:
    if matched:
        return "answered" if confidence >= DOUBT_MARGIN else "doubtful"
    return "suggested" if suggested else "unanswered"


class LearnLog:
    def __init__(self, store: StateStore, settings: LearnSettings, clock: Callable[[], float] = time.time) -> None:
        self.store = store
        self.settings = settings
        self.clock = clock

    @property
    def enabled(self) -> bool:
        return self.settings.enabled

    @property
    def ttl(self) -> float:
        return self.settings.days * 86400.0

    async def record(self, event: Event, reply: Reply) -> None:
        """The one hook every door goes through (via the conversation service), after each event.
        A storage error is logged and forgotten: it must never cost the user the answer."""
        if not self.enabled:
            return
        try:
            if reply.feedback is not None:
                await self.feedback(*reply.feedback)
            elif event.kind == "text" and reply.missing_for is not None:
                await self.missing(event.text, reply.missing_for)
            elif event.kind == "text":
                # "Suggested": the reply offered topics to pick from, not only the menu.
                offered = any(isinstance(decode(b.payload), AskIntent) for b in reply.buttons)
                await self.message(event.text, reply.intent, reply.matched, reply.confidence, reply.candidates,
                                   suggested=offered)
        except Exception as exc:  # noqa: BLE001 -- the log is best effort by design
            logger.error("learn_record_failed", extra={"fields": {"error": type(exc).__name__}})

    async def message(
        self,
        text: str,
        intent: str | None,
        matched: bool,
        confidence: float,
        candidates: Sequence[tuple[str, float]] = (),
        suggested: bool | None = None,
    ) -> None:
        """Record the outcome of one typed message; keep its (scrubbed) text when it went unanswered.
        `suggested`: the reply offered topics (by default: it had candidates)."""
        if not self.enabled:
            return
        now = self.clock()
        outcome = outcome_of(matched, confidence, bool(candidates) if suggested is None else suggested)
        await self.store.append(EVENTS, {"t": now, "intent": intent, "outcome": outcome}, self.ttl)
        if outcome != "answered":
            await self._question(now, text, outcome, candidates)

    async def feedback(self, intent: str, helpful: bool) -> None:
        if self.enabled:
            await self.store.append(FEEDBACK, {"t": self.clock(), "intent": intent, "vote": 1 if helpful else -1},
                                    self.ttl)

    async def missing(self, text: str, intent: str | None) -> None:
        """What a user said was missing after a 👎: reviewed like an unanswered question."""
        if self.enabled:
            await self._question(self.clock(), text, "feedback", [(intent, 0.0)] if intent else [])

    async def _question(self, now: float, text: str, outcome: str, candidates: Sequence[tuple[str, float]]) -> None:
        cleaned = scrub(text[:MAX_STORED_CHARS * 2])[:MAX_STORED_CHARS]
        if not cleaned:
            return
        record = {
            "t": now,
            "text": cleaned,
            "outcome": outcome,
            "candidates": [[intent, round(float(conf), 3)] for intent, conf in list(candidates)[:3]],
        }
        await self.store.append(QUESTIONS, record, self.ttl)
