"""Places found in French messages: towns, postal codes, departments, regions, typos, non-places."""

from __future__ import annotations

import json

import pytest

from bot.nlu.normalize import normalize
from bot.territory import Place, PlaceMatch, Territory, default_territory
from bot.territory.places import load_geography
from bot.territory.territory import GEO_FILE, KNOWLEDGE_DIR


@pytest.fixture(scope="module")
def territory() -> Territory:
    return default_territory()


def find(territory: Territory, text: str, expect_place: bool = False) -> PlaceMatch | None:
    return territory.find(normalize(text), expect_place=expect_place)


def first(territory: Territory, text: str, expect_place: bool = False) -> Place:
    match = find(territory, text, expect_place)
    assert match is not None, f"no place found in {text!r}"
    return match.candidates[0]


# --------------------------------------------------------------------------- the user view


@pytest.mark.parametrize(
    ("message", "expect_place", "label"),
    [
        ("je suis à Brest", False, "Brest (29, Bretagne)"),
        ("cress 29200", False, "Brest (29, Bretagne)"),
        ("CRESS pour le 2A", False, "Corse-du-Sud (2A, Corse)"),
        ("et en Bretagne ?", False, "Bretagne"),
    ],
)
def test_user_view_messages_end_on_the_right_place(territory, message, expect_place, label):
    assert territory.label(first(territory, message, expect_place)) == label


def test_cress_saint_denis_offers_reunion_then_seine_saint_denis(territory):
    match = find(territory, "cress Saint-Denis")
    assert match is not None and match.ambiguous
    assert [territory.label(p) for p in match.candidates[:2]] == [
        "Saint-Denis (974, La Réunion)",
        "Saint-Denis (93, Île-de-France)",
    ]


# --------------------------------------------------------------------------- towns

TOWNS = [
    # Auvergne-Rhône-Alpes
    ("je suis à Lyon", "Lyon", "69", "84"),
    ("Grenoble", "Grenoble", "38", "84"),
    ("j'habite à Saint-Étienne", "Saint-Étienne", "42", "84"),
    ("clermont-ferrand", "Clermont-Ferrand", "63", "84"),
    ("on est basés à Annecy", "Annecy", "74", "84"),
    ("Aurillac", "Aurillac", "15", "84"),
    ("le puy en velay", "Le Puy-en-Velay", "43", "84"),
    ("Bourg-en-Bresse", "Bourg-en-Bresse", "01", "84"),
    # Bourgogne-Franche-Comté
    ("Dijon", "Dijon", "21", "27"),
    ("je suis a Besancon", "Besançon", "25", "27"),
    ("à Mâcon", "Mâcon", "71", "27"),
    ("Auxerre", "Auxerre", "89", "27"),
    # Bretagne
    ("Rennes", "Rennes", "35", "53"),
    ("Quimper", "Quimper", "29", "53"),
    ("st malo", "Saint-Malo", "35", "53"),
    ("Lorient", "Lorient", "56", "53"),
    ("Saint-Brieuc", "Saint-Brieuc", "22", "53"),
    # Centre-Val de Loire
    ("je suis à Tours", "Tours", "37", "24"),
    ("Orléans", "Orléans", "45", "24"),
    ("Bourges", "Bourges", "18", "24"),
    ("Chartres", "Chartres", "28", "24"),
    # Corse
    ("Ajaccio", "Ajaccio", "2A", "94"),
    ("Bastia", "Bastia", "2B", "94"),
    ("Porto-Vecchio", "Porto-Vecchio", "2A", "94"),
    # Grand Est
    ("Strasbourg", "Strasbourg", "67", "44"),
    ("Reims", "Reims", "51", "44"),
    ("Metz", "Metz", "57", "44"),
    ("Nancy", "Nancy", "54", "44"),
    ("Mulhouse", "Mulhouse", "68", "44"),
    ("Charleville-Mézières", "Charleville-Mézières", "08", "44"),
    # Hauts-de-France
    ("Lille", "Lille", "59", "32"),
    ("Amiens", "Amiens", "80", "32"),
    ("Dunkerque", "Dunkerque", "59", "32"),
    ("Beauvais", "Beauvais", "60", "32"),
    # Île-de-France
    ("je suis à Paris", "Paris", "75", "11"),
    ("Montreuil", "Montreuil", "93", "11"),
    ("Boulogne-Billancourt", "Boulogne-Billancourt", "92", "11"),
    ("Versailles", "Versailles", "78", "11"),
    ("Créteil", "Créteil", "94", "11"),
    ("Argenteuil", "Argenteuil", "95", "11"),
    # Normandie
    ("Rouen", "Rouen", "76", "28"),
    ("Caen", "Caen", "14", "28"),
    ("j'habite au Havre", "Le Havre", "76", "28"),
    ("Cherbourg-en-Cotentin", "Cherbourg-en-Cotentin", "50", "28"),
    # Nouvelle-Aquitaine
    ("Bordeaux", "Bordeaux", "33", "75"),
    ("Limoges", "Limoges", "87", "75"),
    ("Poitiers", "Poitiers", "86", "75"),
    ("La Rochelle", "La Rochelle", "17", "75"),
    ("Pau", "Pau", "64", "75"),
    ("Bayonne", "Bayonne", "64", "75"),
    # Occitanie
    ("Toulouse", "Toulouse", "31", "76"),
    ("Montpellier", "Montpellier", "34", "76"),
    ("Nîmes", "Nîmes", "30", "76"),
    ("Perpignan", "Perpignan", "66", "76"),
    ("Albi", "Albi", "81", "76"),
    ("Rodez", "Rodez", "12", "76"),
    # Pays de la Loire
    ("Nantes", "Nantes", "44", "52"),
    ("Angers", "Angers", "49", "52"),
    ("Le Mans", "Le Mans", "72", "52"),
    ("La Roche-sur-Yon", "La Roche-sur-Yon", "85", "52"),
    ("Saint-Nazaire", "Saint-Nazaire", "44", "52"),
    # Provence-Alpes-Côte d'Azur
    ("Marseille", "Marseille", "13", "93"),
    ("je suis à Nice", "Nice", "06", "93"),
    ("Toulon", "Toulon", "83", "93"),
    ("Aix en Provence", "Aix-en-Provence", "13", "93"),
    ("Avignon", "Avignon", "84", "93"),
    ("à Gap", "Gap", "05", "93"),
    # Overseas departments
    ("Pointe-à-Pitre", "Pointe-à-Pitre", "971", "01"),
    ("Basse-Terre", "Basse-Terre", "971", "01"),
    ("Fort-de-France", "Fort-de-France", "972", "02"),
    ("Cayenne", "Cayenne", "973", "03"),
    ("Saint-Laurent-du-Maroni", "Saint-Laurent-du-Maroni", "973", "03"),
    ("Le Tampon", "Le Tampon", "974", "04"),
    ("Saint-Paul", "Saint-Paul", "974", "04"),
    ("Mamoudzou", "Mamoudzou", "976", "06"),
    # Overseas collectivities (no CRESS)
    ("Nouméa", "Nouméa", "988", "988"),
    ("Papeete", "Papeete", "987", "987"),
]


@pytest.mark.parametrize(("message", "name", "department", "region"), TOWNS)
def test_town_is_found_with_its_department_and_region(territory, message, name, department, region):
    place = first(territory, message)
    assert place.kind == "commune"
    assert (place.name, place.department_code, territory.region_of(place)) == (name, department, region)


def test_towns_cover_every_region_and_overseas():
    regions = {region for *_, region in TOWNS}
    assert {"84", "27", "53", "24", "94", "44", "32", "11", "28", "75", "76", "52", "93"} <= regions
    assert {"01", "02", "03", "04", "06", "987", "988"} <= regions
    assert len(TOWNS) >= 60


@pytest.mark.parametrize(
    ("message", "name"),
    [
        ("saint etienne", "Saint-Étienne"),
        ("SAINT-ÉTIENNE", "Saint-Étienne"),
        ("st etienne", "Saint-Étienne"),
        ("besançon", "Besançon"),
        ("BESANCON", "Besançon"),
        ("aix-en-provence", "Aix-en-Provence"),
        ("aix en provence", "Aix-en-Provence"),
    ],
)
def test_town_names_match_with_or_without_accents_hyphens_and_saint_abbreviation(territory, message, name):
    assert first(territory, message).name == name


@pytest.mark.parametrize(
    ("message", "name"),
    [
        ("je suis a marseile", "Marseille"),
        ("bordeau", "Bordeaux"),
        ("je suis à toulouze", "Toulouse"),
        ("à montpelier", "Montpellier"),
        ("strasbour", "Strasbourg"),
        ("clermont ferand", "Clermont-Ferrand"),
        ("saint etiene", "Saint-Étienne"),
        ("grenobe", "Grenoble"),
        ("bertagne", "Bretagne"),
        ("normandi", "Normandie"),
    ],
)
def test_small_typos_still_find_the_place(territory, message, name):
    assert first(territory, message).name == name


# --------------------------------------------------------------------------- postal codes


@pytest.mark.parametrize(
    ("message", "name", "department"),
    [
        ("29200", "Brest", "29"),
        ("cress 29200", "Brest", "29"),
        ("75011", "Paris", "75"),
        ("75116", "Paris", "75"),
        ("69003 Lyon", "Lyon", "69"),
        ("13008", "Marseille", "13"),
        ("20000", "Ajaccio", "2A"),
        ("20200", "Bastia", "2B"),
        ("97400", "Saint-Denis", "974"),
        ("97300", "Cayenne", "973"),
        ("code postal 44000", "Nantes", "44"),
        ("je suis au 29 200", "Brest", "29"),
    ],
)
def test_postal_code_gives_its_commune(territory, message, name, department):
    place = first(territory, message)
    assert (place.kind, place.name, place.department_code) == ("commune", name, department)


def test_postal_code_29200_routes_to_cress_bretagne(territory):
    place = first(territory, "29200")
    assert territory.cress_card(territory.region_of(place)).title == "CRESS Bretagne"


def test_postal_code_shared_by_two_departments_gives_one_candidate_each(territory):
    match = find(territory, "01200")
    assert match is not None and match.ambiguous
    assert {p.department_code for p in match.candidates} == {"01", "74"}
    populations = [p.population for p in match.candidates]
    assert populations == sorted(populations, reverse=True)


def test_postal_code_of_several_communes_in_one_department_gives_the_main_one(territory):
    match = find(territory, "01400")
    assert match is not None and len(match.candidates) == 1
    assert match.candidates[0].department_code == "01"


@pytest.mark.parametrize(
    "message",
    ["j'ai besoin de 20000 euros", "un prêt de 15000", "30 000 entreprises accompagnées", "10000 habitants"],
)
def test_amounts_are_not_postal_codes(territory, message):
    assert find(territory, message) is None


# --------------------------------------------------------------------------- departments


def _departments(territory: Territory) -> list[Place]:
    return sorted(territory.geo.departments.values(), key=lambda p: p.code)


def test_every_department_number_with_context_is_found(territory):
    for department in _departments(territory):
        for message in (f"le {department.code}", f"dans le {department.code}", f"departement {department.code}"):
            place = first(territory, message)
            assert place == department, message


def test_every_bare_department_number_counts_when_a_place_is_expected(territory):
    for department in _departments(territory):
        assert first(territory, department.code, expect_place=True) == department
        assert find(territory, department.code) is None


@pytest.mark.parametrize(("message", "code"), [("2a", "2A"), ("2B", "2B"), ("974", "974"), ("971", "971")])
def test_corsica_and_overseas_department_numbers(territory, message, code):
    assert first(territory, message, expect_place=True).code == code


def test_every_department_name_is_found(territory):
    for department in _departments(territory):
        place = first(territory, f"dans le département {department.name}")
        # Overseas departments share their name with their region: the region is given.
        assert place == department or (place.kind == "region" and place.code == department.region_code)


@pytest.mark.parametrize(
    ("message", "code"),
    [
        ("dans le Nord", "59"),
        ("en Creuse", "23"),
        ("dans la Manche", "50"),
        ("dans le Cher", "18"),
        ("dans le Lot", "46"),
        ("la cress pour la Corse du sud", "2A"),
        ("haute-corse", "2B"),
        ("je suis en Gironde", "33"),
        ("Seine-Saint-Denis", "93"),
        ("cress du 56", "56"),
        ("quelle cress pour 29", "29"),
        ("dept 6", "06"),
        ("on arrive dans le 29 avant le 15", "29"),
    ],
)
def test_department_by_name_or_number_in_a_sentence(territory, message, code):
    place = first(territory, message)
    assert (place.kind, place.code) == ("department", code)


@pytest.mark.parametrize("message", ["le 29 mars", "on est 12 salariés", "nous sommes 25 bénévoles", "dans 75 des cas",
                                     "on doit payer lurssaf le 15", "la subvention arrive avant le 29",
                                     "notre ag est prevue le 13"])
def test_dates_and_quantities_are_not_departments(territory, message):
    assert find(territory, message) is None
    assert find(territory, message, expect_place=True) is None


# --------------------------------------------------------------------------- regions


@pytest.mark.parametrize(
    ("message", "code"),
    [
        ("Bretagne", "53"),
        ("en Occitanie", "76"),
        ("Pays de la Loire", "52"),
        ("Île-de-France", "11"),
        ("IDF", "11"),
        ("paca", "93"),
        ("région sud", "93"),
        ("aura", "84"),
        ("en AURA", "84"),
        ("BFC", "27"),
        ("HDF", "32"),
        ("CVL", "24"),
        ("cress centre", "24"),
        ("cress NA", "75"),
        ("Grand Est", "44"),
        ("Normandie", "28"),
        ("Corse", "94"),
        ("Guadeloupe", "01"),
        ("Martinique", "02"),
        ("Guyane", "03"),
        ("à la Réunion", "04"),
        ("Mayotte", "06"),
    ],
)
def test_region_names_and_short_forms(territory, message, code):
    place = first(territory, message)
    assert (place.kind, place.code) == ("region", code)


@pytest.mark.parametrize(
    ("former", "code"),
    [
        ("Aquitaine", "75"),
        ("Limousin", "75"),
        ("Poitou-Charentes", "75"),
        ("Midi-Pyrénées", "76"),
        ("Languedoc-Roussillon", "76"),
        ("Rhône-Alpes", "84"),
        ("Auvergne", "84"),
        ("Bourgogne", "27"),
        ("Franche-Comté", "27"),
        ("Alsace", "44"),
        ("Lorraine", "44"),
        ("Champagne-Ardenne", "44"),
        ("Nord-Pas-de-Calais", "32"),
        ("Picardie", "32"),
        ("Basse-Normandie", "28"),
        ("Haute-Normandie", "28"),
    ],
)
def test_former_region_gives_the_current_region(territory, former, code):
    place = first(territory, f"je suis en {former}")
    assert (place.kind, place.code) == ("region", code)


def test_every_region_name_is_found(territory):
    for region in territory.geo.regions.values():
        assert first(territory, f"en {region.name}") == region


@pytest.mark.parametrize(
    ("message", "code"),
    [("Saint-Pierre-et-Miquelon", "975"), ("Wallis-et-Futuna", "986"), ("Polynésie française", "987"),
     ("Nouvelle-Calédonie", "988"), ("Saint-Barthélemy", "977")],
)  # fmt: skip
def test_overseas_collectivity_is_found(territory, message, code):
    place = first(territory, message)
    assert (place.kind, place.code, territory.region_of(place)) == ("collectivity", code, code)


# --------------------------------------------------------------------------- ambiguity


@pytest.mark.parametrize(
    ("name", "departments"),
    [("Saint-Denis", ["974", "93"]), ("Saint-Pierre", ["974", "975", "972"]), ("Valence", ["26", "82"])],
)
def test_shared_name_gives_several_candidates_most_populated_first(territory, name, departments):
    match = find(territory, name)
    assert match is not None and match.ambiguous
    assert [p.department_code for p in match.candidates[: len(departments)]] == departments
    populations = [p.population for p in match.candidates]
    assert populations == sorted(populations, reverse=True)
    assert len(match.candidates) <= 6


@pytest.mark.parametrize(
    ("message", "department"),
    [("Saint-Denis de la Réunion", "974"), ("saint denis 93", "93"), ("Valence dans la Drôme", "26"),
     ("valence 26", "26"), ("Saint-Pierre 97500", "975")],
)  # fmt: skip
def test_another_place_in_the_message_settles_an_ambiguous_name(territory, message, department):
    match = find(territory, message)
    assert match is not None and not match.ambiguous
    assert match.candidates[0].department_code == department


def test_town_and_its_region_give_the_town(territory):
    match = find(territory, "je suis à Brest en Bretagne")
    assert match is not None and [p.name for p in match.candidates] == ["Brest"]


def test_two_unrelated_places_are_an_ambiguity_to_ask_about(territory):
    match = find(territory, "je suis à Lyon et en Bretagne")
    assert match is not None
    assert {p.name for p in match.candidates} == {"Lyon", "Bretagne"}


def test_vienne_town_or_department_depends_on_the_preposition(territory):
    assert first(territory, "à Vienne").kind == "commune"
    assert first(territory, "en Vienne").kind == "department"
    assert find(territory, "Vienne").ambiguous


def test_paris_alone_and_a_paris(territory):
    assert territory.label(first(territory, "Paris")) == "Paris (75, Île-de-France)"
    assert first(territory, "à Paris").kind == "commune"


# --------------------------------------------------------------------------- not places

NOT_PLACES = [
    "je veux creer une association",
    "c est quoi le dla",
    "aide pour mon projet",
    "bonjour",
    "merci beaucoup",
    "comment financer ma cooperative",
    "quelles aides pour une entreprise de l ess",
    "c'est pas cher",
    "il y aura une réunion demain",
    "j'ai une réunion avec la mairie",
    "la loi a changé",
    "formation en ligne",
    "le projet est en cours",
    "sur le long terme",
    "à la place de l'état",
    "c'est quoi une scic",
    "qu est ce qu un ptce",
    "je suis porteur de projet",
    "le 29 mars je lance ma boite",
    "mon association a 3 salariés",
    "statut scop ou scic",
    "les porteurs de projet",
    "la moyenne des salaires",
    "le centre social de mon quartier",
    "dans le sens de la loi",
    "une somme de 500 euros",
    "mon projet est à l'échelle nationale",
    "un tiers lieu à la campagne",
    "avec plaisir",
    "le port du masque",
    "le lot de formations",
    "une boulangerie bio",
    "c koi le fdva",
    "quelle différence entre association et coopérative",
    "est ce que je peux avoir une subvention",
    "ou trouver un local",
    "il y a des aides",
    "laurent fraisse est chercheur",
]


@pytest.mark.parametrize("message", NOT_PLACES)
def test_sentence_without_a_place_gives_none(territory, message):
    assert find(territory, message) is None


@pytest.mark.parametrize("message", NOT_PLACES)
def test_sentence_without_a_place_gives_none_even_when_a_place_is_expected(territory, message):
    assert find(territory, message, expect_place=True) is None


@pytest.mark.parametrize("message", ["je suis à Plaisir", "à Sens", "je suis à Tours", "cress Tours"])
def test_towns_named_like_ordinary_words_need_a_place_context(territory, message):
    assert first(territory, message).kind == "commune"


def test_ordinary_word_town_counts_as_an_answer_when_a_place_is_expected(territory):
    assert find(territory, "je suis à la garde") is None
    assert first(territory, "je suis à la garde", expect_place=True).name == "La Garde"


def test_find_reports_the_words_it_recognised(territory):
    match = find(territory, "j'habite au Havre")
    assert match is not None and match.matched_text == "au havre"


def test_empty_text_gives_none(territory):
    assert territory.find("") is None


# --------------------------------------------------------------------------- labels and payloads


@pytest.mark.parametrize(
    ("message", "label"),
    [
        ("Brest", "Brest (29, Bretagne)"),
        ("97400", "Saint-Denis (974, La Réunion)"),
        ("le 29", "Finistère (29, Bretagne)"),
        ("Occitanie", "Occitanie"),
        ("Nouméa", "Nouméa (Nouvelle-Calédonie)"),
        ("Saint-Pierre-et-Miquelon", "Saint-Pierre-et-Miquelon"),
        ("97133", "Saint-Barthélemy"),
    ],
)
def test_label_names_the_department_and_region(territory, message, label):
    assert territory.label(first(territory, message)) == label


def test_place_is_rebuilt_from_kind_and_code(territory):
    for message in ("Brest", "le 29", "Bretagne", "Saint-Pierre-et-Miquelon"):
        place = first(territory, message)
        assert territory.place(place.kind, place.code) == place
    assert territory.place("commune", "99999") is None
    assert territory.place("planet", "3") is None


# --------------------------------------------------------------------------- the data file


def test_geo_file_records_its_source_package_and_version():
    geo = load_geography(KNOWLEDGE_DIR / GEO_FILE)
    assert geo.source["package"] == "@etalab/decoupage-administratif"
    assert geo.source["version"] == "6.0.0"
    assert geo.source["generated"]
    assert len(geo.communes) > 34_000 and len(geo.departments) == 101 and len(geo.regions) == 18


def test_geo_file_normalised_names_match_the_current_normaliser():
    raw = json.loads((KNOWLEDGE_DIR / GEO_FILE).read_text(encoding="utf-8"))
    stale = [row[1] for row in raw["communes"] if normalize(row[1]) != row[5]]
    assert not stale, f"normalize() changed: rerun scripts/update_geo.py ({stale[:5]})"
