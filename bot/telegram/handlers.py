"""Updates -> `Event` -> `ConversationService.handle` -> rendered messages. No conversation
logic and no state here.

`Door` holds the conversation service; its bound methods are the handler callbacks wired in
`app.py`. The reply is delivered (`bot.telegram.delivery.deliver`) inside the service, before
the chat's new state is saved: when it does not get through (`DeliveryFailed`, retries included),
the state stays where the user last saw it and their next message is answered from there.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable

from telegram import LinkPreviewOptions, Message, MessageEntity, Update
from telegram.constants import ChatType
from telegram.error import Forbidden, TelegramError
from telegram.ext import ContextTypes

from bot.actions import from_callback_data
from bot.conversation import ConversationService
from bot.replies import Event, Reply
from bot.telegram.delivery import DeliveryFailed, deliver
from bot.telegram.logs import log_event
from bot.telegram.render import render_reply, render_text

logger = logging.getLogger(__name__)
NO_PREVIEW = LinkPreviewOptions(is_disabled=True)
# Message attribute -> messages.yaml key naming that kind in French (plural), checked in
# this order (an animation is also a document, a venue also a location).
UNSUPPORTED_KINDS = (
    ("sticker", "telegram_kind_sticker"),
    ("animation", "telegram_kind_animation"),
    ("photo", "telegram_kind_photo"),
    ("voice", "telegram_kind_voice"),
    ("video_note", "telegram_kind_video_note"),
    ("video", "telegram_kind_video"),
    ("audio", "telegram_kind_audio"),
    ("document", "telegram_kind_document"),
    ("venue", "telegram_kind_location"),
    ("location", "telegram_kind_location"),
    ("contact", "telegram_kind_contact"),
    ("poll", "telegram_kind_poll"),
    ("dice", "telegram_kind_dice"),
)
Context = ContextTypes.DEFAULT_TYPE


def is_private(message: Message) -> bool:
    return message.chat.type == ChatType.PRIVATE


def parse_command(message: Message, bot_username: str) -> tuple[str, str] | None:
    """(command, argument) of "/cmd@bot argument"; None when addressed to another bot."""
    text = message.text or ""
    entity = next(
        (e for e in message.entities if e.type == MessageEntity.BOT_COMMAND and e.offset == 0), None
    )
    if entity is None or not text.startswith("/"):
        return None
    head = text[1 : entity.length]
    name, _, target = head.partition("@")
    if target and target.lower() != bot_username.lower():
        return None
    return name.lower(), text[entity.length :].strip()


def command_of(update: Update, bot_username: str) -> tuple[Message, str, str] | None:
    """(message, command, argument) of an update that is a command for this bot, else None."""
    message = update.effective_message
    if message is None:
        return None
    parsed = parse_command(message, bot_username)
    return (message, *parsed) if parsed is not None else None


def addressed_text(message: Message, bot_username: str, bot_id: int) -> str | None:
    """The text meant for the bot: all of it in private chats; in groups only when the bot
    is mentioned (the mention removed) or the message replies to the bot."""
    text = message.text or ""
    if is_private(message):
        return text
    mention = f"@{bot_username}".lower()
    mentioned = False
    for entity in message.entities:
        if entity.type == MessageEntity.MENTION:
            if message.parse_entity(entity).lower() == mention:
                mentioned = True
        elif entity.type == MessageEntity.TEXT_MENTION and entity.user and entity.user.id == bot_id:
            mentioned = True
    replied = message.reply_to_message
    if replied is not None and replied.from_user is not None and replied.from_user.id == bot_id:
        mentioned = True
    if not mentioned:
        return None
    return re.sub(re.escape(f"@{bot_username}"), " ", text, flags=re.IGNORECASE).strip()


def unsupported_kind(message: Message) -> str | None:
    for attribute, key in UNSUPPORTED_KINDS:
        if getattr(message, attribute, None):
            return key
    return None


def conversation_key(chat_id: int) -> str:
    """The key of a Telegram chat's conversation in the state store."""
    return f"chat:telegram:{int(chat_id)}"


class Door:
    """The handler callbacks, bound to one conversation service."""

    def __init__(
        self, service: ConversationService, log_message_text: bool = False, clock: Callable[[], float] = time.time
    ):
        self.service = service
        self.texts = service.engine.messages
        self.log_message_text = log_message_text
        self.clock = clock

    # -- the one path: event -> conversation service -> messages --------------------------------

    async def respond(
        self, update: Update, context: Context, chat_id: int, event: Event, reply_to: int | None = None
    ) -> Reply | None:
        """The reply, or None when it could not be delivered (then nothing was saved)."""
        started = time.perf_counter()

        async def send(reply: Reply) -> None:
            await deliver(context.bot, chat_id, render_reply(reply, self.texts), reply_to)

        try:
            reply = await self.service.handle(conversation_key(chat_id), event, send)
        except DeliveryFailed as failed:
            # deliver() logged the failure; this line says the conversation did not move on.
            log_event(logger, "reply_not_delivered", logging.WARNING, chat=chat_id, update=update.update_id,
                      kind=event.kind, sent=failed.sent, total=failed.total, reason=failed.reason,
                      maybe_delivered=failed.maybe_delivered)
            return None
        if not logger.isEnabledFor(logging.INFO):
            return reply
        fields = {
            "chat": chat_id,
            "update": update.update_id,
            "kind": event.kind,
            "intent": reply.intent,
            "matched": reply.matched,
            "confidence": round(reply.confidence, 3),
            "ms": round((time.perf_counter() - started) * 1000, 1),
        }
        if event.kind == "command":
            fields["command"] = event.command
        if self.log_message_text:
            fields["text"] = event.text or event.payload
        log_event(logger, "update_handled", **fields)
        return reply

    # -- handler callbacks ---------------------------------------------------------------------

    async def on_command(self, update: Update, context: Context) -> None:
        found = command_of(update, context.bot.username)
        if found is None:
            return
        message, command, argument = found
        event = Event("command", command=command, text=argument, now=self.clock())
        await self.respond(update, context, message.chat.id, event, self._quote(message))

    async def on_text(self, update: Update, context: Context) -> None:
        message = update.effective_message
        if message is None:
            return
        text = addressed_text(message, context.bot.username, context.bot.id)
        if text is None:
            return
        event = Event("text", text=text, now=self.clock())
        await self.respond(update, context, message.chat.id, event, self._quote(message))

    async def on_unsupported(self, update: Update, context: Context) -> None:
        message = update.effective_message
        if message is None or not is_private(message):
            return
        key = unsupported_kind(message)
        kind = self.texts(key) if key else self.texts("telegram_kind_other")
        await self.respond(update, context, message.chat.id, Event("unsupported", text=kind, now=self.clock()))

    async def on_edited(self, update: Update, context: Context) -> None:
        message = update.edited_message
        if message is None or not is_private(message):
            return
        try:
            await deliver(context.bot, message.chat.id, [render_text(self.texts("telegram_edited_message"))],
                          message.message_id)
        except DeliveryFailed:
            return  # logged by deliver(); there is no state to keep back
        log_event(logger, "update_handled", chat=message.chat.id, update=update.update_id, kind="edited")

    async def on_button(self, update: Update, context: Context) -> None:
        query = update.callback_query
        if query is None:
            return
        try:
            await query.answer()  # stops the button's spinner; every query gets it
        except TelegramError as exc:
            log_event(logger, "callback_answer_failed", logging.INFO, error=type(exc).__name__)
        message = query.message
        if message is None:  # a button under an inline-mode message: nothing to answer into
            return
        event = Event("button", payload=from_callback_data(query.data), now=self.clock())
        await self.respond(update, context, message.chat.id, event)

    async def on_error(self, update: object, context: Context) -> None:
        """The one error handler: log, tell the user when possible, never stop the application."""
        error = context.error
        chat_id = update.effective_chat.id if isinstance(update, Update) and update.effective_chat else None
        if isinstance(error, Forbidden):
            log_event(logger, "chat_unreachable", logging.WARNING, chat=chat_id, reason="forbidden")
            return
        logger.error(
            "handler_error",
            exc_info=error,
            extra={"fields": {"chat": chat_id, "error": type(error).__name__,
                              "update": getattr(update, "update_id", None)}},
        )
        if chat_id is None or not isinstance(update, Update) or update.inline_query is not None:
            return
        try:
            await context.bot.send_message(chat_id, self.texts("telegram_error"), link_preview_options=NO_PREVIEW)
        except TelegramError as exc:
            log_event(logger, "error_notice_failed", logging.WARNING, chat=chat_id, error=type(exc).__name__)

    @staticmethod
    def _quote(message: Message) -> int | None:
        """In groups the answer quotes the message it answers."""
        return None if is_private(message) else message.message_id
