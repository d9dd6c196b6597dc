"""Two `python -m bot run` processes sharing one Redis, both polling the local Bot API emulator
(which hands each update to exactly one poller): 200 people each go through the guided flow,
5 messages, like people do (the next message once the previous answer arrived).

Every reply must arrive once and in order, whichever process took each message; flows started
on one process are finished on the other through the shared store."""

from __future__ import annotations

import time
from collections import Counter, defaultdict
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import pytest

from bot.engine import Engine
from bot.replies import Event
from bot.state import ConversationState
from bot.telegram.render import render_reply
from tests.e2e.conftest import TOKEN, BotProcess

pytestmark = pytest.mark.e2e
CHATS = 200
FIRST_CHAT = 700_000
FLOW = ["/orienter", "association", "création", "financement", "29200"]
ROUND_TIMEOUT = 60.0  # a safety net for a crowded machine: a quiet one needs a few seconds per round


def expected_texts(engine: Engine) -> list[list[str]]:
    """The messages one person must receive for each of FLOW's messages, rendered as sent."""
    state = ConversationState()
    expected = []
    for text in FLOW:
        event = (Event("command", command=text[1:], now=time.time()) if text.startswith("/")
                 else Event("text", text=text, now=time.time()))
        reply, state = engine.respond(state, event)
        expected.append([message.html for message in render_reply(reply, engine.messages)])
    return expected


class Crowd:
    """Many people writing at once through the emulator's client API."""

    def __init__(self, emulator: str, chat_ids: list[int]) -> None:
        self.client = httpx.Client(base_url=emulator, timeout=10, limits=httpx.Limits(max_connections=16))
        self.chat_ids = chat_ids
        self.senders = ThreadPoolExecutor(16)
        self.seen = 0
        self.sent_to: dict[int, list[str]] = {chat_id: [] for chat_id in chat_ids}

    def everyone_says(self, text: str) -> None:
        """Each chat sends `text` at about the same moment (one message per chat: order holds)."""
        list(self.senders.map(lambda chat_id: self.say(chat_id, text), self.chat_ids))

    def say(self, chat_id: int, text: str) -> None:
        user = {"id": chat_id, "is_bot": False, "first_name": "Camille"}
        body: dict[str, Any] = {"botToken": TOKEN, "from": user, "chat": {"id": chat_id, "type": "private"},
                                "date": int(time.time()), "text": text}
        if text.startswith("/"):
            body["entities"] = [{"type": "bot_command", "offset": 0, "length": len(text)}]
        self.client.post("/sendCommand" if text.startswith("/") else "/sendMessage", json=body).raise_for_status()

    def received(self) -> dict[int, list[str]]:
        """Every bot message of each chat, in the order the emulator accepted them."""
        new = self.client.get("/_sent", params={"from": self.seen}).json()["result"]
        self.seen += len(new)
        for message in new:
            if int(message["chat_id"]) in self.sent_to:
                self.sent_to[int(message["chat_id"])].append(message["text"])
        return self.sent_to

    def wait_for(self, count_per_chat: int, timeout: float) -> dict[int, list[str]]:
        deadline = time.monotonic() + timeout
        while True:
            received = self.received()
            if all(len(received[c]) >= count_per_chat for c in self.chat_ids) or time.monotonic() > deadline:
                return received
            time.sleep(0.1)


def test_two_processes_sharing_redis_lose_nothing_duplicate_nothing_and_keep_each_chat_in_order(
    emulator: str, redis_url: str, tmp_path: Path, engine: Engine
):
    expected = expected_texts(engine)
    # No throttling: the emulator is not Telegram, and 30 messages/s would make this test slow.
    env = {"REDIS_URL": redis_url, "TELEGRAM_MAX_RATE": "0"}
    bots = {name: BotProcess(emulator, tmp_path / name, env=env) for name in ("a", "b")}
    for bot in bots.values():
        bot.launch()
    for bot in bots.values():
        bot.wait_ready()
    try:
        chats = list(range(FIRST_CHAT, FIRST_CHAT + CHATS))
        crowd = Crowd(emulator, chats)
        started = time.monotonic()
        count = 0
        rounds = []
        for step, text in enumerate(FLOW):
            round_started = time.monotonic()
            crowd.everyone_says(text)
            rounds.append(time.monotonic() - round_started)
            count += len(expected[step])
            received = crowd.wait_for(count, ROUND_TIMEOUT)
            late = [c for c in chats if len(received[c]) < count]
            assert not late, f"step {step + 1} ({text!r}): {len(late)} chats still waiting, e.g. {late[:3]}"
            rounds.append(time.monotonic() - round_started)
        time.sleep(0.5)  # a duplicate would arrive after the count was reached
        received = crowd.received()
        elapsed = time.monotonic() - started
    finally:
        for bot in bots.values():
            bot.stop()

    wanted = [text for step in expected for text in step]
    wrong = {c: received[c] for c in chats if received[c] != wanted}
    assert not wrong, f"{len(wrong)} chats lost, duplicated or reordered a reply; e.g. {next(iter(wrong.items()))}"

    # Both processes took part, and flows crossed from one to the other through Redis.
    handled = Counter(name for name, bot in bots.items() for r in bot.logs if r.get("event") == "update_handled"
                      and FIRST_CHAT <= int(r["chat"]) < FIRST_CHAT + CHATS)
    assert sum(handled.values()) == CHATS * len(FLOW)
    assert min(handled.values()) >= CHATS * len(FLOW) // 10, f"one process did almost everything: {handled}"
    per_chat: dict[int, list[tuple[int, str]]] = defaultdict(list)
    for name, bot in bots.items():
        for record in bot.logs:
            if record.get("event") == "update_handled" and FIRST_CHAT <= int(record["chat"]) < FIRST_CHAT + CHATS:
                per_chat[int(record["chat"])].append((record["update"], name))
    crossed = [c for c, handled_list in per_chat.items() if len({name for _, name in handled_list}) > 1]
    started_here_finished_there = [
        c for c, handled_list in per_chat.items() if sorted(handled_list)[0][1] != sorted(handled_list)[-1][1]
    ]
    assert started_here_finished_there, "no flow started on one process and finished on the other"
    assert len(crossed) >= CHATS // 4, f"only {len(crossed)} chats went through both processes"
    errors = [r for bot in bots.values() for r in bot.logs if r.get("level") in ("error", "critical")]
    assert not errors, "; ".join(str({k: v for k, v in r.items() if k != "ts"}) for r in errors[:3])
    print(f"two replicas: {CHATS * len(FLOW)} messages in {elapsed:.1f} s, handled {dict(handled)}, "
          f"{len(started_here_finished_there)} flows finished on the other process; rounds {rounds}")
