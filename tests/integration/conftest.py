"""Fixtures: a real Application on an offline Bot API (no network), one data dir per test."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.engine import Engine
from bot.telegram.app import build_application
from bot.telegram.offline import OfflineBotApi
from tests.integration.harness import Harness, make_settings


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return tmp_path / "data"


@pytest.fixture
async def bot(engine: Engine, data_dir: Path):
    engine.territory  # noqa: B018 -- loaded once, cached by the session engine
    api = OfflineBotApi()
    app = build_application(make_settings(data_dir), engine, request=api)
    await app.initialize()
    harness = Harness(app, api, data_dir)
    try:
        yield harness
    finally:
        await app.shutdown()
