"""The learning log at scale: `ess-bot stats` over 100,000 stored questions, and the write cost
per message with learning on, on the file store and on a real Redis.

The questions are made from the content's own examples, changed the way people type (a word
dropped or added, a typo, a place, a number), over 90 days, so that most texts are distinct
(the hard case for grouping) while many still resemble one another; one in five is off-topic.

    python benchmarks/bench_learn.py                  # 100,000 questions, files and Redis
    python benchmarks/bench_learn.py --count 20000 --stores file
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.content.loader import load_content  # noqa: E402
from bot.learn.log import EVENTS, FEEDBACK, QUESTIONS, LearnLog, LearnSettings  # noqa: E402
from bot.learn.scrub import scrub  # noqa: E402
from bot.learn.stats import compute, group_questions  # noqa: E402
from bot.messages import Messages  # noqa: E402
from bot.stores import FileStore  # noqa: E402
from bot.stores.file_store import _day  # noqa: E402

DAY = 86400.0
FILLERS = ["svp", "bonjour", "merci", "urgent", "svp merci", "pour notre asso", "en 2026", "rapidement", "?"]
PLACES = ["a brest", "en bretagne", "dans le 93", "a lyon", "pres de lille", "en haute vienne", "a toulouse"]
OFF_TOPIC = [
    "une recette de crepes", "horaires de la mairie", "meteo demain", "comment renouveler mon passeport",
    "prix du gazole", "resultat du match", "ou acheter un velo", "mon colis n est pas arrive",
    "comment declarer mes impots", "un bon restaurant", "trouver un plombier", "les soldes commencent quand",
]


def _typo(word: str, rng: random.Random) -> str:
    if len(word) < 4:
        return word
    i = rng.randrange(1, len(word) - 1)
    return word[:i] + word[i + 1] + word[i] + word[i + 2:]


def make_questions(count: int, seed: int = 13) -> list[tuple[str, list[list]]]:
    rng = random.Random(seed)
    content = load_content(known_messages=Messages.load().keys())
    seeds = [(e, i.id) for i in content.intents if i.id != "out_of_scope" for e in i.examples]
    made = []
    for _ in range(count):
        if rng.random() < 0.2:
            words, intent = rng.choice(OFF_TOPIC).split(), None
        else:
            text, intent = rng.choice(seeds)
            words = text.split()
        words = list(words)
        for _ in range(rng.randint(0, 3)):
            roll = rng.random()
            if roll < 0.3 and len(words) > 2:
                words.pop(rng.randrange(len(words)))
            elif roll < 0.6:
                words.insert(rng.randrange(len(words) + 1), rng.choice(FILLERS))
            elif roll < 0.8:
                j = rng.randrange(len(words))
                words[j] = _typo(words[j], rng)
            else:
                words.append(rng.choice(PLACES))
        candidates = [[intent, round(rng.uniform(0.2, 0.6), 3)]] if intent else [["out_of_scope", 0.8]]
        made.append((" ".join(words), candidates))
    return made


def records_for(questions: list[tuple[str, list[list]]], now: float, seed: int = 7):
    """(stream, at, record) for the questions, as many answered events again, and some feedback."""
    rng = random.Random(seed)
    for text, candidates in questions:
        at = now - rng.uniform(0, 89) * DAY
        yield QUESTIONS, at, {"t": at, "text": text, "outcome": "unanswered", "candidates": candidates}
        yield EVENTS, at, {"t": at, "intent": None, "outcome": "unanswered"}
        answered_at = now - rng.uniform(0, 89) * DAY
        intent = rng.choice(["dla", "scic", "cress"])
        yield EVENTS, answered_at, {"t": answered_at, "intent": intent, "outcome": "answered"}
        if rng.random() < 0.05:
            yield FEEDBACK, at, {"t": at, "intent": rng.choice(["dla", "scic"]), "vote": rng.choice([1, -1])}


def fill_files(directory: Path, items) -> None:
    """The FileStore layout written directly (one append per record would take minutes)."""
    handles: dict[Path, object] = {}
    try:
        for stream, at, record in items:
            path = directory / "records" / stream.replace(":", "%3A") / f"{_day(at)}.jsonl"
            if path not in handles:
                path.parent.mkdir(parents=True, exist_ok=True)
                handles[path] = open(path, "a", encoding="utf-8")  # noqa: SIM115
            handles[path].write(json.dumps({"at": at, "record": record}, ensure_ascii=False) + "\n")
    finally:
        for handle in handles.values():
            handle.close()


async def fill_redis(store, items) -> None:
    pipe = store.client.pipeline(transaction=False)
    for n, (stream, at, record) in enumerate(items, 1):
        member = json.dumps({"id": f"{n:012x}", "at": at, "record": record}, ensure_ascii=False)
        pipe.zadd(store._stream(stream), {member: at})
        if n % 5000 == 0:
            await pipe.execute()
    await pipe.execute()


async def time_stats(store, now: float) -> dict:
    started = time.perf_counter()
    questions = await store.records(QUESTIONS, now - 90 * DAY)
    read = time.perf_counter() - started
    started = time.perf_counter()
    groups = group_questions(questions)
    grouping = time.perf_counter() - started
    started, cpu = time.perf_counter(), time.process_time()
    stats = await compute(store, 90, now)
    total, cpu = time.perf_counter() - started, time.process_time() - cpu
    return {"questions": len(questions), "read_questions_s": round(read, 2), "grouping_s": round(grouping, 2),
            "stats_total_s": round(total, 2),
            "stats_cpu_s": round(cpu, 2), "groups": len(groups), "biggest_group": groups[0].size if groups else 0,
            "messages": stats.messages}


async def write_cost(store, samples: int = 2000) -> dict:
    log = LearnLog(store, LearnSettings(enabled=True))
    texts = [t for t, _ in make_questions(samples, seed=99)]
    costs = {"answered_ms": [], "unanswered_ms": []}
    for n, text in enumerate(texts):
        answered = n % 2 == 0
        started = time.perf_counter()
        if answered:
            await log.message(text, "dla", True, 0.9)
        else:
            await log.message(text, None, False, 0.3, [("dla", 0.3), ("scic", 0.2)])
        costs["answered_ms" if answered else "unanswered_ms"].append((time.perf_counter() - started) * 1000)
    return {key: {"median": round(statistics.median(v), 3), "p95": round(sorted(v)[int(len(v) * 0.95)], 3)}
            for key, v in costs.items()}


async def run(count: int, kinds: list[str]) -> dict:
    now = time.time()
    questions = make_questions(count)
    distinct = len({q for q, _ in questions})
    scrub_started = time.perf_counter()
    for text, _ in questions[:10000]:
        scrub(text)
    results: dict = {"questions": count, "distinct_texts": distinct,
                     "scrub_us_per_text": round((time.perf_counter() - scrub_started) / 10000 * 1e6, 1)}
    if "file" in kinds:
        with tempfile.TemporaryDirectory() as tmp:
            fill_files(Path(tmp), records_for(questions, now))
            store = FileStore(Path(tmp))
            results["file"] = await time_stats(store, now)
            results["file"]["write"] = await write_cost(FileStore(Path(tmp) / "writes"))
            await store.close()
    if "redis" in kinds:
        from bot.stores.redis_store import RedisStore
        from tests.redis_server import redis_server

        with redis_server() as url:
            store = RedisStore(url, prefix="bench:")
            await fill_redis(store, records_for(questions, now))
            results["redis"] = await time_stats(store, now)
            writes = RedisStore(url, prefix="bench-writes:")
            results["redis"]["write"] = await write_cost(writes)
            await writes.close()
            await store.close()
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=100_000)
    parser.add_argument("--stores", default="file,redis")
    args = parser.parse_args()
    print(json.dumps(asyncio.run(run(args.count, args.stores.split(","))), indent=2))


if __name__ == "__main__":
    main()
