"""Rankers side by side on a labelled file: the fuzzy matcher, the linear model (with and without
the entries' own text), each with the exact acronym index, over a range of thresholds.

Ranking only (no places, no orientation): it tells which evidence and which threshold to keep.
The engine-level figures are in bench_nlu.py.

    .venv/bin/python benchmarks/compare_rankers.py [--file tests/data/validation.yaml] [--sklearn]

--sklearn adds scikit-learn's own TfidfVectorizer + LogisticRegression / LinearSVC as reference.
Labels: `topic` (knowledge entry id, system intent or null) or the old dev set's `intent`.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.labels import TopicMap, load_cases  # noqa: E402
from bot.content.loader import INTENTS_DIR, KNOWLEDGE_DIR, load_content  # noqa: E402
from bot.messages import Messages  # noqa: E402
from bot.nlu.linear import LinearRanker  # noqa: E402
from bot.nlu.matcher import IntentMatcher  # noqa: E402
from bot.nlu.normalize import normalize  # noqa: E402
from bot.nlu.ranking import ExactIndex, training_phrases  # noqa: E402

THRESHOLDS = (0.2, 0.25, 0.3, 0.35, 0.4, 0.5, 0.6)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--file", type=Path, default=ROOT / "tests" / "data" / "validation.yaml")
    parser.add_argument("--sklearn", action="store_true")
    args = parser.parse_args()

    content = load_content(KNOWLEDGE_DIR, INTENTS_DIR, known_messages=Messages.load().keys())
    topics = TopicMap(content)
    cases = load_cases(args.file, topics)
    known = {normalize(e) for i in content.intents for e in i.examples}
    fresh = [c for c in cases if normalize(c.text) not in known]
    print(f"{args.file.name}: {len(cases)} usable messages, {len(fresh)} not verbatim in intents/ (scored)")
    exact = ExactIndex(content.intents, content.entries)

    rankers = {
        "fuzzy matcher (today)": IntentMatcher(content.intents, content.entries),
        "linear, examples only": LinearRanker.build(
            training_phrases(content.intents, content.entries, entry_text=False), exact),
        "linear + entry text": LinearRanker.build(training_phrases(content.intents, content.entries), exact),
    }
    for name, ranker in rankers.items():
        ranked = []
        started = time.perf_counter()
        for case in fresh:
            candidates = ranker.rank(normalize(case.text))
            ranked.append(candidates[0] if candidates else None)
        ms = (time.perf_counter() - started) / max(len(fresh), 1) * 1000
        print(f"\n{name} ({ms:.2f} ms/message)")
        for threshold in THRESHOLDS:
            report(threshold, fresh, ranked, topics)
    if args.sklearn:
        sklearn_reference(content, fresh, topics)


def report(threshold, cases, ranked, topics) -> None:
    in_scope = [(c, r) for c, r in zip(cases, ranked, strict=True) if c.topic]
    off = [(c, r) for c, r in zip(cases, ranked, strict=True) if not c.topic]
    near = [(c, r) for c, r in off if c.near_domain]

    def answered(r):
        return r is not None and r.confidence >= threshold and topics.topic(r.intent) is not None

    top1 = sum(answered(r) and topics.topic(r.intent) == c.topic for c, r in in_scope) / max(len(in_scope), 1)
    rejection = sum(not answered(r) for _, r in off) / max(len(off), 1)
    near_rejection = sum(not answered(r) for _, r in near) / max(len(near), 1)
    print(f"  threshold {threshold:.2f}: top-1 {top1:.1%} ({len(in_scope)}), off-topic rejection {rejection:.1%} "
          f"({len(off)}), near-domain {near_rejection:.1%} ({len(near)})")


def sklearn_reference(content, cases, topics) -> None:
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline, make_union

    texts, labels = [], []
    for intent in content.intents:
        for example in intent.examples:
            texts.append(normalize(example))
            labels.append(intent.id)
    union = make_union(TfidfVectorizer(analyzer="word", ngram_range=(1, 2), sublinear_tf=True),
                       TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True))
    model = make_pipeline(union, LogisticRegression(C=20, max_iter=300)).fit(texts, labels)
    from bot.nlu.ranking import Candidate

    ranked = []
    for case in cases:
        p = model.predict_proba([normalize(case.text)])[0]
        k = p.argmax()
        ranked.append(Candidate(str(model.classes_[k]), float(p[k])))
    print("\nscikit-learn TF-IDF words 1-2 + char_wb 2-5, LogisticRegression C=20 (no exact index)")
    for threshold in THRESHOLDS:
        report(threshold, cases, ranked, topics)


if __name__ == "__main__":
    main()
