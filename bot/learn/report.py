"""`ess-bot stats --html FILE`: a self-contained page (inline SVG charts drawn by matplotlib)."""

from __future__ import annotations

import html
import io
from pathlib import Path

from bot.learn.stats import Stats

OUT_OF_SCOPE = "out_of_scope"

MAX_GROUPS_SHOWN = 30


def _svg(figure) -> str:
    buffer = io.StringIO()
    figure.savefig(buffer, format="svg", bbox_inches="tight")
    text = buffer.getvalue()
    return text[text.index("<svg"):]  # drop the XML prolog: the SVG sits inside HTML


def _charts(stats: Stats) -> list[tuple[str, str]]:
    import matplotlib

    matplotlib.use("Agg")  # no screen: draw to files only
    from matplotlib import pyplot as plt

    charts: list[tuple[str, str]] = []
    if stats.weeks:
        fig, ax = plt.subplots(figsize=(7, 2.8))
        weeks = [w for w, _ in stats.weeks]
        ax.plot(weeks, [s * 100 for _, s in stats.weeks], marker="o")
        ax.set_ylim(0, 100)
        ax.set_ylabel("% de réponses")
        ax.tick_params(axis="x", labelrotation=45)
        charts.append(("Part des messages qui ont reçu une réponse, par semaine", _svg(fig)))
        plt.close(fig)
    top = stats.groups[:10]
    if top:
        fig, ax = plt.subplots(figsize=(7, 0.4 * len(top) + 1))
        labels = [g.label if len(g.label) <= 50 else g.label[:49] + "…" for g in top][::-1]
        ax.barh(labels, [g.size for g in top][::-1])
        ax.set_xlabel("messages")
        charts.append(("Questions sans réponse les plus fréquentes (groupes)", _svg(fig)))
        plt.close(fig)
    worst = stats.worst_rated(10)
    if worst:
        fig, ax = plt.subplots(figsize=(7, 0.4 * len(worst) + 1))
        names = [intent for intent, _, _ in worst][::-1]
        ax.barh(names, [up for _, up, _ in worst][::-1], label="utile", color="#4c9a2a")
        ax.barh(names, [-down for _, _, down in worst][::-1], label="pas utile", color="#c0392b")
        ax.axvline(0, color="black", linewidth=0.8)
        ax.legend(loc="lower right")
        charts.append(("Réponses les moins bien notées", _svg(fig)))
        plt.close(fig)
    return charts


def render_html(stats: Stats) -> str:
    e = html.escape
    rows = "".join(
        f"<tr><td>{g.size}</td><td>{e(g.label)}"
        + (f"<br><small>{' · '.join(e(t) for t, _ in g.texts[1:4])}</small>" if len(g.texts) > 1 else "")
        + f"</td><td>{', '.join(f'{e(i)} ({s:.0%})' for i, s in g.candidates) or '—'}</td></tr>"
        for g in stats.groups[:MAX_GROUPS_SHOWN]
    )
    charts = "".join(f"<h2>{e(title)}</h2>{svg}" for title, svg in _charts(stats))
    intents = "".join(f"<li>{e(i)} : {c}</li>" for i, c in stats.top_intents)
    return f"""<!doctype html>
<html lang="fr"><head><meta charset="utf-8"><title>Boussole ESS : questions des {stats.days} derniers jours</title>
<style>body{{font-family:sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem}}
table{{border-collapse:collapse;width:100%}}td,th{{border-bottom:1px solid #ddd;padding:.3rem;text-align:left;
vertical-align:top}}</style></head><body>
<h1>Boussole ESS : les {stats.days} derniers jours</h1>
<p>{stats.messages} messages ; {stats.answered_share:.0%} ont reçu une réponse ;
{stats.suggested_share:.0%} seulement des suggestions.</p>
<h2>Sujets les plus demandés</h2><ul>{intents or "<li>aucun</li>"}</ul>
{charts}
<h2>Questions sans réponse, regroupées</h2>
<table><tr><th>messages</th><th>question (et variantes)</th><th>intentions proches</th></tr>{rows}</table>
</body></html>
"""


def _candidate(intent: str, share: float, size: int) -> str:
    name = "hors sujet" if intent == OUT_OF_SCOPE else intent
    return name if size == 1 else f"{name} ({share:.0%} du groupe)"


def render_text(stats: Stats, learning_on: bool = True, max_groups: int = 15) -> str:
    """The terminal summary of `ess-bot stats`."""
    lines = [f"Boussole ESS : les {stats.days} derniers jours"]
    if not learning_on:
        lines.append("(BOUSSOLE_LEARN n'est pas activé ici : seuls les messages déjà enregistrés sont comptés.)")
    if not stats.messages and not stats.feedback:
        lines.append("Aucun message enregistré sur cette période.")
        return "\n".join(lines)
    lines.append(f"{stats.messages} messages ; {stats.answered_share:.0%} ont reçu une réponse ; "
                 f"{stats.suggested_share:.0%} seulement des suggestions.")
    if stats.top_intents:
        lines.append("\nSujets les plus demandés :")
        lines += [f"  {count:>5}  {intent}" for intent, count in stats.top_intents]
    if stats.feedback:
        lines.append("\nAvis par sujet (👍 / 👎), les moins bien notés d'abord :")
        rated = sorted(stats.feedback.items(), key=lambda item: (-item[1][1], item[1][0], item[0]))
        lines += [f"  {up:>3} / {down:<3} {intent}" for intent, (up, down) in rated]
    if stats.groups:
        lines.append(f"\nQuestions sans réponse, regroupées ({len(stats.groups)} groupe(s), "
                     "les plus fréquents d'abord) :")
        for number, group in enumerate(stats.groups[:max_groups], 1):
            near = ", ".join(_candidate(intent, share, group.size) for intent, share in group.candidates)
            lines.append(f"  {number:>2}. [{group.size}] « {group.label} »  ->  {near or 'aucun sujet proche'}")
            for text, _ in group.texts[1:3]:
                lines.append(f"        aussi : « {text} »")
        if len(stats.groups) > max_groups:
            lines.append(f"  ... et {len(stats.groups) - max_groups} autres groupes (--json ou --html pour tout voir)")
    return "\n".join(lines)


def write_html(stats: Stats, path: Path) -> None:
    path.write_text(render_html(stats), encoding="utf-8")
