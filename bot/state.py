"""Conversation state: small and immutable inside the engine, a typed and versioned record
(pydantic) on its way to and from a store.

`ConversationState` is what the engine works with (a frozen dataclass: cheap to copy on every
step). `StateRecord` is what is stored; `ConversationState.from_stored()` accepts only what
validates, so a damaged or foreign value becomes a fresh state the caller apologises for,
never an error on every later message.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError

from bot.orientation.flow import Flow

# After this much silence, what was under way (a question awaiting an answer, the guided
# orientation) is dropped and the next message starts fresh.
SESSION_TIMEOUT_SECONDS = 30 * 60
# The format of `StateRecord`; a stored state of another version is reset.
STATE_VERSION = 1
PENDING_VALUES = {"place", "missing"}


@dataclass(frozen=True)
class PlaceRef:
    """A place the user gave, remembered for later questions ("et en Bretagne ?")."""

    kind: str
    code: str
    label: str
    region_code: str | None


@dataclass(frozen=True)
class ConversationState:
    place: PlaceRef | None = None
    last_intent: str | None = None
    # What the last reply asked for: "place" (the CRESS look-up needs a place), "missing" (what a
    # 👎 answer lacked, about `last_intent`), or None.
    pending: str | None = None
    # The guided orientation's slots and step, or None when no orientation is under way.
    flow: dict[str, Any] | None = None
    # Places offered as buttons when a name was ambiguous: payloads are checked against it.
    choices: tuple[str, ...] = field(default=())
    last_activity: float = 0.0
    # The place code whose CRESS was last shown beside an answer: shown once, not under every answer.
    cress_shown_for: str | None = None

    def with_(self, **changes: Any) -> ConversationState:
        """`dataclasses.replace(self, **changes)`, a few times faster (several per message): the
        fields are copied as they are, there is no `__post_init__` to run."""
        if not changes.keys() <= _STATE_FIELDS:
            return replace(self, **changes)  # raises the usual TypeError
        new = object.__new__(ConversationState)
        values = new.__dict__
        values.update(self.__dict__)
        values.update(changes)
        return new

    def expired(self, now: float) -> bool:
        return bool(self.last_activity) and now - self.last_activity > SESSION_TIMEOUT_SECONDS

    def has_work_under_way(self) -> bool:
        # An orientation whose results were shown stays for "voir plus" and "retour", but is over.
        return self.pending is not None or (self.flow is not None and not self.flow.get("done"))

    def is_empty(self) -> bool:
        """Nothing worth keeping: no place, nothing under way, no last question."""
        return self.place is None and self.last_intent is None and not self.has_work_under_way() and not self.choices

    def to_dict(self) -> dict[str, Any]:
        """The stored form: `StateRecord.from_state(self).model_dump(mode="json", exclude_unset=True)`,
        built directly (the same dict, a few times faster); the flow still goes through `Flow`,
        which checks it."""
        place = self.place
        return {
            "version": STATE_VERSION,
            "place": {"kind": place.kind, "code": place.code, "label": place.label,
                      "region_code": place.region_code} if place else None,
            "pending": self.pending,
            "choices": list(self.choices),
            "last_intent": self.last_intent,
            "last_activity": float(self.last_activity),
            "cress_shown_for": self.cress_shown_for,
            "flow": Flow.model_validate(self.flow).model_dump(mode="json", exclude_unset=True)
            if self.flow is not None else None,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any] | None) -> ConversationState:
        """Rebuild a state; anything that does not validate gives a fresh state."""
        return cls.from_stored(data)[0]

    @classmethod
    def from_stored(cls, data: Mapping[str, Any] | None) -> tuple[ConversationState, bool]:
        """(state, was_reset): `was_reset` is True when something was stored but did not
        validate (wrong shape, unknown version, a slot value the content does not know)."""
        if not data:
            return cls(), False
        try:
            record = StateRecord.model_validate(data)
        except ValidationError:
            return cls(), True
        return record.to_state(), False


_STATE_FIELDS = frozenset(f.name for f in fields(ConversationState))


# -- the stored form ---------------------------------------------------------------------------


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)


class PlaceRecord(_Strict):
    kind: str
    code: str
    label: str
    region_code: str | None = None


class StateRecord(_Strict):
    version: int = STATE_VERSION
    place: PlaceRecord | None = None
    pending: str | None = None
    choices: list[str] = []
    last_intent: str | None = None
    last_activity: float = 0.0
    cress_shown_for: str | None = None
    flow: Flow | None = None

    def model_post_init(self, __context: Any) -> None:
        if self.version != STATE_VERSION:
            raise ValueError(f"state version {self.version} is not {STATE_VERSION}")
        if self.pending is not None and self.pending not in PENDING_VALUES:
            raise ValueError(f"unknown pending value {self.pending!r}")

    @classmethod
    def from_state(cls, state: ConversationState) -> StateRecord:
        place = state.place
        return cls.model_construct(
            version=STATE_VERSION,
            place=PlaceRecord.model_construct(**place.__dict__) if place else None,
            pending=state.pending,
            choices=list(state.choices),
            last_intent=state.last_intent,
            last_activity=state.last_activity,
            cress_shown_for=state.cress_shown_for,
            flow=Flow.model_validate(state.flow) if state.flow is not None else None,
            _fields_set=set(cls.model_fields),
        )

    def to_state(self) -> ConversationState:
        return ConversationState(
            place=PlaceRef(**self.place.model_dump()) if self.place else None,
            last_intent=self.last_intent,
            pending=self.pending,
            flow=self.flow.dump() if self.flow is not None else None,
            choices=tuple(self.choices),
            last_activity=self.last_activity,
            cress_shown_for=self.cress_shown_for,
        )
