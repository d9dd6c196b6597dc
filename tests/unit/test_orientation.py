"""The guided orientation, driven like a user: typed answers, buttons, detours."""

import pytest

from bot.orientation.flow import Flow
from bot.state import SESSION_TIMEOUT_SECONDS


def recommended(chat) -> list[str]:
    return [b.payload.removeprefix("k:") for b in chat.reply.buttons if b.payload.startswith("k:")]


def all_recommended(chat) -> list[str]:
    """The first three, then those behind "voir plus"."""
    schemes = recommended(chat)
    if any(b.payload == "o:more" for b in chat.reply.buttons):
        chat.press("o:more")
        schemes += recommended(chat)
    return schemes


def run_profile(chat, steps: list[str]) -> list[str]:
    for step in steps:
        if step.startswith("/"):
            chat.command(step[1:])
        elif step.startswith("o:"):
            chat.press(step)
        else:
            chat.send(step)
    assert "Votre profil" in chat.text, chat.text
    return all_recommended(chat)


# (steps, schemes that must be among those recommended, first three or behind "voir plus")
PROFILES = [
    (["je suis une asso employeuse à Brest en difficulté", "être accompagné"], {"dla"}),
    (["/orienter", "les salariés veulent reprendre l'entreprise", "reprise", "statut", "Lyon"], {"scop", "urscop"}),
    (["/orienter", "porteur de projet", "idée", "je veux tester mon activité avec un salaire", "statut", "Nantes"],
     {"cae"}),
    (["/orienter", "porteur de projet", "création", "la banque refuse mon prêt, petit montant", "Lille"],
     {"microcredit", "adie"}),
    (["/orienter", "collectivité", "développement", "on veut soutenir l'ess sur notre territoire", "Rennes"],
     {"rtes", "leviers_collectivites"}),
    (["/orienter", "association", "création", "une coopérative avec la mairie et les habitants, quel statut",
      "aucun salarié", "Dijon"], {"scic"}),
    (["/orienter", "association", "création", "projet d'insertion pour des chômeurs, embaucher", "Poitiers"],
     {"iae", "dreets"}),
    (["/orienter", "association", "idée", "un tiers-lieu rural pour les familles, un local", "Aurillac"], {"evs_caf"}),
    (["/orienter", "o:set:who:porteur_individuel", "o:set:stage:idee", "o:set:need:accompagnement", "Toulouse"],
     {"incubateurs_ess", "cae"}),
    (["/orienter", "o:set:who:porteur_individuel", "o:set:stage:creation", "o:set:need:accompagnement", "Metz"],
     {"bge"}),
    (["/orienter", "o:set:who:porteur_individuel", "o:set:stage:creation", "o:set:need:statut", "o:skip"],
     {"cae", "scop"}),
    (["/orienter", "o:set:who:association", "o:set:stage:idee", "o:set:need:accompagnement",
      "o:set:employees:aucun", "o:set:project:besoin", "29"],
     {"fabrique_a_initiatives", "guid_asso"}),
    (["/orienter", "o:set:who:association", "o:set:stage:developpement", "o:set:need:financement", "Bordeaux"],
     {"fdva", "titres_associatifs"}),
    (["/orienter", "o:set:who:association", "o:set:stage:developpement", "o:set:need:emploi_insertion",
      "o:set:employees:quelques", "Bordeaux"], {"pec", "dla"}),
    (["/orienter", "o:set:who:association", "o:set:stage:changement_echelle", "o:set:need:accompagnement",
      "o:set:employees:quelques", "Grenoble"], {"dla", "incubateurs_ess"}),
    (["/orienter", "o:set:who:cooperative", "o:set:stage:difficulte", "o:set:need:accompagnement",
      "o:set:employees:quelques", "Caen"],
     {"dla", "urscop"}),
    (["/orienter", "o:set:who:entreprise_ess", "o:set:stage:creation", "o:set:need:statut", "Lille"],
     {"agrement_esus", "scop"}),
    (["/orienter", "o:set:who:structure_insertion", "o:set:stage:developpement", "o:set:need:emploi_insertion",
      "o:set:employees:nombreux", "Amiens"], {"iae", "dla"}),
    (["/orienter", "o:set:who:structure_insertion", "o:set:stage:difficulte", "o:set:need:financement",
      "o:set:employees:nombreux", "Pau"],
     {"france_active"}),
    (["/orienter", "o:set:who:collectivite", "o:set:stage:idee", "o:set:need:cooperation_territoriale",
      "o:set:project:besoin", "Tulle"],
     {"fabrique_a_initiatives", "rtes"}),
    (["/orienter", "o:set:who:collectivite", "o:set:stage:developpement", "o:set:need:locaux_foncier", "Brest"],
     {"foncier_locaux", "tiers_lieux"}),
    (["/orienter", "o:set:who:porteur_individuel", "o:set:stage:reprise", "o:set:need:financement", "Rouen"],
     {"pret_honneur", "initiative_france"}),
    (["/orienter", "o:set:who:association", "o:set:stage:difficulte", "o:set:need:financement",
      "o:set:employees:quelques", "Nice"],
     {"france_active"}),
    (["/orienter", "o:set:who:collectivite", "o:set:stage:idee", "o:set:need:emploi_insertion", "Lens"],
     {"tzcld"}),
    (["on est une scop en difficulte a Nantes, on a besoin d'un accompagnement", "4 salariés"], {"dla", "urscop"}),
]


@pytest.mark.parametrize(("steps", "expected"), PROFILES, ids=[" / ".join(p[0])[:70] for p in PROFILES])
def test_profile_gets_the_schemes_that_fit(chat, engine, steps, expected):
    schemes = run_profile(chat, steps)
    assert len(schemes) >= 2 or len(schemes) == len(expected)
    assert expected <= set(schemes), schemes
    assert all(engine.content.entries[s].status.state != "closed" for s in schemes)
    chat.press("o:cress")
    assert chat.reply.cards, "the CRESS (or ESS France) card is one button away"
    chat.press("o:summary")
    assert "À copier pour votre CRESS" in chat.text


def test_one_message_fills_three_slots_and_asks_only_the_need(chat):
    chat.send("je suis une asso employeuse à Brest en difficulté")
    assert "De quoi avez-vous besoin" in chat.text
    assert {"Financer", "Être accompagné"} <= set(chat.labels)


def test_typed_answers_with_typos_and_no_accents_are_understood(chat):
    chat.command("orienter")
    chat.send("assocation")
    assert "Où en est votre projet" in chat.text
    chat.send("developement")
    assert "De quoi avez-vous besoin" in chat.text


def test_answer_that_fits_nothing_reasks_with_a_hint(chat):
    chat.command("orienter")
    chat.send("bleu")
    assert "Je n'ai pas compris" in chat.text
    assert "Association" in chat.labels


def test_back_returns_to_the_previous_question(chat):
    chat.command("orienter")
    chat.click("Association")
    assert "Où en est" in chat.text
    chat.send("retour")
    assert "Vous êtes" in chat.text


def test_restart_and_cancel_work_at_every_step(chat):
    chat.command("orienter")
    chat.click("Coopérative")
    chat.send("recommencer")
    assert "Vous êtes" in chat.text and Flow.load(chat.state.flow).who is None
    chat.send("annuler")
    assert chat.state.flow is None
    assert "j'arrête" in chat.text


def test_question_in_the_middle_is_answered_without_losing_the_flow(chat):
    chat.command("orienter")
    chat.click("Association")
    chat.send("c'est quoi le DLA ?")
    assert "dispositif local d'accompagnement" in chat.text.lower()
    assert "Où en est votre projet" in chat.text
    chat.click("Difficulté")
    assert "De quoi avez-vous besoin" in chat.text


def test_known_place_is_not_asked_again(chat):
    chat.send("cress 29200")
    chat.command("orienter")
    chat.click("Association")
    chat.click("Développement")
    chat.click("Financer")
    assert "Votre profil" in chat.text and "Brest" in chat.text


def test_idea_stage_project_gets_a_route_not_a_dead_end(chat):
    schemes = run_profile(chat, ["/orienter", "o:set:who:porteur_individuel", "o:set:stage:idee",
                                 "o:set:need:accompagnement", "o:skip"])
    assert len(schemes) >= 2


def test_main_exclusion_is_explained_in_one_line(chat):
    chat.command("orienter")
    for step in ("o:set:who:association", "o:set:stage:developpement", "o:set:need:accompagnement",
                 "o:set:employees:aucun", "o:skip"):
        chat.press(step)
    assert "Écartés pour votre profil" in chat.text
    assert "employeuses" in chat.text  # the DLA is for employers
    assert "k:guid_asso" in [b.payload for b in chat.reply.buttons]  # Guid'Asso is for volunteer-run ones


def test_after_thirty_minutes_of_silence_the_flow_starts_fresh_politely(chat):
    chat.command("orienter")
    chat.click("Association")
    chat.wait(SESSION_TIMEOUT_SECONDS + 1)
    chat.send("c'est quoi une scic")
    assert "Cela fait un moment" in chat.text
    assert chat.state.flow is None
    assert chat.reply.intent == "scic"


def test_button_of_a_finished_orientation_is_stale(chat):
    chat.command("orienter")
    payload = chat.reply.buttons[0].payload
    chat.send("annuler")
    chat.press(payload)
    assert "plus valable" in chat.text
