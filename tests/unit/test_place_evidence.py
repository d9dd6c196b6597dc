"""A place word counts only with evidence that it is a place (issue 9): ordinary words and first
names that are also communes are not read as towns; real places still are, with or without a cue."""

from dataclasses import replace

import pytest

from bot.nlu.ranking import Candidate
from tests.conftest import Chat

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
    "je suis a fond sur le projet",
    "c'est a voir avec le bureau",
    "je suis adjointe au maire",  # "au" + Mairé: "au" stands for "le", never before a plain town
    "c'est près de chez moi",
    "en somme on voudrait une scic",  # an idiom, not the Somme
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
    # Names that are also rare dictionary words ("guéret", "privas", "tulle"), typed as people do.
    ("Guéret", "commune", "23096"),
    ("on est a gueret", "commune", "23096"),
    ("je suis a privas", "commune", "07186"),
    ("Tulle", "commune", "19272"),
    # "st" is typed for "saint".
    ("je suis a st etienne", "commune", "42218"),
    ("la cress de st pierre et miquelon", "collectivity", "975"),
]


@pytest.mark.parametrize(("message", "kind", "code"), PLACES)
def test_real_place_is_found_and_remembered(chat, message, kind, code):
    reply = chat.send(message)
    assert chat.state.place is not None, chat.text
    assert (chat.state.place.kind, chat.state.place.code) == (kind, code)
    assert reply.cards


def test_elected_official_near_a_town_whose_name_is_also_a_word_gets_its_cress(chat):
    # "rodez" is also a verb form; "près de" says it is the town, and "au maire" is not Mairé.
    reply = chat.send("bonjour je suis adjointe au maire d une commune de 3000 hab pres de rodez")
    assert chat.state.place is not None and chat.state.place.label.startswith("Rodez")
    assert reply.intent == "leviers_collectivites"
    assert [c.title for c in reply.cards] == ["CRESS Occitanie"]


@pytest.mark.parametrize(("message", "code"), [
    ("slt jveux lancer une ressourcerie dans mon village en creuse", "23"),
    ("on voudrait ouvrir un tiers lieu en vienne", "86"),
])
def test_a_department_whose_name_is_a_word_counts_after_en(chat, message, code):
    chat.send(message)
    assert chat.state.place is not None, chat.text
    assert (chat.state.place.kind, chat.state.place.code) == ("department", code)


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


# A real place in a message that is not about the ESS: the bot does not answer, so it must not
# remember the place nor show a CRESS card either.
OFF_TOPIC_WITH_PLACES = [
    "je cherche un plombier pas cher à Nantes",
    "quel temps fera-t-il à Bordeaux samedi ?",
    "on veut acheter un appartement à Rennes, quel taux de crédit immobilier ?",
    "ouvrir une pizzeria à Grenoble : SARL ou SAS ?",
    "kiné à Bastia, SCP ou SELARL pour m'associer avec un confrère ?",
    "les horaires de la piscine de Lorient le dimanche",
    "je suis boulanger dans le Cantal et je veux racheter un fonds de commerce",
    # Place words only, but asking about the town itself, not its CRESS.
    "Quel est le code postal de Toulouse ?",
    "le site internet de la ville de Bordeaux",
    "Rennes c'est dans quelle région ?",
    "c'est où Quimper ?",
]


@pytest.mark.parametrize("message", OFF_TOPIC_WITH_PLACES)
def test_place_in_an_off_topic_message_is_neither_remembered_nor_shown(chat, message):
    reply = chat.send(message)
    assert not reply.matched, reply.intent
    assert chat.state.place is None, chat.state.place
    assert not reply.cards


IN_SCOPE_WITH_PLACES = [
    ("je suis à Brest, c'est quoi une scic ?", "29019"),
    ("notre association à Lens voudrait un poste Fonjep, comment faire ?", "62498"),
    # a word of the domain (an elected official of a commune) keeps the place, whatever the
    # off-topic class reads in a greeting
    ("bonjour je suis elue dans une commune de 1200 habitants en haute loire", "43"),
    # a department after "de" said of a commune, an association or an elected official
    ("maire d'une commune du cantal, comment soutenir l'ess", "15"),
]


@pytest.mark.parametrize(("message", "code"), IN_SCOPE_WITH_PLACES)
def test_place_in_a_question_about_the_ess_is_remembered(chat, message, code):
    reply = chat.send(message)
    assert reply.matched
    assert chat.state.place is not None and chat.state.place.code == code


def test_bare_place_after_an_off_topic_message_still_gives_the_cress(chat):
    chat.send("je cherche un plombier pas cher à Nantes")
    reply = chat.send("Nantes")
    assert reply.cards


class _Fixed:
    """A ranker that always gives the same ranking, to test what the engine does with a place."""

    def __init__(self, *candidates):
        self.candidates = list(candidates)

    def rank(self, normalised, limit=5, question=None):
        return self.candidates[:limit]


def test_place_is_not_kept_when_the_off_topic_class_is_a_serious_contender(engine):
    # out of scope at 0.20: a serious contender, but not close enough to the best topic for the
    # message to be read as off-topic (bot.nlu.policy.OFF_DOMAIN_SHARE)
    doubtful = replace(engine, matcher=_Fixed(Candidate("scic", 0.62, score=0.62),
                                               Candidate("out_of_scope", 0.20, score=0.20)))
    chat = Chat(doubtful)
    reply = chat.send("je suis à Brest et je veux ouvrir une pizzeria")
    assert reply.intent == "scic"  # answered all the same
    assert chat.state.place is None
    assert not reply.cards


def test_place_is_kept_when_the_message_is_clearly_about_the_ess(engine):
    sure = replace(engine, matcher=_Fixed(Candidate("scic", 0.9, score=0.9), Candidate("scop", 0.05, score=0.05)))
    chat = Chat(sure)
    chat.send("je suis à Brest et je veux monter une scic")
    assert chat.state.place is not None and chat.state.place.code == "29019"


def test_place_is_not_kept_when_the_answer_rests_on_dominance_only(engine):
    unsure = replace(engine, matcher=_Fixed(Candidate("scic", 0.40, score=0.40), Candidate("scop", 0.05, score=0.05)))
    chat = Chat(unsure)
    reply = chat.send("je suis à Brest et je veux ouvrir une pizzeria")
    assert reply.intent == "scic"  # dominant enough to answer
    assert chat.state.place is None
