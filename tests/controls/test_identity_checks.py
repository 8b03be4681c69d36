"""People across systems: MFA per access path and per person; offboarding of HR leavers everywhere.

Evidence comes from the real collectors run on files built here; the checks are evaluated
through the DPP catalogue, as a run would.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from evidence.collectors import registry
from evidence.collectors.base import CollectorContext
from evidence.collectors.hr_leavers import person_ref
from evidence.controls.catalogue import load_catalogue
from evidence.controls.evaluate import EvaluationInput, evaluate
from evidence.model.evidence import EvidenceItem
from evidence.model.period import parse_period
from evidence.model.results import CheckOutcome, Status
from evidence.redact import Redactor
from tests.collector_testing import TEST_KEY
from tests.identity_support import cloudtrail, ct, github, jsonl, okta, okta_app, okta_user, sso_session

PERIOD = parse_period("2026-Q3")
DPP = load_catalogue("amazon-dpp@2025-11")
WHO = Redactor(TEST_KEY)
DANA = ["dana@corp.example", "dana.reyes", "dana-pp"]  # Okta, AWS role session, GitHub
PEOPLE = [{"name": "Dana Reyes", "accounts": DANA}]


def _ms(when: str) -> int:
    from datetime import datetime

    return int(datetime.fromisoformat(when.replace("Z", "+00:00")).timestamp() * 1000)


def collect(tmp_path: Path, cid: str, paths: list[Path], **access: Any) -> list[EvidenceItem]:
    cls = registry.get(cid)
    context = CollectorContext(cid, tmp_path, PERIOD, PERIOD.end_at, Redactor(TEST_KEY))
    settings = cls.settings_model().model_validate({"paths": [str(p) for p in paths], **access})
    return [item.seal() for item in cls(settings, context).collect()]


def outcome(control_id: str, check: str, items: list[EvidenceItem]) -> CheckOutcome:
    result = evaluate([DPP], EvaluationInput(evidence=items, period=PERIOD, as_of=PERIOD.end_at))
    control = next(r for r in result.results if r.control_id == control_id)
    return next(o for o in control.outcomes if o.check == check)


def _daily_okta(who: str, until: str = "2026-09-30", *, mfa: bool = True) -> list[dict]:
    """A sign-in with MFA into AWS every day of the quarter up to ``until`` (plus background events)."""
    events: list[dict] = []
    for day in range(92):
        date = f"2026-{7 + (day >= 31) + (day >= 62):02d}-{day - 31 * (day >= 31) - 31 * (day >= 62) + 1:02d}"
        if date > until:
            break
        session = f"{who}-{date}"
        events.append(okta(f"{date}T08:00:00.000Z", "user.session.start", who, session=session))
        if mfa:
            events.append(
                okta(
                    f"{date}T08:00:04.000Z",
                    "user.authentication.auth_via_mfa",
                    who,
                    session=session,
                    debug={"factor": "OKTA_VERIFY_PUSH"},
                )
            )
        events.append(
            okta(
                f"{date}T08:01:00.000Z",
                "user.authentication.sso",
                who,
                session=session,
                targets=[okta_app("AWS IAM Identity Center")],
            )
        )
    return events


def _trio(
    tmp_path: Path,
    *,
    github_removed: str,
    okta_removed: str = "2026-08-15T05:00:00Z",
    cloud_until: str = "2026-08-14T15:00:00Z",
    also: list[dict] | None = None,
) -> list[EvidenceItem]:
    """Dana in Okta, in CloudTrail as an Identity Center role session, and in GitHub; she leaves on 14 August."""
    access = {"people": PEOPLE}
    okta_events = _daily_okta("dana@corp.example", until="2026-08-14") + _daily_okta("ops@corp.example") + (also or [])
    okta_events.append(
        okta(
            okta_removed.replace("Z", ".000Z"),
            "user.lifecycle.deactivate",
            "ops@corp.example",
            targets=[okta_user("dana@corp.example")],
        )
    )
    session = sso_session("AWSReservedSSO_Admin_0123456789abcdef", "dana.reyes")
    records = [ct(f"2026-08-{d:02d}T15:00:00Z", "DescribeInstances", session) for d in range(1, 15)]
    records.append(ct(cloud_until, "DescribeInstances", session))
    gh = [github(_ms(f"2026-08-{d:02d}T10:00:00Z"), "git.push", "dana-pp") for d in range(1, 15)]
    gh.append(github(_ms(github_removed), "org.remove_member", "owner-ff", user="dana-pp"))
    (tmp_path / "hr.csv").write_text(
        "Employee ID,Work Email,Last Day of Work,Leave Time\nE-1,dana@corp.example,2026-08-14,17:00\n"
    )
    return [
        *collect(tmp_path, "okta-log", [jsonl(tmp_path / "okta.jsonl", okta_events)], **access),
        *collect(tmp_path, "cloudtrail", [cloudtrail(tmp_path / "ct" / "trail.json.gz", records)], **access),
        *collect(tmp_path, "github-audit-log", [jsonl(tmp_path / "gh.jsonl", gh)], **access),
        *collect(tmp_path, "hr-leavers", [tmp_path / "hr.csv"], **access),
    ]


def test_a_leaver_linked_across_okta_cloudtrail_and_github_is_named_once_with_the_latest_removal(
    tmp_path: Path,
) -> None:
    items = _trio(tmp_path, github_removed="2026-08-15T09:00:00Z")
    result = outcome("DPP-ACC-3", "offboarding_within_limit", items)
    assert result.status is Status.MET, result.reasons
    dana = person_ref(WHO.principal("e-1"))
    mentions = [r for r in result.reasons if dana in r]
    assert len(mentions) == 1  # one person, one reason, however many accounts
    (reason,) = mentions
    assert reason.startswith(f"{dana} (")
    for account in DANA:
        assert WHO.principal(account) in reason
    assert "left 2026-08-14T17:00:00Z: latest removal 2026-08-15T09:00:00Z, 16.0 hours after leaving" in reason
    assert "removed in okta-log source 'okta-log'" in reason and "12.0 hours after leaving" in reason
    assert "(github org.remove_member), 16.0 hours after leaving" in reason
    assert "(with the identity-provider account), 12.0 hours after leaving" in reason  # the AWS role session
    (row,) = result.detail["leavers"]
    assert (row["status"], row["latest_removal"], len(row["systems"])) == ("ok", "2026-08-15T09:00:00Z", 3)


def test_one_system_removed_late_makes_it_not_met_naming_where_and_how_late(tmp_path: Path) -> None:
    items = _trio(tmp_path, github_removed="2026-08-16T05:00:00Z")
    result = outcome("DPP-ACC-3", "offboarding_within_limit", items)
    assert result.status is Status.NOT_MET
    (reason,) = result.reasons
    assert "latest removal 2026-08-16T05:00:00Z, 36.0 hours after leaving (limit 24 hours)" in reason
    assert "disabled late in github-audit-log source 'github-audit-log'" in reason
    assert result.figures["late_or_active"] == 1


def test_activity_after_leaving_is_not_met_even_with_timely_removals(tmp_path: Path) -> None:
    items = _trio(tmp_path, github_removed="2026-08-15T09:00:00Z", cloud_until="2026-08-15T23:00:00Z")
    result = outcome("DPP-ACC-3", "offboarding_within_limit", items)
    assert result.status is Status.NOT_MET
    assert "was still active 30.0 hours after leaving in cloudtrail source 'cloudtrail'" in result.reasons[0]


def test_a_leaver_seen_nowhere_is_unknown_and_a_missing_removal_is_not_met(tmp_path: Path) -> None:
    lee = _daily_okta("lee@corp.example", until="2026-09-01")  # never deactivated
    items = _trio(tmp_path, github_removed="2026-08-15T09:00:00Z", also=lee)
    (tmp_path / "hr.csv").write_text(
        "Employee ID,Work Email,Last Day of Work\nE-2,ghost@corp.example,2026-08-20\nE-3,lee@corp.example,2026-09-01\n"
    )
    items = [i for i in items if i.kind != "identity.leavers"] + collect(tmp_path, "hr-leavers", [tmp_path / "hr.csv"])
    result = outcome("DPP-ACC-3", "offboarding_within_limit", items)
    assert result.status is Status.NOT_MET  # lee was never deactivated in Okta, whose log runs to 30 September
    lee_ref, ghost = person_ref(WHO.principal("e-3")), person_ref(WHO.principal("e-2"))
    assert any(
        r.startswith(lee_ref)
        and "no disable or removal logged in okta-log source 'okta-log'" in r
        and "up to its last event 2026-09-30T08:01:00Z (680.0 hours after leaving)" in r
        for r in result.reasons
    )
    assert any(r.startswith(ghost) and "seen in no collected system's records" in r for r in result.reasons)
    assert (result.figures["not_seen"], result.figures["late_or_active"]) == (1, 1)
    # Without the late one, the unknown leaver leaves the check insufficient, never met.
    (tmp_path / "hr.csv").write_text("Employee ID,Work Email,Last Day of Work\nE-2,ghost@corp.example,2026-08-20\n")
    items = [i for i in items if i.kind != "identity.leavers"] + collect(tmp_path, "hr-leavers", [tmp_path / "hr.csv"])
    assert outcome("DPP-ACC-3", "offboarding_within_limit", items).status is Status.INSUFFICIENT


def test_no_leaver_in_the_period_does_not_apply(tmp_path: Path) -> None:
    items = _trio(tmp_path, github_removed="2026-08-15T09:00:00Z")
    (tmp_path / "hr.csv").write_text("Employee ID,Work Email,Last Day of Work\nE-9,old@corp.example,2025-01-31\n")
    items = [i for i in items if i.kind != "identity.leavers"] + collect(tmp_path, "hr-leavers", [tmp_path / "hr.csv"])
    result = outcome("DPP-ACC-3", "offboarding_within_limit", items)
    assert result.status is Status.NOT_APPLICABLE
    assert result.reasons[0].startswith("the HR export lists no one who left between 2026-07-01T00:00:00Z and")


def test_mfa_is_judged_per_access_path_and_per_person(tmp_path: Path) -> None:
    events = _daily_okta("dana@corp.example") + [
        okta("2026-08-03T09:00:00.000Z", "user.session.start", "sam@corp.example", session="x1"),
        okta(
            "2026-08-03T09:01:00.000Z",
            "user.authentication.sso",
            "sam@corp.example",
            session="x1",
            targets=[okta_app("AWS IAM Identity Center")],
        ),
        okta("2026-08-04T09:00:00.000Z", "user.session.start", "kai@corp.example", session="x2"),
        okta(
            "2026-08-04T09:01:00.000Z",
            "user.authentication.sso",
            "kai@corp.example",
            session="x2",
            targets=[okta_app("Slack")],
        ),
    ]
    (tmp_path / "auth.log").write_text(
        "Aug  5 10:00:00 bastion sshd[9]: Accepted publickey for sam from 198.51.100.4 port 1 ssh2\n"
    )
    access = {"people": [{"accounts": ["sam@corp.example", "sam"]}], "pii_apps": ["AWS*"]}
    items = [
        *collect(tmp_path, "okta-log", [jsonl(tmp_path / "okta.jsonl", events)], **access),
        *collect(tmp_path, "auth-log", [tmp_path / "auth.log"], **access),
    ]
    result = outcome("DPP-ACC-7", "mfa_on_logins", items)
    assert result.status is Status.NOT_MET
    sam = min(WHO.principal("sam@corp.example"), WHO.principal("sam"))  # a person is named by their first pseudonym
    assert result.reasons[0] == (
        f"1 IdP sign-in into 'AWS IAM Identity Center' without MFA by 1 person (okta-log source 'okta-log' "
        f"({items[0].id})): {sam} ×1"
    )
    assert result.reasons[1].startswith("1 ssh-publickey login without MFA by 1 principal (auth-log source")
    assert result.reasons[1].endswith(f": {sam} ×1")
    assert any(r.startswith("not judged") and "'Slack' (1 sign-in without MFA)" in r for r in result.reasons)
    assert result.figures["people_without_mfa"] == 1  # two accounts, one person
    table = {row["person"]: row for row in result.detail["people"]}
    assert (table[sam]["linked_accounts"], table[sam]["without_mfa"]) == (2, 2)


def test_federated_console_logins_are_decided_at_the_identity_provider(tmp_path: Path) -> None:
    session = sso_session("AWSReservedSSO_Admin_0123456789abcdef", "dana@corp.example")
    login = ct(
        "2026-08-03T08:02:00Z",
        "ConsoleLogin",
        session,
        source="signin.amazonaws.com",
        responseElements={"ConsoleLogin": "Success"},
    )
    trail = collect(tmp_path, "cloudtrail", [cloudtrail(tmp_path / "ct" / "t.json.gz", [login])])
    alone = outcome("DPP-ACC-7", "mfa_on_logins", trail)
    assert alone.status is Status.INSUFFICIENT
    assert "through an identity provider whose sign-ins were not collected" in alone.reasons[0]
    idp = collect(tmp_path, "okta-log", [jsonl(tmp_path / "okta.jsonl", _daily_okta("dana@corp.example"))])
    both = outcome("DPP-ACC-7", "mfa_on_logins", trail + idp)
    assert both.status is Status.MET
    assert "1 console login through the identity provider: MFA decided by its sign-ins (okta-log source" in " ".join(
        both.reasons
    )


def test_policy_settings_alone_never_decide_mfa(tmp_path: Path) -> None:
    events = [github(_ms(f"2026-07-{d:02d}T10:00:00Z"), "git.push", "dana-pp") for d in range(1, 31)]
    events.append(github(_ms("2026-07-02T09:00:00Z"), "org.enable_two_factor_requirement", "owner-ff"))
    items = collect(tmp_path, "github-audit-log", [jsonl(tmp_path / "gh.jsonl", events)])
    result = outcome("DPP-ACC-7", "mfa_on_logins", items)
    assert result.status is Status.INSUFFICIENT
    assert "policy settings alone never show that sign-ins used MFA" in result.reasons[0]
    assert (
        "supporting only: 1 MFA policy change (last: org.enable_two_factor_requirement at 2026-07-02T09:00:00Z)"
        in result.reasons[1]
    )
