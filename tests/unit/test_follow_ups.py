"""What a short question is about: a follow-up that names no topic is about the topic just
answered, one that names another topic changes it; "X c'est quoi ?" is about X itself."""

import pytest

from bot.answers import short_name
from bot.nlu.ranking import Candidate


@pytest.mark.parametrize(
    ("first", "follow_up", "intent"),
    [
        # Naming no topic, it stays on the topic just answered...
        ("c'est quoi une scop", "faut mettre combien chacun", "faq_scop_creer"),
        ("c quoi le dla", "combien ca coute", "faq_dla_gratuit"),
        ("c quoi le dla", "qui decide", "faq_dla_qui_decide"),
        ("cae", "ils prennent combien", "faq_cae_contribution"),
        # A word that alone reads as another scheme's FAQ (a job seeker applying to an insertion company).
        ("c quoi un ptce", "on peut candidater comment", "faq_ptce_candidature"),
        ("france active", "comment candidater", "faq_france_active_demande"),
        # ...naming another topic, it changes topic.
        ("c'est quoi une scop", "comment creer une association", "association_creation"),
        ("cae", "c quoi le dla", "dla"),
    ],
)
def test_a_follow_up_stays_on_the_topic_just_answered_unless_it_names_another(chat, first, follow_up, intent):
    chat.send(first)
    assert chat.send(follow_up).intent == intent


@pytest.mark.parametrize(
    ("first", "follow_up"),
    [
        ("jveux ouvrir un tiers lieu dans mon village", "on a vraiment rien comme budget"),
        ("c quoi le dla", "ok et apres"),
        ("c quoi le fdva", "je comprends pas"),
        ("france active", "pour une petite structure"),
    ],
)
def test_a_follow_up_never_gets_the_answer_just_given_again(chat, first, follow_up):
    card = chat.send(first)
    again = chat.send(follow_up)
    assert again.intent != card.intent or again.blocks[0].text != card.blocks[0].text
    assert card.blocks[0].text not in chat.text


@pytest.mark.parametrize(
    ("first", "follow_up"),
    [("agrement esus", "et concretement"), ("c quoi le fdva", "mais encore"), ("cae", "on fait quoi")],
)
def test_a_vague_follow_up_gets_the_topics_questions_not_the_same_card_again(chat, first, follow_up):
    card = chat.send(first)
    more = chat.send(follow_up)
    assert more.blocks[0].text != card.blocks[0].text
    questions = [b.label for b in more.buttons if b.label.endswith(("?", "…"))]
    assert len(questions) >= 3, more.buttons


def test_the_same_words_without_a_previous_topic_are_not_read_as_that_topic(chat):
    reply = chat.send("faut mettre combien chacun")
    assert reply.intent != "faq_scop_creer"


@pytest.mark.parametrize(
    ("message", "intent"),
    [
        ("france active c quoi", "france_active"),
        ("le dla c quoi", "dla"),
        ("c est quoi une scic", "scic"),
    ],
)
def test_a_definition_asked_of_a_scheme_gets_its_card_not_one_of_its_faqs(chat, message, intent):
    assert chat.send(message).intent == intent


@pytest.mark.parametrize(
    "message", ["c koi la difference asso et scic pour nous", "c'est quoi la difference entre une asso et une scic"]
)
def test_a_comparison_worded_as_c_quoi_gets_the_comparison_not_one_side(chat, message):
    assert chat.send(message).intent == "faq_association_ou_cooperative"


def test_a_precise_question_worded_as_c_quoi_still_gets_its_faq(chat):
    assert chat.send("c quoi le taux de garantie de france active").intent == "faq_garantie_france_active"


def test_a_short_message_not_understood_after_an_answer_offers_that_topics_questions(chat):
    chat.send("c quoi le dla")
    reply = chat.send("et le velo ?")
    assert not reply.matched
    assert "Dispositif local d'accompagnement" in chat.text
    assert sum("faq_dla" in b.payload for b in reply.buttons) >= 3, reply.buttons


def test_a_short_message_not_understood_after_an_answer_offers_first_what_it_may_mean_elsewhere(chat):
    chat.send("comment demander une subvention a la mairie")
    reply = chat.send("et la licence pour vendre de la bière ?")
    assert not reply.matched
    assert reply.buttons[0].payload.endswith("faq_debit_boissons_licence"), reply.buttons
    assert "Vouliez-vous dire" in chat.text
    assert sum("subvention" in b.payload for b in reply.buttons) >= 3, reply.buttons


def test_a_short_message_not_understood_without_a_previous_answer_gets_the_menu(chat):
    reply = chat.send("et le velo ?")
    assert not reply.matched
    assert not any("faq_dla" in b.payload for b in reply.buttons)


def test_a_did_you_mean_with_nothing_to_suggest_says_it_did_not_understand(engine):
    # Greetings and thanks have no button: "Vouliez-vous dire : [Menu]" would offer nothing.
    reply = engine.did_you_mean([Candidate("greeting", 0.4), Candidate("thanks", 0.3)])
    assert not reply.plain_text().startswith("Vouliez-vous dire")
    assert len(reply.buttons) >= 3


def test_who_can_help_just_after_a_card_gets_whom_that_card_says_to_contact(chat):
    chat.send("c'est quoi une scop")
    reply = chat.send("qui peut nous aider")
    assert "URSCOP" in chat.text
    assert reply.matched and chat.state.flow is None  # no questionnaire forced
    assert "🧭 M'orienter" in chat.labels


def test_who_can_help_here_just_after_a_card_adds_the_local_cress(chat):
    chat.send("la commune peut elle entrer au capital d'une scic ?")
    reply = chat.send("qui peut nous accompagner dans le 23")
    assert "URSCOP" in chat.text and chat.state.flow is None
    assert [c.title for c in reply.cards] == ["CRESS Nouvelle-Aquitaine"]
    assert chat.state.place is not None and chat.state.place.label.startswith("Creuse")


def test_a_place_told_after_whom_to_contact_is_about_the_topic_those_contacts_were_for(chat):
    chat.send("asso en difficulte de tresorerie, que faire ?")
    chat.send("l'urssaf peut nous accorder un delai ?")
    chat.send("qui peut nous accompagner")
    reply = chat.send("on est a Lille")
    assert "Problèmes de trésorerie" in reply.plain_text(), reply.plain_text()
    assert [c.title for c in reply.cards] == ["CRESS Hauts-de-France"]


def test_who_can_help_with_nothing_answered_before_starts_the_orientation(chat):
    chat.send("qui peut nous aider")
    assert chat.state.flow is not None


def test_a_vague_follow_up_offers_first_what_it_may_mean_by_itself(chat):
    chat.send("slt jai une idee de ressourcerie dans ma ville mais jsp par ou commencer")
    reply = chat.send("on est 3 amis pas encore d'asso")
    # Answered, or offered first.
    assert reply.intent == "association_creation" or "association_creation" in reply.buttons[0].payload, reply


@pytest.mark.parametrize(("opening", "follow_up"), [
    ("jai une idee depicerie cafe dans mon village", "cest quoi la premiere etape"),  # alone: hiring a first employee
    ("c quoi le dla", "on fait quoi en premier"),
])
def test_the_first_step_asked_after_a_card_is_its_next_step(chat, engine, opening, follow_up):
    card = chat.send(opening)
    step = engine.content.entries[card.intent].next_step
    reply = chat.send(follow_up)
    assert reply.intent == card.intent and "Première étape" in chat.text and step in chat.text


@pytest.mark.parametrize("follow_up", ["comment on la finance ?", "qui finance ça ?"])
def test_a_follow_up_asking_one_of_the_cards_questions_gets_its_answer_not_a_menu(chat, follow_up):
    # Read alone, "comment on la finance ?" is solidarity finance; after the ressourcerie card it is
    # who funds a ressourcerie, that card's own question.
    chat.send("on veut ouvrir une ressourcerie dans le village")
    reply = chat.send(follow_up)
    assert reply.intent == "faq_ressourcerie_financement", chat.text
    assert "ADEME" in reply.plain_text()


@pytest.mark.parametrize("follow_up", ["et concretement ?", "et après ?"])
def test_a_follow_up_asking_none_of_the_cards_questions_gets_them_offered(chat, follow_up):
    chat.send("on veut ouvrir une ressourcerie dans le village")
    reply = chat.send(follow_up)
    assert reply.intent != "faq_ressourcerie_financement", chat.text
    assert any(b.label.startswith("Qui finance une ressourcerie") for b in reply.buttons), chat.labels


def test_a_follow_up_understood_by_itself_is_not_pulled_back_to_the_card_just_shown(chat):
    chat.send("tiers lieu")
    assert chat.send("un local pas cher").intent == "foncier_locaux"


@pytest.mark.parametrize("ack", ["ok", "d'accord", "ah ok", "parfait"])
def test_an_ok_after_an_answer_is_acknowledged_and_the_topic_stays(chat, ack):
    chat.send("c'est quoi une scop")
    reply = chat.send(ack)
    assert reply.matched and reply.intent == "acknowledged"
    assert chat.send("faut mettre combien chacun").intent == "faq_scop_creer"


def test_no_two_questions_share_a_button_label(engine):
    labels: dict[str, str] = {}
    for entry in engine.content.entries.values():
        label = short_name(entry)
        assert labels.setdefault(label, entry.id) == entry.id, f"{entry.id} and {labels[label]}: « {label} »"


def test_an_ok_inside_a_question_does_not_make_it_an_acknowledgement(chat):
    assert chat.send("ok je vois pas comment creer une association").intent == "association_creation"


@pytest.mark.parametrize(
    "message",
    ["merci, et pour le local de l'ecole c'est la mairie qui decide ?",
     "bonjour je voudrais savoir si la mairie peut nous preter une salle"],
)
def test_a_question_after_thanks_or_hello_is_answered_not_greeted(chat, message):
    # The premises card, or its question on a commune lending premises.
    assert chat.send(message).intent in ("foncier_locaux", "faq_association_local")


@pytest.mark.parametrize(
    "message", ["merci beaucoup pour votre aide precieuse et votre patience", "bonjour tout le monde"]
)
def test_plain_thanks_and_hellos_stay_what_they_are(chat, message):
    assert chat.send(message).intent in ("thanks", "greeting")


def test_the_same_topic_asked_again_in_other_words_points_to_the_answer_above(chat):
    card = chat.send("bjr je suis maire d'une commune rurale de 400 hab dans la creuse")
    again = chat.send("comment on peut soutenir les assos et l'ess sur notre territoire ?")
    assert again.intent == card.intent
    assert card.blocks[0].text not in again.blocks[0].text
    assert "juste au-dessus" in again.blocks[0].text
    # Its button shows the card once more, for whoever wants it again.
    shown = chat.engine.entry(chat.engine.intent(card.intent).knowledge)
    assert short_name(shown) in [b.label for b in again.buttons]


def test_a_vague_follow_up_is_not_offered_another_schemes_questions(chat):
    chat.send("c quoi le rtes")
    more = chat.send("et on peut adherer combien ca coute")
    labels = " ".join(b.label for b in more.buttons)
    assert "chiffre" not in labels and "DLA" not in labels, labels


def test_a_follow_up_naming_no_scheme_is_not_answered_with_another_schemes_faq(chat):
    chat.send("c quoi un ptce")
    reply = chat.send("et ca prend combien de temps")
    # neither how long a DLA lasts (another scheme) nor how many members a PTCE needs (another question)
    assert reply.intent not in {"faq_dla_duree", "faq_ptce_taille"}, reply.intent
    assert any("PTCE" in b.label for b in reply.buttons), [b.label for b in reply.buttons]


def test_a_follow_up_repeating_the_question_just_answered_points_to_that_answer(chat):
    first = chat.send("faut il faire une assemblee generale chaque annee")
    assert first.intent == "faq_association_creation_assemblee_generale"
    reply = chat.send("c obligatoire ?")
    assert reply.intent == first.intent  # not the FAQ on declaring an association
    assert "juste au-dessus" in reply.blocks[0].text


def test_a_follow_up_read_alone_as_off_topic_gets_the_line_of_the_card_that_answers_it(chat):
    chat.send("slt jveux ouvrir un cafe epicerie associatif dans mon village")
    reply = chat.send("les adherents peuvent boire de la biere ?")
    assert reply.matched
    assert "« Réservé aux adhérents, il ne peut vendre que des boissons sans alcool" in chat.text, chat.text
    # A word the card never uses is still not understood.
    assert not chat.send("et le velo ?").matched


def test_a_follow_up_that_a_faq_of_the_topic_answers_gets_that_faq(chat):
    chat.send("slt jveux ouvrir un cafe epicerie associatif dans mon village")
    assert chat.send("faut une licence pour vendre de l'alcool ?").intent == "faq_debit_boissons_licence"


def test_how_much_just_after_an_answer_gets_its_sentence_with_the_amount(chat):
    chat.send("une commune peut entrer dans une scic ?")
    chat.send("jusqu'à combien ?")
    assert "« Ensemble, les collectivités peuvent détenir jusqu'à 50 % du capital" in chat.text, chat.text
    # An answer that states no amount does not make one up: what else there is on the topic.
    chat.send("c quoi un café associatif")
    chat.send("ça coûte combien ?")
    assert "€" not in chat.text and "%" not in chat.text


@pytest.mark.parametrize(
    ("first", "follow_up", "intent"),
    [
        # About the scheme just answered, though it reads alone as "who funds this bot?"...
        ("jsuis elu dans une interco, on voudrait lancer un ptce", "c'est financé par qui ?",
         "faq_ptce_financement_usage"),
        # ...while speaking to the bot is still small talk.
        ("c quoi le dla", "qui te finance ?", "bot_creator"),
        ("c quoi le dla", "t'es un robot ?", "bot_identity"),
    ],
)
def test_small_talk_about_the_bot_counts_after_a_card_only_when_it_speaks_to_the_bot(chat, first, follow_up, intent):
    chat.send(first)
    assert chat.send(follow_up).intent == intent


def test_whom_to_contact_after_an_answer_gets_whom_it_says_and_the_cress_of_the_place(chat):
    chat.send("une commune peut elle entrer au capital d'une scic")
    chat.send("qui contacter en bretagne")
    assert "URSCOP" in chat.text and "CRESS Bretagne" in chat.text


def test_whom_to_contact_naming_someone_else_is_about_them(chat):
    chat.send("c quoi le dla")
    assert chat.send("qui contacter pour la cress").intent == "cress_contact"


def test_a_follow_up_without_a_domain_word_is_answered_in_the_topic_just_answered(chat):
    # Alone, "la déclaration" may be a tax return: the bot does not answer it as an ESS question...
    assert not chat.send("ca coute cb la declaration").matched
    # ...but just after creating an association, it is that association's declaration.
    chat.send("comment on cree lasso")
    reply = chat.send("ca coute cb la declaration")
    assert reply.intent == "faq_association_creation_declaration", chat.text
    assert "gratuit" in chat.text


def test_questions_offered_after_a_follow_up_not_understood_start_with_the_one_it_may_mean(chat):
    chat.send("c quoi une scic")
    reply = chat.send("la commune peut mettre de l argent dedans ?")
    assert not reply.matched
    assert reply.buttons[0].payload.endswith(":faq_scic_collectivite"), reply.buttons


def test_a_follow_up_naming_another_topic_by_its_own_words_is_about_that_topic(chat):
    # "recyclerie" is a word of the circular economy's questions, never of the premises card's.
    chat.send("la mairie peut preter un local a une asso ?")
    assert chat.send("qui finance une recyclerie en general").intent == "faq_ressourcerie_financement", chat.text
