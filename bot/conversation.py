"""The conversation service: the one place that loads a conversation, calls the engine, saves it.

Every door (terminal, JSON lines, Telegram, any later one) calls
`await service.handle(key, event, deliver) -> Reply` and renders the reply; no door keeps state.

- Deliver, then save: a door that can fail to deliver (Telegram) passes `deliver`, awaited with
  the reply inside the conversation's lock and before the new state is written. When it raises,
  nothing is saved and the exception goes back to the door: the user did not see the reply, so
  their next message is answered from the state they last saw (a question asked again rather
  than a flow moved on past a question never shown). Doors that print (terminal, JSON) pass
  nothing and get the reply back once it is saved.

- Load: the stored value is validated (`ConversationState.from_stored`); what does not
  validate is reset and the reply starts with an apology.
- Save: compare-and-set on the version read. On a conflict (another replica answered a message
  of the same conversation meanwhile) the state is read again and the pure engine runs again on
  it, so no write is lost; after `MAX_ATTEMPTS` the reply goes out unsaved and it is logged.
  The reply already delivered is not sent again: the user has their answer to this message,
  and the state saved is this message applied to the latest one.
- Order: one asyncio lock per key orders the messages of a conversation within a process.
  Across replicas, compare-and-set is the guard (no distributed lock): each message is applied
  to the latest state, and the only thing two replicas can still race on is which reply is
  *sent* first when one chat sends twice within a few milliseconds.
- Writes only what changed: a state whose only change is its activity time is rewritten at
  most every `ACTIVITY_GRANULARITY` seconds; an empty state is not stored at all.
- Expiry: states are written with a `ttl` (`STATE_TTL_SECONDS`), so what is abandoned
  disappears; a state with something under way (an orientation, a question awaiting its
  place) gets the much shorter `flow_ttl`: the engine would drop that work after 30 minutes of
  silence anyway, and what the user typed during it must not linger in storage.
- A storage error never blocks a reply: it is logged (no message text) and the answer goes out.
- `/oublier` deletes the key without reading it: a damaged state can always be erased. The key
  is deleted even when the confirmation cannot be delivered: forgetting must not depend on it.
"""

from __future__ import annotations

import asyncio
import logging
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from bot.replies import Block, Event, Reply
from bot.state import SESSION_TIMEOUT_SECONDS, ConversationState
from bot.stores.base import StateStore

if TYPE_CHECKING:
    from bot.engine import Engine
    from bot.learn.log import LearnLog

logger = logging.getLogger(__name__)
STATE_TTL_SECONDS = 30 * 24 * 3600
FLOW_TTL_SECONDS = SESSION_TIMEOUT_SECONDS + 5 * 60
ACTIVITY_GRANULARITY = 60.0
MAX_ATTEMPTS = 5
FORGET_COMMANDS = {"oublier"}
# Conversations whose last stored value this process remembers with its state (see `_state_of`).
KNOWN_STATES = 10_000
Deliver = Callable[[Reply], Awaitable[None]]


async def _nothing_to_deliver(reply: Reply) -> None:
    return None


class ConversationService:
    def __init__(
        self,
        engine: Engine,
        store: StateStore,
        ttl: float | None = STATE_TTL_SECONDS,
        flow_ttl: float | None = FLOW_TTL_SECONDS,
        learn: LearnLog | None = None,
    ) -> None:
        self.engine = engine
        self.learn = learn  # the opt-in learning log (bot.learn), fed after each event
        self.store = store
        self.ttl = ttl
        self.flow_ttl = flow_ttl
        self._locks: dict[str, tuple[asyncio.Lock, int]] = {}
        # key -> (the value this process last stored, the state it was made from).
        self._known: OrderedDict[str, tuple[dict[str, Any], ConversationState]] = OrderedDict()

    async def check(self) -> None:
        """Raise `StoreUnavailable` when the store cannot be used (called at start)."""
        await self.store.check()

    async def close(self) -> None:
        await self.store.close()

    async def handle(self, key: str, event: Event, deliver: Deliver | None = None) -> Reply:
        """Answer `event` in conversation `key`. With `deliver`, the reply is delivered before
        the new state is saved, and an exception of `deliver` leaves the state as it was."""
        async with self._lock(key):
            if event.kind == "command" and event.command.lower().lstrip("/") in FORGET_COMMANDS:
                return await self._forget(key, event, deliver or _nothing_to_deliver)
            reply = await self._handle(key, event, deliver or _nothing_to_deliver)
        if self.learn is not None and self.learn.enabled:
            await self.learn.record(event, reply)  # no key passed: the log never knows who wrote
        return reply

    def replace_engine(self, engine: Engine) -> None:
        """Swap the content (a reload): each message runs on the old engine or the new one, whole."""
        self.engine = engine

    # -- internals -----------------------------------------------------------------------------

    async def _handle(self, key: str, event: Event, deliver: Deliver) -> Reply:
        delivered: Reply | None = None
        for attempt in range(MAX_ATTEMPTS):
            try:
                stored = await self.store.get(key)
            except Exception as exc:  # a storage error of any kind must not cost the user the answer
                _log_store_error("state_read_failed", key, exc)
                reply, _ = self.engine.respond(ConversationState(), event)
                await deliver(reply)
                return reply  # nothing is written over a state that could not be read
            state, was_reset = self._state_of(key, stored.data)
            if was_reset:
                _log(logging.WARNING, "state_reset", key=key)
            reply, new_state = self.engine.respond(state, event)
            if was_reset:
                reply = replace(reply, blocks=(Block(self.engine.messages("state_reset")), *reply.blocks))
            if reply.forget:  # erased whether or not the confirmation gets through
                await self._delete(key)
            if delivered is None:
                await deliver(reply)  # raises when it did not reach the user: nothing saved
                delivered = reply
            if reply.forget:
                return delivered
            if not self._worth_writing(state, new_state, stored.data is not None, was_reset):
                return delivered
            try:
                ttl = self.flow_ttl if new_state.has_work_under_way() else self.ttl
                data = new_state.to_dict()
                if await self.store.put(key, data, stored.version, ttl):
                    self._remember(key, data, new_state)
                    return delivered
            except Exception as exc:  # a storage error of any kind must not cost the user the answer
                _log_store_error("state_save_failed", key, exc)
                return delivered
            _log(logging.INFO, "state_conflict", key=key, attempt=attempt + 1)
        _log(logging.ERROR, "state_save_gave_up", key=key, attempts=MAX_ATTEMPTS)
        assert delivered is not None
        return delivered

    def _state_of(self, key: str, data: dict[str, Any] | None) -> tuple[ConversationState, bool]:
        """`ConversationState.from_stored(data)`, without validating again a value this process
        stored itself and the store hands back as is (the file store's recent conversations):
        a state's `to_dict()` reads back as that state."""
        known = self._known.get(key)
        if known is not None and known[0] is data:
            self._known.move_to_end(key)
            return known[1], False
        return ConversationState.from_stored(data)

    def _remember(self, key: str, data: dict[str, Any], state: ConversationState) -> None:
        self._known[key] = (data, state)
        self._known.move_to_end(key)
        if len(self._known) > KNOWN_STATES:
            self._known.popitem(last=False)

    @staticmethod
    def _worth_writing(old: ConversationState, new: ConversationState, exists: bool, was_reset: bool) -> bool:
        if was_reset:
            return True  # overwrite the damaged value
        if not exists:
            return not new.is_empty()
        if old.with_(last_activity=new.last_activity) != new:
            return True
        return new.last_activity - old.last_activity >= ACTIVITY_GRANULARITY

    async def _forget(self, key: str, event: Event, deliver: Deliver) -> Reply:
        reply, _ = self.engine.respond(ConversationState(), event)
        await self._delete(key)
        await deliver(reply)
        return reply

    async def _delete(self, key: str) -> None:
        self._known.pop(key, None)
        try:
            await self.store.delete(key)
        except Exception as exc:  # a storage error must not cost the user the answer
            _log_store_error("state_delete_failed", key, exc)
            return
        _log(logging.INFO, "conversation_forgotten", key=key)

    def _lock(self, key: str) -> _KeyLock:
        return _KeyLock(self._locks, key)


class _KeyLock:
    """An asyncio lock per key, dropped when nobody holds or waits for it (FIFO wake-up)."""

    def __init__(self, locks: dict[str, tuple[asyncio.Lock, int]], key: str) -> None:
        self.locks = locks
        self.key = key

    async def __aenter__(self) -> None:
        lock, users = self.locks.get(self.key, (None, 0))
        if lock is None:
            lock = asyncio.Lock()
        self.locks[self.key] = (lock, users + 1)
        try:
            await lock.acquire()
        except BaseException:
            self._release_user()
            raise

    async def __aexit__(self, *exc: object) -> None:
        self.locks[self.key][0].release()
        self._release_user()

    def _release_user(self) -> None:
        lock, users = self.locks[self.key]
        if users <= 1:
            del self.locks[self.key]
        else:
            self.locks[self.key] = (lock, users - 1)


def _log(level: int, event: str, **fields: object) -> None:
    if logger.isEnabledFor(level):
        logger.log(level, event, extra={"fields": fields})


def _log_store_error(event: str, key: str, exc: BaseException) -> None:
    _log(logging.ERROR, event, key=key, error=type(exc).__name__, detail=str(exc)[:200])
