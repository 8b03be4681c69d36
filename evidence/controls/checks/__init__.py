"""Named check functions: small, pure functions that read facts and return an outcome.

A module in this package registers its checks with :func:`check`; every module is imported by
:func:`registry`, so adding a check means adding a module, nothing else.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache

from evidence.controls.context import CheckContext, Params
from evidence.model.results import CheckOutcome

CheckFunction = Callable[[CheckContext], CheckOutcome]


@dataclass(frozen=True)
class CheckSpec:
    """A registered check: its name, the evidence kinds it reads, and the function.

    ``parts`` names the requirement elements the check judges one by one (it sets
    ``outcome.parts``); an element the catalogue maps to a part takes that part's status.
    """

    name: str
    reads: tuple[str, ...]
    function: CheckFunction
    description: str
    parts: tuple[str, ...] = ()
    #: The parameter model (None: not declared yet, so the catalogue's values are not checked).
    params: type[Params] | None = None


_REGISTRY: dict[str, CheckSpec] = {}


def check(
    name: str,
    *,
    reads: tuple[str, ...],
    parts: tuple[str, ...] = (),
    params: type[Params] | None = None,
) -> Callable[[CheckFunction], CheckFunction]:
    """Register ``function`` as the check ``name`` reading evidence of the kinds in ``reads``.

    ``parts``: the element ids the check judges separately (see :class:`CheckSpec`).
    ``params``: the model of the parameters it reads (:class:`evidence.controls.context.Params`).
    """

    def register(function: CheckFunction) -> CheckFunction:
        if name in _REGISTRY:
            raise ValueError(f"check {name!r} is registered twice")
        doc = (function.__doc__ or "").strip().splitlines()
        _REGISTRY[name] = CheckSpec(name, reads, function, doc[0] if doc else "", parts, params)
        return function

    return register


@cache
def registry() -> dict[str, CheckSpec]:
    """Every check of every module in this package, by name."""
    for module in pkgutil.iter_modules(__path__):
        importlib.import_module(f"{__name__}.{module.name}")
    return dict(sorted(_REGISTRY.items()))
