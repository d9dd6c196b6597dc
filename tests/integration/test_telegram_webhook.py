"""The webhook server on 127.0.0.1 with real HTTP requests: the secret and the size are checked
from the headers before any body is read, bad bodies get 400 and never reach the logs."""

from __future__ import annotations

import asyncio
import json
import logging
import socket
import time
from pathlib import Path

import httpx
import pytest

from bot.telegram.app import ALLOWED_UPDATES, build_application
from bot.telegram.offline import OfflineBotApi
from bot.telegram.serving import EXIT_FAILED, EXIT_STOPPED, serve_async
from bot.telegram.webhook import MAX_BODY, SECRET_HEADER, WebhookServer
from tests.integration.harness import TOKEN, Harness, make_settings, text_of

SECRET = "s3cret-token_1"
PRIVATE = "Kerlouan"  # what a user wrote: must never be logged


class Hook:
    def __init__(self, harness: Harness, server: WebhookServer) -> None:
        self.h = harness
        self.url = f"http://127.0.0.1:{server.port}/tg"
        self.server = server

    def update(self, text: str) -> dict:
        return self.h.update(message=self.h.chat().message(text)).to_dict()

    async def post(self, content: bytes | None = None, secret: str | None = SECRET, **kwargs) -> httpx.Response:
        headers = {"Content-Type": "application/json", **({SECRET_HEADER: secret} if secret else {})}
        async with httpx.AsyncClient(timeout=30) as client:
            return await client.post(self.url, content=content, headers=headers, **kwargs)

    async def replies(self, count: int = 1) -> list[dict]:
        for _ in range(300):
            if len(self.h.api.messages()) >= count:
                break
            await asyncio.sleep(0.01)
        return self.h.api.messages()


@pytest.fixture
async def hook(engine, data_dir):
    api = OfflineBotApi()
    app = build_application(make_settings(data_dir), engine, request=api)
    server = WebhookServer(app, SECRET, "tg", "127.0.0.1", 0)
    async with app:
        await app.start()
        await server.start()
        try:
            yield Hook(Harness(app, api, data_dir), server)
        finally:
            await server.stop()
            await app.stop()


async def test_an_update_with_the_secret_is_answered(hook):
    response = await hook.post(json.dumps(hook.update("/aide")).encode())
    assert response.status_code == 200
    assert "/orienter" in text_of(await hook.replies())


@pytest.mark.parametrize("secret", [None, "wrong", SECRET + "x"])
async def test_calls_without_the_right_secret_are_refused(hook, secret):
    response = await hook.post(json.dumps(hook.update("/aide")).encode(), secret=secret)
    assert response.status_code == 403
    await asyncio.sleep(0.1)
    assert hook.h.api.messages() == []


async def test_malformed_json_is_a_400_and_its_content_is_not_logged(hook, caplog):
    with caplog.at_level(logging.DEBUG):
        response = await hook.post(b'{"update_id": 1, "message": {"text": "' + PRIVATE.encode())
    assert response.status_code == 400
    assert any(r.getMessage() == "webhook_bad_json" for r in caplog.records)
    assert PRIVATE not in caplog.text


@pytest.mark.parametrize("body", [
    {"update_id": "x", "message": {"text": PRIVATE, "chat": 5, "date": "hier"}},
    [{"update_id": 1, "text": PRIVATE}],
])
async def test_badly_shaped_update_is_logged_without_its_content(hook, caplog, body):
    with caplog.at_level(logging.DEBUG):
        response = await hook.post(json.dumps(body).encode())
    assert response.status_code == 400
    assert [r.levelno for r in caplog.records if r.getMessage() == "webhook_bad_update"] == [logging.WARNING]
    assert PRIVATE not in caplog.text
    ok = await hook.post(json.dumps(hook.update("/aide")).encode())
    assert ok.status_code == 200, "the server goes on serving"


async def test_oversize_content_length_is_refused_before_the_body_is_sent(hook):
    """Only the headers are written: the 413 comes back without waiting for any body byte."""
    port = hook.server.port
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(
        f"POST /tg HTTP/1.1\r\nHost: 127.0.0.1\r\n{SECRET_HEADER}: {SECRET}\r\n"
        f"Content-Type: application/json\r\nContent-Length: {95 * 1024 * 1024}\r\n\r\n".encode()
    )
    await writer.drain()
    status = await asyncio.wait_for(reader.readline(), 5)
    writer.close()
    assert status.split()[1] == b"413"


async def test_chunked_body_above_one_megabyte_is_cut_off_with_413(hook):
    """With the secret but no length: the server reads up to 1 MB, then answers 413 and closes."""
    reader, writer = await asyncio.open_connection("127.0.0.1", hook.server.port)
    writer.write(
        f"POST /tg HTTP/1.1\r\nHost: 127.0.0.1\r\n{SECRET_HEADER}: {SECRET}\r\n"
        "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n".encode()
    )
    piece = b" " * 65536
    for _ in range(MAX_BODY // len(piece) + 1):  # one chunk above the limit, and no end: a body still coming
        writer.write(b"%x\r\n%s\r\n" % (len(piece), piece))
    await writer.drain()
    status = await asyncio.wait_for(reader.readline(), 5)
    rest = await asyncio.wait_for(reader.read(), 5)  # then the server closes the connection
    writer.close()
    assert status.split()[1] == b"413"
    assert rest.endswith(b"\r\n\r\n")
    assert (await hook.post(json.dumps(hook.update("/aide")).encode())).status_code == 200


def _rss_kb(field: str = "VmRSS") -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise AssertionError(field)


async def _status(request) -> int | None:
    try:
        return (await request).status_code
    except httpx.TransportError:
        return None  # the server closed the connection after its answer, while we were still sending


async def test_six_parallel_95_megabyte_posts_without_the_secret_are_not_buffered(hook):
    piece = b"x" * 65536
    total = 95 * 1024 * 1024

    async def chunks():
        for _ in range(total // len(piece)):
            yield piece

    before = _rss_kb()
    Path("/proc/self/clear_refs").write_text("5")  # resets VmHWM, the peak, to the current RSS
    started = time.perf_counter()
    statuses = await asyncio.gather(*(_status(hook.post(chunks(), secret=None)) for _ in range(6)))
    elapsed = time.perf_counter() - started
    growth_mb = (_rss_kb("VmHWM") - before) / 1024
    print(f"6 x 95 MB unauthenticated posts: {statuses}, peak RSS growth {growth_mb:.1f} MB, {elapsed:.2f} s")
    assert set(statuses) <= {403, None}
    assert growth_mb < 20, f"the server buffered the body: peak RSS grew by {growth_mb:.0f} MB"
    assert (await hook.post(json.dumps(hook.update("/aide")).encode())).status_code == 200


async def test_webhook_mode_registers_the_secret_and_listens_on_the_loopback(engine, data_dir, caplog):
    api = OfflineBotApi()
    settings = make_settings(data_dir, webhook_url="https://bot.example.org/tg", webhook_port=0,
                             webhook_secret_is_random=True)
    app = build_application(settings, engine, request=api)
    stop = asyncio.Event()

    async def stop_once_registered() -> None:
        while not api.calls_of("setWebhook"):
            await asyncio.sleep(0.01)
        stop.set()

    watcher = asyncio.create_task(stop_once_registered())
    with caplog.at_level(logging.INFO):
        code = await asyncio.wait_for(serve_async(app, settings, ALLOWED_UPDATES, stop), 15)
    await watcher
    assert code == EXIT_STOPPED
    (call,) = api.calls_of("setWebhook")
    assert call.params["secret_token"] == settings.webhook_secret
    assert call.params["url"] == "https://bot.example.org/tg"
    assert TOKEN not in str(call.params)
    listening = [r for r in caplog.records if r.getMessage() == "webhook_listening"]
    assert listening and listening[0].fields["listen"] == "127.0.0.1"
    assert any(r.getMessage() == "webhook_secret_random" for r in caplog.records)


async def test_webhook_port_already_taken_ends_the_process_with_code_1(engine, data_dir, caplog):
    taken = socket.socket()
    taken.bind(("127.0.0.1", 0))
    taken.listen()
    settings = make_settings(data_dir, webhook_url="https://bot.example.org/tg",
                             webhook_port=taken.getsockname()[1])
    app = build_application(settings, engine, request=OfflineBotApi())
    try:
        with caplog.at_level(logging.INFO):
            code = await asyncio.wait_for(serve_async(app, settings, ALLOWED_UPDATES), 15)
    finally:
        taken.close()
    assert code == EXIT_FAILED == 1
    assert any(r.getMessage() == "webhook_listen_failed" for r in caplog.records)
