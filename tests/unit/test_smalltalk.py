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
