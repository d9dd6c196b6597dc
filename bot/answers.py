"""Build replies from knowledge entries: the answer, its status, next step, link, sources."""

from __future__ import annotations

import re
from typing import get_args
from urllib.parse import urlparse

from bot.content.models import Entry, Theme
from bot.messages import Messages
from bot.replies import Block, Button

CATALOGUE_THEMES: tuple[str, ...] = get_args(Theme)
MAX_SOURCES_SHOWN = 3
# Button labels longer than this are cut on a phone screen.
MAX_BUTTON_NAME = 36
_SEED_RE = re.compile(r"^seed:\s*(?P<file>[\w.-]+)\s*(?:\((?P<section>.*)\))?\s*$")


def source_label(source: str, messages: Messages) -> str:
    """A short, readable label for a source: the site's name, or the seed document's section."""
    seed = _SEED_RE.match(source)
    if seed:
        number = seed.group("file").split("_", 1)[0]
        section = seed.group("section")
        if section:
            return messages("source_seed_section", number=number, section=section)
        return messages("source_seed", number=number)
    host = urlparse(source).netloc
    return host.removeprefix("www.") or source


def sources_line(entry: Entry, messages: Messages) -> str:
    labels: list[str] = []
    for source in entry.sources:
        label = source_label(source.ref, messages)
        if label not in labels:
            labels.append(label)
    shown = labels[:MAX_SOURCES_SHOWN]
    return messages("sources", sources=", ".join(shown))


def status_line(entry: Entry, messages: Messages) -> str | None:
    status = entry.status
    note = status.note or ""
    if status.state == "closed":  # a closed scheme always has its closing date (models.Status)
        return messages("status_closed", until=status.until, note=note).strip()
    if status.state == "uncertain":
        return messages("status_uncertain", note=note or messages("status_uncertain_default")).strip()
    if status.until:
        return messages("status_until", until=status.until, note=note).strip()
    return None


def entry_blocks(entry: Entry, messages: Messages) -> list[Block]:
    """The answer to 'what is X': status first when it matters, then text, next step, link."""
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
    return blocks


def short_name(entry: Entry) -> str:
    """A button-sized name that reads without knowing acronyms: "France Active",
    "Banque des Territoires", "Prêt d'honneur solidaire"; an acronym only with words."""
    if len(entry.name) <= MAX_BUTTON_NAME:
        return entry.name
    head = re.split(r" \(|, | - | : ", entry.name, maxsplit=1)[0]
    if len(head) <= MAX_BUTTON_NAME:
        return head
    if entry.acronyms:
        return _shorten(f"{entry.acronyms[0]} · {head}", MAX_BUTTON_NAME)
    return _shorten(head, MAX_BUTTON_NAME)


def entry_button(entry: Entry) -> Button:
    return Button(label=short_name(entry), payload=f"k:{entry.id}")


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
