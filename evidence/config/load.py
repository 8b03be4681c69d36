"""Reading evidence.toml into :class:`Config`, with errors that name the file, the key and the line."""

from __future__ import annotations

import re
import tomllib
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from evidence.config.schema import Config
from evidence.errors import ConfigError

DEFAULT_CONFIG = Path("evidence.toml")


def load_config(path: Path | str = DEFAULT_CONFIG) -> Config:
    """Read and validate a config file; every problem is a ConfigError with one clear line."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(
            f"{path}: config file not found (create one with `evidence init`)"
        ) from None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read config: {exc.strerror}") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: malformed TOML: {exc}") from None
    try:
        config = Config.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(describe_validation_error(path, exc, text=text)) from None
    config.path = path.resolve()
    return config


def describe_validation_error(
    path: Path | str, exc: ValidationError, text: str | None = None, prefix: Sequence[Any] = ()
) -> str:
    """One line per problem: ``file:line: key.path: what is wrong``."""
    lines = []
    for error in exc.errors():
        loc = [*prefix, *error["loc"]]
        key = dotted(loc)
        line = locate_key(text, loc) if text is not None else None
        where = f"{path}:{line}" if line else str(path)
        if error["type"] == "extra_forbidden":
            message = "unknown key"
        elif error["type"] == "missing":
            message = "required key is missing"
        else:
            message = error["msg"].removeprefix("Value error, ")
        lines.append(f"{where}: {key}: {message}" if key else f"{where}: {message}")
    return "\n".join(lines)


def dotted(loc: Sequence[Any]) -> str:
    """``sources[2].paths`` from pydantic's ``('sources', 2, 'paths')``."""
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


_HEADER = re.compile(r"^\s*\[\[?\s*([^\]]+?)\s*\]\]?\s*(?:#.*)?$")
_KEY = re.compile(r"^\s*([\w\"'.-]+)\s*=")


def locate_key(text: str | None, loc: Sequence[Any]) -> int | None:
    """Best-effort line number of the key at ``loc`` in a TOML text (None when not found)."""
    if not text:
        return None
    names = [str(p) for p in loc if not isinstance(p, int)]
    if not names:
        return None
    wanted_index = next((p for p in loc if isinstance(p, int)), None)
    table: list[str] = []
    array_seen: dict[str, int] = {}
    for number, raw in enumerate(text.splitlines(), start=1):
        header = _HEADER.match(raw)
        if header:
            table = [part.strip().strip("\"'") for part in header[1].split(".")]
            if raw.strip().startswith("[["):
                joined = ".".join(table)
                array_seen[joined] = array_seen.get(joined, -1) + 1
            if table == names and (wanted_index is None or _index_matches(array_seen, table, wanted_index)):
                return number
            continue
        key = _KEY.match(raw)
        if not key:
            continue
        full = [*table, *[p.strip("\"'") for p in key[1].split(".")]]
        if full == names or (full[-1:] == names[-1:] and full[:-1] == names[:-1]):
            if wanted_index is None or _index_matches(array_seen, table, wanted_index):
                return number
    return None


def _index_matches(seen: dict[str, int], table: list[str], index: int) -> bool:
    return seen.get(".".join(table), 0) == index


def validate_settings(
    model: type[BaseModel], settings: dict[str, Any], config: Config, source_index: int
) -> BaseModel:
    """Validate one source's collector settings; errors name the config file and the key."""
    try:
        return model.model_validate(settings)
    except ValidationError as exc:
        text = config.path.read_text(encoding="utf-8") if config.path.is_file() else None
        raise ConfigError(
            describe_validation_error(config.path, exc, text=text, prefix=("sources", source_index))
        ) from None
