"""The public face of the territory package: places in messages and the CRESS to contact."""

from __future__ import annotations

import copy
import dataclasses
import functools
import hashlib
import os
import pickle
import time
from pathlib import Path

from bot.cache import load_pickle, write_cached
from bot.content.yaml_source import ContentError
from bot.nlu.normalize import normalize
from bot.replies import ContactCard
from bot.territory import lexicon as lx
from bot.territory.directory import Directory, load_directory
from bot.territory.matcher import Matcher
from bot.territory.places import Geography, Place, PlaceMatch, load_geography

KNOWLEDGE_DIR = Path(__file__).resolve().parents[2] / "knowledge"
GEO_FILE = Path("geo") / "geo.json"
ORDINARY_WORDS_FILE = Path("geo") / "ordinary_words.txt"
CONFUSABLE_WORDS_FILE = Path("geo") / "confusable_words.txt"
CRESS_FILE = Path("organisations") / "cress.yaml"
# The loaded and indexed territory is cached under a hash of its files and of this package's code:
# rebuilding 35,000 communes and their name index is most of a cold start. Derived data only, like
# the intent model's weights; a stale, missing or unreadable cache is rebuilt.
CACHE_DIR = Path(os.environ.get("BOUSSOLE_TERRITORY_CACHE", KNOWLEDGE_DIR.parent / ".cache" / "territory"))
CACHE_KEEP = 4
_CODE_FILES = sorted(Path(__file__).parent.glob("*.py")) + [Path(__file__).parents[1] / "nlu" / "normalize.py"]


class Territory:
    """Geography + CRESS directory, loaded once. Pure and fast after loading; no I/O in find()."""

    def __init__(
        self,
        geo: Geography,
        directory: Directory,
        ordinary_words: frozenset[str],
        confusable_words: frozenset[str] = frozenset(),
    ) -> None:
        self.geo = geo
        self.directory = directory
        self._ordinary_words = ordinary_words
        self._confusable_words = confusable_words
        self._matcher: Matcher | None = None
        self.load_seconds = 0.0

    @classmethod
    def load(cls, knowledge_dir: Path = KNOWLEDGE_DIR, cache_dir: Path | None = CACHE_DIR) -> Territory:
        """Read knowledge/geo and knowledge/organisations/cress.yaml (or their cached index);
        content errors name the file."""
        started = time.perf_counter()
        path = cache_dir / f"{_cache_key(knowledge_dir)}.pickle" if cache_dir is not None else None
        if path is not None and path.exists():
            try:
                territory = load_pickle(path)
                if isinstance(territory, cls):
                    territory.load_seconds = time.perf_counter() - started
                    return territory
            except Exception:  # noqa: BLE001, S110 - any broken cache is rebuilt from the files
                pass
        territory = cls._read(knowledge_dir)
        if path is not None:
            territory.matcher  # noqa: B018 - the name index is cached; the typo index stays lazy
            _save(territory, path)
        territory.load_seconds = time.perf_counter() - started
        return territory

    @classmethod
    def _read(cls, knowledge_dir: Path) -> Territory:
        geo = load_geography(knowledge_dir / GEO_FILE)
        directory = load_directory(
            knowledge_dir / CRESS_FILE,
            region_codes=set(geo.regions),
            com_codes=set(geo.collectivities),
        )
        return cls(
            geo,
            directory,
            read_word_list(knowledge_dir / ORDINARY_WORDS_FILE),
            read_word_list(knowledge_dir / CONFUSABLE_WORDS_FILE),
        )

    @property
    def matcher(self) -> Matcher:
        """The name index, built on first use (about a tenth of a second)."""
        if self._matcher is None:
            self._matcher = Matcher(self.geo, self._ordinary_words, normalize, self._confusable_words)
        return self._matcher

    def warm_up(self) -> Territory:
        """Build the indexes now (at start-up) rather than on the first message."""
        self.matcher._fuzzy_index()
        return self

    # ------------------------------------------------------------------ places
    def find(self, text: str, expect_place: bool = False) -> PlaceMatch | None:
        """The place a normalised message mentions, or None.

        expect_place=True when the bot has just asked where the user is, or the user asked for
        a CRESS: a bare department number then counts, and so do names that are ordinary words.
        """
        return self.matcher.find(text, expect_place=expect_place)

    def is_ordinary_name(self, matched_text: str) -> bool:
        """True when the words of a recognised place are also ordinary French words or first
        names ("maire", "le port", "la reunion", "alex"): such a name needs more evidence."""
        tokens = [t for t in matched_text.split() if t not in lx.STOPWORDS]
        if not tokens or any(t[:1].isdigit() for t in tokens):
            return False
        name = " ".join(tokens)
        if name in lx.AREA_NAMES_NEEDING_CONTEXT or name in lx.AREA_NAMES_NEEDING_STRICT_CONTEXT:
            return True
        return all(t in self._ordinary_words or t in lx.FIRST_NAMES or len(t) <= 3 for t in tokens)

    def region_of(self, place: Place) -> str | None:
        """The region code (or overseas collectivity code) whose CRESS serves this place."""
        return place.region_code

    def place(self, kind: str, code: str) -> Place | None:
        """Rebuild a place from a button payload (kind and code)."""
        return self.geo.get(kind, code)

    def label(self, place: Place) -> str:
        """A French label for buttons and replies: "Brest (29, Bretagne)"."""
        if place.kind in ("region", "collectivity"):
            return place.name
        area = self.geo.area_name(place.region_code)
        if place.department_code in self.geo.departments:
            if place.kind == "department" and place.name == area:
                return f"{place.name} ({place.department_code})"
            return f"{place.name} ({place.department_code}, {area})"
        # A commune of an overseas collectivity.
        return place.name if place.name == area else f"{place.name} ({area})"

    # ------------------------------------------------------------------ contacts
    def cress_card(self, region_code: str | None) -> ContactCard:
        """The CRESS of a region; ESS France (with the reason) where there is none to send to."""
        return self.directory.card(region_code)


def _cache_key(knowledge_dir: Path) -> str:
    digest = hashlib.sha256()
    for path in (GEO_FILE, CRESS_FILE, ORDINARY_WORDS_FILE, CONFUSABLE_WORDS_FILE):
        try:
            digest.update((knowledge_dir / path).read_bytes())
        except OSError:
            digest.update(b"missing")  # the load itself reports the missing file
    for path in _CODE_FILES:
        digest.update(path.read_bytes())
    return digest.hexdigest()[:24]


def _save(territory: Territory, path: Path) -> None:
    # The communes' name keys only build the name index: the cached copy goes without them.
    geo = dataclasses.replace(territory.geo, commune_keys={})
    matcher = copy.copy(territory.matcher)
    matcher.geo = geo
    territory = copy.copy(territory)
    territory.geo, territory._matcher = geo, matcher
    write_cached(path, lambda handle: pickle.dump(territory, handle, protocol=pickle.HIGHEST_PROTOCOL), CACHE_KEEP)


def read_word_list(path: Path) -> frozenset[str]:
    """One word a line; lines starting with # are comments."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise ContentError(path, None, f"cannot read file: {exc}") from exc
    return frozenset(line.strip() for line in lines if line.strip() and not line.startswith("#"))


@functools.cache
def default_territory() -> Territory:
    """The territory of the project's own knowledge/ directory, loaded once per process."""
    return Territory.load()
