"""No fact without a source: every amount, date, phone and e-mail of knowledge/ is written in the
shared reference files (../shared beside the repository) or in a quote of the entry's sources."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import yaml

from bot.content.facts import Fact, Haystack, facts_in, strings_in
from bot.content.loader import KNOWLEDGE_DIR, ROOT
from bot.content.models import Entry

SHARED_DIR = Path(os.environ.get("SHARED_DIR", ROOT.parent / "shared"))
# Keys whose values are not facts told to users: addresses of sources, file dates, ids.
NOT_FACTS = frozenset({"sources", "link", "last_verified", "id", "website", "region_code"})


@pytest.fixture(scope="module")
def shared() -> Haystack:
    if not SHARED_DIR.is_dir():
        message = f"{SHARED_DIR} (the reference files) is missing: cannot check the facts of knowledge/"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(message)
        pytest.skip(message)
    files = sorted(p for p in SHARED_DIR.rglob("*") if p.suffix in {".yaml", ".md", ".txt"})
    return Haystack(p.read_text(encoding="utf-8") for p in files)


def _unsupported(path: Path, shared: Haystack, quotes: list[str]) -> list[str]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    own = Haystack(quotes)
    missing = []
    for text in strings_in(data, NOT_FACTS):
        unsupported = [f for f in facts_in(text) if not (shared.holds(f) or own.holds(f))]
        missing += [f"{path.name}: {f.kind} « {f.text} »" for f in unsupported]
    return missing


def test_every_fact_of_the_knowledge_entries_is_in_the_reference_or_a_quote(shared):
    missing = []
    for path in sorted((KNOWLEDGE_DIR / "entries").glob("*.yaml")):
        entry = Entry.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")))
        missing += _unsupported(path, shared, [s.quote for s in entry.sources if s.quote])
    assert not missing, "facts without a source:\n" + "\n".join(missing)


def test_every_contact_and_date_of_the_cress_directory_is_in_the_reference(shared):
    missing = []
    for path in sorted((KNOWLEDGE_DIR / "organisations").glob("*.yaml")):
        missing += _unsupported(path, shared, [])
    assert not missing, "facts without a source:\n" + "\n".join(missing)


def test_facts_are_found_in_amounts_dates_phones_and_emails():
    text = (
        "Jusqu'à 17 000 € (80 %), 47 M€ et 1,3 milliard d'euros ; le 1er mars 2026, le 11/07/2025, depuis 2002. "
        "Tél. 02 40 74 02 49, contact@cress.corsica, voir https://example.org/2018/7."
    )
    found = {(f.kind, f.text) for f in facts_in(text)}
    assert found == {
        ("amount", "17 000 €"),
        ("amount", "80 %"),
        ("amount", "47 M€"),
        ("amount", "1,3 milliard"),
        ("date", "1er mars 2026"),
        ("date", "11/07/2025"),
        ("year", "2002"),
        ("phone", "02 40 74 02 49"),
        ("email", "contact@cress.corsica"),
    }


def test_lookup_ignores_spaces_case_units_and_phone_dots_but_not_digits():
    source = Haystack(["Plafond : 17\u202f000 euros. Tél. 02.40.74.02.49. Budget de 20 Mds€."])
    assert source.holds(Fact("amount", "17 000 €"))
    assert source.holds(Fact("phone", "02 40 74 02 49"))
    assert source.holds(Fact("amount", "20 Md€"))
    assert Haystack(["une fraction de 15 p. 100 des excédents"]).holds(Fact("amount", "15 %"))
    assert Haystack(["une indemnité de 504,98 euros nets par mois"]).holds(Fact("amount", "504,98 €"))
    assert Haystack(["un budget de 2 millions d'euros"]).holds(Fact("amount", "2 millions"))
    assert not source.holds(Fact("amount", "12 000 €"))
    assert not source.holds(Fact("phone", "02 40 74 02 48"))


def test_a_fact_missing_from_reference_is_reported_unless_a_quote_holds_it(tmp_path):
    entry = tmp_path / "x.yaml"
    entry.write_text('answer: "Prêt de 9 999 € depuis le 3 mai 2031."\nsources: ["https://example.org"]\n')
    reference = Haystack(["rien ici"])
    assert _unsupported(entry, reference, []) == ["x.yaml: amount « 9 999 € »", "x.yaml: date « 3 mai 2031 »"]
    assert _unsupported(entry, reference, ["un prêt de 9 999 euros, ouvert le 3 mai 2031"]) == []
