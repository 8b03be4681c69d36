"""google-workspace-log, entra-log and github-audit-log: known answers on the shapes each exports."""

from __future__ import annotations

import json
from pathlib import Path

from identity_builders import FIXTURES, Collect, jsonl

from evidence.redact import Redactor


def test_google_reports_api_sign_ins_suspensions_roles_and_policies(collect: Collect, redactor: Redactor) -> None:
    path = FIXTURES / "google_workspace_activities.json"
    item = collect("google-workspace-log", {"paths": [str(path)]})["access.activity"]
    assert (item.stats.kept, item.stats.rejected) == (13, 1)
    assert item.stats.rejects[0].reason == "record 14: not a Reports API activity (no id object)"
    idp = item.facts["logins"]["by_method"]["idp"]
    # google_authenticator: MFA; password alone: single factor; SAML: the SAML IdP's factor (unknown here)
    assert (idp["succeeded"], idp["with_mfa"], idp["without_mfa"], idp["mfa_unknown"], idp["failed"]) == (3, 1, 1, 1, 1)
    assert item.facts["logins"]["without_mfa_by_principal"][0]["principal"] == redactor.principal("ben@corp.example")
    assert item.facts["disables"] == [
        {
            "principal": redactor.principal("cy@corp.example"),
            "at": "2026-07-02T12:00:00Z",
            "how": "google SUSPEND_USER",
        },
        {
            "principal": redactor.principal("dee@corp.example"),
            "at": "2026-07-02T12:05:00Z",
            "how": "google DELETE_USER",
        },
        {
            "principal": redactor.principal("eli@corp.example"),
            "at": "2026-07-03T08:00:00Z",
            "how": "google account_disabled_password_leak",
        },
    ]
    identity = item.facts["identity"]
    assert identity["sign_ins_by_factor"] == {
        "SAML (factor at the SAML IdP)": 1,
        "google_authenticator": 1,
        "password only": 1,
    }
    assert (identity["mfa_failures"], identity["suspicious_sign_ins"]) == (1, 1)
    assert identity["admin_grants"][0]["role"] == "_SEED_ADMIN_ROLE"
    assert [(p["what"], p["mfa"]) for p in identity["policy_changes"]] == [
        ("ENFORCE_STRONG_AUTHENTICATION", True),
        ("CHANGE_APPLICATION_SETTING Password Management - Minimum password length", False),
    ]
    ana = next(p for p in item.facts["principals"] if p["principal"] == redactor.principal("ana@corp.example"))
    assert ana["last_active"] == "2026-07-03T09:00:00Z"  # a Drive view counts as activity


def _graph_audit(when: str, activity: str, target: str, props: list[dict] | None = None) -> dict:
    return {
        "id": f"Directory_{when}",
        "category": "UserManagement",
        "result": "success",
        "activityDisplayName": activity,
        "activityDateTime": when,
        "loggedByService": "Core Directory",
        "initiatedBy": {"user": {"id": "1", "displayName": "Ops Admin", "userPrincipalName": "ops@corp.example"}},
        "targetResources": [
            {
                "id": "2",
                "type": "User",
                "userPrincipalName": target,
                "displayName": "Some One",
                "modifiedProperties": props or [],
            }
        ],
    }


def test_entra_disables_in_graph_and_log_analytics_shapes(tmp_path: Path, collect: Collect, redactor: Redactor) -> None:
    graph = {
        "value": [
            _graph_audit("2026-08-01T10:00:00.1234567Z", "Disable account", "lee@corp.example"),
            _graph_audit(
                "2026-08-02T10:00:00Z",
                "Update user",
                "kim@corp.example",
                [{"displayName": "AccountEnabled", "oldValue": "[true]", "newValue": "[false]"}],
            ),
            _graph_audit("2026-08-03T10:00:00Z", "Delete user", "max@corp.example"),
            _graph_audit(
                "2026-08-04T10:00:00Z",
                "Update user",
                "kim@corp.example",
                [{"displayName": "DisplayName", "newValue": '["K"]'}],
            ),
        ]
    }
    (tmp_path / "audits.json").write_text(json.dumps(graph, indent=1))
    analytics = {
        "TimeGenerated": "2026-08-05T09:00:00Z",
        "Type": "SigninLogs",
        "UserPrincipalName": "ops@corp.example",
        "AppDisplayName": "AWS Single-Account Access",
        "ResultType": "0",
        "AuthenticationRequirement": "singleFactorAuthentication",
        "AuthenticationDetails": json.dumps([{"authenticationMethod": "Password", "succeeded": True}]),
        "IPAddress": "198.51.100.9",
    }
    jsonl(tmp_path / "signins.jsonl", [analytics])
    facts = collect("entra-log", {"paths": [str(tmp_path)]})["access.activity"].facts
    assert [(d["principal"], d["at"], d["how"]) for d in facts["disables"]] == [
        (redactor.principal("lee@corp.example"), "2026-08-01T10:00:00Z", "entra Disable account"),
        (redactor.principal("kim@corp.example"), "2026-08-02T10:00:00Z", "entra Update user"),
        (redactor.principal("max@corp.example"), "2026-08-03T10:00:00Z", "entra Delete user"),
    ]
    (path,) = facts["access_paths"]
    assert (path["path"], path["without_mfa"]) == ("AWS Single-Account Access", 1)


def test_github_csv_export_removals_two_factor_and_saml_links(
    tmp_path: Path, collect: Collect, redactor: Redactor
) -> None:
    (tmp_path / "export.csv").write_text(
        "@timestamp,action,actor,user,org,external_identity_nameid,actor_ip\n"
        "1785585600000,org.add_member,owner-ff,dana-pp,fennelfinch,,198.51.100.4\n"
        "1785589200000,git.push,dana-pp,,fennelfinch,dana@corp.example,198.51.100.4\n"
        "1785592800000,org.enable_two_factor_requirement,owner-ff,,fennelfinch,,198.51.100.4\n"
        "1785596400000,public_key.create,dana-pp,,fennelfinch,,198.51.100.4\n"
        "1785600000000,org.remove_member,owner-ff,dana-pp,fennelfinch,,198.51.100.4\n"
        "not-a-time,git.clone,dana-pp,,fennelfinch,,\n"
    )
    item = collect("github-audit-log", {"paths": [str(tmp_path / "export.csv")]})["access.activity"]
    assert (item.stats.kept, item.stats.rejected) == (5, 1)
    assert item.stats.rejects[0].location == f"{tmp_path / 'export.csv'}:7"
    facts = item.facts
    assert facts["disables"] == [
        {"principal": redactor.principal("dana-pp"), "at": "2026-08-01T16:00:00Z", "how": "github org.remove_member"}
    ]
    assert facts["links"] == [
        {
            "accounts": sorted([redactor.principal("dana-pp"), redactor.principal("dana@corp.example")]),
            "via": "sso-subject",
        }
    ]
    identity = facts["identity"]
    assert [(p["what"], p["mfa"]) for p in identity["policy_changes"]] == [("org.enable_two_factor_requirement", True)]
    assert [c["what"] for c in identity["credentials_created"]] == ["public_key.create"]
    assert facts["channel"] == "code"
