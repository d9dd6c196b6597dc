"""The CRESS directory: one card per region, verified contacts only, validation errors with lines."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest

from bot.content.yaml_source import ContentError
from bot.replies import render_card_plain
from bot.territory import Territory, default_territory
from bot.territory.directory import load_directory
from bot.territory.territory import CRESS_FILE, KNOWLEDGE_DIR

REFERENCE_DIR = Path(__file__).resolve().parents[3] / "shared" / "reference"
ESS_FRANCE = "https://www.ess-france.org"

# Region code -> (card title, website shown); None: the card is ESS France's.
EXPECTED = {
    "84": ("CRESS Auvergne-Rhône-Alpes", "https://www.cress-aura.org"),
    "27": ("CRESS Bourgogne-Franche-Comté", "https://ess-bfc.org"),
    "53": ("CRESS Bretagne", "https://www.ess-bretagne.org"),
    "24": ("CRESS Centre-Val de Loire", "http://www.cresscentre.org"),
    "94": ("CRESS Corsica", "https://cress.corsica"),
    "44": ("CRESS Grand Est", "https://www.cress-grandest.org"),
    "32": ("CRESS Hauts-de-France", "https://cresshdf.org"),
    "11": ("CRESS Île-de-France", "https://www.cressidf.org"),
    "28": ("ESS France", ESS_FRANCE),  # CRESS Normandie in liquidation
    "75": ("CRESS Nouvelle-Aquitaine", "https://www.cress-na.org"),
    "76": ("CRESS Occitanie", "https://www.cressoccitanie.org"),
    "52": ("CRESS des Pays de la Loire", "https://www.cress-pdl.org"),
    "93": ("CRESS Provence-Alpes-Côte d'Azur", "https://www.cresspaca.org"),
    "01": ("CRESS des Îles de Guadeloupe (CRESS-IG)", None),
    "02": ("ESS France", ESS_FRANCE),  # CRESS Martinique: activity not confirmed
    "03": ("CRESS de Guyane", None),
    "04": ("CRESS de La Réunion", "https://www.cress-reunion.com"),
    "06": ("CRESS Mayotte", None),
}
NO_CRESS = {
    "975": "Saint-Pierre-et-Miquelon",
    "977": "Saint-Barthélemy",
    "978": "Saint-Martin",
    "986": "Wallis-et-Futuna",
    "987": "Polynésie française",
    "988": "Nouvelle-Calédonie",
}


@pytest.fixture(scope="module")
def territory() -> Territory:
    return default_territory()


# --------------------------------------------------------------------------- routing


def test_every_region_of_the_geography_has_an_expected_card(territory):
    assert set(territory.geo.regions) == set(EXPECTED)


@pytest.mark.parametrize("region_code", sorted(EXPECTED))
def test_region_code_routes_to_its_cress(territory, region_code):
    title, website = EXPECTED[region_code]
    card = territory.cress_card(region_code)
    assert card.title == title
    assert card.website == website


def test_every_department_routes_to_the_cress_of_its_region(territory):
    for department in territory.geo.departments.values():
        card = territory.cress_card(territory.region_of(department))
        assert card.title == EXPECTED[department.region_code][0], department.name


@pytest.mark.parametrize(("code", "name"), sorted(NO_CRESS.items()))
def test_collectivity_without_cress_says_so_and_points_to_ess_france(territory, code, name):
    place = territory.place("collectivity", code)
    assert place is not None and place.name.replace(" et ", "-et-") == name
    card = territory.cress_card(territory.region_of(place))
    assert card.title == "ESS France" and card.website == ESS_FRANCE
    assert "Aucune CRESS n'est connue" in card.lines[0]


def test_communes_of_a_collectivity_route_to_the_no_cress_card(territory):
    noumea = next(p for p in territory.geo.communes.values() if p.name == "Nouméa")
    card = territory.cress_card(territory.region_of(noumea))
    assert "Nouvelle-Calédonie" in card.lines[0]


def test_unknown_or_missing_region_gives_the_national_network(territory):
    for code in (None, "", "99", "984"):
        card = territory.cress_card(code)
        assert card.title == "ESS France" and card.website == ESS_FRANCE


# --------------------------------------------------------------------------- what cards say


def test_normandie_card_says_liquidation_and_never_points_to_the_old_cress(territory):
    card = territory.cress_card("28")
    text = render_card_plain(card)
    assert "liquidation judiciaire" in text and "11 juillet 2025" in text
    assert "ESS France" in text
    assert "essnormandie" not in text
    assert card.email is None and card.phone is None and card.address is None


def test_no_card_ever_shows_the_liquidated_normandie_site(territory):
    codes = [*EXPECTED, *NO_CRESS, None]
    for code in codes:
        assert "essnormandie" not in render_card_plain(territory.cress_card(code))


def test_rouen_and_caen_route_to_the_normandie_warning(territory):
    for name in ("Rouen", "Caen", "Le Havre"):
        place = next(p for p in territory.geo.communes.values() if p.name == name)
        assert "liquidation" in " ".join(territory.cress_card(territory.region_of(place)).lines)


def test_martinique_card_says_activity_is_not_confirmed(territory):
    card = territory.cress_card("02")
    assert "n'a pu être vérifiée" in card.lines[0]
    assert card.website == ESS_FRANCE and card.phone is None


def test_guyane_card_shows_its_2022_contacts_with_a_warning(territory):
    card = territory.cress_card("03")
    assert (card.email, card.phone, card.address) == (
        "contact@cress-guyane.org",
        "0594 20 76 70",
        "10, rue des Remparts, 97300 Cayenne",
    )
    assert any("à confirmer" in line for line in card.lines)


def test_pays_de_la_loire_contacts_are_flagged_as_2014(territory):
    card = territory.cress_card("52")
    assert card.phone == "02 40 74 02 49"
    assert any("2014" in line for line in card.lines)


def test_corse_card_uses_the_additions_website_and_email(territory):
    card = territory.cress_card("94")
    assert (card.website, card.email) == ("https://cress.corsica", "contact@cress.corsica")


def test_cress_without_verified_contact_points_to_ess_france(territory):
    for code in ("01", "06"):
        card = territory.cress_card(code)
        assert any(ESS_FRANCE in line for line in card.lines), code


def test_only_guyane_pdl_corse_and_mayotte_show_more_than_a_website(territory):
    cards = {code: territory.cress_card(code) for code in EXPECTED}
    with_more = {code for code, c in cards.items() if c.email or c.phone or c.address}
    assert with_more == {"03", "52", "94", "06"}


def test_card_lines_are_french_sentences(territory):
    for code in [*EXPECTED, *NO_CRESS]:
        for line in territory.cress_card(code).lines:
            assert line and line[0].isupper(), line


# --------------------------------------------------------------------------- facts and sources


def _directory():
    return load_directory(KNOWLEDGE_DIR / CRESS_FILE)


def test_every_entry_was_verified_on_2026_11_23():
    data = _directory().data
    dates = {data.national.last_verified} | {c.last_verified for c in data.cress}
    dates |= {n.last_verified for n in data.no_cress}
    assert dates == {dt.date(2026, 11, 23)}


def test_every_contact_has_a_source():
    for cress in _directory().data.cress:
        for fact in (cress.website, cress.email, cress.phone, cress.address):
            if fact is not None:
                assert fact.sources, cress.region_code


@pytest.mark.skipif(not REFERENCE_DIR.is_dir(), reason="shared/reference is not beside the repository")
def test_every_contact_value_and_source_comes_from_the_reference():
    reference = "\n".join(
        (REFERENCE_DIR / name).read_text(encoding="utf-8") for name in ("cress.yaml", "cress-additions.yaml")
    )
    flat = re.sub(r"\s+", " ", reference)
    directory = _directory()
    facts = [directory.national.website]
    for cress in directory.data.cress:
        facts += [f for f in (cress.website, cress.email, cress.phone, cress.address) if f is not None]
    for fact in facts:
        # Addresses are stored as one line; the reference splits street, postcode and city.
        for part in re.split(r",\s*|\s(?=\d{5}\s)|(?<=\d{5})\s", fact.value):
            assert part.strip() in flat, f"{part!r} of {fact.value!r} is not in the reference"
        for url in fact.sources:
            assert url in reference, url
    every_url = [u for c in directory.data.cress for u in c.sources]
    every_url += [u for n in directory.data.no_cress for u in n.sources] + directory.national.sources
    for url in every_url:
        assert url in reference, url


# --------------------------------------------------------------------------- validation


VALID = Path(KNOWLEDGE_DIR / CRESS_FILE).read_text(encoding="utf-8")


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "cress.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def _line_of(text: str, needle: str) -> int:
    return text.splitlines().index(next(line for line in text.splitlines() if needle in line)) + 1


def test_bad_email_is_an_error_naming_file_line_and_field(tmp_path):
    text = VALID.replace('value: "contact@cress.corsica"', 'value: "contact at cress.corsica"')
    path = _write(tmp_path, text)
    with pytest.raises(ContentError) as err:
        load_directory(path)
    assert err.value.path == path
    assert err.value.line == _line_of(text, "contact at cress.corsica")
    assert "email" in err.value.message


def test_contact_without_source_is_an_error(tmp_path):
    text = VALID.replace(
        '      value: "https://www.cress-grandest.org"\n      sources: ["https://www.cress-grandest.org/fr/observer.html"]',
        '      value: "https://www.cress-grandest.org"\n      sources: []',
    )
    with pytest.raises(ContentError) as err:
        load_directory(_write(tmp_path, text))
    assert "website.sources" in err.value.message and err.value.line


def test_liquidated_cress_with_a_website_is_an_error(tmp_path):
    text = VALID.replace(
        "    status: liquidated\n",
        '    status: liquidated\n    website:\n      value: "https://www.essnormandie.org"\n'
        '      sources: ["https://www.essnormandie.org/category/a-la-une/"]\n',
    )
    with pytest.raises(ContentError) as err:
        load_directory(_write(tmp_path, text))
    assert "must not show contacts" in err.value.message


def test_unknown_field_is_an_error(tmp_path):
    text = VALID.replace('    region: "Bretagne"\n', '    region: "Bretagne"\n    fax: "02 99"\n')
    with pytest.raises(ContentError) as err:
        load_directory(_write(tmp_path, text))
    assert "fax" in err.value.message
    assert err.value.line == _line_of(text, 'fax: "02 99"')


def test_duplicate_region_is_an_error(tmp_path):
    text = VALID.replace('region_code: "27"', 'region_code: "84"')
    with pytest.raises(ContentError) as err:
        load_directory(_write(tmp_path, text))
    assert "appears twice" in err.value.message
    assert err.value.line == _line_of(text, 'region: "Bourgogne-Franche-Comté"') - 1


def test_missing_region_is_an_error_when_the_geography_is_known(tmp_path):
    path = _write(tmp_path, VALID)
    with pytest.raises(ContentError) as err:
        load_directory(path, region_codes={*EXPECTED, "99"})
    assert "99" in err.value.message


def test_invalid_yaml_is_an_error_with_its_line(tmp_path):
    with pytest.raises(ContentError) as err:
        load_directory(_write(tmp_path, VALID + "\n  - : [\n"))
    assert err.value.line is not None


def test_territory_load_reports_a_broken_directory(tmp_path):
    knowledge = tmp_path / "knowledge"
    (knowledge / "organisations").mkdir(parents=True)
    (knowledge / "geo").mkdir()
    for name in ("geo.json", "ordinary_words.txt", "confusable_words.txt"):
        (knowledge / "geo" / name).write_bytes((KNOWLEDGE_DIR / "geo" / name).read_bytes())
    (knowledge / "organisations" / "cress.yaml").write_text(
        VALID.replace('region_code: "53"', 'region_code: "5"'), encoding="utf-8"
    )
    with pytest.raises(ContentError) as err:
        Territory.load(knowledge)
    assert "region_code" in err.value.message
