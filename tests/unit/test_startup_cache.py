"""The content as loaded at start is cached between starts; a stale or broken cache is never
trusted, and an edited file is always read (and validated) from the YAML."""

import datetime as dt
import re
import shutil
from pathlib import Path

import pytest

from bot.content.loader import INTENTS_DIR, KNOWLEDGE_DIR, ContentErrors
from bot.engine import Engine
from bot.replies import Event
from bot.state import ConversationState
from bot.territory import Territory

MESSAGES = ["c'est quoi le DLA ?", "comment créer une SCIC ?", "bonjour", "je cherche un financement"]


def answers(engine: Engine) -> list[tuple[str, str | None]]:
    out = []
    for text in MESSAGES:
        reply, _ = engine.respond(ConversationState(), Event("text", text=text, now=1_800_000_000.0))
        out.append((reply.plain_text(), reply.intent))
    return out


@pytest.fixture
def content_copy(tmp_path) -> tuple[Path, Path]:
    knowledge = tmp_path / "knowledge"
    shutil.copytree(KNOWLEDGE_DIR / "entries", knowledge / "entries")
    intents = tmp_path / "intents"
    shutil.copytree(INTENTS_DIR, intents)
    return knowledge, intents


def load(knowledge: Path, intents: Path, cache: Path, **kwargs) -> Engine:
    return Engine.load(knowledge, intents, territory_loader=Territory.load, cache_dir=cache, **kwargs)


def test_a_second_start_reads_the_cache_and_answers_the_same(tmp_path, content_copy, monkeypatch):
    cache = tmp_path / "cache"
    first = load(*content_copy, cache)
    assert len(list(cache.glob("*.pickle"))) == 1
    # A start that reads the cache parses no YAML at all.
    monkeypatch.setattr("bot.engine.load_content", lambda *a, **k: pytest.fail("content parsed again"))
    second = load(*content_copy, cache)
    assert answers(second) == answers(first)
    assert second.content.entries.keys() == first.content.entries.keys()
    # The topics' vocabulary the follow-ups read comes with it, as the examples would build it.
    assert "_topic_vocabulary" in second.__dict__
    rebuilt = Engine(second.content, second.messages, second.matcher, second.vocabulary, Territory.load)
    assert second._topic_vocabulary == rebuilt._topic_vocabulary
    assert second._topic_vocabulary[1].get("recyclerie") == "economie_circulaire"


def test_an_edited_file_is_read_from_the_yaml_not_the_cache(tmp_path, content_copy):
    knowledge, intents = content_copy
    cache = tmp_path / "cache"
    load(knowledge, intents, cache)
    dla = knowledge / "entries" / "dla.yaml"
    # A field the intent model does not learn from: no training in this test.
    text = re.sub(r"(?m)^last_verified: .*$", "last_verified: 2026-01-02", dla.read_text(encoding="utf-8"))
    dla.write_text(text, encoding="utf-8")
    edited = load(knowledge, intents, cache)
    assert edited.content.entries["dla"].last_verified == dt.date(2026, 1, 2)
    assert len(list(cache.glob("*.pickle"))) == 2


def test_a_broken_edit_is_reported_with_file_and_line_even_with_a_cache(tmp_path, content_copy):
    knowledge, intents = content_copy
    cache = tmp_path / "cache"
    load(knowledge, intents, cache)
    target = intents / "accompagnement.yaml"
    lines = target.read_text(encoding="utf-8").splitlines()
    target.write_text("\n".join([*lines, "  - id: broken", "    knowledge: no_such_entry", ""]), encoding="utf-8")
    with pytest.raises(ContentErrors) as failure:
        load(knowledge, intents, cache)
    assert f"{target}:{len(lines) + 1}" in str(failure.value)


def test_a_corrupt_cache_is_rebuilt(tmp_path, content_copy):
    cache = tmp_path / "cache"
    first = load(*content_copy, cache)
    (path,) = cache.glob("*.pickle")
    path.write_bytes(b"\x80\x05 not a pickle")
    again = load(*content_copy, cache)
    assert answers(again) == answers(first)
    assert path.read_bytes()[:2] != b"\x80\x05 "  # written again, whole


def test_an_unwritable_cache_directory_still_starts(tmp_path, content_copy):
    (tmp_path / "a file").write_text("")
    engine = load(*content_copy, tmp_path / "a file" / "cache")  # cannot be created
    assert answers(engine)[0][1] is not None


def test_check_never_reads_the_cache(tmp_path, content_copy, monkeypatch):
    cache = tmp_path / "cache"
    load(*content_copy, cache)
    calls = []
    monkeypatch.setattr("bot.startup_cache.read", lambda path: calls.append(path))
    load(*content_copy, cache, read_cache=False)
    assert calls == []
