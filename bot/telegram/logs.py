"""Structured logs: one JSON object per line, no message text unless LOG_MESSAGE_TEXT=1,
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


def configure_logging(level: str, token: str) -> None:
    """Root logging for `ess-bot run`: JSON lines on stderr, token redacted, quiet HTTP client."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter(secrets=(token,)))
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level)
    # httpx logs every request URL, which carries the token: keep it to warnings.
    for noisy in ("httpx", "httpcore", "apscheduler", "tornado.access"):
        logging.getLogger(noisy).setLevel(max(logging.WARNING, logging.getLevelName(level)))
