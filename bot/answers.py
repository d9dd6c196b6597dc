"""Build replies from knowledge entries: the answer, its status, next step, link, sources."""

from __future__ import annotations

import datetime as dt
import re
from typing import get_args
from urllib.parse import urlparse

from bot.actions import OpenEntry, encode
from bot.content.models import Entry, Source, Theme
from bot.messages import Messages
from bot.nlu.normalize import normalize
from bot.nlu.words import STOP_WORDS, stem
from bot.replies import Block, Button

CATALOGUE_THEMES: tuple[str, ...] = get_args(Theme)
MAX_SOURCES_SHOWN = 3
# Past this age the answer tells the user to check the official page before acting.
OLD_AFTER_DAYS = 365
# Button labels longer than this are cut on a phone screen.
MAX_BUTTON_NAME = 36
# A follow-up is answered by a line of the card just given when they share this many content
# words, and half of the follow-up's (question words and "faut" do not count).
MIN_SHARED_WORDS = 2
# Longer than this, a follow-up says more than the question it may repeat.
ITS_QUESTION_MAX_WORDS = 4
_ASKING_WORDS = frozenset({"comment", "combien", "quand", "pourquoi", "quoi", "faut", "peut", "possible"})
_SENTENCE_END_RE = re.compile(r"(?<=[.!?;])\s+|\n+")
# "jusqu'à combien ?": a message that only asks how much, answered by the first sentence with an amount.
_HOW_MUCH_RE = re.compile(r"\b(?:jusqu a )?(?:combien|cb|montant|plafond|pourcentage|taux|somme|max|maximum)\b")
_AMOUNT_RE = re.compile(r"\d[\d\s.,]*\s?(?:%|€|euros?\b)")
_SEED_RE = re.compile(r"^seed:\s*(?P<file>[\w.-]+)\s*(?:\((?P<section>.*)\))?\s*$")


def source_label(source: Source, messages: Messages) -> str:
    """How a source is named to users: a site's name for a link; a seed document as a document."""
    if source.url:
        return urlparse(source.url).netloc.removeprefix("www.") or source.url
    seed = _SEED_RE.match(source.ref)
    number = seed.group("file").split("_", 1)[0] if seed else None
    section = seed.group("section") if seed else source.ref
    if number is None:
        return messages("source_document", title=section)
    if section:
        return messages("source_seed_section", number=number, section=section)
    return messages("source_seed", number=number)


def sources_line(entry: Entry, messages: Messages) -> str:
    """The sources, links first (users can open them), without repeating a site."""
    labels: list[str] = []
    for source in sorted(entry.sources, key=lambda s: s.url is None):
        label = source_label(source, messages)
        if label not in labels:
            labels.append(label)
    shown = labels[:MAX_SOURCES_SHOWN]
    return messages("sources", sources=", ".join(shown))


def french_date(day: dt.date, messages: Messages) -> str:
    """"1er mars 2026", "23 novembre 2026"."""
    month = messages("months").split()[day.month - 1]
    return f"{'1er' if day.day == 1 else day.day} {month} {day.year}"


def verified_line(entry: Entry, messages: Messages, today: dt.date) -> str:
    """When the entry's sources were read; past a year, a word to check the official page."""
    key = "verified_old" if (today - entry.last_verified).days > OLD_AFTER_DAYS else "verified"
    return messages(key, date=french_date(entry.last_verified, messages))


def status_line(entry: Entry, messages: Messages) -> str | None:
    status = entry.status
    note = status.note or ""
    if status.state == "closed":  # a closed scheme always says when it closed (models.Status)
        return messages("status_closed", closing=status.closing, note=note).strip()
    if status.state == "uncertain":
        return messages("status_uncertain", note=note or messages("status_uncertain_default")).strip()
    if status.until:
        return messages("status_until", until=status.until, note=note).strip()
    return None


def entry_blocks(entry: Entry, messages: Messages, today: dt.date | None = None) -> list[Block]:
    """The answer to 'what is X': status first when it matters, then text, next step, link,
    sources, and last the day the sources were read (`today` decides whether that is old)."""
    blocks: list[Block] = []
    status = status_line(entry, messages)
    if status and entry.status.state == "closed":
        blocks.append(Block(status))
        status = None
    blocks.append(Block(entry.answer, title=entry.name))
    if status:
        blocks.append(Block(status))
    tail = []
    if entry.next_step:
        tail.append(messages("next_step", text=entry.next_step))
    tail.append(sources_line(entry, messages))
    blocks.append(Block("\n".join(tail), link=entry.link))
    blocks.append(Block(verified_line(entry, messages, today or dt.date.today())))
    return blocks


def short_name(entry: Entry) -> str:
    """A button-sized name that reads without knowing acronyms: "France Active",
    "Banque des Territoires", "Prêt d'honneur solidaire"; an acronym only with words."""
    if len(entry.name) <= MAX_BUTTON_NAME:
        return entry.name
    if entry.kind == "faq":
        # A question cut at its first comma ("Dans une Scop") no longer says what it asks.
        return _shorten(entry.name, MAX_BUTTON_NAME)
    head = re.split(r" \(|, | - | : ", entry.name, maxsplit=1)[0]
    if len(head) <= MAX_BUTTON_NAME:
        return head
    if entry.acronyms:
        return _shorten(f"{entry.acronyms[0]} · {head}", MAX_BUTTON_NAME)
    return _shorten(head, MAX_BUTTON_NAME)


def entry_button(entry: Entry) -> Button:
    return Button(label=short_name(entry), payload=encode(OpenEntry(entry.id)))


def distinct_buttons(*buttons: Button) -> tuple[Button, ...]:
    """The buttons in order, each label once: two buttons that read the same would look like one
    choice offered twice."""
    by_label: dict[str, Button] = {}
    for button in buttons:
        by_label.setdefault(button.label, button)
    return tuple(by_label.values())


def related_buttons(entry: Entry, entries: dict[str, Entry]) -> list[Button]:
    ids = [*entry.status.instead, *entry.see_also]
    seen: list[str] = []
    for related in ids:
        if related in entries and related not in seen and related != entry.id:
            seen.append(related)
    return [entry_button(entries[i]) for i in seen[:4]]


def _shorten(label: str, limit: int = 40) -> str:
    """Cut at a word boundary, with an ellipsis: "FDVA · Fonds pour le développement…"."""
    if len(label) <= limit:
        return label
    cut = label[: limit - 1].rsplit(" ", 1)[0]
    return cut.rstrip(" «,:;-·'") + "…"


def asks_its_question(entry: Entry, normalised: str) -> bool:
    """A few words, all from the question a FAQ entry answers: "c'est obligatoire ?" just after
    "L'assemblée générale d'une association est-elle obligatoire ?" asks it again."""
    asked = {stem(w) for w in normalised.split() if len(w) > 3 and w not in STOP_WORDS and w not in _ASKING_WORDS}
    if entry.kind != "faq" or not asked or len(normalised.split()) > ITS_QUESTION_MAX_WORDS:
        return False
    return asked <= {stem(w) for w in normalize(entry.name).split()}


def line_about(entry: Entry, normalised: str) -> str | None:
    """The sentence of an entry's answer that shares the most content words with a message, when
    it shares enough of them (MIN_SHARED_WORDS): "faut une licence pour vendre de l'alcool ?" just
    after the card on village cafés is answered by that card's sentence on licences."""
    asked = {stem(w) for w in normalised.split() if len(w) > 3 and w not in STOP_WORDS and w not in _ASKING_WORDS}
    sentences = _SENTENCE_END_RE.split(entry.answer)
    how_much = {stem(w) for phrase in _HOW_MUCH_RE.findall(normalised) for w in phrase.split()}
    if how_much and not asked - how_much:
        return _as_sentence(next((s for s in sentences if _AMOUNT_RE.search(s)), None))
    best, best_shared = None, 0
    for sentence in sentences:
        shared = len(asked & {stem(w) for w in normalize(sentence).split()})
        if shared > best_shared:
            best, best_shared = sentence.strip(), shared
    if best is None or best_shared < max(MIN_SHARED_WORDS, len(asked) / 2):
        return None
    return _as_sentence(best)


def _as_sentence(line: str | None) -> str | None:
    if line is None:
        return None
    line = line.strip(" -•;:,")  # a list item read alone, as a sentence
    return line[0].upper() + line[1:] + ("" if line.endswith((".", "!", "?")) else ".")
