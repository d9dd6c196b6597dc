"""Reply -> Telegram HTML messages and keyboards (no I/O)."""

from __future__ import annotations

import re

import pytest

from bot.messages import Messages
from bot.replies import Block, Button, ContactCard, Reply
from bot.telegram.logs import JsonFormatter
from bot.telegram.render import (
    MAX_MESSAGE_CHARS,
    decode_callback,
    encode_callback,
    render_reply,
    telegram_length,
)


@pytest.fixture(scope="module")
def texts() -> Messages:
    return Messages.load()


def test_every_dynamic_text_is_html_escaped(texts):
    reply = Reply(
        blocks=(Block("<script>alert(1)</script> & co", title="A <b> & B", link="https://x.org/?a=1&b=\"2\""),),
        cards=(ContactCard("CRESS <X>", lines=("1 < 2",), email="a&b@x.org"),),
    )
    (message,) = render_reply(reply, texts)
    assert "<script>" not in message.html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; co" in message.html
    assert "<b>A &lt;b&gt; &amp; B</b>" in message.html
    assert 'href="https://x.org/?a=1&amp;b=&quot;2&quot;"' in message.html
    assert "<b>CRESS &lt;X&gt;</b>" in message.html and "1 &lt; 2" in message.html
    tags = set(re.findall(r"</?([a-z]+)", message.html))
    assert tags <= {"b", "a"}


def test_contact_card_has_french_labels_and_a_link(texts):
    card = ContactCard("CRESS Bretagne", website="https://ess-bretagne.org", phone="02 99 00 00 00")
    (message,) = render_reply(Reply(cards=(card,)), texts)
    assert 'Site : <a href="https://ess-bretagne.org">' in message.html
    assert "Téléphone : 02 99 00 00 00" in message.html


def test_long_reply_is_split_at_paragraph_boundaries_within_4096(texts):
    paragraphs = [f"Paragraphe {i} " + "mot " * 200 for i in range(12)]
    reply = Reply(blocks=(Block("\n\n".join(paragraphs), title="Titre"),), buttons=(Button("Menu", "menu"),))
    messages = render_reply(reply, texts)
    assert len(messages) > 1
    assert all(telegram_length(m.html) <= MAX_MESSAGE_CHARS for m in messages)
    assert all(m.html.rstrip().endswith("mot") for m in messages)  # no paragraph cut in two
    assert [m.keyboard is not None for m in messages] == [False] * (len(messages) - 1) + [True]
    joined = "\n\n".join(m.html for m in messages)
    assert joined.count("Paragraphe") == 12


def test_single_huge_paragraph_is_cut_at_lines_then_words(texts):
    reply = Reply(blocks=(Block("é<" * 5000),))  # escapes grow: "&lt;" is 4 characters
    messages = render_reply(reply, texts)
    assert all(telegram_length(m.html) <= MAX_MESSAGE_CHARS for m in messages)
    assert "".join(m.html for m in messages) == "é&lt;" * 5000


def test_callback_data_is_versioned_and_under_64_bytes():
    assert encode_callback("o:set:who:association") == "v1|o:set:who:association"
    assert encode_callback("x" * 61) == "v1|" + "x" * 61  # exactly 64 bytes
    assert encode_callback("x" * 62) is None
    assert decode_callback("v1|k:dla") == "k:dla"


@pytest.mark.parametrize(
    ("data", "payload"),
    [("v0|k:dla", "stale"), ("v7|anything", "stale"), ("k:dla", "k:dla"), ("", "stale"), (None, "stale")],
)
def test_old_or_unversioned_callback_data_goes_to_the_engine_as_stale_or_as_is(data, payload):
    assert decode_callback(data) == payload


def test_too_long_payload_button_is_dropped_not_sent(texts):
    reply = Reply(blocks=(Block("x"),), buttons=(Button("ok", "menu"), Button("trop long", "k:" + "x" * 70)))
    (message,) = render_reply(reply, texts)
    assert [b.text for row in message.keyboard.inline_keyboard for b in row] == ["ok"]


def test_url_buttons_open_links(texts):
    reply = Reply(blocks=(Block("x"),), buttons=(Button("Site", "", url="https://avise.org"),))
    (message,) = render_reply(reply, texts)
    assert message.keyboard.inline_keyboard[0][0].url == "https://avise.org"


def test_choices_of_one_question_share_rows_and_navigation_its_own_row(texts):
    buttons = (Button("Idée", "o:set:stage:idee"), Button("Création", "o:set:stage:creation"),
               Button("↩️ Retour", "o:back"), Button("✖️ Annuler", "o:cancel"))
    (message,) = render_reply(Reply(blocks=(Block("?"),), buttons=buttons), texts)
    rows = [[b.text for b in row] for row in message.keyboard.inline_keyboard]
    assert rows == [["Idée", "Création"], ["↩️ Retour", "✖️ Annuler"]]


def test_log_lines_never_show_the_token():
    import logging

    record = logging.LogRecord("httpx", logging.INFO, "", 0, "POST https://api/bot123:SECRET/getMe", (), None)
    line = JsonFormatter(secrets=("123:SECRET",)).format(record)
    assert "SECRET" not in line and "<token>" in line
