"""The terminal and JSON doors of `ess-bot`."""

import datetime as dt
import io
import json
import subprocess
import sys
from pathlib import Path

from bot import cli

ROOT = Path(__file__).resolve().parents[2]


def run_cli(args: list[str], stdin: str, monkeypatch, capsys) -> str:
    monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
    assert cli.main(args) == 0
    return capsys.readouterr().out


def test_ask_json_answers_each_line_as_a_fresh_conversation(monkeypatch, capsys):
    out = run_cli(["ask", "--json", "-"], "c'est quoi le DLA\nquelle heure est il\ncress 29200\n", monkeypatch, capsys)
    first, second, third = (json.loads(line) for line in out.splitlines())
    assert first["matched"] and first["intent"] == "dla" and "Sources" in first["text"]
    assert first["buttons"] and {"label", "payload"} <= set(first["buttons"][0])
    assert not second["matched"] and second["intent"] is None
    assert third["intent"] == "cress_contact" and "Bretagne" in third["text"]


def test_chat_json_keeps_the_state_and_presses_buttons_by_label(monkeypatch, capsys):
    lines = "/orienter\nAssociation\nDifficulté\nÊtre accompagné\nBrest\n"
    out = run_cli(["chat", "--json"], lines, monkeypatch, capsys)
    replies = [json.loads(line) for line in out.splitlines()]
    assert "Vous êtes" in replies[0]["text"]
    assert "Votre profil" in replies[-1]["text"]
    assert any(b["payload"] == "k:dla" for b in replies[-1]["buttons"])


def test_chat_presses_a_button_by_its_number(monkeypatch, capsys):
    out = run_cli(["chat", "--json"], "/dispositifs\n2\n", monkeypatch, capsys)
    second = json.loads(out.splitlines()[1])
    assert "France Active" in second["text"]


def test_check_passes_on_the_real_content(capsys):
    assert cli.check(sys.stdout) == 0
    out = capsys.readouterr().out
    assert "check: OK" in out and "entries:" in out


def test_check_stale_lists_entries_verified_longer_ago_and_fails(engine):
    newest = max(e.last_verified for e in engine.content.entries.values())
    out = io.StringIO()
    assert cli.check(out, stale_days=365, today=newest + dt.timedelta(days=366)) == 1
    text = out.getvalue()
    assert "knowledge/entries/dla.yaml: 'dla' last verified" in text
    assert f"stale (last verified more than 365 days ago): {len(engine.content.entries)}" in text
    assert text.rstrip().endswith("check: FAILED")


def test_check_stale_passes_when_every_entry_is_recent_enough(engine, monkeypatch, capsys):
    oldest = min(e.last_verified for e in engine.content.entries.values())
    days = (dt.date.today() - oldest).days
    assert cli.main(["check", "--stale", str(days)]) == 0
    assert "stale (last verified more than" in capsys.readouterr().out
    assert cli.main(["check", "--stale", str(days - 1)]) == 1


def test_broken_content_stops_the_start_with_file_and_line(tmp_path):
    # A copy of the project with one broken knowledge file: `python -m bot ask` must refuse to start.
    for name in ("bot", "intents", "knowledge"):
        subprocess.run(["cp", "-r", str(ROOT / name), str(tmp_path / name)], check=True)
    broken = tmp_path / "knowledge" / "entries" / "dla.yaml"
    broken.write_text(broken.read_text(encoding="utf-8").replace("kind: scheme", "kind: [scheme"), encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "bot", "ask", "bonjour"], cwd=tmp_path, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 2
    assert "dla.yaml:" in result.stderr and "invalid YAML" in result.stderr
