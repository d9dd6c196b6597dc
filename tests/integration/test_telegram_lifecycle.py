"""The process around the application: polling that stops ends the process with a clear exit
code, transient errors do not, and DEBUG logs keep what users write out."""

from __future__ import annotations

import asyncio
import json
import logging
import os
import sys
import time
from collections import deque
from pathlib import Path
from typing import Any

import pytest
from telegram.error import NetworkError, TimedOut
from tornado.httpserver import HTTPServer
from tornado.netutil import bind_sockets
from tornado.web import Application as TornadoApplication
from tornado.web import RequestHandler

from bot.telegram.app import ALLOWED_UPDATES, build_application
from bot.telegram.logs import cap_library_logs
from bot.telegram.offline import BOT_USER, HttpFailure, OfflineBotApi
from bot.telegram.serving import EXIT_STOPPED, EXIT_TOKEN_REJECTED, serve_async
from tests.integration.harness import TOKEN, make_settings


class PollingApi(OfflineBotApi):
    """getUpdates answers from a script (a list of updates, an HttpFailure or an exception per
    call), then nothing new."""

    def __init__(self, *script: list[dict[str, Any]] | HttpFailure | BaseException) -> None:
        super().__init__()
        self.script = deque(script)
        self.polls = 0

    async def do_request(self, url: str, method: str, request_data=None, **timeouts: Any) -> tuple[int, bytes]:
        if url.endswith("/getUpdates") and self.script:
            self.polls += 1
            step = self.script.popleft()
            if isinstance(step, BaseException):
                raise step
            if isinstance(step, HttpFailure):
                body = {"ok": False, "error_code": step.status, "description": step.description}
                return step.status, json.dumps(body).encode()
            return 200, json.dumps({"ok": True, "result": step}).encode()
        return await super().do_request(url, method, request_data, **timeouts)


def text_update(update_id: int, text: str, chat_id: int = 1001) -> dict[str, Any]:
    message: dict[str, Any] = {
        "message_id": update_id, "date": int(time.time()), "text": text,
        "chat": {"id": chat_id, "type": "private"},
        "from": {"id": chat_id, "is_bot": False, "first_name": "Camille"},
    }
    if text.startswith("/"):
        message["entities"] = [{"type": "bot_command", "offset": 0, "length": len(text.split()[0])}]
    return {"update_id": update_id, "message": message}


async def serve_until(engine, data_dir, api: PollingApi, stop_when_sent: bool = False, **settings: Any) -> int:
    """`ess-bot run` in polling mode on `api`; its exit code (a hang fails the test)."""
    app = build_application(make_settings(data_dir, **settings), engine, request=api)
    stop = asyncio.Event()

    async def stop_after_reply() -> None:
        await api.sent.wait()
        stop.set()

    watcher = asyncio.create_task(stop_after_reply()) if stop_when_sent else None
    try:
        return await asyncio.wait_for(serve_async(app, make_settings(data_dir), ALLOWED_UPDATES, stop), 15)
    finally:
        if watcher:
            watcher.cancel()


@pytest.mark.parametrize(("status", "description"), [(401, "Unauthorized"), (404, "Not Found")])
async def test_token_rejected_while_polling_ends_the_process(engine, data_dir, caplog, status, description):
    api = PollingApi([text_update(1, "/aide")], HttpFailure(status, description))
    with caplog.at_level(logging.INFO):
        code = await serve_until(engine, data_dir, api)
    assert code == EXIT_TOKEN_REJECTED == 2
    assert "/orienter" in api.sent_texts(1001)[0], "the bot answered while its token was good"
    assert [r.levelno for r in caplog.records if r.getMessage() == "token_rejected"] == [logging.CRITICAL]


async def test_token_rejected_at_start_ends_the_process(engine, data_dir, caplog):
    api = PollingApi()
    api.fail("getMe", HttpFailure(401, "Unauthorized"))
    with caplog.at_level(logging.INFO):
        code = await serve_until(engine, data_dir, api)
    assert code == EXIT_TOKEN_REJECTED
    assert any(r.getMessage() == "token_rejected" for r in caplog.records)


async def test_transient_polling_errors_are_retried_and_the_bot_keeps_answering(engine, data_dir, caplog):
    api = PollingApi(TimedOut(), HttpFailure(502, "Bad Gateway"), NetworkError("connection reset"),
                     [text_update(1, "/aide")])
    with caplog.at_level(logging.INFO):
        code = await serve_until(engine, data_dir, api, stop_when_sent=True)
    assert code == EXIT_STOPPED
    assert api.polls == 4
    assert "/orienter" in api.sent_texts(1001)[0]
    assert not any(r.getMessage() in ("token_rejected", "polling_stopped") for r in caplog.records)


# -- logs at DEBUG -------------------------------------------------------------------------------


@pytest.fixture
def library_log_levels():
    loggers = [logging.getLogger(n) for n in ("telegram", "httpx", "httpcore", "apscheduler", "tornado.access")]
    levels = [lg.level for lg in loggers]
    yield
    for lg, level in zip(loggers, levels, strict=True):
        lg.setLevel(level)


@pytest.mark.parametrize("log_message_text", [False, True])
async def test_debug_logs_keep_message_text_out_unless_asked(
    engine, data_dir, caplog, library_log_levels, log_message_text
):
    cap_library_logs("DEBUG", log_message_text)
    api = PollingApi([text_update(1, "mon association Les Jardins de Kerlouan")])
    with caplog.at_level(logging.DEBUG):
        code = await serve_until(engine, data_dir, api, stop_when_sent=True, log_message_text=log_message_text)
    assert code == EXIT_STOPPED
    assert ("Kerlouan" in caplog.text) is log_message_text


# -- the real process ----------------------------------------------------------------------------


class _StubBotApi(RequestHandler):
    """A Bot API that knows the bot, then rejects its token on the second getUpdates."""

    polls = 0

    def post(self, token_and_method: str) -> None:
        method = token_and_method.rsplit("/", 1)[-1]
        if method == "getUpdates":
            type(self).polls += 1
            if type(self).polls > 1:
                self.set_status(401)
                self.write({"ok": False, "error_code": 401, "description": "Unauthorized"})
                return
        result = BOT_USER if method == "getMe" else [] if method == "getUpdates" else True
        self.write({"ok": True, "result": result})


async def test_ess_bot_run_exits_with_code_2_when_the_token_is_revoked_while_polling(tmp_path):
    stub = HTTPServer(TornadoApplication([(r"/bot(.+)", _StubBotApi)]))
    sockets = bind_sockets(0, "127.0.0.1")
    stub.add_sockets(sockets)
    env = {**os.environ, "TELEGRAM_BOT_TOKEN": TOKEN, "BOUSSOLE_DATA_DIR": str(tmp_path),
           "TELEGRAM_BASE_URL": f"http://127.0.0.1:{sockets[0].getsockname()[1]}/bot", "LOG_LEVEL": "INFO"}
    env.pop("WEBHOOK_URL", None)
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "run", env=env, cwd=Path(__file__).parents[2],
        stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE,
    )
    try:
        _, stderr = await asyncio.wait_for(process.communicate(), 90)
    finally:
        if process.returncode is None:
            process.kill()
        stub.stop()
    events = [json.loads(line) for line in stderr.decode().splitlines() if line.startswith("{")]
    assert process.returncode == 2, stderr.decode()[-2000:]
    assert [e["level"] for e in events if e["event"] == "token_rejected"] == ["critical"]
    assert any(e["event"] == "bot_ready" for e in events), "it was polling before the token was revoked"
    assert TOKEN not in stderr.decode()
