"""What goes into and comes out of the engine: transport-free values.

Every door (terminal, JSON lines, Telegram) turns its input into an `Event` and renders the
`Reply`. Nothing here knows about HTML, callback_data or terminals.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

EventKind = Literal["text", "button", "command", "unsupported"]


@dataclass(frozen=True)
class Event:
    """One thing the user did.

    - text: a typed message (`text`).
    - button: a button press (`payload`, as given in a `Button`).
    - command: a command without its slash (`command`, e.g. "start") and its argument in `text`.
    - unsupported: a sticker, photo, voice... (`text` names the kind: "sticker", "photo").
    `now` is the time of the event in seconds (Unix time), given by the door so the engine
    stays pure.
    """

    kind: EventKind
    text: str = ""
    payload: str = ""
    command: str = ""
    now: float = 0.0


@dataclass(frozen=True)
class Button:
    label: str
    payload: str  # opaque to the doors; short ASCII, e.g. "k:dla", "o:who:association"
    url: str | None = None  # a link button instead of a payload


@dataclass(frozen=True)
class ContactCard:
    """An organisation to contact (a CRESS, for now). Fields are None when not verified."""

    title: str
    lines: tuple[str, ...] = ()  # French lines shown under the title (status, notes)
    website: str | None = None
    email: str | None = None
    phone: str | None = None
    address: str | None = None


@dataclass(frozen=True)
class Block:
    """A paragraph of text; `title` is rendered in bold where the door can."""

    text: str
    title: str | None = None
    link: str | None = None  # an official link shown after the text


@dataclass(frozen=True)
class Reply:
    blocks: tuple[Block, ...] = ()
    buttons: tuple[Button, ...] = ()
    cards: tuple[ContactCard, ...] = ()
    matched: bool = False
    intent: str | None = None
    confidence: float = 0.0
    sources: tuple[str, ...] = field(default=())
    # The user asked to be forgotten: doors delete whatever they stored about the conversation.
    forget: bool = False
    # The understanding stage's best intents with their confidences (the opt-in learning log).
    candidates: tuple[tuple[str, float], ...] = ()
    # A 👍 / 👎 press on a knowledge answer: (intent, helpful).
    feedback: tuple[str, bool] | None = None
    # This text answered "Qu'est-ce qui manquait ?" after a 👎 on this intent.
    missing_for: str | None = None

    def plain_text(self) -> str:
        """The whole reply as plain text (terminal and JSON doors; tests)."""
        parts: list[str] = []
        for block in self.blocks:
            text = f"{block.title}\n{block.text}" if block.title else block.text
            if block.link:
                text += f"\n{block.link}"
            parts.append(text)
        for card in self.cards:
            parts.append(render_card_plain(card))
        return "\n\n".join(p for p in parts if p)


def render_card_plain(card: ContactCard) -> str:
    block = card_block(card)
    return "\n".join(part for part in (block.title, block.text) if part)


def card_block(card: ContactCard) -> Block:
    """A contact card as a paragraph, for a reply whose card must come before its last question."""
    lines = list(card.lines)
    for label, value in (
        ("Site", card.website),
        ("Courriel", card.email),
        ("Téléphone", card.phone),
        ("Adresse", card.address),
    ):
        if value:
            lines.append(f"{label} : {value}")
    return Block("\n".join(lines), title=card.title)
