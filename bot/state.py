"""Conversation state: small, immutable, and serialisable to JSON for persistence."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, replace
from typing import Any

# After this much silence, what was under way (a question awaiting an answer, the guided
# orientation) is dropped and the next message starts fresh.
SESSION_TIMEOUT_SECONDS = 30 * 60


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
    # What the last reply asked for: "place" (the CRESS look-up needs a place), or None.
    pending: str | None = None
    # The guided orientation's slots and step, or None when no orientation is under way.
    flow: dict[str, Any] | None = None
    # Places offered as buttons when a name was ambiguous: payloads are checked against it.
    choices: tuple[str, ...] = field(default=())
    last_activity: float = 0.0

    def with_(self, **changes: Any) -> ConversationState:
        return replace(self, **changes)

    def expired(self, now: float) -> bool:
        return bool(self.last_activity) and now - self.last_activity > SESSION_TIMEOUT_SECONDS

    def has_work_under_way(self) -> bool:
        # An orientation whose results were shown stays for "voir plus" and "retour", but is over.
        return self.pending is not None or (self.flow is not None and not self.flow.get("done"))

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["choices"] = list(self.choices)
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any] | None) -> ConversationState:
        """Rebuild a state; anything unreadable (an older format) gives a fresh state."""
        if not data:
            return cls()
        try:
            place = data.get("place")
            return cls(
                place=PlaceRef(**place) if place else None,
                last_intent=data.get("last_intent"),
                pending=data.get("pending"),
                flow=data.get("flow"),
                choices=tuple(data.get("choices") or ()),
                last_activity=float(data.get("last_activity") or 0.0),
            )
        except (TypeError, ValueError):
            return cls()
