"""Every shared real identity sample: each event kept or rejected as ``file:line: reason``; known answers.

Known answers read the copies in tests/collectors/fixtures/identity (see its README for origins).

The provenance-wrapped samples (``panther_*.json``: ``[{"rule_id", ..., "log": {event}}]``) are
read twice: as they are, where every element is rejected as a wrapper, and with their events
unwrapped into JSON lines, where each event is kept or rejected on its own.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from identity_builders import FIXTURES, IDENTITY, Collect, unwrapped

from evidence.redact import Redactor

COLLECTOR = {
    "okta": "okta-log",
    "google-workspace": "google-workspace-log",
    "entra-id": "entra-log",
    "github-audit": "github-audit-log",
}
FILES = sorted(p for folder in COLLECTOR for p in (IDENTITY / folder).glob("*") if p.is_file())
REJECT = re.compile(r"^/.+:\d+$")
WIDE = "2018-01-01..2025-12-31"


def _events(path: Path) -> int:
    """How many events the file holds (lines of JSON lines; elements of arrays and envelopes)."""
    text = path.read_text()
    try:
        document = json.loads(text)
    except json.JSONDecodeError:
        return sum(1 for line in text.splitlines() if line.strip())
    if isinstance(document, dict):
        document = next(v for k, v in document.items() if k in ("value", "records", "items"))
    return len(document)


def test_the_real_samples_are_there() -> None:
    assert len(FILES) >= 12, f"expected the shared identity samples under {IDENTITY}"


def _check_accounting(items: dict, path: Path, events: int) -> None:
    assert not [i.error for i in items.values() if i.error], "a real file must never fail the source"
    stats = items["access.activity"].stats
    assert stats.kept + stats.rejected + stats.skipped == stats.read == events, (stats, events)
    assert len(stats.rejects) == min(stats.rejected, 20)
    for reject in stats.rejects:
        assert REJECT.match(reject.location) and reject.location.startswith(f"{path}:"), reject
        assert re.match(r"^[A-Za-z]", reject.reason.split(": ", 1)[-1]), reject


@pytest.mark.parametrize("path", FILES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_every_event_is_kept_or_rejected_with_file_and_line(path: Path, collect: Collect, tmp_path: Path) -> None:
    cid = COLLECTOR[path.parent.name]
    items = collect(cid, {"paths": [str(path)]}, period=WIDE)
    _check_accounting(items, path, _events(path))
    if path.name.startswith("panther_"):
        assert items["access.activity"].stats.kept == 0
        assert "test-case wrapper" in items["access.activity"].stats.rejects[0].reason
        flat = unwrapped(path, tmp_path / f"{path.stem}.jsonl")
        items = collect(cid, {"paths": [str(flat)]}, period=WIDE)
        _check_accounting(items, flat, _events(flat))
        assert items["access.activity"].stats.kept > 0


def test_okta_known_answers(collect: Collect, redactor: Redactor) -> None:
    path = FIXTURES / "okta_system_log_events.jsonl"  # a copy of the shared sample
    item = collect("okta-log", {"paths": [str(path)]}, period=WIDE)["access.activity"]
    facts = item.facts
    assert (item.stats.kept, item.stats.rejected) == (48, 13)  # 13 events have no readable `published`
    idp = facts["logins"]["by_method"]["idp"]
    assert (idp["succeeded"], idp["failed"], idp["with_mfa"], idp["without_mfa"], idp["mfa_unknown"]) == (
        19,
        12,
        0,
        1,
        18,
    )
    # Identity Engine names the authenticators of a sign-in: line 10 used the password alone.
    assert facts["logins"]["without_mfa_by_principal"] == [
        {"method": "idp", "principal": redactor.principal("casey.hill@hey.com"), "logins": 1}
    ]
    (run,) = facts["failure_runs"]  # nine failures in a row, then a successful sign-in
    assert (run["principal"], run["failures"], run["succeeded_after"]) == (
        redactor.principal("jack.naglieri@runpanther.io"),
        9,
        True,
    )
    identity = facts["identity"]
    assert [(g["at"], g["principal"], g["role"]) for g in identity["admin_grants"]] == [
        (
            "2020-11-25T21:27:03Z",
            redactor.principal("alice@acme.io"),
            "Organization administrator, Application administrator (all)",
        ),
        ("2020-11-25T21:27:03Z", redactor.principal("alice@acme.io"), "Super administrator, Read only admin"),
        (
            "2021-06-26T21:27:03Z",
            redactor.principal("thomas12223391@gmail.com"),
            "Organization administrator, Application administrator (all)",
        ),
    ]
    assert [c["what"] for c in identity["credentials_created"]] == ["system.api_token.create"]
    assert [(p["what"], p["mfa"]) for p in identity["policy_changes"]] == [("system.mfa.factor.deactivate", True)]


def test_okta_rule_test_events_known_answers(collect: Collect, redactor: Redactor, tmp_path: Path) -> None:
    flat = unwrapped(IDENTITY / "okta" / "panther_okta_systemlog_tests.json", tmp_path / "okta.jsonl")
    facts = collect("okta-log", {"paths": [str(flat)]}, period=WIDE)["access.activity"].facts
    # Data-lake exports lower-case the top-level keys (eventtype): read all the same.
    assert facts["lockouts"] == 1  # user.account.lock, LOCKED_OUT
    identity = facts["identity"]
    # Dated ones only: user.mfa.factor.reset_all x3 and suspend x1 (the three deactivations lack a time).
    assert identity["mfa_removed_total"] == 4
    assert identity["admin_grants_total"] == 3  # the three group.privilege.grant events failed
    assert identity["mfa_failures"] == 3  # auth_via_mfa FAILURE


def test_google_workspace_known_answers(collect: Collect, redactor: Redactor, tmp_path: Path) -> None:
    flat = unwrapped(IDENTITY / "google-workspace" / "panther_gsuite_activityevent_tests.json", tmp_path / "gws.jsonl")
    item = collect("google-workspace-log", {"paths": [str(flat)]}, period=WIDE)["access.activity"]
    # The rule-test events mostly carry no id.time (the sign-ins among them all lack one).
    assert (item.stats.kept, item.stats.rejected) == (95, 71)
    assert {r.reason for r in item.stats.rejects} == {"no id.time"}
    identity = item.facts["identity"]
    assert [(p["what"], p["mfa"]) for p in identity["policy_changes"]] == [
        ("CHANGE_APPLICATION_SETTING Password Management - Enable password reuse", False),
        ("CHANGE_APPLICATION_SETTING Password Management - Enforce strong password", False),
    ]
    assert identity["accounts_created"] == 1
    assert identity["credentials_created_total"] == 3  # OAuth tokens authorized


def test_entra_known_answers(collect: Collect, redactor: Redactor) -> None:
    folder = FIXTURES  # copies of the shared samples
    monitor = collect("entra-log", {"paths": [str(folder / "entra_azure_monitor_records.jsonl")]}, period=WIDE)
    facts = monitor["access.activity"].facts
    idp = facts["logins"]["by_method"]["idp"]
    assert (idp["succeeded"], idp["failed"], idp["without_mfa"]) == (9, 1, 2)  # singleFactorAuthentication
    assert facts["lockouts"] == 2  # error 50053
    identity = facts["identity"]
    assert identity["admin_grants_total"] == 3  # Add member to role (PIM too)
    assert identity["mfa_policy_changes"] == 7  # conditional access, authentication methods, federation
    assert [c["what"] for c in identity["credentials_created"]] == ["Add service principal credentials"]
    graph = collect("entra-log", {"paths": [str(folder / "msgraph_auditlogs_signins_response.json")]}, period=WIDE)
    idp = graph["access.activity"].facts["logins"]["by_method"]["idp"]
    assert (idp["succeeded"], idp["failed"], idp["with_mfa"], idp["mfa_unknown"]) == (2, 1, 1, 1)
    assert graph["access.activity"].facts["identity"]["sign_ins_by_factor"] == {"Phone Auth": 1, "not logged": 1}
    analytics = collect(
        "entra-log", {"paths": [str(folder / "otrf_goldensaml_aad_auditlogs_loganalytics.jsonl")]}, period=WIDE
    )
    assert analytics["access.activity"].facts["identity"]["credentials_created_total"] == 3
    office = collect("entra-log", {"paths": [str(folder / "m365_management_api_azuread_events.jsonl")]}, period=WIDE)
    facts = office["access.activity"].facts
    assert (facts["logins"]["succeeded"], facts["logins"]["failed"]) == (1, 1)
    assert facts["identity"]["mfa_removed_total"] == 2  # StrongAuthentication* properties changed


def test_github_known_answers(collect: Collect, redactor: Redactor) -> None:
    path = FIXTURES / "github_audit_log_events.jsonl"  # a copy of the shared sample
    item = collect("github-audit-log", {"paths": [str(path)]}, period=WIDE)["access.activity"]
    assert (item.stats.kept, item.stats.rejected) == (76, 31)
    facts = item.facts
    assert facts["disables"] == [
        {"principal": redactor.principal("bob"), "at": "2021-05-18T02:31:58Z", "how": "github org.remove_member"}
    ]
    assert {
        "accounts": sorted([redactor.principal("badger"), redactor.principal("badger@acme.com")]),
        "via": "sso-subject",
    } in facts["links"]
    identity = facts["identity"]
    assert sorted(p["what"] for p in identity["policy_changes"] if p["mfa"]) == [
        "org.disable_two_factor_requirement",
        "org.disable_two_factor_requirement",
        "org.enable_two_factor_requirement",
        "org.enable_two_factor_requirement",
    ]
    assert identity["credentials_created_total"] == 3
