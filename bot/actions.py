"""Typed actions: what a button press or a deep link asks for, encoded and decoded here only.

A button carries `encode(action)` as its payload (short ASCII). Telegram wraps it as
callback_data `v1|<payload>` (`to_callback_data`/`from_callback_data`), which must fit 64
bytes; the version lets a later change of formats recognise old buttons still shown in chats.
Every payload in use is listed here, so old buttons keep working:

| action | payload |
|---|---|
| `OpenEntry("dla")` | `k:dla` |
| `AskIntent("cress_contact")` | `i:cress_contact` |
| `CatalogueTheme("financement")` | `t:financement` |
| `Catalogue()` | `cat` |
| `CressAsk()` | `cress` |
| `Menu()` | `menu` |
| `PickPlace("department", "29")` | `p:department:29` |
| `OrientationStep("set:who:association")` | `o:set:who:association` (parsed by the orientation) |
| `Feedback("dla", True)` / `Feedback("dla", False)` | `f:dla:1` / `f:dla:0` (👍 / 👎 under an answer) |
| `Stale()` | anything else, or a button of another version |

Deep links (`/start <argument>`, at most 64 characters A-Z a-z 0-9 _ -):

| argument | link |
|---|---|
| `dla` (a knowledge entry) | `DeepEntry("dla")` |
| `orienter` | `DeepOrientation()` |
| `cress_dep_01` | `DeepCress("department", "01")` (Ain) |
| `cress_reg_84` | `DeepCress("region", "84")` (Auvergne-Rhône-Alpes) |
| `cress_01` (older links) | `DeepCress(None, "01")`: the department when one has this code, else the region |
"""

from __future__ import annotations

from dataclasses import dataclass

CALLBACK_VERSION = "v1"
MAX_CALLBACK_BYTES = 64


@dataclass(frozen=True)
class OpenEntry:
    entry: str


@dataclass(frozen=True)
class AskIntent:
    intent: str


@dataclass(frozen=True)
class CatalogueTheme:
    theme: str


@dataclass(frozen=True)
class Catalogue:
    pass


@dataclass(frozen=True)
class CressAsk:
    pass


@dataclass(frozen=True)
class Menu:
    pass


@dataclass(frozen=True)
class PickPlace:
    kind: str
    code: str


@dataclass(frozen=True)
class OrientationStep:
    """The orientation's own payloads (`o:<value>`), which it parses itself."""

    value: str


@dataclass(frozen=True)
class Feedback:
    """👍 (`helpful`) or 👎 under the knowledge answer of an intent."""

    intent: str
    helpful: bool


@dataclass(frozen=True)
class Stale:
    """A button that no longer means anything (old format, unknown payload)."""


Action = (
    OpenEntry | AskIntent | CatalogueTheme | Catalogue | CressAsk | Menu | PickPlace | OrientationStep | Feedback
    | Stale
)
STALE_PAYLOAD = "stale"
_SINGLE = {"cat": Catalogue(), "cress": CressAsk(), "menu": Menu()}


def encode(action: Action) -> str:
    """The button payload of an action."""
    match action:
        case OpenEntry(entry):
            return f"k:{entry}"
        case AskIntent(intent):
            return f"i:{intent}"
        case CatalogueTheme(theme):
            return f"t:{theme}"
        case Catalogue():
            return "cat"
        case CressAsk():
            return "cress"
        case Menu():
            return "menu"
        case PickPlace(kind, code):
            return f"p:{kind}:{code}"
        case OrientationStep(value):
            return f"o:{value}"
        case Feedback(intent, helpful):
            return f"f:{intent}:{int(helpful)}"
        case _:
            return STALE_PAYLOAD


def decode(payload: str) -> Action:
    """The action of a button payload; `Stale()` for anything not understood."""
    if payload in _SINGLE:
        return _SINGLE[payload]
    kind, sep, value = payload.partition(":")
    if not sep or not value:
        return Stale()
    if kind == "k":
        return OpenEntry(value)
    if kind == "i":
        return AskIntent(value)
    if kind == "t":
        return CatalogueTheme(value)
    if kind == "o":
        return OrientationStep(value)
    if kind == "p":
        place_kind, sep, code = value.partition(":")
        return PickPlace(place_kind, code) if sep and code else Stale()
    if kind == "f":
        intent, sep, vote = value.rpartition(":")
        return Feedback(intent, vote == "1") if sep and intent and vote in ("0", "1") else Stale()
    return Stale()


# -- Telegram callback_data -------------------------------------------------------------------


def to_callback_data(payload: str) -> str | None:
    """`v1|<payload>`, or None when it would not fit Telegram's 64 bytes."""
    data = f"{CALLBACK_VERSION}|{payload}"
    return data if len(data.encode("utf-8")) <= MAX_CALLBACK_BYTES else None


def from_callback_data(data: str | None) -> str:
    """The payload of a button press. Unversioned data is passed as is (it decodes to what it
    says, or `Stale`); another version becomes the stale payload."""
    data = data or ""
    version, sep, payload = data.partition("|")
    if not sep:
        return data or STALE_PAYLOAD
    if version == CALLBACK_VERSION:
        return payload or STALE_PAYLOAD
    if version.startswith("v") and version[1:].isdigit():
        return STALE_PAYLOAD
    return data


# -- deep links -------------------------------------------------------------------------------


@dataclass(frozen=True)
class DeepEntry:
    entry: str


@dataclass(frozen=True)
class DeepOrientation:
    pass


@dataclass(frozen=True)
class DeepCress:
    kind: str | None  # "department", "region", or None for the older `cress_<code>` form
    code: str


DeepLink = DeepEntry | DeepOrientation | DeepCress


def decode_deep_link(argument: str) -> DeepLink | None:
    """What `/start <argument>` asks for; None when the argument means nothing to us."""
    payload = argument.strip().lower()
    if not payload:
        return None
    if payload in ("orienter", "orientation"):
        return DeepOrientation()
    for prefix, kind in (("cress_dep_", "department"), ("cress_reg_", "region"), ("cress_", None)):
        if payload.startswith(prefix):
            code = payload.removeprefix(prefix).upper()
            return DeepCress(kind, code) if code else None
    return DeepEntry(payload)


def encode_deep_link(link: DeepLink) -> str:
    match link:
        case DeepOrientation():
            return "orienter"
        case DeepCress("department", code):
            return f"cress_dep_{code.lower()}"
        case DeepCress("region", code):
            return f"cress_reg_{code.lower()}"
        case DeepCress(_, code):
            return f"cress_{code.lower()}"
        case DeepEntry(entry):
            return entry
    raise ValueError(f"not a deep link: {link!r}")


# -- commands ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Command:
    """A command the engine answers; doors show `description` (a messages.yaml key)."""

    name: str
    description: str


COMMANDS: tuple[Command, ...] = tuple(
    Command(name, f"command_{name}")
    for name in ("start", "aide", "orienter", "cress", "dispositifs", "annuler", "oublier")
)
