"""Command line: `ess-bot [run|chat|ask|check|stats|review]` (also `python -m bot ...`).

With `BOUSSOLE_LEARN=1` the terminal doors feed the learning log of the store Telegram uses
(REDIS_URL, else files in BOUSSOLE_DATA_DIR), so a batch of messages can be replayed through
`ask --json -` and inspected with `stats`; their own conversations stay in memory.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import os
import sys
import time
from collections.abc import Iterable
from typing import TextIO

from bot.content.loader import ContentErrors
from bot.content.yaml_source import ContentError
from bot.replies import Event, Reply

# The terminal doors keep one conversation in memory, under this key.
TERMINAL_KEY = "chat:terminal"


def _load_engine():
    from bot.engine import Engine
    from bot.learn.log import LearnSettings

    try:
        return Engine.load(learning=LearnSettings.from_env().enabled)
    except (ContentErrors, ContentError) as exc:
        print("Le contenu est invalide / content errors:", file=sys.stderr)
        print(str(exc), file=sys.stderr)
        raise SystemExit(2) from exc


def event_from_line(line: str, reply: Reply | None, now: float) -> Event:
    """A typed line: a /command, a button (its number or label in the last reply), or text."""
    stripped = line.strip()
    if reply is not None and reply.buttons:
        if stripped.isdigit() and 1 <= int(stripped) <= len(reply.buttons):
            return Event("button", payload=reply.buttons[int(stripped) - 1].payload, now=now)
        for button in reply.buttons:
            if stripped.casefold() == button.label.casefold() and not button.url:
                return Event("button", payload=button.payload, now=now)
    if stripped.startswith("/") and len(stripped) > 1:
        command, _, argument = stripped[1:].partition(" ")
        return Event("command", command=command.split("@")[0], text=argument, now=now)
    return Event("text", text=line, now=now)


def render_terminal(reply: Reply) -> str:
    text = reply.plain_text()
    if reply.buttons:
        text += "\n" + "\n".join(f"  [{i}] {b.label}" for i, b in enumerate(reply.buttons, 1))
    return text


def reply_json(reply: Reply) -> str:
    return json.dumps(
        {
            "text": reply.plain_text(),
            "matched": reply.matched,
            "intent": reply.intent,
            "confidence": round(reply.confidence, 4),
            "buttons": [{"label": b.label, "payload": b.payload} for b in reply.buttons],
        },
        ensure_ascii=False,
    )


def render_commands(engine) -> str:
    """The engine's commands, as the terminal shows them."""
    lines = [engine.messages("terminal_commands")]
    lines += [f"  /{c.name} : {engine.messages(c.description)}" for c in engine.commands]
    return "\n".join(lines)


def _service(engine):
    from bot.conversation import ConversationService
    from bot.learn.log import LearnLog, LearnSettings, store_from_env
    from bot.stores import MemoryStore

    settings = LearnSettings.from_env()
    learn = LearnLog(store_from_env(), settings) if settings.enabled else None
    return ConversationService(engine, MemoryStore(), learn=learn)


def chat(lines: Iterable[str], out: TextIO, as_json: bool, interactive: bool) -> None:
    engine = _load_engine()
    service = _service(engine)
    reply: Reply | None = None
    with asyncio.Runner() as runner:
        if interactive:
            reply = runner.run(service.handle(TERMINAL_KEY, Event("command", command="start", now=time.time())))
            print(render_terminal(reply), file=out)
            print("\n" + render_commands(engine), file=out)
            print("(Ctrl-D pour quitter)", file=out)
        for line in lines:
            line = line.rstrip("\n")
            event = event_from_line(line, reply, time.time())
            reply = runner.run(service.handle(TERMINAL_KEY, event))
            print(reply_json(reply) if as_json else render_terminal(reply) + "\n", file=out, flush=True)
        runner.run(_close_learn(service))


def _prompted_lines(prompt: str) -> Iterable[str]:
    while True:
        try:
            yield input(prompt)
        except EOFError:
            return


def ask(messages: Iterable[str], out: TextIO, as_json: bool) -> None:
    engine = _load_engine()
    service = _service(engine)
    with asyncio.Runner() as runner:
        for index, message in enumerate(messages):
            message = message.rstrip("\n")
            # Each question is a conversation of its own: one key per line.
            event = Event("text", text=message, now=time.time())
            reply = runner.run(service.handle(f"{TERMINAL_KEY}:ask:{index}", event))
            print(reply_json(reply) if as_json else render_terminal(reply), file=out, flush=True)
        runner.run(_close_learn(service))


async def _close_learn(service) -> None:
    if service.learn is not None:
        await service.learn.store.close()


def stats(out: TextIO, days: int | None, as_json: bool, html_path: str | None) -> int:
    """`ess-bot stats`: the learning log's figures, from the configured store."""
    from bot.learn.log import LearnSettings, store_from_env
    from bot.learn.report import render_text, write_html
    from bot.learn.stats import compute

    settings = LearnSettings.from_env()
    days = days or settings.days

    async def run():
        store = store_from_env()
        try:
            return await compute(store, days)
        finally:
            await store.close()

    result = asyncio.run(run())
    if html_path:
        from pathlib import Path

        write_html(result, Path(html_path))
    if as_json:
        print(json.dumps(result.as_dict(), ensure_ascii=False, indent=2), file=out)
    else:
        print(render_text(result, learning_on=settings.enabled), file=out)
        if html_path:
            print(f"Rapport écrit dans {html_path}", file=out)
    return 0


def review(days: int | None) -> int:
    """`ess-bot review`: walk the groups of unanswered questions in the terminal."""
    from bot.learn.log import LearnSettings, store_from_env
    from bot.learn.review import review as walk
    from bot.learn.stats import compute

    days = days or LearnSettings.from_env().days

    def ask_line(prompt: str) -> str:
        try:
            return input(prompt)
        except EOFError:
            return "q"

    async def run() -> int:
        store = store_from_env()
        try:
            result = await compute(store, days)
            return await walk(result.groups, store, ask=ask_line, say=print, days=days)
        finally:
            await store.close()

    filed = asyncio.run(run())
    if filed:
        print(f"\n{filed} groupe(s) classé(s). Rechargez le bot (SIGHUP ou /recharger) pour les prendre en compte.")
    return 0


def check(out: TextIO, stale_days: int | None = None, today: dt.date | None = None) -> int:
    """Validate the content; with `stale_days`, also list entries not verified for that long."""
    from bot.content.quality import coverage, quality_problems, stale_entries
    from bot.engine import Engine

    try:
        engine = Engine.load(read_cache=False)  # validates every file (and refreshes the start-up cache)
        engine.territory  # noqa: B018 - validates the CRESS directory and caches the indexed geography
    except (ContentErrors, ContentError) as exc:
        print(str(exc), file=out)
        print("check: FAILED", file=out)
        return 1
    problems = quality_problems(engine.content)
    for problem in problems:
        print(problem, file=out)
    for label, value in coverage(engine.content).items():
        print(f"{label}: {value}", file=out)
    stale: list[str] = []
    if stale_days is not None:
        stale = stale_entries(engine.content, stale_days, today or dt.date.today())
        for line in stale:
            print(line, file=out)
        print(f"stale (last verified more than {stale_days} days ago): {len(stale)}", file=out)
    print("check: FAILED" if problems or stale else "check: OK", file=out)
    return 1 if problems or stale else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="ess-bot", description="Boussole ESS")
    sub = parser.add_subparsers(dest="command")
    sub.add_parser("run", help="le bot Telegram (TELEGRAM_BOT_TOKEN requis)")
    chat_parser = sub.add_parser("chat", help="conversation dans le terminal")
    chat_parser.add_argument("--json", action="store_true", help="une réponse JSON par ligne lue sur stdin")
    ask_parser = sub.add_parser("ask", help="une question, une réponse")
    ask_parser.add_argument("--json", action="store_true")
    ask_parser.add_argument("message", nargs="+", help="le message, ou - pour lire une question par ligne")
    check_parser = sub.add_parser("check", help="valide knowledge/ et intents/ et affiche la couverture")
    check_parser.add_argument(
        "--stale",
        type=int,
        metavar="JOURS",
        help="liste aussi les fiches vérifiées il y a plus de JOURS jours (code de sortie 1 s'il y en a)",
    )
    days_help = "les N derniers jours (défaut : BOUSSOLE_LEARN_DAYS)"
    stats_parser = sub.add_parser("stats", help="questions reçues, part des réponses, questions sans réponse groupées")
    stats_parser.add_argument("--days", type=int, metavar="N", help=days_help)
    stats_parser.add_argument("--json", action="store_true", help="le résultat en JSON")
    stats_parser.add_argument("--html", metavar="FICHIER", help="écrit aussi un rapport HTML autonome avec graphiques")
    review_parser = sub.add_parser("review", help="revoit les questions sans réponse, enrichit intents/learned/")
    review_parser.add_argument("--days", type=int, metavar="N", help=days_help)
    args = parser.parse_args(argv)

    if args.command is None:
        args.command = "run" if os.environ.get("TELEGRAM_BOT_TOKEN") else "chat"
        args.json = False
    if args.command == "run":
        from bot.telegram.app import run

        return run()
    if args.command == "chat":
        if args.json:
            chat(sys.stdin, sys.stdout, as_json=True, interactive=False)
        else:
            chat(_prompted_lines("> "), sys.stdout, as_json=False, interactive=True)
        return 0
    if args.command == "ask":
        messages = sys.stdin if args.message == ["-"] else [" ".join(args.message)]
        ask(messages, sys.stdout, as_json=args.json)
        return 0
    if args.command == "stats":
        return stats(sys.stdout, args.days, args.json, args.html)
    if args.command == "review":
        return review(args.days)
    return check(sys.stdout, stale_days=args.stale)


if __name__ == "__main__":
    raise SystemExit(main())
