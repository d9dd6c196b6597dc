"""The conversation service: what a user notices when the state store misbehaves, and the
guarantees it gives (order within a conversation, no lost write across instances)."""

from __future__ import annotations

import asyncio
import json
import logging
import socket

import pytest

from bot.conversation import ConversationService
from bot.replies import Event
from bot.stores import FileStore, MemoryStore
from tests.integration.stores import SlowStore, fill, make_store, tmpfs

APOLOGY = "Désolé, je n'ai pas pu relire"
NOW = 1_800_000_000.0
KEY = "chat:test:1"


def text(kind: str, value: str = "", now: float = NOW) -> Event:
    if kind == "command":
        name, _, argument = value.partition(" ")
        return Event("command", command=name, text=argument, now=now)
    if kind == "button":
        return Event("button", payload=value, now=now)
    return Event("text", text=value, now=now)


@pytest.fixture(params=["file", "redis"])
def kind(request) -> str:
    return request.param


@pytest.fixture
def redis_if(kind, request):
    return request.getfixturevalue("redis_url") if kind == "redis" else None


# -- damaged state ---------------------------------------------------------------------------------

DAMAGED = {
    "not our format": '{"state": "garbage"}',
    "a flow that is a string": '{"v": "1", "exp": null, "data": {"version": 1, "flow": "garbage"}}',
    "an unknown slot value": '{"v": "1", "exp": null, "data": '
    '{"version": 1, "flow": {"slots": {"who": "martien"}, "history": ["who"]}}}',
    "an unknown version": '{"v": "1", "exp": null, "data": {"version": 99}}',
    "not JSON": "{not json",
    "a list": "[1, 2, 3]",
}


@pytest.mark.parametrize("content", DAMAGED.values(), ids=DAMAGED.keys())
async def test_a_damaged_chat_file_gets_an_apology_then_the_normal_answer(engine, tmp_path, content):
    store = FileStore(tmp_path)
    service = ConversationService(engine, store)
    path = store.path(KEY)
    path.parent.mkdir(parents=True)
    path.write_text(content)
    reply = await service.handle(KEY, text("text", "c'est quoi le DLA ?"))
    assert reply.blocks[0].text.startswith(APOLOGY)
    assert reply.intent == "dla" and "accompagnement" in reply.plain_text()
    again = await service.handle(KEY, text("text", "c'est quoi le DLA ?"))
    assert not again.plain_text().startswith(APOLOGY), "the damaged value was replaced"


@pytest.mark.parametrize("content", DAMAGED.values(), ids=DAMAGED.keys())
async def test_oublier_erases_a_damaged_chat_file(engine, tmp_path, content):
    store = FileStore(tmp_path)
    path = store.path(KEY)
    path.parent.mkdir(parents=True)
    path.write_text(content)
    reply = await ConversationService(engine, store).handle(KEY, text("command", "oublier"))
    assert "oublié" in reply.plain_text() and APOLOGY not in reply.plain_text()
    assert not path.exists()


async def test_a_damaged_redis_value_gets_an_apology_then_the_answer(engine, redis_url):
    store = make_store("redis", None, redis_url)
    await store.client.hset(store._state(KEY), mapping={"v": "x", "d": '{"state": "garbage"}'})
    reply = await ConversationService(engine, store).handle(KEY, text("text", "cress 29200"))
    assert reply.blocks[0].text.startswith(APOLOGY) and "CRESS Bretagne" in reply.plain_text()
    await store.close()


async def test_a_value_damaged_after_the_service_wrote_it_still_gets_the_apology(engine):
    # The service remembers the state of what it stored last; a value written over it by
    # someone else (another replica, a hand edit) is read and validated, not trusted.
    store = MemoryStore()
    service = ConversationService(engine, store)
    await service.handle(KEY, text("text", "cress 29200"))
    stored = await store.get(KEY)
    assert stored.data is not None and await store.put(KEY, {"state": "garbage"}, stored.version)
    reply = await service.handle(KEY, text("text", "c'est quoi le DLA ?", now=NOW + 1))
    assert reply.blocks[0].text.startswith(APOLOGY) and reply.intent == "dla"


# -- a store that cannot be written ------------------------------------------------------------------


def _errors(caplog) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.levelno >= logging.ERROR and r.name == "bot.conversation"]


async def test_a_data_dir_that_is_a_file_still_answers_and_logs_without_the_message(engine, tmp_path, caplog):
    (tmp_path / "data").write_text("a file where the directory should be")
    service = ConversationService(engine, FileStore(tmp_path / "data"))
    with caplog.at_level(logging.INFO):
        reply = await service.handle(KEY, text("text", "je suis à Kerlouan, ma CRESS ?"))
    assert "CRESS Bretagne" in reply.plain_text()
    errors = _errors(caplog)
    assert [r.getMessage() for r in errors] == ["state_save_failed"]
    assert "Kerlouan" not in json.dumps([r.__dict__.get("fields") for r in caplog.records])


async def test_a_full_filesystem_still_answers_and_the_state_does_not_move_on(engine, tmp_path, caplog):
    with tmpfs(tmp_path / "mnt") as mnt:
        await ConversationService(engine, FileStore(mnt / "data")).handle(KEY, text("command", "orienter"))
        fill(mnt)
        # A restarted process: its first write of the conversation rewrites the file, which needs
        # a new block (a small append to a file this process wrote fits in the file's last block).
        service = ConversationService(engine, FileStore(mnt / "data"))
        with caplog.at_level(logging.INFO):
            reply = await service.handle(KEY, text("button", "o:set:who:association"))
        assert "Où en est votre projet" in reply.plain_text(), "the user gets the answer"
        assert [r.getMessage() for r in _errors(caplog)] == ["state_save_failed"]
        (mnt / "filler").unlink()
        # What was not saved is asked again, rather than a state the disk never held.
        reply = await service.handle(KEY, text("text", "création"))
        assert "Vous êtes" in reply.plain_text()


async def test_redis_down_still_answers(engine, caplog):
    from bot.stores.redis_store import RedisStore

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    service = ConversationService(engine, RedisStore(f"redis://127.0.0.1:{port}/0"))
    with caplog.at_level(logging.INFO):
        reply = await service.handle(KEY, text("text", "c'est quoi le DLA ?"))
    assert reply.intent == "dla"
    assert [r.getMessage() for r in _errors(caplog)] == ["state_read_failed"]
    await service.close()


# -- order and several instances -------------------------------------------------------------------

FLOW = [
    ("command", "orienter", "Vous êtes"),
    ("button", "o:set:who:association", "Où en est votre projet"),
    ("button", "o:set:stage:creation", "De quoi avez-vous besoin"),
    ("button", "o:set:need:financement", "Où êtes-vous"),
    ("text", "Brest", "Votre profil"),
]


async def test_concurrent_messages_of_one_conversation_are_answered_in_order(engine, kind, tmp_path, redis_if):
    store = make_store(kind, tmp_path, redis_if)
    service = ConversationService(engine, SlowStore(store))
    # All arrive at once; a slow store would let each read the empty state without the ordering.
    tasks = [asyncio.create_task(service.handle(KEY, text(k, v))) for k, v, _ in FLOW]
    replies = await asyncio.gather(*tasks)
    for reply, (_, _, expected) in zip(replies, FLOW, strict=True):
        assert expected in reply.plain_text()
    await store.close()


async def test_a_flow_started_on_one_instance_is_finished_on_another(engine, kind, tmp_path, redis_if):
    first = ConversationService(engine, make_store(kind, tmp_path, redis_if))
    second = ConversationService(engine, make_store(kind, tmp_path, redis_if))
    for service, (k, v, expected) in zip([first, first, second, second, second], FLOW, strict=True):
        assert expected in (await service.handle(KEY, text(k, v))).plain_text()
    await first.close()
    await second.close()


async def test_two_replicas_answering_one_chat_at_once_lose_no_write(engine, redis_url):
    # Both read the same state; the second compare-and-set fails and its message is run again.
    first = ConversationService(engine, SlowStore(make_store("redis", None, redis_url)))
    second = ConversationService(engine, SlowStore(first.store.inner))
    await asyncio.gather(
        first.handle(KEY, text("text", "cress 29200")), second.handle(KEY, text("command", "orienter"))
    )
    stored = await first.store.get(KEY)
    assert stored.data["place"]["code"] == "29019", "the place given on one replica is kept"
    assert stored.data["flow"] is not None, "the orientation started on the other is kept"
    await first.close()


async def test_a_state_that_did_not_change_is_not_rewritten(engine, kind, tmp_path, redis_if):
    store = make_store(kind, tmp_path, redis_if)
    service = ConversationService(engine, store)
    await service.handle(KEY, text("text", "cress 29200"))
    version = (await store.get(KEY)).version
    await service.handle(KEY, text("command", "aide", now=NOW + 5))
    assert (await store.get(KEY)).version == version
    await service.handle(KEY, text("command", "aide", now=NOW + 3600))
    assert (await store.get(KEY)).version != version, "activity is recorded, at a coarser grain"
    await store.close()


async def test_a_first_message_that_leaves_nothing_to_remember_stores_nothing(engine):
    store = MemoryStore()
    await ConversationService(engine, store).handle(KEY, text("command", "start"))
    assert (await store.get(KEY)).data is None


async def test_an_abandoned_flow_expires_sooner_than_a_remembered_place(engine, kind, tmp_path, redis_if):
    store = make_store(kind, tmp_path, redis_if)
    service = ConversationService(engine, store, ttl=30, flow_ttl=0.3)
    await service.handle("chat:a", text("text", "cress 29200"))
    await service.handle(KEY, text("command", "orienter"))
    await asyncio.sleep(0.5)
    assert (await store.get(KEY)).data is None, "the abandoned orientation is gone from storage"
    reply = await service.handle(KEY, text("text", "association"))
    assert "Où en est votre projet" not in reply.plain_text()
    assert (await store.get("chat:a")).data["place"]["code"] == "29019"
    await store.close()


# -- what is kept of what people write ------------------------------------------------------------


async def test_a_question_leaves_in_storage_what_was_understood_not_what_was_written(engine, tmp_path):
    store = FileStore(tmp_path)
    service = ConversationService(engine, store)
    await service.handle(KEY, text("text", "notre asso Les Jardins de Lucie cherche le DLA à Brest"))
    stored = store.path(KEY).read_text(encoding="utf-8")
    assert "Brest" in stored, "the place understood is remembered for the next question"
    assert "Lucie" not in stored and "Jardins" not in stored and "cherche" not in stored


async def test_the_answers_of_an_orientation_leave_the_file_when_it_is_cancelled(engine, tmp_path):
    store = FileStore(tmp_path)
    service = ConversationService(engine, store)
    await service.handle(KEY, text("command", "orienter"))
    await service.handle(KEY, text("button", "o:set:who:association"))
    assert "association" in store.path(KEY).read_text(encoding="utf-8")
    await service.handle(KEY, text("command", "annuler"))
    assert "association" not in store.path(KEY).read_text(encoding="utf-8")
