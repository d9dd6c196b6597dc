"""Situations told in several sentences before the question (issue 9): the words that set the
scene must not outweigh what is asked."""

import pytest

from bot.replies import Event
from bot.state import ConversationState

STORIES = [
    ("Je travaille depuis dix ans dans une imprimerie de quinze personnes. Le patron part à la retraite "
     "l'an prochain et ne trouve pas de repreneur. Avec mes collègues, on se dit qu'on pourrait reprendre "
     "l'entreprise tous ensemble et décider à égalité. Quel statut nous permettrait de le faire ?", "faq_scop_reprise"),
    ("Je suis au chômage depuis presque trois ans et je n'arrive plus à retrouver du travail à cause de "
     "mon âge. Dans le journal, j'ai lu que certaines communes créent des entreprises qui embauchent en CDI "
     "toutes les personnes privées d'emploi. Comment savoir si ma commune participe ?", "tzcld"),
]


@pytest.mark.parametrize(("text", "intent"), STORIES)
def test_story_ending_on_a_question_gets_its_scheme(engine, text, intent):
    reply, _ = engine.respond(ConversationState(), Event("text", text=text))
    assert reply.matched and reply.intent == intent


def test_long_everyday_story_is_not_answered_with_a_scheme(engine):
    text = ("Ma belle-mère vient de s'installer chez nous et la cohabitation est difficile. Elle critique "
            "tout ce que je fais et mon mari ne dit rien. J'ai l'impression d'étouffer dans ma propre maison. "
            "Comment aborder le sujet sans créer de dispute ?")
    reply, _ = engine.respond(ConversationState(), Event("text", text=text))
    assert not reply.matched
