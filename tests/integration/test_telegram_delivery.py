"""What the user receives when sending a reply goes wrong, through the real bot, its rate
limiter and retries, on an offline Bot API that can deliver a message and then time out."""

from __future__ import annotations

import logging
from collections import deque
from typing import Any

import httpx
import pytest
from telegram.error import TimedOut

from bot.telegram.app import build_application
from bot.telegram.delivery import DeliveryFailed, deliver
from bot.telegram.offline import HttpFailure, OfflineBotApi
from bot.telegram.render import OutgoingMessage
from tests.integration.harness import make_settings

CHAT = 1001


def timed_out(cause: Exception) -> TimedOut:
    error = TimedOut()
    error.__cause__ = cause  # what HTTPXRequest raises: `raise TimedOut from httpx_error`
    return error


class FlakyApi(OfflineBotApi):
    """sendMessage follows a script: "ok"; "lost" (connect timeout: never reached Telegram);
    "late" (Telegram delivered it, then our read timed out); or an HttpFailure."""

    def __init__(self, *script: str | HttpFailure) -> None:
        super().__init__()
        self.script = deque(script)
        self.delivered: list[str] = []  # what the user's phone shows
        self.read_timeouts: list[Any] = []

    async def do_request(self, url: str, method: str, request_data=None, **timeouts: Any) -> tuple[int, bytes]:
        if not url.endswith("/sendMessage"):
            return await super().do_request(url, method, request_data, **timeouts)
        self.read_timeouts.append(timeouts.get("read_timeout"))
        step = self.script.popleft() if self.script else "ok"
        text = request_data.parameters["text"]
        if step == "lost":
            raise timed_out(httpx.ConnectTimeout("connect"))
        if isinstance(step, HttpFailure):
            self.fail("sendMessage", step)
            return await super().do_request(url, method, request_data, **timeouts)
        self.delivered.append(text)
        if step == "late":
            raise timed_out(httpx.ReadTimeout("read"))
        return await super().do_request(url, method, request_data, **timeouts)


@pytest.fixture
async def bot(engine, data_dir):
    bots = []

    async def make(*script: str | HttpFailure):
        api = FlakyApi(*script)
        app = build_application(make_settings(data_dir), engine, request=api)
        await app.initialize()
        app.bot.rate_limiter.backoff = 0.001
        bots.append(app)
        return app.bot, api

    yield make
    for app in bots:
        await app.shutdown()


REPLY = [OutgoingMessage("<b>Le DLA</b> accompagne les structures de l'ESS."), OutgoingMessage("Et ensuite ?")]


async def test_answer_delivered_before_a_read_timeout_is_sent_again_rather_than_risk_losing_it(bot):
    telegram, api = await bot("late")
    await deliver(telegram, CHAT, REPLY[:1])
    assert api.delivered == [REPLY[0].html] * 2, "the documented price: a possible duplicate, never a loss"
    assert api.read_timeouts[1] == 20.0, "the repeat waits longer for a slow Telegram"


async def test_a_message_maybe_delivered_is_repeated_once_only(bot, caplog):
    telegram, api = await bot("late", "late", "late", "late")
    with caplog.at_level(logging.INFO), pytest.raises(DeliveryFailed) as failed:
        await deliver(telegram, CHAT, REPLY)
    assert len(api.delivered) == 2, "at most two copies, not one per retry"
    assert (failed.value.sent, failed.value.total, failed.value.reason) == (0, 2, "network")
    assert failed.value.maybe_delivered is True
    assert [r.fields["maybe_delivered"] for r in caplog.records if r.getMessage() == "delivery_failed"] == [True]


async def test_messages_that_never_left_are_retried_until_they_get_through(bot):
    telegram, api = await bot("lost", "lost", "lost")
    await deliver(telegram, CHAT, REPLY)
    assert api.delivered == [m.html for m in REPLY], "each message once, in order"


async def test_every_retry_failing_is_reported_to_the_caller(bot, caplog):
    telegram, api = await bot("ok", "lost", "lost", "lost", "lost")
    with caplog.at_level(logging.INFO), pytest.raises(DeliveryFailed) as failed:
        await deliver(telegram, CHAT, REPLY)
    assert api.delivered == [REPLY[0].html]
    assert (failed.value.sent, failed.value.total, failed.value.maybe_delivered) == (1, 2, False)
    assert len(api.read_timeouts) == 5, "one success, then the first try and three retries of the second"
    assert any(r.getMessage() == "delivery_failed" for r in caplog.records)


async def test_a_user_who_blocked_the_bot_is_reported_without_retries(bot):
    telegram, api = await bot(HttpFailure(403, "Forbidden: bot was blocked by the user"))
    with pytest.raises(DeliveryFailed) as failed:
        await deliver(telegram, CHAT, REPLY)
    assert failed.value.reason == "unreachable"
    assert len(api.read_timeouts) == 1 and api.delivered == []


async def test_an_html_mistake_is_resent_as_plain_text(bot):
    telegram, api = await bot(HttpFailure(400, "Bad Request: can't parse entities: unclosed tag"))
    await deliver(telegram, CHAT, REPLY[:1])
    assert api.delivered == ["Le DLA accompagne les structures de l'ESS."]
