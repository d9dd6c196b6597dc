"""Run the application until it must stop, and tell a supervisor why with the exit code.

| exit code | when | log line (CRITICAL) |
|---|---|---|
| 0 | SIGINT or SIGTERM | `bot_stopped` (INFO) |
| 1 | polling ended on an error PTB gives up on, Telegram down at start | `polling_stopped`, `bot_stopped_on_error` |
| 1 | the webhook cannot listen on WEBHOOK_LISTEN:WEBHOOK_PORT | `webhook_listen_failed` |
| 2 | the token is rejected (Bot API 401 or 404), at start or later while polling | `token_rejected` |

`SIGHUP` does not stop the bot: it reloads knowledge/ and intents/ (`bot.reload`), logging
`content_reloaded` or, keeping the running content, `content_reload_failed` with file:line.

(`ess-bot run` also exits with 2 on bad settings or invalid content, before this module runs.)

Why not `Application.run_polling`: when getUpdates answers 401 or 404, python-telegram-bot's
polling task ends (InvalidToken) but `run_polling` keeps the event loop running, so the process
stays alive and deaf. Here the polling task is watched, and its end is the end of the process.
Transient errors (timeouts, 5xx, network) never end it: PTB's loop retries them with backoff.
Webhook mode uses our own server (`bot.telegram.webhook`), not PTB's.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from collections.abc import Sequence

from telegram.error import InvalidToken, TelegramError
from telegram.ext import Application, Updater

from bot.telegram.logs import log_event
from bot.telegram.settings import Settings
from bot.telegram.webhook import WebhookServer

logger = logging.getLogger(__name__)
EXIT_STOPPED, EXIT_FAILED, EXIT_TOKEN_REJECTED = 0, 1, 2
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)
BOOTSTRAP_RETRIES = 5  # deleteWebhook before polling: a flaky start is retried, not fatal


def serve(application: Application, settings: Settings, allowed_updates: Sequence[str]) -> int:
    """Block until a stop signal or a fatal error; return the process exit code."""
    return asyncio.run(serve_async(application, settings, allowed_updates))


async def serve_async(
    application: Application, settings: Settings, allowed_updates: Sequence[str],
    stop: asyncio.Event | None = None,
) -> int:
    stop = stop or asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in STOP_SIGNALS:
        loop.add_signal_handler(sig, stop.set)
    reloads: set[asyncio.Task] = set()
    reloader = application.bot_data.get("reloader")
    if reloader is not None:
        loop.add_signal_handler(signal.SIGHUP, _start_reload, reloader, reloads)
    webhook: WebhookServer | None = None
    try:
        await application.initialize()
        if application.post_init:
            await application.post_init(application)
        if settings.webhook_url:
            webhook = _webhook_server(application, settings)
            await webhook.start()
            await application.bot.set_webhook(settings.webhook_url, secret_token=settings.webhook_secret,
                                              allowed_updates=list(allowed_updates))
            fatal: asyncio.Future = loop.create_future()  # our server has no background task to fail
        else:
            await application.updater.start_polling(allowed_updates=list(allowed_updates),
                                                    bootstrap_retries=BOOTSTRAP_RETRIES,
                                                    error_callback=_log_polling_error)
            fatal = polling_task(application.updater)
        await application.start()
        stopped = asyncio.ensure_future(stop.wait())
        await asyncio.wait({stopped, fatal}, return_when=asyncio.FIRST_COMPLETED)
        stopped.cancel()
        if fatal.done():
            return _polling_exit_code(fatal)
        log_event(logger, "bot_stopped")
        return EXIT_STOPPED
    except InvalidToken:
        log_event(logger, "token_rejected", logging.CRITICAL)
        return EXIT_TOKEN_REJECTED
    except TelegramError as exc:
        log_event(logger, "bot_stopped_on_error", logging.CRITICAL, error=type(exc).__name__)
        return EXIT_FAILED
    except OSError as exc:  # the webhook address is taken or not ours
        log_event(logger, "webhook_listen_failed", logging.CRITICAL, listen=settings.webhook_listen,
                  port=settings.webhook_port, error=str(exc))
        return EXIT_FAILED
    finally:
        for sig in (*STOP_SIGNALS, signal.SIGHUP):
            loop.remove_signal_handler(sig)
        for task in reloads:
            task.cancel()
        await _shutdown(application, webhook)


def _start_reload(reloader, tasks: set[asyncio.Task]) -> None:
    task = asyncio.get_running_loop().create_task(_reload(reloader))
    tasks.add(task)  # held until done: the loop keeps only weak references to tasks
    task.add_done_callback(tasks.discard)


async def _reload(reloader) -> None:
    result = await reloader.reload()
    if result.ok:
        log_event(logger, "content_reloaded", entries=result.entries, intents=result.intents,
                  seconds=round(result.seconds, 2), by="SIGHUP")
    else:
        log_event(logger, "content_reload_failed", logging.ERROR, errors=result.errors, by="SIGHUP")


def polling_task(updater: Updater) -> asyncio.Task:
    """The background task that calls getUpdates (private in PTB: checked by our tests on upgrade)."""
    task = getattr(updater, "_Updater__polling_task", None)
    if not isinstance(task, asyncio.Task):
        raise RuntimeError("python-telegram-bot's polling task is not where serving.py expects it")
    return task


def _polling_exit_code(task: asyncio.Future) -> int:
    error = None if task.cancelled() else task.exception()
    if isinstance(error, InvalidToken):
        log_event(logger, "token_rejected", logging.CRITICAL, during="polling")
        return EXIT_TOKEN_REJECTED
    log_event(logger, "polling_stopped", logging.CRITICAL,
              error=type(error).__name__ if error else "polling ended by itself")
    return EXIT_FAILED


def _log_polling_error(exc: TelegramError) -> None:
    # Called by PTB for each retried getUpdates error (PTB's default logs a whole traceback).
    log_event(logger, "polling_retried", logging.WARNING, error=type(exc).__name__)


def _webhook_server(application: Application, settings: Settings) -> WebhookServer:
    if settings.webhook_secret_is_random:
        log_event(logger, "webhook_secret_random", logging.WARNING,
                  note="WEBHOOK_SECRET not set: a new secret is drawn at each start")
    return WebhookServer(application, settings.webhook_secret, settings.webhook_path,
                         settings.webhook_listen, settings.webhook_port)


async def _shutdown(application: Application, webhook: WebhookServer | None) -> None:
    if application.updater is not None and application.updater.running:
        # The polling task's own error comes out again here: already reported with the exit code.
        with contextlib.suppress(TelegramError):
            await application.updater.stop()
    if webhook is not None:
        await webhook.stop()
    if application.running:
        await application.stop()
        if application.post_stop:
            await application.post_stop(application)
    await application.shutdown()
    if application.post_shutdown:
        await application.post_shutdown(application)
