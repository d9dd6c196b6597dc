"""A user's conversation through the real Application: commands, deep links, buttons, flows."""

from __future__ import annotations

from bot.telegram.offline import BOT_USERNAME
from tests.integration.harness import text_of


def buttons_of(sent: list[dict]) -> list[dict]:
    markup = sent[-1].get("reply_markup") or {}
    return [b for row in markup.get("inline_keyboard", []) for b in row]


async def test_start_greets_in_html_with_the_menu_as_versioned_buttons(bot):
    sent = await bot.chat().send("/start")
    assert len(sent) == 1
    assert sent[0]["parse_mode"] == "HTML"
    assert "Boussole ESS" in sent[0]["text"]
    data = [b["callback_data"] for b in buttons_of(sent)]
    assert data and all(d.startswith("v1|") and len(d.encode()) <= 64 for d in data)


async def test_question_gets_the_dla_answer_with_bold_title_and_official_link(bot):
    sent = await bot.chat().send("c'est quoi le DLA ?")
    text = text_of(sent)
    assert "<b>Dispositif local d'accompagnement (DLA)</b>" in text
    assert '<a href="https://' in text
    assert sent[0]["link_preview_options"] == {"is_disabled": True}


async def test_deep_link_start_dla_opens_the_dla_card(bot):
    sent = await bot.chat().send("/start dla")
    assert "Dispositif local d'accompagnement" in text_of(sent)


async def test_deep_link_start_cress_reg_53_gives_the_cress_of_region_53_bretagne(bot):
    sent = await bot.chat().send("/start cress_reg_53")
    assert "<b>CRESS Bretagne</b>" in text_of(sent)


async def test_deep_link_start_orienter_asks_the_first_question(bot):
    sent = await bot.chat().send("/start orienter")
    labels = [b["text"] for b in buttons_of(sent)]
    assert "Association" in labels


async def test_command_addressed_to_this_bot_by_name_is_answered(bot):
    sent = await bot.chat().send(f"/aide@{BOT_USERNAME}")
    assert "/orienter" in text_of(sent)


async def test_unknown_command_is_answered_with_the_menu(bot):
    sent = await bot.chat().send("/bonjour")
    assert "Je ne connais pas cette commande" in text_of(sent)
    assert buttons_of(sent)


async def test_button_press_is_answered_then_opens_the_entry(bot):
    chat = bot.chat()
    await chat.send("c'est quoi le DLA ?")
    sent = await chat.click("Avise")
    assert bot.api.calls_of("answerCallbackQuery"), "the button's spinner must be stopped"
    assert "<b>Avise" in text_of(sent)


async def test_button_of_an_older_version_gets_an_explanation_and_the_menu(bot):
    sent = await bot.chat().press("v0|k:dla")
    assert "plus valable" in text_of(sent)
    assert buttons_of(sent)
    assert len(bot.api.calls_of("answerCallbackQuery")) == 1


async def test_unversioned_unknown_button_gets_an_explanation_never_silence(bot):
    sent = await bot.chat().press("something-old")
    assert "plus valable" in text_of(sent)
    assert len(bot.api.calls_of("answerCallbackQuery")) == 1


async def test_guided_orientation_with_buttons_ends_with_recommendations(bot):
    chat = bot.chat()
    await chat.send("/orienter")
    await chat.click("Association")
    await chat.send("création")  # the stage, typed
    await chat.click("Financer")
    sent = await chat.send("29200")
    assert "Votre profil" in text_of(sent)


async def test_cress_lookup_by_postal_code_gives_a_contact_card(bot):
    sent = await bot.chat().send("cress 29200")
    text = text_of(sent)
    assert "<b>CRESS Bretagne</b>" in text
    assert "Site : <a href=" in text


async def test_cancel_stops_the_orientation(bot):
    chat = bot.chat()
    await chat.send("/orienter")
    sent = await chat.send("/annuler")
    assert "j'arrête" in text_of(sent)


async def test_sticker_photo_and_voice_get_a_short_answer_naming_what_was_sent(bot):
    chat = bot.chat()
    sticker = {"file_id": "s", "file_unique_id": "s", "width": 1, "height": 1, "is_animated": False,
               "is_video": False, "type": "regular"}
    assert "autocollants" in text_of(await chat.send_media(sticker=sticker))
    photo = [{"file_id": "p", "file_unique_id": "p", "width": 1, "height": 1}]
    assert "photos" in text_of(await chat.send_media(photo=photo))
    voice = {"file_id": "v", "file_unique_id": "v", "duration": 2}
    assert "messages vocaux" in text_of(await chat.send_media(voice=voice))


async def test_shared_location_is_answered_with_a_hint_to_type_the_town(bot):
    sent = await bot.chat().send_media(location={"latitude": 48.39, "longitude": -4.49})
    assert "positions partagées" in text_of(sent)


async def test_edited_message_gets_a_short_answer(bot):
    sent = await bot.chat().edit("c'est quoi le DLA")
    assert "messages modifiés" in text_of(sent)


async def test_group_message_without_mention_is_ignored(bot):
    sent = await bot.chat(-100200, "supergroup", user_id=77).send("c'est quoi le DLA ?")
    assert sent == []


async def test_group_message_mentioning_the_bot_is_answered_as_a_reply(bot):
    chat = bot.chat(-100200, "supergroup", user_id=77)
    text = f"@{BOT_USERNAME} c'est quoi le DLA ?"
    mention = {"type": "mention", "offset": 0, "length": len(BOT_USERNAME) + 1}
    sent = await chat.send(text, entities=[mention])
    assert "Dispositif local d'accompagnement" in text_of(sent)
    assert "reply_parameters" in sent[0]


async def test_group_commands_are_answered_but_not_those_for_another_bot(bot):
    chat = bot.chat(-100200, "supergroup", user_id=77)
    assert text_of(await chat.send("/aide"))
    assert await chat.send("/aide@SomeOtherBot") == []


async def test_group_sticker_is_ignored(bot):
    chat = bot.chat(-100200, "supergroup", user_id=77)
    sticker = {"file_id": "s", "file_unique_id": "s", "width": 1, "height": 1, "is_animated": False,
               "is_video": False, "type": "regular"}
    assert await chat.send_media(sticker=sticker) == []


async def test_channel_post_is_ignored(bot):
    post = {"message_id": 5, "date": 1_700_000_000, "chat": {"id": -100300, "type": "channel", "title": "ESS"},
            "text": "c'est quoi le DLA ?"}
    await bot.process(bot.update(channel_post=post))
    assert bot.api.messages() == []


async def test_inline_query_dla_offers_the_dla_card_to_share(bot):
    query = {"id": "q1", "from": {"id": 9, "is_bot": False, "first_name": "A"}, "query": "dla", "offset": ""}
    await bot.process(bot.update(inline_query=query))
    (call,) = bot.api.calls_of("answerInlineQuery")
    results = call.params["results"]
    assert results[0]["id"] == "dla"
    content = results[0]["input_message_content"]
    assert content["parse_mode"] == "HTML" and "Dispositif local" in content["message_text"]
    urls = [b["url"] for row in results[0]["reply_markup"]["inline_keyboard"] for b in row]
    assert f"https://t.me/{BOT_USERNAME}?start=dla" in urls


async def test_empty_inline_query_lists_schemes(bot):
    query = {"id": "q2", "from": {"id": 9, "is_bot": False, "first_name": "A"}, "query": "", "offset": ""}
    await bot.process(bot.update(inline_query=query))
    (call,) = bot.api.calls_of("answerInlineQuery")
    assert len(call.params["results"]) >= 5
