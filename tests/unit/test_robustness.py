"""No input crashes the engine, and every reply fits in one Telegram message or is split."""

import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.replies import Event
from bot.state import ConversationState, StateRecord

TELEGRAM_LIMIT = 4096

events = st.one_of(
    st.builds(lambda t: Event("text", text=t), st.text(max_size=3000)),
    st.builds(lambda t: Event("text", text=t), st.text(alphabet="abcdeéèàç 0123456789'?-", max_size=200)),
    st.builds(lambda p: Event("button", payload=p), st.text(max_size=80)),
    st.builds(lambda c, a: Event("command", command=c, text=a), st.text(max_size=30), st.text(max_size=60)),
    st.builds(lambda k: Event("unsupported", text=k), st.sampled_from(["photos", "autocollants", ""])),
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(events, min_size=1, max_size=6))
def test_any_sequence_of_events_gets_a_reply_that_fits(engine, sequence):
    state = ConversationState()
    for event in sequence:
        reply, state = engine.respond(state, event)
        text = reply.plain_text()
        assert text.strip(), f"empty reply to {event!r}"
        assert len(text) <= TELEGRAM_LIMIT
        assert ConversationState.from_dict(state.to_dict()) == state
        # The stored form is built by hand; it is the record's own dump, to the byte.
        record = StateRecord.from_state(state).model_dump(mode="json", exclude_unset=True)
        assert json.dumps(state.to_dict()) == json.dumps(record)


def test_twenty_thousand_characters_get_a_clear_reply(engine):
    reply, _ = engine.respond(ConversationState(), Event("text", text="x" * 20_000))
    assert "long" in reply.plain_text()


def test_control_characters_are_ignored(engine):
    reply, _ = engine.respond(ConversationState(), Event("text", text="\x00\x01c'est quoi\x07 le DLA\x1b"))
    assert reply.intent == "dla"


def test_the_stored_form_of_an_orientation_is_the_records_dump(engine):
    state = ConversationState()
    now = 1_800_000_000  # an int time is stored as a float, as the record stores it
    for event in (
        Event("command", command="orienter", now=now),
        Event("button", payload="o:set:who:association", now=now),
        Event("text", text="création à Brest", now=now),
        Event("button", payload="o:set:need:financement", now=now),
    ):
        _, state = engine.respond(state, event)
        record = StateRecord.from_state(state).model_dump(mode="json", exclude_unset=True)
        assert json.dumps(state.to_dict()) == json.dumps(record)
    assert state.flow is not None and state.place is not None and isinstance(state.to_dict()["last_activity"], float)
