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

import os
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Literal

from bot.learn.scrub import scrub
from bot.stores.base import StateStore

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
    def from_env(cls, environ: dict[str, str] | None = None) -> LearnSettings:
        env = os.environ if environ is None else environ
        enabled = env.get("BOUSSOLE_LEARN", "0").strip().lower() in ("1", "true", "yes", "oui")
        try:
            days = max(1, int(env.get("BOUSSOLE_LEARN_DAYS", DEFAULT_DAYS)))
        except ValueError:
            days = DEFAULT_DAYS
        return cls(enabled, days)


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

    async def message(
        self,
        text: str,
        intent: str | None,
        matched: bool,
        confidence: float,
        candidates: Sequence[tuple[str, float]] = (),
    ) -> None:
        """Record the outcome of one typed message; keep its (scrubbed) text when it went unanswered."""
        if not self.enabled:
            return
        now = self.clock()
        outcome = outcome_of(matched, confidence, bool(candidates))
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
