"""What a knowledge answer shows: closed-scheme banner, sources a user can open, the day it was checked."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from bot.answers import entry_blocks, french_date, sources_line, status_line
from bot.content.models import Entry
from bot.messages import Messages
from bot.replies import Reply

MESSAGES = Messages.load()
TODAY = dt.date(2026, 12, 2)
# A French article or preposition left unelided before a vowel: "le été", "de appels".
UNELIDED = re.compile(r"\b(le|la|de|que|ce|je|ne|se)\s+[aeiouyéèêàâîôû]", re.IGNORECASE)


def make_entry(**fields: object) -> Entry:
    data: dict[str, object] = {
        "id": "demo",
        "kind": "scheme",
        "name": "Démo",
        "summary": "Démo.",
        "answer": "Réponse.",
        "sources": ["https://www.avise.org/x"],
        "last_verified": "2026-11-23",
    }
    data.update(fields)
    return Entry.model_validate(data)


def text_of(entry: Entry, today: dt.date = TODAY) -> str:
    return Reply(blocks=tuple(entry_blocks(entry, MESSAGES, today))).plain_text()


def closed_entries(engine) -> list[Entry]:
    return [e for e in engine.content.entries.values() if e.status.state == "closed"]


def test_there_are_closed_entries_to_check(engine):
    assert {"dsess", "urgencess", "france_relance"} <= {e.id for e in closed_entries(engine)}


@pytest.mark.parametrize("entry_id", ["dsess", "urgencess", "france_relance"])
def test_closed_banner_of_each_closed_entry_reads_as_french(engine, entry_id):
    entry = engine.content.entries[entry_id]
    banner = status_line(entry, MESSAGES)
    assert banner is not None and banner.startswith("⚠️ Dispositif clos ")
    assert not UNELIDED.search(banner), banner
    assert "  " not in banner and " ." not in banner and ".." not in banner, banner
    assert banner.endswith((".", "!", ")")), banner
    assert text_of(entry).startswith(banner)  # shown first


def test_every_closed_entry_banner_reads_as_french(engine):
    for entry in closed_entries(engine):
        banner = status_line(entry, MESSAGES) or ""
        assert not UNELIDED.search(banner) and "  " not in banner and banner.endswith("."), (entry.id, banner)


def test_dsess_banner_says_closed_since_summer_2020(engine):
    assert status_line(engine.content.entries["dsess"], MESSAGES).startswith("⚠️ Dispositif clos depuis l'été 2020.")


def test_a_closing_that_does_not_read_after_clos_is_refused():
    with pytest.raises(ValueError, match="closing"):
        make_entry(status={"state": "closed", "closing": "été 2020"})
    with pytest.raises(ValueError, match="closing"):
        make_entry(status={"state": "closed", "until": "2020"})


def test_seed_documents_are_named_as_documents_and_links_by_site_name():
    entry = make_entry(
        sources=[
            "seed:003_c6f414290f85af20.txt (Le dispositif local d'accompagnement)",
            "https://www.info-dla.fr/beneficiaires/qui-peut-etre-accompagne/",
            {"document": "seed:004_39420584f21ddb97.txt", "quote": "Les CRTE..."},
        ]
    )
    line = sources_line(entry, MESSAGES)
    assert line == (
        "Sources : info-dla.fr, document « Le dispositif local d'accompagnement » (source n° 003),"
        " document (source n° 004)"
    )
    assert "seed:" not in line and ".txt" not in line


def test_real_answers_never_show_a_seed_file_name_as_a_source(engine):
    for entry in engine.content.entries.values():
        line = sources_line(entry, MESSAGES)
        assert "seed:" not in line and ".txt" not in line, entry.id
        assert "http" not in line, entry.id  # links are named by their site


def test_answer_ends_with_the_day_its_sources_were_read_in_french():
    text = text_of(make_entry(last_verified="2026-03-01"), today=dt.date(2026, 12, 2))
    assert text.endswith("Vérifié le 1er mars 2026.")
    assert french_date(dt.date(2026, 11, 23), MESSAGES) == "23 novembre 2026"
    assert french_date(dt.date(2025, 8, 31), MESSAGES) == "31 août 2025"


def test_answer_older_than_a_year_tells_to_check_the_official_page():
    entry = make_entry(last_verified="2025-11-23", link="https://www.info-dla.fr")
    text = text_of(entry, today=dt.date(2026, 12, 2))
    assert "Vérifié le 23 novembre 2025" in text
    assert "vérifiez la page officielle" in text
    assert "vérifiez la page officielle" not in text_of(entry, today=dt.date(2026, 11, 1))


def test_dla_answer_in_a_chat_ends_with_its_verification_date(chat, engine):
    chat.send("c'est quoi le DLA ?")
    expected = french_date(engine.content.entries["dla"].last_verified, MESSAGES)
    assert chat.text.rstrip().endswith(f"Vérifié le {expected}.")
