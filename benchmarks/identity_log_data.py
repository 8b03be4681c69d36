"""Synthetic inputs for the identity-log benchmark: one JSON-lines export per collector.

Events are shaped like each provider's own (Okta System Log, Reports API activities, Graph
sign-ins and directory audits, GitHub's streamed audit log, an HR export) with a realistic mix:
sign-ins with and without a second factor, failures, single sign-on into applications,
deactivations, grants and everyday activity, by a few thousand people. They are built from
pre-serialised templates, so writing a million takes seconds; files go to a temporary folder.
"""

from __future__ import annotations

import csv
import json
import random
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

START = datetime(2026, 7, 1, tzinfo=UTC)
PEOPLE = 3000
APPS = ["AWS IAM Identity Center", "ParcelPilot Admin", "GitHub", "Slack"]


def _stamp(n: int, total: int) -> datetime:
    return START + timedelta(seconds=int(n * (91 * 86400 / total)))


def _okta(rng: random.Random, n: int, total: int) -> str:
    t = _stamp(n, total)
    who = f"person{rng.randrange(PEOPLE)}@corp.example"
    session = f"102{n // 3:022x}"
    roll = rng.random()
    if roll < 0.40:
        kind, extra = "user.session.start", {"outcome": {"result": "SUCCESS" if rng.random() < 0.9 else "FAILURE"}}
    elif roll < 0.70:
        kind, extra = (
            "user.authentication.auth_via_mfa",
            {"debugContext": {"debugData": {"factor": "OKTA_VERIFY_PUSH"}}},
        )
    elif roll < 0.95:
        app = rng.choice(APPS)
        kind, extra = (
            "user.authentication.sso",
            {"target": [{"id": "0oa1", "type": "AppInstance", "alternateId": app, "displayName": app}]},
        )
    elif roll < 0.97:
        kind, extra = (
            "user.lifecycle.deactivate",
            {
                "target": [
                    {
                        "id": "00u2",
                        "type": "User",
                        "alternateId": f"person{rng.randrange(PEOPLE)}@corp.example",
                        "displayName": "Some Person",
                    }
                ]
            },
        )
    else:
        kind, extra = "policy.evaluate_sign_on", {}
    event = {
        "uuid": f"{n:032x}",
        "published": t.strftime("%Y-%m-%dT%H:%M:%S.") + f"{n % 1000:03d}Z",
        "eventType": kind,
        "version": "0",
        "severity": "INFO",
        "legacyEventType": "core.user_auth.login_success",
        "displayMessage": "User login to Okta",
        "actor": {
            "id": f"00u{n % PEOPLE:017x}",
            "type": "User",
            "alternateId": who,
            "displayName": "Some Person",
            "detailEntry": None,
        },
        "client": {
            "userAgent": {
                "rawUserAgent": "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15",
                "os": "Mac OS X",
                "browser": "SAFARI",
            },
            "zone": "null",
            "device": "Computer",
            "id": None,
            "ipAddress": f"198.51.100.{n % 250}",
            "geographicalContext": {
                "city": "London",
                "state": "England",
                "country": "United Kingdom",
                "postalCode": None,
                "geolocation": {"lat": 51.5, "lon": -0.12},
            },
        },
        "outcome": {"result": "SUCCESS", "reason": None},
        "target": [],
        "transaction": {"type": "WEB", "id": f"{n:020x}", "detail": {}},
        "authenticationContext": {
            "authenticationProvider": None,
            "credentialProvider": None,
            "credentialType": None,
            "issuer": None,
            "interface": None,
            "authenticationStep": 0,
            "externalSessionId": session,
        },
        "debugContext": {
            "debugData": {
                "requestUri": "/idp/idx/challenge/answer",
                "threatSuspected": "false",
                "url": "/idp/idx/challenge/answer?",
            }
        },
        "securityContext": {
            "asNumber": 64496,
            "asOrg": "example",
            "isp": "example",
            "domain": "example.net",
            "isProxy": False,
        },
    }
    event.update(extra)
    return json.dumps(event, separators=(",", ":"))


def _google(rng: random.Random, n: int, total: int) -> str:
    t = _stamp(n, total).strftime("%Y-%m-%dT%H:%M:%S.000Z")
    roll = rng.random()
    if roll < 0.40:
        app, name, params = (
            "login",
            "login_success",
            [
                {"name": "login_type", "value": "google_password"},
                {
                    "name": "login_challenge_method",
                    "multiValue": ["password", rng.choice(["google_prompt", "password"])],
                },
                {"name": "is_suspicious", "boolValue": False},
            ],
        )
    elif roll < 0.50:
        app, name, params = "login", "login_failure", [{"name": "login_type", "value": "google_password"}]
    elif roll < 0.55:
        app, name, params = (
            "admin",
            rng.choice(["SUSPEND_USER", "ASSIGN_ROLE"]),
            [
                {"name": "USER_EMAIL", "value": f"person{rng.randrange(PEOPLE)}@corp.example"},
                {"name": "ROLE_NAME", "value": "Help desk"},
            ],
        )
    else:
        app, name, params = (
            "drive",
            "view",
            [{"name": "doc_type", "value": "document"}, {"name": "visibility", "value": "private"}],
        )
    activity = {
        "kind": "admin#reports#activity",
        "id": {"time": t, "uniqueQualifier": str(n), "applicationName": app, "customerId": "C03az79cb"},
        "etag": f'"{n:040x}"',
        "actor": {
            "callerType": "USER",
            "email": f"person{rng.randrange(PEOPLE)}@corp.example",
            "profileId": str(10**20 + n % PEOPLE),
        },
        "ipAddress": f"198.51.100.{n % 250}",
        "events": [{"type": "login" if app == "login" else "access", "name": name, "parameters": params}],
    }
    return json.dumps(activity, separators=(",", ":"))


def _entra(rng: random.Random, n: int, total: int) -> str:
    t = _stamp(n, total).strftime("%Y-%m-%dT%H:%M:%S.") + "1234567Z"
    upn = f"person{rng.randrange(PEOPLE)}@corp.example"
    if rng.random() < 0.7:
        code = 0 if rng.random() < 0.9 else rng.choice([50126, 50053, 50074])
        record = {
            "id": f"{n:032x}",
            "createdDateTime": t,
            "userDisplayName": "Some Person",
            "userPrincipalName": upn,
            "userId": f"{n % PEOPLE:032x}",
            "appId": "c44b4083-3bb0-49c1-b47d-974e53cbdf3c",
            "appDisplayName": rng.choice(APPS),
            "ipAddress": f"198.51.100.{n % 250}",
            "clientAppUsed": "Browser",
            "correlationId": f"{n:032x}",
            "conditionalAccessStatus": "success",
            "isInteractive": True,
            "riskDetail": "none",
            "riskLevelAggregated": "none",
            "riskLevelDuringSignIn": "none",
            "riskState": "none",
            "resourceDisplayName": "Windows Azure Service Management API",
            "resourceId": "797f4846-ba00-4fd7-ba43-dac1f8f63013",
            "status": {
                "errorCode": code,
                "failureReason": None if code == 0 else "Invalid username or password.",
                "additionalDetails": None,
            },
            "authenticationRequirement": rng.choice(["multiFactorAuthentication", "singleFactorAuthentication"]),
            "authenticationDetails": [
                {"authenticationStepDateTime": t, "authenticationMethod": "Password", "succeeded": True},
                {"authenticationStepDateTime": t, "authenticationMethod": "Mobile app notification", "succeeded": True},
            ],
            "deviceDetail": {
                "deviceId": "",
                "displayName": "",
                "operatingSystem": "Windows 10",
                "browser": "Edge 120.0",
                "isCompliant": False,
                "isManaged": False,
                "trustType": "",
            },
            "location": {"city": "London", "state": "England", "countryOrRegion": "GB", "geoCoordinates": {}},
        }
    else:
        record = {
            "id": f"Directory_{n:032x}",
            "category": "UserManagement",
            "correlationId": f"{n:032x}",
            "result": "success",
            "resultReason": "",
            "activityDisplayName": rng.choice(
                ["Update user", "Add member to group", "Disable account", "Add member to role"]
            ),
            "activityDateTime": t,
            "loggedByService": "Core Directory",
            "operationType": "Update",
            "initiatedBy": {
                "user": {
                    "id": f"{n % 50:032x}",
                    "displayName": "Ops Admin",
                    "userPrincipalName": "ops@corp.example",
                    "ipAddress": "198.51.100.9",
                }
            },
            "targetResources": [
                {
                    "id": f"{n % PEOPLE:032x}",
                    "type": "User",
                    "userPrincipalName": upn,
                    "displayName": "Some Person",
                    "modifiedProperties": [
                        {"displayName": "AccountEnabled", "oldValue": "[true]", "newValue": "[false]"}
                    ],
                }
            ],
            "additionalDetails": [{"key": "UserType", "value": "Member"}],
        }
    return json.dumps(record, separators=(",", ":"))


def _github(rng: random.Random, n: int, total: int) -> str:
    ms = int(_stamp(n, total).timestamp() * 1000)
    login = f"person{rng.randrange(PEOPLE)}-gh"
    roll = rng.random()
    action = (
        "git.push"
        if roll < 0.6
        else "workflows.completed_workflow_run"
        if roll < 0.9
        else rng.choice(["org.remove_member", "public_key.create", "protected_branch.update"])
    )
    event = {
        "@timestamp": ms,
        "_document_id": f"{n:022x}",
        "action": action,
        "actor": login,
        "actor_id": n % PEOPLE,
        "actor_is_bot": False,
        "actor_ip": f"198.51.100.{n % 250}",
        "actor_location": {"country_code": "GB"},
        "business": "corp",
        "business_id": 11244,
        "created_at": ms,
        "external_identity_nameid": f"{login[:-3]}@corp.example",
        "operation_type": "modify",
        "org": "corp",
        "org_id": 42053323,
        "repo": "corp/parcelpilot-api",
        "repo_id": 6532371245,
        "user": f"person{rng.randrange(PEOPLE)}-gh",
        "user_agent": "git/2.43.0",
        "programmatic_access_type": "SSH key",
        "repository": "corp/parcelpilot-api",
        "repository_public": False,
    }
    return json.dumps(event, separators=(",", ":"))


def _hr(rng: random.Random, n: int, total: int) -> str:
    left = _stamp(n, total)
    row = {
        "Employee #": f"E{n:07d}",
        "First Name": "Some",
        "Last Name": "Person",
        "Work Email": f"person{n}@corp.example",
        "Department": "Operations",
        "Termination Date": left.strftime("%Y-%m-%d"),
        "Termination Time": left.strftime("%H:%M"),
        "Termination Reason": "Resignation",
    }
    return json.dumps(row, separators=(",", ":"))


WRITERS: dict[str, tuple[str, Callable[[random.Random, int, int], str]]] = {
    "okta-log": ("okta.jsonl", _okta),
    "google-workspace-log": ("google.jsonl", _google),
    "entra-log": ("entra.jsonl", _entra),
    "github-audit-log": ("github.jsonl", _github),
    "hr-leavers": ("leavers.jsonl", _hr),
}


#: The HR export as CSV too (the shape most HR systems export): the same rows as leavers.jsonl.
CSV_ROWS = ("hr-leavers (csv)", "leavers.csv")


def _write_csv(source: Path, target: Path) -> None:
    with source.open("rb") as lines, target.open("w", encoding="utf-8", newline="") as out:
        writer = None
        for line in lines:
            row = json.loads(line)
            if writer is None:
                writer = csv.DictWriter(out, fieldnames=list(row))
                writer.writeheader()
            writer.writerow(row)


def write_all(folder: Path, events: int) -> dict[str, Path]:
    """Write one JSON-lines export of ``events`` events per collector (and the HR one as CSV)."""
    folder.mkdir(parents=True, exist_ok=True)
    files = {}
    for collector, (name, build) in WRITERS.items():
        rng = random.Random(f"{collector}-{events}")
        path = folder / name
        if not path.exists():
            with path.open("w", encoding="utf-8") as out:
                chunk = []
                for n in range(events):
                    chunk.append(build(rng, n, events))
                    if len(chunk) == 10_000:
                        out.write("\n".join(chunk) + "\n")
                        chunk.clear()
                if chunk:
                    out.write("\n".join(chunk) + "\n")
        files[collector] = path
    label, name = CSV_ROWS
    if not (folder / name).exists():
        _write_csv(files["hr-leavers"], folder / name)
    files[label] = folder / name
    return files
