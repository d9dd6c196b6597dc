"""Figures over the learning log, and the unanswered questions grouped by similarity.

Grouping must stay fast on 100,000 stored questions (benchmarks/bench_learn.py):
- each text is reduced to the sorted set of the stems of its words (lower case, accents
  folded, punctuation, function words and greetings dropped): "bonjour, les subventions de
  la mairie ?" and "subvention mairie" are one key, counted once. This is a cheap key of its
  own, not `bot.nlu.normalize` (whose SMS rules cost ~100 µs a text and change nothing to
  what groups together);
- keys sharing the same best candidate form a bucket, clustered greedily around leaders
  (most frequent keys first) at token-set similarity GROUP_SIMILARITY;
- in two levels: close variants first with `fuzz.ratio` on the word sets (about 100 times
  cheaper than `token_set_ratio`), then those groups merged when their leaders are alike by
  `token_set_ratio` (so "dla" and "dla mairie financement" still meet); on the benchmark's
  100,000 questions this cut the grouping from ~3.4 s to ~1.6 s of CPU;
- the comparisons with the leaders run by chunks of keys in `rapidfuzz.process.cdist` (C++,
  each string prepared once, all cores), not one `extractOne` call per key; a key is compared
  one by one only with the leaders its own chunk created.
"""

from __future__ import annotations

import datetime as dt
import re
import time
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np
from rapidfuzz import fuzz, process

from bot.learn.log import EVENTS, FEEDBACK, QUESTIONS
from bot.nlu.words import STOP_WORDS, stem
from bot.stores.base import StateStore

# Two questions belong together at this token-set similarity (0-100).
GROUP_SIMILARITY = 75.0
# Past this many leaders in one bucket, further distinct texts form their own groups.
MAX_LEADERS_PER_BUCKET = 3000
NO_CANDIDATE = ""
# Keys compared with the leaders in one cdist call: small at first, while most keys still
# become leaders, then bigger.
FIRST_CHUNK, MAX_CHUNK = 32, 1024
# Below this many comparisons, threads cost more than they save.
PARALLEL_FROM = 200_000
_WORD = re.compile(r"[^\W_]+")
# Words that say nothing of what was asked, for grouping only.
IGNORED = STOP_WORDS | {"bonjour", "bonsoir", "salut", "slt", "merci", "svp", "stp", "bjr", "mrc", "urgent"}


def _fold_table() -> dict[int, str]:
    table = {}
    for code in range(0xC0, 0x250):
        char = chr(code)
        base = "".join(c for c in unicodedata.normalize("NFKD", char) if not unicodedata.combining(c))
        if base != char:
            table[code] = base
    table.update({ord("œ"): "oe", ord("æ"): "ae"})
    return table


_FOLD = _fold_table()


def group_key(text: str) -> str:
    """The sorted set of the stems of a text's words, lower case, without accents, without
    function words (kept when there is nothing else)."""
    words = _WORD.findall(text.casefold().translate(_FOLD))
    kept = [w for w in words if w not in IGNORED] or words
    return " ".join(sorted({stem(w) for w in kept}))


def _cluster(keys: list[str], scorer=fuzz.token_set_ratio) -> list[list[int]]:
    """Greedy leader clustering of `keys` (most important first): each key joins its most
    similar leader at GROUP_SIMILARITY or more, else becomes a leader. Returns member indexes."""
    leaders: list[int] = []
    members: list[list[int]] = []
    start, size = 0, FIRST_CHUNK
    while start < len(keys):
        chunk = keys[start:start + size]
        known = len(leaders)
        new_leaders: list[str] = []  # texts of the leaders this chunk creates
        best_of = [0] * len(chunk)
        column_of = [-1] * len(chunk)
        if leaders:
            workers = -1 if len(chunk) * known >= PARALLEL_FROM else 1
            scores = process.cdist(chunk, [keys[i] for i in leaders], scorer=scorer, processor=None,
                                   score_cutoff=GROUP_SIMILARITY, dtype=np.uint8, workers=workers)
            columns = scores.argmax(axis=1)
            best_of = scores[np.arange(len(chunk)), columns].tolist()
            column_of = columns.tolist()
        for offset, key in enumerate(chunk):
            best = best_of[offset]
            where = column_of[offset] if best else -1
            if new_leaders and best < 100:
                found = process.extractOne(key, new_leaders, scorer=scorer, processor=None,
                                           score_cutoff=max(GROUP_SIMILARITY, best + 1))
                if found is not None:
                    where = known + found[2]
            if where >= 0:
                members[where].append(start + offset)
            elif len(leaders) < MAX_LEADERS_PER_BUCKET:
                leaders.append(start + offset)
                new_leaders.append(key)
                members.append([start + offset])
            else:
                members.append([start + offset])  # past the cap: a group of its own, never a leader
        start += len(chunk)
        size = min(size * 2, MAX_CHUNK)
    return members


def _two_level(keys: list[str]) -> list[list[int]]:
    """Close variants first (fuzz.ratio on the sorted word sets, ~100 times cheaper), then
    those groups merged when their leaders are alike by token set (one word set inside the
    other counts as alike): the token-set clustering's groups at a fraction of its cost."""
    tight = _cluster(keys, fuzz.ratio)
    tight.sort(key=lambda members: members[0])  # by their leader: most frequent first
    merged = _cluster([keys[members[0]] for members in tight], fuzz.token_set_ratio)
    return [[i for group in groups for i in tight[group]] for groups in merged]


@dataclass
class Group:
    texts: list[tuple[str, int]]  # (a text as stored, how many times), most frequent first
    size: int
    candidates: list[tuple[str, float]]  # best candidate intents, by how often they came first
    from_feedback: int = 0  # how many were what someone said was missing after a 👎

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


@lru_cache(maxsize=1024)
def _week_of_day(day_number: int) -> str:
    day = dt.date(1970, 1, 1) + dt.timedelta(days=day_number)
    return (day - dt.timedelta(days=day.weekday())).isoformat()


def _week(timestamp: float) -> str:
    return _week_of_day(int(timestamp // 86400))  # 200,000 events fall on a few dozen days


def group_questions(records: Iterable[dict]) -> list[Group]:
    """Unanswered questions grouped by similarity, biggest groups first."""
    counts: Counter[str] = Counter()
    shown: dict[str, str] = {}
    first_candidates: dict[str, dict[str, int]] = {}
    keys_of: dict[str, str] = {}  # the same text comes back often: normalise it once
    feedback: Counter[str] = Counter()
    for record in records:
        text = str(record.get("text") or "")
        key = keys_of.get(text)
        if key is None:
            key = keys_of[text] = group_key(text)
        if not key:
            continue
        counts[key] += 1
        shown.setdefault(key, text)
        if record.get("outcome") == "feedback":
            feedback[key] += 1
        candidates = record.get("candidates") or []
        first = candidates[0][0] if candidates and candidates[0][0] else NO_CANDIDATE
        seen = first_candidates.setdefault(key, {})
        seen[first] = seen.get(first, 0) + 1

    buckets: dict[str, list[str]] = defaultdict(list)
    for key, _ in counts.most_common():
        seen = first_candidates[key]
        buckets[max(seen, key=seen.__getitem__)].append(key)

    groups: list[Group] = []
    for keys in buckets.values():
        for indexes in _two_level(keys):
            group_keys = [keys[i] for i in indexes]
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
                from_feedback=sum(feedback[k] for k in group_keys),
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
