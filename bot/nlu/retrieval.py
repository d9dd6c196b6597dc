"""Story evidence: Okapi BM25 of a message against each intent's phrases taken as one document.

The logistic model (bot.nlu.linear) is fitted on short phrases; on a story of several sentences it
sums many words into one reading and misses the topic a story tells without naming it (a
self-employed person who wants a payslip and colleagues is asking about a CAE). Retrieval
reads the other way round: each intent's examples, name and summary make one document, and a long
message is scored by the words it shares with each, every word counted once, rare words more
(BM25's idf), long documents (intents with many examples) not favoured (its length
normalisation). Its score grows with the evidence a long message brings, where the model's
probabilities had already saturated.

The score is added to the model's log-probabilities from BLEND_FROM words on, sliding up to
BLEND_WEIGHT at BLEND_TO words, among the topics only: the out-of-scope class keeps the model's
probability (its document, hundreds of everyday phrases, is not a topic to retrieve), so retrieval
only moves probability between topics, never to or from that class. Measured on the tuning sets
(validation, blind_dev, stories_dev_set and blind_dev2 together), against the model alone, both
tempered: top-1 in scope 682 -> 687 of 763 (26+ word stories that name no scheme 178 -> 188 of
227), precise questions answered by their entry 342 -> 350 of 396, off-topic rejected 144 -> 140
of 164 (a surer topic leaves fewer unsure stories turned away). From 6 words on, precise questions
gained more (357) but a 20-word profile in the orientation lost its first scheme
(tests/unit/test_profiles.py).
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict

import numpy as np

from bot.nlu.policy import OUT_OF_SCOPE
from bot.nlu.ranking import Phrase, length_share
from bot.nlu.words import STOP_WORDS, stem

K1, B = 1.2, 0.75
BLEND_FROM, BLEND_TO = 12, 40
BLEND_WEIGHT = 1.0


def terms(normalised: str) -> list[str]:
    """Stems of the content words of a normalised text (one-letter tokens left out)."""
    return [stem(t) for t in normalised.split() if t not in STOP_WORDS and len(t) > 1]


def bm25_matrix(phrases: list[Phrase], classes: list[str]) -> tuple[list[str], np.ndarray]:
    """(terms, terms x classes BM25 weights) with each class's phrases as one document."""
    documents: dict[str, Counter[str]] = defaultdict(Counter)
    for phrase in phrases:
        documents[phrase.intent].update(terms(phrase.text))
    counts = [documents.get(c, Counter()) for c in classes]
    lengths = np.array([sum(c.values()) for c in counts], dtype=np.float64)
    average = float(lengths.mean()) or 1.0
    frequency: Counter[str] = Counter()
    for c in counts:
        frequency.update(c.keys())
    vocabulary = sorted(frequency)
    row = {t: i for i, t in enumerate(vocabulary)}
    n = len(classes)
    matrix = np.zeros((len(vocabulary), n), dtype=np.float32)
    for k, c in enumerate(counts):
        norm = K1 * (1 - B + B * lengths[k] / average)
        for term, f in c.items():
            df = frequency[term]
            idf = math.log(1 + (n - df + 0.5) / (df + 0.5))
            matrix[row[term], k] = idf * f * (K1 + 1) / (f + norm)
    return vocabulary, matrix


class Retrieval:
    """BM25 weights of the content's terms for each class (same order as the model's classes)."""

    def __init__(self, vocabulary: list[str], matrix: np.ndarray, classes: list[str]) -> None:
        self.vocabulary = vocabulary
        self.rows = {t: i for i, t in enumerate(vocabulary)}
        # Kept row by row, non-zero weights only (a term names a few classes): the dense matrix
        # would hold 2 MB of zeros in every replica.
        nonzero = matrix != 0
        self._starts = np.concatenate([[0], np.cumsum(nonzero.sum(axis=1))]).astype(np.intp)
        self._classes = np.nonzero(nonzero)[1].astype(np.intp)
        self._weights = matrix[nonzero].astype(np.float64)
        self._shape = matrix.shape
        self.out_of_scope = classes.index(OUT_OF_SCOPE) if OUT_OF_SCOPE in classes else None

    @property
    def matrix(self) -> np.ndarray:
        """The dense terms x classes weights (what the model's cache file stores)."""
        dense = np.zeros(self._shape, dtype=np.float32)
        rows = np.repeat(np.arange(self._shape[0]), np.diff(self._starts))
        dense[rows, self._classes] = self._weights
        return dense

    def scores(self, normalised: str) -> np.ndarray:
        rows = sorted({r for t in terms(normalised) if (r := self.rows.get(t)) is not None})
        total = np.zeros(self._shape[1])
        for r in rows:  # in row order, as the dense sum added them
            start, end = self._starts[r], self._starts[r + 1]
            total[self._classes[start:end]] += self._weights[start:end]
        return total

    def blend(self, probabilities: np.ndarray, normalised: str, words: int) -> np.ndarray:
        """The model's probabilities with the retrieval score added to their logarithms (see the
        module docstring); the out-of-scope class keeps its probability."""
        share = length_share(words, BLEND_FROM, BLEND_TO)
        if share == 0.0:
            return probabilities
        z = np.log(probabilities + 1e-12) + share * BLEND_WEIGHT * self.scores(normalised)
        kept = 0.0
        if self.out_of_scope is not None:
            kept = float(probabilities[self.out_of_scope])
            z[self.out_of_scope] = -np.inf
        blended = np.exp(z - z.max())
        blended *= (1.0 - kept) / blended.sum()
        if self.out_of_scope is not None:
            blended[self.out_of_scope] = kept
        return blended
