"""Inline mode: typing `@bot dla` in any chat offers scheme cards to share.

The cards are the engine's own knowledge answers (the same blocks as in a conversation),
found with the engine's matcher; an empty query lists the schemes alphabetically.
"""

from __future__ import annotations

import logging

from telegram import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InlineQueryResultArticle,
    InputTextMessageContent,
    LinkPreviewOptions,
    Update,
)
from telegram.constants import ParseMode
from telegram.ext import ContextTypes

from bot.answers import entry_blocks
from bot.content.models import Entry
from bot.engine import SUGGESTION_FLOOR, Engine
from bot.nlu.normalize import normalize
from bot.replies import Reply
from bot.telegram.logs import log_event
from bot.telegram.render import pack, reply_html_units

logger = logging.getLogger(__name__)
MAX_RESULTS = 10
CACHE_SECONDS = 300
MAX_QUERY_CHARS = 200


def find_entries(engine: Engine, query: str, limit: int = MAX_RESULTS) -> list[Entry]:
    """Knowledge entries for an inline query, best first; schemes before FAQ answers."""
    entries = engine.content.entries
    normalised = normalize(query[:MAX_QUERY_CHARS])
    if not normalised:
        schemes = sorted((e for e in entries.values() if e.kind != "faq"), key=lambda e: e.name.lower())
        return schemes[:limit]
    matching = engine.entries_matching(normalised, limit)
    found = [entry for entry, confidence in matching if confidence >= SUGGESTION_FLOOR]
    found.sort(key=lambda e: e.kind == "faq")  # stable: keeps the matcher's order otherwise
    return found[:limit]


def entry_article(engine: Engine, entry: Entry, bot_username: str) -> InlineQueryResultArticle:
    reply = Reply(blocks=tuple(entry_blocks(entry, engine.messages)))
    body = pack(reply_html_units(reply, engine.messages))[0]  # pack keeps each within 4096
    buttons = [
        [InlineKeyboardButton(engine.messages("telegram_inline_open_bot"),
                              url=f"https://t.me/{bot_username}?start={entry.id}")]
    ]
    if entry.link:
        buttons.insert(0, [InlineKeyboardButton(engine.messages("telegram_inline_official"), url=entry.link)])
    return InlineQueryResultArticle(
        id=entry.id[:64],
        title=entry.name,
        description=entry.summary,
        input_message_content=InputTextMessageContent(
            body, parse_mode=ParseMode.HTML, link_preview_options=LinkPreviewOptions(is_disabled=True)
        ),
        reply_markup=InlineKeyboardMarkup(buttons),
    )


class InlineCards:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    async def on_inline_query(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.inline_query
        if query is None:
            return
        entries = find_entries(self.engine, query.query)
        results = [entry_article(self.engine, e, context.bot.username) for e in entries]
        await query.answer(results, cache_time=CACHE_SECONDS, is_personal=False)
        log_event(logger, "inline_answered", user=query.from_user.id, results=len(results))
