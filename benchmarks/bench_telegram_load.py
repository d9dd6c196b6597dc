"""Load benchmark of the Telegram door: N chats x M messages through the real Application
(handlers, conversation service, state store, engine, rendering, per-chat ordering, rate
limiter with throttling off) on the offline Bot API. Checks that no reply is lost or out of
order and prints throughput and latency percentiles, for each store, median of several runs.
Updates are built before the timed window (in production, python-telegram-bot builds them
while polling).

    python benchmarks/bench_telegram_load.py                 # 500 chats x 10 messages, one burst, files and Redis
    python benchmarks/bench_telegram_load.py --store file --runs 1
    python benchmarks/bench_telegram_load.py --rate 300      # paced arrivals, 300 updates/s
    python benchmarks/bench_telegram_load.py --api-latency 0.05   # each Bot API call takes 50 ms
    python benchmarks/bench_telegram_load.py --store file --runs 1 --profile /tmp/load.prof

With `--store redis` a redis-server is started on 127.0.0.1 (no persistence) unless
`--redis-url` is given.

Latency is measured from the update entering the application's queue to the reply's
sendMessage call. In burst mode it includes the time spent queueing behind the whole burst.

The machine may be shared: besides wall-clock throughput, each run reports the process's CPU
time per message (threads included) and the load average, and the engine's own CPU time per
message (the same script straight through `Engine.respond`) so that what the door, the service
and the store add per message can be told apart from the engine.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import cProfile
import os
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from telegram import Update  # noqa: E402

from bot.engine import Engine  # noqa: E402
from bot.replies import Event  # noqa: E402
from bot.state import ConversationState  # noqa: E402
from bot.stores import FileStore, MemoryStore  # noqa: E402
from bot.telegram.app import build_application, settle_loaded_memory  # noqa: E402
from bot.telegram.offline import OfflineBotApi  # noqa: E402
from bot.telegram.render import render_reply  # noqa: E402
from bot.telegram.settings import Settings  # noqa: E402

# One user's ten messages: commands, questions, a CRESS look-up, the guided flow with buttons.
SCRIPT: list[tuple[str, str]] = [
    ("command", "/start"),
    ("text", "c'est quoi le DLA ?"),
    ("command", "/orienter"),
    ("button", "o:set:who:association"),
    ("text", "création"),
    ("button", "o:set:need:financement"),
    ("command", "/annuler"),
    ("text", "cress 29200"),
    ("text", "comment créer une SCIC ?"),
    ("command", "/aide"),
]


def expected_replies(engine: Engine, messages: int) -> list[str]:
    """What one chat must receive, in order (first message of each reply)."""
    state = ConversationState()
    expected = []
    for kind, value in SCRIPT[:messages]:
        reply, state = engine.respond(state, script_event(kind, value))
        expected.append(render_reply(reply, engine.messages)[0].html)
    return expected


def script_event(kind: str, value: str) -> Event:
    if kind == "command":
        name, _, argument = value[1:].partition(" ")
        return Event("command", command=name, text=argument, now=time.time())
    if kind == "button":
        return Event("button", payload=value, now=time.time())
    return Event("text", text=value, now=time.time())


def engine_cpu_ms(engine: Engine, chats: int, messages: int) -> float:
    """CPU milliseconds per message of the engine alone, on the same script."""
    started = time.process_time()
    for _ in range(chats):
        state = ConversationState()
        for kind, value in SCRIPT[:messages]:
            _, state = engine.respond(state, script_event(kind, value))
    return (time.process_time() - started) * 1000 / (chats * messages)


def make_update(app, update_id: int, chat_id: int, kind: str, value: str) -> Update:
    user = {"id": chat_id, "is_bot": False, "first_name": "U"}
    chat = {"id": chat_id, "type": "private"}
    if kind == "button":
        message = {"message_id": 1, "date": int(time.time()), "chat": chat, "text": "…"}
        query = {"id": str(update_id), "from": user, "chat_instance": "c", "data": f"v1|{value}", "message": message}
        return Update.de_json({"update_id": update_id, "callback_query": query}, app.bot)
    message = {"message_id": update_id, "date": int(time.time()), "chat": chat, "from": user, "text": value}
    if kind == "command":
        message["entities"] = [{"type": "bot_command", "offset": 0, "length": len(value.split()[0])}]
    return Update.de_json({"update_id": update_id, "message": message}, app.bot)


async def run(
    engine: Engine, store_kind: str, redis_url: str | None, chats: int, messages: int, rate: float,
    api_latency: float, concurrency: int, quiet: bool = False, profile: cProfile.Profile | None = None,
) -> tuple[int, float, float]:
    """One run; returns (exit code, replies per second, CPU ms per message)."""
    expected = expected_replies(engine, messages)
    api = OfflineBotApi(latency=api_latency)
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(token="1:bench", data_dir=Path(tmp), max_rate=0, concurrent_updates=concurrency)
        if store_kind == "redis":
            from bot.stores.redis_store import RedisStore

            store = RedisStore(redis_url or "", prefix=f"bench-{uuid.uuid4().hex[:8]}:")
        elif store_kind == "memory":  # no storage cost at all: the ceiling the stores are compared with
            store = MemoryStore()
        else:
            store = FileStore(Path(tmp))
        app = build_application(settings, engine, request=api, store=store)
        await store.check()
        total = chats * messages
        async with app:
            await app.start()
            # Every update is built before the clock starts.
            updates: list[tuple[int, Update]] = []
            update_id = 0
            for index in range(messages):
                kind, value = SCRIPT[index]
                for chat in range(chats):
                    update_id += 1
                    updates.append((10_000 + chat, make_update(app, update_id, 10_000 + chat, kind, value)))
            arrivals: dict[int, list[float]] = {}
            started = time.perf_counter()
            cpu_started = time.process_time()
            if profile is not None:
                profile.enable()
            for number, (chat_id, update) in enumerate(updates, 1):
                if rate:
                    delay = started + number / rate - time.perf_counter()
                    if delay > 0:
                        await asyncio.sleep(delay)
                arrivals.setdefault(chat_id, []).append(time.perf_counter())
                await app.update_queue.put(update)
            deadline = time.perf_counter() + 600
            replied = seen = 0
            while replied < total and time.perf_counter() < deadline:
                await asyncio.sleep(0.01)
                # Count only the new calls: rescanning them all would bill the benchmark's CPU.
                replied += sum(call.method == "sendMessage" for call in api.calls[seen:])
                seen = len(api.calls)
            elapsed = time.perf_counter() - started
            cpu_ms = (time.process_time() - cpu_started) * 1000 / total
            if profile is not None:
                profile.disable()
            await app.stop()

    sends = api.calls_of("sendMessage")
    per_chat: dict[int, list] = {}
    for call in sends:
        per_chat.setdefault(int(call.params["chat_id"]), []).append(call)
    lost = total - len(sends)
    out_of_order = 0
    latencies: list[float] = []
    for chat_id, times in arrivals.items():
        received = per_chat.get(chat_id, [])
        texts = [c.params["text"] for c in received]
        if texts != expected[: len(texts)]:
            out_of_order += 1
        latencies.extend(call.at - t for call, t in zip(received, times, strict=False))
    latencies.sort()
    p = lambda q: latencies[min(len(latencies) - 1, int(q * len(latencies)))] * 1000  # noqa: E731
    throughput = len(sends) / elapsed
    if not quiet:
        print(f"  [{store_kind}] replies: {len(sends)}/{total}  lost: {lost}  chats out of order or wrong: "
              f"{out_of_order}  throughput: {throughput:.0f} replies/s (wall {elapsed:.2f} s)  "
              f"CPU {cpu_ms:.2f} ms/message  load average {os.getloadavg()[0]:.2f}")
        if latencies:
            print(f"          latency ms: p50 {p(0.50):.1f}  p90 {p(0.90):.1f}  p99 {p(0.99):.1f}  "
                  f"max {latencies[-1] * 1000:.1f}  mean {statistics.fmean(latencies) * 1000:.1f}")
    return (0 if lost == 0 and out_of_order == 0 else 1), throughput, cpu_ms


async def run_all(args: argparse.Namespace) -> int:
    engine = Engine.load()
    engine.territory  # noqa: B018
    settle_loaded_memory()  # as `ess-bot run` does once loaded
    kinds = ["file", "redis"] if args.store == "both" else [args.store]
    mode = f"paced at {args.rate:g}/s" if args.rate else "one burst"
    print(f"telegram load: {args.chats} chats x {args.messages} messages = {args.chats * args.messages} updates "
          f"({mode}, API latency {args.api_latency * 1000:g} ms, {args.concurrency} concurrent updates), "
          f"{args.runs} runs per store")
    engine_ms = statistics.median(engine_cpu_ms(engine, args.chats, args.messages) for _ in range(3))
    print(f"engine alone: CPU {engine_ms:.2f} ms/message (median of 3)")
    code = 0
    with contextlib.ExitStack() as stack:
        redis_url = args.redis_url
        if "redis" in kinds and not redis_url:
            from tests.redis_server import redis_server

            redis_url = stack.enter_context(redis_server())
        for kind in kinds:
            results, cpu = [], []
            profile = cProfile.Profile(time.thread_time) if args.profile else None  # CPU of the event loop's thread
            for _ in range(args.runs):
                run_code, throughput, cpu_ms = await run(engine, kind, redis_url, args.chats, args.messages,
                                                         args.rate, args.api_latency, args.concurrency,
                                                         profile=profile)
                code |= run_code
                results.append(throughput)
                cpu.append(cpu_ms)
            median_cpu = statistics.median(cpu)
            print(f"{kind}: median {statistics.median(results):.0f} replies/s "
                  f"(runs: {', '.join(f'{r:.0f}' for r in results)}); CPU {median_cpu:.2f} ms/message "
                  f"(engine {engine_ms:.2f}, the rest {median_cpu - engine_ms:.2f}), i.e. "
                  f"{1000 / median_cpu:.0f} messages per CPU second")
            if profile is not None:
                path = f"{args.profile}.{kind}"
                profile.dump_stats(path)
                print(f"  profile of the timed windows (all runs): {path}")
    return code


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chats", type=int, default=500)
    parser.add_argument("--messages", type=int, default=10, choices=range(1, len(SCRIPT) + 1))
    parser.add_argument("--rate", type=float, default=0.0, help="updates per second (0: one burst)")
    parser.add_argument("--api-latency", type=float, default=0.0, help="seconds per Bot API call")
    parser.add_argument("--concurrency", type=int, default=64)
    parser.add_argument("--store", choices=["file", "redis", "memory", "both"], default="both")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--redis-url", default=None, help="an existing Redis (default: start a redis-server)")
    parser.add_argument("--profile", metavar="FILE", help="cProfile the timed windows into FILE.<store> (slows them)")
    args = parser.parse_args()
    return asyncio.run(run_all(args))


if __name__ == "__main__":
    raise SystemExit(main())
