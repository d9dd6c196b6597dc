"""Find the place a normalised message mentions: postal codes, department numbers, names.

How it decides, in order:
1. Postal codes (5 digits, "29 200" too) always count, unless the number reads as an amount
   ("un pret de 15000", "20000 euros"). Department numbers ("29", "2a", "974") count after a
   context word ("le 29", "dans le 29", "dept 29", "cress 29"); when a place is expected, a bare
   number counts too if it ends the message or stands among answer words.
2. Names are looked up exactly, longest first, over the official names of regions, departments,
   collectivities and communes plus short forms and former regions (lexicon.py), with "st"/"ste"
   read as "saint"/"sainte" and "au Havre" read as "le Havre". A name that is also an ordinary
   French word ("Tours", "Plaisir", "le Port", "la Manche") counts only after a place word
   ("a", "au", "en", "dans le"...), when it is the whole message, or when a place is expected and
   the rest of the message is only answer words ("je suis a", "dans le"; lexicon.ANSWER_FILLERS).
3. Only when nothing matched exactly: typos, with rapidfuzz's OSA distance (1 edit up to 7
   letters, 2 from 8), only after a place word or when a place is expected, only for words of
   5 letters or more that are not common words, and only towards regions, departments and
   communes of FUZZY_MIN_POPULATION inhabitants or more whose names are not ordinary words.
4. Several places in one message: an ambiguous name is narrowed by another place ("Saint-Denis
   974", "Valence dans la Drome"); places nested in each other give the most precise one
   ("Brest en Bretagne"); unrelated places are all returned, as an ambiguity to ask about.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from rapidfuzz import process
from rapidfuzz.distance import OSA

from bot.territory import lexicon as lx
from bot.territory.places import Geography, Place, PlaceMatch

MAX_CANDIDATES = 6
FUZZY_MIN_POPULATION = 2_000
FUZZY_MIN_LENGTH = 5  # letters of the typed words, spaces excluded
# Token spellings read as another: "st denis" is "saint denis".
CANONICAL_TOKENS = {"st": "saint", "ste": "sainte", "sts": "saints", "stes": "saintes"}
# "au Havre" is "a le Havre", "aux Herbiers" is "a les Herbiers".
CONTRACTED_ARTICLES = {"au": "le", "du": "le", "aux": "les", "des": "les"}
# Context words that point at a town rather than a region or department, and the reverse.
TOWN_PREPOSITIONS = frozenset({"a", "au", "aux", "sur", "ville", "commune", "pres", "proche"})
AREA_PREPOSITIONS = frozenset({"en", "dans", "departement", "dept", "dep", "dpt", "region"})
# Words that may come before a place that is the whole message: "et Brest ?", "cress Tours".
WHOLE_MESSAGE_LEAD = frozenset({"et", "ou", "cress", "de", "la", "pour"})
FUZZY_CONTEXT = lx.COMMUNE_CONTEXT | lx.AREA_CONTEXT
KIND_ORDER = {"commune": 3, "department": 2, "collectivity": 1, "region": 0}


def canonical(name: str) -> str:
    tokens = name.split()
    if not any(t in CANONICAL_TOKENS for t in tokens):
        return name
    return " ".join(CANONICAL_TOKENS.get(t, t) for t in tokens)


@dataclass
class _Hit:
    start: int
    end: int  # exclusive token index
    places: tuple[Place, ...]
    strict: bool  # False: seen without the context it needs; only used to narrow another hit
    text: str


class Matcher:
    def __init__(
        self,
        geo: Geography,
        ordinary_words: Iterable[str],
        normalize,
        confusable_words: Iterable[str] = (),
    ) -> None:
        self.geo = geo
        self.ordinary = frozenset(ordinary_words) | lx.STOPWORDS | lx.FIRST_NAMES
        # Dictionary words one or two edits away from a place ("porteurs" / Portets): never typos.
        self.confusable = frozenset(confusable_words) | lx.NEVER_FUZZY | lx.FIRST_NAMES
        self.area_names: dict[str, list[Place]] = {}
        self.commune_names: dict[str, list[Place]] = {}
        self.numbers: dict[str, Place] = {}
        self._fuzzy_buckets: dict[tuple[str, int], list[str]] | None = None
        self._build(normalize)

    # ------------------------------------------------------------------ index
    def _build(self, normalize) -> None:
        def add(table: dict[str, list[Place]], name: str, place: Place, key: str | None = None) -> None:
            key = canonical(key if key is not None else normalize(name))
            if key:
                entries = table.setdefault(key, [])
                if place not in entries:
                    entries.append(place)

        for place in self.geo.regions.values():
            add(self.area_names, place.name, place)
        for place in self.geo.collectivities.values():
            add(self.area_names, place.name, place)
        for place in self.geo.departments.values():
            add(self.area_names, place.name, place)
            self.numbers[place.code.lower()] = place
        for place in self.geo.collectivities.values():
            self.numbers[place.code] = place
        for alias, code in lx.REGION_ALIASES.items():
            add(self.area_names, alias, self.geo.regions[code])
        for alias, code in lx.DEPARTMENT_ALIASES.items():
            place = self.geo.departments.get(code) or self.geo.collectivities[code]
            add(self.area_names, alias, place)
        keys = self.geo.commune_keys
        for code, place in self.geo.communes.items():
            add(self.commune_names, place.name, place, keys.get(code))
        for places in (*self.area_names.values(), *self.commune_names.values()):
            places.sort(key=lambda p: -p.population)
        self.max_tokens = max(len(name.split()) for name in (*self.area_names, *self.commune_names))
        # The first words of the names of several words: with the one-word names and the
        # contracted articles, the only words a name can start at (see `_name_hits`).
        self.first_words = frozenset(
            name.split(" ", 1)[0] for name in (*self.area_names, *self.commune_names) if " " in name
        )
        self.commune_needing_context = {
            name
            for name, places in self.commune_names.items()
            if self._is_ordinary(name)
            and (places[0].population < lx.FREE_POPULATION or name in lx.COMMUNES_ALWAYS_NEEDING_CONTEXT)
        }
        self.commune_needing_context |= lx.COMMUNES_ALWAYS_NEEDING_CONTEXT

    def _is_ordinary(self, name: str) -> bool:
        tokens = name.split()
        if tokens[0] in ("saint", "sainte", "saints", "saintes"):
            return False
        if len(tokens) == 1 and len(name) <= 3:
            return True
        return all(t in self.ordinary for t in tokens)

    def _fuzzy_index(self) -> dict[tuple[str, int], list[str]]:
        if self._fuzzy_buckets is None:
            buckets: dict[tuple[str, int], list[str]] = {}
            names = [n for n in self.area_names if n not in lx.AREA_NAMES_NEEDING_CONTEXT]
            names += [
                n
                for n, places in self.commune_names.items()
                if places[0].population >= FUZZY_MIN_POPULATION and n not in self.commune_needing_context
            ]
            for name in names:
                buckets.setdefault((name[0], len(name)), []).append(name)
            self._fuzzy_buckets = buckets
        return self._fuzzy_buckets

    # ------------------------------------------------------------------ find
    def find(self, text: str, expect_place: bool = False) -> PlaceMatch | None:
        typed = text.split()
        tokens = [CANONICAL_TOKENS.get(t, t) for t in typed]
        if not tokens:
            return None
        hits = self._number_hits(tokens, expect_place) + self._name_hits(tokens, expect_place)
        self._extend_with_fuzzy(tokens, hits)
        if not any(h.strict for h in hits):
            fuzzy = self._fuzzy_hit(tokens, expect_place)
            if fuzzy is None:
                return None
            hits.append(fuzzy)
        for hit in hits:
            # The words as typed ("st etienne", "29 200"): callers find them in the message.
            hit.text = " ".join(typed[hit.start : hit.end])
        return self._resolve(hits)

    def _context(self, tokens: list[str], start: int) -> str | None:
        """The word before position `start`, skipping articles ("dans LE 29" -> "dans")."""
        i = start - 1
        while i >= 0 and tokens[i] in lx.CONTEXT_FILLERS and i >= start - 2:
            i -= 1
        return tokens[i] if i >= 0 else None

    def _number_hits(self, tokens: list[str], expect_place: bool) -> list[_Hit]:
        hits: list[_Hit] = []
        skip_to = 0
        for i, token in enumerate(tokens):
            if i < skip_to or not token[:1].isdigit():
                continue
            before = tokens[i - 1] if i else None
            code, end = token, i + 1
            if _is_split_postcode(tokens, i):
                code, end = token + tokens[i + 1], i + 2  # "29 200"
            after = tokens[end] if end < len(tokens) else None
            among_numbers = (before or "x")[:1].isdigit() or (after or "x")[:1].isdigit()  # "30000 10000"
            if len(code) == 5 and code.isdigit():
                communes = self.geo.postcodes.get(code)
                if communes:
                    strict = (
                        before not in lx.NOT_A_POSTCODE_BEFORE
                        and after not in lx.NOT_A_PLACE_AFTER_NUMBER
                        and not among_numbers
                    )
                    places = self._postcode_places(communes)
                    hits.append(_Hit(i, end, places, strict, code))
                    skip_to = end
                continue
            number = token if len(token) != 1 else "0" + token
            place = self.numbers.get(number)
            if place is None:
                continue
            a_day = (before == "le" and i >= 2 and tokens[i - 2] not in lx.PLACE_BEFORE_LE
                     and any(t in lx.DATE_BEFORE_LE for t in tokens[max(0, i - 4):i - 1]))
            if after in lx.NOT_A_PLACE_AFTER_NUMBER or among_numbers or a_day:
                strict = False
            elif len(token) == 1:
                strict = before in ("departement", "dept", "dep", "dpt") or (
                    expect_place and _only_fillers(tokens, i, i + 1)
                )
            else:
                strict = before in lx.NUMBER_CONTEXT or (
                    expect_place and (_only_fillers(tokens, i, i + 1) or i == len(tokens) - 1)
                )
            hits.append(_Hit(i, i + 1, (place,), strict, token))
        return hits

    def _postcode_places(self, insee_codes: tuple[str, ...]) -> tuple[Place, ...]:
        """One commune per department: the most populated commune with that postal code there."""
        best: dict[str, Place] = {}
        for code in insee_codes:
            commune = self.geo.communes[code]
            kept = best.get(commune.department_code or "")
            if kept is None or commune.population > kept.population:
                best[commune.department_code or ""] = commune
        return tuple(sorted(best.values(), key=lambda p: -p.population))

    def _name_hits(self, tokens: list[str], expect_place: bool) -> list[_Hit]:
        hits: list[_Hit] = []
        i = 0
        n_tokens = len(tokens)
        while i < n_tokens:
            token = tokens[i]
            if not (token in self.first_words or token in self.area_names or token in self.commune_names
                    or token in CONTRACTED_ARTICLES):
                i += 1  # no name starts with this word: nothing to look up here
                continue
            found = False
            for n in range(min(self.max_tokens, n_tokens - i), 0, -1):
                words = tokens[i : i + n]
                if words[0].isdigit():
                    break
                hit = self._lookup(tokens, i, words, expect_place)
                if hit is None:
                    continue
                hits.append(hit)
                if hit.strict:
                    i = hit.end
                    found = True
                    break
            if not found:
                i += 1
        return hits

    def _lookup(self, tokens: list[str], i: int, words: list[str], expect_place: bool) -> _Hit | None:
        name = " ".join(words)
        areas = self.area_names.get(name, [])
        communes = self.commune_names.get(name, [])
        contracted = False
        if not areas and not communes and words[0] in CONTRACTED_ARTICLES and len(words) > 1:
            # "au havre" -> "le havre"; the contracted article is itself the context word.
            name = " ".join([CONTRACTED_ARTICLES[words[0]], *words[1:]])
            areas = self.area_names.get(name, [])
            communes = self.commune_names.get(name, [])
            contracted = True
        if not areas and not communes:
            return None
        if contracted:
            context, town_context_at = words[0], i
        else:  # towns take no article before them: "a Tours", not "a la Tours"
            context, town_context_at = self._context(tokens, i), i - 1
        end = i + len(words)
        free = len(name) > 2 and (
            self._is_whole_message(tokens, i, end) or (expect_place and _only_fillers(tokens, i, end))
        )
        surname = i > 0 and tokens[i - 1] in lx.FIRST_NAMES
        ok_areas = areas if (free or (not surname and self._area_ok(name, context))) else []
        ok_communes = communes if (free or (not surname and self._commune_ok(name, tokens, town_context_at))) else []
        places = self._prefer(ok_areas, ok_communes, context)
        if places:
            return _Hit(i, end, places, True, " ".join(words))
        return _Hit(i, end, tuple(areas + communes), False, " ".join(words))

    def _commune_ok(self, name: str, tokens: list[str], at: int) -> bool:
        """`at` is the index of the word just before the town name (its context word)."""
        if name not in self.commune_needing_context:
            return True
        context = tokens[at] if at >= 0 else None
        if context in ("de", "d") and at >= 1 and tokens[at - 1] in NEAR_WORDS:
            return True  # "pres de Rodez", "a cote de Tours"
        if context not in lx.COMMUNE_CONTEXT:
            return False
        if context in ("au", "aux") and name.split()[0] not in ("le", "les"):
            return False  # "adjointe au maire": "au" stands for "le"/"les" only ("au Havre")
        if context == "a" and name.split()[0] in ("l", "la", "le", "les"):
            return False  # "a la campagne", "a l echelle": only with a stronger context
        if context == "a" and at >= 1:
            # "a" may be the verb: "la loi a change" is not a town called Change.
            return tokens[at - 1] in lx.PLACE_VERBS
        return True

    def _area_ok(self, name: str, context: str | None) -> bool:
        if name in lx.AREA_NAMES_NEEDING_STRICT_CONTEXT:
            return context in lx.STRICT_CONTEXT
        if name in lx.AREA_NAMES_NEEDING_CONTEXT:
            return context in lx.AREA_CONTEXT
        return True

    @staticmethod
    def _is_whole_message(tokens: list[str], start: int, end: int) -> bool:
        return end == len(tokens) and all(t in WHOLE_MESSAGE_LEAD for t in tokens[:start])

    @staticmethod
    def _prefer(areas: list[Place], communes: list[Place], context: str | None) -> tuple[Place, ...]:
        """Choose between a region/department and towns of the same name ("Vienne", "Paris")."""
        if areas and communes:
            if context in TOWN_PREPOSITIONS:
                # "a Paris", "a Vienne": the town; but "a la Reunion", "a Saint-Martin": islands.
                areas = [a for a in areas if a.kind != "department"]
            elif context in AREA_PREPOSITIONS:
                communes = []
            if areas:
                # A hamlet named like a region or collectivity (La Reunion, Lot-et-Garonne) is noise.
                floor = max(a.population for a in areas) / 100
                communes = [c for c in communes if c.population >= floor]
        # A town inside the area of the same name adds nothing (Paris the department and the
        # town; Guadeloupe the region and the department).
        kept_areas = [a for a in areas if not any(b is not a and b.contains(a) for b in areas)]
        kept = kept_areas + [c for c in communes if not any(a.contains(c) for a in kept_areas)]
        return tuple(kept)

    def _fuzzy_hit(self, tokens: list[str], expect_place: bool) -> _Hit | None:
        """Best misspelt place after a place word, when a place is expected, or as the whole message."""
        best = None
        for i in range(len(tokens)):
            if self._context(tokens, i) in FUZZY_CONTEXT or (expect_place and _only_fillers(tokens, i, i)):
                found = self._fuzzy_at(tokens, i, (3, 2, 1), None)
            elif all(t in WHOLE_MESSAGE_LEAD for t in tokens[:i]):
                # A lone misspelt name ("bertagne"): one edit at most, as the whole message.
                found = self._fuzzy_at(tokens, i, (len(tokens) - i,), 1)
            else:
                continue
            if found is not None and (best is None or found < best):
                best = found
        return None if best is None else self._fuzzy_to_hit(tokens, best)

    def _extend_with_fuzzy(self, tokens: list[str], hits: list[_Hit]) -> None:
        """A name found exactly may be the start of a longer misspelt one: "clermont ferand"."""
        for k, hit in enumerate(hits):
            if not hit.strict or hit.text[:1].isdigit():
                continue
            n = hit.end - hit.start
            found = self._fuzzy_at(tokens, hit.start, (n + 2, n + 1), None)
            if found is not None:
                hits[k] = self._fuzzy_to_hit(tokens, found)

    def _fuzzy_at(
        self, tokens: list[str], i: int, lengths: tuple[int, ...], max_distance: int | None
    ) -> tuple[int, int, int, str, int, int] | None:
        """(distance, -letters, -population, name, start, end) of the closest name, or None."""
        buckets = self._fuzzy_index()
        best = None
        for n in lengths:
            words = tokens[i : i + n]
            if len(words) < n or n < 1 or words[0] in lx.STOPWORDS or words[-1] in lx.STOPWORDS:
                continue
            if any(w.isdigit() or w in lx.NEVER_FUZZY for w in words):
                continue
            if all(w in self.confusable or w in self.ordinary for w in words):
                continue  # real words, not a misspelt place: "grande", "porteurs", "la moyenne"
            query = " ".join(words)
            letters = len(query) - (n - 1)
            if letters < FUZZY_MIN_LENGTH or query in self.area_names or query in self.commune_names:
                continue
            allowed = 1 if letters < 8 else 2
            if max_distance is not None:
                allowed = min(allowed, max_distance)
            choices = [
                name
                for length in range(len(query) - allowed, len(query) + allowed + 1)
                for name in buckets.get((query[0], length), ())
            ]
            if not choices:
                continue
            for name, distance, _ in process.extract(
                query, choices, scorer=OSA.distance, score_cutoff=allowed, limit=None
            ):
                places = self.area_names.get(name) or self.commune_names[name]
                key = (int(distance), -letters, -places[0].population, name, i, i + n)
                if best is None or key < best:
                    best = key
        return best

    def _fuzzy_to_hit(self, tokens: list[str], found: tuple[int, int, int, str, int, int]) -> _Hit:
        name, start, end = found[3], found[4], found[5]
        areas = self.area_names.get(name, [])
        places = self._prefer(areas, self.commune_names.get(name, []), self._context(tokens, start))
        return _Hit(start, end, places, True, " ".join(tokens[start:end]))

    # ------------------------------------------------------------------ resolve
    def _resolve(self, hits: list[_Hit]) -> PlaceMatch | None:
        strict = [h for h in hits if h.strict]
        # Narrow an ambiguous hit with any other place of the message, strict or not.
        for hit in strict:
            if len(hit.places) < 2:
                continue
            for other in hits:
                if other is hit:
                    continue
                narrowed = tuple(p for p in hit.places if any(_related(p, q) for q in other.places))
                if narrowed and len(narrowed) < len(hit.places):
                    hit.places = narrowed
                    hit.text = " ".join(h.text for h in sorted((hit, other), key=lambda h: h.start))
                    other.strict = False  # absorbed
                    break
        strict = [h for h in hits if h.strict]
        if not strict:
            return None
        # The most precise hit, if every other hit is compatible with it.
        best = max(strict, key=lambda h: (max(KIND_ORDER[p.kind] for p in h.places), h.end - h.start))
        if all(any(_related(p, q) for p in best.places for q in h.places) for h in strict):
            texts = [h.text for h in sorted(strict, key=lambda h: h.start)]
            return PlaceMatch(_cap(best.places), " ".join(texts))
        places: list[Place] = []
        for h in strict:
            places.extend(p for p in h.places if p not in places)
        texts = [h.text for h in sorted(strict, key=lambda h: h.start)]
        return PlaceMatch(_cap(places), " ".join(texts))


# "pres de", "proche de", "a cote de": the town follows "de".
NEAR_WORDS = frozenset({"pres", "proche", "cote"})


def _only_fillers(tokens: list[str], start: int, end: int) -> bool:
    """True when every token outside [start, end) is an answer filler ("je suis a", "dans le")."""
    return all(t in lx.ANSWER_FILLERS for k, t in enumerate(tokens) if k < start or k >= end)


def _is_split_postcode(tokens: list[str], i: int) -> bool:
    """ "29 200" is a postal code; "30 000 entreprises" is a number."""
    if len(tokens[i]) != 2 or i + 1 >= len(tokens):
        return False
    nxt = tokens[i + 1]
    return len(nxt) == 3 and nxt.isdigit() and nxt != "000"


def _related(a: Place, b: Place) -> bool:
    return a.contains(b) or b.contains(a)


def _cap(places: Iterable[Place]) -> tuple[Place, ...]:
    unique: list[Place] = []
    for p in places:
        if p not in unique:
            unique.append(p)
    unique.sort(key=lambda p: -p.population)
    return tuple(unique[:MAX_CANDIDATES])
