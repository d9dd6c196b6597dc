"""Structured logs: one JSON object per line, no message text unless LOG_MESSAGE_TEXT=1 (even at
LOG_LEVEL=DEBUG: python-telegram-bot's own DEBUG lines, which hold whole updates, are dropped),
and the bot token redacted from everything (httpx and python-telegram-bot put it in URLs).

Log with `log_event(logger, "update_handled", chat=..., kind=...)`.
"""

from __future__ import annotations

import json
import logging
import sys
import time
from typing import Any

REDACTED = "<token>"
_FIELDS = "fields"


def log_event(logger: logging.Logger, event: str, level: int = logging.INFO, **fields: Any) -> None:
    if logger.isEnabledFor(level):
        logger.log(level, event, extra={_FIELDS: fields})


class JsonFormatter(logging.Formatter):
    def __init__(self, secrets: tuple[str, ...] = ()) -> None:
        super().__init__()
        self._secrets = tuple(s for s in secrets if s)

    def format(self, record: logging.LogRecord) -> str:
        data: dict[str, Any] = {
            "ts": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created)) + f".{int(record.msecs):03d}Z",
            "level": record.levelname.lower(),
            "logger": record.name,
            "event": record.getMessage(),
        }
        data.update(getattr(record, _FIELDS, None) or {})
        if record.exc_info:
            data["error"] = self.formatException(record.exc_info)
        line = json.dumps(data, ensure_ascii=False, default=str)
        for secret in self._secrets:
            line = line.replace(secret, REDACTED)
        return line


# python-telegram-bot logs whole updates and API calls (what users wrote) at DEBUG.
CHATTY_LIBRARIES = ("telegram",)


def cap_library_logs(level: str, log_message_text: bool) -> None:
    """Keep third-party loggers from writing what users say, whatever LOG_LEVEL asks."""
    wanted = logging.getLevelName(level)
    # httpx logs every request URL, which carries the token: keep it to warnings.
    for noisy in ("httpx", "httpcore", "apscheduler", "tornado.access"):
        logging.getLogger(noisy).setLevel(max(logging.WARNING, wanted))
    for chatty in CHATTY_LIBRARIES:
        logging.getLogger(chatty).setLevel(wanted if log_message_text else max(logging.INFO, wanted))


def configure_logging(level: str, token: str, log_message_text: bool = False) -> None:
    """Root logging for `ess-bot run`: JSON lines on stderr, token redacted, quiet libraries."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter(secrets=(token,)))
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level)
    cap_library_logs(level, log_message_text)
