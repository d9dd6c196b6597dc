"""Find the orientation's slot values (who, stage, need) and control words in a message."""

from __future__ import annotations

from dataclasses import dataclass

from rapidfuzz import fuzz, process

from bot.content.models import SlotsFile
from bot.nlu.normalize import normalize

# A short typed answer to the current question is matched fuzzily at this score (0-100).
FUZZY_CUTOFF = 86.0
SLOT_NAMES = ("who", "stage", "need")
# A profile is told in the first person: "on est une scop en difficulté", "je suis une asso".
FIRST_PERSON = frozenset({"je", "j", "on", "nous", "notre", "nos", "mon", "ma", "mes"})


def speaks_of_oneself(normalised: str) -> bool:
    return not FIRST_PERSON.isdisjoint(normalised.split())


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
        self._by_slot = {
            slot: {" ".join(p.tokens): p.value for p in reversed(self._phrases) if p.slot == slot}
            for slot in SLOT_NAMES
        }
        self._controls = {
            name: {normalize(p) for p in getattr(vocabulary.controls, name)}
            for name in ("back", "restart", "cancel", "skip")
        }

    def extract(self, normalised: str) -> dict[str, str]:
        """Slot values said in the message; each word counts for one phrase only."""
        tokens = normalised.split()
        used = [False] * len(tokens)
        found: dict[str, str] = {}
        for phrase in self._phrases:
            size = len(phrase.tokens)
            for start in range(len(tokens) - size + 1):
                if any(used[start : start + size]) or tuple(tokens[start : start + size]) != phrase.tokens:
                    continue
                for i in range(start, start + size):
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
