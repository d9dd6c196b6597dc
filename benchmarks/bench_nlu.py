"""Accuracy and speed of the engine on the labelled dev set.

Prints: top-1 accuracy on in-scope messages, off-topic rejection, per-message latency
(p50/p99), start-up time to the first answer, peak memory. `--misses` lists the errors.

    .venv/bin/python benchmarks/bench_nlu.py [--misses]
"""

from __future__ import annotations

import argparse
import resource
import statistics
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.engine import Engine  # noqa: E402
from bot.replies import Event  # noqa: E402
from bot.state import ConversationState  # noqa: E402

DEV_SET = ROOT / "tests" / "data" / "dev_set.yaml"
KNOWN_MISSES = ROOT / "tests" / "data" / "known_misses.yaml"


def predicted(engine: Engine, text: str) -> tuple[str | None, float, float]:
    start = time.perf_counter()
    reply, _ = engine.respond(ConversationState(), Event("text", text=text))
    elapsed = time.perf_counter() - start
    return (reply.intent if reply.matched else None), reply.confidence, elapsed


def startup_seconds() -> float:
    """Wall time of a fresh process that loads everything and answers one question."""
    code = (
        "import time; t=time.perf_counter();"
        "from bot.engine import Engine; from bot.replies import Event; from bot.state import ConversationState;"
        "e=Engine.load(); e.respond(ConversationState(), Event('text', text='cress 29200'));"
        "print(time.perf_counter()-t)"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    return float(out.stdout.strip())


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--misses", action="store_true", help="list every wrong answer")
    parser.add_argument(
        "--write-known-misses", action="store_true", help=f"record today's misses in {KNOWN_MISSES.name} for the tests"
    )
    args = parser.parse_args()

    engine = Engine.load()
    engine.respond(ConversationState(), Event("text", text="je suis a brest"))  # loads the geography
    cases = yaml.safe_load(DEV_SET.read_text(encoding="utf-8"))
    in_scope = [c for c in cases if c["intent"]]
    off_topic = [c for c in cases if not c["intent"]]

    latencies: list[float] = []
    misses: list[tuple[str, str | None, str | None, float]] = []
    confusions: Counter[tuple[str | None, str | None]] = Counter()
    correct = rejected = 0
    for case in cases:
        intent, confidence, elapsed = predicted(engine, case["text"])
        latencies.append(elapsed)
        if case["intent"] and intent == case["intent"]:
            correct += 1
        elif not case["intent"] and intent is None:
            rejected += 1
        else:
            misses.append((case["text"], case["intent"], intent, confidence))
            confusions[(case["intent"], intent)] += 1

    # Latency over many more messages: every dev message ten times.
    for _ in range(9):
        for case in cases:
            latencies.append(predicted(engine, case["text"])[2])
    latencies.sort()
    p50 = statistics.median(latencies) * 1000
    p99 = latencies[int(len(latencies) * 0.99)] * 1000

    print(f"dev set: {len(cases)} messages ({len(in_scope)} in scope, {len(off_topic)} off-topic)")
    print(f"top-1 accuracy (in scope): {correct / len(in_scope):.1%} ({correct}/{len(in_scope)})")
    print(f"off-topic rejection: {rejected / len(off_topic):.1%} ({rejected}/{len(off_topic)})")
    print(f"overall: {(correct + rejected) / len(cases):.1%}")
    print(f"latency per message: p50 {p50:.2f} ms, p99 {p99:.2f} ms, max {latencies[-1] * 1000:.2f} ms")
    print(f"start-up to first answer (fresh process): {startup_seconds():.2f} s")
    print(f"peak memory (this process, RSS): {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB")
    if args.write_known_misses:
        header = "# Dev-set messages the engine gets wrong today (written by benchmarks/bench_nlu.py).\n"
        header += "# The dev-set test expects them to fail: fixing one makes that test say so.\n"
        body = yaml.safe_dump([m[0] for m in misses], allow_unicode=True, width=200)
        KNOWN_MISSES.write_text(header + body, encoding="utf-8")
        print(f"wrote {len(misses)} known misses to {KNOWN_MISSES.relative_to(ROOT)}")
    if args.misses:
        print("\nmisses (expected -> got, confidence):")
        for text, expected, got, confidence in misses:
            print(f"  {expected} -> {got} ({confidence:.2f}): {text}")
        print("\nmost frequent confusions:")
        for (expected, got), count in confusions.most_common(15):
            print(f"  {count} x {expected} -> {got}")


if __name__ == "__main__":
    main()
