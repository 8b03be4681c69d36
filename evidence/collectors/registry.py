"""Discovery of collectors through the ``evidence.collectors`` entry-point group."""

from __future__ import annotations

from functools import cache
from importlib.metadata import EntryPoint, entry_points

from evidence.collectors.base import Collector
from evidence.errors import ConfigError

GROUP = "evidence.collectors"


@cache
def available() -> dict[str, type[Collector]]:  # type: ignore[type-arg]
    """Every installed collector by id, built-ins included, sorted by id."""
    return {entry.name: _load(entry) for entry in sorted(entry_points(group=GROUP), key=lambda e: e.name)}


@cache
def get(collector_id: str) -> type[Collector]:  # type: ignore[type-arg]
    """The collector class for ``collector_id`` (importing only that one's module).

    A ConfigError lists the known ids when there is no such collector.
    """
    entries = entry_points(group=GROUP)
    if collector_id not in entries.names:
        known = ", ".join(sorted(entries.names)) or "none installed"
        raise ConfigError(f"unknown collector {collector_id!r}; available: {known}")
    return _load(entries[collector_id])


def _load(entry: EntryPoint) -> type[Collector]:  # type: ignore[type-arg]
    cls = entry.load()
    if not (isinstance(cls, type) and issubclass(cls, Collector)):
        raise TypeError(f"entry point {entry.name} = {entry.value} is not a Collector subclass")
    if cls.id != entry.name:
        raise TypeError(f"entry point {entry.name} loads collector {cls.id!r}; names must match")
    return cls
