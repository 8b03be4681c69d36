"""CloudTrail facts counted by SQL where the events are (Amazon Athena), read back as aggregates.

The queries run over the standard CloudTrail table of the AWS documentation (``useridentity``
a struct, ``requestparameters``/``responseelements``/``additionaleventdata`` JSON text) with a
``timestamp`` partition projected by day (``yyyy/MM/dd``), so only the period's days are read.
Each returns counts grouped by principal, address, hour...; :func:`replay` adds them to the
same :class:`AccessAggregator` and :class:`Coverage` the streaming collector fills event by
event, so both engines give the same facts. Console sign-in failure runs are found by a window
function; setting changes (rare) are read back row by row.

The SQL is Trino's (Athena engine 3). The tests run the very same text in DuckDB, with four
Trino functions defined as macros there (see tests/collectors/logs/athena_duckdb.py).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from evidence.collectors.access_facts import AccessAggregator, Attempt
from evidence.collectors.access_paths import THROUGH_IDP
from evidence.collectors.logs.cloudtrail.changes import TRACKED
from evidence.collectors.logs.cloudtrail.events import DISABLING
from evidence.collectors.logs.coverage import Coverage
from evidence.collectors.store_matching import StoreMatcher
from evidence.model.access import AccessPolicy
from evidence.model.period import Period

Rows = list[list[str | None]]
#: Runs one query and returns its rows (header left out) as text, None for NULL, as Athena does.
Runner = Callable[[str, str], Rows]

_MACHINE = r"^(i-[0-9a-f]+|[0-9]+|[0-9a-f-]{32,36}|botocore-session-[0-9]+|aws-go-sdk-[0-9]+)$"
#: principal_name() of cloudtrail_events, in SQL (lower-cased and trimmed as the parser does).
PRINCIPAL = f"""lower(trim(CASE
      WHEN useridentity.type = 'Root' THEN 'root'
      WHEN useridentity.type = 'AWSService'
        OR (coalesce(useridentity.invokedby, '') <> '' AND coalesce(useridentity.arn, '') = '') THEN NULL
      WHEN useridentity.type IN ('IAMUser', 'IdentityCenterUser') AND useridentity.username IS NOT NULL
        THEN useridentity.username
      WHEN useridentity.type = 'AssumedRole' AND regexp_like(coalesce(useridentity.arn, ''), '^[^/]*/[^/]*/')
        THEN CASE WHEN regexp_like(regexp_extract(useridentity.arn, '^[^/]*/[^/]*/(.*)$', 1), '{_MACHINE}')
          THEN regexp_extract(useridentity.arn, '^[^/]*/([^/]*)/', 1)
          ELSE regexp_extract(useridentity.arn, '^[^/]*/[^/]*/(.*)$', 1) END
      WHEN useridentity.type = 'FederatedUser' AND strpos(coalesce(useridentity.arn, ''), '/') > 0
        THEN regexp_extract(useridentity.arn, '([^/]*)$', 1)
      WHEN useridentity.type = 'AWSAccount' AND useridentity.accountid IS NOT NULL
        THEN 'account ' || useridentity.accountid
      WHEN useridentity.username IS NOT NULL THEN useridentity.username
      WHEN strpos(coalesce(useridentity.arn, ''), '/') > 0 THEN regexp_extract(useridentity.arn, '([^/]*)$', 1)
    END))"""

#: federated() of cloudtrail_events, in SQL: a named role session or a federation call.
FEDERATED = f"""(useridentity.type IN ('SAMLUser', 'WebIdentityUser', 'IdentityCenterUser')
      OR (useridentity.type = 'AssumedRole' AND regexp_like(coalesce(useridentity.arn, ''), '^[^/]*/[^/]*/')
        AND NOT regexp_like(regexp_extract(useridentity.arn, '^[^/]*/[^/]*/(.*)$', 1), '{_MACHINE}')))"""


@dataclass(frozen=True)
class Window:
    """What the queries count: the period up to as-of, and the days of partitions read."""

    start: int
    end: int
    as_of: int
    first_partition: str
    last_partition: str

    @classmethod
    def of(cls, period: Period, as_of: datetime, scan_from: datetime | None = None) -> Window:
        """The window of ``period`` (events delivered up to a day late are read too)."""
        end = min(period.end_at, as_of)
        first = scan_from or period.start_at
        return cls(
            start=int(period.start_at.timestamp()),
            end=int(end.timestamp()),
            as_of=int(as_of.timestamp()),
            first_partition=first.strftime("%Y/%m/%d"),
            last_partition=(end + timedelta(days=1)).strftime("%Y/%m/%d"),
        )


def _events(table: str, window: Window) -> str:
    return f"""WITH e AS (
  SELECT
    CAST(to_unixtime(from_iso8601_timestamp(eventtime)) AS BIGINT) AS ts,
    eventname AS event,
    errorcode AS error,
    sourceipaddress AS address,
    useridentity.type AS itype,
    useridentity.invokedby AS invoked,
    {PRINCIPAL} AS principal,
    {FEDERATED} AS federated,
    requestparameters AS params,
    responseelements AS response,
    additionaleventdata AS extra,
    eventsource AS source,
    eventcategory AS category
  FROM {table}
  WHERE "timestamp" BETWEEN '{window.first_partition}' AND '{window.last_partition}'
    AND eventtime IS NOT NULL
)"""


def _quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


_ACTIVE = """((event <> 'ConsoleLogin' AND principal IS NOT NULL AND error IS NULL)
    OR (event = 'ConsoleLogin' AND coalesce(json_extract_scalar(response, '$.ConsoleLogin') = 'Success', false)))"""
_LOGINS = """SELECT coalesce(principal, '-') AS who, ts, address,
    coalesce(json_extract_scalar(response, '$.ConsoleLogin') = 'Success', false) AS success,
    CASE WHEN itype IN ('IAMUser', 'Root') THEN json_extract_scalar(extra, '$.MFAUsed') END AS mfa,
    (principal IS NULL OR principal = 'hidden_due_to_security_reasons') AS hidden,
    coalesce(federated, false) AS through
  FROM e WHERE event = 'ConsoleLogin'"""


def queries(table: str, window: Window, policy: AccessPolicy) -> dict[str, str]:
    """The SQL of each aggregate, by name (run each once; order does not matter)."""
    base = _events(table, window)
    w = window
    found = {
        "hours": f"""{base}
SELECT CAST(floor(ts / 3600.0) AS BIGINT) AS hour, min(ts), max(ts), count(*),
  count_if(ts >= {w.start} AND ts <= {w.end})
FROM e WHERE ts <= {w.as_of} GROUP BY 1 ORDER BY 1""",
        "after_as_of": f"{base}\nSELECT count(*) FROM e WHERE ts > {w.as_of}",
        "activity": f"""{base}
SELECT coalesce(principal, '-') AS who, address, count(*), min(ts), max(ts)
FROM e WHERE ts BETWEEN {w.start} AND {w.end} AND {_ACTIVE}
GROUP BY 1, 2 ORDER BY 1, 2""",
        "logins": f"""{base}, l AS ({_LOGINS})
SELECT who, success, mfa, address, hidden AND NOT success, through, count(*), min(ts), max(ts)
FROM l WHERE ts BETWEEN {w.start} AND {w.end} GROUP BY 1, 2, 3, 4, 5, 6 ORDER BY 1, 2, 3, 4, 5, 6""",
        "federated": f"""{base}
SELECT DISTINCT principal FROM e WHERE principal IS NOT NULL AND federated ORDER BY 1""",
        "outside": f"""{base}
SELECT coalesce(principal, '-') AS who, max(ts) FROM e
WHERE {_ACTIVE} AND (ts < {w.start} OR (ts > {w.end} AND ts <= {w.as_of}))
GROUP BY 1 ORDER BY 1""",
        "runs": f"""{base}, l AS ({_LOGINS}), g AS (
  SELECT who, ts, success,
    coalesce(sum(CASE WHEN success THEN 1 ELSE 0 END) OVER (
      PARTITION BY who ORDER BY ts ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0) AS grp
  FROM l WHERE NOT (hidden AND NOT success)
)
SELECT who, count_if(NOT success), min(CASE WHEN NOT success THEN ts END),
  max(CASE WHEN NOT success THEN ts END), count_if(success) > 0
FROM g GROUP BY who, grp HAVING count_if(NOT success) >= 3 ORDER BY 1, 3""",
        "root": f"""{base}
SELECT event, count(*), min(ts), max(ts) FROM e
WHERE itype = 'Root' AND coalesce(invoked, '') = '' AND ts BETWEEN {w.start} AND {w.end}
GROUP BY 1 ORDER BY 1""",
        "disables": f"""{base}
SELECT ts, event, json_extract_scalar(params, '$.userName'), json_extract_scalar(params, '$.status')
FROM e WHERE event IN ({", ".join(_quote(n) for n in sorted(DISABLING))}) AND error IS NULL
  AND source = 'iam.amazonaws.com' AND ts <= {w.as_of} ORDER BY 1""",
    }
    # Setting changes are few: read them back whole, with the fields a change needs.
    found["changes"] = f"""WITH c AS (
  SELECT CAST(to_unixtime(from_iso8601_timestamp(eventtime)) AS BIGINT) AS ts, eventname, {PRINCIPAL} AS principal,
    requestparameters, errorcode, awsregion, recipientaccountid, eventid
  FROM {table}
  WHERE "timestamp" BETWEEN '{w.first_partition}' AND '{w.last_partition}' AND eventtime IS NOT NULL
    AND eventname IN ({", ".join(_quote(n) for n in sorted(TRACKED))})
)
SELECT ts, eventname, principal, requestparameters, errorcode, awsregion, recipientaccountid, eventid
FROM c WHERE ts <= {w.as_of} ORDER BY ts, eventid"""
    if policy.pii_stores:
        found["stores"] = f"""{base}, s AS (
  SELECT principal, address, ts,
    CASE WHEN json_extract_scalar(params, '$.bucketName') IS NOT NULL THEN 'bucket' ELSE 'table' END AS kind,
    coalesce(json_extract_scalar(params, '$.bucketName'), json_extract_scalar(params, '$.tableName'),
      json_extract_scalar(params, '$.TableName')) AS name
  FROM e WHERE ts BETWEEN {w.start} AND {w.end} AND principal IS NOT NULL AND error IS NULL
    AND coalesce(category, '') <> 'Management' AND params IS NOT NULL
)
SELECT principal, kind, name, address, count(*), min(ts) FROM s WHERE name IS NOT NULL
GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4"""
    departed = {
        name.strip().lower(): int(user.left.timestamp())
        for user in policy.departed_users
        for name in user.identities()
    }
    if departed:
        cases = " ".join(f"WHEN {_quote(k)} THEN {v}" for k, v in sorted(departed.items()))
        found["after_leaving"] = f"""{base}
SELECT coalesce(principal, '-') AS who, count(*), min(ts), max(ts) FROM e
WHERE {_ACTIVE} AND ts <= {w.as_of}
  AND coalesce(principal, '-') IN ({", ".join(_quote(k) for k in sorted(departed))})
  AND ts > CASE coalesce(principal, '-') {cases} END
GROUP BY 1 ORDER BY 1"""
    return found


@dataclass
class Counted:
    """What the aggregates give: the same counters the streaming parse fills."""

    access: AccessAggregator
    coverage: Coverage
    changes: list[tuple[int, dict[str, Any], str | None]] = field(default_factory=list)
    failed_changes: int = 0
    events: int = 0


def _int(value: str | None) -> int:
    return int(float(value)) if value not in (None, "") else 0


def _bool(value: str | None) -> bool:
    return str(value).lower() in ("true", "1")


def replay(
    rows: Mapping[str, Sequence[Sequence[str | None]]],
    policy: AccessPolicy,
    period: Period,
    as_of: datetime,
    max_gap_hours: float,
) -> Counted:
    """Add the aggregate rows of every query to fresh counters, as the streaming parse would."""
    access = AccessAggregator(policy, period, as_of)
    coverage = Coverage(period, as_of, max_gap_hours)
    counted = Counted(access, coverage)
    for hour, low, high, count, in_period in rows["hours"]:
        coverage.hours[_int(hour)] = [_int(low), _int(high)]
        coverage.total += _int(count)
        coverage.in_period += _int(in_period)
    coverage.after_as_of = sum(_int(r[0]) for r in rows["after_as_of"])
    counted.events = coverage.total + coverage.after_as_of
    for who, address, count, low, high in rows["activity"]:
        access.absorb_activity(str(who), address, _int(count), _int(low), _int(high))
    for who, success, mfa, address, invalid, through, count, low, high in rows["logins"]:
        attempt = Attempt(
            _int(low),
            str(who),
            _bool(success),
            "console",
            True if mfa == "Yes" else False if mfa == "No" else None,
            address,
            invalid_user=_bool(invalid),
            paths=(THROUGH_IDP,) if _bool(through) else (),
        )
        access.absorb_logins(attempt, _int(count), _int(low), _int(high))
    for (who,) in rows.get("federated", []):
        access.mark_federated(str(who))
    for who, last in rows.get("outside", []):
        access.absorb_outside(str(who), _int(last))
    for who, failures, start, end, after in rows["runs"]:
        access.absorb_run(str(who), _int(failures), _int(start), _int(end), _bool(after))
    for action, count, low, high in rows["root"]:
        access.absorb_root(str(action), _int(count), _int(low), _int(high))
    for ts, event, user, status in rows["disables"]:
        if user is None or (event == "UpdateAccessKey" and status != "Inactive"):
            continue
        access.disabled(_int(ts), user, f"IAM {event}")
    matcher = StoreMatcher(policy.pii_stores)
    for who, kind, name, address, count, low in rows.get("stores", []):
        store = matcher.bucket(str(name)) if kind == "bucket" else matcher.table(str(name))
        if store is not None:
            access.absorb_store(store, who, address, _int(count), _int(low))
    for who, count, low, high in rows.get("after_leaving", []):
        access.absorb_after_leaving(str(who), _int(count), _int(low), _int(high))
    for ts, event, principal, params, error, region, account, event_id in rows["changes"]:
        if error:
            counted.failed_changes += 1
            continue
        record = {
            "eventName": event,
            "requestParameters": json.loads(params) if params else None,
            "awsRegion": region,
            "recipientAccountId": account,
            "eventID": event_id,
        }
        counted.changes.append((_int(ts), record, principal))
    return counted
