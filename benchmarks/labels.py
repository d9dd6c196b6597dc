"""Labelled message files and how an intent maps to the topic they are labelled with.

Held-out and validation items carry `topic`: a knowledge entry id, a system intent (greeting,
thanks, goodbye, help, orientation, catalogue, cress_contact, smalltalk) or null when off-topic;
`entry` optionally names the FAQ entry that answers a precise question, and `also` the other FAQ
entries that answer it exactly as well (a card that merely states the fact among others never
counts unless it is the `entry`: the figure measures precise answers). The old dev set carries
`intent` (an intent id) instead. An intent's topic is its knowledge entry, or for a FAQ entry the
entry it is about (its first `see_also`); the intent id for system intents.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import yaml

from bot.content.loader import Content

OUT_OF_SCOPE = "out_of_scope"


@dataclass(frozen=True)
class Case:
    # Left out of the repr: a failing test prints its arguments, and the held-out messages must
    # never be shown (they would be read, then tuned on).
    text: str = field(repr=False)
    topic: str | None
    form: str | None = None
    precise: bool = False
    near_domain: bool = False
    entry: str | None = None
    also: tuple[str, ...] = ()

    def answered_by(self, entry: str | None) -> bool:
        """The precise point is answered by this entry: the one labelled, or one as exact."""
        return entry is not None and (entry == self.entry or entry in self.also)


SMALLTALK = "smalltalk"
# The entry a system intent's answer stands for, in `entry` labels. Questions asking for a
# CRESS's phone or address are labelled with the entry `cress` (the labellers read only
# knowledge/entries/); the bot answers them with that CRESS's contact card (cress_contact).
SYSTEM_INTENT_ENTRIES = {"cress_contact": "cress"}


class TopicMap:
    def __init__(self, content: Content) -> None:
        self.content = content
        # Small talk ("t'es un robot ?") is one topic for the labels, several intents in intents/smalltalk.yaml.
        self.smalltalk = {i for i, (path, _) in content.intent_lines.items() if path.stem == SMALLTALK}
        self.known_topics = set(content.entries) | {i.id for i in content.intents}
        if self.smalltalk:
            self.known_topics.add(SMALLTALK)

    def topic(self, intent_id: str | None) -> str | None:
        if intent_id is None or intent_id == OUT_OF_SCOPE:
            return None
        if intent_id in self.smalltalk:
            return SMALLTALK
        intent = self.content.intents_by_id.get(intent_id)
        if intent is None or not intent.knowledge:
            return intent_id
        entry = self.content.entries[intent.knowledge]
        if entry.kind == "faq" and entry.see_also:
            return entry.see_also[0]
        return entry.id

    def entry(self, intent_id: str | None) -> str | None:
        if intent_id in SYSTEM_INTENT_ENTRIES:
            return SYSTEM_INTENT_ENTRIES[intent_id]
        intent = self.content.intents_by_id.get(intent_id or "")
        return intent.knowledge if intent is not None else None


def load_cases(path: Path, topics: TopicMap) -> list[Case]:
    """Items of a labelled file whose topic exists in this content (others are left out)."""
    raw = yaml.safe_load(path.read_text(encoding="utf-8")) or []
    cases = []
    for item in raw:
        topic = item.get("topic") if "topic" in item else topics.topic(item.get("intent"))
        if topic is not None and topic not in topics.known_topics:
            continue  # a topic whose knowledge entry is not written yet
        cases.append(
            Case(
                text=str(item["text"]),
                topic=topic,
                form=item.get("form"),
                precise=bool(item.get("precise", False)),
                near_domain=bool(item.get("near_domain", False)),
                entry=item.get("entry"),
                also=tuple(item.get("also") or ()),
            )
        )
    return cases
