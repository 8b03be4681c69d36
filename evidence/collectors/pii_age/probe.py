"""A read-only connection to the application's database and the aggregate queries of the probe.

The probe never reads a PII value. Each query returns only counts and the oldest delivery (or
shipment) timestamp of rows that still hold PII past the limit; PII columns appear only in
WHERE clauses, as ``IS NOT NULL`` tests. The connection is opened read-only at every layer
the database offers: SQLite through a ``mode=ro`` URI plus ``PRAGMA query_only``; PostgreSQL
with ``default_transaction_read_only`` for the session and ``SET TRANSACTION READ ONLY`` at
the start of every transaction. Other databases are refused rather than trusted.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any, Literal
from urllib.parse import quote

import sqlalchemy as sa
from pydantic import SecretStr
from sqlalchemy.engine import URL, Connection, Engine
from sqlalchemy.exc import DBAPIError, SQLAlchemyError
from sqlalchemy.pool import NullPool

from evidence.collectors.timestamps import TimestampError, iso, parse_timestamp
from evidence.errors import ConfigError, InputError

Category = Literal["pii", "non-pii"]
_SUPPORTED = ("sqlite", "postgresql")


@dataclass(frozen=True)
class Target:
    """One measurement: a table, which columns hold the data, and the clock that limits it."""

    table: str
    category: Category
    columns: tuple[str, ...]
    timestamp_column: str
    clock: str
    limit_days: int
    redacted_marker: str | None = None
    legal_hold_column: str | None = None
    legal_hold_until_column: str | None = None


@dataclass
class Measurement:
    """What the database answered for one target (figures only, never a row)."""

    target: Target
    cutoff: datetime
    rows_past_limit: int = 0
    oldest: datetime | None = None
    rows_on_legal_hold: int = 0
    oldest_held: datetime | None = None
    error: str | None = None

    def facts(self, as_of: datetime) -> dict[str, Any]:
        """Return the ``retention.pii_age`` facts of this table and category."""
        t = self.target
        return {
            "table": t.table,
            "category": t.category,
            "columns": list(t.columns),
            "timestamp_column": t.timestamp_column,
            "clock": t.clock,
            "limit_days": t.limit_days,
            "cutoff": iso(self.cutoff),
            "rows_past_limit": self.rows_past_limit,
            "oldest": iso(self.oldest),
            "oldest_age_days": _age_days(as_of, self.oldest),
            "legal_hold_column": t.legal_hold_column or t.legal_hold_until_column,
            "rows_on_legal_hold": self.rows_on_legal_hold,
            "oldest_held_age_days": _age_days(as_of, self.oldest_held),
            "error": self.error,
        }


@dataclass
class ReadOnlyDatabase:
    """A read-only engine on the user's database, with a transcript of every statement sent."""

    engine: Engine
    location: str
    transcript: list[dict[str, Any]] = field(default_factory=list)
    #: The newest value of each SQLite timestamp column, read once (it tells the format).
    samples: dict[tuple[str, str], Any] = field(default_factory=dict)

    @classmethod
    @contextmanager
    def open(
        cls, url: URL, password: SecretStr | None, base_dir: Path, timeout_seconds: int
    ) -> Iterator[ReadOnlyDatabase]:
        """Connect read-only; InputError when the database cannot be reached."""
        engine = _readonly_engine(url, password, base_dir, timeout_seconds)
        database = cls(engine=engine, location=describe_url(url))
        sa.event.listen(engine, "before_cursor_execute", database._record)
        try:
            with engine.connect() as conn:
                _begin_read_only(conn)
        except SQLAlchemyError as exc:
            engine.dispose()
            raise InputError(
                database.location, f"cannot connect read-only: {short_error(exc)}"
            ) from None
        try:
            yield database
        finally:
            engine.dispose()

    def _record(self, conn: Any, cursor: Any, statement: str, parameters: Any, *args: Any) -> None:
        self.transcript.append(
            {"sql": " ".join(statement.split()), "parameters": _printable(parameters)}
        )

    def measure(self, target: Target, as_of: datetime) -> Measurement:
        """Count rows past the limit (held and not held) and find the oldest, for one target."""
        cutoff = as_of - timedelta(days=target.limit_days)
        measurement = Measurement(target=target, cutoff=cutoff)
        query = aggregate_query(target, self.engine.dialect.name)
        try:
            with self.engine.connect() as conn:
                _begin_read_only(conn)
                bindings = self._bindings(conn, target, cutoff, as_of)
                row = conn.execute(query, bindings).one()._mapping
        except DBAPIError as exc:
            measurement.error = f"table {target.table}: {short_error(exc)}"
            return measurement
        held = int(row.get("rows_on_legal_hold") or 0)
        measurement.rows_on_legal_hold = held
        measurement.rows_past_limit = int(row["rows_past_cutoff"] or 0) - held
        try:
            measurement.oldest = _instant(row["oldest"])
            measurement.oldest_held = _instant(row.get("oldest_held"))
        except TimestampError as exc:
            measurement.error = f"table {target.table}: {target.timestamp_column}: {exc}"
        self.transcript.append({"result": measurement.facts(as_of)})
        return measurement

    def _bindings(
        self, conn: Connection, target: Target, cutoff: datetime, as_of: datetime
    ) -> dict[str, Any]:
        """Give cutoff and as-of as the columns store them (SQLite: as text or numbers)."""
        bindings: dict[str, Any] = {"cutoff": cutoff}
        if target.legal_hold_until_column:
            bindings["hold_as_of"] = as_of
        if self.engine.dialect.name != "sqlite":
            return bindings
        table = _table(target)
        columns = {"cutoff": target.timestamp_column, "hold_as_of": target.legal_hold_until_column}
        for key, column in columns.items():
            if key in bindings and column:
                if (target.table, column) not in self.samples:
                    newest = sa.select(sa.func.max(table.c[column]))
                    self.samples[target.table, column] = conn.execute(newest).scalar()
                bindings[key] = sqlite_cutoff(self.samples[target.table, column], bindings[key])
        return bindings


def aggregate_query(target: Target, dialect: str) -> Any:
    """Build the one query of a target: counts and oldest timestamps of rows past ``:cutoff``.

    PII columns appear only as ``IS NOT NULL`` tests in the WHERE clause, never in the select
    list, so no value of theirs can leave the database.
    """
    table = _table(target)
    stamp: Any = table.c[target.timestamp_column]
    if dialect != "sqlite":
        stamp = sa.type_coerce(stamp, sa.DateTime(timezone=True))
    past: Any = stamp < sa.bindparam("cutoff")
    if dialect == "sqlite" and target.category == "pii":
        # Rows past the PII cutoff are most of the table (the purged history). Without this hint
        # SQLite reads them all through a plain index on the timestamp, several times slower
        # than a scan (benchmarks/bench_pii_age.py); a partial index is still used when present.
        past = sa.func.likelihood(past, sa.literal_column("0.9"), type_=sa.Boolean)
    conditions = [past]
    present = [_present(table.c[name], target.redacted_marker) for name in target.columns]
    if present:
        conditions.append(sa.or_(*present))
    held = _held(table, target)
    if held is None:
        return sa.select(
            sa.func.count().label("rows_past_cutoff"), sa.func.min(stamp).label("oldest")
        ).where(*conditions)
    return sa.select(
        sa.func.count().label("rows_past_cutoff"),
        sa.func.min(sa.case((sa.not_(held), stamp))).label("oldest"),
        sa.func.sum(sa.case((held, 1), else_=0)).label("rows_on_legal_hold"),
        sa.func.min(sa.case((held, stamp))).label("oldest_held"),
    ).where(*conditions)


def _table(target: Target) -> sa.TableClause:
    schema, _, name = target.table.rpartition(".")
    names = {target.timestamp_column, *target.columns}
    names.update(c for c in (target.legal_hold_column, target.legal_hold_until_column) if c)
    return sa.table(name, *(sa.column(c) for c in sorted(names)), schema=schema or None)


def _present(column: sa.ColumnClause[Any], marker: str | None) -> sa.ColumnElement[bool]:
    """Test that the column still holds a value (not NULL, not the marker the purge writes)."""
    if marker is None:
        return column.is_not(None)
    return sa.and_(column.is_not(None), column != sa.bindparam(None, marker))


def _held(table: sa.TableClause, target: Target) -> Any:
    """Rows under legal hold: the flag is true, or the hold lasts beyond ``:hold_as_of``."""
    tests: list[Any] = []
    if target.legal_hold_column:
        tests.append(sa.type_coerce(table.c[target.legal_hold_column], sa.Boolean).is_(sa.true()))
    if target.legal_hold_until_column:
        until = table.c[target.legal_hold_until_column]
        tests.append(sa.and_(until.is_not(None), until > sa.bindparam("hold_as_of")))
    return sa.or_(*tests) if tests else None


def sqlite_cutoff(sample: Any, cutoff: datetime) -> Any:
    """Write ``cutoff`` the way the column's values are written, so they compare correctly.

    SQLite keeps timestamps as text or numbers. Unix seconds or milliseconds are compared as
    numbers; ISO text as text with the same separator and zone suffix. A date-only column is
    compared with the day after the cutoff's date, so a row delivered on the cutoff day counts.
    """
    utc = cutoff.astimezone(UTC)
    if isinstance(sample, int | float) and not isinstance(sample, bool):
        seconds = utc.timestamp()
        return seconds * 1000 if sample > 1e11 else seconds
    if not isinstance(sample, str):
        return utc.strftime("%Y-%m-%d %H:%M:%S")
    if re.fullmatch(r"\d{4}-\d\d-\d\d", sample.strip()):
        return (utc.date() + timedelta(days=1)).isoformat()
    separator = "T" if "T" in sample else " "
    text = utc.strftime(f"%Y-%m-%d{separator}%H:%M:%S")
    if sample.endswith(("Z", "z")):
        return text + "Z"
    if re.search(r"[+-]\d\d:\d\d$", sample):
        return text + "+00:00"
    return text


def _begin_read_only(conn: Connection) -> None:
    if conn.dialect.name == "postgresql":
        conn.exec_driver_sql("SET TRANSACTION READ ONLY")


def _readonly_engine(url: URL, password: SecretStr | None, base_dir: Path, timeout: int) -> Engine:
    backend = url.get_backend_name()
    if backend == "sqlite":
        return _sqlite_engine(url, base_dir)
    if backend == "postgresql":
        if password is not None:
            url = url.set(password=password.get_secret_value())
        options = " ".join(
            (
                "-c default_transaction_read_only=on",
                f"-c statement_timeout={timeout * 1000}",
                "-c TimeZone=UTC",
            )
        )
        return sa.create_engine(url, poolclass=NullPool, connect_args={"options": options})
    raise ConfigError(
        f"pii-age: {backend} databases are not supported (read-only access is enforced for "
        f"{' and '.join(_SUPPORTED)} only)"
    )


def _sqlite_engine(url: URL, base_dir: Path) -> Engine:
    name = url.database
    if not name or name == ":memory:" or name.startswith("file:"):
        raise ConfigError(
            "pii-age: give the SQLite database as a file path, sqlite:///path/to/app.db"
        )
    path = Path(name).expanduser()
    path = path if path.is_absolute() else base_dir / path
    if not path.is_file():
        raise InputError(path, "database file not found")
    uri = URL.create(
        "sqlite", database=f"file:{quote(str(path.resolve()))}", query={"mode": "ro", "uri": "true"}
    )
    engine = sa.create_engine(uri, poolclass=NullPool)

    @sa.event.listens_for(engine, "connect")
    def _query_only(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA query_only = ON")
        cursor.close()

    return engine


def describe_url(url: URL) -> str:
    """Show the database as evidence names it: no user name, password or query string."""
    if url.get_backend_name() == "sqlite":
        return f"sqlite:///{url.database}"
    bare = URL.create(url.drivername, host=url.host, port=url.port, database=url.database)
    return bare.render_as_string(hide_password=True)


def short_error(exc: SQLAlchemyError) -> str:
    """Return the database's first line of the error, without SQLAlchemy's statement dump."""
    original = getattr(exc, "orig", None) or exc
    first = (
        str(original).strip().splitlines()[0] if str(original).strip() else type(original).__name__
    )
    return first[:200]


def _instant(value: Any) -> datetime | None:
    if value is None:
        return None
    if isinstance(value, date) and not isinstance(value, datetime):
        return datetime(value.year, value.month, value.day, tzinfo=UTC)
    return parse_timestamp(value)


def _age_days(as_of: datetime, moment: datetime | None) -> int | None:
    return None if moment is None else int((as_of - moment).total_seconds() // 86400)


def _printable(parameters: Any) -> Any:
    if isinstance(parameters, dict):
        return {str(k): _printable(v) for k, v in sorted(parameters.items())}
    if isinstance(parameters, list | tuple):
        return [_printable(v) for v in parameters]
    if isinstance(parameters, datetime):
        return iso(parameters)
    return parameters
