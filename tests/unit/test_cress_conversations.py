"""CRESS look-ups through the engine: one message, the right regional chamber."""

import pytest


@pytest.mark.parametrize(
    ("message", "region_word"),
    [
        ("je suis à Brest", "Bretagne"),
        ("cress 29200", "Bretagne"),
        ("CRESS pour le 2A", "Corse"),
        ("contact cress 974", "Réunion"),
        ("cress occitanie", "Occitanie"),
        ("numero de la cress paca", "Provence"),
        ("je suis en Limousin, c'est quoi ma cress", "Nouvelle-Aquitaine"),
    ],
)
def test_place_in_one_message_gives_the_regional_cress(chat, message, region_word):
    reply = chat.send(message)
    assert reply.matched and reply.intent == "cress_contact"
    assert reply.cards, chat.text
    assert region_word in chat.text


def test_ambiguous_town_asks_with_buttons_most_populated_first(chat):
    chat.send("cress saint denis")
    assert len(chat.labels) >= 2
    assert "Saint-Denis" in chat.labels[0]
    chat.press(chat.reply.buttons[1].payload)
    assert chat.reply.cards


def test_cress_without_place_asks_where_then_answers(chat):
    chat.command("cress")
    assert "Dans quelle région" in chat.text
    chat.send("Rennes")
    assert "Bretagne" in chat.text and chat.reply.cards


def test_and_in_brittany_follows_a_cress_answer(chat):
    chat.send("cress lyon")
    assert "Auvergne-Rhône-Alpes" in chat.text
    chat.send("et en Bretagne ?")
    assert "Bretagne" in chat.text and chat.reply.cards


@pytest.mark.parametrize(("follow_up", "region_word"), [("et 2A", "Corse"), ("et 29 ?", "Bretagne"), ("2b", "Corse")])
def test_a_bare_department_number_just_after_a_cress_answer_is_another_place(chat, follow_up, region_word):
    chat.send("cress 13")
    reply = chat.send(follow_up)
    assert reply.cards and region_word in chat.text


def test_a_bare_number_elsewhere_is_not_read_as_a_department(chat):
    chat.send("c'est quoi le dla")
    assert not chat.send("et 29 ?").cards


def test_and_in_brittany_after_a_national_answer_says_so_briefly_with_the_cress(chat):
    chat.send("c'est quoi une scop")
    chat.send("et en Bretagne ?")
    assert "vaut aussi pour Bretagne" in chat.text
    assert "associés majoritaires" not in chat.text  # not the whole card again
    assert [card.title for card in chat.reply.cards] == ["CRESS Bretagne"]
    assert chat.reply.buttons[0].label.startswith("Société coopérative et participative")


def test_and_in_brittany_after_a_local_answer_gives_it_again_for_the_place(chat):
    chat.send("c'est quoi le DLA")
    chat.send("et dans le 29 ?")
    assert "chargé·e de mission DLA" in chat.text
    assert any("Bretagne" in card.title for card in chat.reply.cards)


def test_remembered_place_is_used_by_a_later_dla_question(chat):
    chat.send("je suis à Brest")
    chat.send("c'est quoi le DLA")
    assert chat.reply.intent == "dla"
    assert any("Bretagne" in card.title for card in chat.reply.cards)


def test_normandie_card_does_not_send_people_to_the_liquidated_cress(chat):
    chat.send("cress rouen")
    assert "liquidation" in chat.text.lower()
    assert "ESS France" in chat.text


@pytest.mark.parametrize(
    "message",
    ["je cherche un plombier à Lyon", "météo à Brest demain", "horaires de la piscine à Grenoble"],
)
def test_off_topic_message_with_a_place_stays_unmatched(chat, message):
    reply = chat.send(message)
    assert not reply.matched
    assert not reply.cards


def test_a_place_after_asking_about_the_cress_gives_its_card_not_the_definition_again(chat):
    chat.send("cress")
    reply = chat.send("Creuse")
    assert reply.intent == "cress_contact" and reply.cards
    assert "Votre CRESS pour Creuse" in chat.text and "Nouvelle-Aquitaine" in chat.text
    assert "article 6 de la loi ESS" not in chat.text


def test_the_local_cress_comes_once_per_place_not_under_every_answer(chat):
    reply = chat.send("maire d'une commune du cantal, comment soutenir l'ess")
    assert [card.title for card in reply.cards] == ["CRESS Auvergne-Rhône-Alpes"]
    reply = chat.send("c'est quoi un ptce")
    assert reply.matched and not reply.cards and "CRESS Auvergne" not in chat.text
    # Asked for, or for another place, it comes again.
    assert [card.title for card in chat.send("et la cress ?").cards] == ["CRESS Auvergne-Rhône-Alpes"]
    reply = chat.send("et dans le 29 ?")
    assert [card.title for card in reply.cards] == ["CRESS Bretagne"]
