"""The guided orientation: a few questions (who, stage, need, place), then the schemes that fit.

Which scheme fits whom is read from the knowledge entries' `eligibility`; this module only
asks what is missing, ranks, and explains. The flow's state is a plain dict inside
`ConversationState.flow` so that it persists as JSON.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from bot.answers import entry_button
from bot.content.models import Entry
from bot.nlu.matcher import THRESHOLD
from bot.nlu.places import remove_span
from bot.nlu.slots import SLOT_NAMES
from bot.replies import Block, Button, Reply
from bot.state import ConversationState

if TYPE_CHECKING:
    from bot.engine import Engine

MIN_RESULTS = 2
MAX_RESULTS = 5
MAX_EXCLUSIONS = 2
# Ranking weights: the need matters most, then how specific the scheme is to the profile.
NEED_WEIGHT = 3.0
WHO_WEIGHT = 1.0
STAGE_WEIGHT = 1.0
UNCERTAIN_PENALTY = 1.0
LOCAL_BONUS = 0.5
# What the user wrote during the flow ("pas de prêt bancaire, petit montant") ranks the
# schemes that fit the slots: the intent matcher's confidence, relative to the best one and
# squared so that the clear favourite stands out, times this weight.
TEXT_WEIGHT = 3.0
# Keep at most this much of what the user typed (normalised) for that ranking.
MAX_SAID_CHARS = 600
NO_PLACE = "none"


@dataclass(frozen=True)
class Recommendation:
    entry: Entry
    score: float
    reasons: tuple[str, ...]


@dataclass(frozen=True)
class Profile:
    who: str
    stage: str
    need: str
    has_place: bool
    text_relevance: dict[str, float] = field(default_factory=dict)  # entry id -> matcher confidence


def recommend(entries: dict[str, Entry], profile: Profile) -> tuple[list[Recommendation], list[Entry]]:
    """Ranked schemes for a profile, and the main ones set aside (with an exclusion line)."""
    fitting: list[Recommendation] = []
    fallback: list[Recommendation] = []
    excluded: list[tuple[bool, bool, str, Entry]] = []
    for entry in entries.values():
        rules = entry.eligibility
        if rules is None or entry.kind == "faq" or entry.status.state == "closed":
            continue
        fits_who = not rules.structures or profile.who in rules.structures
        fits_stage = not rules.stages or profile.stage in rules.stages
        fits_need = profile.need in rules.needs
        if not (fits_who and fits_stage):
            if fits_need and rules.exclusion:
                # The nearest misses first: right kind of structure, wrong stage.
                excluded.append((not fits_who, entry.kind != "scheme", entry.id, entry))
            continue
        # A scheme made for few profiles is a better answer than one open to everybody.
        score = WHO_WEIGHT * (1 + 1 / max(len(rules.structures), 1)) if rules.structures else 0.5
        score += STAGE_WEIGHT * (1 / max(len(rules.stages), 1)) if rules.stages else 0.0
        if entry.status.state == "uncertain":
            score -= UNCERTAIN_PENALTY
        if profile.has_place and {"regional", "departemental", "local"} & set(rules.levels):
            score += LOCAL_BONUS
        score += TEXT_WEIGHT * profile.text_relevance.get(entry.id, 0.0)
        reasons = ("who", "stage") + (("need",) if fits_need else ())
        if fits_need:
            score += NEED_WEIGHT + 1 / max(len(rules.needs), 1)
            fitting.append(Recommendation(entry, score, reasons))
        else:
            fallback.append(Recommendation(entry, score, reasons))
    fitting.sort(key=lambda r: (-r.score, r.entry.id))
    fallback.sort(key=lambda r: (-r.score, r.entry.id))
    chosen = fitting[:MAX_RESULTS]
    if len(chosen) < MIN_RESULTS:
        chosen += fallback[: MIN_RESULTS - len(chosen)]
    excluded.sort(key=lambda item: item[:3])
    return chosen, [item[3] for item in excluded[:MAX_EXCLUSIONS]]


class Orientation:
    """The orientation's steps, driven by the engine; holds no state of its own."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.messages = engine.messages
        self.slots = engine.slots

    # -- entry points ---------------------------------------------------------------------

    def start(self, state: ConversationState, normalised: str) -> tuple[Reply, ConversationState]:
        flow: dict[str, Any] = {"slots": {}, "history": [], "place": None, "said": normalised[:MAX_SAID_CHARS]}
        intro = [Block(self.messages("orientation_intro"))]
        if normalised:
            _, state = self._fill(flow, state, normalised, asked=None)
        return self._next(state.with_(flow=flow, pending=None), intro)

    def on_text(self, state: ConversationState, normalised: str) -> tuple[Reply, ConversationState] | None:
        flow = _copy(state.flow)
        asked = flow.get("asked")
        control = self.slots.control(normalised)
        if control is not None:
            return self._control(state, flow, control)
        filled, state = self._fill(flow, state, normalised, asked=asked)
        if filled:
            flow["said"] = f"{flow.get('said', '')} {normalised}".strip()[-MAX_SAID_CHARS:]
            return self._next(state.with_(flow=flow), [])
        # Not an answer: maybe a question asked in the middle of the flow.
        candidates = self.engine.matcher.rank(normalised)
        if candidates and candidates[0].confidence >= THRESHOLD:
            intent = self.engine.intent(candidates[0].intent)
            if intent is not None and intent.knowledge:
                answer, _ = self.engine.answer_intent(state.with_(flow=None), intent, candidates[0].confidence, None)
                question, _ = self._next(state.with_(flow=flow), [Block(self.messages("orientation_resume"))])
                return _merge(answer, question), state.with_(flow=flow, last_intent=intent.id)
            if intent is not None and intent.action == "orientation":
                return self._next(state.with_(flow=flow), [])
        hint = [Block(self.messages(f"orientation_hint_{asked}" if asked else "orientation_hint_who"))]
        return self._next(state.with_(flow=flow), hint)

    def on_button(self, state: ConversationState, value: str) -> tuple[Reply, ConversationState] | None:
        if value == "start":
            return self.start(state.with_(pending=None), "")
        if state.flow is None:
            return None  # a button of an orientation that is over: the engine says it is stale
        flow = _copy(state.flow)
        action, _, rest = value.partition(":")
        if action in ("back", "restart", "cancel", "skip"):
            return self._control(state, flow, action)
        if action == "set":
            slot, _, chosen = rest.partition(":")
            labels = self.slots.labels.get(slot, {})
            if chosen in labels:
                self._set(flow, slot, chosen)
                return self._next(state.with_(flow=flow), [])
        if action == "place":
            kind, _, code = rest.partition(":")
            place = self.engine.territory.place(kind, code)
            if place is not None:
                state = self.engine.remember_place(state, (place,))
                self._set(flow, "place", f"{place.kind}:{place.code}")
                return self._next(state.with_(flow=flow, choices=()), [])
        return None

    # -- steps ----------------------------------------------------------------------------

    def _fill(
        self, flow: dict[str, Any], state: ConversationState, normalised: str, asked: str | None
    ) -> tuple[bool, ConversationState]:
        """Fill every slot the message gives, and remember a place it names.
        Returns whether anything new was understood, and the state with the place."""
        filled = False
        place = self.engine.find_place(normalised, expect_place=asked == "place")
        rest = normalised
        if place is not None:
            rest = remove_span(normalised, place.matched_text)
            if len(place.candidates) == 1:
                flow["pending_place"] = None
                self._set(flow, "place", f"{place.candidates[0].kind}:{place.candidates[0].code}")
                state = self.engine.remember_place(state, place.candidates)
            else:
                flow["pending_place"] = [f"{p.kind}:{p.code}" for p in place.candidates]
            filled = True
        found = self.slots.extract(rest)
        if asked in SLOT_NAMES and asked not in found and (answer := self.slots.extract_answer(asked, rest)):
            found[asked] = answer
        for slot, value in found.items():
            if flow["slots"].get(slot) != value:
                self._set(flow, slot, value)
                filled = True
        return filled, state

    @staticmethod
    def _set(flow: dict[str, Any], slot: str, value: str) -> None:
        if slot == "place":
            flow["place"] = value
        else:
            flow["slots"][slot] = value
        if slot in flow["history"]:
            flow["history"].remove(slot)
        flow["history"].append(slot)

    def _missing(self, state: ConversationState, flow: dict[str, Any]) -> str | None:
        for slot in SLOT_NAMES:
            if slot not in flow["slots"]:
                return slot
        if flow.get("place") is None and state.place is None:
            return "place"
        return None

    def _next(self, state: ConversationState, before: list[Block]) -> tuple[Reply, ConversationState]:
        flow = _copy(state.flow)
        if flow.get("pending_place"):
            places = [self.engine.territory.place(*p.split(":", 1)) for p in flow["pending_place"]]
            buttons = [
                Button(self.engine.territory.label(p), f"o:place:{p.kind}:{p.code}") for p in places if p
            ]
            flow["pending_place"] = None
            return self._ask(state, flow, "place", "cress_choose_place", buttons, before)
        missing = self._missing(state, flow)
        if missing is None:
            return self._result(state, flow, before)
        if missing == "place":
            buttons = [Button(self.messages("button_skip_place"), "o:skip")]
        else:
            buttons = [Button(label, f"o:set:{missing}:{value}") for value, label in self.slots.labels[missing].items()]
        return self._ask(state, flow, missing, f"orientation_ask_{missing}", buttons, before)

    def _ask(
        self,
        state: ConversationState,
        flow: dict[str, Any],
        slot: str,
        question_key: str,
        buttons: list[Button],
        before: list[Block],
    ) -> tuple[Reply, ConversationState]:
        flow["asked"] = slot
        reply = Reply(
            blocks=(*before, Block(self.messages(question_key))),
            buttons=(*buttons, *self._control_buttons(flow)),
            matched=True,
            intent="orientation",
            confidence=1.0,
        )
        return reply, state.with_(flow=flow)

    def _control_buttons(self, flow: dict[str, Any]) -> list[Button]:
        buttons = []
        if flow["history"]:
            buttons.append(Button(self.messages("button_back"), "o:back"))
        buttons.append(Button(self.messages("button_cancel"), "o:cancel"))
        return buttons

    def _control(
        self, state: ConversationState, flow: dict[str, Any], control: str
    ) -> tuple[Reply, ConversationState]:
        if control == "cancel":
            return self.engine.say("cancelled"), state.with_(flow=None)
        if control == "restart":
            return self.start(state.with_(flow=None), "")
        if control == "skip" and flow.get("asked") == "place":
            self._set(flow, "place", NO_PLACE)
            return self._next(state.with_(flow=flow), [])
        if control == "back":
            if not flow["history"]:
                return self._next(state.with_(flow=flow), [Block(self.messages("orientation_back_first"))])
            last = flow["history"].pop()
            if last == "place":
                flow["place"] = None
                state = state.with_(place=None)
            else:
                flow["slots"].pop(last, None)
            return self._next(state.with_(flow=flow), [])
        return self._next(state.with_(flow=flow), [])

    # -- result ---------------------------------------------------------------------------

    def _relevance(self, said: str) -> dict[str, float]:
        """How much each entry matches the words the user typed during the flow."""
        relevance: dict[str, float] = {}
        if not said:
            return relevance
        for entry, confidence in self.engine.entries_matching(said, limit=20):
            # A FAQ's relevance goes to the scheme it is about.
            target = entry.see_also[0] if entry.kind == "faq" and entry.see_also else entry.id
            relevance[target] = max(relevance.get(target, 0.0), confidence)
        best = max(relevance.values(), default=0.0)
        return {entry_id: (value / best) ** 2 for entry_id, value in relevance.items()} if best else {}

    def _result(
        self, state: ConversationState, flow: dict[str, Any], before: list[Block]
    ) -> tuple[Reply, ConversationState]:
        slots = flow["slots"]
        has_place = state.place is not None and flow.get("place") != NO_PLACE
        profile = Profile(slots["who"], slots["stage"], slots["need"], has_place, self._relevance(flow.get("said", "")))
        chosen, excluded = recommend(self.engine.content.entries, profile)
        labels = {slot: self.slots.labels[slot][slots[slot]] for slot in SLOT_NAMES}
        place_label = state.place.label if has_place and state.place else None
        profile_text = " · ".join([*labels.values(), *([place_label] if place_label else [])])

        blocks = [*before, Block(self.messages("orientation_result_intro", profile=profile_text))]
        for rec in chosen:
            why = ", ".join(labels[r].lower() for r in rec.reasons if r in labels)
            lines = [rec.entry.summary, self.messages("orientation_why", why=why)]
            if rec.entry.status.state == "uncertain" and rec.entry.status.note:
                lines.append(self.messages("status_uncertain", note=rec.entry.status.note))
            if rec.entry.next_step:
                lines.append(self.messages("next_step", text=rec.entry.next_step))
            blocks.append(Block("\n".join(lines), title=rec.entry.name, link=rec.entry.link))
        if not chosen:
            blocks.append(Block(self.messages("orientation_no_result")))
        if excluded:
            lines = "\n".join(f"• {e.eligibility.exclusion}" for e in excluded if e.eligibility)
            blocks.append(Block(lines, title=self.messages("orientation_excluded")))
        names = ", ".join(rec.entry.name for rec in chosen)
        blocks.append(Block(self.messages("orientation_summary", profile=profile_text, schemes=names or "-")))
        region = state.place.region_code if has_place and state.place else None
        cards = (self.engine.territory.cress_card(region),)
        buttons = (
            *(entry_button(rec.entry) for rec in chosen),
            Button(self.messages("button_restart"), "o:start"),
        )
        reply = Reply(
            blocks=tuple(blocks),
            buttons=buttons,
            cards=cards,
            matched=True,
            intent="orientation",
            confidence=1.0,
            sources=tuple(s.ref for rec in chosen for s in rec.entry.sources),
        )
        return reply, state.with_(flow=None, last_intent="orientation")


def _copy(flow: dict[str, Any] | None) -> dict[str, Any]:
    flow = flow or {"slots": {}, "history": [], "place": None}
    return {
        **flow,
        "slots": dict(flow.get("slots", {})),
        "history": list(flow.get("history", [])),
        "place": flow.get("place"),
    }


def _merge(answer: Reply, question: Reply) -> Reply:
    """An answer to a side question, then the flow's pending question with its buttons."""
    return replace(answer, blocks=(*answer.blocks, *question.blocks), buttons=(*answer.buttons[:2], *question.buttons))
