"""The CRESS directory (knowledge/organisations/cress.yaml): validation and contact cards."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Literal

from pydantic import Field, ValidationError, field_validator, model_validator

from bot.content.models import Strict
from bot.content.yaml_source import ContentError, YamlDocument, read_yaml
from bot.replies import ContactCard

URL_RE = re.compile(r"^https?://[^\s]+$")
EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[a-z]{2,}$")
PHONE_RE = re.compile(r"^\+?[0-9][0-9 .]{7,}[0-9]$")
CODE_RE = re.compile(r"^[0-9]{2,3}$")


def _check_urls(urls: list[str]) -> list[str]:
    for url in urls:
        if not URL_RE.match(url):
            raise ValueError(f"not a URL: {url!r}")
    return urls


class Fact(Strict):
    """A contact value and the pages it was read on."""

    value: str = Field(min_length=1)
    sources: list[str] = Field(min_length=1)

    _urls = field_validator("sources")(_check_urls)


class Website(Fact):
    @field_validator("value")
    @classmethod
    def _url(cls, value: str) -> str:
        if not URL_RE.match(value):
            raise ValueError("a website must be an http(s) URL")
        return value


class Email(Fact):
    @field_validator("value")
    @classmethod
    def _email(cls, value: str) -> str:
        if not EMAIL_RE.match(value):
            raise ValueError("not an email address")
        return value


class Phone(Fact):
    @field_validator("value")
    @classmethod
    def _phone(cls, value: str) -> str:
        if not PHONE_RE.match(value):
            raise ValueError("not a phone number")
        return value


class National(Strict):
    id: str
    name: str
    official_name: str
    lines: list[str] = Field(default_factory=list)
    website: Website
    sources: list[str] = Field(min_length=1)
    last_verified: dt.date

    _urls = field_validator("sources")(_check_urls)


class Cress(Strict):
    region_code: str
    region: str
    name: str
    official_name: str
    # active; liquidated: never send people there; uncertain: existence not confirmed.
    status: Literal["active", "liquidated", "uncertain"]
    lines: list[str] = Field(default_factory=list)
    website: Website | None = None
    email: Email | None = None
    phone: Phone | None = None
    address: Fact | None = None
    sources: list[str] = Field(min_length=1)
    last_verified: dt.date

    _urls = field_validator("sources")(_check_urls)

    @field_validator("region_code")
    @classmethod
    def _code(cls, value: str) -> str:
        if not CODE_RE.match(value):
            raise ValueError("a region code has 2 digits (INSEE code)")
        return value

    @model_validator(mode="after")
    def _closed_has_no_contact(self) -> Cress:
        if self.status != "active":
            if any((self.website, self.email, self.phone, self.address)):
                raise ValueError(f"a CRESS with status {self.status} must not show contacts")
            if not self.lines:
                raise ValueError(f"a CRESS with status {self.status} needs lines explaining it")
        return self

    @property
    def has_contact(self) -> bool:
        return any((self.website, self.email, self.phone, self.address))


class NoCress(Strict):
    code: str
    territory: str
    lines: list[str] = Field(min_length=1)
    sources: list[str] = Field(default_factory=list)
    last_verified: dt.date

    _urls = field_validator("sources")(_check_urls)


class CressFile(Strict):
    national: National
    cress: list[Cress] = Field(min_length=1)
    no_cress: list[NoCress] = Field(default_factory=list)


class Directory:
    """Who to contact for a region code: the CRESS, or ESS France when there is none to send to."""

    def __init__(self, data: CressFile, path: Path) -> None:
        self.data = data
        self.path = path
        self.national = data.national
        self.by_region = {c.region_code: c for c in data.cress}
        self.no_cress = {n.code: n for n in data.no_cress}

    def national_card(self, lines: tuple[str, ...] = ()) -> ContactCard:
        return ContactCard(
            title=self.national.name,
            lines=(*lines, *self.national.lines),
            website=self.national.website.value,
        )

    def card(self, region_code: str | None) -> ContactCard:
        """The card for a region or collectivity code; ESS France for anything else."""
        cress = self.by_region.get(region_code or "")
        if cress is None:
            other = self.no_cress.get(region_code or "")
            return self.national_card(tuple(other.lines) if other else ())
        if cress.status != "active":
            # Liquidated or not confirmed: the lines say so and the contacts are ESS France's.
            return self.national_card(tuple(cress.lines))
        lines = [cress.official_name, *cress.lines]
        if not (cress.website or cress.email or cress.phone):  # nothing to reach them by: add ESS France
            lines.append(f"{self.national.name}, le réseau national des CRESS : {self.national.website.value}")
        return ContactCard(
            title=cress.name,
            lines=tuple(lines),
            website=cress.website.value if cress.website else None,
            email=cress.email.value if cress.email else None,
            phone=cress.phone.value if cress.phone else None,
            address=cress.address.value if cress.address else None,
        )


def _error(doc: YamlDocument, loc: tuple, message: str) -> ContentError:
    field_name = ".".join(str(p) for p in loc) or "(document)"
    return ContentError(doc.path, doc.line_of(loc), f"{field_name}: {message}")


def load_directory(path: Path, region_codes: set[str] | None = None, com_codes: set[str] | None = None) -> Directory:
    """Validate cress.yaml. The first problem raises a ContentError (file, line, field).

    With `region_codes`, every region must have an entry; with `com_codes`, every overseas
    collectivity listed must be a region-less territory of the geography.
    """
    doc = read_yaml(path)
    try:
        data = CressFile.model_validate(doc.data)
    except ValidationError as exc:
        err = exc.errors()[0]
        raise _error(doc, tuple(err["loc"]), err["msg"]) from exc
    seen: set[str] = set()
    for i, entry in enumerate(data.cress):
        if entry.region_code in seen:
            raise _error(doc, ("cress", i, "region_code"), f"region {entry.region_code} appears twice")
        if region_codes is not None and entry.region_code not in region_codes:
            raise _error(doc, ("cress", i, "region_code"), f"unknown region code {entry.region_code}")
        seen.add(entry.region_code)
    for i, other in enumerate(data.no_cress):
        if other.code in seen:
            raise _error(doc, ("no_cress", i, "code"), f"code {other.code} appears twice")
        if com_codes is not None and other.code not in com_codes:
            raise _error(doc, ("no_cress", i, "code"), f"{other.code} is not an overseas collectivity")
        seen.add(other.code)
    if region_codes is not None:
        missing = sorted(region_codes - seen)
        if missing:
            raise _error(doc, ("cress",), f"no entry for region(s) {', '.join(missing)}")
    return Directory(data, path)
