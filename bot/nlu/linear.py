"""A linear intent classifier: TF-IDF over words, stems and character n-grams (2-5, inside
word boundaries), multinomial logistic regression, and the exact acronym index on top.

Why this shape (measured with benchmarks/compare_rankers.py): a linear model over character
n-grams generalises to paraphrases and typos better than nearest-example matching, and its
cost per message depends on the message and the number of intents, never on the number of
examples. Scoring needs only numpy; scipy fits the weights (bot.nlu.fit). The fit takes two
minutes, so it is a reproducible build step: `python -m bot check` (run by test.sh and the
Docker build) trains on the content and caches the weights under a hash of the training phrases;
a start with a stale or missing cache trains once and writes it. Nothing opaque is committed: the
cache is derived from intents/ and knowledge/ alone.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
from collections import Counter, defaultdict
from functools import lru_cache
from pathlib import Path

import numpy as np

from bot.cache import write_cached
from bot.nlu.policy import PRECISE_POINT_RE
from bot.nlu.ranking import EXACT_BONUS, Candidate, ExactIndex, Phrase, length_share
from bot.nlu.retrieval import Retrieval, bm25_matrix
from bot.nlu.words import STOP_WORDS, stem

# Bump when the features or the fit change: the cache key includes it.
MODEL_VERSION = "linear-8"
CHAR_NGRAMS = (2, 5)
# The blocks of features, by their prefix: words, stems, word pairs, character n-grams.
BLOCKS = "wsbc"
# Character n-grams seen in a single phrase carry little and double the model's size. From 3 phrases
# on (2 before): 2,100 fewer features, 0.9 MB less in every replica (max RSS 120.3 -> 119.2 MB with
# 50,000 stored conversations, after 21 new FAQ entries had grown it); on the five tuning sets, top-1 +
# off-topic 1097 -> 1095 of 1186, precise 598 -> 599 of 664, precise_questions.yaml 457 -> 456 of 496.
CHAR_MIN_DF = 3
# A feature whose weight stays under this for every intent moves no decision: it is dropped after the
# fit (3,500 of 34,700 features, mostly word pairs seen once), max RSS 120.4 -> 118.6 MB with 50,000
# stored conversations (cold page cache), after ten new FAQ entries had taken it over the 120 MB
# target. On the five tuning sets, top-1 + off-topic 1111 -> 1112 of 1186, precise 610 -> 610 of 673,
# precise_questions.yaml 485 -> 485 of 536; at 0.3, off-topic rejected 173 -> 170 of 184. Dropping
# the word pairs seen in one phrase instead (13,000 features, 113.3 MB) cost 7 precise_questions.
COEF_MIN = 0.2
# Of the weights kept, those under this (in absolute value) are left out of the stored model: nearly
# nine in ten of them, each too small to move a decision, which keeps the model's memory proportional
# to what it learnt rather than to features x intents (see `SparseWeights`). Max RSS with 50,000
# stored conversations 118.6 -> 109.5 MB, tuning sums unchanged (at 0.01 too; at 0.05, top-1 -1 and
# precise_questions.yaml -2).
WEIGHT_MIN = 0.02
# A feature with more weights than this kept is stored as a whole row (see `SparseWeights`).
DENSE_ROW_FROM = 20
# Inverse regularisation strength of the logistic regression (scikit-learn's C).
C = 50.0
OUT_OF_SCOPE = "out_of_scope"
# A message that names a scheme by its acronym or alias is about that scheme, however long the
# story around it: its intent's confidence is lifted to at least this floor.
EXACT_FLOOR = 0.65
# A message is scaled by its length to this power rather than to unit length: a long story holds
# more evidence than a short question, and its probabilities should be as sharp.
QUERY_NORM_EXPONENT = 0.9
# ... and lower still for stories: from SHORT_WORDS words on it slides down to this value at
# LONG_WORDS words (a story of several sentences spreads its evidence over many topics).
QUERY_NORM_EXPONENT_LONG = 0.55
SHORT_WORDS, LONG_WORDS = 12, 40
# That lower exponent favours the block with the largest norm, the character n-grams (a story's
# hundred-odd n-grams against some thirty words): at 40 words they would weigh 1.8 times the words,
# where training gave every block the same unit weight, and their many small matches pull towards
# whichever intents' examples share the story's spelling. Their weight slides with the exponent
# down to this share, which restores the balance. On the 26+ word messages, the log loss of the
# right topic (each set at its best temperature) went from 0.54 to 0.48 on validation, 0.87 to 0.76
# on stories_dev_set, 0.37 to 0.38 on blind_dev and 0.49 to 0.47 on blind_dev2.
CHAR_WEIGHT_LONG = 0.5
# From this many words on, a message's function words ("nous", "a", "une", "de"...) are left
# out: in a story they pile up from the sentences that set the scene and, summed over dozens of
# them, push towards whichever intents' examples are worded like the story. A short question
# keeps them ("c est quoi" against "c est pour qui"). Measured on the validation split.
STORY_STOP_WORDS_FROM = 13
# The logistic model, fitted on short phrases, sums a long message's many words into logits that
# read as near-certainty, for a wrong topic as for a right one, so the story rules of the policy
# (bot.nlu.policy) never act. A long message's probabilities are tempered (raised to 1/T and
# renormalised, T sliding from 1 at TEMPERED_FROM words to STORY_TEMPERATURE at TEMPERED_TO):
# T is the one that gives the right topic the highest likelihood on the validation split's 26+
# word messages (2, as on blind_dev, blind_dev2 and stories_dev_set, with CHAR_WEIGHT_LONG;
# messages under 20 words are best left at 1). The ranking does not change; a named scheme's
# floor (EXACT_FLOOR) now weighs against a model that is no longer certain, and an unsure story
# gets the suggestions.
STORY_TEMPERATURE = 2.0
TEMPERED_FROM, TEMPERED_TO = 19, 30
# A story sets its scene in many words and asks in its last sentence (bot.nlu.slots.final_question):
# the scene's words ("mairie", "salariés", "bar du village") pull towards topics the question is not
# about. From QUESTION_FROM_WORDS words on, the model's log-probabilities of the question read alone
# are added, this much of them, to those of the whole message (before the retrieval and the
# tempering): a product of the two readings, where the question alone names the need and the
# scene gives what the question leaves unsaid ("Comment ça fonctionne ?"). Measured with
# benchmarks/tuning_sets.py on the five tuning sets: top-1 + off-topic 1095 -> 1104 of 1186 (top-1
# 926 -> 931, off-topic rejected 169 -> 173: an off-topic story's question read alone is off-topic
# too; stories_dev_set 90 -> 92 of 108 and 21 -> 23 of 24), precise 601 -> 604 of 664,
# precise_questions.yaml 456 -> 456 of 496. Weight 0.5: 1102 and 603; 0.7: 1101 and 603; 1.5: 1100
# and 603. From 20 or 30 words: the same as 26; from 35, precise 603. Added to the retrieval's
# scores as well (bot.nlu.retrieval), at 0.25 to 1.0 of them: 1101 or 1102, never better.
# Measured again once the content had grown to 9,800 examples (more stories among them), on the six
# tuning sets (blind_dev4 added): weight 1.0 -> 1.5, top-1 1219 -> 1226 of 1262, off-topic rejected
# 217 -> 218 of 224, precise 855 -> 858 of 903, precise_questions.yaml 507 -> 507 of 536; the
# tuning sets' 26+ word messages 519 -> 526 of 550 in scope, 72 -> 73 of 76 off-topic. 1.25: top-1
# + off-topic 1441 of 1486 (1444 at 1.5), precise 857; 1.75 and 2.0 the same as 1.5 or one precise less.
QUESTION_WEIGHT = 1.5
QUESTION_FROM_WORDS = 26
# Only this many characters of a long message are read: its opening and, above all, its end, where
# a story asks its question.
MAX_QUERY_CHARS = 600
QUERY_HEAD_CHARS = 200
CACHE_KEEP = 8
# A scheme's card and its FAQs share their words (the scheme's name, its vocabulary): the model
# tells them apart on the few words of the point asked. In a message that names the scheme and asks
# a precise point (bot.nlu.policy.PRECISE_POINT_RE), the probability within the family of the best
# reading (the family's total kept: the other topics do not move) is shared again with a BM25
# score added to the logarithms, this much of it, the FAQs' documents holding their answers'
# sentences too (bot.nlu.ranking.FAQ_ANSWERS_RETRIEVED). Measured with benchmarks/tuning_sets.py on
# the five tuning sets, with the precise-point rule (bot.nlu.policy.PRECISE_FAQ_SHARE), against the
# rule alone: precise_questions.yaml 377 -> 380 of 408, the sets' precise questions 581 -> 581 of
# 643, top-1 + off-topic 1085 -> 1085. Weight 0.5 gave the same, 1.0 lost 6 of
# precise_questions.yaml. Only when the scheme is named: its card's confidence is then its floor
# (EXACT_FLOOR), while an unnamed card's confidence is the probability this moves to its FAQs, which
# lost a question answered by dominance ("combien ça coûte de créer une asso" went unanswered). Only
# in a message asking a point: a vague follow-up ("et concrètement ?") read with its topic went to
# the FAQ whose answer says "concrètement".
FAMILY_WEIGHT = 0.3
CACHE_DIR = Path(os.environ.get("BOUSSOLE_MODEL_CACHE", Path(__file__).resolve().parents[2] / ".cache" / "nlu"))


def feature_list(normalised: str) -> list[str]:
    """Words, word pairs, stems and character n-grams of a normalised text, repeats included."""
    tokens = normalised.split()
    out: list[str] = []
    for t in tokens:
        out.extend(_token_features(t))
    return out + _stems_and_pairs(tokens)


def _stems_and_pairs(tokens: list[str]) -> list[str]:
    """The features of a message that are not its tokens' own: content words' stems and pairs."""
    content = [t for t in tokens if t not in STOP_WORDS]
    return ["s:" + stem(t) for t in content] + ["b:" + a + "_" + b for a, b in zip(content, content[1:], strict=False)]


def features(normalised: str) -> Counter[str]:
    """Raw counts of the features of a normalised text."""
    return Counter(feature_list(normalised))


@lru_cache(maxsize=32768)
def _token_features(token: str) -> tuple[str, ...]:
    """The word and its character n-grams (inside word boundaries)."""
    low, high = CHAR_NGRAMS
    padded = f" {token} "
    size = len(padded)
    grams = ["w:" + token]
    for n in range(low, min(high, size) + 1):
        grams.extend("c:" + padded[i : i + n] for i in range(size - n + 1))
    return tuple(grams)


def feature_hash(feature: str) -> int:
    """A feature's 64-bit name in the model (see `FeatureIndex`), the same in every process."""
    return int.from_bytes(hashlib.blake2b(feature.encode(), digest_size=8).digest(), "little")


def feature_hashes(normalised: str) -> np.ndarray:
    """The hashes of `feature_list(normalised)`, in the same order."""
    tokens = normalised.split()
    return np.concatenate([*(_token_hashes(t) for t in tokens),
                           np.array([feature_hash(f) for f in _stems_and_pairs(tokens)], dtype=np.uint64)])


@lru_cache(maxsize=32768)
def _token_hashes(token: str) -> np.ndarray:
    return np.array([feature_hash(f) for f in _token_features.__wrapped__(token)], dtype=np.uint64)


class FeatureIndex:
    """The model's features, found by a hash of their text: sorted hashes searched in one numpy
    call per message. A dict of the 70,000 feature strings took 6.3 MB in every replica (4.4 MB
    of strings), this 0.8 MB. Two features of one model never share a hash (checked at the fit);
    a feature unknown to the model reads as a known one once in some 10^14."""

    def __init__(self, hashes: np.ndarray, columns: np.ndarray) -> None:
        self.hashes, self.columns = hashes, columns

    @classmethod
    def of(cls, features: list[str]) -> FeatureIndex:
        """The index of these features, each one's column its position in the list."""
        hashes = np.array([feature_hash(f) for f in features], dtype=np.uint64)
        order = np.argsort(hashes, kind="stable")
        if len(hashes) and (np.diff(hashes[order]) == 0).any():
            raise ValueError("two features of the intent model share a hash")
        return cls(hashes[order], order.astype(np.int32))

    def find(self, hashes: np.ndarray) -> np.ndarray:
        """The columns of the known features among these hashes (repeats kept)."""
        if not len(self.hashes):
            return np.zeros(0, dtype=np.int32)
        at = np.minimum(np.searchsorted(self.hashes, hashes), len(self.hashes) - 1)
        return self.columns[at[self.hashes[at] == hashes]]


class SparseWeights:
    """The model's weights, features x intents. A feature seen in many phrases (a common character
    n-gram) moves most intents: its row is kept whole, a message's few such rows multiplied as a
    matrix. Most features are rare and move a handful of intents: only those weights are kept
    (compressed rows), summed per intent. All in half precision. A dense matrix held every pair,
    nine in ten of them near zero, and grew with each new example's features times every intent."""

    def __init__(self, dense_of: np.ndarray, dense: np.ndarray, indptr: np.ndarray, classes: np.ndarray,
                 values: np.ndarray) -> None:
        self.dense_of, self.dense = dense_of, dense
        self.indptr, self.classes, self.values = indptr, classes, values
        self.width = dense.shape[1]

    @classmethod
    def from_dense(cls, coef: np.ndarray) -> SparseWeights:
        if not np.isfinite(coef.astype(np.float16)).all():  # `_single` reads finite half floats only
            raise ValueError("intent model weights beyond the half-float range")
        kept = np.abs(coef) >= WEIGHT_MIN
        whole = kept.sum(axis=1) > DENSE_ROW_FROM
        dense_of = np.full(coef.shape[0], -1, dtype=np.int32)
        dense_of[whole] = np.arange(int(whole.sum()), dtype=np.int32)
        kept[whole] = False
        rows, classes = np.nonzero(kept)
        indptr = np.zeros(coef.shape[0] + 1, dtype=np.int32)
        np.cumsum(np.bincount(rows, minlength=coef.shape[0]), out=indptr[1:])
        return cls(dense_of, np.ascontiguousarray(coef[whole].astype(np.float16)), indptr,
                   classes.astype(np.uint16), coef[rows, classes].astype(np.float16))

    def arrays(self) -> dict[str, np.ndarray]:
        return {"w_dense_of": self.dense_of, "w_dense": self.dense, "w_indptr": self.indptr,
                "w_classes": self.classes, "w_values": self.values}

    @classmethod
    def from_arrays(cls, data) -> SparseWeights:
        return cls(data["w_dense_of"], data["w_dense"], data["w_indptr"], data["w_classes"], data["w_values"])

    def dot(self, rows: np.ndarray, x: np.ndarray) -> np.ndarray:
        """`x @ weights[rows]`, in single precision."""
        x = x.astype(np.float32)
        at = self.dense_of[rows]
        whole = at >= 0
        z = x[whole] @ _single(self.dense, at[whole])  # no whole row: zeros of the right width
        rows, x = rows[~whole], x[~whole]
        starts = self.indptr[rows]
        lengths = self.indptr[rows + 1] - starts
        if total := int(lengths.sum()):
            # The positions of every selected row's weights, one range per row, in one pass.
            positions = np.repeat(starts - np.cumsum(lengths) + lengths, lengths) + np.arange(total)
            weights = _single(self.values, positions)
            weights *= np.repeat(x, lengths)
            z += np.bincount(self.classes[positions], weights=weights, minlength=self.width).astype(np.float32)
        return z


# See `_single`: 0x8FFFFFFF as a signed 32-bit integer, and 2**112.
_SIGN_EXPONENT_MANTISSA = np.int32(-0x70000001)
_HALF_TO_SINGLE = np.float32(2.0**112)


def _single(halves: np.ndarray, positions: np.ndarray) -> np.ndarray:
    """`halves[positions].astype(np.float32)`, bit for bit, three times faster: numpy converts half
    floats one at a time, while these integer steps are vectorised. A finite half float's bits,
    shifted into a single float's exponent and mantissa fields, read as that value times 2**-112
    (for subnormal halves too); multiplying by 2**112 is then exact."""
    bits = halves.view(np.int16)[positions].astype(np.int32)  # a view: no copy
    bits <<= 13
    bits &= _SIGN_EXPONENT_MANTISSA  # the sign bit stays; the bits the sign extended go
    singles = bits.view(np.float32)
    singles *= _HALF_TO_SINGLE
    return singles


class LinearRanker:
    """TF-IDF + logistic regression over the content's phrases; see the module docstring."""

    def __init__(self, features: FeatureIndex, blocks: np.ndarray, idf: np.ndarray, weights: SparseWeights,
                 intercept: np.ndarray, classes: list[str], exact: ExactIndex | None = None,
                 retrieval: Retrieval | None = None, faq_of: dict[str, str] | None = None) -> None:
        self.features = features
        # Block of each feature (words, stems, pairs, characters: BLOCKS), for the per-block norms.
        self._blocks = blocks
        self.idf = idf
        self.weights = weights
        self.intercept = intercept
        self.classes = classes
        self.exact = exact
        self.retrieval = retrieval  # story evidence (bot.nlu.retrieval), fitted with the model
        # The same with the FAQ answers' sentences in their documents (see FAMILY_WEIGHT).
        self.family_retrieval = retrieval
        self._class_index = {c: k for k, c in enumerate(classes)}
        self.set_families(faq_of or {})

    def set_families(self, faq_of: dict[str, str]) -> None:
        """A scheme and its FAQs: class index -> the indices of its family (itself first)."""
        index = self._class_index
        members: dict[str, list[int]] = defaultdict(list)
        for faq, scheme in faq_of.items():
            if faq in index and scheme in index:
                members[scheme].append(index[faq])
        self._families: dict[int, np.ndarray] = {}
        for scheme, faqs in members.items():
            family = np.array([index[scheme], *sorted(faqs)], dtype=np.intp)
            for k in family.tolist():
                self._families[k] = family

    # -- building -------------------------------------------------------------------------

    @classmethod
    def build(cls, phrases: list[Phrase], exact: ExactIndex | None = None, cache_dir: Path | None = CACHE_DIR,
              c: float | None = None, faq_of: dict[str, str] | None = None) -> LinearRanker:
        """Load the weights cached for these phrases, or fit them (and cache them)."""
        c = C if c is None else c
        key = _cache_key(phrases, c)
        path = cache_dir / f"{key}.npz" if cache_dir is not None else None
        if path is not None and path.exists():
            try:
                ranker = cls._load(path, exact)
                ranker.set_families(faq_of or {})
                return ranker
            except (OSError, ValueError, KeyError):
                pass  # a broken cache is rebuilt
        ranker = cls._fit(phrases, exact, c)
        ranker.set_families(faq_of or {})
        if path is not None:
            ranker._save(path)
        return ranker

    @classmethod
    def _fit(cls, phrases: list[Phrase], exact: ExactIndex | None, c: float) -> LinearRanker:
        from scipy.sparse import csr_matrix  # noqa: PLC0415 - only the build step needs them

        from bot.nlu.fit import fit_logistic  # noqa: PLC0415

        fitted = [p for p in phrases if not p.retrieval_only]
        counted = [features(p.text) for p in fitted]
        document_frequency: Counter[str] = Counter()
        for counts in counted:
            document_frequency.update(counts.keys())
        kept = sorted(f for f, df in document_frequency.items() if not f.startswith("c:") or df >= CHAR_MIN_DF)
        vocabulary = {f: i for i, f in enumerate(kept)}
        n = len(fitted)
        idf = np.array([math.log((1 + n) / (1 + document_frequency[f])) + 1 for f in kept], dtype=np.float32)
        rows, cols, values = [], [], []
        for row, counts in enumerate(counted):
            for col, value in _weights(counts, vocabulary, idf):
                rows.append(row)
                cols.append(col)
                values.append(value)
        matrix = csr_matrix((values, (rows, cols)), shape=(n, len(kept)), dtype=np.float64)
        classes, coef, intercept = fit_logistic(matrix, [p.intent for p in fitted],
                                                np.array([p.weight for p in fitted]), c)
        strong = np.abs(coef).max(axis=1) >= COEF_MIN
        if not strong.all():
            kept = [f for f, keep in zip(kept, strong.tolist(), strict=True) if keep]
            idf, coef = idf[strong], coef[strong]
        blocks = np.array([BLOCKS.index(f[0]) for f in kept], dtype=np.int8)
        terms, matrix = bm25_matrix(fitted, classes)
        ranker = cls(FeatureIndex.of(kept), blocks, idf, SparseWeights.from_dense(coef), intercept, classes, exact,
                     Retrieval(terms, matrix, classes))
        if len(fitted) < len(phrases):
            terms, matrix = bm25_matrix(phrases, classes)
            ranker.family_retrieval = Retrieval(terms, matrix, classes)
        return ranker

    def _save(self, path: Path) -> None:
        # Keep the few most recent models (test fixtures train on small contents of their own).
        write_cached(path, lambda handle: np.savez(
            handle, idf=self.idf, intercept=self.intercept, **self.weights.arrays(),
            classes=np.array(json.dumps(self.classes)), feature_hashes=self.features.hashes,
            feature_columns=self.features.columns, blocks=self._blocks,
            **self._retrieval_arrays(),
        ), CACHE_KEEP)

    def _retrieval_arrays(self) -> dict[str, np.ndarray]:
        if self.retrieval is None:
            return {}
        out = {"bm25_terms": np.array(json.dumps(self.retrieval.vocabulary)), "bm25": self.retrieval.matrix}
        if self.family_retrieval is not self.retrieval:
            out["family_bm25_terms"] = np.array(json.dumps(self.family_retrieval.vocabulary))
            out["family_bm25"] = self.family_retrieval.matrix
        return out

    @classmethod
    def _load(cls, path: Path, exact: ExactIndex | None) -> LinearRanker:
        with np.load(path, allow_pickle=False) as data:
            classes = json.loads(str(data["classes"]))
            retrieval = Retrieval(json.loads(str(data["bm25_terms"])), data["bm25"], classes)
            ranker = cls(FeatureIndex(data["feature_hashes"], data["feature_columns"]), data["blocks"], data["idf"],
                         SparseWeights.from_arrays(data), data["intercept"], classes, exact, retrieval)
            if "family_bm25" in data:
                ranker.family_retrieval = Retrieval(json.loads(str(data["family_bm25_terms"])), data["family_bm25"],
                                                    classes)
            return ranker

    # -- ranking --------------------------------------------------------------------------

    def probabilities(self, normalised: str) -> np.ndarray:
        """Class probabilities; the query's weights are computed as in `_weights`, with numpy."""
        words = normalised.split()
        if len(words) >= STORY_STOP_WORDS_FROM:
            normalised = " ".join(w for w in words if w not in STOP_WORDS)
        cols, counts = np.unique(self.features.find(feature_hashes(readable_part(normalised))), return_counts=True)
        if not len(cols):
            z = self.intercept.astype(np.float64)
        else:
            cols = cols.astype(np.intp)
            vals = (1 + np.log(counts)) * self.idf[cols]
            blocks = self._blocks[cols]
            norms = np.sqrt(np.bincount(blocks, weights=vals * vals, minlength=4))
            norms[norms == 0] = 1.0
            vals = vals * block_scales(norms, len(words))[blocks]
            z = (self.weights.dot(cols, vals) + self.intercept).astype(np.float64)
        z = np.exp(z - z.max())
        return z / z.sum()

    def _within_family(self, probabilities: np.ndarray, normalised: str, exact: dict[str, float]) -> np.ndarray:
        """The probabilities, shared again within the family of the best topic (see FAMILY_WEIGHT)."""
        order = np.argsort(-probabilities)
        top = next((k for k in order[:2].tolist() if self.classes[k] != OUT_OF_SCOPE), None)
        family = self._families.get(top) if top is not None else None
        if family is None or exact.get(self.classes[family[0]], 0.0) < EXACT_BONUS:
            return probabilities
        mass = float(probabilities[family].sum())
        z = np.log(probabilities[family] + 1e-12) + FAMILY_WEIGHT * self.family_retrieval.scores(normalised)[family]
        z = np.exp(z - z.max())
        out = probabilities.copy()
        out[family] = mass * z / z.sum()
        return out

    def rank(self, normalised: str, limit: int = 5, question: str | None = None) -> list[Candidate]:
        """`question`: the sentence a story ends on (see QUESTION_WEIGHT)."""
        tokens = readable_part(normalised).split()
        if not tokens:
            return []
        words = len(normalised.split())
        probabilities = self.probabilities(normalised)
        if question and QUESTION_WEIGHT and words >= QUESTION_FROM_WORDS and question != normalised:
            z = np.log(probabilities + 1e-12) + QUESTION_WEIGHT * np.log(self.probabilities(question) + 1e-12)
            z = np.exp(z - z.max())
            probabilities = z / z.sum()
        if self.retrieval is not None:
            probabilities = self.retrieval.blend(probabilities, normalised, words)
        exact = self.exact.hits(tokens) if self.exact is not None else {}
        if self.retrieval is not None and FAMILY_WEIGHT and PRECISE_POINT_RE.search(normalised):
            probabilities = self._within_family(probabilities, normalised, exact)
        probabilities = temper(probabilities, words)
        scores: dict[str, float] = {}
        order = np.argsort(-probabilities)[: max(limit, 8)]
        for k, p in zip(order.tolist(), probabilities[order].tolist(), strict=True):  # Python floats, as float()
            scores[self.classes[k]] = p
        index = self._class_index

        def probability(intent: str) -> float:
            return float(probabilities[index[intent]]) if intent in index else 0.0

        # The FAQ the model reads surest, when surer than the scheme the message names, is lifted
        # with it: "le DLA c'est payant ?" asks the FAQ, which the scheme's lift alone would hide
        # behind the card.
        named = [probability(i) for i, bonus in exact.items() if bonus >= EXACT_BONUS]
        surest = max(exact, key=probability) if named else None
        for intent, bonus in exact.items():
            p = probability(intent)
            value = p + bonus
            if bonus >= EXACT_BONUS or (intent == surest and p > min(named)):
                # Lifted above the floor, in the same order as before the lift.
                value = max(value, EXACT_FLOOR + value / 10)
            scores[intent] = value
        ranked = sorted(scores.items(), key=lambda item: (-item[1], item[0]))[:limit]
        return [Candidate(i, round(min(v, 1.0), 4), i in exact, v) for i, v in ranked]


def readable_part(normalised: str) -> str:
    """The whole message, or for a very long one its opening and its end, cut between words."""
    if len(normalised) <= MAX_QUERY_CHARS:
        return normalised
    head = normalised[:QUERY_HEAD_CHARS].rsplit(" ", 1)[0]
    tail = normalised[-(MAX_QUERY_CHARS - QUERY_HEAD_CHARS):].split(" ", 1)[-1]
    return f"{head} {tail}"


def temper(probabilities: np.ndarray, words: int) -> np.ndarray:
    """The probabilities of a message of this many words, tempered (see STORY_TEMPERATURE)."""
    share = length_share(words, TEMPERED_FROM, TEMPERED_TO)
    if share == 0.0:
        return probabilities
    tempered = probabilities ** (1.0 / (1.0 + share * (STORY_TEMPERATURE - 1.0)))
    return tempered / tempered.sum()


def query_norm_exponent(words: int) -> float:
    share = length_share(words, SHORT_WORDS, LONG_WORDS)
    return QUERY_NORM_EXPONENT + share * (QUERY_NORM_EXPONENT_LONG - QUERY_NORM_EXPONENT)


def block_scales(norms: np.ndarray, words: int) -> np.ndarray:
    """What each block's weights (words, stems, pairs, characters) are multiplied by in a message
    of this many words: its norm to the power -query_norm_exponent, the characters' times their
    share (CHAR_WEIGHT_LONG)."""
    share = length_share(words, SHORT_WORDS, LONG_WORDS)
    scales = norms ** -query_norm_exponent(words)
    scales[3] *= 1.0 + share * (CHAR_WEIGHT_LONG - 1.0)
    return scales


def _weights(
    counts: Counter[str], vocabulary: dict[str, int], idf: np.ndarray, exponent: float = 1.0
) -> list[tuple[int, float]]:
    """Sublinear tf-idf, each block (words, stems, pairs, characters) divided by its length to
    the power `exponent` (1: unit length, as in training)."""
    blocks: dict[str, list[tuple[int, float]]] = defaultdict(list)
    for feature, count in counts.items():
        col = vocabulary.get(feature)
        if col is not None:
            blocks[feature[0]].append((col, (1 + math.log(count)) * float(idf[col])))
    out: list[tuple[int, float]] = []
    for values in blocks.values():
        norm = (math.sqrt(sum(v * v for _, v in values)) or 1.0) ** exponent
        out.extend((col, v / norm) for col, v in values)
    return out


def _cache_key(phrases: list[Phrase], c: float) -> str:
    settings = (MODEL_VERSION, CHAR_NGRAMS, CHAR_MIN_DF, COEF_MIN, WEIGHT_MIN, DENSE_ROW_FROM, c)
    digest = hashlib.sha256(("|".join(map(str, settings)) + "|").encode())
    for p in phrases:
        mark = "\tretrieval" if p.retrieval_only else ""
        digest.update(f"{p.intent}\t{p.text}\t{p.weight}{mark}\n".encode())
    return digest.hexdigest()[:24]
