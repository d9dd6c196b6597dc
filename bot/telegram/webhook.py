"""The webhook server: Telegram POSTs updates here; they go to `application.update_queue`.

python-telegram-bot's own server reads the whole body before it looks at the secret token and
answers malformed JSON with 500 while logging the body. This one decides from the headers alone,
before any byte of the body is read:

| request | answer | body read? |
|---|---|---|
| wrong path or method | 404 / 405 | no |
| missing or wrong `X-Telegram-Bot-Api-Secret-Token` | 403 | no, the connection is closed |
| `Content-Length` above `MAX_BODY` (1 MB) | 413 | no, the connection is closed |
| chunked body growing above `MAX_BODY` | 413 | up to `MAX_BODY`, then closed |
| not JSON, or JSON that is not an update | 400 | yes; logged without its content |
| an update | 200 | yes; queued for the handlers |

Telegram's updates are far below 1 MB (a message holds at most 4096 characters).
"""

from __future__ import annotations

import hmac
import json
import logging
import re
import socket

from telegram import Update
from telegram.ext import Application
from tornado.httpserver import HTTPServer
from tornado.netutil import bind_sockets
from tornado.web import Application as TornadoApplication
from tornado.web import RequestHandler, stream_request_body

from bot.telegram.logs import log_event

logger = logging.getLogger(__name__)
MAX_BODY = 1024 * 1024
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


@stream_request_body
class _UpdateHandler(RequestHandler):
    SUPPORTED_METHODS = ("POST",)

    def initialize(self, telegram: Application, secret: str, max_body: int) -> None:
        self.telegram = telegram
        self.secret = secret.encode()
        self.max_body = max_body
        self.body = bytearray()
        self.refused = False

    def prepare(self) -> None:
        # Runs once the headers are in, before the body: nothing unauthenticated is buffered.
        given = self.request.headers.get(SECRET_HEADER, "").encode()
        if not hmac.compare_digest(given, self.secret):
            self._refuse(403, "webhook_forbidden")
            return
        length = self.request.headers.get("Content-Length")
        if length is not None and (not length.isdigit() or int(length) > self.max_body):
            self._refuse(413, "webhook_too_large", length=length)

    def data_received(self, chunk: bytes) -> None:
        if self.refused:
            return
        if len(self.body) + len(chunk) > self.max_body:
            self.body.clear()
            self._refuse(413, "webhook_too_large", length="chunked")
            return
        self.body.extend(chunk)

    async def post(self) -> None:
        if self.refused:
            return
        try:
            data = json.loads(self.body)
        except (UnicodeDecodeError, ValueError):
            self._answer(400, "webhook_bad_json", size=len(self.body))
            return
        try:
            update = Update.de_json(data, self.telegram.bot) if isinstance(data, dict) else None
        except Exception as exc:  # noqa: BLE001 -- whatever a malformed update raises, it is the sender's fault
            log_event(logger, "webhook_bad_update", logging.WARNING, size=len(self.body), error=type(exc).__name__)
            self._answer(400)
            return
        if update is None:
            log_event(logger, "webhook_bad_update", logging.WARNING, size=len(self.body), error="not an object")
            self._answer(400)
            return
        await self.telegram.update_queue.put(update)
        self._answer(200)

    def _refuse(self, status: int, event: str, **fields: object) -> None:
        self.refused = True
        log_event(logger, event, logging.WARNING, ip=self.request.remote_ip, **fields)
        # Close once the answer is written, instead of reading a body nobody will use.
        self.set_header("Connection", "close")
        self._answer(status)

    def _answer(self, status: int, event: str | None = None, **fields: object) -> None:
        if event:
            log_event(logger, event, logging.WARNING, ip=self.request.remote_ip, **fields)
        self.set_status(status)
        self.finish()

    def log_exception(self, typ, value, tb) -> None:  # noqa: ANN001 -- tornado's signature
        # Tornado would log the request; keep to the error's type (the body may hold user text).
        log_event(logger, "webhook_error", logging.ERROR, error=getattr(typ, "__name__", str(typ)))


class WebhookServer:
    """`await server.start()` ... `await server.stop()`; `server.port` is the bound port (0 picks one)."""

    def __init__(
        self, application: Application, secret: str, path: str, listen: str = "127.0.0.1", port: int = 8443,
        max_body: int = MAX_BODY,
    ) -> None:
        route = rf"/{re.escape(path.strip('/'))}/?" if path.strip("/") else r"/"
        handlers = [(route, _UpdateHandler, {"telegram": application, "secret": secret, "max_body": max_body})]
        self._app = TornadoApplication(handlers, log_function=_log_request)
        # A backstop above our own limit: the handler answers 413 itself; tornado would answer 400.
        self._server = HTTPServer(self._app, max_body_size=2 * max_body, idle_connection_timeout=60,
                                  body_timeout=30)
        self.listen = listen
        self.port = port
        self._sockets: list[socket.socket] = []

    async def start(self) -> None:
        self._sockets = bind_sockets(self.port, address=self.listen)
        self.port = self._sockets[0].getsockname()[1]
        self._server.add_sockets(self._sockets)
        log_event(logger, "webhook_listening", listen=self.listen, port=self.port)

    async def stop(self) -> None:
        self._server.stop()
        await self._server.close_all_connections()


def _log_request(handler: RequestHandler) -> None:
    if handler.get_status() >= 500:
        log_event(logger, "webhook_request", logging.ERROR, status=handler.get_status())
