"""Discovery of collectors through the ``evidence.collectors`` entry-point group."""

from __future__ import annotations

from functools import cache
from importlib.metadata import entry_points

from evidence.collectors.base import Collector
from evidence.errors import ConfigError

GROUP = "evidence.collectors"


@cache
def available() -> dict[str, type[Collector]]:  # type: ignore[type-arg]
    """Every installed collector by id, built-ins included, sorted by id."""
    found: dict[str, type[Collector]] = {}  # type: ignore[type-arg]
    for entry in entry_points(group=GROUP):
        cls = entry.load()
        if not (isinstance(cls, type) and issubclass(cls, Collector)):
            raise TypeError(f"entry point {entry.name} = {entry.value} is not a Collector subclass")
        if cls.id != entry.name:
            raise TypeError(f"entry point {entry.name} loads collector {cls.id!r}; names must match")
        found[entry.name] = cls
    return dict(sorted(found.items()))


def get(collector_id: str) -> type[Collector]:  # type: ignore[type-arg]
    """The collector class for ``collector_id``; a ConfigError lists the known ids otherwise."""
    collectors = available()
    try:
        return collectors[collector_id]
    except KeyError:
        known = ", ".join(collectors) or "none installed"
        raise ConfigError(f"unknown collector {collector_id!r}; available: {known}") from None
