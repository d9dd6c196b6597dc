"""Corrections found in review stay corrected: what users read about the DLA, the CRTE, the CRESS
and the FDVA matches the reference and the sources read."""

from __future__ import annotations


def quotes(entry) -> str:
    return " ".join(s.quote for s in entry.sources if s.quote)


def test_dla_set_aside_in_the_orientation_still_mentions_first_time_employers(chat):
    chat.command("orienter")
    for step in ("o:set:who:association", "o:set:stage:idee", "o:set:need:accompagnement", "o:skip"):
        chat.press(step)
    assert "Écartés pour votre profil" in chat.text
    assert "première embauche" in chat.text
    assert "au moins un salarié" not in chat.text


def test_dla_answer_agrees_with_its_faq_on_first_time_employers(engine):
    dla = engine.content.entries["dla"]
    faq = engine.content.entries["faq_dla_sans_salarie"]
    assert "primo-employeuse" in dla.answer and "primo-employeuses" in faq.answer
    assert "primo-employeuses" in quotes(dla)


def test_crte_new_name_and_renaming_come_from_a_quoted_source(engine):
    crte = engine.content.entries["crte"]
    assert "rebaptisés en 2023" in crte.answer
    quoted = quotes(crte)
    assert "rebaptisés « Contrats pour la réussite de la transition écologique » en 2023" in quoted
    assert any(s.url and "ecologie.gouv.fr" in s.url and s.quote for s in crte.sources)


def test_cress_count_is_told_as_of_2020_with_normandie_liquidated(engine):
    answer = engine.content.entries["cress"].answer
    assert "On compte 18 CRESS" not in answer
    assert "En 2020, les 18 CRESS" in answer
    assert "liquidation judiciaire, le 11 juillet 2025" in answer


def test_fdva_names_its_past_campaign_as_closed_and_where_to_find_the_current_one(engine):
    fdva = engine.content.entries["fdva"]
    assert "La campagne 2026, lancée en novembre 2025, est close" in fdva.answer
    assert "associations.gouv.fr" in fdva.answer and "www.associations.gouv.fr" in quotes(fdva)
