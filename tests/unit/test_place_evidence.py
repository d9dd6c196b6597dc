"""A place word counts only with evidence that it is a place (issue 9): ordinary words and first
names that are also communes are not read as towns; real places still are, with or without a cue."""

import pytest

TRAPS = [
    "cress",  # Crest (26), one letter away
    "maire",  # Mairé (86)
    "le numéro de téléphone d'alex",  # Alex (74)
    "on se voit à la réunion de demain",  # La Réunion
    "je vais au port",  # Le Port (974)
    "le maire de ma commune peut-il aider une asso ?",
    "je m'appelle Florence, c'est quoi le dla",
    "je vais à la plage ce week-end",
    "orange",
]


@pytest.mark.parametrize("message", TRAPS)
def test_ordinary_word_or_first_name_is_not_a_place(chat, message):
    reply = chat.send(message)
    assert chat.state.place is None, chat.state.place
    assert not reply.cards
    assert "Votre CRESS pour" not in chat.text


PLACES = [
    ("cress Bretagne", "region", "53"),
    ("je suis dans le Finistère", "department", "29"),
    ("cress 29", "department", "29"),
    ("29200", "commune", "29019"),
    ("Brest", "commune", "29019"),
    ("je suis à Brest", "commune", "29019"),
    ("j'habite Tours", "commune", "37261"),
    ("je suis en Corse", "region", "94"),
    ("j'habite à Ajaccio", "commune", "2A004"),
    ("je suis en Guadeloupe", "region", "01"),
    ("la cress de La Réunion", "region", "04"),
    ("je suis à Mairé", "commune", "86143"),
]


@pytest.mark.parametrize(("message", "kind", "code"), PLACES)
def test_real_place_is_found_and_remembered(chat, message, kind, code):
    reply = chat.send(message)
    assert chat.state.place is not None, chat.text
    assert (chat.state.place.kind, chat.state.place.code) == (kind, code)
    assert reply.cards


def test_town_named_in_passing_does_not_replace_the_remembered_place(chat):
    chat.send("je suis à Brest")
    chat.send("une asso de Lyon fait des paniers solidaires, c'est quoi une scic ?")
    assert chat.reply.intent == "scic"
    assert chat.state.place.label.startswith("Brest")


def test_user_who_says_they_moved_gets_the_new_place(chat):
    chat.send("je suis à Brest")
    chat.send("en fait je suis à Lyon")
    assert chat.state.place.label.startswith("Lyon")


def test_small_town_in_an_organisation_name_is_not_a_place(chat):
    chat.send("mon association Les Jardins de Kerlouan")
    assert chat.state.place is None
