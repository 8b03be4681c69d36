"""The standard CloudTrail Athena table in DuckDB: events loaded as Athena's CloudTrail SerDe reads them.

The columns, struct fields and types follow the table of the AWS documentation ("Creating the
table for CloudTrail logs in Athena using partition projection"), as Athena sees it: names in
lower case, nested request and response objects as JSON text, a ``timestamp`` partition of the
delivery day (``yyyy/MM/dd``). Four Trino functions the queries use are DuckDB macros here;
everything else in the SQL runs as written.
"""

from __future__ import annotations

import gzip
import json
import re
from pathlib import Path
from typing import Any

import duckdb

TABLE = "cloudtrail_logs"

DDL = f"""CREATE TABLE {TABLE} (
  eventversion VARCHAR,
  useridentity STRUCT(
    type VARCHAR, principalid VARCHAR, arn VARCHAR, accountid VARCHAR, invokedby VARCHAR,
    accesskeyid VARCHAR, username VARCHAR,
    sessioncontext STRUCT(
      attributes STRUCT(mfaauthenticated VARCHAR, creationdate VARCHAR),
      sessionissuer STRUCT(type VARCHAR, principalid VARCHAR, arn VARCHAR, accountid VARCHAR, username VARCHAR)
    )
  ),
  eventtime VARCHAR, eventsource VARCHAR, eventname VARCHAR, awsregion VARCHAR, sourceipaddress VARCHAR,
  useragent VARCHAR, errorcode VARCHAR, errormessage VARCHAR, requestparameters VARCHAR,
  responseelements VARCHAR, additionaleventdata VARCHAR, requestid VARCHAR, eventid VARCHAR,
  readonly VARCHAR, resources STRUCT(arn VARCHAR, accountid VARCHAR, type VARCHAR)[], eventtype VARCHAR,
  apiversion VARCHAR, recipientaccountid VARCHAR, serviceeventdetails VARCHAR, sharedeventid VARCHAR,
  vpcendpointid VARCHAR, eventcategory VARCHAR,
  "timestamp" VARCHAR
)"""

MACROS = (
    "CREATE MACRO regexp_like(s, p) AS regexp_matches(s, p)",
    "CREATE MACRO json_extract_scalar(j, p) AS json_extract_string(j, p)",
    "CREATE MACRO from_iso8601_timestamp(s) AS CAST(s AS TIMESTAMPTZ)",
    "CREATE MACRO to_unixtime(t) AS epoch(t)",
)

_TEXT = ("requestparameters", "responseelements", "additionaleventdata", "serviceeventdetails")
#: The table's columns, in order.
_COLUMNS = (
    "eventversion", "useridentity", "eventtime", "eventsource", "eventname", "awsregion", "sourceipaddress",
    "useragent", "errorcode", "errormessage", "requestparameters", "responseelements", "additionaleventdata",
    "requestid", "eventid", "readonly", "resources", "eventtype", "apiversion", "recipientaccountid",
    "serviceeventdetails", "sharedeventid", "vpcendpointid", "eventcategory", '"timestamp"',
)  # fmt: skip


def _lower(value: Any) -> Any:
    if isinstance(value, dict):
        return {k.lower(): _lower(v) for k, v in value.items()}
    return value


def _scalar(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (dict, list)):
        return json.dumps(value, separators=(",", ":"))
    return str(value)


def _identity(value: Any) -> dict[str, Any] | None:
    if not isinstance(value, dict):
        return None
    found = _lower(value)
    context = found.get("sessioncontext") if isinstance(found.get("sessioncontext"), dict) else {}
    attributes = context.get("attributes") if isinstance(context.get("attributes"), dict) else {}
    issuer = context.get("sessionissuer") if isinstance(context.get("sessionissuer"), dict) else {}
    return {
        **{k: _scalar(found.get(k)) for k in ("type", "principalid", "arn", "accountid", "invokedby",
                                                "accesskeyid", "username")},
        "sessioncontext": {
            "attributes": {k: _scalar(attributes.get(k)) for k in ("mfaauthenticated", "creationdate")},
            "sessionissuer": {k: _scalar(issuer.get(k)) for k in ("type", "principalid", "arn", "accountid",
                                                                 "username")},
        },
    }  # fmt: skip


def row(event: dict[str, Any], partition: str) -> tuple[Any, ...]:
    """One event as a row of the table (the SerDe maps keys case-insensitively)."""
    found = {k.lower(): v for k, v in event.items()}
    values: list[Any] = []
    for column in _COLUMNS:
        if column == '"timestamp"':
            values.append(partition)
        elif column == "useridentity":
            values.append(_identity(found.get("useridentity")))
        elif column == "resources":
            listed = found.get("resources")
            values.append(
                [{k: _scalar(_lower(r).get(k)) for k in ("arn", "accountid", "type")} for r in listed]
                if isinstance(listed, list)
                else None
            )
        else:
            values.append(_scalar(found.get(column)))
    return tuple(values)


def delivery_events(root: Path) -> list[tuple[dict[str, Any], str]]:
    """Every event of the delivery files under ``root``, with the day partition of its key."""
    found = []
    for path in sorted(root.rglob("*.json.gz")):
        if "CloudTrail-Digest" in str(path):
            continue
        day = re.search(r"/(\d{4})/(\d{2})/(\d{2})/", str(path))
        assert day is not None, path
        for event in json.loads(gzip.decompress(path.read_bytes()))["Records"]:
            found.append((event, "/".join(day.groups())))
    return found


class DuckDBAthena:
    """The table and the four macros in an in-memory DuckDB; ``run`` answers as Athena would."""

    def __init__(self, events: list[tuple[dict[str, Any], str]]) -> None:
        self.db = duckdb.connect()
        for macro in MACROS:
            self.db.execute(macro)
        self.db.execute(DDL)
        placeholders = ", ".join("?" for _ in _COLUMNS)
        self.db.executemany(f"INSERT INTO {TABLE} VALUES ({placeholders})", [row(e, p) for e, p in events])

    def run(self, sql: str) -> list[list[str | None]]:
        """The rows of ``sql`` as text (NULL as None, booleans as true/false), header left out."""
        return [
            [_scalar(v) if not isinstance(v, float) else _number(v) for v in r] for r in self.db.sql(sql).fetchall()
        ]

    def run_all(self, queries: dict[str, str]) -> dict[str, list[list[str | None]]]:
        """Every named query's rows."""
        return {name: self.run(sql) for name, sql in queries.items()}


def _number(value: float) -> str:
    return str(int(value)) if value.is_integer() else str(value)
