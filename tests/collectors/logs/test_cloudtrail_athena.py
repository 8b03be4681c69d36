"""cloudtrail engine = "athena": the aggregate SQL gives the streaming collector's facts, through Athena's API.

DuckDB runs the very queries over the sample trail loaded with the Athena table's schema, and
the facts must equal the streaming parse of the same files. The Athena API calls (start, poll,
paginate, failure, cancellation) run through boto3 against a moto server on loopback, which
returns the rows DuckDB computed.
"""

from __future__ import annotations

import json
import threading
import urllib.request
from functools import cache
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from athena_duckdb import TABLE, DuckDBAthena, delivery_events
from collector_testing import ROOT, collector_context

from evidence.collectors.logs.cloudtrail.collector import CloudTrailCollector, CloudTrailSettings
from evidence.collectors.logs.cloudtrail.sql import Window, queries, replay
from evidence.model.evidence import EvidenceItem
from evidence.model.period import parse_period
from tests.collectors.aws.moto_support import (
    REGION,
    Moto,
    moto_fixture,  # noqa: F401  (the fixture `moto`)
    moto_server_fixture,  # noqa: F401  (the fixture `moto_server`)
)

TRAIL = ROOT / "samples/logs/cloudtrail/AWSLogs"
#: The sample's [access] table (samples/evidence.toml), which the facts depend on.
ACCESS: dict[str, Any] = {
    "allowed_networks": ["192.0.2.0/24", "198.51.100.0/24"],
    "service_accounts": ["parcelpilot_app", "parcelpilot-labels"],
    "max_gap_hours": 24,
    "departed_users": [{"name": "Marcus Hale", "accounts": ["marcus.hale"], "left": "2026-08-14"}],
    "pii_stores": [
        {"name": "label-archive", "buckets": ["parcelpilot-label-archive"], "principals": ["parcelpilot-labels"]},
        {"name": "tax-archive", "buckets": ["parcelpilot-tax-archive"], "principals": ["priya.raman"]},
    ],
}
ATHENA = {"database": "security", "table": TABLE, "workgroup": "primary", "scan_from": "2025-11-01"}


def settings(**extra: Any) -> CloudTrailSettings:
    return CloudTrailSettings.model_validate({**ACCESS, **extra})


@cache
def streamed() -> dict[str, EvidenceItem]:
    """The streaming collector on the sample trail's files."""
    found = CloudTrailCollector(settings(paths=[str(TRAIL)], workers=1), collector_context(ROOT, "trail")).collect()
    return {i.kind: i.seal() for i in found}


@cache
def duck() -> DuckDBAthena:
    return DuckDBAthena(delivery_events(TRAIL))


def _sql() -> dict[str, str]:
    period = parse_period("2026-Q3")
    window = Window.of(period, period.end_at, scan_from=parse_period("2025-Q4").start_at)
    return queries(TABLE, window, settings(paths=[str(TRAIL)]))


def _same(a: dict[str, Any], b: dict[str, Any]) -> dict[str, Any]:
    """Facts that do not depend on how the events were read (files vs queries)."""
    ignored = ("files", "files_read", "files_rejected")
    return {k: v for k, v in a.items() if k not in ignored}, {k: v for k, v in b.items() if k not in ignored}  # type: ignore[return-value]


def test_duckdb_runs_the_athena_queries_to_the_streaming_collectors_facts() -> None:
    period = parse_period("2026-Q3")
    counted = replay(duck().run_all(_sql()), settings(paths=[str(TRAIL)]), period, period.end_at, 24)
    redactor = collector_context(ROOT, "trail").redactor
    activity = {
        **counted.access.facts(redactor, "cloudtrail", "cloud"),
        "events_in_period": counted.coverage.in_period,
        "newest_event": counted.coverage.facts()["newest_event"],  # what LogCollector.items adds
    }
    expected = streamed()["access.activity"].facts
    left, right = _same(activity, expected)
    assert left == right
    coverage = counted.coverage.facts()
    assert coverage == {k: v for k, v in streamed()["logging.coverage"].facts.items() if k in coverage}
    # The facts are not trivially empty: the sample's deliberate findings are there.
    assert activity["logins"]["without_mfa"] == 3
    assert activity["departed_users"][0]["disabled_logged"] == "2026-08-17T09:40:00Z"
    assert {a["store"] for a in activity["pii_store_access"]} == {"label-archive", "tax-archive"}
    assert coverage["events_total"] > 1500
    assert [c[1]["eventName"] for c in counted.changes] == [
        "DeleteBucketEncryption",
        "PutBucketEncryption",
        "DeleteLoginProfile",
    ]


# Athena's API, on a moto server --------------------------------------------------------------------------


def _queue(moto: Moto, results: list[list[list[str | None]]]) -> None:
    """Give moto the rows (with a header row) each next query returns, as Athena would."""
    body = {
        "account_id": "123456789012",
        "region": REGION,
        "results": [
            {
                "rows": [{"Data": [{"VarCharValue": "c"}]}]
                + [{"Data": [{} if v is None else {"VarCharValue": v} for v in r]} for r in rows],
                "column_info": [],
            }
            for rows in results
        ],
    }
    request = urllib.request.Request(
        f"{moto.endpoint}/moto-api/static/athena/query-results",
        data=json.dumps(body).encode(),
        method="POST",
        headers={"Content-Type": "application/json"},
    )
    urllib.request.urlopen(request, timeout=10).close()


def _progress(moto: Moto, transition: dict[str, Any] | None) -> None:
    """How moto moves Athena executions along (None: at once, its default)."""
    if transition is None:
        moto.api("state-manager/unset-transition", json.dumps({"model_name": "athena::execution"}).encode())
    else:
        body = {"model_name": "athena::execution", "transition": transition}
        moto.api("state-manager/set-transition", json.dumps(body).encode())


def _athena_items(endpoint: str, **athena: Any) -> dict[str, EvidenceItem]:
    extra = {**ATHENA, "region": REGION, "endpoint_url": endpoint, "poll_seconds": 0.05, **athena}
    collector = CloudTrailCollector(settings(engine="athena", athena=extra), collector_context(ROOT, "trail"))
    return {i.kind: i.seal() for i in collector.collect()}


def test_the_athena_engine_through_moto_gives_the_streaming_facts(moto: Moto) -> None:
    _queue(moto, list(duck().run_all(_sql()).values()))
    _progress(moto, {"progression": "manual", "times": 1})  # QUEUED, then RUNNING, then SUCCEEDED
    moto.api("recorder/start-recording")
    try:
        items = _athena_items(moto.endpoint)
    finally:
        moto.api("recorder/stop-recording")
        _progress(moto, None)
    for kind in ("access.activity", "logging.coverage", "settings.changes"):
        left, right = _same(items[kind].facts, streamed()[kind].facts)
        assert left == right, kind
    raws = items["access.activity"].raw_inputs
    assert len(raws) == len(_sql()) and all(r.location.startswith("athena://primary/") for r in raws)
    assert (
        items["logging.pii_in_logs"].error is not None and "not scanned for PII" in items["logging.pii_in_logs"].error
    )
    started = [r for r in moto.recorded() if "StartQueryExecution" in str(r.get("headers", {}).get("X-Amz-Target"))]
    assert len(started) == len(_sql())
    polled = [r for r in moto.recorded() if "GetQueryExecution" in str(r.get("headers", {}).get("X-Amz-Target"))]
    assert len(polled) >= 2 * len(_sql())  # each execution was polled while QUEUED or RUNNING


def test_a_query_that_runs_too_long_is_cancelled_and_named(moto: Moto) -> None:
    _progress(moto, {"progression": "manual", "times": 1000})  # never leaves QUEUED
    try:
        items = _athena_items(moto.endpoint, timeout_seconds=0.2)
    finally:
        _progress(moto, None)
    error = items["access.activity"].error
    assert error is not None and "ended CANCELLED: still QUEUED after 0.2 s" in error
    query_id = error.split("(")[1].split(")")[0]
    state = moto.client("athena").get_query_execution(QueryExecutionId=query_id)["QueryExecution"]["Status"]
    assert state["State"] == "CANCELLED"


class _Failing(BaseHTTPRequestHandler):
    """A loopback proxy to moto that reports the first query FAILED, as Athena does for bad SQL."""

    upstream = ""
    failed: set[str] = set()

    def do_POST(self) -> None:  # noqa: N802 - the http.server name
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        headers = {k: v for k, v in self.headers.items() if k.lower() not in ("host", "content-length")}
        request = urllib.request.Request(self.upstream + self.path, data=body, method="POST", headers=headers)
        with urllib.request.urlopen(request, timeout=10) as response:
            status, data = response.status, response.read()
        if "GetQueryExecution" in self.headers.get("X-Amz-Target", ""):
            found = json.loads(data)
            execution = found["QueryExecution"]
            if not self.failed or execution["QueryExecutionId"] in self.failed:
                self.failed.add(execution["QueryExecutionId"])
                execution["Status"] = {"State": "FAILED", "StateChangeReason": "TABLE_NOT_FOUND: cloudtrail_logs"}
                data = json.dumps(found).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/x-amz-json-1.1")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the http.server signature
        return


def test_a_failed_query_gives_insufficient_evidence_naming_its_id(moto: Moto) -> None:
    _Failing.upstream, _Failing.failed = moto.endpoint, set()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Failing)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        items = _athena_items(f"http://127.0.0.1:{server.server_address[1]}")
    finally:
        server.shutdown()
        server.server_close()
    (query_id,) = _Failing.failed
    for item in items.values():
        assert item.error == (
            f"athena query {query_id}: Athena query hours ({query_id}) ended FAILED: TABLE_NOT_FOUND: cloudtrail_logs"
        )
    from evidence.controls.catalogue import load_catalogue
    from evidence.controls.evaluate import EvaluationInput, evaluate

    period = parse_period("2026-Q3")
    evaluation = evaluate(
        [load_catalogue("amazon-dpp@2025-11")], EvaluationInput(list(items.values()), period, period.end_at)
    )
    mfa = next(r for r in evaluation.results if r.control_id == "DPP-ACC-7")
    assert mfa.status.value == "insufficient_evidence"
    assert any(query_id in reason for reason in mfa.reasons)


def test_athena_needs_its_table(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match=r'engine = "athena" needs \[sources.athena\]'):
        settings(engine="athena")
