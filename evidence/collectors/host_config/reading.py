"""What every host-config parser shares: the files it read, their hashes, rejects and includes.

Parsers read a main file and the files it includes; each file read is hashed (its raw bytes,
as on disk) and recorded, so the evidence item pins every byte the verdict rests on.
Absolute include paths may be re-rooted under ``include_root``, so a copied ``/etc`` tree
is read instead of the machine running the tool.
"""

from __future__ import annotations

import glob
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from evidence.collectors.inputs import open_text, real_path
from evidence.errors import InputError
from evidence.model.evidence import ParseStats, RawInput
from evidence.redact import Redactor

#: How deep includes may nest before the config is called circular.
MAX_INCLUDE_DEPTH = 16


@dataclass
class ConfigReading:
    """The state of reading one configuration: files seen, their hashes, and parse statistics."""

    main: Path
    redactor: Redactor
    include_root: Path | None = None
    display_base: Path | None = None
    stats: ParseStats = field(default_factory=ParseStats)
    raw_inputs: list[RawInput] = field(default_factory=list)
    _open: list[Path] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.stats.scope = self.shown(self.main)

    def lines(self, path: Path) -> list[tuple[int, str]]:
        """Read the numbered lines of ``path`` (hashed); a file open twice is circular."""
        resolved = real_path(path)
        if resolved in self._open:
            raise InputError(path, "includes itself (circular include)")
        if len(self._open) >= MAX_INCLUDE_DEPTH:
            raise InputError(path, f"includes nest deeper than {MAX_INCLUDE_DEPTH} levels")
        with open_text(path) as reader:
            lines = [(number, line.rstrip("\r\n")) for number, line in reader]
            raw = reader.raw_input()
        if all(r.location != raw.location for r in self.raw_inputs):
            self.raw_inputs.append(raw)
        return lines

    def enter(self, path: Path) -> None:
        """Mark ``path`` as being read (for cycle detection)."""
        self._open.append(real_path(path))

    def leave(self) -> None:
        """Done reading the innermost file."""
        self._open.pop()

    def shown(self, path: Path | str) -> str:
        """Show a path as facts do: relative to the config's folder when it lies under it."""
        path = Path(path)
        if self.display_base is not None:
            try:
                return str(real_path(path).relative_to(real_path(self.display_base)))
            except (ValueError, InputError):
                pass
        return str(path)

    def where(self, path: Path, line: int | None) -> str:
        """``file:line`` as shown in facts and rejects."""
        return f"{self.shown(path)}:{line}" if line is not None else self.shown(path)

    def reject(self, path: Path, line: int, reason: str) -> None:
        """Count a line that cannot be understood (the reason never quotes the line)."""
        self.stats.reject(self.where(path, line), reason)

    def included(self, pattern: str, relative_to: Path) -> tuple[list[Path], bool]:
        """Files an include directive names, sorted, and whether the pattern was a glob.

        Absolute paths are re-rooted under ``include_root`` when one is set.
        """
        candidate = self.locate(pattern, relative_to)
        is_glob = glob.has_magic(str(candidate))
        if is_glob:
            return sorted(Path(p) for p in glob.glob(str(candidate)) if Path(p).is_file()), True
        return [candidate], False

    def locate(self, name: str, relative_to: Path) -> Path:
        """Locate a path named in a config: re-rooted when absolute, else under ``relative_to``."""
        candidate = Path(name)
        if not candidate.is_absolute():
            return relative_to / candidate
        if self.include_root is not None:
            return self.include_root / candidate.relative_to(candidate.anchor)
        return candidate

    def files(self) -> list[str]:
        """Every file read, main file first."""
        return [self.shown(raw.location) for raw in self.raw_inputs]


def setting(
    value: Any, location: str | None, *, default: bool = False, **extra: Any
) -> dict[str, Any]:
    """Describe a setting with its provenance: value, where it was set, whether it is a default."""
    return {"value": value, "location": location, "default": default, **extra}
