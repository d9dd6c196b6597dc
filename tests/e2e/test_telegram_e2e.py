"""A real conversation with `python -m bot run` through a local Bot API emulator
(telegram-test-api 4.2.1 behind launcher.js), including a kill -9 in the middle."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import BotProcess, TelegramUser, text_of

pytestmark = pytest.mark.e2e


def test_conversation_start_question_button_and_cress_lookup(bot_process: BotProcess, emulator: str):
    user = TelegramUser(emulator, chat_id=5001)

    greeting = user.send("/start")
    assert "Boussole ESS" in text_of(greeting)
    assert greeting[-1]["parse_mode"] == "HTML"

    answer = user.send("c'est quoi le DLA ?")
    assert "<b>Dispositif local d'accompagnement (DLA)</b>" in text_of(answer)

    pressed = user.click("Avise")
    assert "<b>Avise" in text_of(pressed)

    cress = user.send("cress 29200")
    assert "<b>CRESS Bretagne</b>" in text_of(cress)

    deep_link = user.send("/start cress_reg_53")
    assert "CRESS Bretagne" in text_of(deep_link)

    assert "setMyCommands" in user.calls_patched()
    assert not [r for r in bot_process.logs if r.get("level") in ("error", "critical")]


def test_guided_flow_survives_a_kill_9_in_the_middle(bot_process: BotProcess, emulator: str):
    user = TelegramUser(emulator, chat_id=5002)

    intro = user.send("/orienter")
    assert "Vous êtes" in text_of(intro)
    stage = user.click("Association")
    assert "Où en est votre projet" in text_of(stage)

    bot_process.kill()
    bot_process.start()

    need = user.send("création")
    assert "De quoi avez-vous besoin" in text_of(need), "the flow must resume where it was"
    place = user.click("Financer")
    assert "Où êtes-vous" in text_of(place)
    result = user.send("29200")
    assert "Votre profil" in text_of(result)


def test_logs_hold_neither_the_token_nor_what_users_write(bot_process: BotProcess, emulator: str):
    user = TelegramUser(emulator, chat_id=5003)
    user.send("mon asso Les Jardins de Kerlouan cherche un financement")
    assert bot_process.stop() == 0, "SIGTERM stops the bot cleanly"
    logs = str(bot_process.logs)
    assert "Kerlouan" not in logs
    assert "e2e-boussole-test-token" not in logs
    assert any(r.get("event") == "update_handled" for r in bot_process.logs)
