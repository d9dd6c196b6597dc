"""A Bot API stand-in for tests and the load benchmark: it answers every request with canned
JSON and records it, so a real `Application` runs with no network at all.

    api = OfflineBotApi()
    app = build_application(settings, engine, request=api)
    ... feed updates ...
    api.sent_texts(chat_id)   # what the user would have seen

Failures can be scripted per method (`api.fail("sendMessage", RetryAfter(1))` or an HTTP
status with a description), to exercise flood control, timeouts and blocked users.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import time
from collections import defaultdict, deque
from dataclasses import dataclass, field
from typing import Any

from telegram.request import BaseRequest, RequestData

BOT_ID = 4242
BOT_USERNAME = "BoussoleTestBot"
BOT_USER = {
    "id": BOT_ID,
    "is_bot": True,
    "first_name": "Boussole ESS",
    "username": BOT_USERNAME,
    "can_join_groups": True,
    "can_read_all_group_messages": False,
    "supports_inline_queries": True,
}


@dataclass
class Call:
    method: str
    params: dict[str, Any]
    at: float = field(default_factory=time.perf_counter)


@dataclass
class HttpFailure:
    status: int
    description: str
    retry_after: int | None = None


class OfflineBotApi(BaseRequest):
    def __init__(self, latency: float = 0.0) -> None:
        self.calls: list[Call] = []
        self.latency = latency
        self._message_ids = itertools.count(1000)
        self._failures: dict[str, deque[BaseException | HttpFailure]] = defaultdict(deque)
        self.sent = asyncio.Event()

    # -- scripting and reading ---------------------------------------------------------------

    def fail(self, method: str, *failures: BaseException | HttpFailure) -> None:
        """The next calls of `method` fail, one failure per call, then succeed again."""
        self._failures[method].extend(failures)

    def calls_of(self, method: str) -> list[Call]:
        return [c for c in self.calls if c.method == method]

    def messages(self, chat_id: int | None = None) -> list[dict[str, Any]]:
        return [
            c.params for c in self.calls_of("sendMessage")
            if chat_id is None or int(c.params["chat_id"]) == chat_id
        ]

    def sent_texts(self, chat_id: int | None = None) -> list[str]:
        return [m["text"] for m in self.messages(chat_id)]

    def clear(self) -> None:
        self.calls.clear()

    # -- BaseRequest ------------------------------------------------------------------------

    async def initialize(self) -> None:
        return None

    async def shutdown(self) -> None:
        return None

    @property
    def read_timeout(self) -> float:
        return 1.0

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: Any = BaseRequest.DEFAULT_NONE,
        write_timeout: Any = BaseRequest.DEFAULT_NONE,
        connect_timeout: Any = BaseRequest.DEFAULT_NONE,
        pool_timeout: Any = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        api_method = url.rsplit("/", 1)[-1]
        params = dict(request_data.parameters) if request_data is not None else {}
        if self.latency:
            await asyncio.sleep(self.latency)
        if api_method == "getUpdates":
            # Nothing arrives by polling: tests put updates in the application's queue.
            await asyncio.sleep(0.05)
            return 200, _ok([])
        self.calls.append(Call(api_method, params))
        failures = self._failures.get(api_method)
        if failures:
            failure = failures.popleft()
            if isinstance(failure, BaseException):
                raise failure
            body: dict[str, Any] = {"ok": False, "error_code": failure.status, "description": failure.description}
            if failure.retry_after is not None:
                body["parameters"] = {"retry_after": failure.retry_after}
            return failure.status, json.dumps(body).encode()
        result = self._result(api_method, params)
        if api_method == "sendMessage":
            self.sent.set()
        return 200, _ok(result)

    def _result(self, method: str, params: dict[str, Any]) -> Any:
        if method == "getMe":
            return BOT_USER
        if method in ("sendMessage", "editMessageText"):
            chat_id = int(params["chat_id"])
            message: dict[str, Any] = {
                "message_id": next(self._message_ids),
                "date": int(time.time()),
                "chat": {"id": chat_id, "type": "private" if chat_id > 0 else "supergroup"},
                "from": BOT_USER,
                "text": params.get("text", ""),
            }
            if "reply_markup" in params:
                message["reply_markup"] = params["reply_markup"]
            return message
        if method == "getMyCommands":
            return []
        return True


def _ok(result: Any) -> bytes:
    return json.dumps({"ok": True, "result": result}).encode()
