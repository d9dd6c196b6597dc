"""Behaviours shown on small knowledge bases built for the test."""

from pathlib import Path

from bot.content.loader import load_content
from bot.content.quality import quality_problems
from bot.engine import Engine
from bot.replies import Event
from bot.state import ConversationState
from bot.territory import Territory

ROOT = Path(__file__).resolve().parents[2]


def entry(entry_id: str, name: str) -> str:
    return (
        f"id: {entry_id}\nkind: scheme\nname: \"{name}\"\nsummary: \"{name}.\"\nanswer: \"Réponse {name}.\"\n"
        "sources: [\"https://example.org\"]\nlast_verified: 2026-11-23\n"
    )


def build(tmp_path: Path, intents: dict[str, list[str]]) -> tuple[Path, Path]:
    knowledge = tmp_path / "knowledge" / "entries"
    knowledge.mkdir(parents=True)
    intents_dir = tmp_path / "intents"
    intents_dir.mkdir()
    (intents_dir / "slots.yaml").write_text((ROOT / "intents" / "slots.yaml").read_text(encoding="utf-8"))
    lines = ["intents:"]
    for intent_id, examples in intents.items():
        (knowledge / f"{intent_id}.yaml").write_text(entry(intent_id, intent_id.title()), encoding="utf-8")
        lines += [f"  - id: {intent_id}", f"    knowledge: {intent_id}", "    examples:"]
        lines += [f"      - {example}" for example in examples]
    (intents_dir / "test.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return tmp_path / "knowledge", intents_dir


def test_two_equally_close_intents_get_did_you_mean_buttons(tmp_path):
    knowledge, intents = build(
        tmp_path,
        # Names that share no letters pair with the message, so that neither is closer to it.
        {"kiwi": ["garantie de pret bancaire kiwi"], "yuzu": ["garantie de pret bancaire yuzu"]},
    )
    engine = Engine.load(knowledge, intents, territory_loader=Territory.load)
    reply, _ = engine.respond(ConversationState(), Event("text", text="garantie de prêt bancaire"))
    assert not reply.matched
    assert "Vouliez-vous dire" in reply.plain_text()
    assert {b.payload for b in reply.buttons} >= {"i:kiwi", "i:yuzu"}


def test_check_reports_too_few_examples_and_confusable_examples(tmp_path):
    knowledge, intents = build(
        tmp_path,
        {
            "alpha": ["garantie pret bancaire association", *[f"alpha exemple {i}" for i in range(14)]],
            "beta": ["garantie pret bancaire associations", "beta seul"],
        },
    )
    problems = "\n".join(quality_problems(load_content(knowledge, intents)))
    assert "intent 'beta' has 2 examples, at least 15" in problems
    assert "'garantie pret bancaire association' of 'alpha' is closer to" in problems
