"""The orientation's state: a typed model stored as plain JSON inside `ConversationState.flow`.

Only what the user's answers mean is kept (slot values, a place code, entry ids with the
relevance computed when the message was read), never the text the user typed.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError

from bot.content.models import Employees, Need, ProjectStatus, Stage, Structure

Step = Literal["who", "stage", "need", "employees", "project", "place"]
SLOT_STEPS: tuple[Step, ...] = ("who", "stage", "need", "employees", "project")
STEPS: tuple[Step, ...] = (*SLOT_STEPS, "place")
NO_PLACE = "none"
MAX_RELEVANT = 10
MAX_PLACE_CHOICES = 10

PlaceCode = Annotated[str, StringConstraints(pattern=r"^(none|[a-z]+:[A-Za-z0-9-]{1,12})$")]
EntryId = Annotated[str, StringConstraints(pattern=r"^[a-z0-9_]{1,60}$")]


class Flow(BaseModel):
    """Where the orientation stands: answers so far, the step asked, the results shown.

    JSON shape: {"who": "association", "stage": "difficulte", "need": "financement",
    "employees": "quelques", "place": "department:29", "history": ["who", "stage", ...],
    "asked": "place", "place_choices": ["commune:29019", ...], "relevance": {"dla": 0.8},
    "done": false}; absent keys take their defaults.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    who: Structure | None = None
    stage: Stage | None = None
    need: Need | None = None
    employees: Employees | None = None
    project: ProjectStatus | None = None
    # "kind:code" of the place given during the flow, or NO_PLACE when the user skipped it.
    place: PlaceCode | None = None
    # Steps in the order they were answered, for "retour".
    history: list[Step] = Field(default_factory=list, max_length=12)
    asked: Step | None = None
    # Places offered as buttons when a name was ambiguous; kept until one is chosen.
    place_choices: list[PlaceCode] = Field(default_factory=list, max_length=MAX_PLACE_CHOICES)
    # Entry id -> how well the user's own words matched it (0-1), computed when they were read.
    relevance: dict[EntryId, Annotated[float, Field(ge=0.0, le=1.0)]] = Field(
        default_factory=dict, max_length=MAX_RELEVANT
    )
    # The results were shown: the flow stays for "voir plus", the summary and "retour".
    done: bool = False

    @classmethod
    def load(cls, data: Any) -> Flow:
        """The flow stored in a state; anything that does not validate gives a fresh flow."""
        if not isinstance(data, dict):
            return cls()
        try:
            return cls.model_validate(data)
        except ValidationError:
            return cls()

    def dump(self) -> dict[str, Any]:
        return self.model_dump(mode="json", exclude_defaults=True)

    def with_(self, **changes: Any) -> Flow:
        return self.model_copy(update=changes)

    def value(self, step: str) -> str | None:
        if step not in STEPS:
            raise ValueError(f"unknown step {step!r}")
        return getattr(self, step)

    def set(self, step: str, value: str | None) -> Flow:
        """Record (or clear, with None) one answer; the step moves to the end of the history.
        Values come from the vocabulary (slots.yaml), whose keys are the models' literals."""
        if step not in STEPS:
            raise ValueError(f"unknown step {step!r}")
        history: list[Step] = [s for s in self.history if s != step]
        if value is not None:
            history.append(step)  # type: ignore[arg-type]  # checked against STEPS above
        return self.with_(**{step: value}, history=history)

    def add_relevance(self, found: dict[str, float]) -> Flow:
        merged = dict(self.relevance)
        for entry_id, score in found.items():
            merged[entry_id] = max(merged.get(entry_id, 0.0), round(min(max(score, 0.0), 1.0), 3))
        best = sorted(merged.items(), key=lambda item: -item[1])[:MAX_RELEVANT]
        return self.with_(relevance=dict(best))
