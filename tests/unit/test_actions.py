"""Buttons and deep links: one encoder/decoder, old payloads still understood."""

import pytest

from bot.actions import (
    COMMANDS,
    AskIntent,
    Catalogue,
    CatalogueTheme,
    CressAsk,
    DeepCress,
    DeepEntry,
    DeepOrientation,
    Menu,
    OpenEntry,
    OrientationStep,
    PickPlace,
    Stale,
    decode,
    decode_deep_link,
    encode,
    encode_deep_link,
    from_callback_data,
    to_callback_data,
)

ACTIONS = [
    OpenEntry("dla"),
    AskIntent("cress_contact"),
    CatalogueTheme("financement"),
    Catalogue(),
    CressAsk(),
    Menu(),
    PickPlace("commune", "29019"),
    OrientationStep("set:who:association"),
]


@pytest.mark.parametrize("action", ACTIONS, ids=lambda a: type(a).__name__)
def test_every_action_survives_a_telegram_button(action):
    data = to_callback_data(encode(action))
    assert data is not None and len(data.encode()) <= 64
    assert decode(from_callback_data(data)) == action


@pytest.mark.parametrize(
    "payload, action",
    [
        ("k:dla", OpenEntry("dla")),
        ("i:garantie_pret", AskIntent("garantie_pret")),
        ("t:statut", CatalogueTheme("statut")),
        ("cat", Catalogue()),
        ("cress", CressAsk()),
        ("menu", Menu()),
        ("p:department:2A", PickPlace("department", "2A")),
        ("o:place:commune:29019", OrientationStep("place:commune:29019")),
        ("o:back", OrientationStep("back")),
    ],
)
def test_payloads_of_buttons_already_in_chats_still_decode(payload, action):
    assert decode(payload) == action
    assert decode(from_callback_data(f"v1|{payload}")) == action


@pytest.mark.parametrize("data", ["v2|k:dla", "", "x", "p:department", "zz:1", "k:"])
def test_unknown_or_future_buttons_are_stale(data):
    assert decode(from_callback_data(data)) == Stale()


def test_a_payload_too_long_for_telegram_is_refused():
    assert to_callback_data(encode(OpenEntry("x" * 70))) is None


@pytest.mark.parametrize(
    "argument, link",
    [
        ("cress_dep_01", DeepCress("department", "01")),
        ("cress_reg_84", DeepCress("region", "84")),
        ("cress_01", DeepCress(None, "01")),
        ("cress_2a", DeepCress(None, "2A")),
        ("orienter", DeepOrientation()),
        ("dla", DeepEntry("dla")),
    ],
)
def test_deep_links_decode_and_encode_back(argument, link):
    assert decode_deep_link(argument) == link
    assert encode_deep_link(link) == argument.lower()


def test_the_engine_publishes_every_command_with_a_french_description(engine):
    names = [c.name for c in engine.commands]
    assert names == [c.name for c in COMMANDS] and {"start", "oublier", "orienter"} <= set(names)
    assert all(engine.messages(c.description) for c in engine.commands)
