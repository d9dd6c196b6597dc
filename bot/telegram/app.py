"""The one builder of the Telegram application, and `run()` for `ess-bot run`.

Handler order (group 0; the first handler whose filter matches takes the update):

| # | handler | takes |
|---|---|---|
| 0 | MessageHandler(admin chats, /recharger or /stats) | only when ADMIN_CHAT_IDS is set; elsewhere these |
|   |                                  | commands fall to #1 and are answered as unknown (admin.py) |
| 1 | MessageHandler(COMMAND)          | every command: /start (deep links), /aide, /orienter, /cress, |
|   |                                  | /dispositifs, /annuler, /oublier; unknown ones too (engine)   |
| 2 | MessageHandler(TEXT)             | questions; in groups only when the bot is mentioned or replied to |
| 3 | MessageHandler(private media)    | stickers, photos, voice, video, documents, locations...: a short answer |
| 4 | MessageHandler(EDITED_MESSAGE)   | an edited message (private chats): a short answer |
| 5 | CallbackQueryHandler             | every button press, answered first; stale data -> the engine's explanation |
| 6 | InlineQueryHandler               | `@bot dla`: scheme cards |
| - | error handler                    | logs, tells the user, never stops the application |

`SIGHUP` reloads knowledge/ and intents/ like /recharger (bot.reload, bot.telegram.serving).

Channel posts are neither requested (`ALLOWED_UPDATES`) nor matched by any handler.
"""

from __future__ import annotations

import asyncio
import gc
import logging
import sys
from dataclasses import replace

from telegram import BotCommand, Update
from telegram.error import TelegramError
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    InlineQueryHandler,
    MessageHandler,
    filters,
)
from telegram.request import BaseRequest

from bot.conversation import ConversationService
from bot.engine import Engine
from bot.learn.log import LearnLog
from bot.reload import Reloader
from bot.stores import StateStore, StoreUnavailable, open_store
from bot.telegram.admin import COMMAND_PATTERN, AdminCommands
from bot.telegram.delivery import PerChatUpdateProcessor, RetryingRateLimiter
from bot.telegram.handlers import Door
from bot.telegram.inline import InlineCards
from bot.telegram.logs import configure_logging, log_event
from bot.telegram.serving import serve
from bot.telegram.settings import Settings, SettingsError

logger = logging.getLogger(__name__)
ALLOWED_UPDATES = [Update.MESSAGE, Update.EDITED_MESSAGE, Update.CALLBACK_QUERY, Update.INLINE_QUERY]
MEDIA = (
    filters.Sticker.ALL
    | filters.PHOTO
    | filters.VOICE
    | filters.VIDEO
    | filters.VIDEO_NOTE
    | filters.AUDIO
    | filters.Document.ALL
    | filters.ANIMATION
    | filters.LOCATION
    | filters.VENUE
    | filters.CONTACT
    | filters.POLL
    | filters.Dice.ALL
)


def build_application(
    settings: Settings,
    engine: Engine,
    request: BaseRequest | None = None,
    get_updates_request: BaseRequest | None = None,
    store: StateStore | None = None,
) -> Application:
    """The whole application, wired; `request` replaces the network (tests, benchmark).
    `store` defaults to the one the settings name (files in the data directory, or Redis);
    the application closes it when it shuts down."""
    store = store or open_store(settings.data_dir, settings.redis_url)
    if engine.learning != settings.learn.enabled:
        engine = replace(engine, learning=settings.learn.enabled)
    learn = LearnLog(store, settings.learn)
    service = ConversationService(engine, store, learn=learn)
    builder = (
        Application.builder()
        .token(settings.token)
        .base_url(settings.base_url)
        .base_file_url(settings.base_file_url)
        .concurrent_updates(PerChatUpdateProcessor(settings.concurrent_updates))
        .rate_limiter(RetryingRateLimiter(max_rate=settings.max_rate))
        .post_init(_post_init)
        .post_shutdown(_post_shutdown)
    )
    if request is not None:
        builder = builder.request(request).get_updates_request(get_updates_request or request)
    application = builder.build()
    application.bot_data["engine"] = engine
    application.bot_data["conversations"] = service

    door = Door(service, log_message_text=settings.log_message_text)
    inline = InlineCards(engine)
    reloader = Reloader(service)
    reloader.on_swap.append(lambda new: setattr(inline, "engine", new))
    reloader.on_swap.append(lambda new: application.bot_data.__setitem__("engine", new))
    application.bot_data["reloader"] = reloader
    message = filters.UpdateType.MESSAGE
    if settings.admin_chat_ids:
        admin = AdminCommands(reloader, learn)
        admin_only = filters.Chat(chat_id=settings.admin_chat_ids) & filters.Regex(COMMAND_PATTERN)
        application.add_handler(MessageHandler(message & filters.COMMAND & admin_only, admin.on_command))
    application.add_handlers(
        [
            MessageHandler(message & filters.COMMAND, door.on_command),
            MessageHandler(message & filters.TEXT, door.on_text),
            MessageHandler(message & filters.ChatType.PRIVATE & MEDIA, door.on_unsupported),
            MessageHandler(filters.UpdateType.EDITED_MESSAGE, door.on_edited),
            CallbackQueryHandler(door.on_button),
            InlineQueryHandler(inline.on_inline_query),
        ]
    )
    application.add_error_handler(door.on_error)
    return application


def settle_loaded_memory() -> None:
    """Once the content and the geography are loaded (hundreds of thousands of objects that live as
    long as the process), move them out of the garbage collector's sight: otherwise every full
    collection walks all of them again while messages wait (about 0.1 s each, measured during the
    load benchmark), and finds nothing to free. Objects frozen here are still freed by reference
    counting; a content reload's new engine is simply collected as usual."""
    gc.collect()
    gc.freeze()


def bot_commands(engine: Engine) -> list[BotCommand]:
    return [BotCommand(command.name, engine.messages(command.description)) for command in engine.commands]


async def _post_init(application: Application) -> None:
    engine: Engine = application.bot_data["engine"]
    try:
        await application.bot.set_my_commands(bot_commands(engine))
    except TelegramError as exc:
        log_event(logger, "set_my_commands_failed", logging.WARNING, error=type(exc).__name__)
    log_event(logger, "bot_ready", username=application.bot.username)


async def _post_shutdown(application: Application) -> None:
    service: ConversationService = application.bot_data["conversations"]
    await service.close()


async def check_store(settings: Settings) -> None:
    """Raise `StoreUnavailable` unless the configured store can be written (a throwaway
    client: the application opens its own in its own event loop)."""
    store = open_store(settings.data_dir, settings.redis_url)
    try:
        await store.check()
    finally:
        await store.close()


def run() -> int:
    """`ess-bot run`: long polling, or a webhook when WEBHOOK_URL is set. Returns an exit code
    (see `bot.telegram.serving`)."""
    try:
        settings = Settings.from_env()
    except SettingsError as exc:
        print(f"ess-bot run: {exc}", file=sys.stderr)
        return 2
    configure_logging(settings.log_level, settings.token, settings.log_message_text)
    try:
        asyncio.run(check_store(settings))
    except StoreUnavailable as exc:
        where = "REDIS_URL" if settings.redis_url else f"BOUSSOLE_DATA_DIR={settings.data_dir}"
        # Refuse to start rather than answer while losing every conversation.
        log_event(logger, "store_unavailable", logging.CRITICAL, store=where, error=str(exc),
                  message=f"Impossible d'enregistrer les conversations ({where}) / conversations cannot be stored")
        return 2

    from bot.content.loader import ContentErrors
    from bot.content.yaml_source import ContentError

    try:
        engine = Engine.load()
        engine.territory  # noqa: B018 -- load the geography now, not on a user's first question
    except (ContentErrors, ContentError) as exc:
        log_event(logger, "content_invalid", logging.CRITICAL, errors=str(exc))
        return 2

    application = build_application(settings, engine)
    settle_loaded_memory()
    mode = "webhook" if settings.webhook_url else "polling"
    log_event(logger, "bot_starting", mode=mode, base_url=settings.base_url, data_dir=str(settings.data_dir),
              store="redis" if settings.redis_url else "files")
    return serve(application, settings, ALLOWED_UPDATES)
