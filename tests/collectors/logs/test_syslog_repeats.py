"""Syslog repeat lines count as the copies they stand for (auth-log, postgres-log; fixtures: README)."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
from log_builders import Collect, write

from evidence.collectors import registry
from evidence.collectors.base import CollectorContext
from evidence.collectors.logs.syslog_repeats import MAX_COPIES, QUOTE_WITHHELD, Repeat, repeat_of
from evidence.controls.catalogue import load_catalogue
from evidence.controls.checks.access import lockout_threshold
from evidence.controls.context import CheckContext
from evidence.model.evidence import EvidenceItem
from evidence.model.period import parse_as_of, parse_period
from evidence.model.results import Status
from evidence.redact import Redactor

FIXTURES = Path(__file__).parents[1] / "fixtures" / "syslog-repeats"
#: The fixtures were written by the real daemons on 7 December 2026.
PERIOD, AS_OF = "2026-Q4", "2026-12-08"
#: Each daemon's log of the same burst: 6 failed passwords for deploy in each of two SSH
#: connections (one line plus "5 more" each), then anna logs in with a key.
DAEMON_LOGS = [
    "rsyslog-8.2302-repeated.log",
    "rsyslog-8.2302-repeated-rfc3339.log",
    "inetutils-syslogd-2.4-repeated.log",
    "syslog-ng-3.38-suppressed.log",
]


def _auth(collect: Collect, *paths: Path | str, **settings: Any) -> dict[str, EvidenceItem]:
    return collect(
        "auth-log", {"paths": [str(p) for p in paths], **settings}, period=PERIOD, as_of=AS_OF
    )


@pytest.mark.parametrize("name", DAEMON_LOGS)
def test_each_daemons_repeat_lines_count_every_failed_login(
    name: str, collect: Collect, redactor: Redactor
) -> None:
    item = _auth(collect, FIXTURES / name)["access.activity"]
    facts = item.facts
    assert facts["logins"]["by_method"]["ssh-password"]["failed"] == 12
    assert facts["logins"]["by_method"]["ssh-publickey"]["succeeded"] == 1
    runs = [(r["principal"], r["failures"], r["locked"]) for r in facts["failure_runs"]]
    assert runs == [(redactor.principal("deploy"), 12, False)]
    assert item.stats.rejected == 0


@pytest.mark.parametrize("name", DAEMON_LOGS)
def test_lockout_control_sees_the_folded_burst(name: str, collect: Collect) -> None:
    # Before repeat lines counted, the log showed 2 failures in a row and the check said
    # "insufficient evidence"; 12 in a row over a threshold of 10 is a proven miss.
    items = list(_auth(collect, FIXTURES / name).values())
    period = parse_period(PERIOD)
    context = CheckContext(
        control=next(
            c for c in load_catalogue("amazon-dpp@2025-11").controls if c.id == "DPP-ACC-4"
        ),
        params={"lockout_after_failures": 10},
        period=period,
        as_of=parse_as_of(AS_OF),
        evidence=items,
        settings={},
    )
    outcome = lockout_threshold(context)
    assert outcome.status is Status.NOT_MET
    assert "had 12 consecutive failed logins" in outcome.reasons[0]


def test_repeat_at_the_top_of_a_rotated_file_copies_the_end_of_the_one_before(
    tmp_path: Path, collect: Collect
) -> None:
    lines = (FIXTURES / "inetutils-syslogd-2.4-repeated.log").read_text().splitlines(True)
    split = next(i for i, line in enumerate(lines) if "last message repeated" in line)
    write(tmp_path / "auth.log.1", "".join(lines[:split]))
    write(tmp_path / "auth.log", "".join(lines[split:]))
    item = _auth(collect, tmp_path)["access.activity"]
    assert item.facts["logins"]["by_method"]["ssh-password"]["failed"] == 12
    assert item.stats.rejected == 0


def test_a_repeat_of_nothing_is_rejected_naming_the_line(tmp_path: Path, collect: Collect) -> None:
    lines = (FIXTURES / "syslog-ng-3.38-suppressed.log").read_text().splitlines(True)
    orphan = write(tmp_path / "orphan.log", "".join(lines[2:]))  # starts at syslog-ng's summary
    item = _auth(collect, orphan)["access.activity"]
    assert [str(r) for r in item.stats.rejects] == [
        f"{orphan}:1: a syslog line saying a message was repeated 5 more times, but the log holds "
        "no earlier message of program sshd on host vm that it can repeat, so what was "
        "repeated is unknown"
    ]
    assert item.facts["logins"]["by_method"]["ssh-password"]["failed"] == 6  # 1 + 5, not 12


def test_syslog_ng_quote_must_match_the_message_it_repeats(tmp_path: Path, collect: Collect) -> None:
    text = (FIXTURES / "syslog-ng-3.38-suppressed.log").read_text()
    path = write(tmp_path / "a.log", text.replace("'Failed password for '", "'Accepted password '", 1))
    item = _auth(collect, path)["access.activity"]
    assert item.stats.rejected == 1 and "what was repeated is unknown" in item.stats.rejects[0].reason
    assert item.facts["logins"]["by_method"]["ssh-password"]["failed"] == 7


def test_macos_repeat_line_from_beats_is_read_and_counts_no_access(collect: Collect) -> None:
    item = _auth(collect, FIXTURES / "beats_darwin-syslog-sample_tail.log", year=2016)[
        "access.activity"
    ]
    assert (item.stats.read, item.stats.kept, item.stats.rejected) == (2, 0, 0)
    assert (item.facts["logins"]["succeeded"], item.facts["logins"]["failed"]) == (0, 0)


def test_one_line_counts_at_most_max_copies(tmp_path: Path, collect: Collect) -> None:
    first = (FIXTURES / "rsyslog-8.2302-repeated.log").read_text().splitlines()[1]
    huge = first.replace(
        "Failed password", f"message repeated {MAX_COPIES * 2} times: [ Failed password"
    )
    path = write(tmp_path / "a.log", f"{first}\n{huge}]\n")
    item = _auth(collect, path)["access.activity"]
    assert item.facts["logins"]["by_method"]["ssh-password"]["failed"] == 1 + MAX_COPIES
    assert item.stats.rejects[0].reason == (
        f"a syslog line saying a message was repeated {MAX_COPIES * 2:,} more times; counted as "
        f"{MAX_COPIES:,} (the most one line counts)"
    )


def test_redacted_copy_withholds_the_quote_and_reads_back_the_same(
    tmp_path: Path, collect: Collect, redactor: Redactor
) -> None:
    source = tmp_path / "auth.log"
    shutil.copy(FIXTURES / "syslog-ng-3.38-suppressed.log", source)
    text = source.read_text()
    source.write_text(text + text.replace("'Failed password for '", "'Invalid user deploy '"))
    cls = registry.get("auth-log")
    period = parse_period(PERIOD)
    collector = cls(
        cls.settings_model().model_validate({"paths": [str(source)]}),
        CollectorContext("s", tmp_path, period, parse_as_of(AS_OF), redactor),
    )
    copy = b"".join(collector.redacted_copy(str(source)) or []).decode()
    assert "deploy" not in copy and "203.0.113.91" not in copy
    assert copy.count(f"Last message '{QUOTE_WITHHELD}' repeated 5 times") == 4
    # An auditor re-performing the count on the redacted copy finds the same figures.
    write(tmp_path / "copy" / "auth.log", copy)
    again = _auth(collect, tmp_path / "copy" / "auth.log")["access.activity"]
    assert again.facts["logins"]["by_method"]["ssh-password"]["failed"] == 24
    assert again.stats.rejected == 0


@pytest.mark.parametrize(
    ("message", "tagged", "expected"),
    [
        (
            "message repeated 5 times: [ Failed password for deploy from 203.0.113.50 port 1 ssh2]",
            True,
            Repeat(5, message="Failed password for deploy from 203.0.113.50 port 1 ssh2"),
        ),
        (  # a message ending in a bracket of its own
            "message repeated 2 times: [ Connection closed by 192.0.2.1 port 22 [preauth]]",
            True,
            Repeat(2, message="Connection closed by 192.0.2.1 port 22 [preauth]"),
        ),
        ("last message repeated 5 times", False, Repeat(5)),
        ("--- last message repeated 1 time ---", False, Repeat(1)),
        ("last message repeated 2 times", True, Repeat(2, same_program=True)),
        (
            "Last message 'Failed password for ' repeated 5 times, suppressed by syslog-ng on vm",
            True,
            Repeat(5, quote="Failed password for ", same_program=True),
        ),
        ("Last message 'it's o' repeated 4 times", True, Repeat(4, quote="it's o", same_program=True)),
        ("Failed password for repeated from 192.0.2.1 port 1 ssh2", True, None),
        ("message repeated often: [ x]", True, None),
    ],
)
def test_repeat_forms(message: str, tagged: bool, expected: Repeat | None) -> None:
    assert repeat_of(message, tagged=tagged) == expected


PG_STORES = [{"name": "orders-db", "tables": ["buyers"], "principals": ["parcelpilot_app"]}]


@pytest.mark.parametrize(
    "name", ["rsyslog-8.2302-postgres-rfc3339.log", "syslog-ng-3.38-postgres-iso.log"]
)
def test_postgres_log_through_syslog_counts_folded_statements(
    name: str, collect: Collect, redactor: Redactor
) -> None:
    item = collect(
        "postgres-log",
        {"paths": [str(FIXTURES / name)], "pii_stores": PG_STORES},
        period=PERIOD,
        as_of=AS_OF,
    )["access.activity"]
    assert item.facts["pii_store_access"] == [
        {"store": "orders-db", "principal": redactor.principal("parcelpilot_app"), "count": 4}
    ]
    assert item.facts["logins"]["by_method"]["database"]["failed"] == 1
    assert item.stats.rejected == 0


def test_postgres_redacted_copy_withholds_the_quote(
    tmp_path: Path, collect: Collect, redactor: Redactor
) -> None:
    cls = registry.get("postgres-log")
    source = FIXTURES / "syslog-ng-3.38-postgres-iso.log"
    collector = cls(
        cls.settings_model().model_validate({"paths": [str(source)], "pii_stores": PG_STORES}),
        CollectorContext("s", tmp_path, parse_period(PERIOD), parse_as_of(AS_OF), redactor),
    )
    copy = b"".join(collector.redacted_copy(str(source)) or []).decode()
    assert "parcelpilot_app" not in copy and "priya" not in copy
    assert f"Last message '{QUOTE_WITHHELD}' repeated 3 times" in copy
    path = write(tmp_path / "copy.log", copy)
    again = collect(
        "postgres-log", {"paths": [str(path)], "pii_stores": PG_STORES}, period=PERIOD, as_of=AS_OF
    )["access.activity"]
    assert again.facts["pii_store_access"][0]["count"] == 4
