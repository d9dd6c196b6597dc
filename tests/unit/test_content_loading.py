"""Broken content fails at start with the file, the line and what is wrong."""

from pathlib import Path

import pytest

from bot.content.loader import ContentErrors, load_content

ENTRY = """\
id: demo
kind: scheme
name: "Démo"
summary: "Une fiche de test."
answer: "Réponse."
sources: ["https://example.org"]
last_verified: 2026-11-23
"""
SLOTS = (Path(__file__).resolve().parents[2] / "intents" / "slots.yaml").read_text(encoding="utf-8")


def make_content(tmp_path: Path, entry: str = ENTRY, intents: str | None = None) -> tuple[Path, Path]:
    knowledge = tmp_path / "knowledge"
    (knowledge / "entries").mkdir(parents=True)
    (knowledge / "entries" / "demo.yaml").write_text(entry, encoding="utf-8")
    intents_dir = tmp_path / "intents"
    intents_dir.mkdir()
    (intents_dir / "slots.yaml").write_text(SLOTS, encoding="utf-8")
    examples = "\n".join(f"      - exemple {i}" for i in range(15))
    (intents_dir / "demo.yaml").write_text(
        intents or f"intents:\n  - id: demo\n    knowledge: demo\n    examples:\n{examples}\n", encoding="utf-8"
    )
    return knowledge, intents_dir


def errors_of(knowledge: Path, intents: Path) -> str:
    with pytest.raises(ContentErrors) as caught:
        load_content(knowledge, intents)
    return str(caught.value)


def test_valid_content_loads(tmp_path):
    content = load_content(*make_content(tmp_path))
    assert list(content.entries) == ["demo"]
    assert content.intents[0].knowledge == "demo"


def test_broken_yaml_names_file_and_line(tmp_path):
    knowledge, intents = make_content(tmp_path, entry=ENTRY.replace('name: "Démo"', 'name: "Démo'))
    message = errors_of(knowledge, intents)
    assert "demo.yaml:" in message and "invalid YAML" in message


def test_unknown_field_names_file_line_and_field(tmp_path):
    knowledge, intents = make_content(tmp_path, entry=ENTRY + "colour: blue\n")
    message = errors_of(knowledge, intents)
    assert "entries/demo.yaml:8: colour: Extra inputs are not permitted" in message


def test_entry_without_sources_is_refused(tmp_path):
    knowledge, intents = make_content(tmp_path, entry=ENTRY.replace('sources: ["https://example.org"]', "sources: []"))
    assert "demo.yaml:6: sources" in errors_of(knowledge, intents)


def test_entry_without_last_verified_is_refused(tmp_path):
    knowledge, intents = make_content(tmp_path, entry=ENTRY.replace("last_verified: 2026-11-23\n", ""))
    assert "last_verified: Field required" in errors_of(knowledge, intents)


def test_closed_scheme_that_does_not_say_when_it_closed_is_refused(tmp_path):
    knowledge, intents = make_content(tmp_path, entry=ENTRY + "status:\n  state: closed\n")
    assert "says when it closed in 'closing'" in errors_of(knowledge, intents)


def test_intent_answering_unknown_entry_names_its_line(tmp_path):
    examples = "\n".join(f"      - exemple {i}" for i in range(15))
    text = f"intents:\n  - id: demo\n    knowledge: nowhere\n    examples:\n{examples}\n"
    knowledge, intents = make_content(tmp_path, intents=text)
    assert "demo.yaml:3: intent 'demo' answers with unknown entry 'nowhere'" in errors_of(knowledge, intents)


def test_example_in_two_intents_is_reported(tmp_path):
    text = (
        "intents:\n"
        "  - id: demo\n    knowledge: demo\n    examples: [\"c'est quoi la démo\", autre]\n"
        "  - id: other\n    knowledge: demo\n    examples: [\"C est quoi la demo ?\"]\n"
    )
    knowledge, intents = make_content(tmp_path, intents=text)
    assert "is also an example of intent 'demo'" in errors_of(knowledge, intents)


def test_duplicate_key_is_reported_with_its_line(tmp_path):
    knowledge, intents = make_content(tmp_path, entry=ENTRY + 'name: "Encore"\n')
    assert "demo.yaml:8: key 'name' appears twice" in errors_of(knowledge, intents)


def test_file_name_must_match_id(tmp_path):
    knowledge, intents = make_content(tmp_path, entry=ENTRY.replace("id: demo", "id: other"))
    assert "differs from file name" in errors_of(knowledge, intents)


def test_entry_delivered_by_an_unknown_actor_is_refused(tmp_path):
    knowledge, intents = make_content(tmp_path, entry=ENTRY + "delivered_by: [nobody]\n")
    assert "refers to unknown entry 'nobody'" in errors_of(knowledge, intents)


def test_faq_whose_first_see_also_is_not_its_topic_is_refused(tmp_path):
    faq = ENTRY.replace("kind: scheme", "kind: faq")
    knowledge, intents = make_content(tmp_path, entry=faq + "see_also: [demo]\n")
    assert "must be the scheme or topic it is about ('demo' is another FAQ)" in errors_of(knowledge, intents)
    knowledge, intents = make_content(tmp_path / "bare", entry=faq)
    assert "must be the scheme or topic it is about (there is none)" in errors_of(knowledge, intents)
