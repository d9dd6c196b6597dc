"""Read YAML while remembering the line of every value, so errors can point at it."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import yaml

# PyYAML is imported on the first file read, not at import: a start that reads the content from
# its cache (bot.startup_cache) reads no YAML at all.


class ContentError(Exception):
    """A content problem: always names the file, the line when known, and what is wrong."""

    def __init__(self, path: Path | str, line: int | None, message: str) -> None:
        self.path = Path(path)
        self.line = line
        self.message = message
        where = f"{self.path}:{line}" if line else f"{self.path}"
        super().__init__(f"{where}: {message}")


@dataclass
class YamlDocument:
    path: Path
    data: Any
    lines: dict[tuple[Any, ...], int]  # location path (keys and indexes) -> 1-based line

    def line_of(self, loc: tuple[Any, ...]) -> int | None:
        """Line of the deepest known prefix of `loc` (pydantic error locations)."""
        for end in range(len(loc), -1, -1):
            line = self.lines.get(tuple(loc[:end]))
            if line is not None:
                return line
        return None


def _construct(node: yaml.Node, loc: tuple[Any, ...], lines: dict[tuple[Any, ...], int], loader) -> Any:
    import yaml  # noqa: PLC0415 - see above (already loaded: read_yaml imported it)

    lines[loc] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        result: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            key = loader.construct_object(key_node, deep=True)
            if key in result:
                raise ContentError(
                    loader.name, key_node.start_mark.line + 1, f"key '{key}' appears twice in the same mapping"
                )
            result[key] = _construct(value_node, (*loc, key), lines, loader)
        return result
    if isinstance(node, yaml.SequenceNode):
        return [_construct(item, (*loc, i), lines, loader) for i, item in enumerate(node.value)]
    return loader.construct_object(node, deep=True)


def read_yaml(path: Path) -> YamlDocument:
    """Parse one YAML file; syntax errors become ContentError with the line."""
    import yaml  # noqa: PLC0415 - see above

    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ContentError(path, None, f"cannot read file: {exc}") from exc
    # libyaml's parser when PyYAML was built with it: parsing is most of a cold start otherwise.
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)(text)
    loader.name = str(path)
    try:
        node = loader.get_single_node()
        lines: dict[tuple[Any, ...], int] = {}
        data = None if node is None else _construct(node, (), lines, loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        raise ContentError(path, line, f"invalid YAML: {exc.problem or exc.context}") from exc
    except yaml.YAMLError as exc:
        raise ContentError(path, None, f"invalid YAML: {exc}") from exc
    finally:
        loader.dispose()
    return YamlDocument(path=path, data=data, lines=lines)
