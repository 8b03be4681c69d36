"""auth-log: SSH logins with and without MFA, failures, lockouts, disables, journal, rotation."""

from __future__ import annotations

import json
from pathlib import Path

from log_builders import Collect, write

from evidence.redact import Redactor

AUTH = """\
Jul  2 09:00:01 bastion sshd[100]: Partial publickey for alice from 198.51.100.4 port 5000 ssh2: ED25519 SHA256:x
Jul  2 09:00:07 bastion sshd[100]: Accepted keyboard-interactive/pam for alice from 198.51.100.4 port 5000 ssh2
Jul  2 10:00:00 bastion sshd[101]: Accepted publickey for bob from 203.0.113.8 port 5001 ssh2: RSA SHA256:y
Jul  2 10:05:00 bastion sshd[102]: Accepted password for ubuntu from 198.51.100.4 port 5002 ssh2
Jul  2 10:06:00 bastion sshd[103]: Accepted keyboard-interactive/pam for carol from 198.51.100.4 port 5003 ssh2
Jul  3 11:00:00 bastion sshd[104]: Invalid user admin from 203.0.113.66 port 6000
Jul  3 11:00:02 bastion sshd[104]: Failed password for invalid user admin from 203.0.113.66 port 6000 ssh2
Jul  3 12:00:00 bastion sudo:    alice : TTY=pts/0 ; PWD=/home/alice ; USER=root ; COMMAND=/bin/ls
Jul  3 12:01:00 bastion CRON[900]: pam_unix(cron:session): session opened for user root(uid=0) by (uid=0)
Jul  4 08:00:00 bastion userdel[500]: delete user 'dave'
Jul  4 08:00:01 bastion usermod[501]: lock user 'erin' password
this is not syslog
\tcontinuation line
"""


def _burst(user: str, failures: int, *, lock: bool, success: bool) -> str:
    lines = [
        f"Jul  5 10:00:{n:02d} bastion sshd[200]: Failed password for {user} from 198.51.100.4 "
        "port 7000 ssh2"
        for n in range(failures)
    ]
    if lock:
        lines.append(
            "Jul  5 10:01:00 bastion sshd[200]: pam_faillock(sshd:auth): Consecutive login "
            f"failures for user {user} account temporarily locked"
        )
    if success:
        lines.append(
            f"Jul  5 10:02:00 bastion sshd[201]: Accepted publickey for {user} from "
            "198.51.100.4 port 7001 ssh2"
        )
    return "\n".join(lines) + "\n"


def test_known_answers(tmp_path: Path, collect: Collect, redactor: Redactor) -> None:
    write(tmp_path / "auth.log", AUTH)
    items = collect(
        "auth-log",
        {
            "paths": ["auth.log"],
            "allowed_networks": ["198.51.100.0/24"],
            "departed_users": [
                {"name": "Dave D", "accounts": ["dave"], "left": "2026-07-03"},
                {"name": "Erin E", "accounts": ["erin"], "left": "2026-07-04", "ref": "HR-7"},
            ],
        },
    )
    facts = items["access.activity"].facts
    by = facts["logins"]["by_method"]
    assert by["ssh-keyboard-interactive"] == {
        "succeeded": 2,
        "failed": 0,
        "with_mfa": 1,
        "without_mfa": 0,
        "mfa_unknown": 1,
        "principals_without_mfa": 0,
    }
    assert (by["ssh-publickey"]["without_mfa"], by["ssh-password"]["without_mfa"]) == (1, 1)
    assert facts["invalid_user_failures"] == 2
    assert [g["account"] for g in facts["generic_accounts"]] == [
        "ubuntu"
    ]  # cron's root session is not a login
    assert facts["network"]["outside_logins"] == 1
    assert facts["network"]["outside_login_list"][0]["principal"] == redactor.principal("bob")
    dave, erin = facts["departed_users"]
    assert (dave["ref"], dave["disabled_logged"], dave["disabled_how"]) == (
        "departure #1",
        "2026-07-04T08:00:00Z",
        "userdel",
    )
    assert (erin["ref"], erin["disabled_how"]) == ("HR-7", "usermod -L")
    alice = next(p for p in facts["principals"] if p["principal"] == redactor.principal("alice"))
    assert (alice["logins"], alice["events"], alice["logins_with_mfa"]) == (1, 2, 1)
    stats = items["access.activity"].stats
    assert [str(r) for r in stats.rejects] == [
        f"{tmp_path / 'auth.log'}:12: not a syslog line (expected 'Mon DD HH:MM:SS host "
        "program: message')"
    ]


def test_failure_runs_and_lockouts(tmp_path: Path, collect: Collect, redactor: Redactor) -> None:
    write(tmp_path / "a.log", _burst("frank", 5, lock=True, success=False))
    write(tmp_path / "b.log", _burst("gina", 12, lock=False, success=True))
    runs = collect("auth-log", {"paths": ["a.log", "b.log"]})["access.activity"].facts[
        "failure_runs"
    ]
    assert [(r["principal"], r["failures"], r["locked"], r["succeeded_after"]) for r in runs] == [
        (redactor.principal("gina"), 12, False, True),
        (redactor.principal("frank"), 5, True, False),
    ]


def test_rotated_files_read_oldest_first(tmp_path: Path, collect: Collect) -> None:
    # The run of failures starts in the older rotated file and ends in the current one.
    write(tmp_path / "auth.log.1", _burst("hank", 6, lock=False, success=False))
    write(
        tmp_path / "auth.log",
        "Jul  5 10:05:00 bastion sshd[300]: Failed password for hank from 198.51.100.4 port 1 "
        "ssh2\n"
        "Jul  5 10:05:30 bastion sshd[301]: Accepted publickey for hank from 198.51.100.4 port "
        "2 ssh2\n",
    )
    write(
        tmp_path / "auth.log.2.gz",
        "Jul  5 09:00:00 bastion sshd[302]: Accepted publickey for hank from 198.51.100.4 port "
        "3 ssh2\n",
    )
    runs = collect("auth-log", {"paths": ["."]})["access.activity"].facts["failure_runs"]
    assert [(r["failures"], r["succeeded_after"]) for r in runs] == [(7, True)]


def test_journal_export_and_year_inference(
    tmp_path: Path, collect: Collect, redactor: Redactor
) -> None:
    records = [
        {
            "__REALTIME_TIMESTAMP": "1783069200000000",
            "SYSLOG_IDENTIFIER": "sshd",
            "_PID": "9",
            "MESSAGE": "Accepted publickey for ivy from 198.51.100.9 port 1 ssh2",
            "_HOSTNAME": "h",
        },
        {
            "__REALTIME_TIMESTAMP": "1783069260000000",
            "SYSLOG_IDENTIFIER": "sshd",
            "_PID": "9",
            "MESSAGE": list(b"Failed password for ivy from 198.51.100.9 port 1 ssh2"),
        },
        {"MESSAGE": "no timestamp"},
    ]
    write(tmp_path / "journal.json", "\n".join(json.dumps(r) for r in records) + "\n{broken\n")
    items = collect("auth-log", {"paths": ["journal.json"]})
    facts = items["access.activity"].facts
    assert (facts["logins"]["succeeded"], facts["logins"]["failed"]) == (1, 1)
    assert facts["principals"][0]["principal"] == redactor.principal("ivy")
    reasons = [r.reason for r in items["access.activity"].stats.rejects]
    assert reasons == [
        "JSON record without __REALTIME_TIMESTAMP (expected `journalctl -o json`)",
        "malformed JSON (expected one journal record per line)",
    ]
    # December lines read on 30 September belong to the year before.
    write(
        tmp_path / "old.log",
        "Dec 30 10:00:00 h sshd[1]: Accepted publickey for ivy from 198.51.100.9 port 1 ssh2\n",
    )
    coverage = collect("auth-log", {"paths": ["old.log"]})["logging.coverage"].facts
    assert coverage["oldest_event"] == "2025-12-30T10:00:00Z"


def test_time_zone_setting(tmp_path: Path, collect: Collect) -> None:
    write(
        tmp_path / "auth.log",
        "Jul  2 09:00:00 h sshd[1]: Accepted publickey for x from 198.51.100.9 port 1 ssh2\n",
    )
    coverage = collect("auth-log", {"paths": ["auth.log"], "timezone": "Europe/Berlin"})[
        "logging.coverage"
    ].facts
    assert coverage["oldest_event"] == "2026-07-02T07:00:00Z"


def test_redacted_copy_pseudonymises_names_and_addresses(
    tmp_path: Path, collect: Collect, redactor: Redactor
) -> None:
    from evidence.collectors import registry
    from evidence.collectors.base import CollectorContext
    from evidence.model.period import parse_period

    path = write(tmp_path / "auth.log", AUTH)
    cls = registry.get("auth-log")
    period = parse_period("2026-Q3")
    collector = cls(
        cls.settings_model().model_validate({"paths": [str(path)]}),
        CollectorContext("s", tmp_path, period, period.end_at, redactor),
    )
    copy = b"".join(collector.redacted_copy(str(path)) or []).decode()
    for secret in ("alice", "bob", "carol", "198.51.100.4", "203.0.113.66", "'dave'", "'erin'"):
        assert secret not in copy
    assert redactor.principal("alice") in copy
    assert redactor.address("198.51.100.4") in copy


def test_redacted_copy_pseudonymises_every_mention_of_a_user(
    tmp_path: Path, redactor: Redactor
) -> None:
    # Real sshd, PAM, sudo and useradd lines (shared/realdata/auth-logs, see its SOURCES.md): a
    # name left in "user=workshop" or "authenticating user root" would sit beside its pseudonym.
    from log_builders import REALDATA

    from evidence.collectors.logs.auth_log import pseudonymise_names

    names = ("pascal", "workshop", "ftp", "vagrant", "tsg", "apache", "root")
    for name in ("crowdsec-hub_sshd-logs.log", "beats_filebeat_system_auth_test.log"):
        for line in (REALDATA / "auth-logs" / name).read_text().splitlines():
            if "totobad" in line:  # crowdsec's deliberately bogus line, no sshd message
                continue
            message = pseudonymise_names(line, redactor).split(": ", 1)[-1]  # not the host name
            leaked = [n for n in names if f" {n}" in message or f"={n}" in message]
            assert not leaked, (line, message)
