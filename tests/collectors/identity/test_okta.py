"""okta-log: sign-ins joined to their session's factor and applications; disables; grants; file shapes."""

from __future__ import annotations

import json
from pathlib import Path

from identity_builders import Collect, jsonl, okta, okta_app, okta_user

from evidence.collectors.access_paths import SIGN_IN_ONLY
from evidence.redact import Redactor

ADMIN = "sam.ito@corp.example"


def _day() -> list[dict]:
    return [
        # Classic: the password opens the session, auth_via_mfa verifies a factor of the same session.
        okta("2026-07-01T08:00:00.000Z", "user.session.start", session="s1"),
        okta(
            "2026-07-01T08:00:05.000Z",
            "user.authentication.auth_via_mfa",
            session="s1",
            debug={"factor": "OKTA_VERIFY_PUSH"},
        ),
        okta(
            "2026-07-01T08:01:00.000Z",
            "user.authentication.sso",
            session="s1",
            targets=[okta_app("AWS IAM Identity Center")],
        ),
        # The admin signs in once with the password alone and goes to AWS and GitHub.
        okta("2026-07-02T09:00:00.000Z", "user.session.start", ADMIN, session="s2"),
        okta(
            "2026-07-02T09:01:00.000Z",
            "user.authentication.sso",
            ADMIN,
            session="s2",
            targets=[okta_app("AWS IAM Identity Center")],
        ),
        okta("2026-07-02T09:02:00.000Z", "user.authentication.sso", ADMIN, session="s2", targets=[okta_app("GitHub")]),
        # Identity Engine: verify events per authenticator, before the session starts.
        okta(
            "2026-07-03T10:00:00.000Z",
            "user.authentication.verify",
            ADMIN,
            session="s3",
            targets=[{"type": "AuthenticatorEnrollment", "displayName": "Password"}],
        ),
        okta(
            "2026-07-03T10:00:09.000Z",
            "user.authentication.verify",
            ADMIN,
            session="s3",
            targets=[{"type": "AuthenticatorEnrollment", "displayName": "Okta Verify"}],
        ),
        okta("2026-07-03T10:00:10.000Z", "user.session.start", ADMIN, session="s3"),
        # Failures, a lockout, a deactivation, a grant, a token, policy changes.
        *[
            okta(f"2026-07-04T07:00:0{n}.000Z", "user.session.start", "eve@corp.example", result="FAILURE")
            for n in range(4)
        ],
        okta("2026-07-04T07:00:05.000Z", "user.account.lock", "eve@corp.example", result="FAILURE"),
        okta("2026-07-05T18:00:00.000Z", "user.lifecycle.deactivate", ADMIN, targets=[okta_user("lee@corp.example")]),
        okta(
            "2026-07-06T12:00:00.000Z",
            "user.account.privilege.grant",
            ADMIN,
            targets=[okta_user("dana@corp.example")],
            debug={"privilegeGranted": "Super administrator"},
        ),
        okta(
            "2026-07-06T12:05:00.000Z",
            "system.api_token.create",
            ADMIN,
            targets=[{"type": "Token", "displayName": "ci"}],
        ),
        okta(
            "2026-07-06T12:10:00.000Z",
            "policy.lifecycle.update",
            ADMIN,
            targets=[{"type": "PolicyEntity", "displayName": "Default", "detailEntry": {"policyType": "OKTA_SIGN_ON"}}],
        ),
        okta(
            "2026-07-06T12:11:00.000Z",
            "policy.rule.update",
            ADMIN,
            targets=[{"type": "PolicyRule", "displayName": "Default", "detailEntry": {"policyType": "PASSWORD"}}],
        ),
        okta("2026-07-06T12:12:00.000Z", "user.mfa.factor.reset_all", ADMIN, targets=[okta_user("dana@corp.example")]),
    ]


def test_sign_ins_take_their_session_factor_and_applications(
    tmp_path: Path, collect: Collect, redactor: Redactor
) -> None:
    path = jsonl(tmp_path / "okta.jsonl", _day())
    items = collect("okta-log", {"paths": [str(path)]})
    assert set(items) == {"access.activity", "logging.coverage"}  # no buyer data to scan in an IdP log
    facts = items["access.activity"].facts
    idp = facts["logins"]["by_method"]["idp"]
    assert (idp["succeeded"], idp["with_mfa"], idp["without_mfa"], idp["failed"]) == (3, 2, 1, 4)
    assert facts["identity"]["sign_ins_by_factor"] == {"OKTA_VERIFY_PUSH": 1, "Okta Verify": 1, "password only": 1}
    paths = {p["path"]: p for p in facts["access_paths"]}
    assert (paths["AWS IAM Identity Center"]["with_mfa"], paths["AWS IAM Identity Center"]["without_mfa"]) == (1, 1)
    assert paths["GitHub"]["without_mfa_by_principal"] == [{"principal": redactor.principal(ADMIN), "logins": 1}]
    assert paths[SIGN_IN_ONLY]["with_mfa"] == 1  # the Identity Engine session reached no application
    assert facts["lockouts"] == 1
    assert facts["disables"] == [
        {
            "principal": redactor.principal("lee@corp.example"),
            "at": "2026-07-05T18:00:00Z",
            "how": "okta user.lifecycle.deactivate",
        }
    ]
    identity = facts["identity"]
    assert identity["admin_grants"] == [
        {
            "at": "2026-07-06T12:00:00Z",
            "actor": redactor.principal(ADMIN),
            "principal": redactor.principal("dana@corp.example"),
            "role": "Super administrator",
        }
    ]
    assert identity["credentials_created_total"] == 1
    assert [(p["what"], p["mfa"]) for p in identity["policy_changes"]] == [
        ("policy.lifecycle.update (OKTA_SIGN_ON)", True),
        ("policy.rule.update (PASSWORD)", False),
    ]
    assert identity["mfa_removed"][0]["principal"] == redactor.principal("dana@corp.example")
    assert identity["account_lifecycle"] == {"deactivate": 1}


def test_an_export_without_mfa_events_cannot_show_single_factor(tmp_path: Path, collect: Collect) -> None:
    only_sign_ins = [e for e in _day() if e["eventType"] == "user.session.start"]
    path = jsonl(tmp_path / "filtered.jsonl", only_sign_ins)
    idp = collect("okta-log", {"paths": [str(path)]})["access.activity"].facts["logins"]["by_method"]["idp"]
    assert (idp["succeeded"], idp["with_mfa"], idp["without_mfa"], idp["mfa_unknown"]) == (3, 0, 0, 3)


def test_sessions_join_across_files_in_time_order(tmp_path: Path, collect: Collect) -> None:
    events = _day()
    jsonl(tmp_path / "a" / "2026-07-01.jsonl", events[:1])
    jsonl(tmp_path / "a" / "2026-07-02.jsonl", events[1:])  # the factor arrives in the next file
    facts = collect("okta-log", {"paths": [str(tmp_path / "a")]})["access.activity"].facts
    assert facts["logins"]["by_method"]["idp"]["with_mfa"] == 2
    assert facts["files_read"] == 2


def test_api_pages_pretty_documents_and_rejects_with_lines(tmp_path: Path, collect: Collect) -> None:
    events = _day()[:3]
    bad = dict(events[0], published="yesterday")
    (tmp_path / "page.json").write_text(json.dumps([events[0], bad, events[1], events[2]], indent=2))
    item = collect("okta-log", {"paths": [str(tmp_path / "page.json")]})["access.activity"]
    assert (item.stats.kept, item.stats.rejected) == (3, 1)
    line = 2 + json.dumps(events[0], indent=2).count("\n") + 1  # "[" then the first event
    assert item.stats.rejects[0].location == f"{tmp_path / 'page.json'}:{line}"
    assert item.stats.rejects[0].reason == "record 2: published is not a time"
    # One API page per line (as `curl .../api/v1/logs >> export` writes them).
    (tmp_path / "pages.jsonl").write_text(json.dumps(events[:2]) + "\n" + json.dumps(events[2:]) + "\n{not json\n")
    item = collect("okta-log", {"paths": [str(tmp_path / "pages.jsonl")]})["access.activity"]
    assert (item.stats.kept, item.stats.rejected) == (3, 1)
    assert item.stats.rejects[0].location.endswith("pages.jsonl:3")


def test_a_file_that_is_not_json_is_rejected_and_the_others_kept(tmp_path: Path, collect: Collect) -> None:
    jsonl(tmp_path / "logs" / "good.jsonl", _day())
    (tmp_path / "logs" / "broken.json").write_text('{"eventType": "user.session.start",\n  "published": oops}\n')
    item = collect("okta-log", {"paths": [str(tmp_path / "logs")]})["access.activity"]
    assert item.facts["files_rejected"] == 1 and item.facts["files_read"] == 1
    assert item.stats.rejects[0].location == f"{tmp_path / 'logs' / 'broken.json'}:2"
    assert item.stats.rejects[0].reason.startswith("malformed JSON")
    assert item.facts["logins"]["succeeded"] == 3
