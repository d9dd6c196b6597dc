"""Load and validate knowledge/ and intents/; every error names the file and line."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from bot.content.models import Entry, Intent, IntentFile, LearnedFile, SlotsFile
from bot.content.yaml_source import ContentError, YamlDocument, read_yaml
from bot.nlu.normalize import normalize

MIN_EXAMPLES = 15
ROOT = Path(__file__).resolve().parents[2]
KNOWLEDGE_DIR = ROOT / "knowledge"
INTENTS_DIR = ROOT / "intents"
ENTRIES_SUBDIR = "entries"
# The orientation's vocabulary lives beside the intents but has its own shape.
SLOTS_FILE = "slots.yaml"
# Examples added by `ess-bot review`, one file per intent, merged into that intent at load.
LEARNED_SUBDIR = "learned"

M = TypeVar("M", bound=BaseModel)


class ContentErrors(Exception):
    """Several content errors at once, one per line when printed."""

    def __init__(self, errors: list[ContentError]) -> None:
        self.errors = errors
        super().__init__("\n".join(str(e) for e in errors))


@dataclass
class Content:
    entries: dict[str, Entry]
    intents: list[Intent]
    slots: SlotsFile
    entry_files: dict[str, Path] = field(default_factory=dict)
    intent_lines: dict[str, tuple[Path, int | None]] = field(default_factory=dict)
    intents_by_id: dict[str, Intent] = field(init=False)

    def __post_init__(self) -> None:
        self.intents_by_id = {intent.id: intent for intent in self.intents}


def _validate(model: type[M], doc: YamlDocument, data: Any = None, base: tuple[Any, ...] = ()) -> M:
    try:
        return model.model_validate(doc.data if data is None else data)
    except ValidationError as exc:
        errors = []
        for err in exc.errors():
            loc = (*base, *err["loc"])
            field_name = ".".join(str(p) for p in err["loc"]) or "(document)"
            errors.append(ContentError(doc.path, doc.line_of(loc), f"{field_name}: {err['msg']}"))
        raise ContentErrors(errors) from exc


def _yaml_files(directory: Path) -> Iterable[Path]:
    return sorted(p for p in directory.rglob("*.yaml") if p.is_file())


def _parse(model: type[M], path: Path, errors: list[ContentError]) -> tuple[M, YamlDocument] | None:
    """Read and validate one file; problems go to `errors`."""
    try:
        doc = read_yaml(path)
        return _validate(model, doc), doc
    except ContentError as exc:
        errors.append(exc)
    except ContentErrors as exc:
        errors.extend(exc.errors)
    return None


def load_entries(knowledge_dir: Path, errors: list[ContentError]) -> tuple[dict[str, Entry], dict[str, Path]]:
    entries: dict[str, Entry] = {}
    files: dict[str, Path] = {}
    for path in _yaml_files(knowledge_dir / ENTRIES_SUBDIR):
        parsed = _parse(Entry, path, errors)
        if parsed is None:
            continue
        entry, doc = parsed
        if entry.id != path.stem:
            errors.append(ContentError(path, doc.line_of(("id",)), f"id '{entry.id}' differs from file name"))
        if entry.id in entries:
            errors.append(ContentError(path, doc.line_of(("id",)), f"id '{entry.id}' already in {files[entry.id]}"))
            continue
        entries[entry.id] = entry
        files[entry.id] = path
    return entries, files


def load_intents(
    intents_dir: Path, errors: list[ContentError]
) -> tuple[list[Intent], dict[str, tuple[Path, int | None]], dict[str, YamlDocument]]:
    intents: list[Intent] = []
    where: dict[str, tuple[Path, int | None]] = {}
    docs: dict[str, YamlDocument] = {}
    for path in _yaml_files(intents_dir):
        if path.name == SLOTS_FILE or path.parent.name == LEARNED_SUBDIR:
            continue
        parsed = _parse(IntentFile, path, errors)
        if parsed is None:
            continue
        intent_file, doc = parsed
        for index, intent in enumerate(intent_file.intents):
            line = doc.line_of(("intents", index))
            if intent.id in where:
                other = where[intent.id]
                where_before = f"{other[0]}:{other[1]}"
                errors.append(ContentError(path, line, f"intent '{intent.id}' already defined at {where_before}"))
                continue
            intents.append(intent)
            where[intent.id] = (path, line)
            docs[intent.id] = doc
    return intents, where, docs


def merge_learned(intents: list[Intent], learned_dir: Path, errors: list[ContentError]) -> list[Intent]:
    """Add the reviewed examples of intents/learned/<intent>.yaml to their intents."""
    by_id = {intent.id: i for i, intent in enumerate(intents)}
    merged = list(intents)
    for path in _yaml_files(learned_dir) if learned_dir.is_dir() else ():
        parsed = _parse(LearnedFile, path, errors)
        if parsed is None:
            continue
        learned, doc = parsed
        if learned.intent not in by_id:
            errors.append(ContentError(path, doc.line_of(("intent",)), f"unknown intent '{learned.intent}'"))
            continue
        index = by_id[learned.intent]
        known = set(merged[index].examples)
        extra = [e for e in learned.examples if e not in known]
        merged[index] = merged[index].model_copy(update={"examples": [*merged[index].examples, *extra]})
    return merged


def load_slots(path: Path, errors: list[ContentError]) -> SlotsFile | None:
    parsed = _parse(SlotsFile, path, errors)
    return parsed[0] if parsed else None


def _cross_check(
    entries: dict[str, Entry],
    files: dict[str, Path],
    intents: list[Intent],
    docs: dict[str, YamlDocument],
    errors: list[ContentError],
    known_messages: set[str] | None,
) -> None:
    for entry_id, entry in entries.items():
        doc_path = files[entry_id]
        for ref in [*entry.see_also, *entry.status.instead, *entry.delivered_by]:
            if ref not in entries:
                errors.append(ContentError(doc_path, None, f"refers to unknown entry '{ref}'"))
        topic = entries.get(entry.see_also[0]) if entry.see_also else None
        if entry.kind == "faq" and (topic is None or topic.kind == "faq"):
            # The first see_also is the topic the FAQ belongs to: the bench's labels, the card/FAQ
            # family of the model and "more on this topic" all read it.
            found = f"'{entry.see_also[0]}' is another FAQ" if topic else "there is none"
            errors.append(ContentError(doc_path, None, "a FAQ entry's first see_also must be the scheme or topic it is "
                                                       f"about ({found})"))
    owner_of_example: dict[str, str] = {}
    for intent in intents:
        doc = docs[intent.id]
        index = doc.data["intents"].index(next(d for d in doc.data["intents"] if d.get("id") == intent.id))
        if intent.knowledge and intent.knowledge not in entries:
            line = doc.line_of(("intents", index, "knowledge"))
            message = f"intent '{intent.id}' answers with unknown entry '{intent.knowledge}'"
            errors.append(ContentError(doc.path, line, message))
        if intent.message and known_messages is not None and intent.message not in known_messages:
            line = doc.line_of(("intents", index, "message"))
            errors.append(ContentError(doc.path, line, f"intent '{intent.id}' uses unknown message '{intent.message}'"))
        for example_index, example in enumerate(intent.examples):
            key = normalize(example)
            line = doc.line_of(("intents", index, "examples", example_index))
            if not key:
                errors.append(ContentError(doc.path, line, f"example '{example}' is empty once normalised"))
                continue
            other = owner_of_example.get(key)
            if other is not None and other != intent.id:
                errors.append(
                    ContentError(doc.path, line, f"example '{example}' is also an example of intent '{other}'")
                )
            owner_of_example.setdefault(key, intent.id)


def load_content(
    knowledge_dir: Path = KNOWLEDGE_DIR,
    intents_dir: Path = INTENTS_DIR,
    known_messages: set[str] | None = None,
) -> Content:
    """Load everything or raise ContentErrors listing every problem found."""
    errors: list[ContentError] = []
    entries, files = load_entries(knowledge_dir, errors)
    intents, where, docs = load_intents(intents_dir, errors)
    intents = merge_learned(intents, intents_dir / LEARNED_SUBDIR, errors)
    slots = load_slots(intents_dir / SLOTS_FILE, errors)
    if not errors:
        _cross_check(entries, files, intents, docs, errors, known_messages)
    if errors:
        raise ContentErrors(errors)
    assert slots is not None
    return Content(entries=entries, intents=intents, slots=slots, entry_files=files, intent_lines=where)
