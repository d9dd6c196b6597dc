"""Drive a real python-telegram-bot Application on the offline Bot API with chats that read
like a conversation: `await chat.send("/start")`, `await chat.click("Association")`."""

from __future__ import annotations

import itertools
import time
from pathlib import Path
from typing import Any

from telegram import Update
from telegram.ext import Application

from bot.telegram.offline import BOT_ID, OfflineBotApi
from bot.telegram.settings import Settings

TOKEN = "4242:TEST-token-never-logged"


class Harness:
    def __init__(self, app: Application, api: OfflineBotApi, data_dir: Path) -> None:
        self.app = app
        self.api = api
        self.data_dir = data_dir
        self._update_ids = itertools.count(1)
        self._message_ids = itertools.count(1)

    def update(self, **payload: Any) -> Update:
        return Update.de_json({"update_id": next(self._update_ids), **payload}, self.app.bot)

    def next_message_id(self) -> int:
        return next(self._message_ids)

    async def process(self, update: Update) -> None:
        await self.app.process_update(update)

    def chat(self, chat_id: int = 1001, chat_type: str = "private", user_id: int | None = None) -> Chat:
        return Chat(self, chat_id, chat_type, user_id or abs(chat_id))


class Chat:
    def __init__(self, harness: Harness, chat_id: int, chat_type: str, user_id: int) -> None:
        self.h = harness
        self.chat_id = chat_id
        self.chat_type = chat_type
        self.user = {"id": user_id, "is_bot": False, "first_name": "Camille", "language_code": "fr"}
        self.last_keyboard: list[dict] = []

    def message(self, text: str | None = None, **extra: Any) -> dict[str, Any]:
        chat = {"id": self.chat_id, "type": self.chat_type}
        if self.chat_type != "private":
            chat["title"] = "Réseau ESS"
        message: dict[str, Any] = {
            "message_id": self.h.next_message_id(),
            "date": int(time.time()),
            "chat": chat,
            "from": self.user,
        }
        if text is not None:
            message["text"] = text
            if text.startswith("/"):
                message["entities"] = [{"type": "bot_command", "offset": 0, "length": len(text.split()[0])}]
        message.update(extra)
        return message

    async def _run(self, update: Update) -> list[dict[str, Any]]:
        before = len(self.h.api.messages(self.chat_id))
        await self.h.process(update)
        sent = self.h.api.messages(self.chat_id)[before:]
        for params in sent:
            markup = params.get("reply_markup")
            if markup:
                self.last_keyboard = [b for row in markup["inline_keyboard"] for b in row]
        return sent

    async def send(self, text: str, **extra: Any) -> list[dict[str, Any]]:
        return await self._run(self.h.update(message=self.message(text, **extra)))

    async def send_media(self, **content: Any) -> list[dict[str, Any]]:
        return await self._run(self.h.update(message=self.message(None, **content)))

    async def edit(self, text: str) -> list[dict[str, Any]]:
        edited = self.message(text, edit_date=int(time.time()))
        return await self._run(self.h.update(edited_message=edited))

    async def press(self, data: str) -> list[dict[str, Any]]:
        query = {
            "id": str(self.h.next_message_id()),
            "from": self.user,
            "chat_instance": f"ci{self.chat_id}",
            "data": data,
            "message": {**self.message("…"), "from": {"id": BOT_ID, "is_bot": True, "first_name": "Boussole"}},
        }
        return await self._run(self.h.update(callback_query=query))

    async def click(self, label: str) -> list[dict[str, Any]]:
        for button in self.last_keyboard:
            if button["text"] == label and "callback_data" in button:
                return await self.press(button["callback_data"])
        labels = [b["text"] for b in self.last_keyboard]
        raise AssertionError(f"no button {label!r} in the last keyboard: {labels}")


def text_of(sent: list[dict[str, Any]]) -> str:
    return "\n\n".join(m["text"] for m in sent)


def make_settings(data_dir: Path, **changes: Any) -> Settings:
    values: dict[str, Any] = {"token": TOKEN, "data_dir": data_dir, "max_rate": 0}
    values.update(changes)
    return Settings(**values)
