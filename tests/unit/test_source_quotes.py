"""Each source of a knowledge entry records the passage that supports it (issue 10).

A quote of a seed document is the document's own words: a reader who opens the seed file finds the
passage there. And the number of sources still without a quote may only go down.
"""

from __future__ import annotations

import os
import re
import unicodedata
from pathlib import Path

import pytest
import yaml

from bot.content.loader import KNOWLEDGE_DIR, ROOT
from bot.content.models import Entry, Source

SHARED_DIR = Path(os.environ.get("SHARED_DIR", ROOT.parent / "shared"))
SEEDS_DIR = SHARED_DIR / "seeds"
# Sources (URLs) whose page text could not be read, so they have no quote yet: lower this number
# when you add quotes; it must never grow (a new source comes with its quote). The one left is the
# Assemblée nationale written question 17-6988 (PEC 2024 volumes) in pec.yaml.
MAX_SOURCES_WITHOUT_QUOTE = 1
# A quote is a short passage (one to three sentences), not a copy of the page.
MAX_QUOTE_CHARS = 600


def _entries() -> list[tuple[str, Entry]]:
    return [
        (path.name, Entry.model_validate(yaml.safe_load(path.read_text(encoding="utf-8"))))
        for path in sorted((KNOWLEDGE_DIR / "entries").glob("*.yaml"))
    ]


def _plain(text: str) -> str:
    """Text compared loosely: case, runs of blanks and typographic apostrophes do not count."""
    text = unicodedata.normalize("NFC", text)
    text = re.sub(r"[\u2019\u2018\u02bc`\u00b4]", "'", text)
    return re.sub(r"\s+", " ", text).strip().casefold()


def _seed_name(source: Source) -> str | None:
    """'seed:003_x.txt (section)' -> '003_x.txt'; None for a URL or another kind of document."""
    document = source.document or ""
    return document.split()[0].removeprefix("seed:") if document.startswith("seed:") else None


@pytest.fixture(scope="module")
def seeds() -> dict[str, str]:
    if not SEEDS_DIR.is_dir():
        message = f"{SEEDS_DIR} (the seed documents) is missing: cannot check the quotes of knowledge/"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(message)
        pytest.skip(message)
    return {path.name: _plain(path.read_text(encoding="utf-8")) for path in SEEDS_DIR.glob("*.txt")}


def test_every_seed_quote_is_found_word_for_word_in_its_seed_document(seeds):
    wrong = []
    for name, entry in _entries():
        for source in entry.sources:
            seed = _seed_name(source)
            if seed is None:
                continue
            if seed not in seeds:
                wrong.append(f"{name}: no seed document {seed}")
            elif not source.quote:
                wrong.append(f"{name}: {seed} has no quote")
            elif _plain(source.quote) not in seeds[seed]:
                wrong.append(f"{name}: not in {seed}: « {source.quote[:80]} »")
    assert not wrong, "seed quotes that a reader would not find in the document:\n" + "\n".join(wrong)


def test_quotes_are_short_passages():
    long = [
        f"{name}: {len(source.quote)} characters ({source.url or source.document})"
        for name, entry in _entries()
        for source in entry.sources
        if source.quote and len(source.quote) > MAX_QUOTE_CHARS
    ]
    assert not long, f"a quote is a short passage ({MAX_QUOTE_CHARS} characters at most):\n" + "\n".join(long)


def test_sources_without_a_quote_do_not_grow():
    missing = [
        f"{name}: {source.url or source.document}"
        for name, entry in _entries()
        for source in entry.sources
        if not (source.quote and source.quote.strip())
    ]
    assert len(missing) <= MAX_SOURCES_WITHOUT_QUOTE, (
        f"{len(missing)} sources without a quote (at most {MAX_SOURCES_WITHOUT_QUOTE}):\n" + "\n".join(missing)
    )


def test_loose_comparison_ignores_case_blanks_and_apostrophes_but_not_words():
    document = _plain("Le DLA accompagne\n  l\u2019ESS depuis 2002.")
    assert _plain("le dla accompagne l'ESS") in document
    assert _plain("le DLA accompagne l'ESS depuis 2003") not in document
