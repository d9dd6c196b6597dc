"""The guided orientation: a few questions, then the schemes that fit, with free text welcome.

The engine hands every message and `o:` button of a conversation under orientation to this
class, with what it needs passed in (`Services`); it never reaches back into the engine.
The order of a reply is always: what answers the message (a side answer, a correction), then
the step asked again or the next one.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from bot.content.models import Entry, Intent
from bot.messages import Messages
from bot.nlu.normalize import normalize
from bot.nlu.policy import decide
from bot.nlu.ranking import Candidate
from bot.orientation.flow import NO_PLACE, SLOT_STEPS, Flow, Step
from bot.orientation.ranking import Profile, Ranking, depends_on, recommend, recommendable
from bot.orientation.reading import Reading, Vocabulary, read
from bot.orientation.results import Results
from bot.replies import Block, Button, Reply, card_block
from bot.state import ConversationState
from bot.territory import Place, PlaceMatch, Territory

OUT_OF_SCOPE = "out_of_scope"
CRESS_ENTRY = "cress"
# Asked in the middle of the flow, these are answered for the place named or already known.
CRESS_INTENTS = frozenset({"cress", "cress_contact"})
# Said when leaving: answered without asking the current step again.
LEAVING_INTENTS = frozenset({"goodbye"})
# Steps where a typed number picks a choice ("Combien de salariés ?" takes "3" as a count).
CHOICE_STEPS = ("who", "stage", "need", "project")
# A question naming a place gives it only when it is little more than the place ("à Brest ?").
MAX_PLACE_FILLER = 2
# Extra questions, asked only when a scheme in view depends on the answer.
OPTIONAL_STEPS: tuple[Step, ...] = ("employees", "project")


@dataclass(frozen=True)
class Services:
    """What the orientation uses from the rest of the bot, passed in by the engine."""

    messages: Messages
    vocabulary: Vocabulary
    entries: Mapping[str, Entry]
    rank: Callable[[str], list[Candidate]]  # the intent matcher, on normalised text
    # A short follow-up's candidates read in the context of the answer just given, if surer there.
    in_context: Callable[[ConversationState, str, list[Candidate]], list[Candidate]]
    intent: Callable[[str], Intent | None]
    # Answers an intent outside the flow (a question asked in the middle): the engine's answer.
    answer: Callable[[ConversationState, Intent, float], tuple[Reply, ConversationState]]
    entries_matching: Callable[[str], list[tuple[Entry, float]]]
    territory: Callable[[], Territory]  # loaded on first use
    find_place: Callable[[str, bool], PlaceMatch | None]
    remember_place: Callable[[ConversationState, tuple[Place, ...]], ConversationState]


Result = tuple[Reply, ConversationState]


# Fewer words than this, matching no step, are "not understood" rather than an off-topic aside.
MIN_ASIDE_WORDS = 3


class Orientation:
    """The orientation's steps; holds no state of its own (the flow lives in the state)."""

    def __init__(self, services: Services) -> None:
        self.s = services
        self.messages = services.messages
        self.vocabulary = services.vocabulary
        self.results = Results(services.messages, services.vocabulary, services.territory)
        # The CRESS is one button away on every result: not a scheme to rank among the others.
        # Only the entries the ranking can recommend (in the same order): it goes
        # through them several times per message, and the content does not change under it.
        self._schemes = {k: e for k, e in services.entries.items() if k != CRESS_ENTRY and recommendable(e)}

    # -- entry points ---------------------------------------------------------------------

    def start(self, state: ConversationState, text: str) -> Result:
        """Start afresh; `text` is what the person already told ("/orienter je suis une asso...")."""
        normalised = normalize(text)
        flow = Flow()
        notes: list[Block] = []
        if normalised:
            flow, state, notes = self._take(flow, state, read(self.vocabulary, normalised), normalised)
            understood = [self.vocabulary.label(step, value) for step in SLOT_STEPS if (value := flow.value(step))]
            if state.place is not None and flow.place is not None:
                understood.append(state.place.label)
            if understood:
                notes.insert(0, Block(self.messages("orientation_understood", what=" · ".join(understood))))
        return self._next(state.with_(pending=None), flow, [Block(self.messages("orientation_intro")), *notes])

    def on_text(self, state: ConversationState, normalised: str, asks: bool = False) -> Result | None:
        """`asks`: the message asks something (a question mark, "comment", "que faire"...)."""
        flow = Flow.load(state.flow)
        control = self.vocabulary.control(normalised)
        if flow.done:
            # After the results, only the flow's own words; anything else is a new question.
            if control in ("back", "restart", "cancel", "more"):
                return self._control(state, flow, control)
            return None
        if control == "more":
            return self._next(state, flow, [Block(self.messages(f"orientation_hint_{flow.asked or 'who'}"))])
        if control is not None:
            return self._control(state, flow, control)
        if flow.place_choices and normalised.isdigit() and 1 <= int(normalised) <= len(flow.place_choices):
            # "1" picks the first place offered, not the department 01.
            return self._pick_place(state, flow, flow.place_choices[int(normalised) - 1])
        if normalised.isdigit() and flow.asked in CHOICE_STEPS:
            values = list(self.vocabulary.values[flow.asked])
            if 1 <= int(normalised) <= len(values):  # "2": the second choice, as numbered in the terminal
                return self._next(state, flow.set(flow.asked, values[int(normalised) - 1]), [])
        reading = read(self.vocabulary, normalised)
        candidates = self.s.rank(normalised)
        if asks:
            # "ça coûte combien ?" just after the DLA was answered in the middle asks about the DLA.
            candidates = self.s.in_context(state, normalised, candidates)
        top = candidates[0] if candidates else None
        # The one policy decides, dominance included: "combien ça coûte de créer une asso" is
        # read as creating an association at 0.50 against 0.15 for the next topic.
        confident = top is not None and decide(candidates, words=len(normalised.split())).kind == "answer"
        if self._is_aside(flow, reading, normalised, top if confident else None):
            assert top is not None
            return self._aside(state, flow, top, reading)
        before_flow, before_place = flow, state.place
        flow, state, notes = self._take(flow, state, reading, normalised)
        understood = flow.with_(relevance=before_flow.relevance) != before_flow or state.place != before_place
        answers_too = asks and confident and top is not None and self._is_knowledge(top.intent)
        if understood and answers_too and top is not None and top.intent != state.last_intent:
            # "on risque de ne pas payer les salaires, que faire ?": noted, and answered.
            answer, after = self.s.answer(state.with_(flow=None, place=None), self.s.intent(top.intent), top.confidence)
            state = state.with_(last_intent=after.last_intent)
            return self._next(state, flow, [*answer.blocks, *notes])
        if understood or self._names_choices(flow, reading):
            return self._next(state, flow, notes)
        fits_nothing = top is not None and top.intent == OUT_OF_SCOPE and len(reading.tokens) < MIN_ASIDE_WORDS
        # A message that only repeats what is known ("un prêt de trésorerie c'est possible ?" once
        # the need is noted) is an aside when it asks something.
        says_nothing_new = not reading.said or answers_too
        if confident and top is not None and top.intent != "orientation" and says_nothing_new and not fits_nothing:
            return self._aside(state, flow, top, reading)
        if confident and top is not None and top.intent == "orientation":
            # "qui peut nous aider ?" asked in the middle: that is what these questions are for.
            return self._next(state, flow, [Block(self.messages("orientation_in_progress"))])
        if (reading.question or reading.maybe_question) and not reading.said:
            # A question about something we do not know: say so, then the same step.
            return self._next(state, flow, [Block(self.messages("orientation_off_topic")),
                                            Block(self.messages("orientation_resume"))])
        asked = flow.asked or "who"
        return self._next(state, flow, [Block(self.messages(f"orientation_hint_{asked}"))])

    def on_button(self, state: ConversationState, value: str) -> Result | None:
        if value == "start":
            return self.start(state.with_(pending=None), "")
        if state.flow is None:
            return None  # a button of an orientation that is over: the engine says it is stale
        flow = Flow.load(state.flow)
        action, _, rest = value.partition(":")
        if action in ("back", "restart", "cancel", "skip", "more"):
            return self._control(state, flow, action)
        if action in ("summary", "cress") and flow.done:
            profile = self._profile(state, flow)
            if action == "summary":
                return self.results.summary(profile, self._ranking(profile), self._place_label(state, flow)), state
            return self.results.cress(self._region(state, flow)), state
        if action == "set" and not flow.done:
            step, _, chosen = rest.partition(":")
            if step in SLOT_STEPS and chosen in self.vocabulary.values[step]:
                return self._next(state, flow.set(step, chosen), [])
        if action == "place" and not flow.done:
            return self._pick_place(state, flow, rest)
        return None

    # -- reading free text ----------------------------------------------------------------

    def _is_aside(self, flow: Flow, reading: Reading, normalised: str, top: Candidate | None) -> bool:
        """A question or another topic, to answer before asking the step again: clearly a
        question ("c'est quoi", "comment"), or a confident match for something else that does
        not answer the step ("au fait il fait quel temps demain à Paris")."""
        if top is None or top.intent == "orientation":
            return False
        if reading.question:
            return True
        answers_step = flow.asked in reading.said or (
            flow.asked in SLOT_STEPS and self.vocabulary.answer(flow.asked, normalised) is not None
        ) or (flow.asked == "place" and bool(reading.kept_text)
              and self.s.find_place(reading.kept_text, True) is not None)
        if reading.said or reading.denied or reading.denied_texts or reading.locative or answers_step:
            # It answers something ("12", "en fait on a des salariés", "pas à Paris"): not an aside,
            # even when the intent model files such fragments under out-of-scope.
            return False
        if reading.maybe_question:
            return True
        # Out of scope is an aside only when it says something ("il fait beau à Brest demain") ;
        # a word that fits nothing ("bleu") gets "je n'ai pas compris" and the same choices.
        return top.intent == OUT_OF_SCOPE and len(reading.tokens) >= MIN_ASIDE_WORDS

    def _is_knowledge(self, intent_id: str) -> bool:
        intent = self.s.intent(intent_id)
        return intent is not None and intent.knowledge is not None and intent.id not in CRESS_INTENTS

    def _names_choices(self, flow: Flow, reading: Reading) -> bool:
        """The message names again the ambiguous place whose choices are shown."""
        if not flow.place_choices or not reading.kept_text:
            return False
        found = self.s.find_place(reading.kept_text, True)
        return found is not None and set(_codes(found)) <= set(flow.place_choices)

    def _take(
        self, flow: Flow, state: ConversationState, reading: Reading, normalised: str
    ) -> tuple[Flow, ConversationState, list[Block]]:
        """Record what the message says: new answers, corrections (said so), a meant place."""
        notes: list[str] = []
        said = dict(reading.said)
        asked = flow.asked
        if asked in SLOT_STEPS and asked not in said and (value := self.vocabulary.answer(asked, normalised)):
            said[asked] = value
        for slot, value in reading.denied.items():
            if flow.value(slot) == value and slot not in said:
                flow = flow.set(slot, None)
                notes.append(self.messages("orientation_denied", what=self.vocabulary.label(slot, value)))
        for slot, value in said.items():
            current = flow.value(slot)
            if current == value:
                continue
            if current is None:
                flow = flow.set(slot, value)
                if asked is not None and slot != asked:
                    notes.append(self.messages("orientation_noted", what=self.vocabulary.label(slot, value)))
            elif reading.corrects or slot == asked:
                flow = flow.set(slot, value)
                notes.append(self.messages("orientation_corrected", what=self.vocabulary.label(slot, value)))
        flow, state, place_notes = self._take_place(flow, state, reading)
        notes.extend(place_notes)
        if said or reading.denied:
            found = self._relevance(normalised)
            flow = flow.add_relevance(found)
        return flow, state, [Block(n) for n in notes]

    def _take_place(
        self, flow: Flow, state: ConversationState, reading: Reading
    ) -> tuple[Flow, ConversationState, list[str]]:
        notes: list[str] = []
        current = self._current_place(state, flow)
        for text in reading.denied_texts:
            denied = self.s.find_place(text, True)
            if denied is not None and current is not None and current in _codes(denied):
                notes.append(self.messages("orientation_place_denied", place=denied.place.name))
                flow = flow.set("place", None).with_(place_choices=[])
                state = state.with_(place=None)
                current = None
        expect = flow.asked == "place"
        found = self.s.find_place(reading.kept_text, expect) if reading.kept_text else None
        if found is None:
            return flow, state, notes
        if not expect and self.vocabulary.find(found.matched_text.split()):
            return flow, state, notes  # "adjoint au maire" speaks of a mayor, not of Mairé
        extra_words = len(reading.kept_text.split()) - len(found.matched_text.split())
        if (reading.question or reading.maybe_question) and not reading.locative and extra_words > MAX_PLACE_FILLER:
            return flow, state, notes  # "il fait quel temps demain à Paris" asks about Paris, is not there
        means_it = expect or reading.locative or reading.corrects or flow.place is None
        if not means_it or (current is not None and current in _codes(found)):
            return flow, state, notes
        if len(found.candidates) > 1:
            return flow.with_(place_choices=list(_codes(found))[:10]), state, notes
        if current is not None:
            notes.append(self.messages("orientation_corrected", what=self.s.territory().label(found.place)))
        elif flow.asked not in (None, "place"):
            notes.append(self.messages("orientation_noted", what=self.s.territory().label(found.place)))
        state = self.s.remember_place(state, found.candidates)
        return flow.set("place", _code(found.place)).with_(place_choices=[]), state, notes

    def _relevance(self, normalised: str) -> dict[str, float]:
        """How much each entry matches the user's words, computed now (the words are not kept)."""
        relevance: dict[str, float] = {}
        for entry, confidence in self.s.entries_matching(normalised):
            # A FAQ's relevance goes to the scheme it is about.
            target = entry.see_also[0] if entry.kind == "faq" and entry.see_also else entry.id
            relevance[target] = max(relevance.get(target, 0.0), confidence)
            for actor in entry.delivered_by:
                # "une Scop avec des collègues": the URSCOP too; "la banque ne veut pas me prêter":
                # the microcredit, and the Adie that grants it.
                relevance[actor] = max(relevance.get(actor, 0.0), confidence)
        return relevance

    def _aside(self, state: ConversationState, flow: Flow, top: Candidate, reading: Reading) -> Result:
        """Answer the question first, then ask the same step again, with its choices."""
        intent = self.s.intent(top.intent)
        if intent is not None and intent.id in CRESS_INTENTS:
            local = self._local_cress_aside(state, flow, intent, top, reading)
            if local is not None:
                return local
        if intent is not None and intent.knowledge and intent.id == state.last_intent:
            # Asked again in other words: not the same card twice in a row.
            entry = self.s.entries.get(intent.knowledge)
            name = entry.name if entry is not None else intent.knowledge
            blocks = [Block(self.messages("orientation_aside_again", name=name))]
        elif intent is not None and (intent.knowledge or intent.message):
            # Without the place: the local CRESS card belongs to the results, not to this answer.
            answer, after = self.s.answer(state.with_(flow=None, place=None), intent, top.confidence)
            state = state.with_(last_intent=after.last_intent)
            if intent.id in LEAVING_INTENTS:
                # "a+": they are leaving; the step is not asked again (the flow waits for their return).
                return answer, state
            blocks = list(answer.blocks)
        elif intent is not None and intent.action in ("cress", "catalogue"):
            # Not answered here without a place: the CRESS card comes with the results; the
            # catalogue is a command.
            blocks = [Block(self.messages(f"orientation_aside_{intent.action}"))]
        else:
            blocks = [Block(self.messages("orientation_off_topic"))]
        return self._next(state, flow, [*blocks, Block(self.messages("orientation_resume"))], intent=top.intent)

    def _local_cress_aside(
        self, state: ConversationState, flow: Flow, intent: Intent, top: Candidate, reading: Reading
    ) -> Result | None:
        """"et la cress c'est qui à Lyon ?": the CRESS of the place named (which becomes the flow's
        place when none is known yet) or of the place already given; None without any place."""
        found = self.s.find_place(reading.kept_text, True) if reading.kept_text else None
        if found is not None and len(found.candidates) == 1:
            state = self.s.remember_place(state, found.candidates)
            if flow.place is None:
                flow = flow.set("place", _code(found.place)).with_(place_choices=[])
        if state.place is None:
            return None
        answer, after = self.s.answer(state.with_(flow=None), intent, top.confidence)
        state = state.with_(last_intent=after.last_intent)
        blocks = [*answer.blocks, *map(card_block, answer.cards), Block(self.messages("orientation_resume"))]
        return self._next(state, flow, blocks, intent=top.intent)

    # -- steps ----------------------------------------------------------------------------

    def _pick_place(self, state: ConversationState, flow: Flow, code: str) -> Result | None:
        kind, _, value = code.partition(":")
        place = self.s.territory().place(kind, value)
        if place is None:
            return None
        state = self.s.remember_place(state, (place,))
        return self._next(state.with_(choices=()), flow.set("place", _code(place)).with_(place_choices=[]), [])

    def _missing(self, state: ConversationState, flow: Flow) -> Step | None:
        for step in ("who", "stage", "need"):
            if flow.value(step) is None:
                return step
        for step in OPTIONAL_STEPS:
            if flow.value(step) is None and depends_on(self._schemes, self._profile(state, flow), step):
                return step
        if flow.place is None and state.place is None:
            return "place"
        return None

    def _next(self, state: ConversationState, flow: Flow, before: list[Block], intent: str = "orientation") -> Result:
        if flow.place_choices:
            territory = self.s.territory()
            places = [territory.place(*c.split(":", 1)) for c in flow.place_choices]
            buttons = [Button(territory.label(p), f"o:place:{_code(p)}") for p in places if p]
            return self._ask(state, flow, "place", "cress_choose_place", buttons, before, intent)
        missing = self._missing(state, flow)
        if missing is None:
            return self._result(state, flow, before)
        if missing == "place":
            buttons = [Button(self.messages("button_skip_place"), "o:skip")]
        else:
            buttons = [Button(spec.label, f"o:set:{missing}:{value}")
                       for value, spec in self.vocabulary.values[missing].items()]
        return self._ask(state, flow, missing, f"orientation_ask_{missing}", buttons, before, intent)

    def _ask(
        self,
        state: ConversationState,
        flow: Flow,
        step: Step,
        question_key: str,
        buttons: list[Button],
        before: list[Block],
        intent: str,
    ) -> Result:
        flow = flow.with_(asked=step, done=False)
        controls = [Button(self.messages("button_back"), "o:back")] if flow.history else []
        controls.append(Button(self.messages("button_cancel"), "o:cancel"))
        reply = Reply(
            blocks=(*before, Block(self.messages(question_key))),
            buttons=(*buttons, *controls),
            matched=True,
            intent=intent,
            confidence=1.0,
        )
        return reply, state.with_(flow=flow.dump())

    def _control(self, state: ConversationState, flow: Flow, control: str) -> Result:
        if control == "cancel":
            reply = Reply(blocks=(Block(self.messages("cancelled")),), matched=True, confidence=1.0)
            return reply, state.with_(flow=None)
        if control == "restart":
            return self.start(state.with_(flow=None), "")
        if control == "more":
            if not flow.done:
                return self._next(state, flow, [])
            profile = self._profile(state, flow)
            return self.results.more(profile, self._ranking(profile)), state
        if control == "skip" and flow.asked == "place":
            return self._next(state, flow.set("place", NO_PLACE).with_(place_choices=[]), [])
        if control == "skip":  # "je ne sais pas" to another question: the choices are the way
            return self._next(state, flow, [Block(self.messages(f"orientation_hint_{flow.asked or 'who'}"))])
        if control == "back":
            flow = flow.with_(place_choices=[])
            if not flow.history:
                return self._next(state, flow, [Block(self.messages("orientation_back_first"))])
            last = flow.history[-1]
            if last == "place":
                state = state.with_(place=None)
            return self._next(state, flow.set(last, None), [])
        return self._next(state, flow, [])

    # -- results --------------------------------------------------------------------------

    def _current_place(self, state: ConversationState, flow: Flow) -> str | None:
        if flow.place == NO_PLACE:
            return None
        if state.place is not None:
            return f"{state.place.kind}:{state.place.code}"
        return flow.place

    def _place_label(self, state: ConversationState, flow: Flow) -> str | None:
        return state.place.label if state.place is not None and flow.place != NO_PLACE else None

    def _region(self, state: ConversationState, flow: Flow) -> str | None:
        return state.place.region_code if state.place is not None and flow.place != NO_PLACE else None

    def _profile(self, state: ConversationState, flow: Flow) -> Profile:
        return Profile(
            who=flow.who or "",
            stage=flow.stage or "",
            need=flow.need or "",
            employees=flow.employees,
            project=flow.project,
            also_needs=tuple(self.vocabulary.also_needs("stage", flow.stage)),
            has_place=self._place_label(state, flow) is not None,
            relevance=flow.relevance,
        )

    def _ranking(self, profile: Profile) -> Ranking:
        return recommend(self._schemes, profile)

    def _result(self, state: ConversationState, flow: Flow, before: list[Block]) -> Result:
        profile = self._profile(state, flow)
        reply = self.results.first(profile, self._ranking(profile), self._place_label(state, flow), before)
        return reply, state.with_(flow=flow.with_(done=True, asked=None).dump(), last_intent="orientation")


def _code(place: Place) -> str:
    return f"{place.kind}:{place.code}"


def _codes(found: PlaceMatch) -> list[str]:
    return [_code(p) for p in found.candidates]

