"""[pii-age] Rows that still hold PII past delivery + 30 days, and Amazon data past 18 months.

Connects read-only to the application's own database (any SQLAlchemy URL for PostgreSQL or
SQLite; the password comes from the environment or a file, never the config). For each
configured table it asks, with one aggregate query, how many rows still hold a value in a
PII column although their delivery (or shipment) is older than the limit, the oldest such
row's age, and how many of them are under legal hold. It never reads a PII value.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Literal

import orjson
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from evidence.collectors.base import Collector, CollectorSettings
from evidence.collectors.pii_age.probe import Category, ReadOnlyDatabase, Target
from evidence.collectors.timestamps import iso
from evidence.config.schema import SecretRef
from evidence.model.assurance import Assurance
from evidence.model.canonical import sha256_hex
from evidence.model.evidence import EvidenceItem, ParseStats, RawInput

KIND = "retention.pii_age"
_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_$]*$")


def _identifier(value: str, qualified: bool = False) -> str:
    parts = value.split(".") if qualified else [value]
    if len(parts) > 2 or not all(_IDENTIFIER.match(part) for part in parts):
        raise ValueError(
            "not a plain SQL identifier (letters, digits, _ and $; schema.table allowed)"
        )
    return value


class TableSettings(BaseModel):
    """One table of the application's database and what its columns mean."""

    model_config = ConfigDict(extra="forbid")

    table: str
    timestamp_column: str = Field(description="delivery (or shipment) timestamp of the order")
    clock: Literal["delivery", "shipment"] = "delivery"
    pii_columns: list[str] = Field(default_factory=list)
    redacted_marker: str | None = Field(default=None, description="value the purge writes over PII")
    legal_hold_column: str | None = Field(default=None, description="boolean: true = held")
    legal_hold_until_column: str | None = Field(default=None, description="held while after as-of")
    non_pii: bool = Field(
        default=False, description="also measure Amazon data past the non-PII limit"
    )
    non_pii_columns: list[str] = Field(default_factory=list, description="empty: the whole row")

    @field_validator("table")
    @classmethod
    def _table(cls, value: str) -> str:
        return _identifier(value, qualified=True)

    @field_validator("timestamp_column", "legal_hold_column", "legal_hold_until_column")
    @classmethod
    def _column(cls, value: str | None) -> str | None:
        return None if value is None else _identifier(value)

    @field_validator("pii_columns", "non_pii_columns")
    @classmethod
    def _columns(cls, value: list[str]) -> list[str]:
        return [_identifier(v) for v in value]

    @model_validator(mode="after")
    def _measures_something(self) -> TableSettings:
        if not self.pii_columns and not self.non_pii:
            raise ValueError("name pii_columns, or set non_pii = true, or both")
        return self

    def targets(self, pii_limit: int, non_pii_limit: int) -> list[Target]:
        """List what to measure in this table: its PII, its non-PII Amazon data, or both."""
        found: list[tuple[Category, tuple[str, ...], int, str | None]] = []
        if self.pii_columns:
            found.append(("pii", tuple(self.pii_columns), pii_limit, self.redacted_marker))
        if self.non_pii:
            found.append(("non-pii", tuple(self.non_pii_columns), non_pii_limit, None))
        return [
            Target(
                table=self.table,
                category=category,
                columns=columns,
                timestamp_column=self.timestamp_column,
                clock=self.clock,
                limit_days=limit,
                redacted_marker=marker,
                legal_hold_column=self.legal_hold_column,
                legal_hold_until_column=self.legal_hold_until_column,
            )
            for category, columns, limit, marker in found
        ]


class PiiAgeSettings(CollectorSettings):
    """Settings: the database URL (no password in it), its password, and the tables."""

    url: str
    password: SecretRef | None = None
    tables: list[TableSettings] = Field(min_length=1)
    pii_limit_days: int = Field(default=30, ge=1, description="the catalogue's pii_retention_days parameter")
    non_pii_limit_days: int = Field(
        default=548, ge=1, description="the catalogue's non_pii_retention_days parameter"
    )
    statement_timeout_seconds: int = Field(default=300, ge=1)

    @field_validator("url")
    @classmethod
    def _url(cls, value: str) -> str:
        try:
            url = make_url(value)
        except ArgumentError:
            raise ValueError("not a database URL such as postgresql+psycopg://host/db") from None
        if url.password is not None:
            raise ValueError(
                'the URL holds a password; remove it and set password = { env = "NAME" } '
                'or { file = "path" }'
            )
        return value


class PiiAgeCollector(Collector[PiiAgeSettings]):
    """Measures how long PII outlives its limit in the application's database, read-only."""

    id = "pii-age"
    assurance = Assurance.OBSERVED
    description = "Rows holding PII past delivery + 30 days (and data past 18 months), read-only"
    produces = (KIND,)
    paths_setting = None

    _transcript: tuple[str, bytes] | None = None

    def collect(self) -> Iterator[EvidenceItem]:
        """One ``retention.pii_age`` item for the database; a table that fails is a reject."""
        settings = self.settings
        context = self.context
        password = settings.password.resolve(context.base_dir) if settings.password else None
        url = make_url(settings.url)
        stats = ParseStats(scope=f"source {context.source}")
        tables = []
        with ReadOnlyDatabase.open(
            url, password, context.base_dir, settings.statement_timeout_seconds
        ) as database:
            targets = [
                target
                for table in settings.tables
                for target in table.targets(settings.pii_limit_days, settings.non_pii_limit_days)
            ]
            context.progress.start(f"pii-age: {context.source}", total=len(targets))
            for target in targets:
                measurement = database.measure(target, context.as_of)
                if measurement.error:
                    stats.reject(f"{database.location} {target.table}", measurement.error)
                else:
                    stats.keep()
                tables.append(measurement.facts(context.as_of))
                context.progress.advance(f"pii-age: {context.source}")
            context.progress.finish(f"pii-age: {context.source}")
            location = database.location
            transcript = orjson.dumps(database.transcript, option=orjson.OPT_INDENT_2)
        self._transcript = (location, transcript)
        raw = RawInput(location=location, sha256=sha256_hex(transcript), size=len(transcript))
        facts = {
            "database": location,
            "dialect": url.get_backend_name(),
            "as_of": iso(context.as_of),
            "read_only": True,
            "statements": sum(1 for entry in database.transcript if "sql" in entry),
            "tables": tables,
        }
        yield self.item(
            KIND,
            subject=f"database {location}",
            facts=facts,
            stats=stats,
            raw_inputs=[raw],
            location=location,
            covers=(None, context.as_of),
        )

    def redacted_copy(self, location: str) -> Iterator[bytes] | None:
        """Keep the probe's transcript: every statement sent and the figures returned."""
        if self._transcript is not None and self._transcript[0] == location:
            return iter([self._transcript[1]])
        return None
