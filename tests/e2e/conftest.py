"""End-to-end fixtures: telegram-test-api (Node) on 127.0.0.1 behind launcher.js, and the real
`python -m bot run` pointed at it with TELEGRAM_BASE_URL. Skipped only when `node` is absent.

The test command installs the emulator first: `npm ci --prefix tests/e2e`.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

E2E_DIR = Path(__file__).parent
REPO = E2E_DIR.parent.parent
TOKEN = "987654:e2e-boussole-test-token"
READY_TIMEOUT = 30.0
REPLY_TIMEOUT = 10.0
SETTLE = 0.3


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if shutil.which("node") is None:
        skip = pytest.mark.skip(reason="end-to-end tests need Node.js (`node` not found on PATH)")
        for item in items:
            if "e2e" in item.keywords:
                item.add_marker(skip)


@pytest.fixture(scope="session")
def emulator() -> Iterator[str]:
    """The base URL of the patched emulator (bot API under /bot<token>/, client API at /)."""
    if not (E2E_DIR / "node_modules" / "telegram-test-api").is_dir():
        pytest.fail("telegram-test-api is not installed: run `npm ci --prefix tests/e2e` first")
    process = subprocess.Popen(
        ["node", str(E2E_DIR / "launcher.js")], cwd=E2E_DIR, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
        stderr=subprocess.PIPE, text=True,
    )
    line = process.stdout.readline()
    if not line:
        process.kill()
        pytest.fail(f"launcher.js did not start: {process.stderr.read()}")
    port = json.loads(line)["port"]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        process.stdin.close()
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()


class BotProcess:
    """`python -m bot run` as a child process; its JSON log lines are collected."""

    def __init__(self, emulator: str, data_dir: Path, env: dict[str, str] | None = None) -> None:
        self.emulator = emulator
        self.data_dir = data_dir
        self.extra_env = env or {}
        self.process: subprocess.Popen[str] | None = None
        self.logs: list[dict[str, Any]] = []

    def start(self) -> None:
        self.launch()
        self.wait_ready()

    def launch(self) -> None:
        env = {
            **os.environ,
            "TELEGRAM_BOT_TOKEN": TOKEN,
            "TELEGRAM_BASE_URL": f"{self.emulator}/bot",
            "BOUSSOLE_DATA_DIR": str(self.data_dir),
            "LOG_LEVEL": "INFO",
            "PYTHONUNBUFFERED": "1",
            **self.extra_env,
        }
        env.pop("WEBHOOK_URL", None)
        self.process = subprocess.Popen(
            [sys.executable, "-m", "bot", "run"], cwd=REPO, env=env, stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE, text=True,
        )
        self._ready = threading.Event()
        threading.Thread(target=self._read_logs, args=(self.process, self._ready), daemon=True).start()

    def wait_ready(self) -> None:
        if not self._ready.wait(READY_TIMEOUT):
            self.stop()
            raise AssertionError(f"the bot did not start; logs: {self.logs[-10:]}")

    def _read_logs(self, process: subprocess.Popen[str], ready: threading.Event) -> None:
        assert process.stderr is not None
        for line in process.stderr:
            try:
                record = json.loads(line)
            except ValueError:
                record = {"event": "raw", "line": line.rstrip()}
            self.logs.append(record)
            if record.get("event") == "bot_ready":
                ready.set()

    def kill(self) -> None:
        """kill -9: no chance to flush anything."""
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> int | None:
        if self.process is None or self.process.poll() is not None:
            return self.process.returncode if self.process else None
        self.process.send_signal(signal.SIGTERM)
        try:
            return self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            return None


class TelegramUser:
    """A person chatting with the bot through the emulator's client API."""

    def __init__(self, emulator: str, chat_id: int = 5001) -> None:
        self.client = httpx.Client(base_url=emulator, timeout=10)
        self.chat_id = chat_id
        self.user = {"id": chat_id, "is_bot": False, "first_name": "Camille", "username": "camille"}
        self.chat = {"id": chat_id, "type": "private", "first_name": "Camille"}
        self.last: list[dict[str, Any]] = []
        self._message_ids = iter(range(10_000, 1_000_000))

    def _common(self) -> dict[str, Any]:
        return {"botToken": TOKEN, "from": self.user, "chat": self.chat, "date": int(time.time())}

    def send(self, text: str) -> list[dict[str, Any]]:
        body = {**self._common(), "text": text}
        if text.startswith("/"):
            body["entities"] = [{"type": "bot_command", "offset": 0, "length": len(text.split()[0])}]
            self.client.post("/sendCommand", json=body).raise_for_status()
        else:
            self.client.post("/sendMessage", json=body).raise_for_status()
        return self.replies()

    def click(self, label: str) -> list[dict[str, Any]]:
        keyboards = [(m.get("reply_markup") or {}).get("inline_keyboard", []) for m in self.last]
        buttons = [b for rows in keyboards for row in rows for b in row]
        button = next((b for b in buttons if b["text"] == label), None)
        assert button is not None, f"no button {label!r} in {[b['text'] for b in buttons]}"
        message = {"message_id": next(self._message_ids), "date": int(time.time()), "chat": self.chat,
                   "from": {"id": 666, "is_bot": True, "first_name": "Bot"}, "text": "…"}
        body = {"botToken": TOKEN, "from": self.user, "message": message, "data": button["callback_data"]}
        self.client.post("/sendCallback", json=body).raise_for_status()
        return self.replies()

    def replies(self) -> list[dict[str, Any]]:
        """The bot's messages for this chat: waits for the first, then for stragglers."""
        found: list[dict[str, Any]] = []
        deadline = time.monotonic() + REPLY_TIMEOUT
        quiet_since: float | None = None
        while time.monotonic() < deadline:
            response = self.client.post("/getUpdates", json={"token": TOKEN, "chatId": self.chat_id})
            new = [u["message"] for u in response.json().get("result", [])]
            if new:
                found.extend(new)
                quiet_since = time.monotonic()
            elif found and quiet_since is not None and time.monotonic() - quiet_since > SETTLE:
                break
            time.sleep(0.05)
        assert found, "the bot did not answer"
        self.last = found
        return found

    def calls_patched(self) -> list[str]:
        return self.client.get("/_calls").json()["result"]


def text_of(messages: list[dict[str, Any]]) -> str:
    return "\n\n".join(m.get("text", "") for m in messages)


@pytest.fixture
def bot_process(emulator: str, tmp_path: Path) -> Iterator[BotProcess]:
    bot = BotProcess(emulator, tmp_path / "data")
    bot.start()
    try:
        yield bot
    finally:
        bot.stop()
