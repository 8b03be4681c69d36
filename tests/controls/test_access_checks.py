"""Access and logging checks on facts from the real collectors: met, not met, insufficient."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from evidence.collectors import registry as collectors
from evidence.collectors.base import CollectorContext
from evidence.controls.catalogue import load_catalogue
from evidence.controls.evaluate import EvaluationInput, evaluate
from evidence.model.evidence import EvidenceItem
from evidence.model.period import parse_period
from evidence.model.results import Status
from evidence.redact import Redactor

PERIOD = parse_period("2026-Q3")
DPP = load_catalogue("amazon-dpp@2025-11")


def _collect(tmp_path: Path, cid: str, name: str, text: str, **settings: Any) -> list[EvidenceItem]:
    path = tmp_path / name
    path.write_text(text)
    cls = collectors.get(cid)
    context = CollectorContext(
        name.split(".")[0], tmp_path, PERIOD, PERIOD.end_at, Redactor(b"k" * 32)
    )
    model = cls.settings_model().model_validate({"paths": [str(path)], **settings})
    return [item.seal() for item in cls(model, context).collect()]


def _check(control_id: str, check: str, items: list[EvidenceItem]) -> Any:
    result = evaluate([DPP], EvaluationInput(evidence=items, period=PERIOD, as_of=PERIOD.end_at))
    control = next(r for r in result.results if r.control_id == control_id)
    return control, next(o for o in control.outcomes if o.check == check)


def _ssh(day: str, user: str, *, mfa: bool = True, ip: str = "198.51.100.4") -> str:
    partial = (
        f"{day} bastion sshd[1]: Partial publickey for {user} from {ip} port 1 ssh2\n"
        if mfa
        else ""
    )
    method = "keyboard-interactive/pam" if mfa else "publickey"
    return partial + f"{day} bastion sshd[1]: Accepted {method} for {user} from {ip} port 1 ssh2\n"


def _daily(user: str = "alice", **kw: Any) -> str:
    return "".join(
        _ssh(f"{m} {d:>2} {h:02d}:00:00", user, **kw)
        for m, n in (("Jul", 31), ("Aug", 31), ("Sep", 30))
        for d in range(1, n + 1)
        for h in (0, 12)
    )


def test_mfa_met_not_met_and_insufficient(tmp_path: Path) -> None:
    good = _collect(tmp_path, "auth-log", "good.log", _daily())
    control, outcome = _check("DPP-ACC-7", "mfa_on_logins", good)
    assert outcome.status is Status.MET
    assert outcome.reasons == ["all 184 interactive logins in the period used MFA"]
    bad = _collect(
        tmp_path,
        "auth-log",
        "bad.log",
        _daily()
        + _ssh("Aug  3 10:00:00", "bob", mfa=False)
        + _ssh("Aug  4 10:00:00", "bob", mfa=False)
        + _ssh("Aug  5 10:00:00", "carol", mfa=False),
    )
    control, outcome = _check("DPP-ACC-7", "mfa_on_logins", bad)
    assert control.status is Status.NOT_MET
    assert outcome.reasons[0].startswith(
        "3 ssh-publickey logins without MFA by 2 principals (auth-log source 'bad'"
    )
    assert control.reasons[0] == outcome.reasons[0]  # the finding comes before the missing document
    assert outcome.figures["logins_without_mfa"] == 3
    _, outcome = _check("DPP-ACC-7", "mfa_on_logins", [])
    assert outcome.status is Status.INSUFFICIENT


def test_offboarding_needs_a_disable_time(tmp_path: Path) -> None:
    departed = [{"name": "Dan", "accounts": ["dan"], "left": "2026-08-10"}]
    silent = _collect(tmp_path, "auth-log", "a.log", _daily(), departed_users=departed)
    _, outcome = _check("DPP-ACC-3", "offboarding_within_limit", silent)
    assert outcome.status is Status.INSUFFICIENT  # no activity, but no disable either
    assert "no disable timestamp" in outcome.reasons[0]
    disabled = _collect(
        tmp_path,
        "auth-log",
        "b.log",
        _daily() + "Aug 11 09:00:00 h userdel[3]: delete user 'dan'\n",
        departed_users=departed,
    )
    _, outcome = _check("DPP-ACC-3", "offboarding_within_limit", disabled)
    assert outcome.status is Status.MET
    assert (
        "disabled at 2026-08-11T09:00:00Z (userdel), 9.0 hours after leaving" in outcome.reasons[0]
    )
    active = _collect(
        tmp_path,
        "auth-log",
        "c.log",
        _daily()
        + _ssh("Aug 12 18:00:00", "dan")
        + "Aug 13 09:00:00 h userdel[3]: delete user 'dan'\n",
        departed_users=departed,
    )
    _, outcome = _check("DPP-ACC-3", "offboarding_within_limit", active)
    assert outcome.status is Status.NOT_MET
    assert "was still active 42.0 hours after leaving" in outcome.reasons[0]
    late = _collect(
        tmp_path,
        "auth-log",
        "d.log",
        _daily(),
        departed_users=[{**departed[0], "disabled": "2026-08-13T00:00:00Z"}],
    )
    _, outcome = _check("DPP-ACC-3", "offboarding_within_limit", late)
    assert outcome.status is Status.NOT_MET
    assert "disabled 48.0 hours after leaving" in outcome.reasons[0]


def test_lockout_threshold(tmp_path: Path) -> None:
    def burst(n: int, lock: bool) -> str:
        text = "".join(
            f"Aug  2 10:00:{i:02d} h sshd[9]: Failed password for eve from 198.51.100.4 port 1 "
            "ssh2\n"
            for i in range(n)
        )
        return text + (
            "Aug  2 10:01:00 h sshd[9]: pam_faillock(sshd:auth): Consecutive login failures "
            "for user eve account temporarily locked\n"
            if lock
            else ""
        )

    _, outcome = _check(
        "DPP-ACC-4",
        "lockout_threshold",
        _collect(tmp_path, "auth-log", "a.log", _daily() + burst(5, True)),
    )
    assert outcome.status is Status.MET
    _, outcome = _check(
        "DPP-ACC-4",
        "lockout_threshold",
        _collect(tmp_path, "auth-log", "b.log", _daily() + burst(11, False)),
    )
    assert outcome.status is Status.NOT_MET
    assert "had 11 consecutive failed logins" in outcome.reasons[0]
    _, outcome = _check(
        "DPP-ACC-4",
        "lockout_threshold",
        _collect(tmp_path, "auth-log", "c.log", _daily() + burst(4, False)),
    )
    assert outcome.status is Status.INSUFFICIENT


def test_unique_accounts_and_networks(tmp_path: Path) -> None:
    clean = _collect(tmp_path, "auth-log", "a.log", _daily(), allowed_networks=["198.51.100.0/24"])
    _, outcome = _check("DPP-ACC-1", "unique_accounts", clean)
    assert outcome.status is Status.MET
    _, outcome = _check("DPP-NET-1", "access_from_allowed_networks", clean)
    assert outcome.status is Status.MET
    dirty = _collect(
        tmp_path,
        "auth-log",
        "b.log",
        _daily() + _ssh("Aug  9 10:00:00", "ubuntu", ip="203.0.113.7"),
        allowed_networks=["198.51.100.0/24"],
    )
    _, outcome = _check("DPP-ACC-1", "unique_accounts", dirty)
    assert outcome.status is Status.NOT_MET
    assert outcome.reasons[0].startswith("generic account 'ubuntu' used in auth-log source 'b'")
    control, outcome = _check("DPP-NET-1", "access_from_allowed_networks", dirty)
    assert (control.status, outcome.status) == (Status.NOT_MET, Status.NOT_MET)
    assert outcome.reasons[0].startswith(
        "1 login and 0 PII-store accesses from outside the allowed networks by 1 principal"
    )
    _, outcome = _check(
        "DPP-NET-1",
        "access_from_allowed_networks",
        _collect(tmp_path, "auth-log", "c.log", _daily()),
    )
    assert outcome.status is Status.INSUFFICIENT


def test_root_account_and_pii_stores_from_cloudtrail(tmp_path: Path) -> None:
    def event(when: str, identity: dict, name: str, params: dict | None = None) -> dict:
        return {
            "eventTime": when,
            "eventName": name,
            "eventSource": "s3.amazonaws.com",
            "userIdentity": identity,
            "sourceIPAddress": "198.51.100.4",
            "requestParameters": params,
        }

    alice = {"type": "IAMUser", "userName": "alice"}
    records = [
        event(f"2026-{m:02d}-{d:02d}T10:00:00Z", alice, "GetObject", {"bucketName": "pii-bucket"})
        for m in (7, 8, 9)
        for d in range(1, 29)
    ]
    stores = [
        {"name": "pii bucket", "buckets": ["pii-bucket"], "principals": ["alice"]},
        {
            "name": "archive",
            "buckets": ["archive"],
            "principals": ["auditor"],
            "purpose": "legal-archive",
        },
    ]
    items = _collect(
        tmp_path, "cloudtrail", "a.json", json.dumps({"Records": records}), pii_stores=stores
    )
    _, outcome = _check("DPP-ACC-1", "root_account_unused", items)
    assert outcome.status is Status.MET
    _, outcome = _check("DPP-ACC-6", "pii_store_access_restricted", items)
    assert outcome.status is Status.INSUFFICIENT  # the archive store's access is not logged
    assert "store 'archive': no access to it appears in the logs" in outcome.reasons[0]
    records.append(
        event("2026-08-01T03:00:00Z", {"type": "Root"}, "GetObject", {"bucketName": "archive"})
    )
    items = _collect(
        tmp_path, "cloudtrail", "b.json", json.dumps({"Records": records}), pii_stores=stores
    )
    _, outcome = _check("DPP-ACC-1", "root_account_unused", items)
    assert outcome.status is Status.NOT_MET
    assert outcome.reasons[0].startswith(
        "the root account acted 1 time between 2026-08-01T03:00:00Z"
    )
    control, outcome = _check("DPP-RET-2", "pii_store_access_restricted", items)
    assert outcome.status is Status.NOT_MET
    assert outcome.reasons[0].startswith("store 'archive': 1 access by 1 principal not allowed")


def test_logging_checks(tmp_path: Path) -> None:
    gap = _daily().replace("Aug 10", "Xxx 10").replace("Aug 11", "Xxx 11")
    items = _collect(
        tmp_path,
        "auth-log",
        "a.log",
        "\n".join(x for x in gap.splitlines() if not x.startswith("Xxx")) + "\n",
        channels=["host", "database"],
        operating_since="2026-07-01",
    )
    _, outcome = _check("DPP-LOG-1", "log_coverage_complete", items)
    assert outcome.status is Status.NOT_MET
    assert (
        "has no events from 2026-08-09T12:00:00Z to 2026-08-12T00:00:00Z (60.0 hours, limit 24)"
        in outcome.reasons[0]
    )
    _, outcome = _check("DPP-LOG-1", "logging_all_channels", items)
    assert outcome.status is Status.INSUFFICIENT
    assert outcome.reasons[0] == "channel 'database': no log source collected"
    _, outcome = _check("DPP-LOG-2", "log_retention_span", items)
    assert outcome.status is Status.MET  # operating since 2026-07-01: 91 days needed, 91 available
    short = _collect(tmp_path, "auth-log", "b.log", _daily())
    _, outcome = _check("DPP-LOG-2", "log_retention_span", short)
    assert outcome.status is Status.NOT_MET
    assert (
        "reach back 91 days (oldest event 2026-07-01T00:00:00Z), less than the 365 required"
        in outcome.reasons[0]
    )
    _, outcome = _check("DPP-LOG-3", "no_pii_in_logs", short)
    assert outcome.status is Status.MET
    leaky = _collect(
        tmp_path,
        "auth-log",
        "c.log",
        _daily() + "Aug  3 10:00:00 h app[1]: mail to jane@example.com\n",
    )
    _, outcome = _check("DPP-LOG-3", "no_pii_in_logs", leaky)
    assert outcome.status is Status.NOT_MET
    assert (
        outcome.reasons[0].startswith("1 records with PII in auth-log source 'c'")
        or "(email ×1) at" in outcome.reasons[0]
    )
    assert f"{tmp_path / 'c.log'}:" in outcome.reasons[0]


@pytest.mark.parametrize(
    "control_id", ["DPP-ACC-1", "DPP-ACC-3", "DPP-ACC-4", "DPP-ACC-7", "DPP-LOG-1", "DPP-LOG-3"]
)
def test_no_log_evidence_is_never_met(control_id: str) -> None:
    result = evaluate(
        [DPP], EvaluationInput(evidence=[], period=PERIOD, as_of=datetime(2026, 9, 30, tzinfo=UTC))
    )
    control = next(r for r in result.results if r.control_id == control_id)
    assert control.status is Status.INSUFFICIENT
