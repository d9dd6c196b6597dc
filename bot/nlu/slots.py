"""Find the orientation's slot values (who, stage, need) and control words in a message."""

from __future__ import annotations

import re
from dataclasses import dataclass

from rapidfuzz import fuzz, process

from bot.content.models import SlotsFile
from bot.nlu.normalize import normalize

# A short typed answer to the current question is matched fuzzily at this score (0-100).
FUZZY_CUTOFF = 86.0
SLOT_NAMES = ("who", "stage", "need")
# A message about oneself: "on est une scop", "notre asso a des dettes" (the orientation is offered).
FIRST_PERSON = frozenset({"je", "j", "on", "nous", "notre", "nos", "mon", "ma", "mes"})
# A profile is told with a first-person subject: "on est une scop en difficulté", "je suis une
# asso", "nous sommes...". A possessive ("notre asso a des difficultés") or an object pronoun ("la
# mairie refuse de nous donner...") tells a problem to answer, not who one is.
FIRST_PERSON_SUBJECTS = frozenset({"je", "j", "on"})


def speaks_of_oneself(normalised: str) -> bool:
    return not FIRST_PERSON.isdisjoint(normalised.split())


def tells_who_one_is(normalised: str) -> bool:
    tokens = normalised.split()
    if not FIRST_PERSON_SUBJECTS.isdisjoint(tokens):
        return True
    # "nous" is the subject when its verb follows: "nous sommes", "nous avons", "nous voulons".
    return any(t == "nous" and (n == "sommes" or n.endswith("ons")) for t, n in zip(tokens, tokens[1:], strict=False))


# Words that make a message a question wherever they stand, and those that do at its start.
QUESTION_PHRASES = ("c est quoi", "c quoi", "est ce que", "est ce qu", "qu est ce", "peut on", "peut il", "peut elle",
                    "peuvent ils",
                    "peuvent elles", "puis je", "pouvons nous", "a t il", "a t on", "y a t il", "faut il",
                    "doit on", "doit il", "sommes nous", "suis je", "ai je", "avons nous", "est il", "est elle")
QUESTION_STARTS = frozenset(
    "comment pourquoi quand combien quel quelle quels quelles qui quoi ou lequel laquelle lesquels "
    "lesquelles peut peuvent existe faut est".split()
)
# Words that make a question wherever they stand ("on veut créer une asso, c'est quoi les démarches").
QUESTION_WORDS = frozenset("comment combien pourquoi quoi koi quel quelle quels quelles".split())
# French inversion: "notre association peut-elle", "pouvons-nous", "existe-t-il".
_INVERSION_RE = re.compile(r"\w-(?:t-)?(?:je|tu|il|elle|on|nous|vous|ils|elles)\b", re.IGNORECASE)


def asks_question(raw: str, normalised: str) -> bool:
    """True when a message asks something rather than only describing who one is."""
    if "?" in raw or _INVERSION_RE.search(raw):
        return True
    tokens = normalised.split()
    if tokens and tokens[0] in QUESTION_STARTS:
        return True
    padded = f" {normalised} "
    return any(f" {p} " in padded for p in QUESTION_PHRASES) or not QUESTION_WORDS.isdisjoint(tokens)


@dataclass(frozen=True)
class _Phrase:
    tokens: tuple[str, ...]
    slot: str
    value: str


class SlotExtractor:
    def __init__(self, vocabulary: SlotsFile) -> None:
        self.labels: dict[str, dict[str, str]] = {}
        phrases: list[_Phrase] = []
        for slot in SLOT_NAMES:
            values = getattr(vocabulary.slots, slot)
            self.labels[slot] = {value: spec.label for value, spec in values.items()}
            for value, spec in values.items():
                for phrase in [*spec.phrases, spec.label]:
                    phrases.append(_Phrase(tuple(normalize(phrase).split()), slot, value))
        # Longest phrases first: "entreprise d insertion" wins over "entreprise".
        self._phrases = sorted(phrases, key=lambda p: -len(p.tokens))
        self._by_first_token: dict[str, list[int]] = {}
        for rank, phrase in enumerate(self._phrases):
            if phrase.tokens:
                self._by_first_token.setdefault(phrase.tokens[0], []).append(rank)
        self._by_slot = {
            slot: {" ".join(p.tokens): p.value for p in reversed(self._phrases) if p.slot == slot}
            for slot in SLOT_NAMES
        }
        self._controls = {
            name: {normalize(p) for p in getattr(vocabulary.controls, name)}
            for name in ("back", "restart", "cancel", "skip")
        }

    def extract(self, normalised: str) -> dict[str, str]:
        """Slot values said in the message; each word counts for one phrase only, longest
        phrases first."""
        tokens = normalised.split()
        matches: list[tuple[int, int]] = []  # (phrase rank, start): the order phrases are tried in
        for start, token in enumerate(tokens):
            for rank in self._by_first_token.get(token, ()):
                phrase = self._phrases[rank]
                if tuple(tokens[start : start + len(phrase.tokens)]) == phrase.tokens:
                    matches.append((rank, start))
        used = [False] * len(tokens)
        found: dict[str, str] = {}
        for rank, start in sorted(matches):
            phrase = self._phrases[rank]
            end = start + len(phrase.tokens)
            if any(used[start:end]):
                continue
            for i in range(start, end):
                used[i] = True
            found.setdefault(phrase.slot, phrase.value)
        return found

    def extract_answer(self, slot: str, normalised: str) -> str | None:
        """The value of `slot` in an answer to its question, typos allowed."""
        exact = self.extract(normalised).get(slot)
        if exact:
            return exact
        choices = self._by_slot[slot]
        best = process.extractOne(
            normalised, list(choices), scorer=fuzz.ratio, processor=None, score_cutoff=FUZZY_CUTOFF
        )
        return choices[best[0]] if best else None

    def control(self, normalised: str) -> str | None:
        """'back', 'restart', 'cancel' or 'skip' when the whole message is such a word."""
        for name, phrases in self._controls.items():
            if normalised in phrases:
                return name
        return None
