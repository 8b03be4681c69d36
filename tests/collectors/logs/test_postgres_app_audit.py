"""postgres-log and app-audit-log: logins, failures, pgaudit, statement store access, PII, mapping."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from log_builders import Collect, write

from evidence.redact import Redactor

STORES = [
    {"name": "buyers", "tables": ["public.buyers"], "principals": ["app"]},
    {"name": "address API", "paths": ["/api/orders/*/address"], "principals": ["ann@corp.example"]},
]

STDERR = """\
2026-07-02 09:00:00.100 UTC [10] LOG:  connection received: host=192.0.2.10 port=5000
2026-07-02 09:00:00.120 UTC [10] app@orders LOG:  connection authorized: user=app database=orders
2026-07-02 09:00:01.000 UTC [10] app@orders LOG:  AUDIT: OBJECT,1,1,READ,SELECT,TABLE,public.buyers,<not logged>,<not logged>
2026-07-02 09:05:00.000 CEST [11] LOG:  connection received: host=203.0.113.4 port=5001
2026-07-02 09:05:00.010 CEST [11] FATAL:  password authentication failed for user "bob"
2026-07-02 10:00:00.000 UTC [12] LOG:  connection authorized: user=postgres database=orders
2026-07-02 10:00:05.000 UTC [12] LOG:  statement: SELECT name FROM buyers
\tWHERE email = 'jane.buyer@example.com'
2026-07-02 10:01:00.000 UTC [12] LOG:  disconnection: session time: 0:01:00 user=postgres database=orders host=[local]
2026-07-02 10:02:00.000 UTC [13] FATAL:  role "nobody" does not exist
pg_ctl: could not start server
"""


def test_stderr_log_known_answers(tmp_path: Path, collect: Collect, redactor: Redactor) -> None:
    write(tmp_path / "postgresql.log", STDERR)
    items = collect(
        "postgres-log",
        {"paths": ["postgresql.log"], "pii_stores": STORES, "allowed_networks": ["192.0.2.0/24"]},
    )
    facts = items["access.activity"].facts
    database = facts["logins"]["by_method"]["database"]
    assert (database["succeeded"], database["failed"], database["mfa_unknown"]) == (2, 1, 2)
    assert facts["invalid_user_failures"] == 1
    assert facts["pii_store_access"] == sorted(
        [
            {"store": "buyers", "principal": redactor.principal("app"), "count": 1},
            {"store": "buyers", "principal": redactor.principal("postgres"), "count": 1},
        ],
        key=lambda r: r["principal"],
    )
    assert [g["account"] for g in facts["generic_accounts"]] == ["postgres"]
    assert (
        items["logging.coverage"].facts["oldest_event"] == "2026-07-02T07:05:00Z"
    )  # CEST is UTC+2
    pii = items["logging.pii_in_logs"].facts
    assert pii["counts"] == {"email": 1}
    assert pii["locations"] == [f"{tmp_path / 'postgresql.log'}:8"]
    assert [str(r) for r in items["access.activity"].stats.rejects] == [
        f"{tmp_path / 'postgresql.log'}:11: not a log line (no timestamp and severity)"
    ]


def test_csvlog_and_jsonlog(tmp_path: Path, collect: Collect, redactor: Redactor) -> None:
    out = io.StringIO()
    writer = csv.writer(out)
    row = [
        "2026-07-03 08:00:00.000 UTC",
        "carl",
        "orders",
        "77",
        "198.51.100.3:4000",
        "s",
        "1",
        "authentication",
        "",
        "",
        "",
        "LOG",
        "00000",
        "connection authorized: user=carl database=orders",
    ] + [""] * 12
    writer.writerow(row)
    writer.writerow(
        [
            "2026-07-03 08:00:01.000 UTC",
            "carl",
            "orders",
            "77",
            "198.51.100.3:4000",
            "s",
            "2",
            "SELECT",
            "",
            "",
            "",
            "LOG",
            "00000",
            'AUDIT: SESSION,1,1,READ,SELECT,,,"SELECT *\nFROM public.buyers",<none>',
        ]
        + [""] * 12
    )
    write(tmp_path / "postgresql.csv", out.getvalue())
    write(
        tmp_path / "postgresql.json",
        json.dumps(
            {
                "timestamp": "2026-07-03 09:00:00.000 UTC",
                "user": "dora",
                "dbname": "orders",
                "pid": 5,
                "remote_host": "198.51.100.5",
                "error_severity": "FATAL",
                "message": 'password authentication failed for user "dora"',
            }
        )
        + "\n",
    )
    facts = collect(
        "postgres-log", {"paths": ["postgresql.csv", "postgresql.json"], "pii_stores": STORES}
    )["access.activity"].facts
    assert facts["logins"]["succeeded"] == 1
    assert facts["logins"]["failed"] == 1
    assert facts["pii_store_access"] == [
        {"store": "buyers", "principal": redactor.principal("carl"), "count": 1}
    ]


def test_app_audit_mapping_known_answers(
    tmp_path: Path, collect: Collect, redactor: Redactor
) -> None:
    records = [
        {
            "at": "2026-07-02T09:00:00Z",
            "actor": {"id": "ann@corp.example"},
            "op": "user.login",
            "ip": "198.51.100.2",
            "mfa": True,
        },
        {
            "at": "2026-07-02T09:01:00Z",
            "actor": {"id": "ann@corp.example"},
            "op": "order.view",
            "path": "/api/orders/1/address",
            "ip": "198.51.100.2",
        },
        {
            "at": 1783069320,
            "actor": {"id": "ben@corp.example"},
            "op": "user.login",
            "ip": "203.0.113.2",
            "mfa": False,
        },
        {
            "at": 1783069380000,
            "actor": {"id": "ben@corp.example"},
            "op": "order.view",
            "path": "/api/orders/2/address",
            "note": "customer asked to ship to 12 Harbour Street",
            "buyerName": "Jane Buyer",
        },
        {
            "at": "2026-07-02T09:05:00Z",
            "actor": {"id": "ann@corp.example"},
            "op": "user.disable",
            "target": "cole@corp.example",
        },
        {
            "at": "2026-07-02T09:06:00Z",
            "actor": {"id": "ben@corp.example"},
            "op": "user.login",
            "result": "failed",
        },
        {"op": "no time"},
    ]
    write(tmp_path / "audit.jsonl", "\n".join(json.dumps(r) for r in records) + "\n")
    settings = {
        "paths": ["audit.jsonl"],
        "pii_stores": STORES,
        "allowed_networks": ["198.51.100.0/24"],
        "name_fields": ["buyerName"],
        "departed_users": [
            {"name": "Cole", "accounts": ["cole@corp.example"], "left": "2026-07-01"}
        ],
        "fields": {
            "who": "actor.id",
            "action": "op",
            "resource": "path",
            "when": "at",
            "outcome": "result",
            "target": "target",
        },
    }
    items = collect("app-audit-log", settings)
    facts = items["access.activity"].facts
    app = facts["logins"]["by_method"]["application"]
    assert (app["succeeded"], app["with_mfa"], app["without_mfa"], app["failed"]) == (2, 1, 1, 1)
    assert facts["network"]["outside_logins"] == 1
    assert facts["pii_store_access"] == sorted(
        [
            {
                "store": "address API",
                "principal": redactor.principal("ann@corp.example"),
                "count": 1,
            },
            {
                "store": "address API",
                "principal": redactor.principal("ben@corp.example"),
                "count": 1,
            },
        ],
        key=lambda r: r["principal"],
    )
    assert facts["departed_users"][0]["disabled_logged"] == "2026-07-02T09:05:00Z"
    pii = items["logging.pii_in_logs"].facts
    assert pii["counts"] == {
        "name_field": 1,
        "street_address": 1,
    }  # actor e-mails are identities, not findings
    assert pii["locations"] == [f"{tmp_path / 'audit.jsonl'}:4"]
    assert [r.reason for r in items["access.activity"].stats.rejects] == [
        "no readable time in field 'at'"
    ]
