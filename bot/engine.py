"""The conversation engine: `respond(state, event) -> (reply, state)`, pure and transport-free.

Everything is loaded once by `Engine.load()`; a message costs normalisation, one place
look-up and one intent ranking, with no I/O.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from functools import cached_property
from pathlib import Path

from bot import startup_cache
from bot.actions import (
    COMMANDS,
    AskIntent,
    Catalogue,
    CatalogueTheme,
    Command,
    CressAsk,
    DeepCress,
    DeepEntry,
    DeepOrientation,
    Feedback,
    Menu,
    OpenEntry,
    OrientationStep,
    PickPlace,
    decode,
    decode_deep_link,
    encode,
)
from bot.answers import (
    CATALOGUE_THEMES,
    asks_its_question,
    distinct_buttons,
    entry_blocks,
    entry_button,
    line_about,
    related_buttons,
)
from bot.content.loader import INTENTS_DIR, KNOWLEDGE_DIR, Content, load_content
from bot.content.models import Entry, Intent
from bot.messages import MESSAGES_FILE, Messages
from bot.nlu.linear import QUESTION_FROM_WORDS, LinearRanker
from bot.nlu.matcher import IntentMatcher
from bot.nlu.normalize import normalize
from bot.nlu.places import asks_about_the_place, is_place_only, place_evidence, remove_span
from bot.nlu.policy import (
    DOMAIN_WORD_RE,
    HUMAN_HELP_CONFIDENCE,
    HUMAN_HELP_INTENTS,
    MAX_SUGGESTIONS,
    THRESHOLD,
    Decision,
    clearly_in_scope,
    decide,
    off_domain_first,
    organisations_only,
    precise_point,
)
from bot.nlu.ranking import Candidate, ExactIndex, Ranker, faq_schemes, training_phrases
from bot.nlu.slots import asks_question, final_question, speaks_of_oneself, tells_who_one_is
from bot.nlu.words import STOP_WORDS, content_tokens
from bot.orientation.orientation import CRESS_INTENTS, Orientation, Services
from bot.orientation.reading import Vocabulary
from bot.replies import Block, Button, ContactCard, Event, Reply
from bot.startup_cache import CACHE_DIR
from bot.state import ConversationState, PlaceRef
from bot.territory import Place, PlaceMatch, Territory

# Messages longer than this are read only in part, and the user is told so.
MAX_TEXT_CHARS = 2000
# Floor of `entries_matching` results worth showing (the inline search): on the fuzzy matcher's
# similarity scale, not the decision policy's (bot.nlu.policy.SUGGESTION_FLOOR).
SUGGESTION_FLOOR = 0.30
# Entries available at these levels get the local CRESS card when the place is known.
LOCAL_LEVELS = {"regional", "departemental", "local"}
# Who, stage and need: told together, they make a profile for the orientation.
PROFILE_STEPS = frozenset({"who", "stage", "need"})
OUT_OF_SCOPE = "out_of_scope"
ORIENTATION = "orientation"
GOODBYE = "goodbye"
# A profile told with a topic the model is this sure of gets the topic's answer first.
PROFILE_TOPIC_CONFIDENCE = 0.90
# "X c'est quoi ?", "c'est quoi X ?": a definition asked for, X being all the rest.
_DEFINITION = r"(?:c est quoi|c quoi|qu est ce que c est|qu est ce que|qu est ce qu|ca sert a quoi|ca veut dire quoi)"
DEFINITION_RE = re.compile(
    rf"^(?:(?P<before>.+?) {_DEFINITION}|{_DEFINITION} (?:(?:un|une|le|la|les|l|des|du) )?(?P<after>.+))$"
)
# "c'est quoi la différence entre une asso et une Scic": a comparison, not a definition.
COMPARISON_RE = re.compile(r"\b(?:differences?|entre|versus|vs|compar\w*|mieux)\b")
# "monter une Scop", "passer en Scic": the legal form is the project, not who one is.
CREATING_RE = re.compile(
    r"\b(?:creer|monter|lancer|fonder|transformer|passer|devenir)\b(?: \w+){0,3} (?:scop|scic|cae)\b"
)
# A follow-up is short; a reading surer than this is kept whatever was answered before.
FOLLOW_UP_MAX_WORDS = 8
# "qui contacter ?", "à qui s'adresser ?": after a card, whom that card says to contact.
WHOM_TO_CONTACT_RE = re.compile(r"\b(?:qui|quel organisme|quelle structure) (?:contacter|appeler|joindre|s adresser)\b"
                                r"|\ba qui (?:m |nous |s )?(?:adresser|demander|parler)\b")
# "c'est quoi la première étape ?", "on commence par quoi ?": after a card, its next step.
FIRST_STEP_RE = re.compile(r"\b(?:premieres? (?:etapes?|choses?|demarches?)|par ou (?:on |je |il faut )?commencer?"
                           r"|(?:on|je) commence par quoi|commencer par quoi|(?:on|je) fai[st]? quoi en premier)\b")
# Words that address the bot itself ("qui te finance ?", "c'est un bot ?").
BOT_WORDS = frozenset({"tu", "te", "t", "toi", "ton", "ta", "tes", "bot", "chatbot", "robot", "assistant", "boussole",
                       "ia", "programme", "machine", "humain"})
FOLLOW_UP_KEEP = 0.80
# A word is the topic's when this many of its family's examples use it (see `_family_words`).
FAMILY_WORD_MIN_EXAMPLES = 3
# A follow-up that says a word of another topic, in this many of its family's examples and this
# share of all the examples using it ("recyclerie": 22 of 50), is about that topic, not the one just
# answered (see `_names_its_topic`).
TOPIC_WORD_MIN_EXAMPLES = 15
TOPIC_WORD_SHARE = 0.4
# After a card, a FAQ of it this close to the card's own reading is what the follow-up asks.
FAQ_NEAR_THE_CARD = 0.75
MAX_MORE_BUTTONS = 6
# How many of the model's readings of a follow-up are looked through for the topic's questions.
MORE_ON_READ = 40
# A follow-up that reads as one of the card's questions this surely, and this many times more than
# as the card or its other questions, is answered by it (see `_question_read_after`): "qui finance
# ça ?" after the ressourcerie card reads 0.005 as who funds one, nothing as the card; "et
# concrètement ?" reads 0.008 as the card itself and "c'est long ?" after the association card as
# two of its questions alike.
QUESTION_READ_FLOOR = 0.002
QUESTION_READ_LEAD = 10.0
# What a vague follow-up may mean by itself is offered first from this confidence.
OWN_GUESS_FLOOR = 0.10
# Said before the message itself: "bonjour, ...", "super merci, ...".
COURTESY_INTENTS = ("greeting", "thanks", "acknowledged")
# "ok", "d'accord" after an answer: the conversation is still about that answer.
KEEPS_THE_TOPIC = frozenset({"acknowledged"})
# "bonjour tout le monde" is a greeting; "bonjour, j'ai un projet de recyclerie" is a message.
MIN_WORDS_AFTER_COURTESY = 3
# "merci, et pour le local de l'école c'est la mairie qui décide ?": a greeting or thanks read less
# surely than this leaves the rest of the message to be answered, even unsure of it.
COURTESY_SURE = 0.95
# The intent model's candidates kept while one event is answered: as many as any caller asks for.
RANKED_LIMIT = 40


@dataclass
class Engine:
    content: Content
    messages: Messages
    matcher: Ranker
    # How people say who they are, where they stand, what they need (intents/slots.yaml).
    vocabulary: Vocabulary
    _territory_loader: Callable[[], Territory]
    _territory: Territory | None = None
    # The opt-in learning log is on (BOUSSOLE_LEARN): 👍 / 👎 under answers, a notice in /start.
    learning: bool = False
    # While `respond` runs: (normalised text, its final question) -> (how many, the intent model's
    # first candidates). The orientation ranks a message for its step, then again for the schemes
    # it points to; the model reads it once. Emptied after each event, so it never outlives one message.
    _ranked: dict[tuple[str, str | None], tuple[int, list[Candidate]]] | None = field(
        default=None, init=False, repr=False, compare=False)
    # Entry id -> (day, its answer blocks, its related buttons): see `_entry_answer`.
    _answers: dict[str, tuple[dt.date, tuple[Block, ...], tuple[Button, ...]]] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )

    @classmethod
    def load(
        cls,
        knowledge_dir: Path = KNOWLEDGE_DIR,
        intents_dir: Path = INTENTS_DIR,
        territory_loader: Callable[[], Territory] | None = None,
        learning: bool = False,
        cache_dir: Path | None = CACHE_DIR,
        read_cache: bool = True,
    ) -> Engine:
        """Load and validate the content and build the intent model. What that gives is cached
        under a hash of every file it is built from (see `bot.startup_cache`): a start with
        unchanged files reads it back; any changed file, or `read_cache=False` (`check`),
        loads and validates the files again (and refreshes the cache)."""
        loader = territory_loader or (lambda: Territory.load(knowledge_dir))
        path = startup_cache.path_for(cache_dir, knowledge_dir, intents_dir, MESSAGES_FILE)
        loaded = startup_cache.read(path) if read_cache and path is not None else None
        if loaded is None:
            messages = Messages.load(MESSAGES_FILE)
            content = load_content(knowledge_dir, intents_dir, known_messages=messages.keys())
            exact = ExactIndex(content.intents, content.entries)
            matcher = LinearRanker.build(training_phrases(content.intents, content.entries), exact,
                                         faq_of=faq_schemes(content.intents, content.entries))
            engine = cls(content, messages, matcher, Vocabulary(content.slots), loader, learning=learning)
            if path is not None:
                startup_cache.write(path, startup_cache.Loaded(messages, content, matcher, engine.vocabulary,
                                                               engine._topic_vocabulary))
            return engine
        engine = cls(loaded.content, loaded.messages, loaded.matcher, loaded.vocabulary, loader, learning=learning)
        engine.__dict__["_topic_vocabulary"] = loaded.topics  # the cached property's value, read back
        return engine

    # -- helpers ------------------------------------------------------------------------

    @property
    def territory(self) -> Territory:
        # The geography is the largest thing loaded; it waits for the first message that needs it.
        if self._territory is None:
            self._territory = self._territory_loader()
        return self._territory

    @cached_property
    def similarity(self) -> IntentMatcher:
        """Built on first use: only the orientation's result and the inline search need it."""
        return IntentMatcher(self.content.intents, self.content.entries)

    @cached_property
    def faq_of(self) -> dict[str, str]:
        """FAQ intent -> the intent of the entry the FAQ is about (its first `see_also`)."""
        return faq_schemes(self.content.intents, self.content.entries)

    @cached_property
    def orientation(self) -> Orientation:
        return Orientation(Services(
            messages=self.messages,
            vocabulary=self.vocabulary,
            entries=self.content.entries,
            # The orientation's relevance then asks for the same text's first `RANKED_LIMIT`.
            rank=lambda text: self.rank(text, ahead=RANKED_LIMIT),
            in_context=self._in_context,
            intent=self.intent,
            answer=lambda state, intent, confidence: self.answer_intent(state, intent, confidence, None),
            entries_matching=lambda text: self.entries_matching(text, limit=20),
            territory=lambda: self.territory,
            # The orientation weighs what a place means itself (a cue, a correction, the step asked).
            find_place=lambda text, expect: self.territory.find(text, expect_place=expect),
            remember_place=self.remember_place,
        ))

    @property
    def commands(self) -> tuple[Command, ...]:
        """The commands the engine answers, for the doors to list (Telegram menu, terminal help)."""
        return COMMANDS

    def entry(self, entry_id: str) -> Entry | None:
        return self.content.entries.get(entry_id)

    def intent(self, intent_id: str) -> Intent | None:
        return self.content.intents_by_id.get(intent_id)

    def rank(self, normalised: str, ahead: int = 0, question: str | None = None) -> list[Candidate]:
        """The intent model's candidates for what follows an opening greeting or thanks, except a
        goodbye the message does not say: the model learns "je m'en vais" and "à la prochaine" so
        well that "je vais à la plage" reads as one. `ahead`: rank that many now, when the same text
        will be asked for more while this event is answered (see `_model_rank`); `question`: the
        question a story ends on (bot.nlu.slots.final_question), which the model weighs more."""
        if (whole := self._whole_message_intents.get(normalised)) is not None:
            return [Candidate(whole, 1.0, exact=True, score=1.0)]
        candidates = self._model_rank(normalised, 5, ahead, question)
        if rest := self._after_courtesy(normalised):
            # "bonjour, je suis élue d'une commune de 3000 habitants...", "super merci, comment on
            # contacte France Active": what follows the greeting or the thanks may be the message;
            # its reading is kept when it is surer than the whole's ("bonjour tout le monde" stays
            # a greeting).
            after = self._model_rank(rest, 5, question=question)
            whole = candidates[0] if candidates else None
            if after and after[0].intent != OUT_OF_SCOPE and (
                whole is None
                or after[0].confidence > whole.confidence
                or (whole.intent in COURTESY_INTENTS
                    and (after[0].confidence >= THRESHOLD or whole.confidence < COURTESY_SURE))
            ):
                return after
        if candidates and candidates[0].intent == GOODBYE and not self._says_goodbye(normalised):
            return [c for c in candidates if c.intent != GOODBYE]
        return candidates

    def _model_rank(self, normalised: str, limit: int, ahead: int = 0, question: str | None = None) -> list[Candidate]:
        """`self.matcher.rank(normalised, limit, question)`, read once per text while an event is
        answered: the first candidates of a longer list are the candidates of a shorter one."""
        ranked = self._ranked
        if ranked is None:
            return self.matcher.rank(normalised, limit, question)
        key = (normalised, question)
        found = ranked.get(key)
        if found is None or found[0] < limit:
            count = max(limit, ahead)
            found = ranked[key] = (count, self.matcher.rank(normalised, count, question))
        return found[1][:limit]

    def _phrases_of(self, *intent_ids: str) -> set[tuple[str, ...]]:
        """The normalised words of these intents' examples."""
        phrases = {
            tuple(normalize(example).split())
            for intent_id in intent_ids
            if (intent := self.intent(intent_id)) is not None
            for example in intent.examples
        }
        return {p for p in phrases if p}

    @cached_property
    def _whole_message_intents(self) -> dict[str, str]:
        """Normalised message -> the intent it is, for intents matched only as a whole message."""
        return {normalize(example): intent.id for intent in self.content.intents if intent.whole_message_only
                for example in intent.examples}

    @cached_property
    def _courtesy_phrases(self) -> list[tuple[str, ...]]:
        return sorted(self._phrases_of(*COURTESY_INTENTS), key=len, reverse=True)

    def _after_courtesy(self, normalised: str) -> str:
        """What follows a greeting or thanks that opens the message, when it is more than a word
        or two."""
        tokens = normalised.split()
        for phrase in self._courtesy_phrases:
            if tuple(tokens[: len(phrase)]) == phrase:
                rest = tokens[len(phrase):]
                return " ".join(rest) if len(rest) >= MIN_WORDS_AFTER_COURTESY else ""
        return ""

    @cached_property
    def _goodbye_phrases(self) -> set[tuple[str, ...]]:
        return self._phrases_of(GOODBYE)

    def _says_goodbye(self, normalised: str) -> bool:
        """The message is one of the goodbye phrases, or holds one that is more than a small word."""
        tokens = tuple(normalised.split())
        for phrase in self._goodbye_phrases:
            if tokens == phrase:
                return True
            if len(phrase) == 1 and phrase[0] in STOP_WORDS:
                continue  # "a+" is "a": a goodbye alone, not inside "je vais a la plage"
            if any(tokens[i : i + len(phrase)] == phrase for i in range(len(tokens) - len(phrase) + 1)):
                return True
        return False

    def entries_matching(self, normalised: str, limit: int = 10) -> list[tuple[Entry, float]]:
        """Knowledge entries whose examples resemble a normalised text, best first, with the
        similarity. The orientation and the inline search weigh several schemes at once: they use
        the fuzzy matcher's graded similarity, where the classifier's probability leaves little
        to the runners-up, and the classifier's reading where it is the stronger."""
        found: dict[str, tuple[Entry, float]] = {}
        similar = [(c.intent, c.confidence) for c in self.similarity.rank(normalised, limit=limit * 2)]
        # The classifier reads paraphrases the examples' similarity misses ("la banque ne veut pas
        # me prêter": the microcredit, where similarity sees the Banque des Territoires); its
        # probability p counts as a similarity of sqrt(p) (25 % is 0.5; chosen on the profile table).
        classified = [(c.intent, c.confidence**0.5) for c in self._model_rank(normalised, limit * 2)]
        entry_of = self._entry_of_intent
        for intent_id, confidence in similar + classified:
            entry = entry_of.get(intent_id)
            if entry is not None and confidence > found.get(entry.id, (entry, 0.0))[1]:
                found[entry.id] = (entry, confidence)
        return sorted(found.values(), key=lambda item: -item[1])[:limit]

    @cached_property
    def _organisation_faqs(self) -> frozenset[str]:
        """The FAQ intents whose question is an organisation's (its name says a word of the domain)."""
        return frozenset(i for i, entry in self._entry_of_intent.items()
                         if entry.kind == "faq" and DOMAIN_WORD_RE.search(normalize(entry.name)))

    @cached_property
    def _entry_of_intent(self) -> dict[str, Entry]:
        """Intent id -> the knowledge entry it answers, for the intents that answer one."""
        out: dict[str, Entry] = {}
        for intent_id, intent in self.content.intents_by_id.items():
            entry = self.entry(intent.knowledge) if intent.knowledge else None
            if entry is not None:
                out[intent_id] = entry
        return out

    def orientation_button(self) -> Button:
        return Button(self.messages("button_orientation"), encode(OrientationStep("start")))

    def menu_buttons(self) -> tuple[Button, ...]:
        return (
            self.orientation_button(),
            Button(self.messages("button_catalogue"), encode(Catalogue())),
            Button(self.messages("button_cress"), encode(CressAsk())),
        )

    # -- entry point ----------------------------------------------------------------------

    def respond(self, state: ConversationState, event: Event) -> tuple[Reply, ConversationState]:
        self._ranked = {}
        try:
            return self._respond(state, event)
        finally:
            self._ranked = None

    def _respond(self, state: ConversationState, event: Event) -> tuple[Reply, ConversationState]:
        prefix: list[Block] = []
        if state.expired(event.now) and state.has_work_under_way():
            prefix.append(Block(self.messages("session_expired")))
            state = state.with_(pending=None, flow=None, choices=())
        if state.pending == "missing" and event.kind != "text":
            state = state.with_(pending=None)  # "Qu'est-ce qui manquait ?" is optional: anything else skips it
        reply, state = self._dispatch(state, event)
        if prefix:
            reply = replace(reply, blocks=(*prefix, *reply.blocks))
        return reply, state.with_(last_activity=event.now)

    def _dispatch(self, state: ConversationState, event: Event) -> tuple[Reply, ConversationState]:
        if event.kind == "text":
            return self.on_text(state, event.text)
        if event.kind == "button":
            return self.on_button(state, event.payload)
        if event.kind == "command":
            return self.on_command(state, event.command, event.text)
        if event.text:
            return Reply(blocks=(Block(self.messages("unsupported", kind=event.text)),)), state
        return Reply(blocks=(Block(self.messages("no_text")),)), state

    # -- commands and buttons -------------------------------------------------------------

    def on_command(self, state: ConversationState, command: str, argument: str) -> tuple[Reply, ConversationState]:
        command = command.lower().lstrip("/")
        argument = argument.strip()
        if command == "start":
            if argument:
                return self._deep_link(state, argument)
            return self._with_learning_notice(self.say("greeting", buttons=self.menu_buttons())), state
        if command in ("aide", "help"):
            return self._with_learning_notice(self.say("help", buttons=self.menu_buttons())), state
        if command in ("orienter", "orientation"):
            return self.orientation.start(state.with_(pending=None), argument)
        if command == "cress":
            if argument:
                return self.on_text(state.with_(pending="place"), argument)
            return self.cress_reply(state, None)
        if command == "dispositifs":
            return self.catalogue(), state
        if command == "annuler":
            key = "cancelled" if state.has_work_under_way() else "nothing_to_cancel"
            return self.say(key), state.with_(pending=None, flow=None, choices=())
        if command == "oublier":
            return replace(self.say("forgotten"), forget=True), ConversationState()
        return self.say("unknown_command", buttons=self.menu_buttons()), state

    def _deep_link(self, state: ConversationState, argument: str) -> tuple[Reply, ConversationState]:
        match decode_deep_link(argument):
            case DeepOrientation():
                return self.orientation.start(state, "")
            case DeepCress(kind, code):
                place = self._deep_link_place(kind, code)
                if place is not None:
                    return self.cress_for_places(state, (place,))
            case DeepEntry(entry) if entry in self.content.entries:
                return self.knowledge_reply(state, self.content.entries[entry], 1.0, entry)
        return self.say("greeting", buttons=self.menu_buttons()), state

    def _deep_link_place(self, kind: str | None, code: str) -> Place | None:
        if kind is not None:
            return self.territory.place(kind, code)
        # `cress_01`, the older form: codes 01-06 are both departments and overseas regions,
        # and people who share a link to "01" mean the Ain far more often than Guadeloupe.
        return self.territory.place("department", code) or self.territory.place("region", code)

    def on_button(self, state: ConversationState, payload: str) -> tuple[Reply, ConversationState]:
        match decode(payload):
            case OpenEntry(entry) if entry in self.content.entries:
                return self.knowledge_reply(state, self.content.entries[entry], 1.0, entry)
            case AskIntent(intent_id) if (intent := self.intent(intent_id)) is not None:
                return self.answer_intent(state, intent, 1.0, None)
            case CatalogueTheme(theme) if theme in CATALOGUE_THEMES:
                return self.catalogue_theme(theme), state
            case Catalogue():
                return self.catalogue(), state
            case CressAsk():
                return self.cress_reply(state, None)
            case Menu():
                return self.say("menu", buttons=self.menu_buttons()), state
            case PickPlace(kind, code) if payload in state.choices:
                place = self.territory.place(kind, code)
                if place is not None:
                    return self.cress_for_places(state.with_(choices=()), (place,))
            case OrientationStep(value):
                result = self.orientation.on_button(state, value)
                if result is not None:
                    return result
            case Feedback(intent_id, helpful) if self.intent(intent_id) is not None:
                return self.on_feedback(state, intent_id, helpful)
        return self.say("stale_button", buttons=self.menu_buttons()), state

    # -- text -----------------------------------------------------------------------------

    def on_text(self, state: ConversationState, text: str) -> tuple[Reply, ConversationState]:
        notes: list[Block] = []
        if len(text) > MAX_TEXT_CHARS:
            text = text[:MAX_TEXT_CHARS]
            notes.append(Block(self.messages("long_message")))
        normalised = normalize(text)
        if not normalised:
            key = "empty" if not text.strip() else "only_punctuation" if _only_punctuation(text) else "no_text"
            return self.say(key), state
        if state.pending == "missing":
            reply = replace(self.say("feedback_missing_thanks"), missing_for=state.last_intent)
            return reply, state.with_(pending=None)
        if state.flow is not None:
            result = self.orientation.on_text(state, normalised, asks=asks_question(text, normalised))
            if result is not None:
                return self._with_notes(result, notes)
        reply, state = self._understand(state, normalised, text)
        return self._with_notes((reply, state), notes)

    def _with_notes(
        self, result: tuple[Reply, ConversationState], notes: list[Block]
    ) -> tuple[Reply, ConversationState]:
        reply, state = result
        return (replace(reply, blocks=(*notes, *reply.blocks)) if notes else reply), state

    def find_place(self, normalised: str, expect_place: bool, raw: str | None = None) -> PlaceMatch | None:
        """The place a message names, only with evidence that it is meant as a place (a postal
        code, a cue word, a capital letter, the whole message, or the bot asked where)."""
        found, _ = self._place_with_evidence(normalised, expect_place, raw)
        return found

    def _place_with_evidence(
        self, normalised: str, expect_place: bool, raw: str | None
    ) -> tuple[PlaceMatch | None, bool]:
        found = self.territory.find(normalised, expect_place=expect_place)
        if found is None:
            return None, False
        evidence = place_evidence(
            found, normalised, raw if raw is not None else normalised, expect_place,
            self.territory.is_ordinary_name(found.matched_text),
        )
        return (found, evidence.self_located) if evidence.accepted else (None, False)

    def _understand(
        self, state: ConversationState, normalised: str, raw: str | None = None
    ) -> tuple[Reply, ConversationState]:
        ranked: list[Candidate] = []
        reply, state = self._understand_ranked(state, normalised, raw, ranked)
        return replace(reply, candidates=tuple((c.intent, c.confidence) for c in ranked[:MAX_SUGGESTIONS])), state

    def _understand_ranked(
        self, state: ConversationState, normalised: str, raw: str | None, ranked: list[Candidate]
    ) -> tuple[Reply, ConversationState]:
        raw = normalised if raw is None else raw
        waiting_for_place = state.pending == "place"
        # "cress 13" then "et 29 ?": a bare number just after a CRESS answer is another place.
        expect_place = waiting_for_place or (state.last_intent in CRESS_INTENTS and len(normalised.split()) <= 3)
        place, self_located = self._place_with_evidence(normalised, expect_place, raw)
        rest = remove_span(normalised, place.matched_text) if place else normalised
        # Only a story's question is weighed (QUESTION_FROM_WORDS): a short message keeps one reading,
        # the one every other step of this event asks the model for again.
        question = final_question(raw) if len(rest.split()) >= QUESTION_FROM_WORDS else None
        if question is not None and place is not None:
            question = remove_span(question, place.matched_text)
        definition, own = self._definition_asked(rest), self.rank(rest, question=question)
        candidates = definition or self._in_context(state, rest, own)
        if definition or candidates is own:
            # A follow-up read in its context already chose between the card and its FAQs
            # ("et ça prend combien de temps ?" after the PTCE is not asking how many members).
            candidates = precise_point(candidates, rest, self.faq_of)
        in_context = self._follows_the_last_topic(state, rest, candidates)
        if not in_context:
            candidates = off_domain_first(candidates, rest, self._entry_of_intent)
        ranked.extend(candidates)
        decision = decide(candidates, words=len(rest.split()), faq_of=self.faq_of)
        if not in_context:
            decision = organisations_only(decision, rest, self._organisation_faqs)
        top = decision.top
        confident = top is not None
        first = self._first_step(state, rest) if place is None and self._only_asks_the_first_step(rest) else None
        if first is not None:
            # "on fait quoi en premier ?" is about the answer just given, however the model reads
            # it alone (hiring a first employee).
            return first, state.with_(pending=None)
        if place is None and top is not None and self._asks_more_of_the_last_answer(state, rest, top):
            if (asked := self._question_read_after(state, rest)) is not None:
                return self.answer_intent(state.with_(pending=None), asked, top.confidence, None)
            reply = (self._first_step(state, rest) or self._line_of_the_card(state, rest)
                     or self._more_on(top, self.rank(rest), normalised=rest))
            return reply, state.with_(pending=None)
        shown = self._entry_of_intent.get(state.last_intent or "")
        if place is None and shown is not None and asks_its_question(shown, rest):
            last = Candidate(state.last_intent or "", 1.0, score=1.0)
            return self._more_on(last, [], again=True), state.with_(pending=None)
        if (after := self._who_helps_after(state, rest, top, place)) is not None:
            return after

        if place is not None:
            asks_cress = confident and top.intent in CRESS_INTENTS
            if (not waiting_for_place and (asks_cress or decision.kind != "answer")
                    and asks_about_the_place(normalised, place.matched_text)):
                # "le code postal de Toulouse", "Nantes c'est quelle region ?": place words, but a
                # question about the town itself, not about its CRESS: neither a card nor a place.
                return self.not_understood(list(decision.suggestions)), state.with_(pending=None)
            if asks_cress:
                return self.cress_for_places(state, place.candidates)
            if is_place_only(rest):
                previous = self.intent(state.last_intent or "")
                if (waiting_for_place or previous is None or not previous.knowledge or previous.id in CRESS_INTENTS
                        or len(place.candidates) > 1):
                    return self.cress_for_places(state, place.candidates)
                # "et en Bretagne ?" after a question: the same answer, for the new place.
                return self._answer_again_for_place(self.remember_place(state, place.candidates), previous)
            if not waiting_for_place and not clearly_in_scope(decision, candidates, rest):
                # A place in an off-topic message ("un appartement à Rennes") is neither kept nor shown.
                place, self_located = None, False
        elif waiting_for_place and not confident:
            return self.say("cress_place_not_found"), state

        said = self.vocabulary.find(rest.split()) if speaks_of_oneself(rest) else {}
        profile_slots = len(said.keys() & PROFILE_STEPS)
        best = candidates[0] if candidates else None
        if best is not None and best.intent == OUT_OF_SCOPE and decision.kind != "answer":
            profile_slots = 0  # "je veux ouvrir une micro-entreprise": off-topic, not a profile
        # "je suis une asso employeuse à Brest en difficulté": a profile, not a question; one that
        # names a scheme ("on est une asso, le DLA nous intéresse") asks about the scheme.
        is_profile = (profile_slots >= 2 and tells_who_one_is(rest) and not self._names_a_scheme(best, candidates)
                      and not self._needs_human_help(decision)
                      and not (profile_slots < len(PROFILE_STEPS) and self._tells_a_clear_topic(decision, rest)))
        question = asks_question(raw, normalised)
        if is_profile and not question:
            return self.orientation.start(state.with_(pending=None), normalised)
        if decision.kind == "did_you_mean":
            return self.did_you_mean(list(decision.suggestions)), state.with_(pending=None)
        if decision.kind == "not_understood":
            reply = (self._not_understood_after(state, rest, candidates)
                     or self.not_understood(list(decision.suggestions)))
            return reply, state.with_(pending=None)
        assert top is not None
        intent = self.intent(top.intent)
        assert intent is not None
        if place is None and intent.knowledge and intent.id == state.last_intent and intent.id not in CRESS_INTENTS:
            # Asked again in other words ("je suis maire d'une commune rurale" then "comment
            # soutenir l'ESS chez nous ?"): the same card twice reads as if the question had not
            # been heard; say it is the answer above and offer what else there is on it.
            return self._more_on(top, [], again=True), state.with_(pending=None)
        if place is not None and (state.place is None or self_located):
            # A town named in passing ("une asso de Lyon fait ça") does not replace where the user is.
            state = self.remember_place(state, place.candidates)
        reply, state = self.answer_intent(state.with_(pending=None), intent, top.confidence, place)
        if profile_slots >= 2 and intent.action != "orientation":
            # A question told with a profile is answered; the orientation is offered, not forced.
            reply = replace(reply, buttons=(*reply.buttons, self.orientation_button()))
        return reply, state

    def _in_context(self, state: ConversationState, normalised: str, candidates: list[Candidate]) -> list[Candidate]:
        """A short follow-up that names no topic ("combien de temps ça prend ?", "faut mettre
        combien chacun ?" after the Scop) is read as being about the topic just answered, when
        that reading is surer and lands on the topic or one of its FAQs. A reading that does not
        survive the topic's name ("on peut candidater comment" after the PTCE reads by itself as a
        job seeker applying to an insertion company) was never about that other scheme."""
        topic = self._topic_of(state.last_intent)
        if topic is None or not candidates or len(normalised.split()) > FOLLOW_UP_MAX_WORDS:
            return candidates
        top = candidates[0]
        family = self._families.get(topic, frozenset())
        if top.exact or top.intent in family:
            return candidates
        own_topic = self._topic_of(top.intent)
        if own_topic is not None and self._names_its_topic(normalised, own_topic, topic):
            return candidates
        contextual = self._rank_in_context(normalised, topic)
        if not contextual or contextual[0].intent not in family:
            return candidates
        # Another scheme's FAQ, read from a follow-up that does not name that scheme, was never
        # about it ("et ça prend combien de temps ?" after the PTCE is not asking how long a DLA
        # lasts); a topic or a refusal read from a few words is kept ("un local pas cher" after the
        # tiers-lieux; "et le vélo ?").
        fragile = top.intent in self.faq_of
        # "c'est financé par qui ?" after the PTCE asks about the PTCE, not who funds this bot:
        # small talk about the bot counts in a follow-up only when it speaks to the bot; so does a
        # request for the bot's help ("on fait quoi ?", "comment ça marche ?" after the CAE).
        read = self.intent(top.intent)
        about_the_bot = self._is_small_talk(top.intent) or (read is not None and read.message == "help")
        fragile = fragile or (about_the_bot and not BOT_WORDS & set(normalised.split()))
        # A refusal read from words the topic's own questions all use ("combien ca coute" after the
        # DLA) says nothing against the topic; one with a word of its own ("et le vélo ?") does.
        if top.intent == OUT_OF_SCOPE and not fragile:
            words = set(content_tokens(normalised))
            fragile = bool(words) and words <= self._family_words(topic)
        if top.confidence >= FOLLOW_UP_KEEP and not fragile:
            return candidates
        if contextual[0].confidence <= top.confidence and not fragile:
            return candidates
        if contextual[0].intent == state.last_intent:
            if not fragile and self._answers_alone(candidates, normalised):
                return candidates  # "on est 3 amis, pas encore d'asso": its own answer, not the card again
            # The card was just shown: its question that the follow-up asks, when there is one.
            near = contextual[0].confidence * FAQ_NEAR_THE_CARD
            faqs = [c for c in contextual[1:] if c.intent in family and c.confidence >= near]
            if fragile and faqs:
                return [*faqs[:1], *(c for c in contextual if c is not faqs[0])]
        return contextual

    def _follows_the_last_topic(self, state: ConversationState, normalised: str, candidates: list[Candidate]) -> bool:
        """A short message read as the topic just answered or one of its FAQs: its context is the
        domain, even when it says no word of it ("ça coûte cb la déclaration ?" after the card on
        creating an association is not an off-topic question about some other declaration)."""
        topic = self._topic_of(state.last_intent)
        return (topic is not None and bool(candidates) and len(normalised.split()) <= FOLLOW_UP_MAX_WORDS
                and candidates[0].intent in self._families.get(topic, frozenset()))

    def _is_small_talk(self, intent_id: str) -> bool:
        intent = self.intent(intent_id)
        return intent is not None and (intent.message or "").startswith("smalltalk_")

    def _answers_alone(self, candidates: list[Candidate], normalised: str) -> bool:
        """A follow-up read surely by itself: "c'est quoi la première étape ?" after the café card,
        read alone as hiring a first employee (0.42), is not."""
        return (bool(candidates) and candidates[0].confidence >= FOLLOW_UP_KEEP
                and decide(candidates, words=len(normalised.split()), faq_of=self.faq_of).kind == "answer")

    def _asks_more_of_the_last_answer(self, state: ConversationState, normalised: str, top: Candidate) -> bool:
        """"et concrètement ?", "on fait quoi ?" just after a card: read in its context, the
        message lands on the answer just given, which it does not ask for by itself."""
        if top.intent != state.last_intent or len(normalised.split()) > FOLLOW_UP_MAX_WORDS:
            return False
        own = self.rank(normalised)
        return not own or own[0].intent != top.intent

    def _question_read_after(self, state: ConversationState, normalised: str) -> Intent | None:
        """"qui finance ça ?" after the card on ressourceries: read in its context the message lands
        on the card again, read alone on no topic; but of the card's family (the card and its
        questions) it reads as one question far more than as any other, which it is asking."""
        topic = self._topic_of(state.last_intent)
        family = self._families.get(topic or "", frozenset())
        read = [c for c in self._model_rank(normalised, len(self.content.intents)) if c.intent in family]
        if not read or read[0].intent not in self.faq_of or read[0].intent == state.last_intent:
            return None
        runner_up = read[1].score if len(read) > 1 else 0.0
        if read[0].score < QUESTION_READ_FLOOR or read[0].score < QUESTION_READ_LEAD * runner_up:
            return None
        return self.intent(read[0].intent)

    def _more_on(self, top: Candidate, own: list[Candidate], again: bool = False,
                 normalised: str | None = None) -> Reply:
        """What else there is on the topic just answered, rather than the same card again, which
        would read as if the message had not been heard; first the topic's question the message
        reads closest to, when it reads close to one ("comment on la finance ?" after the card on
        ressourceries: who funds a ressourcerie), then what the message may mean by itself ("on est
        3 amis, pas encore d'asso": creating an association), unless that is another scheme's FAQ
        ("et on peut adhérer, combien ça coûte ?" after the RTES is not asking what a CAE takes from
        its members), then the topic's other questions, the closest first. `again`: the message
        asked for the answer just given, which its button shows once more."""
        topic = self._topic_of(top.intent)
        entry = self.entry(topic or "")
        if entry is None:
            return self.not_understood([])
        guesses = [b for c in own[:2] if c.confidence >= OWN_GUESS_FLOOR
                   and self._topic_of(self.faq_of.get(c.intent)) in (None, topic)
                   and (b := self._intent_button(c.intent))]
        # How close the message, read by itself, is to each of the topic's questions (closest first).
        closeness = {c.intent: c.confidence for c in self._model_rank(normalised, MORE_ON_READ)} if normalised else {}
        questions = self._questions_on(entry, closeness)
        reads_close = any(closeness.get(i, 0.0) > 0.0 for i in self._families.get(entry.id, ()) if i in self.faq_of)
        shown = self._entry_of_intent.get(top.intent) if again else None
        buttons = distinct_buttons(*questions[:1 if reads_close else 0], *guesses,
                                   *([entry_button(shown)] if shown else []), *questions, self.orientation_button())
        text = self.messages("same_answer_again", name=shown.name) if shown else self.messages("more_on_topic")
        return Reply(blocks=(Block(text),), buttons=buttons,
                     matched=True, intent=top.intent, confidence=top.confidence)

    def _who_helps_after(
        self, state: ConversationState, normalised: str, top: Candidate | None, place: PlaceMatch | None
    ) -> tuple[Reply, ConversationState] | None:
        """"qui peut nous aider ?" just after a card: whom that card says to contact, with the
        orientation offered, rather than a questionnaire the person did not ask for; "... dans
        le 23" adds that place's CRESS."""
        if not (top is not None and top.intent == ORIENTATION) and not self._asks_whom_to_contact(normalised):
            return None
        entry = self.entry(self._topic_of(state.last_intent) or "")
        if entry is None or not entry.next_step or len(normalised.split()) > FOLLOW_UP_MAX_WORDS:
            return None
        if place is not None:
            state = self.remember_place(state, place.candidates)
        blocks = [Block(self.messages("who_helps_after", name=entry.name, next_step=entry.next_step))]
        cards: tuple[ContactCard, ...] = ()
        if place is not None and (local := self._local_cress(state)) is not None:
            blocks.append(local[0])
            cards = (local[1],)
            state = self._cress_shown(state)
        reply = Reply(blocks=tuple(blocks), cards=cards,
                      buttons=(*related_buttons(entry, self.content.entries), self.orientation_button()),
                      matched=True, intent=entry.id, confidence=1.0)
        # The topic whose contacts were given is now the one a place told next is about.
        return reply, state.with_(last_intent=entry.id, pending=None)

    def _asks_whom_to_contact(self, normalised: str) -> bool:
        """"qui contacter ?", "à qui s'adresser ?", unless it names whom ("qui contacter pour la
        cress ?", "... à France Active ?"): that is read alone, not in context."""
        if not WHOM_TO_CONTACT_RE.search(normalised):
            return False
        # What the message says besides asking whom: "qui contacter" alone names no one, however
        # surely the model reads it as the CRESS (the contact people ask most for).
        besides = content_tokens(WHOM_TO_CONTACT_RE.sub(" ", normalised))
        own = self.rank(normalised)
        return not any(c.exact for c in own) and not (
            besides and own and own[0].intent in CRESS_INTENTS and own[0].confidence >= THRESHOLD)

    def _not_understood_after(self, state: ConversationState, normalised: str,
                              own: Sequence[Candidate] = ()) -> Reply | None:
        """"il faut une licence ?" after the card on village cafés: a short message not understood
        just after an answer gets the questions known on that topic, not a generic menu; first what
        it may mean by itself, from OWN_GUESS_FLOOR ("et la licence pour vendre de la bière ?"
        after the card on subsidies: the licence of an associative bar)."""
        entry = self.entry(self._topic_of(state.last_intent) or "")
        if entry is None or len(normalised.split()) > FOLLOW_UP_MAX_WORDS:
            return None
        if (in_the_card := self._line_of_the_card(state, normalised)) is not None:
            return in_the_card
        # Those the message may mean first ("la commune peut mettre de l'argent dedans ?" after the
        # Scic: whether a commune may hold its shares), then the others.
        closeness = {c.intent: c.confidence for c in self._rank_in_context(normalised, entry.id)}
        guesses = [b for c in own[:2] if c.confidence >= OWN_GUESS_FLOOR and (b := self._intent_button(c.intent))]
        key = "not_understood_on_topic_or_guess" if guesses else "not_understood_on_topic"
        return Reply(blocks=(Block(self.messages(key, name=entry.name)),),
                     buttons=distinct_buttons(*guesses, *self._questions_on(entry, closeness), *self.menu_buttons()),
                     matched=False)

    def _last_answer(self, state: ConversationState) -> tuple[Entry | None, Entry | None]:
        """The entry just answered, and the scheme or topic it is about (itself, or a FAQ's card)."""
        return (self._entry_of_intent.get(state.last_intent or ""),
                self.entry(self._topic_of(state.last_intent) or ""))

    @staticmethod
    def _only_asks_the_first_step(normalised: str) -> bool:
        return bool(FIRST_STEP_RE.search(normalised)) and not content_tokens(FIRST_STEP_RE.sub(" ", normalised))

    def _first_step(self, state: ConversationState, normalised: str) -> Reply | None:
        """"c'est quoi la première étape ?" just after an answer: its next step, rather than a
        menu of its questions."""
        shown, entry = self._last_answer(state)
        if shown is None or entry is None or not FIRST_STEP_RE.search(normalised):
            return None
        step = shown.next_step or entry.next_step
        if not step:
            return None
        return Reply(blocks=(Block(self.messages("first_step_after", name=shown.name, next_step=step)),),
                     buttons=(*self._questions_on(entry), self.orientation_button()),
                     matched=True, intent=state.last_intent, confidence=1.0)

    def _line_of_the_card(self, state: ConversationState, normalised: str) -> Reply | None:
        """"faut une licence pour vendre de l'alcool ?" after the card on village cafés: read alone
        it is a bar owner's question, or in its context that card again; the card just given
        answers it in one line, which is shown."""
        shown, entry = self._last_answer(state)
        if shown is None or entry is None or (line := line_about(shown, normalised)) is None:
            return None
        return Reply(blocks=(Block(self.messages("answer_in_the_card", name=shown.name, line=line)),),
                     buttons=(*self._questions_on(entry), self.orientation_button()),
                     matched=True, intent=state.last_intent, confidence=0.0)

    def _questions_on(self, entry: Entry, closeness: dict[str, float] | None = None) -> list[Button]:
        """An entry's FAQs (the closest to a message first, given its intents' `closeness`), else
        its related entries."""
        closeness = closeness or {}
        faqs = sorted((i for i in map(self.intent, self._families.get(entry.id, ()))
                       if i is not None and i.knowledge and i.knowledge != entry.id),
                      key=lambda i: (-closeness.get(i.id, 0.0), self.content.entries[i.knowledge].name.lower()))
        return ([entry_button(self.content.entries[i.knowledge]) for i in faqs[:MAX_MORE_BUTTONS]]
                or related_buttons(entry, self.content.entries))

    def _definition_asked(self, normalised: str) -> list[Candidate] | None:
        """"france active c quoi", "c'est quoi une scic": the candidates of the thing asked about,
        when it names a scheme or topic itself (not one of its FAQs, whose examples may end the same
        way: "pacte relance france active c'est quoi")."""
        match = DEFINITION_RE.match(normalised)
        if match is None:
            return None
        subject = match.group("before") or match.group("after") or ""
        if COMPARISON_RE.search(subject):
            return None
        candidates = self.rank(subject) if subject else []
        if not candidates or not candidates[0].exact:
            return None
        entry = self._entry_of_intent.get(candidates[0].intent)
        return candidates if entry is not None and entry.kind != "faq" else None

    def _topic_of(self, intent_id: str | None) -> str | None:
        """The scheme or topic entry an answered intent is about (a FAQ's scheme, or itself)."""
        intent = self.intent(intent_id or "")
        if intent is None or not intent.knowledge:
            return None
        head = self.intent(self.faq_of.get(intent.id, intent.id))
        return head.knowledge if head is not None else None

    @cached_property
    def _families(self) -> dict[str, frozenset[str]]:
        """Entry id -> the intents of the entry and of its FAQs."""
        members: dict[str, set[str]] = {}
        for intent in self.content.intents:
            topic = self._topic_of(intent.id)
            if topic is not None:
                members.setdefault(topic, set()).add(intent.id)
        return {topic: frozenset(ids) for topic, ids in members.items()}

    def _rank_in_context(self, normalised: str, topic: str) -> list[Candidate]:
        """The message read as being about a topic: with the topic's name added to it."""
        return self.rank(f"{normalised} {normalize(topic.replace('_', ' '))}")

    @cached_property
    def _topic_vocabulary(self) -> tuple[dict[str, frozenset[str]], dict[str, str]]:
        """(topic -> the words that several examples of its family use, word -> the topic that owns
        it): a topic's family is its intent and its FAQs'. A word of one story ("notre Scic de
        livraison à vélo") is not a word of the topic; a word is a topic's own when many of that
        family's examples use it, and most of all the examples using it are theirs ("recyclerie")."""
        counts: dict[str, Counter[str]] = {}
        for topic, intent_ids in self._families.items():
            for intent_id in intent_ids:
                intent = self.intent(intent_id)
                for example in intent.examples if intent else ():
                    for word in set(content_tokens(normalize(example))):
                        counts.setdefault(word, Counter())[topic] += 1
        words: dict[str, set[str]] = {}
        owners: dict[str, str] = {}
        for word, topics in counts.items():
            for topic, n in topics.items():
                if n >= FAMILY_WORD_MIN_EXAMPLES:
                    words.setdefault(topic, set()).add(word)
            owner, n = topics.most_common(1)[0]
            if n >= TOPIC_WORD_MIN_EXAMPLES and n >= TOPIC_WORD_SHARE * topics.total():
                owners[word] = owner
        return {topic: frozenset(w) for topic, w in words.items()}, owners

    def _family_words(self, topic: str) -> frozenset[str]:
        """The words that several examples of a topic's intents and of its FAQs' use."""
        return self._topic_vocabulary[0].get(topic, frozenset())

    def _names_its_topic(self, normalised: str, own_topic: str, topic: str) -> bool:
        """The message says a word that its own reading's topic owns and the topic just answered
        does not use ("qui finance une recyclerie ?" after the card on premises)."""
        family_words, owners = self._topic_vocabulary
        return any(owners.get(word) == own_topic and word not in family_words.get(topic, ())
                   for word in content_tokens(normalised))

    def _answer_again_for_place(self, state: ConversationState, intent: Intent) -> tuple[Reply, ConversationState]:
        """The answer for a new place: in full when it has a local part, else a short line (the
        card again would read as if the question had not been heard) and the CRESS there."""
        entry = self.content.entries[intent.knowledge] if intent.knowledge else None
        if entry is None or state.place is None or self._is_local(entry):
            return self.answer_intent(state, intent, 1.0, None)
        reply = Reply(
            blocks=(Block(self.messages("same_answer_for_place", name=entry.name, place=state.place.label)),),
            cards=(self.territory.cress_card(state.place.region_code),),
            buttons=(Button(entry.name, encode(OpenEntry(entry.id))),),
            matched=True, intent=intent.id, confidence=1.0,
        )
        return reply, state.with_(last_intent=intent.id, pending=None)

    @staticmethod
    def _is_local(entry: Entry) -> bool:
        levels = set(entry.eligibility.levels) if entry.eligibility else set()
        return entry.id == "cress" or bool(levels & LOCAL_LEVELS)

    def _tells_a_clear_topic(self, decision: Decision, normalised: str) -> bool:
        """"mon patron part à la retraite, on voudrait reprendre la boîte entre salariés": a
        situation whose topic is clear gets its answer (the orientation offered) unless it tells who,
        where it stands and what it needs; a legal form is who one is ("on est une Scop..."), unless
        it is what one sets up ("je veux monter une Scop avec mes collègues")."""
        top = decision.top
        if decision.kind != "answer" or top is None:
            return False
        entry = self._entry_of_intent.get(top.intent)
        if entry is None:
            return False
        if entry.kind == "legal_form":
            return top.exact and bool(CREATING_RE.search(normalised))
        return top.confidence >= PROFILE_TOPIC_CONFIDENCE

    @staticmethod
    def _needs_human_help(decision: Decision) -> bool:
        """A dispute told as a situation gets the route to legal help, not a questionnaire."""
        top = decision.top
        return (decision.kind == "answer" and top is not None and top.intent in HUMAN_HELP_INTENTS
                and top.confidence >= HUMAN_HELP_CONFIDENCE)

    def _names_a_scheme(self, candidate: Candidate | None, candidates: Sequence[Candidate] = ()) -> bool:
        """"le DLA peut-il nous accompagner" asks about the DLA; "on est une Scop" is who one is.
        A FAQ read from a message that names its scheme ("émettre des titres associatifs... est-ce
        des fonds propres ?") asks about that scheme too, though the FAQ itself holds no name."""
        if candidate is None:
            return False
        if not candidate.exact:
            scheme = self.faq_of.get(candidate.intent)
            named = next((c for c in candidates if c.intent == scheme and c.exact), None)
            return named is not None and self._names_a_scheme(named)
        entry = self._entry_of_intent.get(candidate.intent)
        return entry is not None and entry.kind != "legal_form"

    # -- answers ----------------------------------------------------------------------------

    def say(self, key: str, buttons: tuple[Button, ...] = (), **values: object) -> Reply:
        return Reply(blocks=(Block(self.messages(key, **values)),), buttons=buttons, matched=True, intent=None,
                     confidence=1.0)

    def answer_intent(
        self, state: ConversationState, intent: Intent, confidence: float, place: PlaceMatch | None
    ) -> tuple[Reply, ConversationState]:
        if intent.knowledge:
            return self.knowledge_reply(state, self.content.entries[intent.knowledge], confidence, intent.id)
        if intent.id not in KEEPS_THE_TOPIC:
            state = state.with_(last_intent=intent.id)
        if intent.message:
            buttons = self.menu_buttons() if intent.message in ("greeting", "help") else ()
            reply = Reply(blocks=(Block(self.messages(intent.message)),), buttons=buttons)
        elif intent.action == "orientation":
            return self._stamp(self.orientation.start(state, ""), intent.id, confidence)
        elif intent.action == "catalogue":
            reply = self.catalogue()
        elif intent.action == "cress":
            return self._stamp(self.cress_reply(state, place), intent.id, confidence)
        else:
            return self.not_understood([]), state
        return self._stamp((reply, state), intent.id, confidence)

    @staticmethod
    def _stamp(
        result: tuple[Reply, ConversationState], intent_id: str, confidence: float
    ) -> tuple[Reply, ConversationState]:
        reply, state = result
        return replace(reply, matched=True, intent=intent_id, confidence=confidence), state

    def _local_cress(self, state: ConversationState, again: bool = True) -> tuple[Block, ContactCard] | None:
        """"Pour <place>, la CRESS peut vous orienter :" and that CRESS's card, when a place is known;
        not `again` when it was already shown for that place (four answers in a row each ending on
        the same CRESS read as noise)."""
        if state.place is None or (not again and state.cress_shown_for == state.place.code):
            return None
        return (Block(self.messages("local_cress", place=state.place.label)),
                self.territory.cress_card(state.place.region_code))

    @staticmethod
    def _cress_shown(state: ConversationState) -> ConversationState:
        return state.with_(cress_shown_for=state.place.code if state.place else None)

    def knowledge_reply(
        self, state: ConversationState, entry: Entry, confidence: float, intent_id: str
    ) -> tuple[Reply, ConversationState]:
        blocks, buttons = self._entry_answer(entry)
        cards: tuple[ContactCard, ...] = ()
        if self._is_local(entry) and (local := self._local_cress(state, again=entry.id == "cress")) is not None:
            blocks.append(local[0])
            cards = (local[1],)
            state = self._cress_shown(state)
        if self.learning:
            buttons += (Button(self.messages("button_helpful"), encode(Feedback(intent_id, True))),
                        Button(self.messages("button_not_helpful"), encode(Feedback(intent_id, False))))
        reply = Reply(
            blocks=tuple(blocks),
            buttons=buttons,
            cards=cards,
            matched=True,
            intent=intent_id,
            confidence=confidence,
            sources=tuple(s.ref for s in entry.sources),
        )
        return reply, state.with_(last_intent=intent_id, pending=None)

    def _entry_answer(self, entry: Entry) -> tuple[list[Block], tuple[Button, ...]]:
        """An entry's answer blocks (a new list) and related buttons: built once a day per entry
        (the content does not change under an engine; the date decides the "verified" line)."""
        today = dt.date.today()
        built = self._answers.get(entry.id)
        if built is None or built[0] != today:
            blocks = tuple(entry_blocks(entry, self.messages, today))
            built = self._answers[entry.id] = (today, blocks, tuple(related_buttons(entry, self.content.entries)))
        return list(built[1]), built[2]

    def on_feedback(self, state: ConversationState, intent_id: str, helpful: bool) -> tuple[Reply, ConversationState]:
        """👍 thanks; 👎 asks what was missing (the next text message, optional)."""
        if helpful:
            return replace(self.say("feedback_thanks"), feedback=(intent_id, True)), state
        reply = replace(self.say("feedback_ask_missing"), feedback=(intent_id, False))
        return reply, state.with_(pending="missing", last_intent=intent_id, flow=None, choices=())

    def _with_learning_notice(self, reply: Reply) -> Reply:
        if not self.learning:
            return reply
        return replace(reply, blocks=(*reply.blocks, Block(self.messages("learning_notice"))))

    def not_understood(self, candidates: list[Candidate]) -> Reply:
        suggestions = [b for c in candidates if (b := self._intent_button(c.intent))][:MAX_SUGGESTIONS]
        blocks = [Block(self.messages("not_understood"))]
        if suggestions:
            blocks.append(Block(self.messages("not_understood_suggestions")))
        return Reply(blocks=tuple(blocks), buttons=distinct_buttons(*suggestions, *self.menu_buttons()), matched=False,
                     confidence=candidates[0].confidence if candidates else 0.0)

    def did_you_mean(self, candidates: list[Candidate]) -> Reply:
        buttons = [b for c in candidates if (b := self._intent_button(c.intent))]
        if not buttons:
            return self.not_understood(candidates)  # "Vouliez-vous dire : [Menu]" would offer nothing
        return Reply(
            blocks=(Block(self.messages("did_you_mean")),),
            buttons=(*buttons, Button(self.messages("button_menu"), encode(Menu()))),
            matched=False,
            confidence=candidates[0].confidence,
        )

    def _intent_button(self, intent_id: str) -> Button | None:
        intent = self.intent(intent_id)
        if intent is None:
            return None
        if intent.knowledge:
            entry = self.content.entries[intent.knowledge]
            return Button(entry_button(entry).label, encode(AskIntent(intent.id)))
        labels = {"orientation": "button_orientation", "catalogue": "button_catalogue", "cress": "button_cress"}
        if intent.action in labels:
            return Button(self.messages(labels[intent.action]), encode(AskIntent(intent.id)))
        return None

    # -- catalogue --------------------------------------------------------------------------

    def catalogue(self) -> Reply:
        buttons = tuple(Button(self.messages(f"theme_{t}"), encode(CatalogueTheme(t))) for t in CATALOGUE_THEMES)
        return Reply(blocks=(Block(self.messages("catalogue_intro")),), buttons=buttons, matched=True,
                     intent="catalogue", confidence=1.0)

    def catalogue_theme(self, theme: str) -> Reply:
        entries = sorted(
            (e for e in self.content.entries.values() if theme in e.themes and e.kind != "faq"),
            key=lambda e: e.name.lower(),
        )
        title = self.messages(f"theme_{theme}")
        back = Button(self.messages("button_catalogue"), encode(Catalogue()))
        if not entries:
            return Reply(blocks=(Block(self.messages("catalogue_empty")),), buttons=(replace(back, label=title),))
        lines = "\n".join(f"• {e.name} : {e.summary}" for e in entries)
        return Reply(
            blocks=(Block(self.messages("catalogue_theme", title=title)), Block(lines)),
            buttons=(*(entry_button(e) for e in entries), back),
            matched=True,
            intent="catalogue",
            confidence=1.0,
        )

    # -- CRESS ------------------------------------------------------------------------------

    def cress_reply(self, state: ConversationState, place: PlaceMatch | None) -> tuple[Reply, ConversationState]:
        if place is not None:
            return self.cress_for_places(state, place.candidates)
        if state.place is not None:
            card = self.territory.cress_card(state.place.region_code)
            reply = Reply(
                blocks=(Block(self.messages("cress_for_place", place=state.place.label)),),
                cards=(card,),
                matched=True,
                intent="cress_contact",
                confidence=1.0,
            )
            return reply, state.with_(last_intent="cress_contact")
        return self.say("cress_ask_place"), state.with_(pending="place", last_intent="cress_contact")

    def cress_for_places(
        self, state: ConversationState, places: tuple[Place, ...]
    ) -> tuple[Reply, ConversationState]:
        if len(places) > 1:
            buttons = tuple(Button(self.territory.label(p), encode(PickPlace(p.kind, p.code))) for p in places)
            reply = Reply(
                blocks=(Block(self.messages("cress_choose_place")),),
                buttons=buttons,
                matched=True,
                intent="cress_contact",
                confidence=1.0,
            )
            return reply, state.with_(pending="place", choices=tuple(b.payload for b in buttons))
        state = self.remember_place(state, places)
        assert state.place is not None
        return self.cress_reply(state.with_(pending=None, choices=()), None)

    def remember_place(self, state: ConversationState, places: tuple[Place, ...]) -> ConversationState:
        if len(places) != 1:
            return state
        place = places[0]
        ref = PlaceRef(place.kind, place.code, self.territory.label(place), self.territory.region_of(place))
        return state.with_(place=ref)


def _only_punctuation(text: str) -> bool:
    """"?", "..." : typed, but no words; emoji and stickers are something else ("no_text")."""
    return all(unicodedata.category(c)[0] in "PZ" or c.isspace() for c in text)
