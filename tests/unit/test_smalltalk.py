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
