"""Checks of `ess-bot check` beyond the schema: enough examples, examples that sit closer to
another intent than to their own, and the coverage figures."""

from __future__ import annotations

import datetime as dt

import numpy as np
from rapidfuzz import fuzz, process

from bot.content.loader import MIN_EXAMPLES, ROOT, Content
from bot.nlu.normalize import normalize
from bot.nlu.words import content_tokens

# An example is reported when an example of another intent is this similar (0-100) and
# more similar than any other example of its own intent.
CONFUSION_FLOOR = 85.0
# Examples compared with all the others per batch (a batch's scores: 500 x examples, in floats).
CONFUSION_CHUNK = 500


def _where(content: Content, intent_id: str) -> str:
    path, line = content.intent_lines.get(intent_id, ("?", None))
    return f"{path}:{line}" if line else str(path)


def quality_problems(content: Content, focus: str | None = None) -> list[str]:
    """Everything `check` reports; with `focus`, example confusions only for that intent's examples."""
    problems: list[str] = []
    for intent in content.intents:
        if len(intent.examples) < MIN_EXAMPLES:
            problems.append(
                f"{_where(content, intent.id)}: intent '{intent.id}' has {len(intent.examples)} examples,"
                f" at least {MIN_EXAMPLES}"
            )
    for entry in content.entries.values():
        path = content.entry_files.get(entry.id, "?")
        if entry.status.state == "closed" and not (entry.status.since or entry.status.until):
            problems.append(f"{path}: closed entry '{entry.id}' has no dates")
        if entry.kind != "faq" and entry.eligibility is not None and not entry.next_step:
            problems.append(f"{path}: entry '{entry.id}' can be recommended but has no next_step")
    problems.extend(_confusions(content, focus))
    return problems


def _confusions(content: Content, focus: str | None = None) -> list[str]:
    texts: list[str] = []  # compared without stop words, words sorted
    raw: list[str] = []  # reported as written
    owners: list[str] = []
    for intent in content.intents:
        for example in intent.examples:
            words = content_tokens(normalize(example)) or normalize(example).split()
            # Words sorted once: fuzz.ratio on them is fuzz.token_sort_ratio, which sorted them for every pair.
            texts.append(" ".join(sorted(words)))
            raw.append(example)
            owners.append(intent.id)
    owner_ids = np.unique(np.array(owners), return_inverse=True)[1]
    positions = [p for p, owner in enumerate(owners) if focus is None or owner == focus]
    problems = []
    for start in range(0, len(positions), CONFUSION_CHUNK):
        rows = np.array(positions[start : start + CONFUSION_CHUNK])
        # Every example against every other at once, on all cores: compared one by one, the
        # examples' square took minutes once the content held 10,000 of them.
        scores = process.cdist([texts[p] for p in rows], texts, scorer=fuzz.ratio, processor=None,
                               score_cutoff=CONFUSION_FLOOR, dtype=np.float32, workers=-1)
        scores[np.arange(len(rows)), rows] = 0.0  # an example against itself
        own = owner_ids[None, :] == owner_ids[rows][:, None]
        best_own = np.where(own, scores, 0.0).max(axis=1)
        others = np.where(own, 0.0, scores)
        closest = others.argmax(axis=1)
        best_other = others[np.arange(len(rows)), closest]
        for position, other, score, own_score in zip(rows.tolist(), closest.tolist(), best_other.tolist(),
                                                     best_own.tolist(), strict=True):
            if score > 0.0 and score > own_score:
                problems.append(
                    f"{_where(content, owners[position])}: example '{raw[position]}' of '{owners[position]}' is"
                    f" closer to '{raw[other]}' of '{owners[other]}' ({score:.0f}) than to its own intent's examples"
                )
    return problems


def coverage(content: Content) -> dict[str, str]:
    examples = sum(len(i.examples) for i in content.intents)
    sources = sum(len(e.sources) for e in content.entries.values())
    kinds: dict[str, int] = {}
    for entry in content.entries.values():
        kinds[entry.kind] = kinds.get(entry.kind, 0) + 1
    answered = {i.knowledge for i in content.intents if i.knowledge}
    unanswered = sorted(set(content.entries) - answered)
    return {
        "intents": str(len(content.intents)),
        "examples": str(examples),
        "entries": f"{len(content.entries)} ({', '.join(f'{k} {v}' for k, v in sorted(kinds.items()))})",
        "sources": str(sources),
        "entries without an intent": ", ".join(unanswered) or "none",
    }


def stale_entries(content: Content, days: int, today: dt.date) -> list[str]:
    """Entries whose sources were last read more than `days` days before `today`, oldest first."""
    old = [e for e in content.entries.values() if (today - e.last_verified).days > days]
    old.sort(key=lambda e: (e.last_verified, e.id))
    files = {i: p.relative_to(ROOT) if p.is_relative_to(ROOT) else p for i, p in content.entry_files.items()}
    return [
        f"{files.get(e.id, '?')}: '{e.id}' last verified {e.last_verified.isoformat()}"
        f" ({(today - e.last_verified).days} days ago)"
        for e in old
    ]
