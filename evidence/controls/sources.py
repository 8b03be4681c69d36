"""The source records the catalogues cite, kept as data in policies/sources.yaml."""

from __future__ import annotations

from datetime import date
from functools import cache
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from evidence.controls.policy_files import load_policy_file

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
    return load_policy_file(FILE, SourceRegistry)
