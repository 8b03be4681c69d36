"""Time the pii-age probe on a 10-million-row orders table on SQLite and PostgreSQL, with plans.

The table holds 18 months of orders; the purge has cleared PII from all but the last 23 days,
except ~100 violating rows and 10 rows under legal hold. The probe (the real collector) runs
against three layouts of the same table:

* no index: the baseline, a whole-table scan;
* an index on the delivery column: the probe reads only rows older than the cutoff;
* a partial index on the delivery column for rows that still hold PII (the index the purge job
  itself needs): the probe reads only the violating rows.

For each it prints the time of every query, the ratio to the baseline, and the query plan
(EXPLAIN QUERY PLAN / EXPLAIN ANALYZE), and says whether the plan scans the whole table. Times
on a shared machine are noisy; the ratios within one run are what to compare.

    .venv/bin/python benchmarks/bench_pii_age.py [--rows 10000000] [--only sqlite|postgresql]
"""

from __future__ import annotations

import argparse
import os
import re
import sqlite3
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine, make_url

from evidence.collectors.base import CollectorContext
from evidence.collectors.pii_age.collector import PiiAgeCollector, PiiAgeSettings
from evidence.model.period import parse_period
from evidence.redact import Redactor

PERIOD = parse_period("2026-Q3")
AS_OF = "2026-09-30 23:59:59"
PII_WHERE = "buyer_name IS NOT NULL OR buyer_email IS NOT NULL"
TABLE = {
    "table": "orders",
    "timestamp_column": "delivered_at",
    "pii_columns": ["buyer_name", "buyer_email"],
    "legal_hold_column": "legal_hold",
    "non_pii": True,
}


@dataclass
class Timings:
    """Per-statement wall times of the probe's queries on the orders table."""

    queries: list[tuple[str, dict[str, Any] | tuple[Any, ...], float]] = field(default_factory=list)
    _started: float = 0.0

    def before(self, conn: Any, cursor: Any, statement: str, params: Any, *args: Any) -> None:
        """Start the clock of a statement."""
        self._started = time.perf_counter()

    def after(self, conn: Any, cursor: Any, statement: str, params: Any, *args: Any) -> None:
        """Record a finished statement on the orders table with its time."""
        if "FROM orders" in statement and "WHERE" in statement:
            self.queries.append((statement, params, time.perf_counter() - self._started))


def probe(url: str) -> tuple[dict[str, Any], Timings, float]:
    """Run the real collector once; return its facts, the timed queries and the total time."""
    timings = Timings()
    sa.event.listen(Engine, "before_cursor_execute", timings.before)
    sa.event.listen(Engine, "after_cursor_execute", timings.after)
    try:
        settings = PiiAgeSettings.model_validate({"url": url, "tables": [TABLE]})
        context = CollectorContext(
            source="bench",
            base_dir=Path.cwd(),
            period=PERIOD,
            as_of=PERIOD.end_at,
            redactor=Redactor(b"b" * 32),
        )
        started = time.perf_counter()
        (item,) = PiiAgeCollector(settings, context).collect()
        elapsed = time.perf_counter() - started
    finally:
        sa.event.remove(Engine, "before_cursor_execute", timings.before)
        sa.event.remove(Engine, "after_cursor_execute", timings.after)
    return item.facts, timings, elapsed


def report(
    label: str,
    url: str,
    explain: Callable[[str, Any], tuple[list[str], int]],
    total: int,
    baseline: list[float] | None,
) -> list[float]:
    """Probe once; print each query's time, ratio to the baseline, rows read, plan and figures."""
    facts, timings, elapsed = probe(url)
    print(f"  {label}: probe {elapsed:.3f} s in total")
    times = []
    for index, (statement, params, seconds) in enumerate(timings.queries):
        kind = "PII query    " if "IS NOT NULL" in statement else "non-PII query"
        ratio = f" ({seconds / baseline[index]:.4f}x the no-index baseline)" if baseline else ""
        plan, read = explain(statement, params)
        # Parallel PostgreSQL workers report rounded per-worker averages: allow for that.
        whole = "the whole table" if read >= total * 0.999 else f"{read / total:.4%} of the table"
        print(f"    {kind} {seconds:8.3f} s{ratio}; reads {read:,} of {total:,} rows: {whole}")
        for line in plan:
            print(f"        {line}")
        times.append(seconds)
    for table in facts["tables"]:
        oldest = table["oldest_age_days"]
        print(
            f"    -> {table['category']}: rows past limit {table['rows_past_limit']:,}, oldest "
            f"{'-' if oldest is None else f'{oldest} days'}, "
            f"on legal hold {table['rows_on_legal_hold']}"
        )
    return times


# --- SQLite ---------------------------------------------------------------------------------------


def build_sqlite(path: Path, rows: int) -> None:
    with sqlite3.connect(path) as conn:
        conn.execute("PRAGMA journal_mode = OFF")
        conn.execute("PRAGMA synchronous = OFF")
        conn.execute(
            "CREATE TABLE orders (id INTEGER PRIMARY KEY, delivered_at TEXT NOT NULL, "
            "buyer_name TEXT, buyer_email TEXT, legal_hold INTEGER NOT NULL)"
        )
        conn.execute(
            f"""
            INSERT INTO orders
            WITH RECURSIVE seq(n) AS (
                SELECT 0 UNION ALL SELECT n + 1 FROM seq WHERE n < {rows - 1}
            ),
            aged AS (SELECT n, 547.9 * n / {rows} AS age FROM seq)
            SELECT n, strftime('%Y-%m-%dT%H:%M:%SZ', julianday('{AS_OF}') - age),
                   CASE WHEN age < 23 OR n % 100003 = 7 OR n % 1000003 = 11 THEN 'Buyer ' || n END,
                   CASE WHEN age < 23 OR n % 100003 = 7 OR n % 1000003 = 11
                        THEN 'buyer' || n || '@example.com' END,
                   CASE WHEN n % 1000003 = 11 THEN 1 ELSE 0 END
            FROM aged
            """
        )
        conn.execute("ANALYZE")


def sqlite_layout(path: Path, layout: str) -> None:
    with sqlite3.connect(path) as conn:
        conn.execute("DROP INDEX IF EXISTS orders_delivered")
        conn.execute("DROP INDEX IF EXISTS orders_pii_delivered")
        if layout == "index":
            conn.execute("CREATE INDEX orders_delivered ON orders (delivered_at)")
        elif layout == "partial":
            conn.execute("CREATE INDEX orders_delivered ON orders (delivered_at)")
            conn.execute(
                f"CREATE INDEX orders_pii_delivered ON orders (delivered_at) WHERE {PII_WHERE}"
            )
        conn.execute("ANALYZE")


def bench_sqlite(rows: int) -> None:
    with tempfile.TemporaryDirectory(prefix="bench-pii-age-") as folder:
        path = Path(folder) / "orders.db"
        started = time.perf_counter()
        build_sqlite(path, rows)
        size = path.stat().st_size
        print(
            f"== SQLite {sqlite3.sqlite_version}: {rows:,} rows, {size / 1e6:,.0f} MB, built in "
            f"{time.perf_counter() - started:.1f} s"
        )
        url = f"sqlite:///{path}"

        def explain(statement: str, params: Any) -> tuple[list[str], int]:
            with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as conn:
                plan = [row[3] for row in conn.execute("EXPLAIN QUERY PLAN " + statement, params)]
                cutoff = params[-1] if isinstance(params, tuple | list) else params
                if any("SCAN orders USING INDEX orders_pii_delivered" in line for line in plan):
                    where = f"({PII_WHERE}) AND ? IS NOT NULL"  # every entry of the partial index
                elif any("orders_pii_delivered" in line for line in plan):
                    where = f"delivered_at < ? AND ({PII_WHERE})"
                elif any("orders_delivered" in line for line in plan):
                    where = "delivered_at < ?"
                else:
                    return plan, rows
                # The rows the index range visits: what the query reads from the table.
                read = conn.execute(
                    f"SELECT count(*) FROM orders WHERE {where}", (cutoff,)
                ).fetchone()[0]
                return plan, int(read)

        baseline = None
        for layout, label in (
            ("none", "no index (baseline)"),
            ("index", "index on delivered_at"),
            (
                "partial",
                "index on delivered_at + partial index on delivered_at where PII is present",
            ),
        ):
            sqlite_layout(path, layout)
            times = report(label, url, explain, rows, baseline)
            baseline = baseline or times


# --- PostgreSQL -----------------------------------------------------------------------------


@contextmanager
def throwaway_database() -> Iterator[str]:
    admin = make_url(
        os.environ.get(
            "EVIDENCE_TEST_PG_URL", "postgresql+psycopg://root@/postgres?host=/var/run/postgresql"
        )
    )
    name = f"evidence_bench_{uuid.uuid4().hex[:10]}"
    engine = sa.create_engine(admin, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    try:
        yield admin.set(database=name).render_as_string(hide_password=False)
    finally:
        with engine.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        engine.dispose()


def bench_postgresql(rows: int) -> None:
    with throwaway_database() as url:
        engine = sa.create_engine(url, isolation_level="AUTOCOMMIT")
        started = time.perf_counter()
        with engine.connect() as conn:
            version = conn.execute(sa.text("SHOW server_version")).scalar()
            conn.execute(
                sa.text(
                    "CREATE TABLE orders (id bigint PRIMARY KEY, "
                    "delivered_at timestamptz NOT NULL, "
                    "buyer_name text, buyer_email text, legal_hold boolean NOT NULL)"
                )
            )
            keeps = f"547.9 * n / {rows} < 23 OR n % 100003 = 7 OR n % 1000003 = 11"
            conn.execute(
                sa.text(f"""
                INSERT INTO orders
                SELECT n,
                       timestamptz '{AS_OF}+00' - make_interval(secs => 547.9 * 86400 * n / {rows}),
                       CASE WHEN {keeps} THEN 'Buyer ' || n END,
                       CASE WHEN {keeps} THEN 'buyer' || n || '@example.com' END,
                       n % 1000003 = 11
                FROM generate_series(0, {rows - 1}) AS n
            """)
            )
            conn.execute(sa.text("VACUUM ANALYZE orders"))
            size = conn.execute(sa.text("SELECT pg_total_relation_size('orders')")).scalar() or 0
        print(
            f"== PostgreSQL {version}: {rows:,} rows, {size / 1e6:,.0f} MB, built in "
            f"{time.perf_counter() - started:.1f} s"
        )

        def explain(statement: str, params: Any) -> tuple[list[str], int]:
            with engine.connect() as conn:
                analyze = "EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) " + statement
                plan = [row[0] for row in conn.exec_driver_sql(analyze, params)]
            return plan, rows_read(plan)

        baseline = None
        layouts = {
            "none": [],
            "index": ["CREATE INDEX orders_delivered ON orders (delivered_at)"],
            "partial": [
                f"CREATE INDEX orders_pii_delivered ON orders (delivered_at) WHERE {PII_WHERE}"
            ],
        }
        for layout, label in (
            ("none", "no index (baseline)"),
            ("index", "index on delivered_at"),
            (
                "partial",
                "index on delivered_at + partial index on delivered_at where PII is present",
            ),
        ):
            with engine.connect() as conn:
                for statement in layouts[layout]:
                    conn.execute(sa.text(statement))
                conn.execute(sa.text("ANALYZE orders"))
            times = report(label, url, explain, rows, baseline)
            baseline = baseline or times
        engine.dispose()


def rows_read(plan: list[str]) -> int:
    """Rows the scan node of an EXPLAIN ANALYZE plan read: (returned + removed) x loops."""
    read = 0
    for index, line in enumerate(plan):
        if " on orders " not in line + " " or "Scan" not in line:
            continue
        match = re.search(r"rows=(\d+) loops=(\d+)", line)
        if not match:
            continue
        returned, loops = int(match[1]), int(match[2])
        removed = 0
        for following in plan[index + 1 : index + 4]:
            if found := re.search(r"Rows Removed by Filter: (\d+)", following):
                removed = int(found[1])
        read += (returned + removed) * loops
    return read


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument("--only", choices=["sqlite", "postgresql"])
    args = parser.parse_args()
    if args.only in (None, "sqlite"):
        bench_sqlite(args.rows)
    if args.only in (None, "postgresql"):
        bench_postgresql(args.rows)


if __name__ == "__main__":
    main()
