"""A story's final question is read alone as well (issue 9): bot.nlu.slots.final_question finds
it, the engine hands it to the intent model, which weighs it (bot.nlu.linear.QUESTION_WEIGHT)."""

from dataclasses import replace

from bot.nlu.slots import final_question
from tests.conftest import Chat


def test_one_sentence_has_no_final_question():
    assert final_question("comment créer une association ?") is None
    assert final_question("") is None


def test_the_last_asking_sentence_with_the_one_before_when_short():
    story = ("Nous tenons un atelier de couture solidaire à Lille depuis trois ans. La salle paroissiale "
             "que nous occupions va être vendue. Qui peut nous aider ?")
    assert final_question(story) == "la salle paroissiale que nous occupions va etre vendue qui peut nous aider"


def test_a_long_question_is_read_alone_and_a_closing_remark_after_it_is_left_out():
    story = ("Je suis couturière indépendante depuis dix ans. Est-ce qu'une coopérative pourrait me salarier "
             "tout en me laissant choisir mes propres clients et mes horaires ? Merci d'avance.")
    assert final_question(story) == ("est ce qu une cooperative pourrait me salarier tout en me laissant choisir "
                                      "mes propres clients et mes horaires")


def test_without_a_question_mark_the_last_sentence():
    assert final_question("On a un projet de ressourcerie. On cherche un local") == (
        "on a un projet de ressourcerie on cherche un local")


class _Recording:
    def __init__(self, ranker):
        self.ranker = ranker
        self.questions = []

    def rank(self, normalised, limit=5, question=None):
        self.questions.append(question)
        return self.ranker.rank(normalised, limit, question)


def test_the_engine_hands_the_story_question_to_the_model(engine):
    recording = _Recording(engine.matcher)
    Chat(replace(engine, matcher=recording)).send(
        "Avec quatre voisins, nous réparons des vélos le samedi dans un garage prêté par un ami. Le garage "
        "sera vendu au printemps et nous n'avons aucun budget. Où trouver un local pas cher pour une association ?")
    assert any(q and q.endswith("ou trouver un local pas cher pour une association") for q in recording.questions)
