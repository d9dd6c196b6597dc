"""Start-up time and memory of the Telegram bot with many stored conversations (file store).

Writes N conversations (default 50,000, realistic states: a place, an orientation under way...)
into a temporary data directory in the FileStore layout, then, in a fresh process each time:
loads the engine, checks the store, builds and initialises the real Application on the offline
Bot API and answers one message of a stored conversation. Prints the time to ready and the peak
memory (max RSS), with N conversations and with none, so the cost of the stored ones shows. The max
RSS includes the library files' pages mapped in, which vary with the page cache by several MB
(measure after `sync; echo 1 > /proc/sys/vm/drop_caches` to compare runs); the anonymous memory
printed beside it does not.

    python benchmarks/bench_store_startup.py            # 50,000 conversations
    python benchmarks/bench_store_startup.py --count 0
"""

from __future__ import annotations

import argparse
import json
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.state import ConversationState, PlaceRef  # noqa: E402
from bot.stores import FileStore  # noqa: E402

CHILD = r"""
import asyncio, json, resource, sys, time
started = time.perf_counter()
sys.path.insert(0, sys.argv[2])
from pathlib import Path
from bot.engine import Engine
from bot.replies import Event
from bot.telegram.app import build_application, check_store
from bot.telegram.handlers import conversation_key
from bot.telegram.offline import OfflineBotApi
from bot.telegram.settings import Settings

async def main():
    settings = Settings(token="1:bench", data_dir=Path(sys.argv[1]), max_rate=0)
    engine = Engine.load()
    engine.territory
    engine_loaded = time.perf_counter()
    await check_store(settings)
    app = build_application(settings, engine, request=OfflineBotApi())
    await app.initialize()
    now = time.perf_counter()
    ready, store_s = now - started, now - engine_loaded
    usage = resource.getrusage(resource.RUSAGE_SELF)
    ready_cpu = usage.ru_utime + usage.ru_stime  # the interpreter's own start included
    service = app.bot_data["conversations"]
    reply = await service.handle(conversation_key(10_000), Event("command", command="cress", now=time.time()))
    await app.shutdown()
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    # The RSS counts the pages of the libraries' files mapped in, and how many get mapped depends on
    # the page cache (a freshly read numpy maps 6 MB more): the anonymous part is the process's own.
    try:
        rollup = dict(line.split(":", 1) for line in open("/proc/self/smaps_rollup").read().splitlines()[1:])
        anonymous = int(rollup["Anonymous"].split()[0]) / 1024
    except (OSError, KeyError, ValueError):
        anonymous = None
    print(json.dumps({"ready_s": ready, "ready_cpu_s": ready_cpu, "store_s": store_s, "max_rss_mb": rss,
                      "anonymous_mb": anonymous, "first_reply": reply.plain_text()[:40]}))

asyncio.run(main())
"""


def generate(directory: Path, count: int, seed: int = 7) -> None:
    store = FileStore(directory)
    rng = random.Random(seed)
    places = [PlaceRef("department", "29", "Finistère (29, Bretagne)", "53"),
              PlaceRef("region", "84", "Auvergne-Rhône-Alpes", "84"), None]
    now = time.time()
    for index in range(count):
        state = ConversationState(
            place=places[index % 3] if index else places[0],
            last_intent=rng.choice(["dla", "scic", "cress_contact", None]),
            flow={"who": "association", "history": ["who"], "asked": "stage"}
            if index % 4 == 0 else None,
            last_activity=now - rng.random() * 86400,
        )
        path = store.path(f"chat:telegram:{10_000 + index}")
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps({"v": f"g{index}", "exp": now + 30 * 86400, "data": state.to_dict()}))


def measure(directory: Path) -> dict:
    output = subprocess.run([sys.executable, "-c", CHILD, str(directory), str(ROOT)], capture_output=True,
                            text=True, check=True).stdout
    return json.loads(output.strip().splitlines()[-1])


def _anonymous(runs: list[dict]) -> str:
    values = [r["anonymous_mb"] for r in runs if r.get("anonymous_mb") is not None]
    return f" (anonymous {max(values):.1f} MB at the end, the rest mapped files)" if values else ""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=50_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as empty, tempfile.TemporaryDirectory() as full:
        started = time.perf_counter()
        generate(Path(full), args.count)
        print(f"generated {args.count} conversations in {time.perf_counter() - started:.1f} s")
        for label, directory in (("none", empty), (f"{args.count}", full)):
            runs = sorted((measure(Path(directory)) for _ in range(args.runs)), key=lambda r: r["ready_s"])
            middle = runs[len(runs) // 2]
            cpu = sorted(r["ready_cpu_s"] for r in runs)[len(runs) // 2]
            print(f"  stored conversations: {label:>6}  ready in {middle['ready_s']:.2f} s (CPU {cpu:.2f} s, median, "
                  f"interpreter start included), of which store + "
                  f"application {middle['store_s']:.3f} s (median of {args.runs}; the rest is loading the content), "
                  f"max RSS {max(r['max_rss_mb'] for r in runs):.1f} MB{_anonymous(runs)}; "
                  f"first reply: {middle['first_reply']!r}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
