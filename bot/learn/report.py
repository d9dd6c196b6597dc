"""`ess-bot stats --html FILE`: a self-contained page (inline SVG charts drawn by matplotlib)."""

from __future__ import annotations

import html
import io
from pathlib import Path

from bot.learn.stats import Stats

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


def write_html(stats: Stats, path: Path) -> None:
    path.write_text(render_html(stats), encoding="utf-8")
