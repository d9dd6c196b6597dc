"""Reading one message during the orientation.

What it says (slot values), what it denies ("je ne suis pas la mairie", "pas à Paris"),
whether it corrects an earlier answer, whether it names a place the user means, and whether
it is a question about something else. Phrases come from intents/slots.yaml; the small word
lists below are French grammar, not content.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from functools import cached_property

from rapidfuzz import fuzz, process

from bot.content.models import SlotsFile, SlotValue
from bot.nlu.normalize import normalize
from bot.orientation.flow import SLOT_STEPS

# A short typed answer to the current question is matched fuzzily at this score (0-100).
FUZZY_CUTOFF = 86.0
# "pas", "ni", "non" deny what follows, up to the end of the clause or this many words.
# ("plus" is left out: "plus de 10 salariés", "on n'arrive plus à payer".)
NEGATIONS = frozenset({"pas", "ni", "non", "jamais"})
MAX_DENIED_WORDS = 4
CLAUSE_STARTS = frozenset({"je", "j", "on", "nous", "mais", "plutot", "c", "moi", "et", "car", "donc"})
# Words that allow an earlier answer to be replaced: a correction or a statement of who one is.
CORRECTION_PHRASES = ("en fait", "finalement", "plutot", "pardon", "erreur", "trompe", "trompee", "corrige",
                      "je voulais dire", "en realite")
BEING_WORDS = frozenset({"suis", "sommes", "est", "etes", "sont", "moi"})
# Words that show a place is where the user is, not a place they talk about.
LOCATIVE_WORDS = frozenset({
    "suis", "sommes", "est", "habite", "habitons", "habitent", "vis", "vit", "vivons", "base", "basee", "bases",
    "basees", "situe", "situee", "situes", "situees", "installe", "installee", "installes", "implante",
    "implantee", "implantes", "moi", "ici", "travaille", "travaillons",
})
# A question about something else: asked in the middle of the flow, answered, then the flow resumes.
QUESTION_PHRASES = (
    "c est quoi", "qu est ce", "question", "comment", "pourquoi", "combien", "est ce que", "ca veut dire",
    "veut dire", "definition", "explique", "expliquer", "difference", "ca sert", "sert a quoi",
)
WEAK_QUESTION_WORDS = frozenset({"quel", "quelle", "quels", "quelles", "qui", "quand", "fait", "peux", "peut"})
_NUMBER_WORDS = {
    "zero": 0, "un": 1, "une": 1, "deux": 2, "trois": 3, "quatre": 4, "cinq": 5, "six": 6, "sept": 7, "huit": 8,
    "neuf": 9, "dix": 10, "onze": 11, "douze": 12, "quinze": 15, "vingt": 20, "trente": 30, "quarante": 40,
    "cinquante": 50, "cent": 100,
}
_EMPLOYEE_RE = re.compile(
    r"\b(\d+|" + "|".join(_NUMBER_WORDS)
    + r")\s+(?:\w+\s+)?(salaries|salarie|salariee|salariees|employes|employe|etp)\b"
)
MANY_EMPLOYEES = 10
INDIVIDUAL = "porteur_individuel"
# Words before a short answer that do not change it.
FILLERS = frozenset({"non", "oui", "euh", "ben", "bah", "alors", "bon", "eh", "hmm", "ok", "d", "accord"})


@dataclass(frozen=True)
class _Phrase:
    tokens: tuple[str, ...]
    slot: str
    value: str


class Vocabulary:
    """The orientation's slot values and how people say them (intents/slots.yaml)."""

    def __init__(self, file: SlotsFile) -> None:
        self.values: dict[str, dict[str, SlotValue]] = {
            slot: dict(getattr(file.slots, slot)) for slot in SLOT_STEPS
        }
        phrases: list[_Phrase] = []
        self._answers: dict[str, dict[str, str]] = {}
        for slot, values in self.values.items():
            answers: dict[str, str] = {}
            for value, spec in values.items():
                for phrase in [*spec.phrases, spec.label]:
                    phrases.append(_Phrase(tuple(normalize(phrase).split()), slot, value))
                for phrase in [*spec.phrases, spec.label, *spec.answers]:
                    answers.setdefault(normalize(phrase), value)
            self._answers[slot] = answers
        # Longest phrases first: "entreprise d insertion" wins over "entreprise".
        self._phrases = sorted(phrases, key=lambda p: -len(p.tokens))
        # Rank of each phrase in that order, by first word: a message only tries the phrases that
        # start with one of its words (a long story against every phrase cost 14 ms).
        self._by_first_word: dict[str, list[tuple[int, _Phrase]]] = defaultdict(list)
        for rank, phrase in enumerate(self._phrases):
            if phrase.tokens:
                self._by_first_word[phrase.tokens[0]].append((rank, phrase))
        self._controls = {
            name: {normalize(p) for p in getattr(file.controls, name)}
            for name in ("back", "restart", "cancel", "skip", "more")
        }

    def label(self, slot: str, value: str) -> str:
        return self.values[slot][value].label

    def why(self, slot: str, value: str) -> str:
        spec = self.values[slot][value]
        return spec.why or spec.label.lower()

    def also_needs(self, slot: str, value: str | None) -> list[str]:
        return list(self.values[slot][value].also_needs) if value else []

    def control(self, normalised: str) -> str | None:
        """'back', 'restart', 'cancel', 'skip' or 'more' when the whole message is such a word."""
        for name, phrases in self._controls.items():
            if normalised in phrases:
                return name
        return None

    def answer(self, slot: str, normalised: str) -> str | None:
        """The value of `slot` in a short reply to its own question ("oui", "aucun", typos)."""
        if slot == "employees" and normalised.isdigit():
            return _employees_bucket(int(normalised))  # "Combien de salariés ?" "3"
        choices = self._answers[slot]
        if normalised in choices:
            return choices[normalised]
        words = normalised.split()
        if len(words) > 1 and words[0] in FILLERS and " ".join(words[1:]) in choices:
            return choices[" ".join(words[1:])]  # "non, aucun", "ben oui"
        best = process.extractOne(normalised, list(choices), scorer=fuzz.ratio, processor=None,
                                  score_cutoff=FUZZY_CUTOFF)
        return choices[best[0]] if best else None

    def find(self, tokens: list[str]) -> dict[str, str]:
        """Slot values said in these words; each word counts for one phrase only."""
        used = [False] * len(tokens)
        found: dict[str, str] = {}
        text = " ".join(tokens)
        for match in _EMPLOYEE_RE.finditer(text):
            word = match.group(1)
            count = int(word) if word.isdigit() else _NUMBER_WORDS[word]
            found.setdefault("employees", _employees_bucket(count))
            start = len(text[: match.start()].split())
            for i in range(start, start + len(match.group(0).split())):
                used[i] = True
        starts: dict[str, list[int]] = defaultdict(list)
        for i, token in enumerate(tokens):
            starts[token].append(i)
        candidates = sorted(
            (c for word in starts for c in self._by_first_word.get(word, ())), key=lambda c: c[0]
        )
        for _, phrase in candidates:
            size = len(phrase.tokens)
            for start in starts[phrase.tokens[0]]:
                if any(used[start : start + size]) or tuple(tokens[start : start + size]) != phrase.tokens:
                    continue
                for i in range(start, start + size):
                    used[i] = True
                if phrase.slot == "who" and found.get("who") == INDIVIDUAL:
                    # "étudiants qui montent une coopérative": the structure they build decides.
                    found["who"] = phrase.value
                found.setdefault(phrase.slot, phrase.value)
        return found

    @cached_property
    def negation_phrases(self) -> list[tuple[str, ...]]:
        """Phrases that contain a negation ("pas de salarie"), longest first."""
        return sorted({p.tokens for p in self._phrases if NEGATIONS & set(p.tokens)}, key=len, reverse=True)


def _employees_bucket(count: int) -> str:
    if count <= 0:
        return "aucun"
    return "quelques" if count < MANY_EMPLOYEES else "nombreux"


@dataclass(frozen=True)
class Reading:
    said: dict[str, str]  # slot -> value the message states
    denied: dict[str, str]  # slot -> value the message denies ("pas la mairie")
    kept_text: str  # the message without its denied parts, where a meant place is looked for
    denied_texts: tuple[str, ...]  # the denied parts ("a paris"), where a denied place is looked for
    corrects: bool  # may replace an earlier answer ("en fait", "je suis", a denial)
    locative: bool  # says where the user is ("je suis dans le Gers", "on est basés à")
    question: bool  # clearly a question ("c'est quoi", "comment", "pourquoi")
    maybe_question: bool  # "quel", "qui": a question unless it answers the step
    tokens: tuple[str, ...] = field(default=())

    @property
    def is_empty(self) -> bool:
        return not self.said and not self.denied


def read(vocabulary: Vocabulary, normalised: str) -> Reading:
    tokens = normalised.split()
    kept, denied_parts = _split_denials(tokens, vocabulary.negation_phrases)
    said = vocabulary.find(kept)
    denied: dict[str, str] = {}
    for part in denied_parts:
        for slot, value in vocabulary.find(part).items():
            if said.get(slot) != value:
                denied.setdefault(slot, value)
    words = set(tokens)
    padded = f" {normalised} "
    return Reading(
        said=said,
        denied=denied,
        kept_text=" ".join(kept),
        denied_texts=tuple(" ".join(p) for p in denied_parts),
        corrects=bool(words & BEING_WORDS) or any(f" {c} " in padded for c in CORRECTION_PHRASES) or bool(denied_parts),
        locative=bool(set(kept) & LOCATIVE_WORDS),
        question=any(f" {q} " in padded for q in QUESTION_PHRASES),
        maybe_question=bool(words & WEAK_QUESTION_WORDS),
        tokens=tuple(tokens),
    )


def _split_denials(
    tokens: list[str], negation_phrases: list[tuple[str, ...]]
) -> tuple[list[str], list[list[str]]]:
    """The words kept as said, and the denied spans: from a negation to the end of its clause.
    Phrases that contain a negation ("pas de salarie", "pas de projet") are said, not denials."""
    kept: list[str] = []
    denied: list[list[str]] = []
    i = 0
    while i < len(tokens):
        phrase = next((p for p in negation_phrases if tuple(tokens[i : i + len(p)]) == p), None)
        if phrase is not None:
            kept.extend(phrase)
            i += len(phrase)
            continue
        if tokens[i] in NEGATIONS:
            span: list[str] = []
            i += 1
            while i < len(tokens) and tokens[i] not in CLAUSE_STARTS and len(span) < MAX_DENIED_WORDS:
                span.append(tokens[i])
                i += 1
            if span:
                denied.append(span)
            continue
        kept.append(tokens[i])
        i += 1
    return kept, denied
