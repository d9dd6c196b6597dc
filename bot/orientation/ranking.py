"""Which schemes fit a profile, in which order, and which to show as set aside.

Eligibility is read from the knowledge entries (`Eligibility`); this module only compares.
One rule keeps the results consistent: a scheme is recommended only if it fits every
criterion it states, and set aside only if it answers the user's need and misses exactly one
criterion, the one its own `exclusion` line explains. The two can never overlap. Among those,
only the ones the user might have expected are shown (see `_expected`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from bot.content.models import Eligibility, Entry

MIN_RESULTS = 2
MAX_RESULTS = 8  # the first three on screen, the others behind "voir plus"
FIRST_SHOWN = 3
MAX_OF_A_FAMILY = 2  # of the first three (see `_varied`)
MAX_EXCLUSIONS = 2
# The need matters most; then how specific the scheme is to the profile.
NEED_WEIGHT = 3.0
ALSO_NEED_WEIGHT = 2.0
WHO_WEIGHT = 0.5
STAGE_WEIGHT = 1.0
STAGE_LISTED = 0.5
# A scheme made for employers (or for volunteer-run associations, or for a territory's need)
# is a better answer to those who are than a scheme open to all.
CONSTRAINT_WEIGHT = 1.5
UNCERTAIN_PENALTY = 1.0
LOCAL_BONUS = 0.5
# What the user wrote ranks the schemes that fit: the matcher's confidence for the entry,
# from nothing at TEXT_FLOOR (a long story matches everything a little) to TEXT_WEIGHT at TEXT_FULL.
TEXT_WEIGHT = 3.0
TEXT_FLOOR = 0.35
TEXT_FULL = 0.75
# A scheme for another kind of structure is shown as set aside only when the user's words
# matched it at least this well ("un prêt d'honneur pour notre association").
EXPECTED_TEXT = 0.5
NEAR_MISSES = ("employees", "project")
# A scheme that fits the profile but not the need chosen is recommended when the user's words
# matched it this well.
NAMED_TEXT = 0.6
ALL_STAGES = 6
LOCAL_LEVELS = {"regional", "departemental", "local"}


@dataclass(frozen=True)
class Profile:
    who: str
    stage: str
    need: str
    employees: str | None = None  # None: not asked (no scheme in view depends on it)
    project: str | None = None
    also_needs: tuple[str, ...] = ()
    has_place: bool = False
    relevance: Mapping[str, float] = field(default_factory=dict)  # entry id -> matcher confidence


@dataclass(frozen=True)
class Recommendation:
    entry: Entry
    score: float
    # The criteria the scheme states and the profile meets, in reading order, and the need it
    # answers (None when it is shown only because too few schemes answer the need).
    reasons: tuple[str, ...]
    need: str | None


@dataclass(frozen=True)
class Exclusion:
    entry: Entry
    criterion: str  # the one criterion missed, which the entry's exclusion line explains


@dataclass(frozen=True)
class Ranking:
    chosen: list[Recommendation]
    excluded: list[Exclusion]


def candidates(entries: Mapping[str, Entry]) -> list[Entry]:
    """Entries the orientation can recommend: with eligibility, open, not a FAQ answer."""
    return [e for e in entries.values() if recommendable(e)]


def recommendable(entry: Entry) -> bool:
    return entry.eligibility is not None and entry.kind != "faq" and entry.status.state != "closed"


def misses(rules: Eligibility, profile: Profile) -> list[str]:
    """The criteria the profile does not meet (an unknown attribute is not a miss)."""
    missed = []
    if rules.structures and profile.who not in rules.structures:
        missed.append("who")
    if rules.stages and profile.stage not in rules.stages:
        missed.append("stage")
    if rules.employees and profile.employees is not None and profile.employees not in rules.employees:
        missed.append("employees")
    if rules.project and profile.project is not None and profile.project not in rules.project:
        missed.append("project")
    return missed


def need_met(rules: Eligibility, profile: Profile) -> str | None:
    if profile.need in rules.needs:
        return profile.need
    return next((n for n in profile.also_needs if n in rules.needs), None)


def recommend(entries: Mapping[str, Entry], profile: Profile) -> Ranking:
    fitting: list[Recommendation] = []
    fallback: list[Recommendation] = []
    excluded: list[tuple[bool, bool, str, Exclusion]] = []
    for entry in candidates(entries):
        rules = entry.eligibility
        assert rules is not None
        need = need_met(rules, profile)
        missed = misses(rules, profile)
        if missed:
            if need == profile.need and _expected(entry, missed, profile):
                # The nearest misses first: right kind of structure, then schemes before actors.
                excluded.append((missed[0] == "who", entry.kind != "scheme", entry.id, Exclusion(entry, missed[0])))
            continue
        score = _specificity(rules, profile)
        if entry.status.state == "uncertain":
            score -= UNCERTAIN_PENALTY
        if profile.has_place and LOCAL_LEVELS & set(rules.levels):
            score += LOCAL_BONUS
        score += text_score(profile.relevance.get(entry.id, 0.0))
        reasons = _reasons(rules, profile)
        if need is None:
            if profile.relevance.get(entry.id, 0.0) >= NAMED_TEXT:
                # Not listed for this need, but the user's own words named it ("un lieu pour les familles").
                fitting.append(Recommendation(entry, score + NEED_WEIGHT / 2, reasons, None))
            else:
                fallback.append(Recommendation(entry, score, reasons, None))
            continue
        weight = NEED_WEIGHT if need == profile.need else ALSO_NEED_WEIGHT
        # An entry lists its needs main one first: the Adie finances first, and accompanies too.
        weight += 1 / (1 + rules.needs.index(need))
        fitting.append(Recommendation(entry, score + weight, reasons, need))
    # Equal scores: the user's own words decide, then the id (a stable order).
    def order(r: Recommendation) -> tuple[float, float, str]:
        return -round(r.score, 6), -profile.relevance.get(r.entry.id, 0.0), r.entry.id

    fitting.sort(key=order)
    fallback.sort(key=order)
    chosen = _varied(fitting, entries)[:MAX_RESULTS]
    if len(chosen) < MIN_RESULTS:
        chosen += fallback[: MIN_RESULTS - len(chosen)]
    excluded.sort(key=lambda item: item[:3])
    return Ranking(chosen, [item[3] for item in excluded[:MAX_EXCLUSIONS]])


def depends_on(entries: Mapping[str, Entry], profile: Profile, criterion: str) -> bool:
    """Whether asking `criterion` (employees, project) could change the schemes shown: some
    scheme that answers the need and fits so far accepts only some of its values."""
    for entry in candidates(entries):
        rules = entry.eligibility
        assert rules is not None
        if need_met(rules, profile) is None or misses(rules, profile):
            continue
        if criterion == "employees" and rules.employees and len(rules.employees) < 3:
            return True
        if criterion == "project" and rules.project and len(rules.project) < 2:
            return True
    return False


def _varied(ranked: list[Recommendation], entries: Mapping[str, Entry]) -> list[Recommendation]:
    """The same order, except that the first three hold at most two entries of one family
    (entries that list each other in `see_also`: the prêt d'honneur and the networks that grant
    it), so that the first screen offers different kinds of help."""
    first: list[Recommendation] = []
    later: list[Recommendation] = []
    for rec in ranked:
        family = [r for r in first if _linked(r.entry, rec.entry)]
        if len(first) < FIRST_SHOWN and len(family) >= MAX_OF_A_FAMILY:
            later.append(rec)
        elif len(first) < FIRST_SHOWN:
            first.append(rec)
        else:
            later.append(rec)
    return first + sorted(later, key=lambda r: (-r.score, r.entry.id))


def _linked(a: Entry, b: Entry) -> bool:
    return a.id in b.see_also and b.id in a.see_also


def _expected(entry: Entry, missed: list[str], profile: Profile) -> bool:
    """Whether the user might have expected this scheme, so that saying why not helps: it answers
    their need and misses one criterion, the one its exclusion line explains. A miss on what the
    user just told (employees, own project: the DLA without salaried staff) is always worth
    saying; a miss on the kind of structure or the stage only when the user's words named it."""
    rules = entry.eligibility
    if rules is None or not rules.exclusion or len(missed) != 1 or rules.exclusion_about != missed[0]:
        return False
    return missed[0] in NEAR_MISSES or profile.relevance.get(entry.id, 0.0) >= EXPECTED_TEXT


def text_score(confidence: float) -> float:
    return TEXT_WEIGHT * min(max((confidence - TEXT_FLOOR) / (TEXT_FULL - TEXT_FLOOR), 0.0), 1.0)


def _specificity(rules: Eligibility, profile: Profile) -> float:
    score = WHO_WEIGHT * (1 + 1 / len(rules.structures)) if rules.structures else WHO_WEIGHT * 0.75
    if rules.stages:
        # Listing the stage says the scheme is made for it (France Active for structures in
        # difficulty); a scheme silent on stages is open to all, and says less about this profile.
        score += STAGE_WEIGHT * (STAGE_LISTED + 1 / len(rules.stages))
    if rules.employees and profile.employees is not None:
        score += CONSTRAINT_WEIGHT
    if rules.project and profile.project is not None:
        score += CONSTRAINT_WEIGHT
    return score


def _reasons(rules: Eligibility, profile: Profile) -> tuple[str, ...]:
    reasons = ["who"]
    if rules.employees and profile.employees is not None:
        reasons.append("employees")
    if rules.stages and len(rules.stages) < ALL_STAGES:
        reasons.append("stage")
    if rules.project and profile.project is not None:
        reasons.append("project")
    return tuple(reasons)
