"""Find the checkable facts of a text (amounts, dates, phones, e-mails) and look them up.

Used by the test that proves every such fact of knowledge/ is written in a reference file or in
one of the entry's source quotes. Matching ignores case and spaces (ordinary, non-breaking,
narrow) and, for phones, the dots and dashes between digit groups.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

_MONTHS = "janvier|février|fevrier|mars|avril|mai|juin|juillet|août|aout|septembre|octobre|novembre|décembre|decembre"
_SPACE = r"[ \u00a0\u202f]"
_NUMBER = rf"\d{{1,3}}(?:{_SPACE}\d{{3}})+(?:,\d+)?|\d+(?:,\d+)?"

_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("email", re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")),
    ("phone", re.compile(rf"(?:\+33{_SPACE}?|\b0)[1-9](?:[{_SPACE[1:-1]}.-]?\d{{2}}){{4}}\b")),
    (
        "amount",
        re.compile(
            rf"(?<![\d,])(?:{_NUMBER}){_SPACE}?(?:%|€|M€|Md€|k€|euros?\b|(?:millions?|milliards?)\b)",
            re.IGNORECASE,
        ),
    ),
    ("date", re.compile(rf"\b(?:1er|\d{{1,2}}){_SPACE}(?:{_MONTHS}){_SPACE}\d{{4}}\b", re.IGNORECASE)),
    ("date", re.compile(r"\b\d{1,2}/\d{1,2}/\d{4}\b")),
    ("year", re.compile(r"(?<![\d,.])(?:19[5-9]\d|20[0-4]\d)(?![\d,])")),
)
_URL = re.compile(r"https?://\S+")
_BLANKS = re.compile(r"[\s\u00a0\u202f]+")


@dataclass(frozen=True)
class Fact:
    kind: str  # amount, date, year, phone, email
    text: str  # as written


def facts_in(text: str) -> Iterator[Fact]:
    """Every fact of `text`; a year inside a full date or an amount is not counted twice."""
    text = _URL.sub(" ", text)
    taken: list[tuple[int, int]] = []
    for kind, pattern in _PATTERNS:
        for match in pattern.finditer(text):
            start, end = match.span()
            if any(start < t_end and t_start < end for t_start, t_end in taken):
                continue
            taken.append((start, end))
            yield Fact(kind, match.group(0).strip())


# "euros" is a word only while blanks separate it from the next one ("504,98 euros nets").
_EUROS = re.compile(r"\beuros?\b")
# The same unit written the ways sources write it, once blanks are gone: "20 Mds€" is "20 Md€".
_UNITS = (
    # "2 millions" in an answer is the quote's "2 millions d'euros": the unit is read as one.
    (re.compile(r"milliards?(?:d['’]€)?|mds€"), "md€"),
    (re.compile(r"millions?(?:d['’]€)?"), "m€"),
    # Legal texts write percentages "15 p. 100".
    (re.compile(r"p\.100(?!\d)"), "%"),
)


def normalise(text: str) -> str:
    """Lower case without blanks, one spelling per unit: "17 000 euros" -> "17000€"."""
    text = _BLANKS.sub("", _EUROS.sub("€", text.casefold()))
    for pattern, unit in _UNITS:
        text = pattern.sub(unit, text)
    return text


def phone_digits(text: str) -> str:
    digits = re.sub(r"\D", "", text)
    return "0" + digits[2:] if digits.startswith("33") and len(digits) == 11 else digits


class Haystack:
    """Texts where facts may be found, normalised once."""

    def __init__(self, texts: Iterable[str]) -> None:
        texts = list(texts)
        self._text = "\n".join(normalise(t) for t in texts)
        self._phones = {phone_digits(f.text) for t in texts for f in facts_in(t) if f.kind == "phone"}

    def holds(self, fact: Fact) -> bool:
        if fact.kind == "phone":
            return phone_digits(fact.text) in self._phones
        return normalise(fact.text) in self._text


def strings_in(data: object, skip: frozenset[str] = frozenset()) -> Iterator[str]:
    """Every string value of a parsed YAML document, leaving out the keys in `skip`."""
    if isinstance(data, str):
        yield data
    elif isinstance(data, dict):
        for key, value in data.items():
            if key not in skip:
                yield from strings_in(value, skip)
    elif isinstance(data, list):
        for value in data:
            yield from strings_in(value, skip)
