"""Command line: `ess-bot [run|chat|ask|check]` (also `python -m bot ...`)."""

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

    try:
        return Engine.load()
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
    from bot.stores import MemoryStore

    return ConversationService(engine, MemoryStore())


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


def check(out: TextIO, stale_days: int | None = None, today: dt.date | None = None) -> int:
    """Validate the content; with `stale_days`, also list entries not verified for that long."""
    from bot.content.quality import coverage, quality_problems, stale_entries
    from bot.engine import Engine

    try:
        engine = Engine.load()
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
    return check(sys.stdout, stale_days=args.stale)


if __name__ == "__main__":
    raise SystemExit(main())
