"""French text normalisation, applied once to every message and every example.

The output is lower case, accent-free, with elisions split off, punctuation turned into
spaces, letters repeated three times or more squeezed, and common SMS spellings expanded.
Digits are kept (postal codes, department numbers and "2A" matter).
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

# Whole-token SMS and shorthand forms people type on a phone -> their plain spelling.
# Applied after accents are folded and punctuation removed, token by token.
SMS_FORMS: dict[str, str] = {
    "cest": "c est",
    "koi": "quoi",
    "cmt": "comment",
    "cmnt": "comment",
    "komment": "comment",
    "cb": "combien",
    "cbien": "combien",
    "diff": "difference",
    "subv": "subvention",
    "subvs": "subventions",
    "subs": "subventions",
    "kwa": "quoi",
    "quoa": "quoi",
    "ki": "qui",
    "kel": "quel",
    "kelle": "quelle",
    "kels": "quels",
    "keske": "qu est ce que",
    "kesako": "qu est ce que",
    "quesaco": "qu est ce que",
    "qd": "quand",
    "qnd": "quand",
    "pr": "pour",
    "pq": "pourquoi",
    "pk": "pourquoi",
    "pkoi": "pourquoi",
    "pourkoi": "pourquoi",
    "stp": "s il te plait",
    "svp": "s il vous plait",
    "slt": "salut",
    "bjr": "bonjour",
    "bsr": "bonsoir",
    "mrc": "merci",
    "mci": "merci",
    "thx": "merci",
    "tt": "tout",
    "ts": "tous",
    "bcp": "beaucoup",
    "dc": "donc",
    "jsuis": "je suis",
    "chui": "je suis",
    "chuis": "je suis",
    "jveux": "je veux",
    "jvoudrais": "je voudrais",
    "jcherche": "je cherche",
    "jai": "j ai",
    "g": "j ai",
    "ya": "il y a",
    "yen": "il y en",
    "ds": "dans",
    "ac": "avec",
    "avc": "avec",
    "vs": "vous",
    "ns": "nous",
    "mn": "mon",
    "tjs": "toujours",
    "qq": "quelque",
    "qqn": "quelqu un",
    "qqch": "quelque chose",
    "rdv": "rendez vous",
    "asso": "association",
    "assos": "associations",
    "coop": "cooperative",
    "coops": "cooperatives",
    "boite": "entreprise",
    "tel": "telephone",
    "num": "numero",
    "mail": "email",
}

# Words of the domain that begin with a vowel, which people glue to an elided article when they
# type without an apostrophe ("une idee depicerie", "lasso", "dinsertion"): split off when glued.
_GLUED_AFTER = frozenset({
    "asso", "assos", "association", "associations", "epicerie", "ess", "insertion", "entreprise",
    "entreprises", "urssaf", "urscop", "adie", "etat", "emploi", "aide", "aides", "agrement", "interet",
    "utilite", "ag", "economie", "activite", "accompagnement", "habilitation", "argent", "appel",
    "avance", "assurance", "impot", "impots", "experimentation", "epargne", "elu", "elus",
    "initiative", "investissement", "adhesion", "adherent", "adherents", "annee", "autorisation",
    "apport", "organisme", "operation", "ecole", "union", "ouverture", "achat",
})
# Elided articles and pronouns: l'ESS -> l ess. The apostrophe becomes a space, so the
# following word stands alone; the elided letter is kept as its own token so that
# "qu est ce que" and "qu'est-ce que" normalise the same.
_APOSTROPHES = "'’‘`´ʼ′"
_APOSTROPHE_RE = re.compile(f"[{_APOSTROPHES}]")
_NON_WORD_RE = re.compile(r"[^a-z0-9]+")
_REPEATS_RE = re.compile(r"([a-z])\1{2,}")
_CONTROL_RE = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def _fold_slowly(text: str) -> str:
    text = text.replace("œ", "oe").replace("Œ", "OE").replace("æ", "ae").replace("Æ", "AE")
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


# The Latin letters French uses, folded once: one str.translate per text instead of a Unicode
# decomposition (normalising the content and the geography at start-up is dominated by it).
_FOLD_TABLE = {code: _fold_slowly(chr(code)) for code in range(0xC0, 0x180)}


def fold_accents(text: str) -> str:
    """Remove diacritics; œ and æ become oe and ae."""
    if text.isascii():
        return text
    folded = text.translate(_FOLD_TABLE)
    return folded if folded.isascii() else _fold_slowly(folded)


# The content's examples are normalised twice at start (the duplicate check, the model's phrases).
@lru_cache(maxsize=32768)
def normalize(text: str) -> str:
    """Return the canonical form used for matching: 'C'est koi le DLA ??' -> 'c est quoi le dla'."""
    text = _CONTROL_RE.sub(" ", text)
    text = fold_accents(text).lower()
    text = _APOSTROPHE_RE.sub(" ", text)
    text = _NON_WORD_RE.sub(" ", text)
    text = _REPEATS_RE.sub(r"\1", text)
    tokens = [SMS_FORMS.get(token, _unglued(token)) for token in text.split()]
    return " ".join(tokens)


def _unglued(token: str) -> str:
    if len(token) > 3 and token[0] in "dlj" and token[1:] in _GLUED_AFTER:
        return f"{token[0]} {token[1:]}"
    return token


def tokens(text: str) -> list[str]:
    """Tokens of an already normalised text."""
    return text.split()
