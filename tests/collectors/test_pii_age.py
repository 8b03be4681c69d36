"""The pii-age probe on real SQLite and PostgreSQL: exact counts, holds, read-only, no PII read."""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from evidence.collectors import registry
from evidence.collectors.base import CollectorContext
from evidence.collectors.pii_age.collector import PiiAgeCollector, PiiAgeSettings
from evidence.collectors.pii_age.probe import ReadOnlyDatabase
from evidence.errors import ConfigError
from evidence.model.evidence import EvidenceItem
from evidence.model.period import parse_period
from evidence.redact import Redactor

PERIOD = parse_period("2026-Q3")
AS_OF = PERIOD.end_at
PII = ["buyer_name", "buyer_email", "ship_phone"]
SAMPLES = Path(__file__).resolve().parents[2] / "samples" / "retention"
ORDERS = {
    "table": "orders",
    "timestamp_column": "delivered_at",
    "pii_columns": PII,
    "legal_hold_column": "legal_hold",
    "non_pii": True,
}


def orders_rows() -> list[dict[str, Any]]:
    """Rows delivered 10, 29, 31 and 400 days before the period end, and two that must not count."""
    rows = [
        {
            "id": n,
            "delivered_at": AS_OF - timedelta(days=days),
            "buyer_name": f"Buyer {n}",
            "buyer_email": f"buyer{n}@example.com",
            "ship_phone": None,
            "legal_hold": False,
        }
        for n, days in enumerate([10, 29, 31, 400], start=1)
    ]
    # Under legal hold: held, not a violation.
    rows.append(
        {
            "id": 5,
            "delivered_at": AS_OF - timedelta(days=45),
            "buyer_name": "Held Buyer",
            "buyer_email": None,
            "ship_phone": None,
            "legal_hold": True,
        }
    )
    # Old, but its PII was purged: counts only against the 548-day non-PII limit (600 days old).
    rows.append(
        {
            "id": 6,
            "delivered_at": AS_OF - timedelta(days=600),
            "buyer_name": None,
            "buyer_email": None,
            "ship_phone": None,
            "legal_hold": False,
        }
    )
    return rows


def build_orders(url: str) -> None:
    engine = sa.create_engine(url)
    metadata = sa.MetaData()
    orders = sa.Table(
        "orders",
        metadata,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("delivered_at", sa.DateTime(timezone=True), index=True),
        *(sa.Column(name, sa.Text) for name in PII),
        sa.Column("legal_hold", sa.Boolean, nullable=False),
    )
    metadata.create_all(engine)
    with engine.begin() as conn:
        conn.execute(orders.insert(), orders_rows())
    engine.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """Build the test orders table on SQLite and on the real PostgreSQL server."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'app.db'}"
    else:
        url = str(request.getfixturevalue("pg_url"))
    build_orders(url)
    return url


def collect(tmp_path: Path, url: str, tables: list[dict[str, Any]], **extra: Any) -> EvidenceItem:
    settings = PiiAgeSettings.model_validate({"url": url, "tables": tables, **extra})
    context = CollectorContext(
        source="orders-db",
        base_dir=tmp_path,
        period=PERIOD,
        as_of=AS_OF,
        redactor=Redactor(b"k" * 32),
    )
    items = list(PiiAgeCollector(settings, context).collect())
    assert len(items) == 1
    return items[0].seal()


def measured(item: EvidenceItem, category: str, table: str = "orders") -> dict[str, Any]:
    return next(
        t for t in item.facts["tables"] if t["category"] == category and t["table"] == table
    )


@pytest.fixture
def statements() -> Iterator[list[str]]:
    """Every SQL statement any engine sends while the test runs (a listener on the Engine class)."""
    seen: list[str] = []

    def record(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        seen.append(statement)

    sa.event.listen(Engine, "before_cursor_execute", record)
    yield seen
    sa.event.remove(Engine, "before_cursor_execute", record)


def test_entry_point_name_is_the_collector_id() -> None:
    assert registry.get("pii-age") is PiiAgeCollector


def test_reports_exactly_the_31_and_400_day_rows_and_the_held_one(
    tmp_path: Path, database_url: str
) -> None:
    item = collect(tmp_path, database_url, [ORDERS])
    pii = measured(item, "pii")
    assert pii["rows_past_limit"] == 2
    assert pii["oldest_age_days"] == 400
    assert pii["rows_on_legal_hold"] == 1
    assert pii["oldest_held_age_days"] == 45
    assert pii["cutoff"] == "2026-08-31T23:59:59Z"
    assert pii["error"] is None
    non_pii = measured(item, "non-pii")
    assert non_pii["rows_past_limit"] == 1
    assert non_pii["oldest_age_days"] == 600
    assert item.stats.kept == 2
    assert item.stats.rejected == 0
    assert item.raw_inputs[0].location == item.facts["database"]


def test_no_pii_column_in_any_select_list_and_only_aggregates(
    tmp_path: Path, database_url: str, statements: list[str]
) -> None:
    collect(tmp_path, database_url, [ORDERS])
    assert statements, "the listener saw no statement"
    on_orders = [s for s in statements if re.search(r"\bFROM\s+\"?orders\"?", s, re.IGNORECASE)]
    assert len(on_orders) >= 2
    for statement in statements:
        select_list = _select_list(statement)
        if select_list is None:
            continue
        for column in PII:
            assert column not in select_list.lower(), f"{column} selected by: {statement}"
    for statement in on_orders:
        select_list = _select_list(statement)
        assert select_list is not None
        for part in _top_level_items(select_list):
            assert re.match(r"^\s*(count|min|max|sum)\s*\(", part, re.IGNORECASE), part
    # PII columns appear only as IS NOT NULL tests after WHERE.
    wheres = [re.split(r"\sWHERE\s", s, flags=re.IGNORECASE)[-1] for s in on_orders]
    assert any(all(f"{column} IS NOT NULL" in where for column in PII) for where in wheres)
    if database_url.startswith("postgresql"):
        # Every transaction of the probe starts read-only.
        reads = [i for i, s in enumerate(statements) if s in on_orders]
        assert all(statements[i - 1] == "SET TRANSACTION READ ONLY" for i in reads)


def _select_list(statement: str) -> str | None:
    match = re.match(r"^\s*SELECT\s+(.*?)\s+FROM\s", statement, re.IGNORECASE | re.DOTALL)
    if not match:
        return None
    return match.group(1)


def _top_level_items(select_list: str) -> list[str]:
    items, depth, current = [], 0, ""
    for char in select_list:
        depth += char == "("
        depth -= char == ")"
        if char == "," and depth == 0:
            items.append(current)
            current = ""
        else:
            current += char
    return [*items, current]


def test_the_connection_is_read_only(tmp_path: Path, database_url: str) -> None:
    url = sa.engine.make_url(database_url)
    with (
        ReadOnlyDatabase.open(url, None, tmp_path, 30) as database,
        database.engine.connect() as conn,
    ):
        with pytest.raises(sa.exc.DBAPIError, match="(?i)read-?only"):
            conn.execute(sa.text("DELETE FROM orders"))
    engine = sa.create_engine(database_url)
    with engine.connect() as conn:
        assert conn.execute(sa.text("SELECT count(*) FROM orders")).scalar() == 6
    engine.dispose()


def test_a_missing_table_is_a_reject_and_the_others_are_measured(
    tmp_path: Path, database_url: str
) -> None:
    item = collect(
        tmp_path, database_url, [ORDERS, {**ORDERS, "table": "old_orders", "non_pii": False}]
    )
    assert measured(item, "pii")["rows_past_limit"] == 2
    missing = measured(item, "pii", "old_orders")
    assert missing["error"].startswith("table old_orders: ")
    assert re.search(r"no such table|does not exist", missing["error"])
    assert item.stats.rejected == 1
    assert item.stats.kept == 2


def test_redacted_marker_counts_as_purged(tmp_path: Path) -> None:
    path = tmp_path / "app.db"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE orders (delivered_at TEXT, buyer_name TEXT)")
        conn.executemany(
            "INSERT INTO orders VALUES (?, ?)",
            [("2026-05-01T00:00:00Z", "[redacted]"), ("2026-05-02T00:00:00Z", "Real Name")],
        )
    item = collect(
        tmp_path,
        f"sqlite:///{path}",
        [
            {
                "table": "orders",
                "timestamp_column": "delivered_at",
                "pii_columns": ["buyer_name"],
                "redacted_marker": "[redacted]",
            }
        ],
    )
    assert measured(item, "pii")["rows_past_limit"] == 1


@pytest.mark.parametrize(
    ("kind", "render"),
    [
        ("iso-t-z", lambda d: d.strftime("%Y-%m-%dT%H:%M:%SZ")),
        ("iso-offset", lambda d: d.strftime("%Y-%m-%dT%H:%M:%S+00:00")),
        ("space", lambda d: d.strftime("%Y-%m-%d %H:%M:%S")),
        ("date", lambda d: d.date().isoformat()),
        ("epoch", lambda d: int(d.timestamp())),
        ("epoch-ms", lambda d: int(d.timestamp() * 1000)),
    ],
)
def test_sqlite_timestamps_however_they_are_stored(tmp_path: Path, kind: str, render: Any) -> None:
    path = tmp_path / f"{kind}.db"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE orders (delivered_at, buyer_name TEXT)")
        conn.executemany(
            "INSERT INTO orders VALUES (?, ?)",
            [(render(AS_OF - timedelta(days=d)), "x") for d in (10, 29, 31, 400)],
        )
    item = collect(
        tmp_path,
        f"sqlite:///{path}",
        [{"table": "orders", "timestamp_column": "delivered_at", "pii_columns": ["buyer_name"]}],
    )
    pii = measured(item, "pii")
    assert pii["rows_past_limit"] == 2
    assert pii["oldest_age_days"] in (400, 401)  # a date-only value is read as midnight


def test_legal_hold_until_a_date(tmp_path: Path) -> None:
    path = tmp_path / "app.db"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE orders (delivered_at TEXT, buyer_name TEXT, hold_until TEXT)")
        conn.executemany(
            "INSERT INTO orders VALUES (?, ?, ?)",
            [
                ("2026-05-01T00:00:00Z", "a", "2027-01-01T00:00:00Z"),  # held beyond as-of
                ("2026-05-01T00:00:00Z", "b", "2026-06-01T00:00:00Z"),  # hold expired: a violation
                ("2026-05-01T00:00:00Z", "c", None),
            ],
        )
    item = collect(
        tmp_path,
        f"sqlite:///{path}",
        [
            {
                "table": "orders",
                "timestamp_column": "delivered_at",
                "pii_columns": ["buyer_name"],
                "legal_hold_until_column": "hold_until",
            }
        ],
    )
    pii = measured(item, "pii")
    assert pii["rows_past_limit"] == 2
    assert pii["rows_on_legal_hold"] == 1


def test_password_comes_from_the_environment_and_never_shows(
    tmp_path: Path, pg_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    build_orders(pg_url)
    monkeypatch.setenv("ORDERS_DB_PASSWORD", "s3cret-Pa55word")
    item = collect(tmp_path, pg_url, [ORDERS], password={"env": "ORDERS_DB_PASSWORD"})
    assert measured(item, "pii")["rows_past_limit"] == 2
    assert "s3cret-Pa55word" not in item.model_dump_json()
    assert "root" not in item.facts["database"]  # no user name either
    monkeypatch.delenv("ORDERS_DB_PASSWORD")
    with pytest.raises(ConfigError, match="ORDERS_DB_PASSWORD is not set"):
        collect(tmp_path, pg_url, [ORDERS], password={"env": "ORDERS_DB_PASSWORD"})


def test_settings_refuse_passwords_in_urls_and_odd_identifiers() -> None:
    with pytest.raises(ValueError, match="the URL holds a password"):
        PiiAgeSettings.model_validate(
            {"url": "postgresql://app:pw@db.example/orders", "tables": [ORDERS]}
        )
    with pytest.raises(ValueError, match="not a plain SQL identifier"):
        PiiAgeSettings.model_validate(
            {"url": "sqlite:///x.db", "tables": [{**ORDERS, "table": "orders; drop"}]}
        )
    with pytest.raises(ValueError, match="name pii_columns"):
        PiiAgeSettings.model_validate(
            {"url": "sqlite:///x.db", "tables": [{"table": "t", "timestamp_column": "d"}]}
        )


def test_unsupported_databases_are_refused(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="mysql databases are not supported"):
        collect(tmp_path, "mysql://db.example/orders", [ORDERS])


def test_the_transcript_is_the_stored_copy(tmp_path: Path, database_url: str) -> None:
    settings = PiiAgeSettings.model_validate({"url": database_url, "tables": [ORDERS]})
    context = CollectorContext(
        source="orders-db",
        base_dir=tmp_path,
        period=PERIOD,
        as_of=AS_OF,
        redactor=Redactor(b"k" * 32),
    )
    collector = PiiAgeCollector(settings, context)
    (item,) = list(collector.collect())
    copy = b"".join(collector.redacted_copy(item.raw_inputs[0].location) or [])
    import hashlib

    assert hashlib.sha256(copy).hexdigest() == item.raw_inputs[0].sha256
    assert b"SELECT count(*)" in copy
    assert b"Buyer" not in copy
    assert b"example.com" not in copy


def test_sample_database_matches_its_sql_script(tmp_path: Path) -> None:
    rebuilt = sqlite3.connect(tmp_path / "orders.db")
    rebuilt.executescript((SAMPLES / "orders.sql").read_text(encoding="utf-8"))
    committed = sqlite3.connect(f"file:{SAMPLES / 'orders.db'}?mode=ro", uri=True)
    assert list(committed.iterdump()) == list(rebuilt.iterdump())


def test_sample_database_has_the_deliberate_violation(tmp_path: Path) -> None:
    item = collect(
        tmp_path,
        f"sqlite:///{SAMPLES / 'orders.db'}",
        [
            {
                "table": "orders",
                "timestamp_column": "delivered_at",
                "pii_columns": [
                    "buyer_name",
                    "buyer_email",
                    "ship_address_line1",
                    "ship_city",
                    "ship_postal_code",
                    "ship_phone",
                ],
                "legal_hold_column": "legal_hold",
                "non_pii": True,
            },
            {
                "table": "returns",
                "timestamp_column": "order_delivered_at",
                "pii_columns": ["return_name", "return_address"],
            },
        ],
    )
    assert measured(item, "pii")["rows_past_limit"] == 6
    assert measured(item, "pii")["rows_on_legal_hold"] == 2
    assert measured(item, "non-pii")["rows_past_limit"] == 0
    assert measured(item, "pii", "returns")["rows_past_limit"] == 0
    assert datetime.fromisoformat(
        measured(item, "pii")["oldest"].replace("Z", "+00:00")
    ) > AS_OF - timedelta(days=90)
    assert (
        measured(item, "pii")["oldest"] < (AS_OF - timedelta(days=30)).astimezone(UTC).isoformat()
    )
