"""How a recognised place sits in a message: removing it, and telling a bare place apart."""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.nlu.normalize import normalize
from bot.nlu.words import STOP_WORDS
from bot.territory.places import PlaceMatch

# Words that only introduce a place ("je suis à Brest", "j'habite dans le 29"): a message made
# of these and a place is a request for the local contact, not a question about something else.
PLACE_FILLERS = frozenset(
    """
    habite habites habitons vis vit vivons situe situes situee basee base bases basees
    installe installes installee region departement dept ville commune coin secteur
    territoire pres chez cote vers code postal cp cress chambre regionale ess contact
    contacts coordonnees numero telephone email mail adresse site quoi quelle qui
    """.split()
)


def remove_span(normalised: str, span: str) -> str:
    """The message without the recognised place words (first occurrence)."""
    if not span:
        return normalised
    padded = f" {normalised} "
    index = padded.find(f" {span} ")
    if index < 0:
        return normalised
    return " ".join((padded[:index] + " " + padded[index + len(span) + 2 :]).split())


def is_place_only(rest: str) -> bool:
    """True when what is left once the place is removed says nothing else."""
    return all(token in STOP_WORDS or token in PLACE_FILLERS for token in rest.split())


# Words that ask for something of the place itself, not of its CRESS: "le code postal de Toulouse",
# "le site de la ville de Bordeaux". Made of place fillers, such a message would otherwise read as
# a bare place and get a CRESS card.
PLACE_PROPERTIES = frozenset("code postal cp site numero telephone adresse mail email".split())
# "Rennes c'est dans quelle region ?", "c'est ou Quimper ?": a question about where the place is.
WHERE_WORDS = frozenset({"ou"})
WHICH_WORDS = frozenset({"quel", "quelle", "quels", "quelles"})
AREA_WORDS = frozenset("region departement dept dpt dep ville commune".split())
# ... unless it names the CRESS or a contact: "le numero de la cress de Bretagne".
CRESS_WORDS = frozenset("cress chambre regionale ess contact contacts coordonnees".split())


def asks_about_the_place(normalised: str, matched: str) -> bool:
    """True when the message asks about the place it names (its postal code, its website, where it
    is) rather than for its CRESS, and does not say the user is there."""
    tokens = normalised.split()
    span = _span(tokens, matched)
    if span is None or matched[:1].isdigit() or any(t in CRESS_WORDS for t in tokens):
        return False
    before = tokens[: span[0]]
    if any(t in SELF_LOCATION for t in before) or set(zip(before, before[1:], strict=False)) & SELF_LOCATION_PAIRS:
        return False
    others = set(before) | set(tokens[span[1] :])
    cue, _ = _cue(tokens, span[0])
    property_of = (cue is None or cue in OF_CUES or cue in PLACE_PROPERTIES) and bool(others & PLACE_PROPERTIES)
    where = bool(others & WHERE_WORDS) or bool(others & WHICH_WORDS and others & AREA_WORDS)
    return property_of or where


# Words right before a place name that say it is a place: "a Brest", "en Bretagne", "dans le 29",
# "pres de Lyon", "cress Occitanie". Articles in between are skipped ("dans LE Nord").
PLACE_CUES = frozenset(
    """
    a au aux en dans pres proche vers sur chez cote habite habitons vis vit situe situee situes base basee bases
    installe installee implante implantee region departement dept dep dpt ville commune secteur cress
    """.split()
)
# Only these cues make an ordinary word a place without a capital letter: "dans le Nord",
# "departement de la Manche"; "a la reunion de demain" and "au port" need one.
# "pres de", "proche de", "a cote de" + a town: said of a place, even one whose name is a word.
NEAR_CUES = frozenset({"pres", "proche", "cote"})
EN_IDIOMS = frozenset({"somme"})
STRONG_CUES = frozenset({"dans", "departement", "dept", "dep", "dpt", "region", "cress"})
# "une commune du Cantal", "notre asso de la Creuse", "élu du Cantal": a department after "de" said
# of a body or a person of a place is that place, even typed without a capital ("du cantal").
OF_A_PLACE_WORDS = frozenset(
    "commune communes mairie maire maires elu elue elus elues asso assos association associations village"
    " villages ville structure club cress habitant habitante habitants".split()
)
# "de" + a place counts only for places people name as such: "la CRESS de Bretagne", "de Lyon".
OF_CUES = frozenset({"de", "d", "du"})
OF_MIN_POPULATION = 20_000
_ARTICLES = frozenset({"le", "la", "les", "l"})
# Words before a place that say the user is there (and so may replace the remembered place).
SELF_LOCATION = frozenset(
    """
    suis sommes habite habitons vis vivons situe situee situes basee base bases installe installee installes
    implante implantee trouve trouvons demenage moi nous
    """.split()
)
# "on est a Rodez": "est" alone says nothing ("c'est a voir").
SELF_LOCATION_PAIRS = frozenset({("on", "est")})
# A whole-message name that is an ordinary word ("maire", "port") counts from this population on,
# or from TOWN_POPULATION when written with a capital ("Guéret", "Rodez": the word list has rare
# dictionary words such as "guéret", "privas" or "rodez", and verb forms such as "limoges").
WHOLE_MESSAGE_ORDINARY_POPULATION = 50_000
# "on est a gueret", "je suis a privas": after words saying where one is, a town of this size
# counts without a capital (préfectures such as Privas or Foix have under 10,000 inhabitants).
TOWN_POPULATION = 5_000


@dataclass(frozen=True)
class PlaceEvidence:
    accepted: bool
    self_located: bool  # the user says they are there (or just answered where they are)


def _span(tokens: list[str], matched: str) -> tuple[int, int] | None:
    words = matched.split()
    for start in range(len(tokens) - len(words) + 1):
        if tokens[start : start + len(words)] == words:
            return start, start + len(words)
    return None


def _raw_capitalised(raw: str, matched: str) -> bool:
    """True when the place's first word is written with a capital letter, not at the start of the
    message and not in a message written in capitals."""
    letters = [c for c in raw if c.isalpha()]
    if not letters or sum(c.isupper() for c in letters) > len(letters) / 2:
        return False
    first = next((w for w in matched.split() if w not in _ARTICLES), "")
    if not first:
        return False
    for match in re.finditer(r"[^\W\d_]+", raw):
        word = match.group(0)
        if normalize(word) == first and word[:1].isupper():
            before = raw[: match.start()].strip()
            if before and before[-1] not in ".!?":
                return True
    return False


def _written_capitalised(raw: str, matched: str) -> bool:
    """True when the place's first word is written with a capital letter, wherever it is."""
    first = next((w for w in matched.split() if w not in _ARTICLES), "")
    return any(normalize(m.group(0)) == first and m.group(0)[:1].isupper()
               for m in re.finditer(r"[^\W\d_]+", raw))


def place_evidence(
    place: PlaceMatch, normalised: str, raw: str, expect_place: bool, ordinary: bool
) -> PlaceEvidence:
    """Whether a place found in a message is really meant as one (see DESIGN: places need evidence).

    `ordinary` says the name is also an ordinary word or a first name ("maire", "le port", "alex").
    """
    tokens = normalised.split()
    matched = place.matched_text
    rest = remove_span(normalised, matched)
    whole = is_place_only(rest)
    if expect_place:
        return PlaceEvidence(True, True)
    if matched[:1].isdigit():
        # Postal codes and department numbers: the territory matcher already asked for context.
        return PlaceEvidence(True, whole or _located_before(tokens, matched))
    span = _span(tokens, matched)
    cue, before_cue = _cue(tokens, span[0]) if span else (None, None)
    capital = _raw_capitalised(raw, matched)
    big = max(p.population for p in place.candidates) if place.candidates else 0
    if ordinary:
        # A capital letter alone is not enough: first names and sentence-initial words have one.
        town = big >= TOWN_POPULATION
        accepted = (
            (capital and (cue in PLACE_CUES or cue in OF_CUES))
            or cue in STRONG_CUES
            or (whole and big >= WHOLE_MESSAGE_ORDINARY_POPULATION)
            or (whole and town and _written_capitalised(raw, matched))
            or (town and cue in PLACE_CUES and _located_before(tokens, matched))
            or (town and cue in NEAR_CUES)  # "une commune près de Rodez"
            # "dans mon village en Creuse": "en" + a department is how people say where they are
            # ("en somme" is an idiom, not the Somme).
            or (cue == "en" and matched not in EN_IDIOMS and all(p.kind == "department" for p in place.candidates))
            or (cue in OF_CUES and before_cue in OF_A_PLACE_WORDS
                and all(p.kind == "department" for p in place.candidates))
        )
    else:
        known = big >= OF_MIN_POPULATION or any(p.kind != "commune" for p in place.candidates)
        # After "de", only a known place: "la CRESS de Bretagne", "de Lyon"; but "Les Jardins de
        # Kerlouan" is a name.
        accepted = (whole or known) if cue in OF_CUES else (whole or capital or cue in PLACE_CUES)
    located = whole or (cue is not None and (cue in SELF_LOCATION or _located_before(tokens, matched)))
    return PlaceEvidence(accepted, accepted and located)


def _cue(tokens: list[str], start: int) -> tuple[str | None, str | None]:
    """The word before a place (articles skipped) and the word before that."""
    i = start - 1
    while i >= 0 and tokens[i] in _ARTICLES and i >= start - 2:
        i -= 1
    if i < 0:
        return None, None
    if tokens[i] in OF_CUES and i >= 1 and tokens[i - 1] in ("pres", "proche", "cote"):
        i -= 1  # "pres de Lyon"
    return tokens[i], (tokens[i - 1] if i >= 1 else None)


def _located_before(tokens: list[str], matched: str) -> bool:
    span = _span(tokens, matched)
    if span is None:
        return False
    before = tokens[max(0, span[0] - 4) : span[0]]
    pairs = set(zip(before, before[1:], strict=False))
    return any(t in SELF_LOCATION for t in before) or bool(pairs & SELF_LOCATION_PAIRS)
