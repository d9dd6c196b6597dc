"""The topics newcomers ask first (issue 10): each new entry answers a question worded
differently from its intent's examples, and the questions no bot should settle get a route
to human help rather than a scheme card."""

from pathlib import Path

import pytest
import yaml

INTENTS = Path(__file__).resolve().parents[2] / "intents" / "nouveaux_sujets.yaml"

QUESTIONS = [
    ("on veut créer une asso de théâtre à 4, c'est quoi les démarches", "association_creation"),
    ("que faut il écrire dans des statuts d'asso", "faq_association_creation_statuts"),
    ("declarer une asso en ligne", "faq_association_creation_declaration"),
    ("est ce qu'une asso doit avoir un siret", "faq_association_creation_siret"),
    ("le president de l'asso peut il etre remunere", "faq_association_creation_remunerer_dirigeant"),
    ("rembourser les frais de deplacement des benevoles", "faq_association_creation_benevoles"),
    ("mon fils de 15 ans peut il creer une association", "faq_association_creation_mineurs"),
    ("comment demander une subvention a ma commune", "subventions"),
    ("cerfa demande de subvention", "faq_subventions_dossier"),
    ("convention obligatoire subvention montant", "faq_subventions_convention"),
    ("la subvention n'est pas versée depuis 3 mois", "faq_subventions_versement"),
    ("la mairie refuse de nous donner une subvention sans dire pourquoi", "faq_subventions_refus"),
    ("modele recu fiscal don", "faq_mecenat_dons_recu_fiscal"),
    ("mon asso est elle d'interet general ?", "faq_mecenat_dons_interet_general"),
    ("demande de rescrit", "faq_mecenat_dons_rescrit"),
    ("ou chercher des financements de fondations", "faq_fondations_trouver"),
    ("appel à projets c'est quoi exactement", "appels_a_projets"),
    ("delai urssaf", "faq_tresorerie_difficultes_urssaf"),
    ("aide pour un médiateur social dans un quartier", "adultes_relais"),
    ("combien rapporte un poste fonjep", "faq_fonjep_montant"),
    ("combien d'argent doit donner l'asso au volontaire service civique", "faq_service_civique_indemnite"),
    ("je veux ouvrir une épicerie associative", "epiceries_cafes_associatifs"),
    ("circuits courts cantine projet territoire", "alimentation_locale"),
    ("on monte une recyclerie", "economie_circulaire"),
]

# Disputes, liability, labour law: no scheme settles them.
DISPUTES = [
    "notre asso est en conflit avec la commune pour le local",
    "quelle est la responsabilité du président si l'asso a des dettes",
    "une ancienne salariée nous poursuit aux prud'hommes",
    "le maire veut nous expulser de la salle municipale, on peut contester ?",
    "le tresorier a piqué dans la caisse, que faire",
]


def test_questions_are_not_copies_of_examples():
    examples = {e for i in yaml.safe_load(INTENTS.read_text(encoding="utf-8"))["intents"] for e in i["examples"]}
    assert not examples & {q for q, _ in QUESTIONS} | examples & set(DISPUTES)


@pytest.mark.parametrize(("question", "expected"), QUESTIONS, ids=[q[0][:50] for q in QUESTIONS])
def test_question_reaches_its_entry(chat, question, expected):
    reply = chat.send(question)
    assert reply.matched and reply.intent == expected


# A leader's liability for the association's debts has its own sourced FAQ answer (the principle
# and its exceptions), which still routes to a point-justice or a lawyer for the case at hand.
ANSWERED_WITH_A_ROUTE = {
    "quelle est la responsabilité du président si l'asso a des dettes": "faq_association_responsabilite_dirigeants",
}


@pytest.mark.parametrize("question", DISPUTES)
def test_disputes_get_a_route_to_human_help(chat, question):
    reply = chat.send(question)
    assert reply.intent == ANSWERED_WITH_A_ROUTE.get(question, "aide_juridique")
    assert "point-justice" in chat.text and "avocat" in chat.text


def test_cash_flow_answer_shows_the_emergency_funds_as_closed(chat):
    chat.send("on n'a plus de tresorerie pour payer les salaires")
    assert "fermés" in chat.text and "31 août 2021" in chat.text


def test_a_bare_profile_in_difficulty_still_starts_the_orientation(chat):
    chat.send("je suis une asso employeuse à Brest en difficulté")
    assert "De quoi avez-vous besoin" in chat.text


def test_a_cash_flow_problem_told_without_a_subject_is_answered_with_the_orientation_offered(chat):
    reply = chat.send("notre asso a des difficultés financières")
    assert reply.intent == "tresorerie_difficultes"
    assert any(b.payload == "o:start" for b in reply.buttons)


def test_a_private_persons_question_gets_the_associations_answer_only_as_an_offer(chat):
    # An intern asking about their own pay is offered the association's FAQ, not told it as an answer.
    reply = chat.send("je suis stagiaire 6 mois dans une banque, ma gratification c est combien minimum")
    assert not reply.matched
    assert "faq_association_stagiaire" in reply.buttons[0].payload, reply.buttons
    # The same question asked by an association is answered.
    assert chat.send("notre asso accueille un stagiaire 4 mois, on doit lui verser combien ?").intent == (
        "faq_association_stagiaire")


def test_a_question_about_an_ordinary_company_is_not_answered_with_a_cooperatives_faq(chat):
    # "associés" and "capital social" are a SARL's words too: without a word of the ESS, creating
    # one is not creating a Scop.
    for message in ("on monte une sarl a trois, il faut combien d'associés et quel capital social ?",
                    "je lance ma sasu de conseil, quel capital minimum ?"):
        reply = chat.send(message)
        assert not reply.matched, (message, reply.intent)
    # A Scop named, or a cooperative transformation, still gets its answer.
    assert chat.send("pour créer une scop faut combien d'associés ?").intent == "faq_scop_creer"
    assert chat.send("on voudrait transformer notre sarl en scop").matched
