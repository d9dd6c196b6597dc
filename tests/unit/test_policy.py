"""The decision policy over a ranking: answer, "Vouliez-vous dire", or not understood."""

from bot.nlu.policy import (
    AMBIGUITY_MARGIN,
    OFF_DOMAIN_SHARE,
    PRECISE_FAQ_SHARE,
    SUGGESTION_FLOOR,
    THRESHOLD,
    decide,
    off_domain_first,
    organisations_only,
    precise_point,
)
from bot.nlu.ranking import Candidate


def c(intent: str, confidence: float) -> Candidate:
    return Candidate(intent, confidence, score=confidence)


def test_clear_winner_is_answered():
    decision = decide([c("dla", THRESHOLD + 0.3), c("cress", 0.05)])
    assert decision.kind == "answer" and decision.top.intent == "dla"


def test_two_close_candidates_above_the_threshold_ask_which_one():
    top = THRESHOLD + 0.1
    decision = decide([c("scop", top), c("scic", top - AMBIGUITY_MARGIN / 2)])
    assert decision.kind == "did_you_mean"
    assert [s.intent for s in decision.suggestions] == ["scop", "scic"]


def test_a_scheme_and_its_own_faq_close_together_answer_the_faq():
    top = THRESHOLD + 0.1
    faq_of = {"faq_cae_salaire": "cae"}
    decision = decide([c("cae", top), c("faq_cae_salaire", top - AMBIGUITY_MARGIN / 2)], faq_of=faq_of)
    assert decision.kind == "answer" and decision.top.intent == "faq_cae_salaire"
    # a FAQ about another scheme is still a real ambiguity
    decision = decide([c("scop", top), c("faq_cae_salaire", top - AMBIGUITY_MARGIN / 2)], faq_of=faq_of)
    assert decision.kind == "did_you_mean"


def test_a_faq_whose_scheme_is_as_close_as_another_topic_is_answered():
    # "france active ça coûte combien ? on cherche 30000 pour notre tiers-lieu": both named.
    top = THRESHOLD + 0.2
    faq_of = {"faq_france_active_garantie_cout": "france_active"}
    ranking = [c("faq_france_active_garantie_cout", top), c("tiers_lieux", top - AMBIGUITY_MARGIN / 2),
               c("france_active", top - AMBIGUITY_MARGIN / 2)]
    decision = decide(ranking, faq_of=faq_of)
    assert decision.kind == "answer" and decision.top.intent == "faq_france_active_garantie_cout"
    # ...but not when its scheme is out of the margin: then which topic is meant is asked.
    ranking = [c("faq_france_active_garantie_cout", top), c("tiers_lieux", top - AMBIGUITY_MARGIN / 2),
               c("france_active", 0.3)]
    assert decide(ranking, faq_of=faq_of).kind == "did_you_mean"


def test_unsure_ranking_suggests_the_closest_topics_instead_of_a_flat_no():
    decision = decide([c("dla", THRESHOLD - 0.05), c("crdla", SUGGESTION_FLOOR + 0.01), c("bge", 0.01)])
    assert decision.kind == "did_you_mean"
    assert [s.intent for s in decision.suggestions] == ["dla", "crdla"]


def test_off_topic_class_on_top_is_not_understood_without_weak_suggestions():
    decision = decide([c("out_of_scope", 0.9), c("dla", 0.05)])
    assert decision.kind == "not_understood" and decision.suggestions == ()


def test_nothing_close_is_not_understood():
    assert decide([c("dla", SUGGESTION_FLOOR / 2)]).kind == "not_understood"
    assert decide([]).kind == "not_understood"


def test_candidate_under_the_threshold_that_dominates_the_runner_up_is_answered():
    decision = decide([c("tzcld", 0.35), c("iae", 0.05), c("pec", 0.04)])
    assert decision.kind == "answer" and decision.top.intent == "tzcld"


def test_answered_message_with_a_strong_off_topic_runner_up_is_not_clearly_in_scope():
    from bot.nlu.policy import OUT_OF_SCOPE_DOUBT, clearly_in_scope

    sure = [c("scic", THRESHOLD + 0.3), c("out_of_scope", OUT_OF_SCOPE_DOUBT / 2)]
    doubtful = [c("scic", THRESHOLD + 0.1), c("out_of_scope", OUT_OF_SCOPE_DOUBT + 0.05)]
    assert clearly_in_scope(decide(sure), sure)
    assert decide(doubtful).kind == "answer" and not clearly_in_scope(decide(doubtful), doubtful)


def test_story_the_off_topic_class_wins_without_certainty_offers_its_closest_topics():
    from bot.nlu.policy import STORY_WORDS

    ranking = [c("out_of_scope", 0.6), c("cae", 0.2), c("bge", 0.1)]
    assert decide(ranking).kind == "not_understood"
    decision = decide(ranking, words=STORY_WORDS + 10)
    assert decision.kind == "did_you_mean"
    assert [s.intent for s in decision.suggestions] == ["cae", "bge"]


def test_story_certainly_off_topic_is_still_not_understood():
    from bot.nlu.policy import STORY_WORDS

    assert decide([c("out_of_scope", 0.95), c("cae", 0.03)], words=STORY_WORDS + 10).kind == "not_understood"


def test_a_precise_point_asked_gets_the_cards_faq_not_the_card():
    faq_of = {"faq_dla_gratuit": "dla"}
    ranked = [c("dla", 0.72), c("faq_dla_gratuit", 0.27), c("cress", 0.05)]
    lifted = precise_point(ranked, "y a des frais a payer pour le dla", faq_of)
    decision = decide(lifted, faq_of=faq_of)
    assert decision.kind == "answer" and decision.top.intent == "faq_dla_gratuit"
    # a general question keeps the card, and so does a FAQ too far behind
    assert precise_point(ranked, "parlez moi du dla", faq_of) == ranked
    far = [c("dla", 0.72), c("faq_dla_gratuit", PRECISE_FAQ_SHARE * 0.72 - 0.01)]
    assert precise_point(far, "y a des frais a payer pour le dla", faq_of) == far


def test_a_card_and_its_faq_sharing_the_topic_answer_it_together():
    # "nos employés voudraient racheter la boîte": the Scop card and its takeover FAQ, each under
    # the threshold, together sure of the topic.
    faq_of = {"faq_scop_reprise": "scop"}
    half = THRESHOLD / 2 + 0.02
    decision = decide([c("faq_scop_reprise", half), c("scop", half - 0.01), c("cae", 0.05)], faq_of=faq_of)
    assert decision.kind == "answer" and decision.top.intent == "faq_scop_reprise"
    # two schemes that merely share the probability are still not sure
    decision = decide([c("scic", half), c("scop", half - 0.01), c("cae", 0.05)], faq_of=faq_of)
    assert decision.kind != "answer"


def test_no_word_of_the_domain_and_a_close_off_topic_class_is_off_topic():
    knowledge = {"faq_cae_salaire", "dla"}
    ranked = [c("faq_cae_salaire", 0.5), c("out_of_scope", OFF_DOMAIN_SHARE * 0.5 + 0.02)]
    message = "un client refuse de payer ma facture de graphiste que faire"
    assert decide(off_domain_first(ranked, message, knowledge)).kind == "not_understood"
    # A company's "associés" are no word of the domain; an association's are.
    assert decide(off_domain_first(ranked, "creer une sas a deux associes combien ca coute", knowledge)).kind == (
        "not_understood")
    # a word of the domain, a named scheme, or an off-topic class far behind keep the answer
    assert off_domain_first(ranked, "notre cooperative a une facture impayee", knowledge) == ranked
    named = [Candidate("dla", 0.5, exact=True, score=0.5), c("out_of_scope", 0.4)]
    assert off_domain_first(named, "le dla c est pour moi", knowledge) == named
    far = [c("faq_cae_salaire", 0.5), c("out_of_scope", OFF_DOMAIN_SHARE * 0.5 - 0.02)]
    assert off_domain_first(far, message, knowledge) == far


def test_an_organisations_question_asked_about_ones_own_private_situation_is_only_offered():
    organisation_faqs = {"faq_association_stagiaire"}
    decision = decide([c("faq_association_stagiaire", 0.9), c("faq_pec_duree", 0.05)])
    private = "je fais mon stage de 3 mois chez un garagiste, ma gratification c est combien"
    offered = organisations_only(decision, private, organisation_faqs)
    assert offered.kind == "did_you_mean" and offered.suggestions[0].intent == "faq_association_stagiaire"
    # An organisation speaking ("notre", "on"), a word of the domain, or no person at all: answered.
    for message in ("notre club prend un stagiaire 3 mois, faut il le payer",
                    "je suis tresoriere d une asso, le stagiaire doit etre paye ?",
                    "stagiaire 3 mois gratification obligatoire ?"):
        assert organisations_only(decision, message, organisation_faqs) == decision
    # Nor does it touch a FAQ whose question is not an organisation's.
    assert organisations_only(decision, private, set()) == decision
    # A company form makes it a firm's question, whoever speaks, unless the ESS is named, however spelt.
    assert organisations_only(decision, "notre sas prend un stagiaire 3 mois, faut il le payer",
                              organisation_faqs).kind == "did_you_mean"
    assert organisations_only(decision, "notre sas agreee esuss prend un stagiaire 3 mois, faut il le payer",
                              organisation_faqs) == decision
    # Private persons named as such ask a private question.
    assert organisations_only(decision, "stagiaire entre particuliers faut il le payer",
                              organisation_faqs).kind == "did_you_mean"
