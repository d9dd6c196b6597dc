"""Figures over the learning log, and the unanswered questions grouped by similarity.

Grouping must stay fast on 100,000 stored questions: identical texts (after normalisation)
are counted once, then each bucket of texts sharing the same best candidate is clustered
greedily around leaders with rapidfuzz, biggest texts first, so the cost grows with the
number of distinct questions times the leaders of their bucket, not with all pairs.
"""

from __future__ import annotations

import datetime as dt
import time
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from rapidfuzz import fuzz, process

from bot.learn.log import EVENTS, FEEDBACK, QUESTIONS
from bot.nlu.normalize import normalize
from bot.stores.base import StateStore

# Two questions belong together at this token-set similarity (0-100).
GROUP_SIMILARITY = 75.0
# Past this many leaders in one bucket, further distinct texts form their own groups.
MAX_LEADERS_PER_BUCKET = 3000
NO_CANDIDATE = ""


@dataclass
class Group:
    texts: list[tuple[str, int]]  # (a text as stored, how many times), most frequent first
    size: int
    candidates: list[tuple[str, float]]  # best candidate intents, by how often they came first

    @property
    def label(self) -> str:
        return self.texts[0][0]


@dataclass
class Stats:
    days: int
    messages: int = 0
    answered: int = 0
    suggested: int = 0
    top_intents: list[tuple[str, int]] = field(default_factory=list)
    feedback: dict[str, tuple[int, int]] = field(default_factory=dict)  # intent -> (👍, 👎)
    groups: list[Group] = field(default_factory=list)
    weeks: list[tuple[str, float]] = field(default_factory=list)  # ISO week start -> answered share

    @property
    def answered_share(self) -> float:
        return self.answered / self.messages if self.messages else 0.0

    @property
    def suggested_share(self) -> float:
        return self.suggested / self.messages if self.messages else 0.0

    def worst_rated(self, limit: int = 5) -> list[tuple[str, int, int]]:
        rated = [(intent, up, down) for intent, (up, down) in self.feedback.items() if down]
        rated.sort(key=lambda item: (-(item[2] / (item[1] + item[2])), -item[2], item[0]))
        return rated[:limit]

    def as_dict(self, max_groups: int = 20) -> dict:
        return {
            "days": self.days,
            "messages": self.messages,
            "answered_share": round(self.answered_share, 4),
            "suggested_share": round(self.suggested_share, 4),
            "top_intents": [{"intent": i, "count": c} for i, c in self.top_intents],
            "feedback": {i: {"up": u, "down": d} for i, (u, d) in sorted(self.feedback.items())},
            "weeks": [{"week": w, "answered_share": round(s, 4)} for w, s in self.weeks],
            "groups": [
                {
                    "size": g.size,
                    "examples": [{"text": t, "count": c} for t, c in g.texts[:5]],
                    "candidates": [{"intent": i, "share": round(s, 3)} for i, s in g.candidates],
                }
                for g in self.groups[:max_groups]
            ],
        }


def _week(timestamp: float) -> str:
    day = dt.datetime.fromtimestamp(timestamp, dt.UTC).date()
    return (day - dt.timedelta(days=day.weekday())).isoformat()


def group_questions(records: Iterable[dict]) -> list[Group]:
    """Unanswered questions grouped by similarity, biggest groups first."""
    counts: Counter[str] = Counter()
    shown: dict[str, str] = {}
    first_candidates: dict[str, Counter[str]] = defaultdict(Counter)
    keys_of: dict[str, str] = {}  # the same text comes back often: normalise it once
    for record in records:
        text = str(record.get("text") or "")
        key = keys_of.get(text)
        if key is None:
            key = keys_of[text] = normalize(text)
        if not key:
            continue
        counts[key] += 1
        shown.setdefault(key, text)
        candidates = record.get("candidates") or []
        first_candidates[key][candidates[0][0] if candidates and candidates[0][0] else NO_CANDIDATE] += 1

    buckets: dict[str, list[str]] = defaultdict(list)
    for key, _ in counts.most_common():
        buckets[first_candidates[key].most_common(1)[0][0]].append(key)

    groups: list[Group] = []
    for keys in buckets.values():
        leaders: list[str] = []
        members: list[list[str]] = []
        for key in keys:
            found = None
            if leaders:
                found = process.extractOne(key, leaders, scorer=fuzz.token_set_ratio, processor=None,
                                           score_cutoff=GROUP_SIMILARITY)
            if found is not None:
                members[found[2]].append(key)
            elif len(leaders) < MAX_LEADERS_PER_BUCKET:
                leaders.append(key)
                members.append([key])
            else:
                members.append([key])
        for group_keys in members:
            candidate_counts: Counter[str] = Counter()
            for key in group_keys:
                candidate_counts.update(first_candidates[key])
            candidate_counts.pop(NO_CANDIDATE, None)
            size = sum(counts[k] for k in group_keys)
            total = sum(candidate_counts.values()) or 1
            groups.append(Group(
                texts=sorted(((shown[k], counts[k]) for k in group_keys), key=lambda item: -item[1]),
                size=size,
                candidates=[(intent, n / total) for intent, n in candidate_counts.most_common(3)],
            ))
    groups.sort(key=lambda g: (-g.size, g.label))
    return groups


async def compute(store: StateStore, days: int, now: float | None = None) -> Stats:
    now = time.time() if now is None else now
    since = now - days * 86400.0
    stats = Stats(days=days)
    intents: Counter[str] = Counter()
    weekly: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for event in await store.records(EVENTS, since):
        stats.messages += 1
        outcome = event.get("outcome")
        answered = outcome in ("answered", "doubtful")
        stats.answered += answered
        stats.suggested += outcome == "suggested"
        if answered and event.get("intent"):
            intents[event["intent"]] += 1
        week = weekly[_week(float(event.get("t", now)))]
        week[0] += answered
        week[1] += 1
    stats.top_intents = intents.most_common(10)
    votes: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for record in await store.records(FEEDBACK, since):
        votes[str(record.get("intent"))][0 if record.get("vote", 0) > 0 else 1] += 1
    stats.feedback = {intent: (up, down) for intent, (up, down) in votes.items()}
    stats.groups = group_questions(await store.records(QUESTIONS, since))
    stats.weeks = [(week, a / n) for week, (a, n) in sorted(weekly.items())]
    return stats
