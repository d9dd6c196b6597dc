"""One rule over every profile: a scheme is never both recommended and set aside; a scheme is
set aside only when the user might have expected it, for the reason its own exclusion line gives."""

import itertools

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.orientation.flow import Flow
from bot.orientation.ranking import Profile, misses, recommend

WHO = ["porteur_individuel", "association", "cooperative", "entreprise_ess", "structure_insertion", "collectivite"]
STAGES = ["idee", "creation", "developpement", "difficulte", "changement_echelle", "reprise"]
NEEDS = ["accompagnement", "financement", "statut", "emploi_insertion", "locaux_foncier", "cooperation_territoriale"]
EMPLOYEES = [None, "aucun", "quelques", "nombreux"]
PROJECTS = [None, "projet", "besoin"]


def every_profile(engine):
    for who, stage, need, employees, project, has_place in itertools.product(
        WHO, STAGES, NEEDS, EMPLOYEES, PROJECTS, (False, True)
    ):
        also = tuple(engine.orientation.vocabulary.also_needs("stage", stage))
        yield Profile(who, stage, need, employees, project, also, has_place)


def test_no_profile_gets_a_scheme_both_recommended_and_set_aside(engine):
    count = 0
    for profile in every_profile(engine):
        ranking = recommend(engine.content.entries, profile)
        chosen = {r.entry.id for r in ranking.chosen}
        assert not chosen & {x.entry.id for x in ranking.excluded}, profile
        for rec in ranking.chosen:
            assert not misses(rec.entry.eligibility, profile), (rec.entry.id, profile)
            assert rec.entry.status.state != "closed"
        for exclusion in ranking.excluded:
            rules = exclusion.entry.eligibility
            # Set aside for exactly the one criterion its own line explains, and it answers the need.
            assert misses(rules, profile) == [exclusion.criterion] == [rules.exclusion_about], (exclusion, profile)
            assert profile.need in rules.needs
            # Without the user's words pointing at it, only a near miss on what they told is mentioned.
            assert exclusion.criterion in ("employees", "project")
        count += 1
    assert count == 6 * 6 * 6 * 4 * 3 * 2


def test_esus_and_iae_are_never_set_aside_for_a_structure_d_insertion(engine):
    for profile in every_profile(engine):
        if profile.who != "structure_insertion":
            continue
        excluded = {x.entry.id for x in recommend(engine.content.entries, profile).excluded}
        assert not {"agrement_esus", "iae"} & excluded, profile


def test_an_employer_association_in_a_cash_crisis_gets_the_dla_and_france_active_first(engine):
    for employees, has_place in itertools.product(("quelques", "nombreux"), (False, True)):
        profile = Profile("association", "difficulte", "financement", employees, None, ("accompagnement",), has_place)
        first = [r.entry.id for r in recommend(engine.content.entries, profile).chosen[:3]]
        assert {"dla", "france_active"} <= set(first), first


def test_the_fabrique_a_initiatives_is_for_people_without_a_project_of_their_own(engine):
    own = Profile("collectivite", "idee", "cooperation_territoriale", None, "projet", (), True)
    need = Profile("collectivite", "idee", "cooperation_territoriale", None, "besoin", (), True)
    assert "fabrique_a_initiatives" in {x.entry.id for x in recommend(engine.content.entries, own).excluded}
    assert "fabrique_a_initiatives" not in {r.entry.id for r in recommend(engine.content.entries, own).chosen}
    assert recommend(engine.content.entries, need).chosen[0].entry.id == "fabrique_a_initiatives"


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(who=st.sampled_from(WHO), stage=st.sampled_from(STAGES), need=st.sampled_from(NEEDS),
       employees=st.sampled_from(EMPLOYEES[1:]), project=st.sampled_from(PROJECTS[1:]))
def test_a_conversation_never_shows_a_scheme_both_recommended_and_set_aside(chat, engine, who, stage, need,
                                                                            employees, project):
    chat.command("orienter")
    for step in (f"o:set:who:{who}", f"o:set:stage:{stage}", f"o:set:need:{need}",
                 f"o:set:employees:{employees}", f"o:set:project:{project}", "o:skip"):
        if not Flow.load(chat.state.flow).done:
            chat.press(step)
    assert Flow.load(chat.state.flow).done
    assert len(chat.text.splitlines()) <= 25, chat.text  # fits a phone screen before "voir plus"
    names = {engine.content.entries[b.payload[2:]].name for b in chat.reply.buttons if b.payload.startswith("k:")}
    set_aside = chat.text.split("Écartés pour votre profil")[-1] if "Écartés" in chat.text else ""
    chat.press("o:more")
    names |= {engine.content.entries[b.payload[2:]].name for b in chat.reply.buttons if b.payload.startswith("k:")}
    for entry in engine.content.entries.values():
        if entry.eligibility and entry.eligibility.exclusion and entry.eligibility.exclusion in set_aside:
            assert entry.name not in names
    assert len(chat.text.splitlines()) <= 40
