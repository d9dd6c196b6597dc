"""Getting replies out in order and despite hiccups.

- `PerChatUpdateProcessor`: updates of different chats are processed concurrently, updates
  of one chat strictly one after the other, in arrival order (one FIFO lock per chat).
- `RetryingRateLimiter`: python-telegram-bot's `AIORateLimiter` (throttling, and flood
  control: a RetryAfter pauses every request for the time Telegram asks) plus retries with
  exponential backoff of timeouts and network errors. getUpdates is left to the updater, which
  has its own retry loop.
- `deliver()`: one reply's messages, in order; raises `DeliveryFailed` when they did not all
  get out, so that the caller does not record the conversation as if the user had read them.

Duplicate or loss, the choice. The Bot API has no idempotency key: when sendMessage times out
while *reading* the answer (or the connection drops after the request was written), Telegram may
already have delivered the message. Retrying may show it twice; not retrying may lose it. For a
guidance bot a lost answer is worse (the user waits, then thinks the bot is broken), so:

| failure of a message-creating call (`send*`, `copyMessage`, `forwardMessage`) | retries |
|---|---|
| never sent: connect or pool timeout, connection refused | up to `network_retries` (3) |
| maybe delivered: read/write timeout, connection dropped mid-call, unknown | once, waiting longer |
| flood control (429): Telegram says it was not sent | AIORateLimiter, as Telegram asks |

The single retry after a "maybe delivered" failure waits `uncertain_read_timeout` (20 s instead
of 5 s) for Telegram's answer: a slow Telegram is the usual cause, and waiting longer keeps a
slow reply from turning into a third or fourth copy. So a user sees at most two copies of one
message, and only when Telegram was slow. Other calls (answerCallbackQuery, editMessageText,
setMyCommands...) are harmless to repeat and get the full retries.
"""

from __future__ import annotations

import asyncio
import html
import logging
import re
import warnings
from collections.abc import Awaitable, Callable, Coroutine, Sequence
from typing import Any

import httpx
from telegram import Bot, LinkPreviewOptions, Update
from telegram.constants import ParseMode
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError, TimedOut
from telegram.ext import AIORateLimiter, BaseUpdateProcessor
from telegram.warnings import PTBUserWarning

from bot.telegram.logs import log_event
from bot.telegram.render import OutgoingMessage

logger = logging.getLogger(__name__)
NO_PREVIEW = LinkPreviewOptions(is_disabled=True)
_NO_PREVIEW_DATA = NO_PREVIEW.to_dict()
# `do_api_request` is python-telegram-bot's public call that returns Telegram's raw answer; it
# warns that `Bot.sendMessage` exists, which is known and meant here (see `send_message`).
warnings.filterwarnings("ignore", message=r"Please use 'Bot\.sendMessage'", category=PTBUserWarning)
_TAG_RE = re.compile(r"<[^>]+>")
# httpx errors raised before the request left: retrying cannot make a duplicate.
_NEVER_SENT = (httpx.ConnectTimeout, httpx.PoolTimeout, httpx.ConnectError)
_FORWARDS = {"copyMessage", "copyMessages", "forwardMessage", "forwardMessages"}


def creates_a_message(endpoint: str) -> bool:
    return endpoint.startswith("send") or endpoint in _FORWARDS


def maybe_delivered(exc: BaseException) -> bool:
    """False only when we know the request never reached Telegram."""
    if isinstance(exc, TimedOut) and "Pool timeout" in (exc.message or ""):
        return False  # python-telegram-bot's own pool timeout, before sending
    return not isinstance(exc.__cause__, _NEVER_SENT)


def ordering_key(update: object) -> int | None:
    """The chat (or, for inline queries, the user) whose updates must stay in order."""
    if isinstance(update, Update):
        if update.effective_chat is not None:
            return update.effective_chat.id
        if update.effective_user is not None:
            return update.effective_user.id
    return None


class PerChatUpdateProcessor(BaseUpdateProcessor):
    def __init__(self, max_concurrent_updates: int) -> None:
        # At least 2: python-telegram-bot awaits each update inline when the limit is 1.
        super().__init__(max(2, max_concurrent_updates))
        self._locks: dict[int, tuple[asyncio.Lock, int]] = {}

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        key = ordering_key(update)
        if key is None:
            await coroutine
            return
        lock, users = self._locks.get(key, (None, 0))
        if lock is None:
            lock = asyncio.Lock()
        self._locks[key] = (lock, users + 1)
        try:
            async with lock:  # asyncio.Lock wakes its waiters in FIFO order
                await coroutine
        finally:
            lock, users = self._locks[key]
            if users <= 1:
                del self._locks[key]
            else:
                self._locks[key] = (lock, users - 1)

    async def initialize(self) -> None:
        return None

    async def shutdown(self) -> None:
        return None


class RetryingRateLimiter(AIORateLimiter):
    """AIORateLimiter (throttling + RetryAfter) with retries of timeouts and network errors."""

    def __init__(
        self,
        max_rate: float = 30.0,
        flood_retries: int = 3,
        network_retries: int = 3,
        backoff: float = 0.5,
        max_backoff: float = 8.0,
        uncertain_retries: int = 1,
        uncertain_read_timeout: float = 20.0,
    ) -> None:
        super().__init__(
            overall_max_rate=max_rate,
            overall_time_period=1,
            group_max_rate=20 if max_rate else 0,
            group_time_period=60,
            max_retries=flood_retries,
        )
        self.network_retries = network_retries
        self.backoff = backoff
        self.max_backoff = max_backoff
        self.uncertain_retries = uncertain_retries
        self.uncertain_read_timeout = uncertain_read_timeout

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, Any]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> Any:
        if endpoint == "getUpdates":
            return await callback(*args, **kwargs)
        delay = self.backoff
        attempt = uncertain = 0
        while True:
            try:
                return await super().process_request(callback, args, kwargs, endpoint, data, rate_limit_args)
            except (RetryAfter, BadRequest, Forbidden):
                raise  # flood control is already retried by AIORateLimiter; a bad request stays bad
            except (TimedOut, NetworkError) as exc:
                attempt += 1
                risky = creates_a_message(endpoint) and maybe_delivered(exc)
                uncertain += risky
                if attempt > self.network_retries or uncertain > self.uncertain_retries:
                    raise
                if risky:  # see the module docstring: at most one possible duplicate, given time
                    kwargs = {**kwargs, "read_timeout": self.uncertain_read_timeout}
                log_event(logger, "request_retried", logging.WARNING, method=endpoint, error=type(exc).__name__,
                          attempt=attempt, delay=delay, maybe_delivered=risky)
                await asyncio.sleep(delay)
                delay = min(delay * 2, self.max_backoff)


class DeliveryFailed(Exception):
    """A reply did not fully reach the user, retries included.

    `sent` of `total` messages went out; `maybe_delivered` says whether the failed one may have
    reached the user all the same (a timeout after sending). `reason` is "network" (Telegram
    unreachable or too slow after every retry), "unreachable" (the user blocked the bot, or
    the chat is gone) or "rejected" (Telegram refused the message); retrying helps none of them.

    The caller must not save the conversation's new state (the state after this reply): the user
    then writes again and is answered from the state they last saw. Keeping the old state is the
    safe side even when `maybe_delivered`: a question asked again is a duplicate, while a state
    moved on past a question the user never saw makes their next words answer it.
    """

    def __init__(self, chat_id: int, sent: int, total: int, reason: str, maybe_delivered: bool) -> None:
        super().__init__(f"reply to chat {chat_id}: {sent} of {total} messages sent ({reason})")
        self.chat_id = chat_id
        self.sent = sent
        self.total = total
        self.reason = reason
        self.maybe_delivered = maybe_delivered


async def send_message(
    bot: Bot, chat_id: int, text: str, parse_mode: str | None, reply_markup: dict[str, Any] | None,
    reply_parameters: dict[str, Any] | None,
) -> None:
    """sendMessage through the bot's request layer, rate limiter and error handling, without
    building a `telegram.Message` from Telegram's answer: nothing here reads it, and parsing it
    (the echoed text and keyboard included) cost more than the rest of the request."""
    params: dict[str, Any] = {"chat_id": chat_id, "text": text, "link_preview_options": _NO_PREVIEW_DATA}
    if parse_mode is not None:
        params["parse_mode"] = parse_mode
    if reply_markup is not None:
        params["reply_markup"] = reply_markup
    if reply_parameters is not None:
        params["reply_parameters"] = reply_parameters
    await bot.do_api_request("sendMessage", api_kwargs=params)


async def deliver(
    bot: Bot, chat_id: int, messages: Sequence[OutgoingMessage], reply_to: int | None = None
) -> None:
    """Send one reply's messages in order (retries are the bot's rate limiter's). Raises
    `DeliveryFailed` unless every message got out; an HTML mistake is resent as plain text."""
    reply_parameters = {"message_id": reply_to, "allow_sending_without_reply": True} if reply_to else None
    for sent, message in enumerate(messages):
        try:
            markup = message.reply_markup()
            try:
                await send_message(bot, chat_id, message.html, ParseMode.HTML.value, markup, reply_parameters)
            except BadRequest as exc:
                if "parse" not in str(exc).lower():
                    raise
                # An HTML mistake must not silence the bot: send the same words as plain text.
                log_event(logger, "html_rejected", logging.ERROR, chat=chat_id)
                await send_message(bot, chat_id, html.unescape(_TAG_RE.sub("", message.html)), None, markup,
                                   reply_parameters)
        except Forbidden as exc:
            log_event(logger, "chat_unreachable", logging.WARNING, chat=chat_id, reason="forbidden")
            raise DeliveryFailed(chat_id, sent, len(messages), "unreachable", False) from exc
        except BadRequest as exc:  # a NetworkError in PTB's hierarchy, but Telegram did answer: not sent
            log_event(logger, "delivery_failed", logging.ERROR, chat=chat_id, sent=sent, total=len(messages),
                      error=type(exc).__name__, maybe_delivered=False)
            raise DeliveryFailed(chat_id, sent, len(messages), "rejected", False) from exc
        except (TimedOut, NetworkError) as exc:
            failure = DeliveryFailed(chat_id, sent, len(messages), "network", maybe_delivered(exc))
            log_event(logger, "delivery_failed", logging.ERROR, chat=chat_id, sent=sent, total=len(messages),
                      error=type(exc).__name__, maybe_delivered=failure.maybe_delivered)
            raise failure from exc
        except TelegramError as exc:
            log_event(logger, "delivery_failed", logging.ERROR, chat=chat_id, sent=sent, total=len(messages),
                      error=type(exc).__name__, maybe_delivered=False)
            raise DeliveryFailed(chat_id, sent, len(messages), "rejected", False) from exc
        reply_parameters = None
