"""The source records the catalogues cite, kept as data in policies/sources.yaml."""

from __future__ import annotations

from datetime import date
from functools import cache
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from evidence.errors import PolicyError
from evidence.resources import policies_dir

FILE = "sources.yaml"


class SourceRecord(BaseModel):
    """One page or document: its title, address, publisher and when it was last read.

    ``retrieved`` is the day the address was read for the catalogue; a record taken over from the
    shared reference notes and not re-read says ``via: reference`` instead.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    title: str
    address: str = Field(pattern=r"^https://\S+$")
    publisher: str
    retrieved: date | None = None
    via: Literal["reference"] | None = None

    @model_validator(mode="after")
    def _dated_or_attributed(self) -> SourceRecord:
        if self.retrieved is None and self.via is None:
            raise ValueError("give the retrieval date, or via: reference for a record not re-read")
        return self


class SourceRegistry(BaseModel):
    """The whole file: source records by id."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    schema_version: int = 1
    sources: dict[str, SourceRecord]


@cache
def source_registry() -> SourceRegistry:
    """Load and validate policies/sources.yaml (PolicyError naming the problem)."""
    path = policies_dir() / FILE
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise PolicyError(f"{path}: cannot read: {exc}") from None
    try:
        return SourceRegistry.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise PolicyError(f"{path}: {where}: {first['msg']}") from None
