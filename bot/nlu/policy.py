"""The one decision policy over a ranking: answer, ask "Vouliez-vous dire ... ?", or say the
message is not understood (out of scope). Thresholds live here and nowhere else; they are
tuned with benchmarks/compare_rankers.py and benchmarks/bench_nlu.py on the validation split.
"""

from __future__ import annotations

import re
from collections.abc import Container, Mapping
from dataclasses import dataclass, replace
from typing import Literal

from bot.nlu.ranking import Candidate

OUT_OF_SCOPE = "out_of_scope"
# Below this confidence the bot does not answer.
THRESHOLD = 0.50
# A candidate under the threshold is still answered when it dominates the runner-up this much
# (its share of the two best) and reaches DOMINANCE_FLOOR: long stories spread the probability
# over many topics while still pointing at one.
DOMINANCE = 0.70
DOMINANCE_FLOOR = 0.30
# Between this floor and the threshold, the closest topics are offered ("Vouliez-vous dire").
SUGGESTION_FLOOR = 0.20
MAX_SUGGESTIONS = 3
# A profile told without a question starts the orientation, except when it clearly needs human
# help that no scheme gives ("notre asso est en conflit avec la commune"): then that route is
# answered, at this confidence or more.
HUMAN_HELP_INTENTS = frozenset({"aide_juridique"})
HUMAN_HELP_CONFIDENCE = 0.85
# A story (this many words or more) that the out-of-scope class wins without certainty, or whose
# topics all stay under the suggestion floor, still gets its closest topics offered from this
# lower floor: people tell their situation in everyday words before asking about the ESS, and a
# flat "je ne comprends pas" after a long message is the worst answer.
STORY_WORDS = 26
STORY_OUT_OF_SCOPE_CERTAIN = 0.80
STORY_SUGGESTION_FLOOR = 0.08
# ... and is answered from a lower threshold and dominance: its probability is spread over the
# many topics its situation words touch.
STORY_THRESHOLD = 0.35
STORY_DOMINANCE = 0.60
# Above the threshold, a runner-up this close to the best makes the bot ask which one was meant.
# 0.05 -> 0.02 once the FAQs had doubled (8 tuning sets): top-1 1481 -> 1485 of 1562, precise 1056 ->
# 1060 of 1138, off-topic unchanged; 0.01 gives the same, 0.03 and 0.04 less.
AMBIGUITY_MARGIN = 0.02

# A place named in passing counts only in a message clearly about the ESS: answered from the
# threshold, with the out-of-scope class under this confidence ("un appartement à Rennes" names no place to keep).
# On the validation and old dev sets, in-scope messages that keep a place give the out-of-scope
# class at most 0.01; off-topic ones answered by mistake ("je cherche du travail à Nantes") 0.05 or more.
OUT_OF_SCOPE_DOUBT = 0.03

# A message that asks a precise point (PRECISE_POINT_RE: an amount, a delay, who decides, a right,
# a yes/no question...) whose best reading is a scheme's card gets the card's best FAQ instead when
# that FAQ reaches this share of the card's confidence: the card is the general answer, and a
# named scheme's card is lifted to EXACT_FLOOR whatever its probability (bot.nlu.linear), where its
# FAQs are not. Measured with benchmarks/tuning_sets.py on the five tuning sets together (with the
# card/FAQ retrieval, bot.nlu.linear.FAMILY_WEIGHT): precise questions answered by their entry
# 577 -> 581 of 643 (blind_dev3 190 -> 193 of 213), tests/data/precise_questions.yaml 373 -> 380 of
# 408, top-1 + off-topic 1085 -> 1085 of 1186, general questions about a scheme answered with its
# card 64 -> 63 of 82 (a story about URSSAF reminders got the FAQ on URSSAF debts). Share 0.3: 1
# precise and 4 precise_questions fewer; 0.15: the same; without the marker (PRECISE_POINT_RE), 5
# general questions (stories) lost their card.
PRECISE_FAQ_SHARE = 0.2
# "est-ce qu'il / qu'on / qu'une" counts, "est-ce que" does not: it opens many stories' questions,
# and counting it cost two general stories their card for no precise question gained; so did
# "si je", "je peux", "on garde", "différence", "interdit", "obligation" (two cards, one precise question).
PRECISE_POINT_RE = re.compile(
    r"\b(?:combien|cb|quel(?:le)?s? (?:delai|duree|montant|somme|pourcentage|part|taux|age|plafond|date|cout|prix)"
    r"|montant|somme|delai|duree|plafond|taux|pourcentage|cout|prix|frais|gratuit|payant|payer|rembourse\w*"
    r"|maximum|minimum|max|min|jusqu a|quand|kan|a qui|qui (?:decide|peut|doit|paie|paye|finance|choisit|vote)"
    r"|obligatoire|obliges?|droit|possible|conditions?|faut il|faut t il"
    r"|[a-z]+ons nous|[a-z]+ez vous|[a-z]+ t (?:il|elle|on)"
    r"|(?:peut|peuvent|doit|doivent|est|sont|ont|va|vont|puis) (?:il|elle|on|ils|elles|je)"
    r"|est ce qu)\b"
)

# A message that says no word of the domain, whose best topic the out-of-scope class follows
# closely (at this share of its confidence or more), is read as off-topic: people outside the ESS
# tell their own administrative life in words the schemes share ("un client ne m'a pas payé ma
# facture", "à quel taux l'Urssaf prélève mes cotisations d'auto-entrepreneur", "un CDI intérimaire,
# c'est une bonne affaire ?"). A scheme named by its acronym or name counts as a word of the domain.
# Measured with benchmarks/tuning_sets.py: off-topic rejected 169 -> 174 of 184, top-1 926 -> 926
# of 1002 (0.40 the same; 0.35 lost an in-scope story of a laid-off worker wanting a loan; 0.50
# rejected one fewer). With a story's final question read on its own (bot.nlu.linear.QUESTION_WEIGHT),
# which rejects three of those stories by itself: 172 -> 174, top-1 unchanged, from 0.35 to 0.50.
OFF_DOMAIN_SHARE = 0.45
# "associés" is not one: a SAS has them too ("asso" and "association" are).
DOMAIN_WORD_RE = re.compile(
    r"\b(?:asso(?!cie)\w*|coop\w*|scop|scic|cae|ess|solidaires?|solidarite|insertion|benevol\w*|subventions?|mecenat"
    r"|dons?|fondations?|tiers lieux?|cress|dla|esus\w*|siae|iae|collectivites?|communes?|mairies?|maires?|elus?|elues?"
    r"|utilite sociale|impact|interet general|territoires?|quartiers?|(?<!capital )(?<!siege )(?<!raison )social\w*"
    r"|economie|sociaux)\b"
)

# Speaking of oneself, or as a group (an organisation speaks as "nous", "notre", "on").
I_WORDS = frozenset({"je", "j", "moi", "me", "m", "mon", "ma", "mes"})
# "un prêt entre particuliers, c'est légal ?": private persons, named as such.
PRIVATE_PERSON_WORDS = frozenset({"particulier", "particuliers"})
WE_WORDS = frozenset({"nous", "notre", "nos", "on"})
# A company form of the ordinary economy ("créer une SAS à deux associés"): a firm's question, not a
# cooperative's or an association's, unless the message says a word of the domain.
FIRM_FORM_RE = re.compile(r"\b(?:sas|sasu|sarl|eurl|sci|snc|micro ?entreprises?|auto ?entrepreneure?s?"
                          r"|entreprises? individuelles?)\b")

DecisionKind = Literal["answer", "did_you_mean", "not_understood"]


@dataclass(frozen=True)
class Decision:
    kind: DecisionKind
    top: Candidate | None = None  # the candidate to answer
    suggestions: tuple[Candidate, ...] = ()  # what to offer when not answering


def decide(candidates: list[Candidate], words: int = 0, faq_of: Mapping[str, str] | None = None) -> Decision:
    """What to do with a ranking; `words` is the message's length (stories get suggestions);
    `faq_of` maps a FAQ intent to the intent of the scheme it is about."""
    faq_of = faq_of or {}
    top = candidates[0] if candidates else None
    others = [c for c in candidates if c.intent != OUT_OF_SCOPE]
    suggestions = tuple(c for c in others if c.confidence >= SUGGESTION_FLOOR)[:MAX_SUGGESTIONS]
    if words >= STORY_WORDS and top is not None:
        story = tuple(c for c in others if c.confidence >= STORY_SUGGESTION_FLOOR)[:MAX_SUGGESTIONS]
        unsure_off_topic = top.intent == OUT_OF_SCOPE and top.confidence < STORY_OUT_OF_SCOPE_CERTAIN
        unsure_topic = top.intent != OUT_OF_SCOPE and top.confidence < SUGGESTION_FLOOR
        if story and (unsure_off_topic or unsure_topic):
            return Decision("did_you_mean", suggestions=story)
    threshold, dominance = (STORY_THRESHOLD, STORY_DOMINANCE) if words >= STORY_WORDS else (THRESHOLD, DOMINANCE)
    if top is None or top.intent == OUT_OF_SCOPE:
        # Confidently off-topic: no guess, the menu (and only strong suggestions).
        strong = tuple(c for c in suggestions if top is None or c.confidence >= top.confidence / 2)
        return Decision("not_understood", suggestions=strong)
    second = candidates[1].confidence if len(candidates) > 1 else 0.0
    dominant = top.confidence >= DOMINANCE_FLOOR and top.confidence / (top.confidence + second) >= dominance
    # A scheme's card and one of its FAQs as the two best readings: the topic is as sure as both together.
    family = len(candidates) > 1 and _faq_of_the_other(top, candidates[1], faq_of) is not None
    sure = top.confidence + second if family else top.confidence
    if sure >= threshold or dominant:
        runner_up = others[1] if len(others) > 1 else None
        if runner_up is not None and top.score - runner_up.score < AMBIGUITY_MARGIN:
            close = (c for c in others[1:] if top.score - c.score < AMBIGUITY_MARGIN)
            precise = next((faq for c in close if (faq := _faq_of_the_other(top, c, faq_of)) is not None), None)
            if precise is not None:
                # A scheme and one of its FAQ entries, close ("la cae me garde combien d'annees ?"),
                # even with another topic as close ("france active ça coûte combien ? c'est pour notre
                # tiers-lieu"): the FAQ answers the precise point and leads to the scheme, no need to ask.
                return Decision("answer", top=precise)
            return Decision("did_you_mean", suggestions=(top, runner_up))
        return Decision("answer", top=top)
    if len(suggestions) >= 1 and top.confidence >= SUGGESTION_FLOOR:
        return Decision("did_you_mean", suggestions=suggestions)
    return Decision("not_understood", suggestions=suggestions)


def precise_point(candidates: list[Candidate], normalised: str, faq_of: Mapping[str, str]) -> list[Candidate]:
    """The candidates, with the card's best FAQ first (at the card's confidence) when the message
    asks a precise point of that scheme (see PRECISE_FAQ_SHARE): "notre chorale n'a que des
    bénévoles, a-t-on accès au dispositif local d'accompagnement ?" gets the FAQ on the DLA without
    employees, "parlez-moi du DLA" the card."""
    if len(candidates) < 2:
        return candidates
    top = candidates[0]
    if top.intent in faq_of or not PRECISE_POINT_RE.search(normalised):
        return candidates
    faq = next((c for c in candidates[1:] if faq_of.get(c.intent) == top.intent), None)
    if faq is None or faq.confidence < PRECISE_FAQ_SHARE * top.confidence:
        return candidates
    # The two swap places and confidences: the decision on the card now stands for its FAQ.
    swapped = {top: replace(faq, confidence=top.confidence, score=top.score),
               faq: replace(top, confidence=faq.confidence, score=faq.score)}
    return [swapped.get(c, c) for c in candidates]


def off_domain_first(candidates: list[Candidate], normalised: str, knowledge: Container[str]) -> list[Candidate]:
    """The candidates, with the out-of-scope class first when the message says no word of the
    domain and that class follows a knowledge topic closely (see OFF_DOMAIN_SHARE)."""
    top = candidates[0] if candidates else None
    if top is None or top.exact or top.intent not in knowledge or DOMAIN_WORD_RE.search(normalised):
        return candidates
    off = next((c for c in candidates if c.intent == OUT_OF_SCOPE), None)
    if off is None or off.confidence < OFF_DOMAIN_SHARE * top.confidence:
        return candidates
    return [off, *(c for c in candidates if c is not off)]


def organisations_only(decision: Decision, normalised: str, organisation_faqs: Container[str]) -> Decision:
    """A FAQ that asks an organisation's question ("Une association peut-elle prendre un
    stagiaire ?") is only offered, not answered, to someone who speaks of their own private
    situation with no word of the domain: a student asking what their internship must pay them
    ("je suis en BTS, ma gratification...") is not an association taking an intern; "notre club",
    "on" or a question without a person still are. Measured on the tuning sets: off-topic rejected
    217 -> 219 of 224, top-1 1437 -> 1436 of 1512, precise unchanged; on blind_dev6 (near-domain
    messages written for the new topics) 97 -> 104 of 110. Without "on" among the group's words:
    one more rejected there, two in-scope questions lost. A message naming an ordinary company form
    (FIRM_FORM_RE: "créer une SAS à deux associés") is a firm's, whoever speaks: off-topic rejected
    325 -> 327 of 334 on the eight tuning sets, nothing else moved (with "capital social", "siège
    social" and "raison sociale" no longer words of the domain)."""
    top = decision.top
    words = set(normalised.split())
    if (decision.kind != "answer" or top is None or top.exact or top.intent not in organisation_faqs
            or DOMAIN_WORD_RE.search(normalised)):
        return decision
    private = words & PRIVATE_PERSON_WORDS or (words & I_WORDS and not words & WE_WORDS)
    if not FIRM_FORM_RE.search(normalised) and not private:
        return decision
    return Decision("did_you_mean", suggestions=(top, *(c for c in decision.suggestions if c != top)))


def _faq_of_the_other(a: Candidate, b: Candidate, faq_of: Mapping[str, str]) -> Candidate | None:
    if faq_of.get(a.intent) == b.intent:
        return a
    if faq_of.get(b.intent) == a.intent:
        return b
    return None


def clearly_in_scope(decision: Decision, candidates: list[Candidate], normalised: str = "") -> bool:
    """The message is answered from the threshold (not only by dominance, as stories are) and
    says a word of the domain ("je suis élue d'une commune en Haute-Loire") or the out-of-scope
    class is no serious contender."""
    if decision.kind != "answer" or decision.top is None or decision.top.confidence < THRESHOLD:
        return False
    if DOMAIN_WORD_RE.search(normalised):
        return True
    return all(c.confidence < OUT_OF_SCOPE_DOUBT for c in candidates if c.intent == OUT_OF_SCOPE)


def answers(candidates: list[Candidate]) -> Candidate | None:
    """The candidate the bot answers with, if any (for callers that only need that)."""
    decision = decide(candidates)
    return decision.top if decision.kind == "answer" else None
