"""cloudtrail: events exported from Logstash/Elastic, OpenSearch and Splunk give the facts of the delivery file.

The exports are derived from real events (realdata/cloudtrail: panther-analysis's CloudTrail rule
tests and the AWS CloudTrail Processing Library's test files, Apache-2.0), reshaped the way each
platform writes them: Logstash's cloudtrail codec moves ``eventTime`` to ``@timestamp`` (with
milliseconds) and adds ``@version``; a search API returns hits with the event in ``_source``;
Splunk's JSON export holds the event text in ``result._raw``.
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from log_builders import REALDATA, Collect, delivery, write


def _timed(event: dict[str, Any]) -> bool:
    try:
        datetime.fromisoformat(str(event.get("eventTime")).replace("Z", "+00:00"))
    except ValueError:
        return False
    return True


def _real_events() -> list[dict[str, Any]]:
    """Every real event with a time (hand-written ones without one, or with "redacted", are left out)."""
    found = []
    for name in ("panther_cloudtrail_rule_tests_Records.json", "aws-ctpl_SerializerTestFile.json"):
        records = json.loads((REALDATA / "cloudtrail" / name).read_text())["Records"]
        found.extend(r for r in records if _timed(r))
    return found


def _logstash(event: dict[str, Any]) -> dict[str, Any]:
    moment = datetime.fromisoformat(event["eventTime"].replace("Z", "+00:00"))
    shaped = {k: v for k, v in event.items() if k != "eventTime"}
    shaped["@timestamp"] = moment.strftime("%Y-%m-%dT%H:%M:%S.000Z")
    shaped["@version"] = "1"
    shaped["type"] = "cloudtrail"
    return shaped


def _lines(rows: list[dict[str, Any]]) -> str:
    return "".join(json.dumps(r) + "\n" for r in rows)


EXPORTS = {
    "logstash.jsonl": lambda events: _lines([_logstash(e) for e in events]),
    "opensearch-hits.json": lambda events: json.dumps(
        {
            "took": 5,
            "hits": {
                "total": {"value": len(events), "relation": "eq"},
                "hits": [
                    {"_index": "cloudtrail-2026", "_id": str(i), "_score": 1.0, "_source": _logstash(e)}
                    for i, e in enumerate(events)
                ],
            },
        }
    ),
    "elasticsearch-hits.ndjson": lambda events: _lines(
        [{"_index": "logs-aws.cloudtrail", "_id": str(i), "_source": _logstash(e)} for i, e in enumerate(events)]
    ),
    "elastic-ecs.jsonl": lambda events: _lines(
        [{"_source": {"@timestamp": e["eventTime"], "event": {"original": json.dumps(e)}, "cloud": {}}} for e in events]
    ),
    "splunk-export.json": lambda events: _lines(
        [{"preview": False, "result": {"_raw": json.dumps(e), "sourcetype": "aws:cloudtrail"}} for e in events]
    ),
    "splunk-results.json": lambda events: json.dumps({"results": [{"_raw": json.dumps(e)} for e in events]}),
}

SETTINGS = {"max_gap_hours": 100000, "allowed_networks": ["10.0.0.0/8"]}


def _comparable(facts: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in facts.items() if k not in ("files", "files_read", "files_rejected")}


@pytest.mark.parametrize("name", sorted(EXPORTS))
def test_every_exported_event_is_kept_with_the_facts_of_the_delivery_file(
    tmp_path: Path, collect: Collect, name: str
) -> None:
    events = _real_events()
    assert len(events) > 400
    delivery(tmp_path / "native/AWSLogs/f.json.gz", events)
    write(tmp_path / "export" / name, EXPORTS[name](events))
    native = collect("cloudtrail", {"paths": ["native"], **SETTINGS}, period="2019-Q1", as_of="2026-12-01")
    exported = collect("cloudtrail", {"paths": ["export"], **SETTINGS}, period="2019-Q1", as_of="2026-12-01")
    stats = exported["access.activity"].stats
    assert (stats.kept, stats.rejected) == (len(events), 0), stats.rejects[:3]
    for kind in ("access.activity", "logging.coverage", "settings.changes"):
        assert _comparable(exported[kind].facts) == _comparable(native[kind].facts), kind
    assert exported["logging.coverage"].facts["events_total"] == len(events)


def test_a_logstash_line_without_any_time_is_rejected_naming_the_line(tmp_path: Path, collect: Collect) -> None:
    events = _real_events()[:3]
    rows = [_logstash(e) for e in events]
    del rows[1]["@timestamp"]
    write(tmp_path / "logstash.jsonl", _lines(rows))
    stats = collect("cloudtrail", {"paths": ["logstash.jsonl"], **SETTINGS})["access.activity"].stats
    assert (stats.kept, stats.rejected) == (2, 1)
    assert str(stats.rejects[0]).endswith("logstash.jsonl:2: no eventTime")
