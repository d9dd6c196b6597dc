from __future__ import annotations

import pytest

from bot.engine import Engine
from bot.replies import Event, Reply
from bot.state import ConversationState


@pytest.fixture(scope="session")
def engine() -> Engine:
    return Engine.load()


class Chat:
    """A conversation that reads like one: chat.send("c'est quoi le DLA"), chat.click("France Active")."""

    def __init__(self, engine: Engine, now: float = 1_800_000_000.0) -> None:
        self.engine = engine
        self.state = ConversationState()
        self.reply: Reply | None = None
        self.now = now

    def _do(self, event: Event) -> Reply:
        self.reply, self.state = self.engine.respond(self.state, event)
        return self.reply

    def send(self, text: str) -> Reply:
        return self._do(Event("text", text=text, now=self.now))

    def command(self, command: str, argument: str = "") -> Reply:
        return self._do(Event("command", command=command, text=argument, now=self.now))

    def press(self, payload: str) -> Reply:
        return self._do(Event("button", payload=payload, now=self.now))

    def click(self, label_part: str) -> Reply:
        assert self.reply is not None, "nothing to click on yet"
        matches = [b for b in self.reply.buttons if label_part.lower() in b.label.lower()]
        assert matches, f"no button like {label_part!r} in {[b.label for b in self.reply.buttons]}"
        return self.press(matches[0].payload)

    def wait(self, seconds: float) -> None:
        self.now += seconds

    @property
    def text(self) -> str:
        assert self.reply is not None
        return self.reply.plain_text()

    @property
    def labels(self) -> list[str]:
        assert self.reply is not None
        return [b.label for b in self.reply.buttons]


@pytest.fixture
def chat(engine: Engine) -> Chat:
    return Chat(engine)


@pytest.fixture(scope="session")
def redis_url():
    """The URL of a real redis-server started for this test session (see tests/redis_server.py)."""
    from tests.redis_server import redis_server

    with redis_server() as url:
        yield url
