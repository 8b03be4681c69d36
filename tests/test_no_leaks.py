"""Planted secrets and buyer PII reach no output: store, stored copies, PDFs, --json, pack, logs.

A copy of the samples gets the same planted values in each input shape its collectors read:
access-log query strings, auth-log and PostgreSQL log messages, application audit records
(under innocent keys), a CloudTrail delivery file, a document register's owner, approver and
title and a text document, a Terraform state output, an AWS CLI output, a Security Hub finding,
a data-flow map's description, an nginx config, the deletion register and job histories (syslog
and CSV), the identity providers' audit logs (Okta, GitHub, Google Workspace, Entra ID), the HR
leavers export and an AWS Config history. After `evidence run --json` and `evidence pack`, none of the
planted values (nor a telling fragment of one) may be found anywhere the tool wrote.
"""

from __future__ import annotations

import gzip
import shutil
import zipfile
from pathlib import Path

import orjson
import pytest
from pypdf import PdfReader

from tests.collector_testing import realdata
from tests.support import SAMPLES, pdftotext, run_cli

AWS_KEY_ID = "AKIAZ7PLANTED0KEY1X2"
AWS_SECRET = "Pl4ntedS3cretKeyValu3/AbCdEfGhIjKlMnOpQr"
CARDS = ("4111111111111111", "4111 1111 1111 1111", "4111-1111-1111-1111")
BUYER = "Zelda Quartermaine"
EMAIL = "zelda.q@buyer-mail.example"
PHONE = "+1 206-555-0173"
STREET = "742 Evergreen Terrace"
URL_PASSWORD = "Plantedpw9x"
DB_PASSWORD = "PlantedDbPass7"
BEARER = "PlantedBearerToken123456"

#: What must not appear: each value, and the telling parts of each.
NEEDLES = (
    AWS_KEY_ID, "Z7PLANTED0KEY1X2", AWS_SECRET, "Pl4ntedS3cretKeyValu3", "AbCdEfGhIjKlMnOpQr", *CARDS,
    "11111111", "Zelda", "Quartermaine", "zelda.q", "buyer-mail", "555-0173", "Evergreen", URL_PASSWORD,
    DB_PASSWORD, BEARER,
)

FREE_TEXT = (
    f"key {AWS_KEY_ID} secret {AWS_SECRET} cards {CARDS[0]} {CARDS[1]} {CARDS[2]} ship to {BUYER}, "
    f"{STREET}, {PHONE}, {EMAIL} callback https://svc.example/cb?user=a&pw={URL_PASSWORD} "
    f"dsn postgresql://app:{DB_PASSWORD}@db.example:5432/orders Authorization: Bearer {BEARER}"
)

#: The head of the config of the live-source leak tests (AWS through moto, TLS and PostgreSQL):
#: the organisation, a store in the config's folder and the DPP catalogue; each adds its sources.
LIVE_CONFIG_HEAD = """review_period = "2026-Q3"
[organisation]
legal_name = "Example Seller Tools Ltd"
developer_id = "amzn1.sp.solution.leaks"
applications = ["Example"]
[store]
url = "sqlite:///.evidence/evidence.db"
copies_dir = ".evidence"
[policy]
catalogues = ["amazon-dpp@2025-11"]
"""


def plant(samples: Path) -> None:
    logs = samples / "logs"
    query = (
        f"/api/v1/orders?buyer_name={BUYER.replace(' ', '+')}&email={EMAIL}&phone={PHONE.replace(' ', '')}"
        f"&card={CARDS[0]}&pw={URL_PASSWORD}&access_key={AWS_KEY_ID}&sk={AWS_SECRET}"
    )
    with (logs / "nginx" / "access.log").open("a", encoding="utf-8") as out:
        out.write(
            f'203.0.113.9 - - [15/Sep/2026:10:00:00 +0000] "GET {query} HTTP/1.1" 200 12 '
            f'"https://x.example/?ref={CARDS[1]}" "agent {FREE_TEXT}"\n'
        )
    with (logs / "auth" / "auth.log").open("a", encoding="utf-8") as out:
        out.write(f"Sep 15 10:00:00 bastion-1 sshd[1]: {FREE_TEXT}\n")
    with gzip.open(logs / "postgres" / "postgresql-2026-09.log.gz", "at", encoding="utf-8") as out:
        out.write(f"2026-09-15 10:00:00.000 UTC [1] parcelpilot_app@orders LOG:  statement: {FREE_TEXT}\n")
    record = {
        "ts": "2026-09-15T10:00:00Z", "actor": {"email": EMAIL, "role": "support"}, "action": "orders.view",
        "resource": "/api/v1/orders", "ip": "192.0.2.10", "result": "success",
        "note": FREE_TEXT, "sk": AWS_SECRET, "id": AWS_KEY_ID, "ship_to": BUYER, "card": CARDS[2],
    }
    with (logs / "app" / "audit-2026-q3.jsonl").open("a", encoding="utf-8") as out:
        out.write(orjson.dumps(record).decode() + "\n")
    trail = next(sorted(logs.glob("cloudtrail/AWSLogs/*/CloudTrail/*/2026/09/*/*.json.gz")).__iter__())
    document = orjson.loads(gzip.decompress(trail.read_bytes()))
    event = dict(document["Records"][0])
    event["requestParameters"] = {"sk": AWS_SECRET, "description": FREE_TEXT, "buyerName": BUYER}
    document["Records"].append(event)
    trail.write_bytes(gzip.compress(orjson.dumps(document)))
    register = samples / "documents" / "register.toml"
    register.write_text(
        register.read_text(encoding="utf-8")
        + f'\n[[document]]\nfile = "planted.md"\ntype = "ir-plan"\n'
        f'title = "Plan for buyer {BUYER}, card {CARDS[1]}, key {AWS_SECRET}"\n'
        f'owner = "{EMAIL}"\ndate = 2026-04-15\napproved_by = "{PHONE} {STREET} Road"\n',
        encoding="utf-8",
    )
    (samples / "documents" / "planted.md").write_text(f"# Plan\n\n{FREE_TEXT}\n", encoding="utf-8")
    with (samples / "retention" / "deletion-requests.csv").open("a", encoding="utf-8") as out:
        out.write(f'DR-2026-099,amazon-notice,2026-09-01T09:00:00Z,2026-09-02T09:00:00Z,"yes {FREE_TEXT}"\n')
    with (samples / "retention" / "cron-syslog.log").open("a", encoding="utf-8") as out:
        out.write(f"Sep 30 07:00:00 pp-worker-1 CRON[1]: (root) CMD ({FREE_TEXT})\n")
    with (samples / "retention" / "prune-order-history.csv").open("a", encoding="utf-8") as out:
        out.write(f'prune-order-history,2026-09-29T05:00:00Z,2026-09-29T05:01:00Z,"{FREE_TEXT}",4\n')
    policy = samples / "aws" / "iam__get-account-password-policy.json"
    data = orjson.loads(policy.read_bytes())
    data["PasswordPolicy"]["Note"] = FREE_TEXT
    policy.write_bytes(orjson.dumps(data))
    findings = samples / "scanner" / "securityhub-findings-20260929.json"
    data = orjson.loads(findings.read_bytes())
    data["Findings"][0]["Description"] = FREE_TEXT
    findings.write_bytes(orjson.dumps(data))
    flows = samples / "dataflow" / "parcelpilot.yaml"
    text = flows.read_text(encoding="utf-8")
    flows.write_text(text.replace("\ndescription: ", f'\ndescription: "{FREE_TEXT}" # ', 1), encoding="utf-8")
    nginx = samples / "hosts" / "web-01" / "etc" / "nginx" / "nginx.conf"
    nginx.write_text(nginx.read_text(encoding="utf-8") + f"# {FREE_TEXT}\n", encoding="utf-8")
    state = samples / "terraform" / "parcelpilot-prod.tfstate"
    data = orjson.loads(state.read_bytes())
    data.setdefault("outputs", {})["planted"] = {"value": FREE_TEXT, "type": "string", "sensitive": False}
    state.write_bytes(orjson.dumps(data))
    plant_identity(samples)


IDENTITY_FIXTURES = Path(__file__).parent / "collectors" / "fixtures" / "identity"
AWS_CONFIG_HISTORY = realdata("aws-config", "awsdocs_get_resource_config_history_security_group.json")


def plant_identity(samples: Path) -> None:
    """The identity-provider logs, the HR export and an AWS Config history, each carrying the values."""
    logs = samples / "logs"
    okta = {
        "uuid": "planted-okta-1", "published": "2026-09-15T10:00:00.000Z", "eventType": "user.session.start",
        "version": "0", "severity": "INFO", "displayMessage": FREE_TEXT,
        "actor": {"id": "00uplanted", "type": "User", "alternateId": EMAIL, "displayName": BUYER},
        "client": {"ipAddress": "198.51.100.42", "userAgent": {"rawUserAgent": FREE_TEXT}},
        "outcome": {"result": "FAILURE", "reason": FREE_TEXT},
        "target": [{"id": "t1", "type": "User", "alternateId": EMAIL, "displayName": BUYER}],
        "debugContext": {"debugData": {"requestUri": f"/login?pw={URL_PASSWORD}", "note": FREE_TEXT}},
    }
    with (logs / "okta" / "system-log-2025-11-03.jsonl").open("a", encoding="utf-8") as out:
        out.write(orjson.dumps(okta).decode() + "\n")
    github = {
        "@timestamp": 1789466400000, "_document_id": "planted-gh-1", "action": "org.add_member",
        "actor": "zelda-quartermaine", "user": EMAIL, "org": "fennelfinch", "business": "",
        "actor_ip": "198.51.100.23", "external_identity_nameid": EMAIL, "note": FREE_TEXT,
    }
    with (logs / "github" / "audit-log-2026-q3.jsonl").open("a", encoding="utf-8") as out:
        out.write(orjson.dumps(github).decode() + "\n")
    with (samples / "hr" / "leavers.csv").open("a", encoding="utf-8") as out:
        out.write(f'FF-1999,Zelda,Quartermaine,{EMAIL},Operations,2026-09-15,10:00,"{FREE_TEXT}"\n')
    google = orjson.loads((IDENTITY_FIXTURES / "google_workspace_activities.json").read_bytes())
    planted = dict(google["items"][0])
    planted["actor"] = {"callerType": "USER", "email": EMAIL, "profileId": "1"}
    planted["id"] = {**planted["id"], "time": "2026-09-15T10:00:00.000Z", "uniqueQualifier": "9"}
    planted["events"] = [
        {"type": "login", "name": "login_failure",
         "parameters": [{"name": "login_type", "value": FREE_TEXT}, {"name": "recipient_name", "value": BUYER}]},
    ]
    google["items"].append(planted)
    (logs / "google").mkdir()
    (logs / "google" / "activities.json").write_bytes(orjson.dumps(google))
    entra = orjson.loads((IDENTITY_FIXTURES / "msgraph_auditlogs_signins_response.json").read_bytes())
    sign_in = dict(entra["value"][0])
    sign_in.update(
        createdDateTime="2026-09-15T10:00:00Z", userDisplayName=BUYER, userPrincipalName=EMAIL,
        appDisplayName=FREE_TEXT, status={"errorCode": 50126, "failureReason": FREE_TEXT},
    )
    entra["value"].append(sign_in)
    (logs / "entra").mkdir()
    (logs / "entra" / "signins.json").write_bytes(orjson.dumps(entra))
    history = orjson.loads(AWS_CONFIG_HISTORY.read_bytes())
    history["configurationItems"][0].setdefault("tags", {})["Owner"] = FREE_TEXT
    (samples / "aws-config").mkdir()
    (samples / "aws-config" / "history.json").write_bytes(orjson.dumps(history))
    config = samples / "evidence.toml"
    config.write_text(
        config.read_text(encoding="utf-8")
        + '\n[[sources]]\ncollector = "google-workspace-log"\nname = "google"\npaths = ["logs/google"]\n'
        + '\n[[sources]]\ncollector = "entra-log"\nname = "entra"\npaths = ["logs/entra"]\n'
        + '\n[[sources]]\ncollector = "aws-config"\nname = "aws-config"\npaths = ["aws-config"]\n',
        encoding="utf-8",
    )


def found_in(blob: bytes | str, where: str) -> list[str]:
    text = blob.decode("utf-8", "replace") if isinstance(blob, bytes) else blob
    return [f"{needle!r} in {where}" for needle in NEEDLES if needle in text]


def run_and_search(config: Path, root: Path) -> list[str]:
    """Every planted value found after running and packing ``config``.

    The store is ``root``/.evidence and the reports ``root``/out; the search covers the output,
    the store, the stored copies, the PDFs with their attachments (a SOC 2 crosswalk attestation
    among them) and the pack.
    """
    run = run_cli(
        "run", "--config", config, "--out", root / "out", "--json", "--no-sign", "--catalogue", "soc2@2017"
    )
    assert run.code in (0, 3), run.stderr
    pack = run_cli("pack", "--config", config, "--out", root / "out" / "pack.zip")
    assert pack.code == 0, pack.stderr
    leaks = found_in(run.stdout, "--json") + found_in(run.stderr, "stderr") + found_in(pack.stderr, "pack stderr")
    stored = sorted(p for p in (root / ".evidence").rglob("*") if p.is_file())
    assert stored
    for path in stored:
        leaks += found_in(path.read_bytes(), str(path.relative_to(root)))
    pdfs = sorted((root / "out").glob("*.pdf"))
    assert any(p.name.startswith("attestation-soc2-2017-") for p in pdfs)
    for pdf in pdfs:
        leaks += found_in(pdftotext(pdf), pdf.name)
        for name, contents in PdfReader(pdf).attachments.items():
            for content in contents:
                leaks += found_in(content, f"{pdf.name} attachment {name}")
    with zipfile.ZipFile(root / "out" / "pack.zip") as archive:
        for name in archive.namelist():
            leaks += found_in(archive.read(name), f"pack {name}")
    return leaks


@pytest.mark.slow
def test_planted_secrets_and_pii_reach_no_output(tmp_path: Path) -> None:
    samples = tmp_path / "samples"
    shutil.copytree(SAMPLES, samples, ignore=shutil.ignore_patterns(".evidence", "out", ".demo-keys"))
    plant(samples)
    config = samples / "evidence.toml"
    leaks = run_and_search(config, samples)
    assert not leaks, "\n".join(leaks[:40])
    # The planted values were read, not skipped: the stored copies hold their redactions.
    copies = b"".join(p.read_bytes() for p in (samples / ".evidence" / "objects").rglob("*") if p.is_file())
    assert b"[REDACTED card]" in copies and b"[REDACTED]" in copies and b"[REDACTED name]" in copies
    # The identity and AWS Config inputs were read too: each has its stored copy (the HR copy keeps
    # only the columns read, so the planted reason is never stored at all).
    for marker in (b"planted-okta-1", b"planted-gh-1", b"recipient_name", b"50126", b"Owner"):
        assert marker in copies, marker
