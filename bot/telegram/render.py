"""Reply -> Telegram messages: HTML with every dynamic text escaped, the 4096-character
limit, and inline keyboards with versioned callback_data.

Callback data is `v1|<payload>`, encoded and decoded by `bot.actions` (the one place for
payload formats); a button of another version becomes "stale", which the engine answers
with an explanation and the menu.
"""

from __future__ import annotations

import functools
import html
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.actions import from_callback_data, to_callback_data
from bot.replies import Block, Button, ContactCard, Reply
from bot.telegram.logs import log_event

MAX_MESSAGE_CHARS = 4096
# Two buttons share a row when both labels are at most this long.
SHORT_LABEL = 18

Texts = Callable[..., str]  # bot.messages.Messages: key -> French text
logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class OutgoingMessage:
    html: str
    keyboard: InlineKeyboardMarkup | None = None
    # The keyboard as the Bot API takes it, built once per cached keyboard (see `_keyboard`).
    keyboard_data: dict[str, Any] | None = field(default=None, compare=False, repr=False)

    def reply_markup(self) -> dict[str, Any] | None:
        if self.keyboard_data is not None or self.keyboard is None:
            return self.keyboard_data
        return self.keyboard.to_dict()


def telegram_length(text: str) -> int:
    """Length as Telegram counts it (UTF-16 code units)."""
    return len(text.encode("utf-16-le")) // 2


def esc(text: str) -> str:
    return html.escape(text, quote=False)


def link(url: str, label: str | None = None) -> str:
    return f'<a href="{html.escape(url, quote=True)}">{esc(label or url)}</a>'


# -- callback data ---------------------------------------------------------------------------


def encode_callback(payload: str) -> str | None:
    """`v1|<payload>`, or None when it would not fit Telegram's 64 bytes (see bot.actions)."""
    return to_callback_data(payload)


def decode_callback(data: str | None) -> str:
    """The engine payload of a button press (see bot.actions)."""
    return from_callback_data(data)


def _family(button: Button) -> str:
    """Buttons of one family (the choices of one question) may share a row."""
    return "url" if button.url else button.payload.rpartition(":")[0]


def keyboard(buttons: Iterable[Button]) -> InlineKeyboardMarkup | None:
    """One button per row, except two short buttons of the same family side by side."""
    return _keyboard(tuple(buttons))[0]


# The same few keyboards (the menu, each question of the orientation) come back on most replies,
# and building python-telegram-bot's objects (and their JSON form, for every sendMessage) is a
# good part of what a reply costs us. Both are immutable, so they go with many messages.
@functools.lru_cache(maxsize=1024)
def _keyboard(buttons: tuple[Button, ...]) -> tuple[InlineKeyboardMarkup | None, dict[str, Any] | None]:
    markup = _build_keyboard(buttons)
    return markup, (markup.to_dict() if markup is not None else None)


def _build_keyboard(buttons: tuple[Button, ...]) -> InlineKeyboardMarkup | None:
    rows: list[list[InlineKeyboardButton]] = []
    previous: Button | None = None
    for button in buttons:
        if button.url:
            key = InlineKeyboardButton(button.label, url=button.url)
        else:
            data = encode_callback(button.payload)
            if data is None:
                log_event(logger, "button_dropped", logging.WARNING, reason="callback_data_too_long",
                          payload_bytes=len(button.payload.encode("utf-8")))
                continue
            key = InlineKeyboardButton(button.label, callback_data=data)
        if (
            previous is not None
            and len(rows[-1]) == 1
            and _family(previous) == _family(button) != ""
            and len(previous.label) <= SHORT_LABEL
            and len(button.label) <= SHORT_LABEL
        ):
            rows[-1].append(key)
        else:
            rows.append([key])
        previous = button
    return InlineKeyboardMarkup(rows) if rows else None


# -- text ------------------------------------------------------------------------------------

# A unit is (separator before it, HTML); separators are where a message may be split.
Unit = tuple[str, str]
_SPLITS = ("\n\n", "\n", " ")


def _fit(raw: str, limit: int, level: int = 0) -> list[Unit]:
    """Escaped pieces of `raw`, each within `limit`, cut at the coarsest boundary possible."""
    escaped = esc(raw)
    if telegram_length(escaped) <= limit:
        return [("", escaped)]
    if level >= len(_SPLITS):
        pieces: list[Unit] = []
        current = ""
        for char in raw:
            if telegram_length(esc(current + char)) > limit:
                pieces.append(("", esc(current)))
                current = ""
            current += char
        if current:
            pieces.append(("", esc(current)))
        return pieces
    sep = _SPLITS[level]
    units: list[Unit] = []
    for index, part in enumerate(raw.split(sep)):
        for j, (inner_sep, piece) in enumerate(_fit(part, limit, level + 1)):
            units.append((sep if index and not j else inner_sep, piece))
    return units


def _block_units(block: Block, limit: int) -> list[Unit]:
    units: list[Unit] = []
    if block.title:
        units.append(("\n\n", f"<b>{esc(block.title)}</b>"))
    for index, (sep, piece) in enumerate(_fit(block.text, limit)):
        if index == 0:
            sep = "\n" if block.title else "\n\n"
        units.append((sep, piece))
    if block.link:
        units.append(("\n", link(block.link)))
    return units


def card_html(card: ContactCard, texts: Texts) -> str:
    lines = [f"<b>{esc(card.title)}</b>", *(esc(line) for line in card.lines)]
    if card.website:
        lines.append(f"{esc(texts('telegram_card_website'))} : {link(card.website)}")
    for key, value in (
        ("telegram_card_email", card.email),
        ("telegram_card_phone", card.phone),
        ("telegram_card_address", card.address),
    ):
        if value:
            lines.append(f"{esc(texts(key))} : {esc(value)}")
    return "\n".join(lines)


def reply_html_units(reply: Reply, texts: Texts, limit: int = MAX_MESSAGE_CHARS) -> list[Unit]:
    units: list[Unit] = []
    for block in reply.blocks:
        units.extend(_block_units(block, limit))
    for card in reply.cards:
        rendered = card_html(card, texts)
        if telegram_length(rendered) <= limit:
            units.append(("\n\n", rendered))
        else:  # never with real cards; keep the limit anyway
            units.extend(("\n\n" if i == 0 else s, p) for i, (s, p) in enumerate(_fit(card.title, limit)))
    return units


def pack(units: list[Unit], limit: int = MAX_MESSAGE_CHARS) -> list[str]:
    """Greedy packing of units into messages within `limit`, splitting only between units."""
    messages: list[str] = []
    current = ""
    length = 0  # telegram_length(current), kept as it grows
    for sep, piece in units:
        piece_length = telegram_length(piece)
        if not current:
            current, length = piece, piece_length
        elif length + len(sep) + piece_length <= limit:  # separators are ASCII
            current += sep + piece
            length += len(sep) + piece_length
        else:
            messages.append(current)
            current, length = piece, piece_length
    if current:
        messages.append(current)
    return [m for m in messages if m.strip()]


def render_reply(reply: Reply, texts: Texts, limit: int = MAX_MESSAGE_CHARS) -> list[OutgoingMessage]:
    """The messages to send for one reply; the keyboard goes with the last one."""
    return list(_render(reply.blocks, reply.cards, tuple(reply.buttons), texts, limit))


# Most replies are one of a few hundred (an entry's card, the menu, a question of the orientation):
# rendered once, sent many times. Keyed on what the messages are made of (and the texts object:
# a content reload brings new texts); the messages are immutable.
@functools.lru_cache(maxsize=2048)
def _render(
    blocks: tuple[Block, ...], cards: tuple[ContactCard, ...], buttons: tuple[Button, ...], texts: Texts, limit: int
) -> tuple[OutgoingMessage, ...]:
    bodies = pack(reply_html_units(Reply(blocks=blocks, cards=cards), texts, limit), limit)
    markup, data = _keyboard(buttons)
    if not bodies:
        if markup is None:
            return ()
        bodies = [esc(texts("menu"))]
    last = len(bodies) - 1
    return tuple(
        OutgoingMessage(body, markup, data) if index == last else OutgoingMessage(body)
        for index, body in enumerate(bodies)
    )


def render_text(text: str) -> OutgoingMessage:
    return OutgoingMessage(esc(text))
