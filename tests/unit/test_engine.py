"""Conversations with the engine, as a user sees them."""

from bot.replies import Event
from bot.state import ConversationState


def test_dla_question_gets_sourced_answer_with_next_step_and_link(chat):
    reply = chat.send("c koi le DLA ??")
    assert reply.matched and reply.intent == "dla"
    assert "dispositif local d'accompagnement" in chat.text.lower()
    assert "Sources :" in chat.text
    assert "info-dla.fr" in chat.text
    assert "👉" in chat.text  # the next step


def test_answer_offers_see_also_buttons_that_open_the_entry(chat):
    chat.send("c'est quoi le DLA")
    assert chat.reply.buttons
    first = chat.reply.buttons[0]
    reply = chat.press(first.payload)
    assert reply.matched and reply.intent == first.payload.removeprefix("k:")


def test_off_topic_message_is_not_matched_and_offers_the_menu(chat):
    reply = chat.send("quelle est la recette de la blanquette de veau")
    assert not reply.matched
    assert "Je ne suis pas sûr de comprendre" in chat.text
    assert any(b.payload == "o:start" for b in reply.buttons)


def test_greeting_thanks_and_goodbye_are_answered(chat):
    assert chat.send("bonjour").intent == "greeting"
    assert chat.send("merci beaucoup").intent == "thanks"
    assert chat.send("au revoir").intent == "goodbye"


def test_closed_scheme_is_presented_as_closed_with_its_date(chat):
    reply = chat.send("le fonds urgencess est il ouvert")
    assert reply.intent == "urgencess"
    assert "clos" in chat.text.lower()
    assert "2021" in chat.text


def test_empty_message_gets_a_clear_answer(chat):
    assert "vide" in chat.send("   ").plain_text()


def test_emoji_only_message_asks_for_text(chat):
    assert "texte" in chat.send("😀🎉👍").plain_text()


def test_a_very_long_message_is_read_up_to_the_question_at_its_end(chat):
    story = "Nous en parlons depuis des mois avec des amis, le soir, après le travail. " * 12
    reply = chat.send(story + "Au final, une Scic ça marche comment ?")
    assert len(story) > 600
    # The scheme named in the last sentence is heard (before, only the opening was read).
    assert "scic" in [intent for intent, _ in reply.candidates]


def test_punctuation_only_message_asks_for_words_not_for_text(chat):
    text = chat.send("?!...").plain_text()
    assert "pas trouvé de mots" in text and "Je ne lis que le texte" not in text


def test_huge_message_is_read_in_part_and_answered(chat):
    reply = chat.send("c'est quoi le DLA ? " + "blabla " * 3000)
    assert "long" in chat.text
    assert reply.blocks


def test_html_in_text_is_not_a_problem(chat):
    reply = chat.send("<script>alert(1)</script> c'est quoi une <b>SCIC</b>")
    assert reply.intent == "scic"


def test_unsupported_media_gets_a_short_explanation(engine):
    reply, _ = engine.respond(ConversationState(), Event("unsupported", text="autocollants"))
    assert "autocollants" in reply.plain_text()


def test_unknown_command_explains_and_shows_menu(chat):
    reply = chat.command("pizza")
    assert "commande" in chat.text
    assert reply.buttons


def test_stale_button_gets_explanation_and_menu(chat):
    reply = chat.press("k:no_such_entry")
    assert "plus valable" in chat.text
    assert any(b.payload == "cat" for b in reply.buttons)


def test_catalogue_lists_themes_then_entries(chat):
    chat.command("dispositifs")
    assert "Financer" in chat.labels
    chat.click("Financer")
    assert "France Active" in chat.text
    assert all(b.payload.startswith("k:") for b in chat.reply.buttons[:-1])


def test_deep_link_start_dla_opens_the_entry(chat):
    assert chat.command("start", "dla").intent == "dla"


def test_deep_link_start_cress_reg_53_gives_the_bretagne_card(chat):
    chat.command("start", "cress_reg_53")
    assert "CRESS Bretagne" in chat.text


def test_deep_link_cress_dep_01_is_the_ain_and_cress_reg_01_guadeloupe(chat):
    chat.command("start", "cress_dep_01")
    assert "Ain" in chat.text and "Auvergne-Rhône-Alpes" in chat.text
    chat.command("start", "cress_reg_01")
    assert "Guadeloupe" in chat.text


def test_older_deep_link_cress_01_means_the_ain_not_guadeloupe(chat):
    chat.command("start", "cress_01")
    assert "Ain" in chat.text and "Guadeloupe" not in chat.text


def test_cress_84_is_the_vaucluse_and_cress_reg_84_auvergne_rhone_alpes(chat):
    chat.command("start", "cress_84")
    assert "Vaucluse" in chat.text and "Provence" in chat.text
    chat.command("start", "cress_reg_84")
    assert "Auvergne-Rhône-Alpes" in chat.text and "Vaucluse" not in chat.text


def test_forget_drops_the_remembered_place(chat):
    chat.send("cress 29200")
    assert chat.state.place is not None
    chat.command("oublier")
    assert chat.state.place is None
    assert chat.reply.forget  # tells the doors to delete what they stored


def test_state_survives_a_json_round_trip(chat):
    chat.send("cress 29200")
    chat.command("orienter")
    restored = ConversationState.from_dict(chat.state.to_dict())
    assert restored == chat.state
