"""The ranking interface: plain phrases from the content in, ranked intents out.

Every ranker is built from the same `Phrase` list (intent examples, and the knowledge entry's
own name, acronyms and summary as weaker evidence), so a trained model, the fuzzy matcher or a
blend of both can be swapped by measurement (`benchmarks/compare_rankers.py`). What to do with
the ranking (answer, suggest, reject) is decided in one place: `bot.nlu.policy`.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol

from bot.content.models import Entry, Intent
from bot.nlu.normalize import normalize

# Weight of the entry's own text against an example phrasing (1.0): it is written to explain,
# not the way people ask.
ENTRY_NAME_WEIGHT = 1.0
ENTRY_SUMMARY_WEIGHT = 0.5
ENTRY_ANSWER_WEIGHT = 0.0  # the answer's sentences; 0 leaves them out (see compare_rankers.py)
# A FAQ entry's answer is written in the words of the question it answers ("pourcentage",
# "délai", "part sociale"...): its sentences are read by the retrieval that tells a scheme's card
# from its FAQs (`LinearRanker._within_family`), never fitted by the model. Fitted, even at weight
# 0.05 or 0.2, they cost 5 to 12 messages of top-1 + off-topic on the tuning sets for no precise
# question gained; in the story retrieval's documents (bot.nlu.retrieval) they cost 7.
FAQ_ANSWERS_RETRIEVED = True
# Bonus of an acronym or alias named in the message, and the smaller one of the FAQs about it.
EXACT_BONUS = 0.10
FAQ_EXACT_BONUS = 0.05


def length_share(words: int, start: int, end: int) -> float:
    """0 up to `start` words, 1 from `end` words, linear between: how far a message of this length
    is into a length-dependent adjustment."""
    return min(max((words - start) / (end - start), 0.0), 1.0)


@dataclass(frozen=True)
class Candidate:
    intent: str
    confidence: float  # 0..1: what the policy compares with its thresholds and the doors show
    exact: bool = False  # the message names the intent's scheme by an acronym or alias
    score: float = 0.0  # the raw score, for ranking and for telling two close intents apart


@dataclass(frozen=True)
class Phrase:
    intent: str
    text: str  # normalised
    weight: float = 1.0
    retrieval_only: bool = False  # read by the retrieval (bot.nlu.retrieval), not fitted by the model


class Ranker(Protocol):
    def rank(self, normalised: str, limit: int = 5, question: str | None = None) -> list[Candidate]:
        """Candidates for an already normalised message, best first; `question`, the normalised
        question a story ends on, may be weighed more."""
        ...


def training_phrases(intents: Iterable[Intent], entries: dict[str, Entry], entry_text: bool = True) -> list[Phrase]:
    """What every ranker learns from; identical phrases of one intent are merged, weights added,
    so repeating the examples changes nothing but their weight. The FAQ answers' sentences come
    last, marked `retrieval_only` (see FAQ_ANSWERS_RETRIEVED)."""
    merged: dict[tuple[str, str], float] = defaultdict(float)
    retrieval: list[Phrase] = []
    for intent in intents:
        if intent.whole_message_only:
            continue
        for example in intent.examples:
            merged[(intent.id, normalize(example))] += 1.0
        entry = entries.get(intent.knowledge) if intent.knowledge else None
        if entry is None or not entry_text:
            continue
        if entry.kind != "faq":
            for name in [entry.name, *entry.aliases, *entry.acronyms]:
                merged[(intent.id, normalize(name))] = max(merged[(intent.id, normalize(name))], ENTRY_NAME_WEIGHT)
        merged[(intent.id, normalize(entry.summary))] += ENTRY_SUMMARY_WEIGHT
        if ENTRY_ANSWER_WEIGHT > 0:
            for sentence in answer_sentences(entry):
                merged[(intent.id, sentence)] += ENTRY_ANSWER_WEIGHT
        if entry.kind == "faq" and FAQ_ANSWERS_RETRIEVED:
            retrieval.extend(Phrase(intent.id, s, 1.0, True) for s in answer_sentences(entry))
    return [Phrase(intent, text, weight) for (intent, text), weight in merged.items() if text] + retrieval


def answer_sentences(entry: Entry) -> list[str]:
    """The normalised sentences of an entry's answer (of four words or more)."""
    return [normalize(s) for s in re.split(r"(?<=[.!?:])\s+|\n+", entry.answer) if len(s.split()) >= 4]


def faq_schemes(intents: Iterable[Intent], entries: dict[str, Entry]) -> dict[str, str]:
    """FAQ intent -> the intent of the entry the FAQ is about (its first `see_also`)."""
    intents = list(intents)
    by_entry = {i.knowledge: i.id for i in intents if i.knowledge}
    out: dict[str, str] = {}
    for intent in intents:
        entry = entries.get(intent.knowledge or "")
        if entry is not None and entry.kind == "faq" and entry.see_also and entry.see_also[0] in by_entry:
            out[intent.id] = by_entry[entry.see_also[0]]
    return out


class ExactIndex:
    """Acronyms and aliases looked up exactly, longest phrase first: "pret d honneur solidaire"
    counts for that scheme, not for "pret d honneur"."""

    def __init__(self, intents: Iterable[Intent], entries: dict[str, Entry]) -> None:
        intents = list(intents)
        self._keys: dict[str, dict[str, float]] = defaultdict(dict)
        for intent in intents:
            entry = entries.get(intent.knowledge) if intent.knowledge else None
            if entry is not None and entry.kind != "faq":
                for key in [*entry.acronyms, *entry.aliases, entry.name]:
                    self._keys[normalize(key)][intent.id] = EXACT_BONUS
        # FAQ entries share the acronyms of the entry they are about: "le dla est gratuit" gets
        # the DLA bonus for both the DLA and its FAQ, and the words decide between them.
        for intent in intents:
            entry = entries.get(intent.knowledge) if intent.knowledge else None
            if entry is not None and entry.kind == "faq":
                for related in entry.see_also:
                    related_entry = entries.get(related)
                    keys = [*related_entry.acronyms, *related_entry.aliases] if related_entry else []
                    for key in keys:
                        self._keys[normalize(key)].setdefault(intent.id, FAQ_EXACT_BONUS)
        self._keys.pop("", None)
        # Key lengths (in words) by first word, longest first: only those are tried at a position.
        self._sizes: dict[str, list[int]] = defaultdict(list)
        for key in self._keys:
            words = key.split()
            if len(words) not in self._sizes[words[0]]:
                self._sizes[words[0]].append(len(words))
        for sizes in self._sizes.values():
            sizes.sort(reverse=True)
        self._max_words = max((len(k.split()) for k in self._keys), default=1)

    def hits(self, tokens: list[str]) -> dict[str, float]:
        """Bonus per intent for the acronyms and aliases among `tokens`."""
        hits: dict[str, float] = {}
        used = [False] * len(tokens)
        spans = [
            (size, start)
            for start, token in enumerate(tokens)
            for size in self._sizes.get(token, ())
            if start + size <= len(tokens)
        ]
        spans.sort(key=lambda span: (-span[0], span[1]))
        for size, start in spans:
            if any(used[start : start + size]):
                continue
            found = self._keys.get(" ".join(tokens[start : start + size]))
            if not found:
                continue
            for i in range(start, start + size):
                used[i] = True
            for intent, bonus in found.items():
                hits[intent] = max(hits.get(intent, 0.0), bonus)
        return hits
