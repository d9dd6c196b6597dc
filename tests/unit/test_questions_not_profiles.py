"""A message that asks something is answered; only a first-person profile without a question
starts the orientation (issue 9). The orientation is then offered as a button."""

import pytest

QUESTIONS = [
    "Notre association peut-elle recevoir des dons ?",
    "On peut quitter la coopérative quand on veut ?",
    "nous sommes une scop en difficulté, est-ce que le dla peut nous aider",
    "comment notre association peut trouver un local",
    "jveux monter une asso pr aider les jeunes du quartier cmt on fait",
]


@pytest.mark.parametrize("message", QUESTIONS)
def test_question_with_a_status_word_does_not_start_the_orientation(chat, message):
    chat.send(message)
    assert chat.state.flow is None, chat.text


def test_question_with_a_profile_is_answered_and_offers_the_orientation(chat):
    reply = chat.send("Notre association peut-elle recevoir des dons ?")
    # The card on gifts, or the FAQs on what makes gifts tax-deductible.
    assert reply.matched and reply.intent in ("mecenat_dons", "faq_dons_avantage_fiscal",
                                              "faq_mecenat_dons_interet_general")
    assert any(b.payload == "o:start" for b in reply.buttons)


def test_profile_without_question_starts_the_orientation(chat):
    chat.send("on est une asso employeuse en difficulté")
    assert chat.state.flow is not None


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        ("on est une scop en difficulté", True),
        ("je suis une asso employeuse", True),
        ("nous sommes une association de quartier", True),
        ("nous avons huit salariés", True),
        ("notre asso a des difficultés financières", False),
        ("la mairie refuse de nous donner une subvention", False),
        ("mon association cherche un local", False),
    ],
)
def test_only_a_first_person_subject_tells_who_one_is(message, expected):
    from bot.nlu.normalize import normalize
    from bot.nlu.slots import tells_who_one_is

    assert tells_who_one_is(normalize(message)) is expected


def test_a_problem_told_about_our_association_is_answered(chat):
    reply = chat.send("notre asso a des difficultés financières")
    assert chat.state.flow is None
    assert reply.matched and reply.intent == "tresorerie_difficultes"


def test_a_situation_with_a_clear_topic_is_answered_with_the_orientation_offered(chat):
    reply = chat.send("mon patron part a la retraite on voudrait reprendre la boite entre salaries")
    assert chat.state.flow is None
    assert reply.intent == "faq_scop_reprise"
    assert any(b.payload == "o:start" for b in reply.buttons)


def test_a_full_profile_still_starts_the_orientation_whatever_its_topic(chat):
    chat.send("on est une scop en difficulte a Nantes, on a besoin d'un accompagnement")
    assert chat.state.flow is not None


@pytest.mark.parametrize(
    ("message", "intent"),
    [("je veux monter une scop avec mes collegues", "scop"), ("nous voulons creer une scic", "scic")],
)
def test_a_legal_form_one_sets_up_is_the_topic_not_who_one_is(chat, message, intent):
    reply = chat.send(message)
    assert chat.state.flow is None
    assert reply.intent == intent
    assert any(b.payload == "o:start" for b in reply.buttons)


def test_a_situation_that_names_a_scheme_gets_the_faq_it_asks_for(chat):
    # Who, where and what is needed: a full profile, but it names the titres associatifs and asks
    # one of their FAQs, which holds no name of its own: answered, not the orientation.
    reply = chat.send(
        "Nous sommes une association d'aide à domicile en Bretagne, activité économique depuis 20 ans. "
        "Pour financer nos nouveaux locaux, la banque "
        "nous conseille d'émettre des titres associatifs. Le comptable se demande s'ils seront inscrits en "
        "fonds propres ou en dettes au bilan."
    )
    assert chat.state.flow is None, chat.text
    assert reply.intent == "faq_titres_associatifs_fonds_propres"
