"""The French bot texts of bot/messages.yaml, loaded once and validated."""

from __future__ import annotations

from pathlib import Path

from bot.content.yaml_source import ContentError, read_yaml

MESSAGES_FILE = Path(__file__).with_name("messages.yaml")


class Messages:
    def __init__(self, texts: dict[str, str]) -> None:
        self._texts = texts

    @classmethod
    def load(cls, path: Path = MESSAGES_FILE) -> Messages:
        doc = read_yaml(path)
        if not isinstance(doc.data, dict):
            raise ContentError(path, 1, "expected a mapping of message keys to French texts")
        for key, value in doc.data.items():
            if not isinstance(value, str) or not value.strip():
                raise ContentError(path, doc.line_of((key,)), f"message '{key}' must be a non-empty text")
        return cls(dict(doc.data))

    def keys(self) -> set[str]:
        return set(self._texts)

    def __call__(self, key: str, **values: object) -> str:
        text = self._texts[key]
        if values:
            # Only named fields; a missing value is a bug in the caller, so let it raise.
            # (`str.format_map` parses as `string.Formatter().vformat(text, (), values)`, in C.)
            return text.format_map(values)
        return text
