"""The engine's figures on every tuning set at once, with their sums: top-1 in scope, off-topic
rejected, precise questions answered by their FAQ entry (and tests/data/precise_questions.yaml).

A change to the NLU is judged on the sums, never on one set (the model is sensitive). Never run it
on the held-out set: it lists misses.

    .venv/bin/python benchmarks/tuning_sets.py [--misses] [--set bot.nlu.retrieval.BLEND_FROM=8 ...]

--set overrides a module constant before the engine is built (to compare values without editing).
"""

from __future__ import annotations

import argparse
import importlib
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.labels import TopicMap, load_cases  # noqa: E402

SETS = ("validation", "blind_dev", "blind_dev2", "stories_dev_set", "blind_dev3", "blind_dev4", "blind_dev5",
        "blind_dev6", "blind_dev7")
PRECISE = ROOT / "tests" / "data" / "precise_questions.yaml"


def _override(assignment: str) -> None:
    name, value = assignment.split("=", 1)
    module, constant = name.rsplit(".", 1)
    setattr(importlib.import_module(module), constant, eval(value))  # noqa: S307 - a developer's own flag


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--misses", action="store_true")
    parser.add_argument("--precise-misses", action="store_true",
                        help="only the precise questions missed and the general questions given a FAQ")
    parser.add_argument("--set", action="append", default=[])
    args = parser.parse_args()
    for assignment in args.set:
        _override(assignment)

    from bot.engine import Engine  # noqa: PLC0415 - after the overrides
    from bot.replies import Event  # noqa: PLC0415
    from bot.state import ConversationState  # noqa: PLC0415

    engine = Engine.load(cache_dir=None)  # the start-up cache would ignore the overrides
    topics = TopicMap(engine.content)

    def answer(text: str) -> str | None:
        reply, _ = engine.respond(ConversationState(), Event("text", text=text))
        intent = reply.intent if reply.matched else None
        if intent == "orientation" or (reply.matched and intent is None):
            intent = "orientation"
        return intent

    # The scheme cards that have FAQs: a general question about one should get the card.
    schemes = set(engine.faq_of.values())
    card_of = {i.knowledge: i.id for i in engine.content.intents if i.knowledge}
    totals = [0, 0, 0, 0, 0, 0, 0, 0]
    print(f"{'set':<18}{'top-1':>12}{'off-topic':>12}{'precise':>12}{'card kept':>12}")
    for name in SETS:
        path = ROOT / "tests" / "data" / f"{name}.yaml"
        if not path.exists():
            continue
        cases = load_cases(path, topics)
        row = [0, 0, 0, 0, 0, 0, 0, 0]
        for case in cases:
            intent = answer(case.text)
            topic = topics.topic(intent)
            if case.topic:
                row[0] += topic == case.topic
                row[1] += 1
                if case.precise and case.entry:
                    ok = case.answered_by(topics.entry(intent))
                    row[4] += ok
                    row[5] += 1
                    if not ok and (args.misses or args.precise_misses):
                        print(f"  P {case.entry} -> {intent} | {case.text[:150]}")
                card = card_of.get(case.topic)
                if not case.precise and card in schemes and topic == case.topic:
                    row[6] += intent == card
                    row[7] += 1
                    if intent != card and (args.misses or args.precise_misses):
                        print(f"  C {case.topic} -> {intent} | {case.text[:150]}")
            else:
                row[2] += topic is None
                row[3] += 1
            if topic != case.topic and args.misses:
                print(f"  T {case.topic} -> {intent} | {case.text[:150]}")
        totals = [a + b for a, b in zip(totals, row, strict=True)]
        print(f"{name:<18}" + "".join(f"{row[k]:>7}/{row[k + 1]:<4}" for k in range(0, 8, 2)))
    print(f"{'sum':<18}" + "".join(f"{totals[k]:>7}/{totals[k + 1]:<4}" for k in range(0, 8, 2))
          + f"  top-1 + off-topic = {totals[0] + totals[2]}")
    questions = yaml.safe_load(PRECISE.read_text(encoding="utf-8"))["questions"]
    knowledge = {intent.id: intent.knowledge for intent in engine.content.intents}
    hits = 0
    for question in questions:
        intent = answer(question["text"])
        ok = knowledge.get(intent or "") == question["entry"]
        hits += ok
        if not ok and (args.misses or args.precise_misses):
            print(f"  Q {question['entry']} -> {intent} | {question['text'][:150]}")
    print(f"{'precise_questions':<18}{hits:>7}/{len(questions)}")


if __name__ == "__main__":
    main()
