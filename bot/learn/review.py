"""`ess-bot review`: walk the groups of unanswered questions and teach the bot.

For each group the curator picks one of the candidate intents (by number), types another
intent id, marks the group out of scope ("h"), skips it ("s") or stops ("q"). A choice adds the
group's texts as examples in intents/learned/<intent>.yaml. Before anything is written, the
whole content is loaded and checked with the new file in a copy of intents/: a bad edit (an
example another intent already owns, an unknown intent) is reported and nothing is written.
Reviewed groups are recorded so that they are not offered again.
"""

from __future__ import annotations

import re
import shutil
import tempfile
import time
from collections.abc import Callable, Iterable
from pathlib import Path

import yaml

from bot.content.loader import INTENTS_DIR, KNOWLEDGE_DIR, LEARNED_SUBDIR, ContentErrors, load_content
from bot.content.quality import quality_problems
from bot.content.yaml_source import ContentError
from bot.learn.log import DEFAULT_DAYS
from bot.learn.stats import Group
from bot.messages import Messages
from bot.nlu.normalize import normalize
from bot.stores.base import StateStore

REVIEWED = "learn:reviewed"
OUT_OF_SCOPE = "out_of_scope"
LEARNED_HEADER = "# Examples added by `ess-bot review` from questions people asked (scrubbed).\n"
_PLACEHOLDER = re.compile(r"\s*<[^<>]{1,20}>\s*")


def as_example(text: str) -> str:
    """A stored question as a training example: the scrubbing placeholders (<téléphone>...) removed."""
    return _PLACEHOLDER.sub(" ", text).strip(" ,;:")


def learned_path(intents_dir: Path, intent: str) -> Path:
    return intents_dir / LEARNED_SUBDIR / f"{intent}.yaml"


def _with_examples(intents_dir: Path, intent: str, texts: Iterable[str]) -> str:
    path = learned_path(intents_dir, intent)
    examples: list[str] = []
    if path.exists():
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        examples = list(data.get("examples") or [])
    for text in map(as_example, texts):
        if text and text not in examples:
            examples.append(text)
    body = yaml.safe_dump({"intent": intent, "examples": examples}, allow_unicode=True, sort_keys=False, width=100)
    return LEARNED_HEADER + body


def validate_edit(intents_dir: Path, knowledge_dir: Path, intent: str, text: str) -> list[str]:
    """Problems the content would have with `text` as intents/learned/<intent>.yaml (empty: fine)."""
    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / "intents"
        shutil.copytree(intents_dir, copy)
        target = learned_path(copy, intent)
        target.parent.mkdir(exist_ok=True)
        target.write_text(text, encoding="utf-8")
        try:
            content = load_content(knowledge_dir, copy, known_messages=Messages.load().keys())
        except ContentErrors as exc:
            return [str(e).replace(str(copy), str(intents_dir)) for e in exc.errors]
        except ContentError as exc:
            return [str(exc).replace(str(copy), str(intents_dir))]
        return [p.replace(str(copy), str(intents_dir)) for p in quality_problems(content, focus=intent)]


def add_examples(intents_dir: Path, knowledge_dir: Path, intent: str, texts: list[str]) -> list[str]:
    """Write the examples if the content stays valid; return the problems otherwise."""
    text = _with_examples(intents_dir, intent, texts)
    problems = validate_edit(intents_dir, knowledge_dir, intent, text)
    if not problems:
        path = learned_path(intents_dir, intent)
        path.parent.mkdir(exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return problems


async def reviewed_keys(store: StateStore, days: int = DEFAULT_DAYS) -> set[str]:
    since = time.time() - days * 86400.0
    return {key for record in await store.records(REVIEWED, since) for key in record.get("keys", [])}


async def mark_reviewed(store: StateStore, group: Group, days: int = DEFAULT_DAYS) -> None:
    keys = sorted({normalize(text) for text, _ in group.texts})
    await store.append(REVIEWED, {"t": time.time(), "keys": keys}, days * 86400.0)


async def review(
    groups: list[Group],
    store: StateStore,
    ask: Callable[[str], str],
    say: Callable[[str], None],
    intents_dir: Path = INTENTS_DIR,
    knowledge_dir: Path = KNOWLEDGE_DIR,
    days: int = DEFAULT_DAYS,
) -> int:
    """Walk the groups; returns how many were filed (added to an intent or out of scope)."""
    done = await reviewed_keys(store, days)
    filed = 0
    pending = [g for g in groups if not {normalize(t) for t, _ in g.texts} <= done]
    if not pending:
        say("Aucune question à revoir.")
        return 0
    for number, group in enumerate(pending, 1):
        say(f"\n[{number}/{len(pending)}] {group.size} message(s) :")
        if group.from_feedback:
            say(f"  ({group.from_feedback} dit(s) après un 👎 : ce qui manquait à la réponse ; "
                "à lire pour compléter la fiche plutôt qu'à classer comme exemple)")
        for text, count in group.texts[:5]:
            say(f"  « {text} »" + (f" ×{count}" if count > 1 else ""))
        for index, (intent, share) in enumerate(group.candidates, 1):
            say(f"  {index}. {intent}" + (f" ({share:.0%} du groupe)" if group.size > 1 else ""))
        while True:
            choice = ask("Intention (numéro ou id), h = hors sujet, s = passer, q = quitter : ").strip()
            if choice in ("q", ""):
                return filed
            if choice == "s":
                break
            if choice == "h":
                intent = OUT_OF_SCOPE
            elif choice.isdigit() and 1 <= int(choice) <= len(group.candidates):
                intent = group.candidates[int(choice) - 1][0]
            else:
                intent = choice
            problems = add_examples(intents_dir, knowledge_dir, intent, [t for t, _ in group.texts])
            if problems:
                say("Rien n'a été écrit : le contenu ne serait plus valide.")
                for problem in problems[:5]:
                    say(f"  {problem}")
                continue
            await mark_reviewed(store, group, days)
            say(f"Ajouté à {learned_path(intents_dir, intent)}.")
            filed += 1
            break
    return filed
