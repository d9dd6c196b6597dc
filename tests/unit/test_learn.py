"""The curator loop's pieces: scrubbing, the opt-in log, grouping, the report, review."""

from __future__ import annotations

import shutil

import pytest
import yaml

from bot.content.loader import INTENTS_DIR, KNOWLEDGE_DIR, load_content
from bot.learn.log import EVENTS, QUESTIONS, LearnLog, LearnSettings
from bot.learn.report import render_html
from bot.learn.review import add_examples, learned_path, review
from bot.learn.scrub import scrub
from bot.learn.stats import compute, group_questions
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


class MemoryStore:
    """The StateStore protocol's records in memory (a test double; conversations use the real stores)."""

    def __init__(self):
        self.streams: dict[str, list[tuple[float, dict]]] = {}

    async def append(self, stream, record, ttl):
        self.streams.setdefault(stream, []).append((ttl, dict(record)))

    async def records(self, stream, since=0.0):
        return [r for _, r in self.streams.get(stream, []) if r.get("t", 0) >= since]


@pytest.fixture
def store():
    return MemoryStore()


async def test_nothing_is_stored_unless_learning_is_switched_on(store):
    log = LearnLog(store, LearnSettings.from_env({}))
    await log.message("mon mail est a@b.fr, c'est quoi un truc", None, False, 0.1, [("dla", 0.4)])
    await log.feedback("dla", helpful=False)
    await log.missing("il manquait le prix", "dla")
    assert store.streams == {}


async def test_unanswered_questions_are_kept_scrubbed_without_identifiers(store):
    log = LearnLog(store, LearnSettings.from_env({"BOUSSOLE_LEARN": "1", "BOUSSOLE_LEARN_DAYS": "30"}),
                   clock=lambda: 1_000_000.0)
    await log.message("c'est quoi le dla", "dla", True, 0.95)
    await log.message("appelez moi au 06 12 34 56 78 pour la fondation truc", None, False, 0.2, [("fdva", 0.35)])
    events = await store.records(EVENTS)
    questions = await store.records(QUESTIONS)
    assert [e["outcome"] for e in events] == ["answered", "suggested"]
    assert len(questions) == 1
    assert "06 12" not in questions[0]["text"] and "fondation truc" in questions[0]["text"]
    assert questions[0]["candidates"] == [["fdva", 0.35]]
    assert set(questions[0]) == {"t", "text", "outcome", "candidates"}
    assert {ttl for ttl, _ in store.streams[QUESTIONS]} == {30 * 86400.0}


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


async def test_stats_count_shares_feedback_and_render_a_self_contained_page(store):
    log = LearnLog(store, LearnSettings(enabled=True), clock=lambda: 1_700_000_000.0)
    for _ in range(3):
        await log.message("c'est quoi le dla", "dla", True, 0.9)
    await log.message("combien coute une adhesion a la cress", None, False, 0.3, [("cress", 0.45)])
    await log.feedback("dla", helpful=True)
    await log.feedback("dla", helpful=False)
    await log.feedback("scop", helpful=False)
    stats = await compute(store, days=7, now=1_700_000_100.0)
    assert stats.messages == 4 and stats.answered_share == 0.75 and stats.suggested_share == 0.25
    assert stats.top_intents == [("dla", 3)]
    assert stats.feedback == {"dla": (1, 1), "scop": (0, 1)}
    assert stats.worst_rated()[0][0] == "scop"
    page = render_html(stats)
    assert page.count("<svg") == 3 and "<script" not in page and "http" not in page.split("<svg")[0]
    assert "combien coute une adhesion a la cress" in page
    assert (await compute(store, days=7, now=1_700_000_000.0 + 30 * 86400)).messages == 0


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


async def test_review_walks_groups_files_them_and_does_not_offer_them_again(store, intents_copy):
    groups = group_questions([
        {"text": "ou trouver le dla de la haute vienne", "candidates": [["dla", 0.5]]},
        {"text": "meteo a brest demain", "candidates": []},
    ])
    answers = iter(["h", "1"])  # groups of one message come in alphabetical order
    said: list[str] = []
    filed = await review(groups, store, ask=lambda _: next(answers), say=said.append,
                         intents_dir=intents_copy)
    assert filed == 2
    assert learned_path(intents_copy, "dla").exists() and learned_path(intents_copy, "out_of_scope").exists()
    said.clear()
    assert await review(groups, store, ask=lambda _: "q", say=said.append, intents_dir=intents_copy) == 0
    assert said == ["Aucune question à revoir."]
