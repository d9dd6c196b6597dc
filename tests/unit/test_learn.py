"""The curator loop's pure pieces: scrubbing, grouping, review's edits (the store-backed parts:
tests/integration/test_learning.py)."""

from __future__ import annotations

import shutil

import pytest
import yaml

from bot.content.loader import INTENTS_DIR, KNOWLEDGE_DIR, load_content
from bot.learn.review import add_examples, learned_path
from bot.learn.scrub import scrub
from bot.learn.stats import group_questions
from bot.messages import Messages

# (what a user typed, what must not survive, what must survive)
SCRUB_TABLE = [
    ("écrivez-moi à jean.dupont@gmail.com svp", ["jean", "dupont", "gmail"], ["écrivez-moi", "svp"]),
    ("contact : marie point durand arobase orange point fr", ["marie", "durand", "orange"], ["contact"]),
    ("mon tel 06 12 34 56 78 rappelez moi", ["06", "12 34", "56 78"], ["rappelez moi"]),
    ("joignable au +33 6 12 34 56 78 ou au 01.23.45.67.89", ["+33", "6 12", "01.23"], ["joignable"]),
    ("tel:0612345678", ["0612345678"], ["tel"]),
    ("notre siège est au 12 rue des Lilas, 75011 Paris", ["12 rue", "Lilas", "75011"], ["notre siège"]),
    ("j'habite 3 bis avenue Jean Jaurès à Lyon", ["3 bis", "Jean Jaurès"], ["j'habite"]),
    ("on est Place de la Mairie à Crest", ["de la Mairie"], ["on est"]),
    ("iban FR76 3000 6000 0112 3456 7890 189 pour le virement", ["FR76", "3000", "189"], ["pour le virement"]),
    ("mon numéro de sécu 1 85 05 78 006 084 36", ["1 85 05", "084 36"], ["mon numéro"]),
    ("numéro allocataire 1234567", ["1234567"], ["numéro allocataire"]),
    ("c'est quoi le dla", [], ["c'est quoi le dla"]),
]


@pytest.mark.parametrize(("text", "gone", "kept"), SCRUB_TABLE)
def test_scrubbing_removes_contact_details_and_keeps_the_question(text, gone, kept):
    cleaned = scrub(text)
    for fragment in gone:
        assert fragment not in cleaned, cleaned
    for fragment in kept:
        assert fragment in cleaned, cleaned


QUESTIONS_FIXED = [
    ("combien coute une adhesion a la cress", "cress"),
    ("combien coute l adhesion a la cress", "cress"),
    ("combien ca coute d adherer a la cress", "cress"),
    ("prix adhesion cress ?", "cress"),
    ("horaires de la mairie de Brest", None),
    ("horaires mairie de brest", None),
    ("une recette de crepes", None),
]


def test_similar_questions_are_grouped_biggest_first_with_their_candidates():
    records = [{"text": text, "candidates": [[intent, 0.4]] if intent else []} for text, intent in QUESTIONS_FIXED]
    records += [{"text": "combien coute une adhesion a la cress", "candidates": [["cress", 0.4]]}]
    groups = group_questions(records)
    assert groups[0].size == 5
    assert groups[0].candidates[0][0] == "cress"
    assert groups[0].label == "combien coute une adhesion a la cress"
    assert groups[1].size == 2 and "mairie" in groups[1].label
    assert [g.size for g in groups] == [5, 2, 1]


@pytest.fixture
def intents_copy(tmp_path):
    target = tmp_path / "intents"
    shutil.copytree(INTENTS_DIR, target)
    return target


def test_review_writes_valid_yaml_that_the_bot_loads(intents_copy):
    texts = ["ou trouver le dla de la haute vienne", "le dla de ma ville il est ou"]
    assert add_examples(intents_copy, KNOWLEDGE_DIR, "dla", texts) == []
    written = yaml.safe_load(learned_path(intents_copy, "dla").read_text(encoding="utf-8"))
    assert written == {"intent": "dla", "examples": texts}
    content = load_content(KNOWLEDGE_DIR, intents_copy, known_messages=Messages.load().keys())
    dla = next(i for i in content.intents if i.id == "dla")
    assert dla.examples[-2:] == texts


def test_review_writes_nothing_on_a_bad_edit(intents_copy):
    problems = add_examples(intents_copy, KNOWLEDGE_DIR, "no_such_intent", ["une question"])
    assert problems and "no_such_intent" in problems[0]
    assert not learned_path(intents_copy, "no_such_intent").exists()


# -- feedback in the engine (pure: the Telegram adapter's test is in tests/integration) ---------


@pytest.fixture
def learning_chat(engine):
    from dataclasses import replace

    from tests.conftest import Chat

    return Chat(replace(engine, learning=True))


def test_every_knowledge_answer_can_carry_its_feedback_buttons_within_64_bytes(engine):
    from bot.actions import Feedback, decode, encode, to_callback_data

    for intent in engine.content.intents:
        if intent.knowledge:
            for helpful in (True, False):
                payload = encode(Feedback(intent.id, helpful))
                assert to_callback_data(payload) is not None, intent.id
                assert decode(payload) == Feedback(intent.id, helpful)


def test_feedback_buttons_only_when_learning_is_on(chat, learning_chat):
    chat.send("c'est quoi le DLA")
    assert "👍" not in chat.labels
    learning_chat.send("c'est quoi le DLA")
    assert learning_chat.labels[-2:] == ["👍", "👎"]


def test_thumbs_down_asks_what_was_missing_and_the_next_text_answers_it(learning_chat):
    learning_chat.send("c'est quoi le DLA")
    reply = learning_chat.click("👎")
    assert reply.feedback == ("dla", False) and "Qu'est-ce qui manquait" in learning_chat.text
    reply = learning_chat.send("le montant maximum")
    assert reply.missing_for == "dla" and "noté" in learning_chat.text
    reply = learning_chat.send("c'est quoi une SCIC")  # the question is asked once only
    assert reply.missing_for is None and reply.intent == "scic"


def test_anything_but_a_text_skips_the_missing_question(learning_chat):
    learning_chat.send("c'est quoi le DLA")
    learning_chat.click("👎")
    learning_chat.command("aide")
    reply = learning_chat.send("c'est quoi une SCIC")
    assert reply.missing_for is None and reply.intent == "scic"


def test_thumbs_up_thanks_briefly(learning_chat):
    learning_chat.send("c'est quoi le DLA")
    reply = learning_chat.click("👍")
    assert reply.feedback == ("dla", True) and learning_chat.text == "Merci, c'est noté !"


def test_start_and_help_say_in_one_sentence_that_learning_is_on(chat, learning_chat):
    for command in ("start", "aide"):
        assert "identifiant" not in chat.command(command).plain_text()
        assert learning_chat.command(command).blocks[-1].text.count(".") == 1
        assert "sans aucun identifiant" in learning_chat.text


def test_the_reply_carries_the_best_candidates_with_their_confidences(chat):
    reply = chat.send("qui peut garantir mon pret bancaire")
    assert reply.candidates and all(0.0 <= c <= 1.0 for _, c in reply.candidates)
    assert reply.candidates[0][1] >= reply.candidates[-1][1]


def test_review_keeps_the_question_without_the_scrubbing_placeholders(intents_copy):
    assert add_examples(intents_copy, KNOWLEDGE_DIR, "dla", ["le dla du 29 au <téléphone> il est ou"]) == []
    written = yaml.safe_load(learned_path(intents_copy, "dla").read_text(encoding="utf-8"))
    assert written["examples"] == ["le dla du 29 au il est ou"]


def test_groups_count_what_came_from_a_thumbs_down():
    groups = group_questions([
        {"text": "il manquait le montant", "outcome": "feedback", "candidates": [["dla", 0.0]]},
        {"text": "il manquait le montant maximum", "outcome": "feedback", "candidates": [["dla", 0.0]]},
        {"text": "meteo a brest", "outcome": "unanswered", "candidates": []},
    ])
    assert [(g.size, g.from_feedback) for g in groups] == [(2, 2), (1, 0)]
