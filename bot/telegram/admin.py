"""Admin commands, for the chats listed in ADMIN_CHAT_IDS only: /recharger and /stats.

They are invisible: not in the published command menu, and the handler is wired with a chat
filter (app.py), so in any other chat the command goes on to the engine, which answers it
like any unknown command.
"""

from __future__ import annotations

import logging
import re

from telegram import Update
from telegram.ext import ContextTypes

from bot.learn.log import LearnLog
from bot.reload import Reloader
from bot.telegram.handlers import NO_PREVIEW, command_of
from bot.telegram.logs import log_event
from bot.telegram.render import MAX_MESSAGE_CHARS

logger = logging.getLogger(__name__)
ADMIN_COMMANDS = ("recharger", "stats")
# Matches the command at the start of a message ("/stats", "/stats@boussole_bot 30").
COMMAND_PATTERN = re.compile(rf"^/({'|'.join(ADMIN_COMMANDS)})(@\w+)?(\s|$)", re.IGNORECASE)
STATS_DAYS = 7
STATS_GROUPS = 5


class AdminCommands:
    def __init__(self, reloader: Reloader, learn: LearnLog) -> None:
        self.reloader = reloader
        self.learn = learn

    @property
    def texts(self):
        return self.reloader.service.engine.messages

    async def on_command(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        found = command_of(update, context.bot.username)
        if found is None:
            return
        message, command, argument = found
        text = await (self.reload_text() if command == "recharger" else self.stats_text(argument))
        log_event(logger, "admin_command", chat=message.chat.id, command=command)
        await context.bot.send_message(message.chat.id, text[:MAX_MESSAGE_CHARS], link_preview_options=NO_PREVIEW)

    async def reload_text(self) -> str:
        result = await self.reloader.reload()
        if result.ok:
            log_event(logger, "content_reloaded", entries=result.entries, intents=result.intents,
                      seconds=round(result.seconds, 2), by="admin")
            return self.texts("admin_reloaded", entries=result.entries, intents=result.intents,
                              seconds=result.seconds)
        log_event(logger, "content_reload_failed", logging.ERROR, errors=result.errors, by="admin")
        return f"{self.texts('admin_reload_failed')}\n{result.errors}"

    async def stats_text(self, argument: str = "") -> str:
        if not self.learn.enabled:
            return self.texts("admin_stats_off")
        days = int(argument) if argument.strip().isdigit() else STATS_DAYS
        from bot.learn.stats import compute  # noqa: PLC0415 - loaded only when an admin asks

        stats = await compute(self.learn.store, days)
        up = sum(u for u, _ in stats.feedback.values())
        down = sum(d for _, d in stats.feedback.values())
        lines = [self.texts("admin_stats", days=days, messages=stats.messages, answered=stats.answered_share,
                            suggested=stats.suggested_share, up=up, down=down)]
        if stats.groups:
            lines.append(self.texts("admin_stats_groups"))
            lines += [f"• {g.size} × « {g.label[:80]} »" for g in stats.groups[:STATS_GROUPS]]
        return "\n".join(lines)
