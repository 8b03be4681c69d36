"""Every real sample in shared/realdata is parsed or rejected as ``file:line: reason``; known answers."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from log_builders import REALDATA, Collect

from evidence.errors import InputError
from evidence.redact import Redactor

COLLECTOR = {
    "cloudtrail": "cloudtrail",
    "access-logs": "access-log",
    "auth-logs": "auth-log",
    "db-logs": "postgres-log",
}
FILES = sorted(p for folder in COLLECTOR for p in (REALDATA / folder).glob("*") if p.is_file())
REJECT = re.compile(r"^/.+:\d+(?: \(\w+\[\d+\]\))?: [A-Za-z].+$")


def test_the_real_samples_are_there() -> None:
    assert len(FILES) >= 24, f"expected the shared real samples under {REALDATA}"


@pytest.mark.parametrize("path", FILES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_every_real_file_is_parsed_or_rejected_line_by_line(path: Path, collect: Collect) -> None:
    items = collect(
        COLLECTOR[path.parent.name], {"paths": [str(path)]}, period="2026-Q3", as_of="2026-09-30"
    )
    assert not [i.error for i in items.values() if i.error], (
        "a real file must never fail the source"
    )
    stats = items["logging.coverage"].stats
    parsed = (
        items["logging.coverage"].facts["events_total"]
        + items["logging.coverage"].facts["events_after_as_of"]
    )
    assert parsed > 0 or stats.kept > 0 or stats.rejected > 0, (
        "each file is either parsed or rejected with a reason"
    )
    for reject in stats.rejects:
        assert str(reject).startswith(str(path) + ":")
        assert REJECT.match(str(reject)), str(reject)


def test_beats_auth_log_known_answers(collect: Collect, redactor: Redactor) -> None:
    path = REALDATA / "auth-logs" / "beats_filebeat_system_auth_test.log"
    facts = collect("auth-log", {"paths": [str(path)], "year": 2026}, period="2026-Q1")[
        "access.activity"
    ].facts
    by = facts["logins"]["by_method"]
    assert by["ssh-publickey"]["without_mfa"] == 1
    assert by["ssh-password"]["without_mfa"] == 1
    assert by["ssh-password"]["failed"] == 1  # Failed password for root
    assert facts["invalid_user_failures"] == 1  # Invalid user test
    vagrant = next(
        p for p in facts["principals"] if p["principal"] == redactor.principal("vagrant")
    )
    assert (vagrant["logins"], vagrant["events"], vagrant["generic"]) == (
        2,
        4,
        True,
    )  # 2 logins + 2 sudo
    assert [g["account"] for g in facts["generic_accounts"]] == ["vagrant"]


def test_crowdsec_success_and_bruteforce_known_answers(
    collect: Collect, redactor: Redactor
) -> None:
    ok = collect(
        "auth-log",
        {
            "paths": [str(REALDATA / "auth-logs" / "crowdsec-hub_sshd-success-logs.log")],
            "year": 2026,
        },
    )["access.activity"].facts
    assert ok["logins"]["succeeded"] == 4
    assert ok["logins"]["by_method"]["ssh-publickey"]["succeeded"] == 3
    assert {p["principal"] for p in ok["principals"]} == {
        redactor.principal("vagrant"),
        redactor.principal("test"),
    }
    bf = collect(
        "auth-log",
        {"paths": [str(REALDATA / "auth-logs" / "crowdsec-hub_ssh-bf.log")], "year": 2026},
        period="2026-Q1",
    )["access.activity"].facts
    assert bf["invalid_user_failures"] == 6
    assert bf["logins"]["succeeded"] == 0


def test_syslog_header_lines_are_rejected_by_line(collect: Collect) -> None:
    path = REALDATA / "auth-logs" / "lnav_logfile_syslog_with_header.0"
    stats = collect("auth-log", {"paths": [str(path)]})["logging.coverage"].stats
    assert [str(r) for r in stats.rejects] == [
        f"{path}:{n}: not a syslog line (expected 'Mon DD HH:MM:SS host program: message')"
        for n in (1, 2)
    ]


def test_postgres_known_answers(collect: Collect, redactor: Redactor) -> None:
    path = REALDATA / "db-logs" / "lnav_logfile_postgres.0"
    facts = collect("postgres-log", {"paths": [str(path)]}, period="2025-Q3")[
        "access.activity"
    ].facts
    assert facts["logins"]["by_method"]["database"]["succeeded"] == 2
    assert {p["principal"] for p in facts["principals"]} == {
        redactor.principal("appuser"),
        redactor.principal("admin"),
    }
    assert [g["account"] for g in facts["generic_accounts"]] == ["admin"]
    light = collect(
        "postgres-log",
        {"paths": [str(REALDATA / "db-logs" / "pgbadger_light.postgres.log.bz2")]},
        period="2017-Q3",
    )
    assert light["logging.coverage"].facts["events_in_period"] == 630
    assert light["access.activity"].facts["principals"][0]["principal"] == redactor.principal(
        "postgres"
    )


def test_pgaudit_transcript_is_rejected_as_a_whole(collect: Collect) -> None:
    path = REALDATA / "db-logs" / "pgaudit_expected_pgaudit.out"
    stats = collect("postgres-log", {"paths": [str(path)]})["logging.coverage"].stats
    assert stats.rejected == 1
    assert str(stats.rejects[0]).startswith(f"{path}:1: not a PostgreSQL log")


def test_apache_combined_volume_known_answers(collect: Collect) -> None:
    path = REALDATA / "access-logs" / "elastic-examples_apache_logs_combined_10k.log"
    items = collect("access-log", {"paths": [str(path)]}, period="2015-05")
    coverage = items["logging.coverage"].facts
    assert (coverage["events_in_period"], items["logging.coverage"].stats.rejected) == (10_000, 0)
    assert (coverage["oldest_event"], coverage["newest_event"]) == (
        "2015-05-17T10:05:00Z",
        "2015-05-20T21:05:59Z",
    )
    assert coverage["days_with_logs"] == 4


def test_bad_access_log_line_is_rejected(collect: Collect) -> None:
    path = REALDATA / "access-logs" / "lnav_logfile_bad_access_log.0"
    stats = collect("access-log", {"paths": [str(path)]})["logging.coverage"].stats
    assert (stats.kept, [str(r) for r in stats.rejects]) == (
        2,
        [f"{path}:2: does not match the configured log format"],
    )


def test_panther_cloudtrail_known_answers(collect: Collect) -> None:
    path = REALDATA / "cloudtrail" / "panther_cloudtrail_rule_tests_Records.json"
    items = collect("cloudtrail", {"paths": [str(path)]}, period="2018-01-01..2026-09-30")
    stats = items["access.activity"].stats
    # 23 test events have no eventTime, one says "redacted" and one "..."
    assert (stats.kept, stats.rejected) == (436, 25)
    assert items["access.activity"].facts["root_use"]["events"] > 0


def test_missing_realdata_path_is_an_input_error(collect: Collect) -> None:
    with pytest.raises(InputError):
        collect("auth-log", {"paths": [str(REALDATA / "auth-logs" / "absent.log")]})
