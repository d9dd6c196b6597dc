"""How a recognised place sits in a message: removing it, and telling a bare place apart."""

from __future__ import annotations

from bot.nlu.words import STOP_WORDS

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
