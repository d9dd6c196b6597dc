"""Conversation state per chat, through python-telegram-bot's persistence API.

Each chat is one small JSON file, `<dir>/<chat id>.json`, holding `chat_data`
(`{"state": ConversationState.to_dict()}`). Writes go to a temporary file in the same
directory and are renamed over the old one (`os.replace` is atomic), so a `kill -9` at any
moment leaves either the old or the new state, never a torn file. Only chat data is kept:
no user data, no bot data, no callback data.

Handlers write the chat's state as soon as it changes (`update_chat_data`, before the reply
is sent), so a restart loses nothing the user has seen; the application's periodic flush
then finds nothing new to write. An empty `chat_data` deletes the file (/oublier).
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import tempfile
from pathlib import Path
from typing import Any

from telegram.ext import BasePersistence, PersistenceInput

from bot.telegram.logs import log_event

logger = logging.getLogger(__name__)
ChatData = dict[str, Any]
_TMP_SUFFIX = ".tmp"


class JsonChatPersistence(BasePersistence[dict, ChatData, dict]):
    def __init__(self, directory: Path, update_interval: float = 60, fsync: bool = False) -> None:
        super().__init__(
            store_data=PersistenceInput(bot_data=False, chat_data=True, user_data=False, callback_data=False),
            update_interval=update_interval,
        )
        self.directory = Path(directory)
        self.fsync = fsync
        self._written: dict[int, str] = {}

    # -- files -----------------------------------------------------------------------------

    def path(self, chat_id: int) -> Path:
        return self.directory / f"{int(chat_id)}.json"

    def _write(self, chat_id: int, data: ChatData) -> None:
        encoded = json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
        if self._written.get(chat_id) == encoded:
            return
        self.directory.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{int(chat_id)}.", suffix=_TMP_SUFFIX, dir=self.directory)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                handle.write(encoded)
                if self.fsync:
                    handle.flush()
                    os.fsync(handle.fileno())
            os.replace(tmp, self.path(chat_id))
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise
        self._written[chat_id] = encoded

    def _delete(self, chat_id: int) -> None:
        self._written.pop(chat_id, None)
        with contextlib.suppress(FileNotFoundError):
            self.path(chat_id).unlink()

    def load_all(self) -> dict[int, ChatData]:
        chats: dict[int, ChatData] = {}
        if not self.directory.is_dir():
            return chats
        for path in self.directory.iterdir():
            if path.name.endswith(_TMP_SUFFIX):
                # A write interrupted before its rename: the previous file is still whole.
                with contextlib.suppress(OSError):
                    path.unlink()
                continue
            if path.suffix != ".json":
                continue
            try:
                chat_id = int(path.stem)
                data = json.loads(path.read_text(encoding="utf-8"))
            except (ValueError, OSError) as exc:
                log_event(logger, "persistence_file_skipped", logging.WARNING, file=path.name,
                          error=type(exc).__name__)
                continue
            if isinstance(data, dict):
                chats[chat_id] = data
                self._written[chat_id] = json.dumps(data, ensure_ascii=False, sort_keys=True,
                                                    separators=(",", ":"))
        return chats

    # -- BasePersistence: chat data ----------------------------------------------------------

    async def get_chat_data(self) -> dict[int, ChatData]:
        chats = self.load_all()
        log_event(logger, "persistence_loaded", chats=len(chats))
        return chats

    async def update_chat_data(self, chat_id: int, data: ChatData) -> None:
        if data:
            self._write(chat_id, data)
        else:
            self._delete(chat_id)

    async def drop_chat_data(self, chat_id: int) -> None:
        self._delete(chat_id)

    async def refresh_chat_data(self, chat_id: int, chat_data: ChatData) -> None:
        return None

    # -- BasePersistence: what we do not keep -------------------------------------------------

    async def get_user_data(self) -> dict[int, dict]:
        return {}

    async def get_bot_data(self) -> dict:
        return {}

    async def get_callback_data(self) -> None:
        return None

    async def get_conversations(self, name: str) -> dict:
        return {}

    async def update_conversation(self, name: str, key: tuple[int | str, ...], new_state: object) -> None:
        return None

    async def update_user_data(self, user_id: int, data: dict) -> None:
        return None

    async def update_bot_data(self, data: dict) -> None:
        return None

    async def update_callback_data(self, data: object) -> None:
        return None

    async def drop_user_data(self, user_id: int) -> None:
        return None

    async def refresh_user_data(self, user_id: int, user_data: dict) -> None:
        return None

    async def refresh_bot_data(self, bot_data: dict) -> None:
        return None

    async def flush(self) -> None:
        return None
