"""Small talk people try: answered briefly and honestly, not with the help text."""

import pytest


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        ("t'es un robot ?", "assistant automatique"),
        ("qui t'a créé ?", "Boussole ESS"),
        ("tu peux m'appeler ?", "Je ne peux ni appeler"),
        ("merci c'était utile", "Avec plaisir"),
    ],
)
def test_small_talk_gets_a_short_honest_answer(chat, message, expected):
    chat.send(message)
    assert expected in chat.text
    assert "Je peux :" not in chat.text  # not the help text
    assert len(chat.text) < 400


GOODBYE_TEXT = "Bonne continuation"


@pytest.mark.parametrize("message", ["au revoir", "a+", "bonne journée", "bonne soirée à vous", "je m en vais"])
def test_a_goodbye_is_answered_as_one(chat, message):
    chat.send(message)
    assert GOODBYE_TEXT in chat.text or "Avec plaisir" in chat.text


EVERYDAY = ["je vais a la plage", "je vais au port demain", "on est a bout", "je passe a la poste"]


@pytest.mark.parametrize("message", EVERYDAY)
def test_an_everyday_sentence_is_not_taken_for_a_goodbye(chat, message):
    chat.send(message)
    assert GOODBYE_TEXT not in chat.text


WELCOME_TEXT = "Je suis Boussole ESS"


@pytest.mark.parametrize(
    ("message", "intent"),
    [
        ("bonjour je voudrais savoir c quoi le dla", "dla"),
        ("salut, c'est quoi une scic ?", "scic"),
        ("hello notre asso a des soucis de tresorerie", "tresorerie_difficultes"),
        ("super merci, comment on contacte france active", "france_active"),
        ("ok merci, et pour une scic il faut combien de personnes", "faq_scic_associes"),
        ("bonsoir, que peut faire ma commune pour soutenir les assos et les coops ?", "leviers_collectivites"),
    ],
)
def test_a_greeting_that_opens_a_question_does_not_hide_it(chat, message, intent):
    reply = chat.send(message)
    assert reply.intent == intent
    assert WELCOME_TEXT not in chat.text


@pytest.mark.parametrize("message", ["bonjour", "bonjour tout le monde", "salut le bot", "bonjour madame monsieur"])
def test_a_greeting_alone_gets_the_welcome(chat, message):
    chat.send(message)
    assert WELCOME_TEXT in chat.text


@pytest.mark.parametrize("message", ["merci beaucoup pour tout", "ok merci", "merci c'est clair"])
def test_thanks_alone_get_a_short_reply(chat, message):
    reply = chat.send(message)
    assert reply.intent == "thanks"
