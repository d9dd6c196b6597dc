"""The profile table (tests/data/profiles.yaml): people tell their situation, the orientation
asks what it still needs, and the right schemes come first."""

from pathlib import Path

import pytest
import yaml

from bot.orientation.flow import Flow

PROFILES = yaml.safe_load((Path(__file__).resolve().parents[1] / "data" / "profiles.yaml").read_text("utf-8"))[
    "profiles"
]
MAX_QUESTIONS = 8
# Profiles the orientation does not get right yet: strict xfails, so that a fix is noticed.
KNOWN_MISSES: dict[str, str] = {}
MAX_RESULT_LINES = 25


def converse(chat, profile: dict) -> None:
    """Tell the story, then answer each question the bot asks with what the person would type."""
    chat.command("orienter", profile["story"])
    for _ in range(MAX_QUESTIONS):
        flow = Flow.load(chat.state.flow)
        if flow.done:
            return
        asked = flow.asked
        assert asked in profile["answers"], f"asked {asked!r}, no answer in the table:\n{chat.text}"
        chat.send(profile["answers"][asked])
    raise AssertionError(f"no result after {MAX_QUESTIONS} answers:\n{chat.text}")


def recommended(chat) -> list[str]:
    return [b.payload.removeprefix("k:") for b in chat.reply.buttons if b.payload.startswith("k:")]


def _param(profile: dict):
    reason = KNOWN_MISSES.get(profile["id"])
    marks = [pytest.mark.xfail(strict=True, reason=reason)] if reason else []
    return pytest.param(profile, id=profile["id"], marks=marks)


def test_the_table_has_at_least_forty_profiles():
    assert len(PROFILES) >= 40
    assert len({p["id"] for p in PROFILES}) == len(PROFILES)


@pytest.mark.parametrize("profile", [_param(p) for p in PROFILES])
def test_profile_conversation_puts_the_right_schemes_first(chat, profile):
    converse(chat, profile)
    result = chat.text
    first = recommended(chat)
    everything = list(first)
    if any(b.payload == "o:more" for b in chat.reply.buttons):
        chat.press("o:more")
        everything += recommended(chat)
    assert set(profile["first"]) <= set(first), f"first three: {first}\n{result}"
    assert not set(profile["absent"]) & set(everything), f"recommended: {everything}\n{result}"
    if "place" in profile:
        assert profile["place"] in result.split("\n")[0] or profile["place"] in result
    assert len(result.splitlines()) <= MAX_RESULT_LINES, result
