"""A staff user name planted in every message shape the log collectors know never shows in clear.

Issue 17: auth.log's "Consecutive login failures for user tom.okafor" sat next to the same
user's pseudonym in the stored copy, which re-identified that pseudonym across every log. Here
one user name (which the config does not list, so only the collectors' own parsing and the
redactor's memory of pseudonymised names can hide it) is planted in each shape the auth-log,
access-log, postgres-log, app-audit-log, CloudTrail and syslog (cron) collectors read, and in
lines they read for nothing else. After `evidence run` and `evidence pack`, the name is found
nowhere the tool wrote: store, stored copies, PDF text and attachments, --json, the pack.
"""

from __future__ import annotations

import gzip
import shutil
import sqlite3
import zipfile
from pathlib import Path

import orjson
import pytest
from pypdf import PdfReader

from tests.support import SAMPLES, pdftotext, run_cli

NAME = "quinn.vasquez"
#: The name and its telling parts, in any case.
NEEDLES = (NAME, "vasquez")
CLIENT = "203.0.113.77"

AUTH_SHAPES = (
    f"sshd[9001]: Accepted publickey for {NAME} from {CLIENT} port 50022 ssh2: ED25519 SHA256:abc",
    f"sshd[9002]: Failed password for {NAME} from {CLIENT} port 50023 ssh2",
    f"sshd[9003]: Failed password for invalid user {NAME} from {CLIENT} port 50024 ssh2",
    f"sshd[9004]: Invalid user {NAME} from {CLIENT} port 50025",
    f"sshd[9005]: User {NAME} from {CLIENT} not allowed because not listed in AllowUsers",
    f"sshd[9006]: Partial publickey for {NAME} from {CLIENT} port 50026 ssh2",
    f"sshd[9007]: pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= "
    f"rhost={CLIENT}  user={NAME}",
    f"sshd[9008]: pam_unix(sshd:session): session opened for user {NAME}(uid=1007) by (uid=0)",
    f"sshd[9008]: pam_unix(sshd:session): session closed for user {NAME}",
    f"sshd[9009]: pam_faillock(sshd:auth): Consecutive login failures for user {NAME} account temporarily locked",
    f"sshd[9010]: pam_tally2(sshd:auth): user {NAME} (1007) tally 6, deny 5",
    f"sudo:     {NAME} : TTY=pts/0 ; PWD=/home/{NAME} ; USER=root ; COMMAND=/usr/bin/ls /home/{NAME}",
    f"sudo:     {NAME} : 3 incorrect password attempts ; TTY=pts/0 ; PWD=/home/{NAME} ; USER=root ; COMMAND=/bin/sh",
    f"usermod[9011]: lock user '{NAME}' password",
    f"usermod[9012]: change user '{NAME}' expiration from 'never' to '2026-09-20'",
    f"userdel[9013]: delete user '{NAME}'",
    f"systemd-logind[9014]: New session 77 of user {NAME}.",
    f"su[9015]: (to root) {NAME} on pts/1",
    f"su[9015]: pam_unix(su:session): session opened for user root(uid=0) by {NAME}(uid=1007)",
    f"sshd[9016]: Connection closed by authenticating user {NAME} {CLIENT} port 50027 [preauth]",
    f"sshd[9017]: Disconnected from user {NAME} {CLIENT} port 50028",
    f"sshd[9018]: Postponed publickey for {NAME} from {CLIENT} port 50029 ssh2 [preauth]",
    f"sshd[9019]: error: maximum authentication attempts exceeded for {NAME} from {CLIENT} port 50030 ssh2",
    f"useradd[9020]: new user: name={NAME}, UID=1007, GID=1007, home=/home/{NAME}, shell=/bin/bash",
)

POSTGRES_SHAPES = (
    f"[9101] {NAME}@orders LOG:  connection authorized: user={NAME} database=orders application_name=psql",
    f"[9101] {NAME}@orders LOG:  statement: SELECT count(*) FROM public.orders",
    f'[9102] {NAME}@orders FATAL:  password authentication failed for user "{NAME}"',
    f'[9103] LOG:  no pg_hba.conf entry for host "{CLIENT}", user "{NAME}", database "orders", SSL off',
    f'[9104] FATAL:  role "{NAME}" does not exist',
    f"[9101] {NAME}@orders LOG:  disconnection: session time: 0:00:01.002 user={NAME} database=orders "
    f"host={CLIENT} port=50031",
)


def plant(samples: Path) -> None:
    logs = samples / "logs"
    with (logs / "auth" / "auth.log").open("a", encoding="utf-8") as out:
        for second, shape in enumerate(AUTH_SHAPES):
            out.write(f"Sep 15 10:01:{second:02d} bastion-1 {shape}\n")
    with (logs / "nginx" / "access.log").open("a", encoding="utf-8") as out:
        out.write(
            f'{CLIENT} - {NAME} [15/Sep/2026:10:00:00 +0000] "GET /admin/users?user={NAME} HTTP/1.1" 200 12 '
            f'"https://parcelpilot.example/admin/users/{NAME}" "curl/8.5"\n'
        )
    with gzip.open(logs / "postgres" / "postgresql-2026-09.log.gz", "at", encoding="utf-8") as out:
        for second, shape in enumerate(POSTGRES_SHAPES):
            out.write(f"2026-09-15 10:02:{second:02d}.000 UTC {shape}\n")
    records = [
        {"ts": "2026-09-15T10:00:00Z", "actor": {"email": f"{NAME}@fennelfinch.example", "role": "support"},
         "action": "orders.view", "resource": f"/api/v1/users/{NAME}", "ip": CLIENT, "result": "success",
         "target": NAME, "note": f"viewed by {NAME}"},
        {"ts": "2026-09-15T10:00:05Z", "actor": {"email": f"{NAME}@fennelfinch.example", "role": "support"},
         "action": "login", "resource": "/login", "ip": CLIENT, "result": "failure",
         "message": f"login failed for user {NAME}"},
    ]
    with (logs / "app" / "audit-2026-q3.jsonl").open("a", encoding="utf-8") as out:
        for record in records:
            out.write(orjson.dumps(record).decode() + "\n")
    trail = sorted(logs.glob("cloudtrail/AWSLogs/*/CloudTrail/*/2026/09/*/*.json.gz"))[0]
    document = orjson.loads(gzip.decompress(trail.read_bytes()))
    event = dict(document["Records"][0])
    account = event.get("recipientAccountId") or "123456789012"
    event["userIdentity"] = {
        "type": "IAMUser", "principalId": "AIDAPLANTED0000000001", "accountId": account,
        "arn": f"arn:aws:iam::{account}:user/{NAME}", "userName": NAME,
    }
    event["requestParameters"] = {"userName": NAME, "policyArn": f"arn:aws:iam::{account}:policy/{NAME}-ops"}
    event["resources"] = [{"ARN": f"arn:aws:iam::{account}:user/{NAME}", "type": "AWS::IAM::User"}]
    event["errorMessage"] = f"User: arn:aws:iam::{account}:user/{NAME} is not authorized to perform: s3:GetObject"
    document["Records"].append(event)
    trail.write_bytes(gzip.compress(orjson.dumps(document)))
    with (samples / "retention" / "cron-syslog.log").open("a", encoding="utf-8") as out:
        out.write(
            f"Sep 30 07:00:00 pp-worker-1 CRON[9201]: pam_unix(cron:session): session opened for user "
            f"{NAME}(uid=1007) by (uid=0)\n"
            f"Sep 30 07:00:00 pp-worker-1 CRON[9201]: ({NAME}) CMD (/home/{NAME}/bin/report.sh)\n"
            f"Sep 30 07:00:09 pp-worker-1 CRON[9201]: pam_unix(cron:session): session closed for user {NAME}\n"
        )


def found_in(blob: bytes | str, where: str) -> list[str]:
    text = (blob.decode("utf-8", "replace") if isinstance(blob, bytes) else blob).lower()
    return [f"{needle!r} in {where}" for needle in NEEDLES if needle in text]


@pytest.mark.slow
def test_planted_user_name_is_never_in_clear(tmp_path: Path) -> None:
    samples = tmp_path / "samples"
    shutil.copytree(SAMPLES, samples, ignore=shutil.ignore_patterns(".evidence", "out", ".demo-keys"))
    plant(samples)
    config = samples / "evidence.toml"
    run = run_cli("run", "--config", config, "--out", samples / "out", "--json", "--no-sign", timeout=900)
    assert run.code in (0, 3), run.stderr
    pack = run_cli("pack", "--config", config, "--out", samples / "out" / "pack.zip", timeout=600)
    assert pack.code == 0, pack.stderr
    leaks = found_in(run.stdout, "--json") + found_in(run.stderr, "stderr") + found_in(pack.stderr, "pack stderr")
    for path in sorted((samples / ".evidence").rglob("*")):
        if path.is_file():
            leaks += found_in(path.read_bytes(), str(path.relative_to(samples)))
    databases = sorted((samples / ".evidence").rglob("*.db")) + sorted((samples / ".evidence").rglob("*.sqlite"))
    assert databases, "the store's database was not found"
    for database in databases:
        with sqlite3.connect(database) as connection:
            leaks += found_in(" ".join(connection.iterdump()), f"{database.name} (dump)")
    pdfs = sorted((samples / "out").glob("*.pdf"))
    assert pdfs
    for pdf in pdfs:
        leaks += found_in(pdftotext(pdf), pdf.name)
        for name, contents in PdfReader(pdf).attachments.items():
            for content in contents:
                leaks += found_in(content, f"{pdf.name} attachment {name}")
    with zipfile.ZipFile(samples / "out" / "pack.zip") as archive:
        names = archive.namelist()
        for name in names:
            data = archive.read(name)
            leaks += found_in(gzip.decompress(data) if data[:2] == b"\x1f\x8b" else data, f"pack {name}")
    assert not leaks, "\n".join(leaks[:40])
    # The name was read and pseudonymised, not skipped: the copies of the auth log, the
    # PostgreSQL log and the trail hold the lines with a pseudonym where the name was.
    copies = "".join(
        p.read_bytes().decode("utf-8", "replace") for p in (samples / ".evidence").rglob("*") if p.is_file()
    )
    assert "Consecutive login failures for user user:" in copies
    assert 'failed for user "user:' in copies and 'role "user:' in copies
    assert "(user:" in copies and ") CMD (" in copies
