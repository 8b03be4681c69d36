"""[cloudtrail] with ``engine = "athena"``: the facts counted by Amazon Athena, only aggregates read back.

Every query of :mod:`cloudtrail_sql` is started at once (Athena runs them side by side), then
each is polled until it ends and its rows are read page by page. A query that fails, is
cancelled, or outlives ``timeout_seconds`` (then it is cancelled) is an error naming its query
execution id: the source's items say so and its controls are insufficient evidence. The query
ids, the SQL's hash and the bytes scanned are recorded as the items' raw inputs, so an auditor
can find each query in the workgroup's history and run it again.
"""

from __future__ import annotations

import hashlib
import json
import time
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from pydantic import Field

from evidence.collectors.base import CollectorSettings
from evidence.errors import InputError
from evidence.model.evidence import RawInput

_RUNNING = ("QUEUED", "RUNNING")


class AthenaSettings(CollectorSettings):
    """Where the CloudTrail table is and how to reach Athena (docs/collectors/cloudtrail.md)."""

    database: str = Field(pattern=r"^[A-Za-z0-9_]+$")
    table: str = Field(pattern=r"^[A-Za-z0-9_]+$")
    workgroup: str = "primary"
    output_location: str | None = Field(default=None, pattern=r"^s3://.+")
    region: str | None = None
    profile: str | None = None
    endpoint_url: str | None = None
    #: Read partitions from this day on (default: the period's first day). Earlier days tell
    #: how long logs are kept, and cost a scan of their data.
    scan_from: date | None = None
    poll_seconds: float = Field(default=1.0, gt=0, le=60)
    timeout_seconds: float = Field(default=900, gt=0, le=86_400)


class AthenaQueryFailed(InputError):
    """A query that did not succeed: its name, execution id, final state and Athena's reason."""

    def __init__(self, name: str, query_id: str, state: str, reason: str) -> None:
        super().__init__(
            f"athena query {query_id}",
            f"Athena query {name} ({query_id}) ended {state}: {reason or 'no reason given'}",
        )
        self.query_id = query_id


@dataclass
class Execution:
    """One query as run: its name, id, SQL hash, rows and bytes scanned."""

    name: str
    query_id: str
    sql_sha256: str
    rows: list[list[str | None]] = field(default_factory=list)
    scanned_bytes: int = 0

    def raw_input(self, workgroup: str) -> RawInput:
        """The query as a raw input: where to find it, and the hash of the rows read back."""
        payload = json.dumps(self.rows, separators=(",", ":")).encode()
        return RawInput(
            location=f"athena://{workgroup}/{self.query_id}#{self.name} sql-sha256={self.sql_sha256} "
            f"scanned={self.scanned_bytes}",
            sha256=hashlib.sha256(payload).hexdigest(),
            size=len(payload),
        )


class AthenaRunner:
    """Runs named queries in Athena through boto3 and returns their rows as text."""

    def __init__(self, settings: AthenaSettings) -> None:
        import boto3
        from botocore.config import Config

        session = boto3.Session(profile_name=settings.profile, region_name=settings.region)
        self.client = session.client(
            "athena",
            endpoint_url=settings.endpoint_url,
            config=Config(retries={"max_attempts": 4, "mode": "standard"}, user_agent_extra="dpp-evidence"),
        )
        self.settings = settings
        self.executions: list[Execution] = []

    def run_all(self, queries: dict[str, str]) -> dict[str, list[list[str | None]]]:
        """Start every query, then wait for each and read its rows (in the order given)."""
        started = [(name, sql, self._start(sql)) for name, sql in queries.items()]
        rows: dict[str, list[list[str | None]]] = {}
        for name, sql, query_id in started:
            execution = Execution(name, query_id, hashlib.sha256(sql.encode()).hexdigest())
            self.executions.append(execution)
            execution.scanned_bytes = self._wait(name, query_id)
            execution.rows = self._rows(query_id)
            rows[name] = execution.rows
        return rows

    def _start(self, sql: str) -> str:
        from botocore.exceptions import BotoCoreError, ClientError

        params: dict[str, Any] = {
            "QueryString": sql,
            "QueryExecutionContext": {"Database": self.settings.database},
            "WorkGroup": self.settings.workgroup,
        }
        if self.settings.output_location:
            params["ResultConfiguration"] = {"OutputLocation": self.settings.output_location}
        try:
            return str(self.client.start_query_execution(**params)["QueryExecutionId"])
        except ClientError as exc:
            code = exc.response.get("Error", {}).get("Code", "error")
            raise InputError("athena", f"Athena refused to start a query ({code}): {_needs(code)}") from None
        except BotoCoreError as exc:
            raise InputError("athena", f"cannot reach Athena: {exc}") from None

    def _wait(self, name: str, query_id: str) -> int:
        deadline = time.monotonic() + self.settings.timeout_seconds
        while True:
            execution = self.client.get_query_execution(QueryExecutionId=query_id)["QueryExecution"]
            status = execution.get("Status", {})
            state = str(status.get("State"))
            if state == "SUCCEEDED":
                return int(execution.get("Statistics", {}).get("DataScannedInBytes") or 0)
            if state not in _RUNNING:
                raise AthenaQueryFailed(name, query_id, state, str(status.get("StateChangeReason") or ""))
            if time.monotonic() >= deadline:
                self.client.stop_query_execution(QueryExecutionId=query_id)
                raise AthenaQueryFailed(
                    name, query_id, "CANCELLED", f"still {state} after {self.settings.timeout_seconds:g} s"
                )
            time.sleep(self.settings.poll_seconds)

    def _rows(self, query_id: str) -> list[list[str | None]]:
        found: list[list[str | None]] = []
        pages = self.client.get_paginator("get_query_results").paginate(QueryExecutionId=query_id)
        for page_number, page in enumerate(pages):
            rows = page.get("ResultSet", {}).get("Rows", [])
            for index, row in enumerate(rows):
                if page_number == 0 and index == 0:
                    continue  # the header row
                found.append([cell.get("VarCharValue") for cell in row.get("Data", [])])
        return found


def _needs(code: str) -> str:
    if "AccessDenied" in code:
        return (
            "grant athena:StartQueryExecution, athena:GetQueryExecution, athena:GetQueryResults, "
            "athena:StopQueryExecution, glue:GetTable, glue:GetDatabase, s3:GetObject on the trail "
            "bucket and s3:PutObject on the output location (docs/collectors/cloudtrail-athena.md)"
        )
    return "see docs/collectors/cloudtrail-athena.md"


def scan_start(settings: AthenaSettings) -> datetime | None:
    """The first day of partitions to read, as an instant (None: the period's first day)."""
    if settings.scan_from is None:
        return None
    return datetime.combine(settings.scan_from, datetime.min.time(), UTC)
