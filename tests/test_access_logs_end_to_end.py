"""End to end through the real CLI: planted PII and secrets never leak; the demo shows the figures.

Planted values never reach the store, the stored copies, the PDFs or the output: buyer PII and
secrets in the access logs, and staff logins, e-mails, names and employee ids in the identity
providers' logs and the HR export. The demo attestation shows the figures that decided each
access and logging control.
"""

from __future__ import annotations

import gzip
import json
import sqlite3
from pathlib import Path

import pytest

from tests.conftest import Demo
from tests.support import pdftotext, run_cli

PLANTED = [
    "jane.planted@buyers.example",
    "jane.planted%40buyers.example",
    "+44 20 7946 0958",
    "221 Baker Street",
    "amzn1.oa2-cs.v1.PLANTEDSECRET123",
    "PlantedPassw0rd",
    "PLANTEDKEY999",
    "203.0.113.77",
    "zed.planted",
    "quinn.planted",
    "Jane Planted",
    # Staff in the identity providers' logs and the HR export (logins, e-mails, names, ids).
    "vera.planted",
    "Vera Planted",
    "wes.planted",
    "Wes Planted",
    "vera-planted",
    "wes-planted",
    "EMP-PLANTED-77",
    "Planted medical reason",
]

CONFIG = """\
review_period = "2026-Q3"

[organisation]
legal_name = "Planted Test Ltd"
developer_id = "amzn1.sp.solution.00000000-0000-0000-0000-000000000000"
applications = ["Planter"]

[store]
url = "sqlite:///.evidence/evidence.db"
copies_dir = ".evidence"

[policy]
catalogues = ["amazon-dpp@2025-11"]

[access]
allowed_networks = ["198.51.100.0/24"]
name_fields = ["buyer_name", "buyerName"]

[[access.departed_users]]
name = "Quinn Planted"
accounts = ["quinn.planted"]
left = 2026-08-01

[[sources]]
collector = "cloudtrail"
name = "trail"
paths = ["logs/cloudtrail"]

[[sources]]
collector = "access-log"
name = "web"
paths = ["logs/access.log"]

[[sources]]
collector = "auth-log"
name = "ssh"
paths = ["logs/auth.log"]

[[sources]]
collector = "postgres-log"
name = "db"
paths = ["logs/postgresql.log"]

[[sources]]
collector = "app-audit-log"
name = "app"
paths = ["logs/audit.jsonl"]

[[access.people]]
accounts = ["vera.planted@staff.example", "vera-planted"]

[[sources]]
collector = "okta-log"
name = "okta"
paths = ["logs/okta.jsonl"]

[[sources]]
collector = "google-workspace-log"
name = "google"
paths = ["logs/google.json"]

[[sources]]
collector = "entra-log"
name = "entra"
paths = ["logs/entra"]

[[sources]]
collector = "github-audit-log"
name = "github"
paths = ["logs/github.csv"]

[[sources]]
collector = "hr-leavers"
name = "hr"
paths = ["hr/leavers.csv"]
"""

VERA = "vera.planted@staff.example"
WES = "wes.planted@staff.example"
PERSON = {"id": "00u1", "type": "User", "alternateId": VERA, "displayName": "Vera Planted"}


def _plant_identity(root: Path) -> None:
    """Staff names, e-mails, logins and an employee id in every identity source and the HR export."""
    logs = root / "logs"
    wes = {"id": "00u2", "type": "User", "alternateId": WES, "displayName": "Wes Planted"}
    okta = [
        {
            "published": "2026-08-02T10:00:00.000Z",
            "eventType": "user.session.start",
            "actor": PERSON,
            "client": {"ipAddress": "203.0.113.77"},
            "outcome": {"result": "SUCCESS"},
            "displayMessage": "User login to Okta by Vera Planted",
            "authenticationContext": {"externalSessionId": "s1"},
        },
        {
            "published": "2026-08-03T10:00:00.000Z",
            "eventType": "user.lifecycle.deactivate",
            "actor": PERSON,
            "client": {"ipAddress": "203.0.113.77"},
            "outcome": {"result": "SUCCESS"},
            "target": [wes],
        },
        {
            "published": "2026-08-03T10:05:00.000Z",
            "eventType": "user.account.privilege.grant",
            "actor": PERSON,
            "outcome": {"result": "SUCCESS"},
            "target": [wes],
            "debugContext": {"debugData": {"privilegeGranted": "Super administrator"}},
        },
    ]
    (logs / "okta.jsonl").write_text("".join(json.dumps(e) + "\n" for e in okta))
    google = {
        "items": [
            {
                "id": {"time": "2026-08-02T11:00:00Z", "applicationName": "login"},
                "actor": {"email": VERA, "profileId": "1"},
                "ipAddress": "203.0.113.77",
                "events": [
                    {
                        "name": "login_success",
                        "parameters": [{"name": "login_challenge_method", "multiValue": ["password"]}],
                    }
                ],
            },
            {
                "id": {"time": "2026-08-02T12:00:00Z", "applicationName": "admin"},
                "actor": {"email": VERA},
                "events": [{"name": "SUSPEND_USER", "parameters": [{"name": "USER_EMAIL", "value": WES}]}],
            },
        ]
    }
    (logs / "google.json").write_text(json.dumps(google, indent=2))
    (logs / "entra").mkdir()
    signin = {
        "value": [
            {
                "createdDateTime": "2026-08-02T13:00:00Z",
                "userPrincipalName": VERA,
                "userDisplayName": "Vera Planted",
                "userId": "6b1a",
                "appDisplayName": "Azure Portal",
                "ipAddress": "203.0.113.77",
                "status": {"errorCode": 0},
                "authenticationRequirement": "singleFactorAuthentication",
            }
        ]
    }
    (logs / "entra" / "signins.json").write_text(json.dumps(signin))
    analytics = {
        "TimeGenerated": "2026-08-02T14:00:00Z",
        "Type": "AuditLogs",
        "OperationName": "Disable account",
        "ActivityDisplayName": "Disable account",
        "Result": "success",
        "Identity": "Vera Planted",
        "InitiatedBy": json.dumps({"user": {"userPrincipalName": VERA, "displayName": "Vera Planted"}}),
        "TargetResources": json.dumps([{"type": "User", "userPrincipalName": WES, "displayName": "Wes Planted"}]),
    }
    (logs / "entra" / "audit.jsonl").write_text(json.dumps(analytics) + "\n")
    (logs / "github.csv").write_text(
        "@timestamp,action,actor,user,repo,external_identity_nameid,actor_ip\n"
        f"1785664800000,git.push,vera-planted,,vera-planted/dotfiles,{VERA},203.0.113.77\n"
        "1785668400000,org.remove_member,vera-planted,wes-planted,,,203.0.113.77\n"
    )
    (root / "hr").mkdir()
    (root / "hr" / "leavers.csv").write_text(
        "Employee #,First Name,Last Name,Work Email,Termination Date,Termination Reason\n"
        f"EMP-PLANTED-77,Wes,Planted,{WES},2026-08-01,Planted medical reason\n"
    )


def _plant(root: Path) -> None:
    logs = root / "logs"
    (logs / "cloudtrail").mkdir(parents=True)
    records = [
        {
            "eventTime": "2026-08-02T10:00:00Z",
            "eventName": "PutItem",
            "eventSource": "dynamodb.amazonaws.com",
            "userIdentity": {
                "type": "IAMUser",
                "userName": "zed.planted",
                "arn": "arn:aws:iam::1:user/zed.planted",
            },
            "sourceIPAddress": "203.0.113.77",
            "requestParameters": {
                "item": {
                    "email": "jane.planted@buyers.example",
                    "buyerName": "Jane Planted",
                    "note": "ship to 221 Baker Street",
                    "secret": "amzn1.oa2-cs.v1.PLANTEDSECRET123",
                }
            },
        },
        {
            "eventTime": "2026-08-03T10:00:00Z",
            "eventName": "ConsoleLogin",
            "eventSource": "signin.amazonaws.com",
            "userIdentity": {"type": "IAMUser", "userName": "quinn.planted"},
            "sourceIPAddress": "203.0.113.77",
            "responseElements": {"ConsoleLogin": "Success"},
            "additionalEventData": {"MFAUsed": "No"},
        },
    ]
    (logs / "cloudtrail" / "trail.json.gz").write_bytes(gzip.compress(json.dumps({"Records": records}).encode()))
    (logs / "access.log").write_text(
        '203.0.113.77 - zed.planted [02/Aug/2026:10:00:00 +0000] "GET '
        "/find?email=jane.planted%40buyers.example"
        '&api_key=PLANTEDKEY999&buyer_name=Jane+Planted HTTP/1.1" 200 5 "-" "curl/8"\n'
    )
    (logs / "auth.log").write_text(
        "Aug  2 10:00:00 h sshd[1]: Accepted password for zed.planted from 203.0.113.77 port 1 "
        "ssh2\n"
        "Aug  3 10:00:00 h sshd[2]: Failed password for quinn.planted from 203.0.113.77 port 2 "
        "ssh2\n"
        "Aug  3 10:00:05 h app[3]: callback +44 20 7946 0958 for jane.planted@buyers.example\n"
    )
    (logs / "postgresql.log").write_text(
        "2026-08-02 10:00:00.000 UTC [7] zed.planted@orders LOG:  connection authorized: "
        "user=zed.planted database=orders\n"
        "2026-08-02 10:00:01.000 UTC [7] zed.planted@orders LOG:  statement: ALTER ROLE app "
        "PASSWORD 'PlantedPassw0rd'; "
        "SELECT * FROM buyers WHERE email='jane.planted@buyers.example'\n"
        "2026-08-02 10:00:02.000 UTC [8] LOG:  connection received: host=203.0.113.77 port=5\n"
    )
    (logs / "audit.jsonl").write_text(
        json.dumps(
            {
                "timestamp": "2026-08-02T10:00:00Z",
                "user": "zed.planted",
                "action": "order.view",
                "ip": "203.0.113.77",
                "resource": "/orders/1",
                "buyer_name": "Jane Planted",
                "phone": "+44 20 7946 0958",
                "address": "221 Baker Street",
                "token": "PLANTEDKEY999",
                "note": "jane.planted@buyers.example",
            }
        )
        + "\n"
    )


def _texts(root: Path) -> dict[str, str]:
    """Every place evidence could leak to: DB rows, stored copies, PDFs."""
    found = {}
    with sqlite3.connect(root / ".evidence" / "evidence.db") as db:
        for (table,) in db.execute("SELECT name FROM sqlite_master WHERE type='table'"):
            rows = db.execute(f'SELECT * FROM "{table}"').fetchall()
            found[f"db:{table}"] = json.dumps(rows, default=str)
    for path in (root / ".evidence").rglob("*"):
        if path.is_file() and path.suffix != ".db":
            data = path.read_bytes()
            if data[:2] == b"\x1f\x8b":
                data = gzip.decompress(data)
            # Keyed by the whole relative path: two copies with one name must not hide each other.
            found[f"copy:{path.relative_to(root)}"] = data.decode("utf-8", "replace")
    for pdf in (root / "out").glob("*.pdf"):
        found[f"pdf:{pdf.name}"] = pdftotext(pdf) + pdftotext(pdf, "-raw")
    return found


@pytest.mark.slow
def test_planted_pii_and_secrets_never_leave_the_collectors(tmp_path: Path) -> None:
    _plant(tmp_path)
    _plant_identity(tmp_path)
    (tmp_path / "evidence.toml").write_text(CONFIG)
    result = run_cli(
        "run",
        "--config",
        tmp_path / "evidence.toml",
        "--out",
        tmp_path / "out",
        "--json",
        timeout=900,
    )
    assert result.code == 3, result.stderr
    inspect = run_cli("inspect", "cloudtrail", tmp_path / "logs" / "cloudtrail", "--json", "--period", "2026-Q3")
    inspect_okta = run_cli("inspect", "okta-log", tmp_path / "logs" / "okta.jsonl", "--json", "--period", "2026-Q3")
    assert inspect_okta.code == 0, inspect_okta.stderr
    places = _texts(tmp_path)
    places.update(
        stdout=result.stdout,
        stderr=result.stderr,
        inspect=inspect.stdout + inspect.stderr,
        inspect_okta=inspect_okta.stdout + inspect_okta.stderr,
    )
    assert any(k.startswith("copy:") for k in places)
    assert sum(1 for k in places if k.startswith("copy:")) >= 12  # the identity exports were copied too
    assert any(k.startswith("pdf:") for k in places)
    leaks = [(value, where) for value in PLANTED for where, text in places.items() if value.lower() in text.lower()]
    assert leaks == [], leaks
    # The findings are there, by count and location only.
    document = json.loads(result.stdout)
    results = {r["control_id"]: r for r in document.get("results", document.get("controls", []))}
    log3 = " ".join(results["DPP-LOG-3"]["reasons"])
    assert "records with PII" in log3
    assert "audit.jsonl:1" in log3


@pytest.mark.slow
def test_demo_attestation_shows_access_and_logging_figures(demo: Demo) -> None:
    text = " ".join(pdftotext(demo.dpp).split())
    expected = [
        "3 console logins without MFA by 2 principals",
        "was still active 42.7 hours after leaving",
        # Okta: the administrator who signed in once with the password alone, and the leaver whose
        # Okta account was deactivated 30 hours after she left (samples/logs/make_identity_logs.py).
        "1 IdP sign-in into 'AWS IAM Identity Center' without MFA by 1 person",
        "latest removal 2026-09-05T23:00:00Z, 30.0 hours after leaving (limit 24 hours)",
        "disabled late in okta-log source 'okta'",
        "People across systems",
        "Leavers and the removal of their access",
        "Identity providers and code hosting",
        "has no events from 2026-08-09T01:19:00Z to 2026-08-11T08:14:00Z (54.9 hours, limit 24)",
        "1 lockout observed after at most 5 consecutive failures (threshold 10)",
        "none of them a generic, shared or default account",
        "no root-account activity among",
        "came from the allowed networks (192.0.2.0/24, 198.51.100.0/24)",
        "store 'label-archive': all 1,104 accesses by the 1 allowed principal",
        "91 digests in 1 chain, signatures verified, 182 log files match their digests",
        "reaches back 331 days",
        "no e-mail addresses, phone numbers or street addresses",
        "Access and logging controls",
    ]
    missing = [e for e in expected if e not in text]
    assert missing == []
    for name in ("marcus", "duarte", "sam.ito", "sam-ito-ff", "Marcus Hale"):  # people appear as pseudonyms only
        assert name.lower() not in text.lower(), name
