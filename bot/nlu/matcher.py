"""The fuzzy matcher (the ranker before the linear model, kept as a baseline in the benchmarks):
an exact index of acronyms and aliases, word similarity over stems,
and rapidfuzz character similarity over the examples, blended into one confidence.

The blend weights and the threshold are named constants tuned on the labelled dev set
(`benchmarks/bench_nlu.py` prints the figures); change them only with that benchmark.
"""

from __future__ import annotations

import math
from bisect import bisect_left, bisect_right
from collections import defaultdict
from dataclasses import dataclass
from functools import lru_cache

from rapidfuzz import fuzz, process

from bot.content.models import Entry, Intent
from bot.nlu.normalize import normalize
from bot.nlu.ranking import EXACT_BONUS, Candidate, ExactIndex
from bot.nlu.words import content_tokens, stem

# Weights of the blend; see the module docstring.
WORD_WEIGHT = 0.70
CHAR_WEIGHT = 0.30
# Exponent of the query's norm in the word similarity: 1 is the cosine; lower values
# penalise long messages less (people explain their situation before asking).
QUERY_NORM_EXPONENT = 0.6
# A message that names a scheme by its acronym or alias is about that scheme, however long
# the story around it: its intent is not rejected (its FAQs still win on their words).
EXACT_FLOOR = 0.65
# Char scores under this cut-off are ignored (0-100 scale of rapidfuzz).
CHAR_CUTOFF = 55.0
# A query token unknown to the examples is corrected to a known one at this similarity.
TYPO_CUTOFF = 84.0
TYPO_MIN_LENGTH = 5
# Weight of a query stem never seen in any example: as heavy as the rarest known stem, since
# a word no intent knows is strong evidence that the message is about something else.
UNKNOWN_STEM_IDF = 4.5
# Only the first characters of a long message are matched: enough for any real question.
MAX_QUERY_CHARS = 400


@dataclass(frozen=True)
class _Example:
    intent: int
    content: str  # normalised text without stop words, for character scoring
    stems: frozenset[str]


class IntentMatcher:
    def __init__(self, intents: list[Intent], entries: dict[str, Entry]) -> None:
        self.intent_ids = [i.id for i in intents]
        self._examples: list[_Example] = []
        self._vocabulary: set[str] = set()
        # Acronyms and aliases: the same index as the intent model's (bot.nlu.ranking).
        self._exact = ExactIndex(intents, entries)
        self._position = {intent.id: index for index, intent in enumerate(intents)}

        for index, intent in enumerate(intents):
            phrases = list(intent.examples)
            entry = entries.get(intent.knowledge) if intent.knowledge else None
            if entry is not None and entry.kind != "faq":
                phrases.append(entry.name)
                phrases.extend(entry.aliases)
            for phrase in phrases:
                tokens = content_tokens(normalize(phrase))
                if not tokens:
                    tokens = normalize(phrase).split()
                self._vocabulary.update(tokens)
                self._examples.append(
                    _Example(index, " ".join(tokens), frozenset(stem(t) for t in tokens))
                )
        # Inverse document frequency of each stem, documents being intents.
        intent_stems: dict[int, set[str]] = defaultdict(set)
        for example in self._examples:
            intent_stems[example.intent].update(example.stems)
        document_frequency: dict[str, int] = defaultdict(int)
        for stems in intent_stems.values():
            for s in stems:
                document_frequency[s] += 1
        count = max(len(intents), 1)
        self._idf = {s: math.log(1 + count / df) for s, df in document_frequency.items()}
        self._postings: dict[str, list[int]] = defaultdict(list)
        self._norms: list[float] = []
        for position, example in enumerate(self._examples):
            for s in example.stems:
                self._postings[s].append(position)
            self._norms.append(math.sqrt(sum(self._idf[s] ** 2 for s in example.stems)) or 1.0)
        # Each example's words in sorted order (`token_sort_ratio` is `ratio` of the sorted words:
        # sorted once here, not on every message), the examples ordered by length: only those
        # whose length can reach CHAR_CUTOFF are scored (see `_char_scores`).
        by_length = sorted(
            ((" ".join(sorted(e.content.split())), e.intent) for e in self._examples), key=lambda item: len(item[0])
        )
        self._sorted_contents = [content for content, _ in by_length]
        self._sorted_intents = [intent for _, intent in by_length]
        self._sorted_lengths = [len(content) for content in self._sorted_contents]
        self._vocabulary_list = sorted(self._vocabulary)
        self._correct = lru_cache(maxsize=16384)(self._correct_uncached)

    # -- features -------------------------------------------------------------------------

    def _correct_uncached(self, token: str) -> str:
        if token in self._vocabulary or len(token) < TYPO_MIN_LENGTH or not token.isalpha():
            return token
        best = process.extractOne(
            token, self._vocabulary_list, scorer=fuzz.ratio, processor=None, score_cutoff=TYPO_CUTOFF
        )
        return best[0] if best else token

    def _exact_hits(self, tokens: list[str]) -> dict[int, float]:
        return {self._position[intent]: bonus for intent, bonus in self._exact.hits(tokens).items()}

    def _word_scores(self, stems: set[str]) -> dict[int, float]:
        """Best cosine (idf-weighted, binary) between the query and each intent's examples."""
        weights = {s: self._idf.get(s, UNKNOWN_STEM_IDF) for s in stems}
        query_norm = math.sqrt(sum(w * w for w in weights.values())) or 1.0
        dot: dict[int, float] = defaultdict(float)
        for s, w in weights.items():
            for position in self._postings.get(s, ()):
                dot[position] += w * w
        best: dict[int, float] = {}
        for position, value in dot.items():
            norm = self._norms[position]
            score = value / (query_norm**QUERY_NORM_EXPONENT * norm ** (2 - QUERY_NORM_EXPONENT))
            score = min(score, 1.0)
            intent = self._examples[position].intent
            if score > best.get(intent, 0.0):
                best[intent] = score
        return best

    def _char_scores(self, content: str) -> dict[int, float]:
        best: dict[int, float] = {}
        if not content:
            return best
        # The same scores as `fuzz.token_sort_ratio(content, example)`: both sides' words sorted.
        query = " ".join(sorted(content.split()))
        # ratio = 200 * common / (len(query) + len(example)), common <= the shorter length: an
        # example shorter than q*c/(2-c) or longer than q*(2-c)/c cannot reach the cut-off c
        # (one character more each side, for rounding). The others would score 0 anyway.
        cut = CHAR_CUTOFF / 100
        first = bisect_left(self._sorted_lengths, len(query) * cut / (2 - cut) - 1)
        end = bisect_right(self._sorted_lengths, len(query) * (2 - cut) / cut + 1)
        for _, score, position in process.extract(
            query,
            self._sorted_contents[first:end],
            scorer=fuzz.ratio,
            processor=None,
            score_cutoff=CHAR_CUTOFF,
            limit=None,
        ):
            intent = self._sorted_intents[first + position]
            if score > best.get(intent, 0.0):
                best[intent] = score
        return {i: s / 100.0 for i, s in best.items()}

    # -- public ---------------------------------------------------------------------------

    def rank(self, normalised: str, limit: int = 5, question: str | None = None) -> list[Candidate]:
        """Candidates for an already normalised message, best first (`question` is not weighed)."""
        normalised = normalised[:MAX_QUERY_CHARS]
        all_tokens = normalised.split()
        tokens = [self._correct(t) for t in content_tokens(normalised)] or [self._correct(t) for t in all_tokens]
        if not tokens:
            return []
        exact = self._exact_hits([self._correct(t) for t in all_tokens])
        words = self._word_scores({stem(t) for t in tokens})
        chars = self._char_scores(" ".join(tokens))
        scored: list[tuple[float, str, bool]] = []
        for intent in set(words) | set(chars) | set(exact):
            value = WORD_WEIGHT * words.get(intent, 0.0) + CHAR_WEIGHT * chars.get(intent, 0.0)
            bonus = exact.get(intent, 0.0)
            value += bonus
            if bonus == EXACT_BONUS:
                # Lifted above the floor, in the same order as before the lift.
                value = max(value, EXACT_FLOOR + value / 10)
            scored.append((value, self.intent_ids[intent], intent in exact))
        # Rank on the raw blend (it can pass 1 with the exact bonus), report it capped at 1.
        scored.sort(key=lambda item: (-item[0], item[1]))
        return [
            Candidate(intent, round(min(value, 1.0), 4), exact, value) for value, intent, exact in scored[:limit]
        ]
