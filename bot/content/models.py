"""Pydantic models of the YAML content: knowledge entries and intents.

The vocabularies below are shared by the knowledge entries (eligibility), the guided
orientation (slots) and the catalogue (themes): one list each, here.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

# Who the person or organisation is (slot "who" of the guided orientation).
Structure = Literal[
    "porteur_individuel",
    "association",
    "cooperative",
    "entreprise_ess",
    "structure_insertion",
    "collectivite",
]
# Where the project stands (slot "stage").
Stage = Literal["idee", "creation", "developpement", "difficulte", "changement_echelle", "reprise"]
# What the person needs (slot "need").
Need = Literal[
    "accompagnement",
    "financement",
    "statut",
    "emploi_insertion",
    "locaux_foncier",
    "cooperation_territoriale",
]
# Catalogue menus (/dispositifs): the needs users browse by, plus one for local authorities.
Theme = Literal[
    "accompagnement",
    "financement",
    "statut",
    "emploi_insertion",
    "cooperation_territoriale",
    "collectivites",
]
# Roughly how many employees an organisation has (slot "employees"): none means run by volunteers.
Employees = Literal["aucun", "quelques", "nombreux"]
# Whether the person arrives with a project of their own, or starts from a need of the territory
# and is looking for a project (slot "project").
ProjectStatus = Literal["projet", "besoin"]
# The criterion an entry's `exclusion` line explains ("other": a caveat the orientation cannot
# check, never shown as the reason a scheme was set aside).
Criterion = Literal["who", "stage", "employees", "project", "other"]
Level = Literal["europeen", "national", "regional", "departemental", "local"]
Kind = Literal["scheme", "actor", "legal_form", "topic", "faq"]

ID_PATTERN = re.compile(r"^[a-z0-9_]+$")
# "Dispositif clos <closing>": a time phrase with its own preposition.
CLOSING_PHRASE = re.compile(r"^(depuis|en|le|à|au|fin|après|dès) \S")
MAX_ANSWER_CHARS = 1000


def _check_slug(cls: type, value: str) -> str:
    if not ID_PATTERN.match(value):
        raise ValueError("an id uses only a-z, 0-9 and _")
    return value


class Strict(BaseModel):
    # Validators are built on first validation, not at import: a start that reads the content
    # from its cache (bot.startup_cache) never validates, and skips building them.
    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)


class Status(Strict):
    """Whether a scheme can still be used; shown to users."""

    state: Literal["active", "closed", "uncertain"] = "active"
    since: str | None = None  # free date text as the source gives it: "2002", "2 octobre 2025"
    until: str | None = None  # closing date or announced end, as the source gives it
    # When a closed scheme closed, as it reads after "Dispositif clos": "depuis l'été 2020".
    closing: str | None = None
    note: str | None = None  # what is known / uncertain, in French, shown to users
    instead: list[str] = Field(default_factory=list)  # entries to look at instead (closed schemes)

    @field_validator("closing")
    @classmethod
    def _closing_reads_as_a_phrase(cls, value: str | None) -> str | None:
        if value is None:
            return value
        if not CLOSING_PHRASE.match(value) or "  " in value or value.rstrip().endswith((".", ";", ",", ":")):
            raise ValueError(
                "closing is a phrase that follows 'Dispositif clos', such as \"depuis l'été 2020\""
                " or \"le 31 août 2021\", without a final full stop"
            )
        return value.strip()

    @model_validator(mode="after")
    def _closed_says_when(self) -> Status:
        if self.state == "closed" and not self.closing:
            raise ValueError("a closed scheme says when it closed in 'closing' (\"depuis l'été 2020\")")
        return self


class Eligibility(Strict):
    """Who a scheme is for; the guided orientation reads this, never Python ifs."""

    structures: list[Structure] = Field(default_factory=list)
    stages: list[Stage] = Field(default_factory=list)
    needs: list[Need] = Field(default_factory=list)
    levels: list[Level] = Field(default_factory=list)
    # Empty means "any": employers only, volunteer-run only, people without a project of their own...
    employees: list[Employees] = Field(default_factory=list)
    project: list[ProjectStatus] = Field(default_factory=list)
    # One French line explaining the main exclusion, shown when the scheme is set aside:
    # "Le DLA s'adresse aux structures déjà employeuses."
    exclusion: str | None = None
    # Which criterion that line explains: it is shown only to a profile that misses the scheme on
    # exactly this criterion, so that the reason given is the reason that applies.
    exclusion_about: Criterion = "who"


class Source(Strict):
    """Where a fact was read: a link a user can open, or a seed document, with the passage.

    Written in YAML either as a plain string ("https://...", "seed:003_x.txt (section)") or as
    a mapping `{url: ..., quote: "...", read: 2026-12-02}` / `{document: "seed:...", quote: ...}`.
    `quote` is the short passage that supports the entry's figures, dates and contacts.
    """

    url: str | None = None
    document: str | None = None
    quote: str | None = None
    read: dt.date | None = None  # the day this source was read

    @model_validator(mode="before")
    @classmethod
    def _from_string(cls, value: object) -> object:
        if isinstance(value, str):
            value = value.strip()
            return {"url": value} if value.startswith(("https://", "http://")) else {"document": value}
        return value

    @model_validator(mode="after")
    def _one_origin(self) -> Source:
        if bool(self.url) == bool(self.document):
            raise ValueError("a source has exactly one of 'url' or 'document', not empty")
        if self.url and not self.url.startswith(("https://", "http://")):
            raise ValueError("a source url must be an http(s) URL")
        return self

    @property
    def ref(self) -> str:
        """The url or the document's name, as one string."""
        return self.url or self.document or ""


class Entry(Strict):
    """One scheme, actor, legal form, topic or FAQ answer: one YAML file in knowledge/."""

    id: str
    kind: Kind
    name: str
    acronyms: list[str] = Field(default_factory=list)
    aliases: list[str] = Field(default_factory=list)
    summary: str = Field(max_length=240)
    answer: str
    next_step: str | None = None
    link: str | None = None
    status: Status = Status()
    eligibility: Eligibility | None = None
    themes: list[Theme] = Field(default_factory=list)
    see_also: list[str] = Field(default_factory=list)
    # Actors through which people get this scheme or form (the Adie for the microcredit, the
    # URSCOP for a Scop): in the orientation, words that point to the entry point to them too.
    delivered_by: list[str] = Field(default_factory=list)
    sources: list[Source] = Field(min_length=1)
    # The day the entry's sources were last read (not the day the file was written).
    last_verified: dt.date

    _id_is_slug = field_validator("id")(_check_slug)

    @field_validator("answer")
    @classmethod
    def _answer_fits(cls, value: str) -> str:
        if len(value) > MAX_ANSWER_CHARS:
            raise ValueError(f"answer has {len(value)} characters, at most {MAX_ANSWER_CHARS}")
        return value.strip()

    @field_validator("link")
    @classmethod
    def _link_is_url(cls, value: str | None) -> str | None:
        if value is not None and not value.startswith(("https://", "http://")):
            raise ValueError("link must be an http(s) URL")
        return value


Action = Literal["orientation", "catalogue", "cress", "out_of_scope"]


class Intent(Strict):
    """How people ask for one thing, and what answers them (exactly one of the three)."""

    id: str
    examples: list[str] = Field(min_length=1)
    knowledge: str | None = None  # id of a knowledge entry
    message: str | None = None  # key of a bot message (greetings, thanks...)
    action: Action | None = None  # a behaviour of the engine (start the orientation...)
    # Matched only when the whole message is one of the examples ("ok", "d'accord"): such short
    # replies are not taught to the model, where they would shift every other reading.
    whole_message_only: bool = False

    _id_is_slug = field_validator("id")(_check_slug)

    @model_validator(mode="after")
    def _one_answer(self) -> Intent:
        given = [k for k in ("knowledge", "message", "action") if getattr(self, k)]
        if len(given) != 1:
            raise ValueError("an intent answers with exactly one of knowledge, message or action")
        return self


class IntentFile(Strict):
    intents: list[Intent] = Field(min_length=1)


class LearnedFile(Strict):
    """intents/learned/<intent>.yaml: examples a curator added from real questions."""

    intent: str
    examples: list[str] = Field(min_length=1)


class SlotValue(Strict):
    label: str
    phrases: list[str] = Field(min_length=1)
    # Short replies that mean this value only as an answer to the slot's own question ("oui", "aucun").
    answers: list[str] = Field(default_factory=list)
    # How the value reads in "parce que vous êtes {who} {employees} {stage}" ("une association").
    why: str | None = None
    # Needs that come with this value whatever need is chosen: a structure in difficulty needs a
    # diagnosis as well as money.
    also_needs: list[Need] = Field(default_factory=list)


class SlotVocabulary(Strict):
    """How people say each value of the orientation's slots (intents/slots.yaml)."""

    who: dict[Structure, SlotValue]
    stage: dict[Stage, SlotValue]
    need: dict[Need, SlotValue]
    employees: dict[Employees, SlotValue]
    project: dict[ProjectStatus, SlotValue]


class Controls(Strict):
    """Phrases that steer the orientation: go back, start again, stop, skip the place."""

    back: list[str] = Field(min_length=1)
    restart: list[str] = Field(min_length=1)
    cancel: list[str] = Field(min_length=1)
    skip: list[str] = Field(min_length=1)
    more: list[str] = Field(default_factory=list)  # after the results: show the other schemes


class SlotsFile(Strict):
    slots: SlotVocabulary
    controls: Controls
