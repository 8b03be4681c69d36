"""SVG charts drawn in Python (no network, no JavaScript) and offered to templates by name.

A module in this package registers a chart with :func:`chart`; templates call it as a global,
e.g. ``{{ charts.status_bar(counts) | safe }}``. Each chart returns a complete ``<svg>`` string
built only from numbers and escaped text.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable
from functools import cache
from typing import Any

ChartFunction = Callable[..., str]

_CHARTS: dict[str, ChartFunction] = {}


def chart(name: str) -> Callable[[ChartFunction], ChartFunction]:
    """Register ``function`` as the chart ``name``."""

    def register(function: ChartFunction) -> ChartFunction:
        if name in _CHARTS:
            raise ValueError(f"chart {name!r} is registered twice")
        _CHARTS[name] = function
        return function

    return register


class _Charts:
    """Attribute access to registered charts for templates (``charts.name(...)``)."""

    def __getattr__(self, name: str) -> Any:
        try:
            return registry()[name]
        except KeyError:
            raise AttributeError(f"no chart named {name!r}") from None


@cache
def registry() -> dict[str, ChartFunction]:
    """Every chart of every module in this package, by name."""
    for module in pkgutil.iter_modules(__path__):
        importlib.import_module(f"{__name__}.{module.name}")
    return dict(_CHARTS)


CHARTS = _Charts()
