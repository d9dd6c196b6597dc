"""What a good bot does when things go wrong: restarts, flood control, timeouts, blocked
users, crashes in a handler, bursts of messages; and what it keeps and logs."""

from __future__ import annotations

import asyncio
import json
import logging
import os
import random
import subprocess
import sys

import httpx
from telegram.error import TimedOut

from bot.stores import FileStore
from bot.telegram.app import _post_init, build_application
from bot.telegram.handlers import conversation_key
from bot.telegram.offline import HttpFailure, OfflineBotApi
from tests.integration.harness import TOKEN, Harness, make_settings, text_of


async def restarted(bot: Harness) -> Harness:
    """The same bot after a restart: a new Application on the same data directory."""
    await bot.app.shutdown()
    api = OfflineBotApi()
    app = build_application(make_settings(bot.data_dir), bot.app.bot_data["engine"], request=api)
    await app.initialize()
    return Harness(app, api, bot.data_dir)


# -- persistence ---------------------------------------------------------------------------------


async def test_orientation_under_way_survives_a_restart(bot):
    chat = bot.chat()
    await chat.send("/orienter")
    await chat.click("Association")
    again = await restarted(bot)
    try:
        sent = await again.chat().send("création")
        assert "De quoi avez-vous besoin" in text_of(sent)
    finally:
        await again.app.shutdown()
        bot.app = again.app  # the fixture shuts it down again: harmless


async def test_state_is_on_disk_before_the_reply_is_sent(bot):
    chat = bot.chat()
    await chat.send("cress 29200")
    stored = await FileStore(bot.data_dir).get(conversation_key(1001))  # a fresh reader: from disk
    assert stored.data["place"]["code"] == "29019"


async def test_oublier_deletes_what_the_bot_keeps_about_the_chat(bot):
    chat = bot.chat()
    await chat.send("cress 29200")
    path = FileStore(bot.data_dir).path(conversation_key(1001))
    assert path.exists()
    sent = await chat.send("/oublier")
    assert "oublié" in text_of(sent)
    assert not path.exists()
    assert "Dans quelle région" in text_of(await chat.send("/cress")), "the place is forgotten in memory too"


# -- delivery ----------------------------------------------------------------------------------


async def test_flood_control_is_waited_out_and_the_reply_delivered(bot):
    bot.api.fail("sendMessage", HttpFailure(429, "Too Many Requests: retry after 1", retry_after=1))
    sent = await bot.chat().send("/aide")
    assert len(bot.api.calls_of("sendMessage")) == 2
    assert "/orienter" in text_of(sent)


async def test_timeouts_are_retried_with_backoff(bot):
    bot.app.bot.rate_limiter.backoff = 0.01
    never_sent = TimedOut()
    never_sent.__cause__ = httpx.ConnectTimeout("connect")  # maybe-delivered ones: test_telegram_delivery.py
    bot.api.fail("sendMessage", never_sent, never_sent)
    sent = await bot.chat().send("/aide")
    assert len(bot.api.calls_of("sendMessage")) == 3
    assert "/orienter" in text_of(sent)


async def test_user_who_blocked_the_bot_is_logged_and_skipped(bot, caplog):
    bot.api.fail("sendMessage", HttpFailure(403, "Forbidden: bot was blocked by the user"))
    with caplog.at_level(logging.INFO):
        await bot.chat(2002).send("/aide")
    assert any(r.getMessage() == "chat_unreachable" for r in caplog.records)
    assert text_of(await bot.chat(2003).send("/aide")), "other chats are served as before"


async def test_error_in_a_handler_is_logged_and_the_user_told(bot, caplog, monkeypatch):
    engine = bot.app.bot_data["engine"]

    def broken(state, event):
        raise RuntimeError("boom")

    monkeypatch.setattr(engine, "respond", broken)
    with caplog.at_level(logging.ERROR):
        sent = await bot.chat().send("c'est quoi le DLA")
    assert any(r.getMessage() == "handler_error" for r in caplog.records)
    assert "problème technique" in text_of(sent)
    monkeypatch.undo()
    assert "Dispositif local" in text_of(await bot.chat().send("c'est quoi le DLA"))


async def test_set_my_commands_registers_the_french_menu(bot):
    await _post_init(bot.app)
    (call,) = bot.api.calls_of("setMyCommands")
    names = [c["command"] for c in call.params["commands"]]
    assert names == ["start", "aide", "orienter", "cress", "dispositifs", "annuler", "oublier"]


async def test_set_my_commands_failure_is_logged_not_fatal(bot, caplog):
    bot.api.fail("setMyCommands", HttpFailure(500, "Internal Server Error"), HttpFailure(500, "x"),
                 HttpFailure(500, "x"), HttpFailure(500, "x"))
    bot.app.bot.rate_limiter.backoff = 0.01
    with caplog.at_level(logging.WARNING):
        await _post_init(bot.app)
    assert any(r.getMessage() == "set_my_commands_failed" for r in caplog.records)


async def test_burst_of_messages_in_several_chats_is_answered_in_order_per_chat(engine, data_dir):
    api = OfflineBotApi()
    latencies = random.Random(4)
    app = build_application(make_settings(data_dir, concurrent_updates=16), engine, request=api)
    harness = Harness(app, api, data_dir)
    original = api.do_request

    async def slow_request(*args, **kwargs):
        await asyncio.sleep(latencies.random() * 0.01)
        return await original(*args, **kwargs)

    api.do_request = slow_request
    entries = ["dla", "france_active", "avise", "cress", "dla", "avise"]
    chats = [harness.chat(3000 + n) for n in range(8)]
    async with app:
        await app.start()
        for entry in entries:
            for chat in chats:
                await app.update_queue.put(harness.update(message=chat.message(f"/start {entry}")))
        expected = len(entries) * len(chats)
        for _ in range(500):
            if len(api.messages()) >= expected:
                break
            await asyncio.sleep(0.01)
        await app.stop()
    names = {e: engine.content.entries[e].name for e in set(entries)}
    for chat in chats:
        titles = [m["text"].split("</b>")[0].removeprefix("<b>") for m in api.messages(chat.chat_id)]
        assert [t[:20] for t in titles] == [names[e][:20] for e in entries], chat.chat_id


# -- logs ----------------------------------------------------------------------------------------


async def test_logs_carry_no_message_text_by_default(bot, caplog):
    with caplog.at_level(logging.DEBUG):
        await bot.chat().send("mon association Les Jardins de Kerlouan")
    assert caplog.records
    assert not any("Kerlouan" in str(getattr(r, "fields", "")) + r.getMessage() for r in caplog.records)


async def test_message_text_is_logged_only_when_asked(engine, data_dir, caplog):
    api = OfflineBotApi()
    app = build_application(make_settings(data_dir, log_message_text=True), engine, request=api)
    async with app:
        with caplog.at_level(logging.INFO):
            await Harness(app, api, data_dir).chat().send("Les Jardins de Kerlouan")
    assert any("Kerlouan" in str(getattr(r, "fields", "")) for r in caplog.records)


# -- the state store -------------------------------------------------------------------------------


async def test_a_chat_file_of_the_wrong_shape_gets_an_apology_and_the_answer(bot):
    path = FileStore(bot.data_dir).path(conversation_key(1001))
    path.parent.mkdir(parents=True)
    path.write_text('{"state": "garbage"}')
    chat = bot.chat()
    sent = text_of(await chat.send("c'est quoi le DLA ?"))
    assert sent.startswith("Désolé, je n'ai pas pu relire") and "Dispositif local d'accompagnement" in sent
    path.write_text('{"state": "garbage"}')
    assert "oublié" in text_of(await chat.send("/oublier"))
    assert not path.exists()


async def test_a_data_dir_that_cannot_be_written_still_gets_answers(engine, tmp_path, caplog):
    blocked = tmp_path / "data"
    blocked.write_text("a file where the data directory should be")
    api = OfflineBotApi()
    app = build_application(make_settings(blocked), engine, request=api)
    async with app:
        with caplog.at_level(logging.INFO):
            sent = await Harness(app, api, blocked).chat().send("cress 29200")
    assert "CRESS Bretagne" in text_of(sent)
    assert "state_save_failed" in [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]


def test_the_bot_refuses_to_start_with_a_data_dir_it_cannot_write(tmp_path):
    blocked = tmp_path / "data"
    blocked.write_text("a file where the data directory should be")
    env = {**os.environ, "TELEGRAM_BOT_TOKEN": TOKEN, "BOUSSOLE_DATA_DIR": str(blocked),
           "TELEGRAM_BASE_URL": "http://127.0.0.1:9/bot"}
    env.pop("REDIS_URL", None)
    result = subprocess.run([sys.executable, "-m", "bot", "run"], env=env, capture_output=True, text=True,
                            timeout=60)
    assert result.returncode == 2
    line = json.loads(result.stderr.strip().splitlines()[-1])
    assert line["event"] == "store_unavailable" and line["level"] == "critical"
    assert "Impossible d'enregistrer les conversations" in line["message"] and str(blocked) in line["message"]
