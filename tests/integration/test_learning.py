"""The curator loop end to end on the real stores (files in tmp_path, a real Redis): the opt-in
log, scrubbing in storage, retention, stats, review, the CLI doors, and through the real
Telegram adapter: feedback buttons, admin commands, live reload."""

from __future__ import annotations

import asyncio
import io
import json
import logging
import os
import shutil
import signal
from dataclasses import replace
from pathlib import Path

import pytest
import yaml

from bot import cli
from bot.content.loader import INTENTS_DIR, KNOWLEDGE_DIR
from bot.conversation import ConversationService
from bot.learn.log import EVENTS, FEEDBACK, QUESTIONS, LearnLog, LearnSettings
from bot.learn.report import render_html, render_text
from bot.learn.review import learned_path, review
from bot.learn.stats import compute, group_questions
from bot.replies import Event
from bot.stores import FileStore
from bot.telegram.app import ALLOWED_UPDATES, build_application
from bot.telegram.offline import OfflineBotApi
from bot.telegram.serving import serve_async
from tests.integration.harness import Harness, make_settings, text_of
from tests.integration.stores import make_store
from tests.unit.test_learn import SCRUB_TABLE

DAY = 86400.0
ADMIN = 9001


class Clock:
    def __init__(self, now: float = 1_800_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture(params=["file", "redis"])
async def store(request, tmp_path, clock):
    url = request.getfixturevalue("redis_url") if request.param == "redis" else None
    store = make_store(request.param, tmp_path, url, clock=clock)
    yield store
    await store.close()


async def raw_storage(store) -> str:
    """Everything the store holds, as stored (file contents, or Redis values)."""
    if isinstance(store, FileStore):
        return "\n".join(p.read_text(encoding="utf-8") for p in sorted(store.directory.rglob("*")) if p.is_file())
    keys = await store.client.keys(f"{store.prefix}*")
    parts = []
    for key in keys:
        kind = (await store.client.type(key)).decode()
        if kind == "zset":  # each member is {"id": <random hex>, "at": ..., "record": ...}: the id may hold "06"
            members = await store.client.zrange(key, 0, -1)
            parts += [json.dumps(json.loads(m)["record"], ensure_ascii=False) for m in members]
        elif kind == "hash":
            parts += [v.decode() for v in (await store.client.hgetall(key)).values()]
    return "\n".join(parts)


async def stored_names(store) -> list[str]:
    if isinstance(store, FileStore):
        return sorted(str(p.relative_to(store.directory).parts[0]) for p in store.directory.rglob("*") if p.is_file())
    keys = await store.client.keys(f"{store.prefix}*")
    return sorted(k.decode().removeprefix(store.prefix).split(":")[0] for k in keys)


# -- the log on the real stores ------------------------------------------------------------


async def test_with_learning_off_only_conversation_state_is_written(engine, store, clock):
    service = ConversationService(engine, store, learn=LearnLog(store, LearnSettings.from_env({}), clock))
    for text in ("c'est quoi le DLA", "une recette de crêpes au 06 12 34 56 78", "/cress"):
        kind = "command" if text.startswith("/") else "text"
        await service.handle("chat:telegram:5", Event(kind, text=text, command=text[1:], now=clock()))
    assert set(await stored_names(store)) == {"state"}


async def test_unanswered_questions_are_kept_scrubbed_without_identifiers(store, clock):
    log = LearnLog(store, LearnSettings.from_env({"BOUSSOLE_LEARN": "1", "BOUSSOLE_LEARN_DAYS": "30"}), clock)
    await log.message("c'est quoi le dla", "dla", True, 0.95)
    await log.message("appelez moi au 06 12 34 56 78 pour la fondation truc", None, False, 0.2, [("fdva", 0.35)])
    # Records of the same instant come back in any order (Redis sorts ties by member).
    assert sorted(e["outcome"] for e in await store.records(EVENTS)) == ["answered", "suggested"]
    questions = await store.records(QUESTIONS)
    assert len(questions) == 1
    assert "06 12" not in questions[0]["text"] and "fondation truc" in questions[0]["text"]
    assert questions[0]["candidates"] == [["fdva", 0.35]]
    assert set(questions[0]) == {"t", "text", "outcome", "candidates"}


async def test_no_contact_detail_of_the_scrubbing_table_survives_in_storage(store, clock):
    log = LearnLog(store, LearnSettings(enabled=True), clock)
    for text, _, _ in SCRUB_TABLE:
        await log.message(text, None, False, 0.1)
        await log.missing(text, "dla")
    stored = await raw_storage(store)
    assert stored.count("<") >= 10  # the placeholders are there
    for text, gone, kept in SCRUB_TABLE:
        for fragment in gone:
            assert fragment not in stored, (text, fragment)
        for fragment in kept:
            assert fragment in stored


async def test_records_are_deleted_after_the_retention_period(store, clock):
    log = LearnLog(store, LearnSettings(enabled=True, days=2), clock)
    await log.message("une question sans réponse", None, False, 0.1)
    await log.feedback("dla", helpful=False)
    clock.now += 3 * DAY
    await log.message("une autre question", None, False, 0.1)
    await log.feedback("scop", helpful=True)
    assert [q["text"] for q in await store.records(QUESTIONS)] == ["une autre question"]
    assert [f["intent"] for f in await store.records(FEEDBACK)] == ["scop"]
    assert "une question sans" not in await raw_storage(store)


async def test_stats_count_shares_feedback_and_render_a_self_contained_page(store, clock):
    log = LearnLog(store, LearnSettings(enabled=True), clock)
    for _ in range(3):
        await log.message("c'est quoi le dla", "dla", True, 0.9)
    await log.message("combien coute une adhesion a la cress", None, False, 0.3, [("cress", 0.45)])
    await log.feedback("dla", helpful=True)
    await log.feedback("dla", helpful=False)
    await log.feedback("scop", helpful=False)
    stats = await compute(store, days=7, now=clock() + 100)
    assert stats.messages == 4 and stats.answered_share == 0.75 and stats.suggested_share == 0.25
    assert stats.top_intents == [("dla", 3)]
    assert stats.feedback == {"dla": (1, 1), "scop": (0, 1)}
    assert stats.worst_rated()[0][0] == "scop"
    page = render_html(stats)
    assert page.count("<svg") == 3 and "<script" not in page and "http" not in page.split("<svg")[0]
    assert "combien coute une adhesion a la cress" in page
    assert "75% ont reçu une réponse" in render_text(stats)
    assert (await compute(store, days=7, now=clock() + 30 * DAY)).messages == 0


@pytest.fixture
def intents_copy(tmp_path):
    target = tmp_path / "intents"
    shutil.copytree(INTENTS_DIR, target)
    return target


async def test_review_walks_groups_files_them_and_does_not_offer_them_again(store, intents_copy):
    groups = group_questions([
        {"text": "ou trouver le dla de la haute vienne", "candidates": [["dla", 0.5]]},
        {"text": "meteo a brest demain", "candidates": []},
    ])
    answers = iter(["h", "1"])  # groups of one message come in alphabetical order
    said: list[str] = []
    filed = await review(groups, store, ask=lambda _: next(answers), say=said.append, intents_dir=intents_copy)
    assert filed == 2
    assert learned_path(intents_copy, "dla").exists() and learned_path(intents_copy, "out_of_scope").exists()
    said.clear()
    assert await review(groups, store, ask=lambda _: "q", say=said.append, intents_dir=intents_copy) == 0
    assert said == ["Aucune question à revoir."]


# -- the terminal doors feed the store Telegram uses ----------------------------------------


def test_ask_json_replays_a_batch_into_the_data_dir_and_stats_reads_it(tmp_path, monkeypatch):
    data = tmp_path / "data"
    monkeypatch.setenv("BOUSSOLE_DATA_DIR", str(data))
    monkeypatch.delenv("REDIS_URL", raising=False)
    batch = ["c'est quoi le DLA", "écrivez à jean.dupont@gmail.com pour la recette des crêpes", "hello ?"]
    monkeypatch.delenv("BOUSSOLE_LEARN", raising=False)
    cli.ask(batch, io.StringIO(), as_json=True)
    assert not data.exists(), "learning off: the terminal doors write nothing"

    monkeypatch.setenv("BOUSSOLE_LEARN", "1")
    out = io.StringIO()
    cli.ask(batch, out, as_json=True)
    assert [b["payload"] for b in json.loads(out.getvalue().splitlines()[0])["buttons"]][-2:] == ["f:dla:1", "f:dla:0"]
    written = sorted(p.relative_to(data).parts[:2] for p in data.rglob("*.jsonl"))
    assert written == [("records", "learn%3Aevents"), ("records", "learn%3Aquestions")]
    assert "gmail" not in "".join(p.read_text() for p in data.rglob("*.jsonl"))

    out = io.StringIO()
    assert cli.stats(out, days=7, as_json=True, html_path=str(tmp_path / "r.html")) == 0
    figures = json.loads(out.getvalue())
    assert figures["messages"] == 3 and {"intent": "dla", "count": 1} in figures["top_intents"]
    assert any("crêpes" in e["text"] for g in figures["groups"] for e in g["examples"])
    assert (tmp_path / "r.html").read_text().count("<svg") >= 1


# -- Telegram: feedback, admin commands, reload ---------------------------------------------


@pytest.fixture
async def learning_bot(engine, data_dir):
    engine.territory  # noqa: B018
    api = OfflineBotApi()
    settings = make_settings(data_dir, learn=LearnSettings(enabled=True), admin_chat_ids=frozenset({ADMIN}))
    app = build_application(settings, engine, request=api)
    await app.initialize()
    try:
        yield Harness(app, api, data_dir)
    finally:
        await app.shutdown()


def records(data_dir: Path, stream: str) -> list[dict]:
    return [json.loads(line)["record"] for p in sorted((data_dir / "records" / stream.replace(":", "%3A")).glob("*"))
            for line in p.read_text().splitlines()]


async def test_feedback_through_telegram_is_counted_per_intent_and_the_missing_part_kept(learning_bot, data_dir):
    chat = learning_bot.chat(1001)
    await chat.send("c'est quoi le DLA")
    assert [b["text"] for b in chat.last_keyboard][-2:] == ["👍", "👎"]
    assert all(len(b["callback_data"].encode()) <= 64 for b in chat.last_keyboard if "callback_data" in b)
    assert "Qu'est-ce qui manquait" in text_of(await chat.click("👎"))
    assert "noté" in text_of(await chat.send("le montant et mon tel 06 12 34 56 78"))
    await chat.send("c'est quoi une SCIC")
    assert text_of(await chat.click("👍")) == "Merci, c'est noté !"
    assert [(f["intent"], f["vote"]) for f in records(data_dir, FEEDBACK)] == [("dla", -1), ("scic", 1)]
    missing = [q for q in records(data_dir, QUESTIONS) if q["outcome"] == "feedback"]
    assert [(q["text"], q["candidates"]) for q in missing] == [("le montant et mon tel <téléphone>", [["dla", 0.0]])]
    stored = json.dumps(records(data_dir, FEEDBACK) + records(data_dir, QUESTIONS) + records(data_dir, EVENTS))
    assert "1001" not in stored and "Camille" not in stored


async def test_telegram_with_learning_off_writes_only_conversation_state(bot, data_dir):
    chat = bot.chat(1002)
    await chat.send("/start")
    assert "identifiant" not in text_of(await chat.send("/aide"))
    await chat.send("c'est quoi le DLA")
    assert "👍" not in [b["text"] for b in chat.last_keyboard]
    await chat.send("une recette de crêpes")
    assert {p.relative_to(data_dir).parts[0] for p in data_dir.rglob("*") if p.is_file()} == {"state"}


async def test_start_says_learning_is_on(learning_bot):
    assert "sans aucun identifiant" in text_of(await learning_bot.chat(1003).send("/start"))


@pytest.mark.parametrize("command", ["/recharger", "/stats"])
async def test_admin_commands_are_refused_to_other_chats_as_unknown_commands(learning_bot, command):
    unknown = text_of(await learning_bot.chat(1004).send("/nimportequoi"))
    assert text_of(await learning_bot.chat(1004).send(command)) == unknown
    assert text_of(await learning_bot.chat(-100555, "group").send(command)) == unknown
    assert command[1:] not in [c.name for c in learning_bot.app.bot_data["engine"].commands]


async def test_admin_stats_gives_the_short_summary(learning_bot):
    user = learning_bot.chat(1005)
    await user.send("c'est quoi le DLA")
    await user.send("une recette de crêpes")
    summary = text_of(await learning_bot.chat(ADMIN).send("/stats"))
    assert "2 messages" in summary and "50% avec une réponse" in summary and "recette de crêpes" in summary


@pytest.fixture
def content_copy(tmp_path, learning_bot):
    knowledge, intents = tmp_path / "knowledge", tmp_path / "intents"
    shutil.copytree(KNOWLEDGE_DIR, knowledge)
    shutil.copytree(INTENTS_DIR, intents)
    reloader = learning_bot.app.bot_data["reloader"]
    reloader.knowledge_dir, reloader.intents_dir = knowledge, intents
    return knowledge, intents


async def test_reload_with_a_broken_file_keeps_the_old_content_and_names_file_and_line(learning_bot, content_copy):
    _, intents = content_copy
    (intents / "zz_broken.yaml").write_text("intents:\n  - id: dla\n    examples: [\"le dla\"\n", encoding="utf-8")
    before = learning_bot.app.bot_data["conversations"].engine
    report = text_of(await learning_bot.chat(ADMIN).send("/recharger"))
    assert "NON rechargé" in report and "zz_broken.yaml:" in report
    line = report.split("zz_broken.yaml:")[1].split(":")[0]
    assert line.isdigit()
    assert learning_bot.app.bot_data["conversations"].engine is before
    assert "DLA" in text_of(await learning_bot.chat(1006).send("c'est quoi le DLA"))


def keep_first_examples(intents: Path, keep: int = 4) -> None:
    """Each intent of the copy with its first examples only: the reload then retrains in seconds
    rather than the minutes the whole content takes (what is tested is the reload, not the model)."""
    for path in intents.glob("*.yaml"):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        if "intents" in data:
            for intent in data["intents"]:
                intent["examples"] = intent["examples"][:keep]
            path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")


async def test_reload_takes_a_new_example_while_messages_flow_and_loses_none(learning_bot, content_copy):
    _, intents = content_copy
    keep_first_examples(intents)
    service = learning_bot.app.bot_data["conversations"]
    before = service.engine
    waiting = learning_bot.chat(1100)
    await waiting.send("/cress")  # a conversation under way: it must survive the reload
    (intents / "learned").mkdir()
    (intents / "learned" / "dla.yaml").write_text(
        "intent: dla\nexamples:\n  - \"qui aide les assos employeuses a se consolider\"\n", encoding="utf-8")
    reload = asyncio.create_task(learning_bot.chat(ADMIN).send("/recharger"))
    sent = 0
    while not reload.done():
        chats = [learning_bot.chat(2000 + sent + i) for i in range(8)]
        replies = await asyncio.gather(*(c.send("c'est quoi le DLA") for c in chats))
        assert all("DLA" in text_of(r) for r in replies)
        sent += len(chats)
    assert "Contenu rechargé" in text_of(await reload)
    assert sent >= 8 and service.engine is not before
    assert "CRESS" in text_of(await waiting.send("29200"))
    assert any("consolider" in e for i in service.engine.content.intents if i.id == "dla" for e in i.examples)


async def test_sighup_reloads_the_content_without_stopping_the_bot(engine, data_dir, caplog):
    app = build_application(make_settings(data_dir), replace(engine), request=OfflineBotApi())
    stop = asyncio.Event()
    before = app.bot_data["conversations"].engine

    async def hang_up() -> None:
        while not app.running:
            await asyncio.sleep(0.05)
        os.kill(os.getpid(), signal.SIGHUP)
        while not any(r.getMessage() == "content_reloaded" for r in caplog.records):
            await asyncio.sleep(0.05)
        stop.set()

    with caplog.at_level(logging.INFO):
        task = asyncio.create_task(hang_up())
        code = await asyncio.wait_for(serve_async(app, make_settings(data_dir), ALLOWED_UPDATES, stop), 30)
        await task
    assert code == 0
    assert app.bot_data["conversations"].engine is not before


async def test_a_long_stream_is_read_whole_and_in_order(store, clock, monkeypatch):
    monkeypatch.setattr("bot.stores.redis_store.RECORDS_PAGE", 3)  # Redis reads by pages
    for n in range(8):
        clock.now += 1
        await store.append(QUESTIONS, {"n": n}, ttl=DAY)
    assert [r["n"] for r in await store.records(QUESTIONS)] == list(range(8))
