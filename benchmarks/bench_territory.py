"""Territory benchmark: load time, find() latency (p50/p99) and memory.

    .venv/bin/python benchmarks/bench_territory.py [--rounds 5]

Targets: load well under 1 s, find() p99 <= 5 ms. Exits non-zero when a target is missed.
"""

from __future__ import annotations

import argparse
import gc
import resource
import statistics
import sys
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.nlu.normalize import normalize  # noqa: E402
from bot.territory import Territory  # noqa: E402

LOAD_TARGET_S = 1.0
P99_TARGET_MS = 5.0

PLACES = """
je suis à Brest | cress 29200 | CRESS pour le 2A | cress Saint-Denis | et en Bretagne ? | 75011 | 69003 Lyon
13008 | 20000 | 97400 Saint-Denis | je cherche la cress de Normandie | j'habite au Havre | à Tours | Nice
dans le Nord | en Creuse | le 93 | departement 974 | Saint-Pierre | Valence | st malo | SAINT-ÉTIENNE
Aix en Provence | je suis a marseile | bordeau | clermont ferand | bertagne | en Limousin, c'est quoi ma cress
Nouméa | Papeete | Saint-Pierre-et-Miquelon | Mamoudzou | Cayenne | Pointe-à-Pitre | Fort-de-France | IDF | PACA
région sud | en AURA | Alsace | Nord-Pas-de-Calais | Midi-Pyrénées | je suis à Lyon et en Bretagne
Saint-Denis de la Réunion | valence 26 | code postal 44000 | contact cress 974 | numero de la cress paca
je suis basée à Villeurbanne et je monte une scic | on est une asso à Montreuil | mon projet est sur Rennes
quelle cress pour 29 | cress du 56 | je suis à Plaisir | la cress pour la Corse du sud | haute-corse
""".replace("\n", "|").split("|")

NOT_PLACES = """
je veux creer une association | c est quoi le dla | aide pour mon projet | bonjour | merci beaucoup
comment financer ma cooperative | quelles aides pour une entreprise de l ess | c'est pas cher
il y aura une réunion demain | la loi a changé | formation en ligne | le projet est en cours
j'ai besoin de 20000 euros pour lancer mon activité et je ne sais pas à qui m'adresser en premier
quelle est la différence entre une SCOP et une SCIC, et lequel de ces statuts est le mieux pour nous ?
nous sommes 25 bénévoles et 3 salariés, est-ce qu'on peut demander un DLA ou c'est réservé aux grosses structures
le 29 mars je lance ma boite | statut scop ou scic | les porteurs de projet | la moyenne des salaires
c koi le fdva | est ce que je peux avoir une subvention | ou trouver un local | avec plaisir
""".replace("\n", "|").split("|")


def messages() -> list[str]:
    base = [m.strip() for m in PLACES + NOT_PLACES if m.strip()]
    # Variants as people type them: lower case, no accents, with a greeting, shouted.
    variants = []
    for m in base:
        variants += [m, m.lower(), f"bonjour {m}", m.upper(), f"{m} svp merci"]
    return variants


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args(argv)

    gc.collect()
    started = time.perf_counter()
    territory = Territory.load()
    loaded = time.perf_counter() - started
    territory.warm_up()
    ready = time.perf_counter() - started

    # Memory on a second load (tracemalloc slows loading down several times: not timed).
    gc.collect()
    tracemalloc.start()
    held = Territory.load().warm_up()
    current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    del held

    texts = [normalize(m) for m in messages()]
    timings: list[float] = []
    found = 0
    for _ in range(args.rounds):
        for text in texts:
            for expect_place in (False, True):
                t0 = time.perf_counter()
                match = territory.find(text, expect_place=expect_place)
                timings.append((time.perf_counter() - t0) * 1000)
                found += match is not None
    timings.sort()
    p50 = statistics.median(timings)
    p99 = timings[int(len(timings) * 0.99) - 1]
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    print(f"load (geo + CRESS directory): {loaded * 1000:.0f} ms; with indexes built: {ready * 1000:.0f} ms")
    print(
        f"find(): {len(timings)} calls over {len(texts)} messages; p50 {p50:.3f} ms, p99 {p99:.3f} ms, "
        f"max {timings[-1]:.3f} ms; {found} with a place"
    )
    print(
        f"memory: tracemalloc peak {peak / 2**20:.1f} MiB while loading, {current / 2**20:.1f} MiB held; "
        f"process max RSS {rss_mb:.0f} MiB"
    )
    ok = ready < LOAD_TARGET_S and p99 <= P99_TARGET_MS
    print("targets: load < 1 s, p99 <= 5 ms:", "met" if ok else "MISSED")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
