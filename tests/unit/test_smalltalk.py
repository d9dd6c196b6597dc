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


@pytest.mark.parametrize(
    "message",
    ["je vais au port", "je vais a la plage", "on est à bout", "je file à la gare", "on va chez ma tante"],
)
def test_everyday_sentences_are_not_taken_for_goodbye(chat, message):
    # "je m'en vais", "à plus", "à la prochaine" share "vais" and "à" with these.
    reply = chat.send(message)
    assert reply.intent != "goodbye"
    # The kinds of out-of-scope classes are merged back into one.
    assert reply.candidates[0][0] == "out_of_scope"


@pytest.mark.parametrize("message", ["au revoir", "à plus", "à la prochaine", "bonne soirée", "je m'en vais"])
def test_goodbyes_still_get_goodbye(chat, message):
    assert chat.send(message).intent == "goodbye"
