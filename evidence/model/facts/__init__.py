"""Typed facts, one model per evidence kind: the contract between collectors and checks.

A collector hands :meth:`evidence.collectors.base.Collector.item` either a model instance or a
plain dict; either way the facts are validated against the kind's model and the store keeps the
model's canonical dump (:func:`dump_facts`), which for a dict is the same keys and values it was
given, so the facts hash of existing evidence does not move. Checks read the facts typed through
:meth:`evidence.controls.context.CheckContext.facts`.

Each model lives in a module of this package and declares its ``kind`` and the collectors that
produce it; ``docs/evidence-kinds.md`` is generated from the models and the check registry
(:mod:`evidence.model.facts.docs`).
"""

from __future__ import annotations

import importlib
import pkgutil
from functools import cache
from typing import Any, ClassVar, TypeVar

from pydantic import BaseModel, ConfigDict, ValidationError


class Facts(BaseModel):
    """The facts of one evidence item of one kind.

    Subclasses set ``kind`` (the evidence kind they describe) and ``produced_by`` (the collectors
    that emit it, for the generated docs). Unknown keys are refused, so a collector and a check
    that disagree about a fact's name fail at unit level rather than reading a silent default.
    Timestamps are kept as the ISO strings the collectors write, so a dump gives back exactly what
    was stored.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    kind: ClassVar[str] = ""
    produced_by: ClassVar[tuple[str, ...]] = ()

    @classmethod
    def __pydantic_init_subclass__(cls, **kwargs: Any) -> None:
        super().__pydantic_init_subclass__(**kwargs)
        if cls.kind:
            known = _MODELS.get(cls.kind)
            if known is not None and known.__qualname__ != cls.__qualname__:
                raise TypeError(f"evidence kind {cls.kind!r} has two fact models: {known.__name__}, {cls.__name__}")
            _MODELS[cls.kind] = cls


class Part(BaseModel):
    """A nested part of some facts (an entry of a list, a sub-record); unknown keys refused."""

    model_config = ConfigDict(extra="forbid", frozen=True)


F = TypeVar("F", bound=Facts)

_MODELS: dict[str, type[Facts]] = {}


class FactsMismatch(ValueError):
    """Facts that do not fit their kind's model: a collector bug, or evidence stored by another version."""


@cache
def fact_models() -> dict[str, type[Facts]]:
    """Every fact model of every module in this package, by evidence kind."""
    for module in pkgutil.iter_modules(__path__):
        if module.name != "docs":
            importlib.import_module(f"{__name__}.{module.name}")
    return dict(sorted(_MODELS.items()))


def model_for(kind: str) -> type[Facts] | None:
    """The fact model of ``kind``, or None when the kind has none (yet)."""
    return fact_models().get(kind)


def dump_facts(facts: Facts) -> dict[str, Any]:
    """The canonical dump the store keeps: JSON values, only the fields that were given."""
    return facts.model_dump(mode="json", exclude_unset=True)


def parse_facts(model: type[F], facts: dict[str, Any], *, where: str) -> F:
    """``facts`` validated as ``model``; FactsMismatch naming ``where`` and the first problem."""
    try:
        return model.model_validate(facts)
    except ValidationError as exc:
        first = exc.errors()[0]
        at = ".".join(str(p) for p in first["loc"]) or "(top)"
        raise FactsMismatch(
            f"{where}: facts do not fit the {model.kind!r} model at {at}: {first['msg']} "
            f"({exc.error_count()} problem(s))"
        ) from None


def canonical_facts(kind: str, facts: Facts | dict[str, Any], *, where: str) -> dict[str, Any]:
    """The facts as the store keeps them, validated against the kind's model when it has one."""
    if isinstance(facts, Facts):
        if facts.kind != kind:
            raise FactsMismatch(f"{where}: a {facts.kind!r} model given for an item of kind {kind!r}")
        return dump_facts(facts)
    model = model_for(kind)
    if model is None:
        return facts
    return dump_facts(parse_facts(model, facts, where=where))
