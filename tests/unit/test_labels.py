"""The labelled sets name entries that exist: a label left behind by a renamed or removed entry
would count every answer to its message as a miss."""

from pathlib import Path

import pytest

from benchmarks.labels import TopicMap, load_cases

DATA = Path(__file__).resolve().parents[1] / "data"
LABELLED = sorted(p for p in DATA.glob("*.yaml") if p.stem.startswith(("heldout", "validation", "blind_dev")))


@pytest.mark.parametrize("path", LABELLED, ids=lambda p: p.name)
def test_every_entry_label_names_an_existing_entry(engine, path):
    topics = TopicMap(engine.content)
    entries = engine.content.entries
    labels = {label for case in load_cases(path, topics) for label in (case.entry, *case.also) if label}
    assert labels, path
    assert sorted(labels - set(entries)) == []
    # A general card counts as a precise answer only when labelled as the entry, never as "also".
    also = {label for case in load_cases(path, topics) for label in case.also}
    assert sorted(a for a in also if entries[a].kind != "faq") == []


def test_a_precise_point_is_answered_by_its_label_or_an_entry_as_exact():
    from benchmarks.labels import Case

    case = Case("le dla c'est gratuit ?", "dla", precise=True, entry="faq_dla_gratuit", also=("faq_dla_qui_decide",))
    assert case.answered_by("faq_dla_gratuit") and case.answered_by("faq_dla_qui_decide")
    assert not case.answered_by("dla") and not case.answered_by(None)
