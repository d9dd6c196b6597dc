"""Settings of the Telegram door, read once from the environment.

| variable | default | meaning |
|---|---|---|
| TELEGRAM_BOT_TOKEN | (required) | the bot token from @BotFather; never logged |
| TELEGRAM_BASE_URL | https://api.telegram.org/bot | Bot API base URL (PTB `base_url`), e.g. |
|  |  | `http://127.0.0.1:8081/bot` (self-hosted Bot API server, test emulator) |
| BOUSSOLE_DATA_DIR | ./data | where conversations are kept when REDIS_URL is not set (`<dir>/state/`) |
| REDIS_URL | (empty) | e.g. `redis://127.0.0.1:6379/0`: conversations in Redis, for several replicas |
| WEBHOOK_URL | (empty) | public HTTPS URL; when set the bot runs a webhook instead of long polling |
| WEBHOOK_SECRET | (random at each start) | secret token checked on every webhook call (A-Z, a-z, 0-9, _ and -); |
|  |  | required with REDIS_URL in webhook mode: every replica behind the webhook must check the same secret |
| WEBHOOK_LISTEN | 127.0.0.1 | address the webhook server listens on (behind a reverse proxy); 0.0.0.0 to expose it |
| WEBHOOK_PORT | 8443 | port the webhook server listens on |
| LOG_LEVEL | INFO | DEBUG, INFO, WARNING, ERROR |
| LOG_MESSAGE_TEXT | 0 | 1 to include what users write in the logs (debugging only) |
| TELEGRAM_MAX_RATE | 30 | messages per second sent at most, all chats together (0: no throttling) |
| TELEGRAM_CONCURRENT_UPDATES | 64 | updates processed at once (always in order within one chat) |
| ADMIN_CHAT_IDS | (empty) | comma-separated chat ids allowed to use /recharger and /stats |
| BOUSSOLE_LEARN, BOUSSOLE_LEARN_DAYS | 0, 90 | the opt-in learning log (see bot.learn.log) |
"""

from __future__ import annotations

import os
import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse

from bot.learn.log import LearnSettings

DEFAULT_BASE_URL = "https://api.telegram.org/bot"
_SECRET_RE = re.compile(r"^[A-Za-z0-9_-]{1,256}$")
_LOG_LEVELS = {"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"}


class SettingsError(ValueError):
    """A missing or malformed environment variable; the message names it."""


def _flag(value: str | None) -> bool:
    return (value or "").strip().lower() in {"1", "true", "yes", "on", "oui"}


def _number(env: Mapping[str, str], name: str, default: float, kind: type = int) -> float:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        value = kind(raw)
    except ValueError as exc:
        raise SettingsError(f"{name} must be a number, got {raw!r}") from exc
    if value < 0:
        raise SettingsError(f"{name} must not be negative")
    return value


@dataclass(frozen=True)
class Settings:
    token: str = field(repr=False)
    base_url: str = DEFAULT_BASE_URL
    data_dir: Path = Path("data")
    redis_url: str | None = field(default=None, repr=False)  # may hold a password
    webhook_url: str | None = None
    webhook_secret: str = field(default_factory=lambda: secrets.token_urlsafe(32), repr=False)
    webhook_secret_is_random: bool = False
    webhook_listen: str = "127.0.0.1"
    webhook_port: int = 8443
    log_level: str = "INFO"
    log_message_text: bool = False
    max_rate: float = 30.0
    concurrent_updates: int = 64
    admin_chat_ids: frozenset[int] = frozenset()
    learn: LearnSettings = field(default_factory=LearnSettings)

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if env is None else env
        token = env.get("TELEGRAM_BOT_TOKEN", "").strip()
        if not token:
            raise SettingsError("TELEGRAM_BOT_TOKEN is not set (get one from @BotFather)")
        if any(c.isspace() or c == "/" for c in token):
            raise SettingsError("TELEGRAM_BOT_TOKEN is malformed")
        base_url = env.get("TELEGRAM_BASE_URL", "").strip() or DEFAULT_BASE_URL
        if urlparse(base_url).scheme not in ("http", "https"):
            raise SettingsError("TELEGRAM_BASE_URL must be an http(s) URL such as http://127.0.0.1:8081/bot")
        webhook_url = env.get("WEBHOOK_URL", "").strip() or None
        if webhook_url and urlparse(webhook_url).scheme not in ("http", "https"):
            raise SettingsError("WEBHOOK_URL must be an https URL")
        secret = env.get("WEBHOOK_SECRET", "").strip()
        if secret and not _SECRET_RE.match(secret):
            raise SettingsError("WEBHOOK_SECRET may only hold A-Z, a-z, 0-9, _ and - (1 to 256 characters)")
        if not secret and webhook_url and env.get("REDIS_URL", "").strip():
            # Replicas sharing one Redis sit behind one webhook: a random secret per process would
            # make Telegram's calls fail on every replica but the last one that called setWebhook.
            raise SettingsError("WEBHOOK_SECRET is required when REDIS_URL is set (one secret for every replica)")
        log_level = (env.get("LOG_LEVEL", "").strip() or "INFO").upper()
        if log_level not in _LOG_LEVELS:
            raise SettingsError(f"LOG_LEVEL must be one of {', '.join(sorted(_LOG_LEVELS))}")
        concurrent = int(_number(env, "TELEGRAM_CONCURRENT_UPDATES", 64))
        admins = [part.strip() for part in env.get("ADMIN_CHAT_IDS", "").split(",") if part.strip()]
        if not all(part.lstrip("-").isdigit() for part in admins):
            raise SettingsError("ADMIN_CHAT_IDS must be chat ids separated by commas, e.g. 12345,-100987")
        return cls(
            token=token,
            base_url=base_url.rstrip("/"),
            data_dir=Path(env.get("BOUSSOLE_DATA_DIR", "").strip() or "data"),
            redis_url=env.get("REDIS_URL", "").strip() or None,
            webhook_url=webhook_url,
            webhook_secret=secret or secrets.token_urlsafe(32),
            webhook_secret_is_random=not secret,
            webhook_listen=env.get("WEBHOOK_LISTEN", "").strip() or "127.0.0.1",
            webhook_port=int(_number(env, "WEBHOOK_PORT", 8443)),
            log_level=log_level,
            log_message_text=_flag(env.get("LOG_MESSAGE_TEXT")),
            max_rate=float(_number(env, "TELEGRAM_MAX_RATE", 30.0, float)),
            concurrent_updates=max(1, concurrent),
            admin_chat_ids=frozenset(int(part) for part in admins),
            learn=LearnSettings.from_env(env),
        )

    @property
    def base_file_url(self) -> str:
        """The file download URL that goes with `base_url` (".../bot" -> ".../file/bot")."""
        if self.base_url.endswith("/bot"):
            return self.base_url[: -len("bot")] + "file/bot"
        return self.base_url.rstrip("/") + "/file/bot"

    @property
    def webhook_path(self) -> str:
        """The path part of WEBHOOK_URL, where the local webhook server listens."""
        return urlparse(self.webhook_url or "").path.strip("/")
