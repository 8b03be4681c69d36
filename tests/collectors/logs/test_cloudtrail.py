"""cloudtrail: known answers for logins, MFA, root, principals, networks, stores, disables, PII."""

from __future__ import annotations

import json
from pathlib import Path

from log_builders import Collect, ct_event, delivery, iam, login, root, write

from evidence.redact import Redactor

BUCKETS = [{"name": "label archive", "buckets": ["ff-labels"], "principals": ["labeller"]}]


def _records() -> list[dict]:
    role = {
        "type": "AssumedRole",
        "arn": "arn:aws:sts::111122223333:assumed-role/labeller/i-0abc1234",
        "accountId": "1",
    }
    sso = {
        "type": "AssumedRole",
        "arn": "arn:aws:sts::111122223333:assumed-role/AWSReservedSSO_Admin/dana@corp.example",
    }
    return [
        login("2026-07-02T09:00:00Z", "alice", "Yes"),
        login("2026-07-02T10:00:00Z", "bob", "No"),
        login("2026-07-03T10:00:00Z", "bob", "No"),
        login("2026-07-03T11:00:00Z", "carol", "No", ip="203.0.113.9"),
        login("2026-07-03T12:00:00Z", "carol", "No", ok=False),
        login("2026-07-04T08:00:00Z", "root", "Yes"),
        ct_event("2026-07-04T08:05:00Z", "CreateAccessKey", root()),
        ct_event(
            "2026-07-05T08:00:00Z",
            "GetObject",
            role,
            ip="192.0.2.10",
            params={"bucketName": "ff-labels", "key": "a"},
        ),
        ct_event(
            "2026-07-05T08:01:00Z",
            "GetObject",
            iam("alice"),
            params={"bucketName": "ff-labels", "key": "b"},
        ),
        ct_event(
            "2026-07-05T08:02:00Z",
            "GetObject",
            iam("alice"),
            params={"bucketName": "other", "key": "c"},
        ),
        ct_event("2026-07-06T08:00:00Z", "DescribeInstances", sso),
        ct_event(
            "2026-07-06T09:00:00Z", "DeleteLoginProfile", iam("alice"), params={"userName": "erin"}
        ),
        ct_event(
            "2026-07-06T09:01:00Z",
            "UpdateAccessKey",
            iam("alice"),
            params={"userName": "frank", "status": "Active"},
        ),
        ct_event("2026-07-06T09:02:00Z", "RunInstances", iam("alice"), error="AccessDenied"),
        ct_event(
            "2026-07-07T09:02:00Z",
            "PutItem",
            iam("alice"),
            params={"note": "call jane.doe@example.com"},
        ),
    ]


def test_known_answers_on_a_delivery_file(
    tmp_path: Path, collect: Collect, redactor: Redactor
) -> None:
    delivery(
        tmp_path / "AWSLogs/111122223333/CloudTrail/eu-west-1/2026/07/02/f1.json.gz", _records()
    )
    items = collect(
        "cloudtrail",
        {
            "paths": ["AWSLogs"],
            "pii_stores": BUCKETS,
            "allowed_networks": ["198.51.100.0/24", "192.0.2.0/24"],
            "departed_users": [
                {"name": "Erin Example", "accounts": ["erin"], "left": "2026-07-05"}
            ],
        },
    )
    facts = items["access.activity"].facts
    logins = facts["logins"]["by_method"]["console"]
    assert (logins["succeeded"], logins["failed"], logins["with_mfa"], logins["without_mfa"]) == (
        5,
        1,
        2,
        3,
    )
    assert logins["principals_without_mfa"] == 2
    assert facts["root_use"] == {
        "events": 2,
        "logins": 1,
        "first": "2026-07-04T08:00:00Z",
        "last": "2026-07-04T08:05:00Z",
        "actions": {"ConsoleLogin": 1, "CreateAccessKey": 1},
    }
    names = {p["principal"] for p in facts["principals"]}
    for who in ("alice", "bob", "carol", "root", "labeller", "dana@corp.example"):
        assert redactor.principal(who) in names
    assert facts["principal_count"] == 6
    assert facts["pii_store_access"] == sorted(
        [
            {"store": "label archive", "principal": redactor.principal("alice"), "count": 1},
            {"store": "label archive", "principal": redactor.principal("labeller"), "count": 1},
        ],
        key=lambda r: r["principal"],
    )
    assert facts["network"]["outside_logins"] == 1  # carol from 203.0.113.9
    assert facts["network"]["outside_login_list"][0]["address"] == redactor.address("203.0.113.9")
    departed = facts["departed_users"][0]
    assert departed["disabled_logged"] == "2026-07-06T09:00:00Z"
    assert departed["disabled_how"] == "IAM DeleteLoginProfile"
    assert departed["principals"] == [redactor.principal("erin")]
    assert [g["account"] for g in facts["generic_accounts"]] == ["root"]
    pii = items["logging.pii_in_logs"].facts
    assert pii["counts"] == {"email": 1}
    assert pii["locations"][0].endswith("f1.json.gz:1 (Records[14])")
    assert items["access.activity"].stats.kept == 15
    assert "alice" not in json.dumps([i.facts for i in items.values()])


def test_one_event_per_line_export_and_lookup_events(tmp_path: Path, collect: Collect) -> None:
    lines = "\n".join(json.dumps(r) for r in _records()[:3]) + "\nnot json\n"
    write(tmp_path / "export.jsonl", lines)
    lookup = {
        "Events": [
            {
                "EventName": "ConsoleLogin",
                "Username": "bob",
                "CloudTrailEvent": json.dumps(login("2026-07-09T10:00:00Z", "bob", "No")),
            }
        ]
    }
    write(tmp_path / "lookup.json", json.dumps(lookup, indent=2))
    items = collect("cloudtrail", {"paths": ["export.jsonl", "lookup.json"]})
    console = items["access.activity"].facts["logins"]["by_method"]["console"]
    assert console["without_mfa"] == 3
    stats = items["access.activity"].stats
    assert stats.rejected == 1
    assert str(stats.rejects[0]).endswith(
        "export.jsonl:4: malformed JSON (expected one CloudTrail event per line)"
    )


def test_malformed_files_are_rejected_and_the_rest_kept(tmp_path: Path, collect: Collect) -> None:
    delivery(tmp_path / "good.json", _records()[:2])
    write(
        tmp_path / "bad.json", '{"Records": [\n  {"eventTime": "2026-07-01T00:00:00Z",\n  oops\n]}'
    )
    write(tmp_path / "broken.json.gz", "not gzip at all")
    pretty = {"Records": [{"eventName": "x"}, {"eventTime": "yesterday"}]}
    write(tmp_path / "pretty.json", json.dumps(pretty, indent=2))
    items = collect("cloudtrail", {"paths": ["."]})
    rejects = [str(r) for r in items["access.activity"].stats.rejects]
    assert any(r.endswith("bad.json:3: malformed JSON (column 3)") for r in rejects)
    assert any("broken.json.gz:1: " in r for r in rejects)
    assert any(r.endswith("pretty.json:3: Records[0]: no eventTime") for r in rejects)
    assert any(
        r.endswith("pretty.json:6: Records[1]: eventTime is not an ISO 8601 time") for r in rejects
    )
    assert items["access.activity"].facts["logins"]["succeeded"] == 2
    assert items["access.activity"].facts["files_rejected"] == 2


def test_pool_and_single_process_give_the_same_facts(tmp_path: Path, collect: Collect) -> None:
    import evidence.collectors.logs.cloudtrail.collector as cloudtrail

    records = _records()
    for n in range(40):
        delivery(
            tmp_path / f"logs/2026/07/{n:02d}.json.gz",
            [dict(r) for r in records[n % len(records) :][:3]],
        )
    settings = {"paths": ["logs"], "pii_stores": BUCKETS, "allowed_networks": ["198.51.100.0/24"]}
    single = collect("cloudtrail", {**settings, "workers": 1})
    original = cloudtrail.POOL_MIN_BYTES
    cloudtrail.POOL_MIN_BYTES = 0
    try:
        pooled = collect("cloudtrail", {**settings, "workers": 2})
    finally:
        cloudtrail.POOL_MIN_BYTES = original
    for kind in single:
        assert single[kind].facts_sha256 == pooled[kind].facts_sha256, kind
        assert single[kind].id == pooled[kind].id


def test_missing_source_fails_cleanly(tmp_path: Path, collect: Collect) -> None:
    import pytest

    from evidence.errors import InputError

    with pytest.raises(InputError, match="file not found"):
        collect("cloudtrail", {"paths": ["nowhere"]})
