"""access-log: formats, rotation, compression, coverage gaps, PII-store API paths, PII in URLs."""

from __future__ import annotations

import bz2
import time
from pathlib import Path

import pytest
from log_builders import Collect, write

from evidence.collectors.logs.access_log import compile_format
from evidence.redact import Redactor

STORES = [{"name": "address API", "paths": ["/api/v1/orders/*/address"], "principals": ["agent"]}]


def _line(
    day: int,
    hour: int,
    path: str = "/",
    ip: str = "203.0.113.5",
    user: str = "-",
    status: int = 200,
) -> str:
    return f'{ip} - {user} [{day:02d}/Jul/2026:{hour:02d}:00:00 +0000] "GET {path} HTTP/1.1" {status} 12 "-" "curl/8"\n'


def test_combined_and_common_known_answers(
    tmp_path: Path, collect: Collect, redactor: Redactor
) -> None:
    lines = [_line(d, h) for d in range(1, 5) for h in (0, 12)]
    lines += [
        _line(2, 13, "/api/v1/orders/123/address", ip="198.51.100.2", user="agent"),
        _line(2, 14, "/api/v1/orders/124/address", ip="203.0.113.9", user="mallory"),
        _line(2, 15, "/api/v1/orders/125/address", ip="198.51.100.2"),
        _line(2, 16, "/api/v1/orders/126/address", ip="198.51.100.2", user="agent", status=403),
        _line(3, 1, "/login", user="mallory", status=401),
        '198.51.100.3 - - [03/Jul/2026:02:00:00 +0000] "GET /common HTTP/1.1" 200 5\n',
    ]
    write(tmp_path / "access.log", "".join(lines))
    items = collect(
        "access-log",
        {"paths": ["access.log"], "pii_stores": STORES, "allowed_networks": ["198.51.100.0/24"]},
    )
    facts = items["access.activity"].facts
    assert facts["pii_store_access"] == sorted(
        [
            {"store": "address API", "principal": redactor.principal("agent"), "count": 1},
            {"store": "address API", "principal": redactor.principal("mallory"), "count": 1},
        ],
        key=lambda r: r["principal"],
    )
    assert facts["pii_store_unattributed"] == {"address API": 1}
    assert facts["network"]["outside_store_access"] == 1
    assert facts["logins"]["by_method"]["web-basic-auth"]["failed"] == 1
    assert items["logging.coverage"].facts["events_in_period"] == 14
    assert items["access.activity"].stats.rejected == 0


def test_gap_and_days_without_logs(tmp_path: Path, collect: Collect) -> None:
    lines = [_line(d, h) for d in (1, 2, 5, 6) for h in (0, 6, 12, 18)]
    write(tmp_path / "access.log", "".join(lines))
    facts = collect(
        "access-log",
        {"paths": ["access.log"], "max_gap_hours": 24},
        period="2026-07-01..2026-07-06",
    )["logging.coverage"].facts
    assert facts["gaps"] == [
        {"start": "2026-07-02T18:00:00Z", "end": "2026-07-05T00:00:00Z", "hours": 54.0}
    ]
    assert (facts["days_without_logs"], facts["empty_days"]) == (2, ["2026-07-03", "2026-07-04"])
    assert facts["longest_gap_hours"] == 54.0


def test_rotated_and_compressed_files(tmp_path: Path, collect: Collect) -> None:
    write(tmp_path / "logs/access.log", _line(3, 1))
    write(tmp_path / "logs/access.log.1", _line(2, 1))
    write(tmp_path / "logs/access.log.2.gz", _line(1, 1))
    (tmp_path / "logs/access.log.3.bz2").write_bytes(bz2.compress(_line(1, 0).encode()))
    items = collect("access-log", {"paths": ["logs"]})
    assert items["logging.coverage"].facts["events_in_period"] == 4
    assert [Path(r.location).name for r in items["logging.coverage"].raw_inputs] == [
        "access.log.3.bz2",
        "access.log.2.gz",
        "access.log.1",
        "access.log",
    ]


def test_custom_nginx_format_and_apache_format(tmp_path: Path, collect: Collect) -> None:
    fmt = '$remote_addr [$time_iso8601] "$request" $status user=$remote_user rt=$request_time'
    write(
        tmp_path / "custom.log",
        '198.51.100.7 [2026-07-02T10:00:00+02:00] "GET /x HTTP/2.0" 200 user=zoe rt=0.01\n'
        "garbage\n",
    )
    items = collect("access-log", {"paths": ["custom.log"], "format": fmt})
    assert items["logging.coverage"].facts["oldest_event"] == "2026-07-02T08:00:00Z"
    assert items["access.activity"].facts["principal_count"] == 1
    assert [r.reason for r in items["access.activity"].stats.rejects] == [
        "does not match the configured log format"
    ]
    apache = compile_format('%h %l %u %t "%r" %>s %b')
    assert apache.match(_line(1, 1).rsplit(' "-"', 1)[0])["remote_addr"] == "203.0.113.5"


def test_an_iso_time_without_offset_is_utc_whatever_the_machines_zone(
    tmp_path: Path, collect: Collect, monkeypatch: pytest.MonkeyPatch
) -> None:
    fmt = '$remote_addr [$time_iso8601] "$request" $status'
    write(tmp_path / "naive.log", '198.51.100.7 [2026-07-02T10:00:00] "GET /x HTTP/1.1" 200\n')
    monkeypatch.setenv("TZ", "Pacific/Kiritimati")  # UTC+14: a local reading is 14 hours off
    time.tzset()
    try:
        items = collect("access-log", {"paths": ["naive.log"], "format": fmt})
    finally:
        monkeypatch.undo()
        time.tzset()
    assert items["logging.coverage"].facts["oldest_event"] == "2026-07-02T10:00:00Z"


def test_format_without_time_is_refused(collect: Collect) -> None:
    with pytest.raises(ValueError, match="no \\$time_local or \\$time_iso8601"):
        collect("access-log", {"paths": ["x"], "format": "$remote_addr $status"})


def test_pii_in_query_strings_counted_not_copied(tmp_path: Path, collect: Collect) -> None:
    write(
        tmp_path / "access.log",
        _line(1, 1, "/search?email=jane.buyer%40example.com")
        + _line(1, 2, "/orders?buyer_name=Jane+Buyer&phone=%2B44+20+7946+0958")
        + _line(1, 3, "/clean"),
    )
    items = collect("access-log", {"paths": ["access.log"], "name_fields": ["buyer_name"]})
    pii = items["logging.pii_in_logs"].facts
    assert (pii["records_scanned"], pii["records_with_pii"]) == (3, 2)
    assert pii["counts"] == {"email": 1, "name_field": 1, "phone": 1}
    assert pii["locations"] == [f"{tmp_path / 'access.log'}:1", f"{tmp_path / 'access.log'}:2"]
    assert "jane" not in str(pii).lower()
