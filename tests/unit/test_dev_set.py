"""The labelled dev set, message by message, and the accuracy floors of the issues.

Known misses (tests/data/known_misses.yaml, written by benchmarks/bench_nlu.py) are strict
xfails: they are listed, counted, and a fix makes the run say so.
"""

from pathlib import Path

import pytest
import yaml

from bot.replies import Event
from bot.state import ConversationState

DATA = Path(__file__).resolve().parents[1] / "data"
CASES = yaml.safe_load((DATA / "dev_set.yaml").read_text(encoding="utf-8"))
KNOWN_MISSES = set(yaml.safe_load((DATA / "known_misses.yaml").read_text(encoding="utf-8")) or [])
TOP1_FLOOR = 0.92
REJECTION_FLOOR = 0.95


def answered_intent(engine, text: str) -> str | None:
    reply, _ = engine.respond(ConversationState(), Event("text", text=text))
    return reply.intent if reply.matched else None


def _param(case):
    marks = [pytest.mark.xfail(strict=True, reason="known miss")] if case["text"] in KNOWN_MISSES else []
    return pytest.param(case["text"], case["intent"], id=case["text"][:60], marks=marks)


@pytest.mark.parametrize(("text", "expected"), [_param(c) for c in CASES])
def test_dev_message_gets_expected_intent_or_none(engine, text, expected):
    assert answered_intent(engine, text) == expected


def test_known_misses_are_dev_set_messages():
    assert {c["text"] for c in CASES} >= KNOWN_MISSES


def test_accuracy_floors_on_dev_set(engine):
    in_scope = [c for c in CASES if c["intent"]]
    off_topic = [c for c in CASES if not c["intent"]]
    top1 = sum(answered_intent(engine, c["text"]) == c["intent"] for c in in_scope) / len(in_scope)
    rejection = sum(answered_intent(engine, c["text"]) is None for c in off_topic) / len(off_topic)
    assert top1 >= TOP1_FLOOR
    assert rejection >= REJECTION_FLOOR
    assert len(CASES) >= 400 and len(off_topic) >= 30
