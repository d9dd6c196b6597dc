"""How a message is told: about oneself, with a subject, as a question (the engine decides from
this whether a message is a profile for the orientation or a question to answer)."""

from __future__ import annotations

import re

from bot.nlu.normalize import normalize

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
                    "doit on", "doit il", "sommes nous", "suis je", "ai je", "avons nous", "est il", "est elle",
                    "que faire", "quoi faire", "on fait comment")
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


# A story's question: the last sentence that asks (with a "?"), or else its last sentence; with the
# sentence before when shorter than this many words ("Ça existe ?", "Qui peut nous aider ?" say
# little alone). Measured with benchmarks/tuning_sets.py (see bot.nlu.linear.QUESTION_WEIGHT):
# top-1 + off-topic 1099 of 1186 from 4 words, 1102 from 6, 1103 from 8, 1104 from 10 to 14
# (precise 603 from 10, 604 from 12 and 14), 1101 from 20.
QUESTION_MIN_WORDS = 12
_SENTENCE_RE = re.compile(r"[^.!?…\n]+[.!?…]*")


def final_question(raw: str) -> str | None:
    """The normalised question a message of several sentences ends on (see QUESTION_MIN_WORDS),
    or None for a message of one sentence."""
    sentences = [s.strip() for s in _SENTENCE_RE.findall(raw) if s.strip()]
    if len(sentences) < 2:
        return None
    asking = [k for k, s in enumerate(sentences) if "?" in s]
    k = asking[-1] if asking else len(sentences) - 1
    question = normalize(sentences[k])
    if len(question.split()) < QUESTION_MIN_WORDS and k > 0:
        question = normalize(f"{sentences[k - 1]} {sentences[k]}")
    return question or None
