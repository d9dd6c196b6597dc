"""Remove what could identify someone from a message before it is stored.

Applied to every text the learning log keeps. The patterns err on the side of removing too
much: a curator needs the question, not the contact details in it. Order matters: e-mails
and IBANs first (they contain digits that the phone and number rules would cut in pieces).
"""

from __future__ import annotations

import re

EMAIL = "<courriel>"
IBAN = "<iban>"
PHONE = "<téléphone>"
ADDRESS = "<adresse>"
POSTAL = "<code postal>"
NUMBER = "<nombre>"
URL = "<lien>"

_STREET_TYPES = (
    r"rue|avenue|av|bd|boulevard|chemin|impasse|all[ée]e|place|pl|route|rte|quai|cours|chauss[ée]e|square|"
    r"lotissement|lot|r[ée]sidence|voie|passage|faubourg|fbg|lieu[- ]dit|hameau|cit[ée]|sentier|villa|rond[- ]point"
)
_RULES: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"[\w+-]+(?:\s*(?:\.|\bpoint\b)\s*[\w+-]+)*\s*(?:@|\(at\)|\[at\]|\barobase\b)\s*[\w-]+(?:\s*(?:\.|\(dot\)|\bpoint\b)\s*[\w-]+)+",
                re.IGNORECASE), EMAIL),
    (re.compile(r"\bhttps?://\S+|\bwww\.\S+", re.IGNORECASE), URL),
    # IBAN (upper case): two letters, two check digits, then groups of four letters or digits.
    (re.compile(r"\b[A-Z]{2}\d{2}(?:[ ]?[A-Z0-9]{4}){2,7}(?:[ ]?[A-Z0-9]{1,4})?\b"), IBAN),
    # French phones: 0X XX XX XX XX, +33 X..., 0033 X..., with spaces, dots or dashes.
    (re.compile(r"(?:(?:\+|00)\s?33\s?\(?0?\)?|\b0)[1-9](?:[\s.-]?\d{2}){4}\b"), PHONE),
    # A street address: a number (bis/ter), a street type, and the name up to punctuation.
    (re.compile(rf"\b\d{{1,4}}\s*(?:bis|ter|b)?\s*,?\s+(?:{_STREET_TYPES})\.?\s[^,;.!?\n]{{1,40}}",
                re.IGNORECASE), ADDRESS),
    (re.compile(rf"\b(?i:{_STREET_TYPES})\.?\s+(?i:de\s+|du\s+|des\s+|d'|la\s+|le\s+|les\s+)*[A-ZÀ-Ý][^,;.!?\n]{{1,40}}"),
     ADDRESS),
    # Any other long run of digits (account, social security, client numbers), spaces allowed.
    (re.compile(r"\b\d(?:[\s.-]?\d){5,}\b"), NUMBER),
    # A postal code with the town after it is an address; alone it may be a CRESS look-up, but the
    # bot answers those, so what reaches the log is safer without it.
    (re.compile(r"\b\d{5}\b"), POSTAL),
)


def scrub(text: str) -> str:
    for pattern, placeholder in _RULES:
        text = pattern.sub(placeholder, text)
    return re.sub(r"\s{2,}", " ", text).strip()
