"""Places and the geography they come from (knowledge/geo/geo.json, built by scripts/update_geo.py)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from bot.content.yaml_source import ContentError

PlaceKind = Literal["region", "department", "commune", "collectivity"]
KINDS: tuple[str, ...] = ("region", "department", "commune", "collectivity")


@dataclass(frozen=True, slots=True)
class Place:
    """A region, a department, a commune or an overseas collectivity (COM).

    For a collectivity and its communes, `region_code` is the collectivity code ("975"), as in
    the INSEE data: there is no region there, and the CRESS directory knows these codes.
    """

    kind: PlaceKind
    code: str
    name: str
    region_code: str | None
    department_code: str | None
    population: int

    def __reduce__(self) -> tuple:
        # Unpickled through __init__, like a freshly built place. Slots, not a dict per place:
        # 35,000 communes, 3 MB less in every replica.
        return (Place, (self.kind, self.code, self.name, self.region_code, self.department_code, self.population))

    def contains(self, other: Place) -> bool:
        """True when `other` lies inside this place (or is it)."""
        if self.kind == other.kind and self.code == other.code:
            return True
        if self.kind in ("region", "collectivity"):
            return other.region_code == self.code and other.kind != self.kind
        if self.kind == "department":
            return other.kind == "commune" and other.department_code == self.code
        return False


@dataclass(frozen=True)
class PlaceMatch:
    """Where a message mentions a place.

    `candidates` are ordered most populated first; more than one means the text is ambiguous
    (Saint-Denis, a postal code shared by two departments): ask the user with buttons.
    """

    candidates: tuple[Place, ...]
    matched_text: str  # the normalised words that were recognised

    @property
    def ambiguous(self) -> bool:
        return len(self.candidates) > 1

    @property
    def place(self) -> Place:
        """The first (most populated) candidate."""
        return self.candidates[0]


@dataclass
class Geography:
    source: dict[str, str]
    regions: dict[str, Place]  # current regions, overseas ones included
    collectivities: dict[str, Place]  # overseas collectivities (COM), keyed by their code
    departments: dict[str, Place]
    communes: dict[str, Place]  # by INSEE code
    commune_keys: dict[str, str] = field(default_factory=dict)  # INSEE code -> normalised name
    postcodes: dict[str, tuple[str, ...]] = field(default_factory=dict)  # postal code -> INSEE codes

    def get(self, kind: str, code: str) -> Place | None:
        table = {
            "region": self.regions,
            "collectivity": self.collectivities,
            "department": self.departments,
            "commune": self.communes,
        }.get(kind)
        return None if table is None else table.get(code)

    def area_name(self, code: str | None) -> str | None:
        """Name of a region or collectivity code."""
        if code is None:
            return None
        area = self.regions.get(code) or self.collectivities.get(code)
        return area.name if area else None


def load_geography(path: Path) -> Geography:
    """Read the compact geography file; a malformed file is a ContentError naming it."""
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
        return _build(raw)
    except (OSError, ValueError, KeyError, IndexError, TypeError) as exc:
        raise ContentError(path, None, f"cannot read the geography file ({exc}); run scripts/update_geo.py") from exc


def _build(raw: dict) -> Geography:
    com_codes = {code for code, _name, zone in raw["regions"] if zone == "com"}
    dep_region = {code: region for code, _name, region in raw["departments"]}
    populations: dict[str, int] = {}  # region / department / collectivity code -> population
    communes: dict[str, Place] = {}
    postcodes: dict[str, list[str]] = {}
    keys: dict[str, str] = {}
    for code, name, dep, codes, population, key in raw["communes"]:
        keys[code] = key
        region = dep_region[dep]
        in_com = dep in com_codes
        communes[code] = Place("commune", code, name, region, dep, population)
        populations[region] = populations.get(region, 0) + population
        if not in_com:
            populations[dep] = populations.get(dep, 0) + population
        for postcode in codes:
            postcodes.setdefault(postcode, []).append(code)
    regions: dict[str, Place] = {}
    collectivities: dict[str, Place] = {}
    for code, name, zone in raw["regions"]:
        if zone == "com":
            collectivities[code] = Place("collectivity", code, name, code, None, populations.get(code, 0))
        else:
            regions[code] = Place("region", code, name, code, None, populations.get(code, 0))
    departments = {
        code: Place("department", code, name, region, code, populations.get(code, 0))
        for code, name, region in raw["departments"]
        if code not in com_codes
    }
    return Geography(
        source=raw["source"],
        regions=regions,
        collectivities=collectivities,
        departments=departments,
        communes=communes,
        commune_keys=keys,
        postcodes={k: tuple(v) for k, v in postcodes.items()},
    )
