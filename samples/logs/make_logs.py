"""Writes the fictional Q3 2026 logs of Fennel & Finch Commerce Ltd under samples/logs/.

Run from the checkout: ``.venv/bin/python samples/logs/make_logs.py``. Output is deterministic
except the RSA key that stands in for AWS's CloudTrail signing key (a new one each run). Every
name, address and account here is fictional: example.com/.example domains, documentation IP
ranges (192.0.2.0/24 the VPC, 198.51.100.0/24 the office VPN, 203.0.113.0/24 the internet).

Deliberate findings: 3 console logins without MFA by 2 principals; Marcus Hale (left
2026-08-14) logs in over SSH on 2026-08-16, two days after leaving; the web access log is
silent from 2026-08-09 02:00 to 2026-08-11 08:00; tom.okafor deletes the default encryption of
the label archive bucket on 2026-08-03 and priya.raman restores it on 2026-08-11 (9 days).
Everything else is clean.
"""

from __future__ import annotations

import base64
import gzip
import hashlib
import json
import random
import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

ROOT = Path(__file__).resolve().parent
ACCOUNT = "111122223333"
REGION = "eu-west-1"
TRAIL = "parcelpilot-trail"
BUCKET = "parcelpilot-cloudtrail-logs"
START = datetime(2026, 7, 1, tzinfo=UTC)
END = datetime(2026, 10, 1, tzinfo=UTC)
ARCHIVE_DAY = datetime(2025, 11, 3, tzinfo=UTC)
STAFF = ["tom.okafor", "lena.voss", "sam.ito", "priya.raman"]
OFFICE = [f"198.51.100.{n}" for n in (14, 23, 31, 42, 57)]
rng = random.Random(20260930)


def days(start: datetime = START, end: datetime = END) -> list[datetime]:
    return [start + timedelta(days=n) for n in range((end - start).days)]


def gz(path: Path, text: str | bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    data = text.encode() if isinstance(text, str) else text
    path.write_bytes(gzip.compress(data, mtime=0))


def z(t: datetime) -> str:
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


# --------------------------------------------------------------------------- CloudTrail


def ct_event(t: datetime, identity: dict, name: str, source: str, ip: str, params=None, response=None, extra=None):
    event = {
        "eventVersion": "1.09", "userIdentity": identity, "eventTime": z(t), "eventSource": source,
        "eventName": name, "awsRegion": REGION, "sourceIPAddress": ip,
        "userAgent": "aws-cli/2.17.0 Python/3.11.9 Linux/6.1", "requestParameters": params,
        "responseElements": response, "requestID": f"{rng.getrandbits(64):016x}",
        "eventID": f"{rng.getrandbits(128):032x}", "readOnly": name.startswith(("Get", "Describe", "List")),
        "eventType": "AwsApiCall", "managementEvent": source != "s3.amazonaws.com",
        "recipientAccountId": ACCOUNT,
    }  # fmt: skip
    if extra:
        event["additionalEventData"] = extra
    return event


def iam_user(name: str) -> dict:
    return {"type": "IAMUser", "principalId": "AIDA" + hashlib.sha256(name.encode()).hexdigest()[:16].upper(), "userName": name,
            "arn": f"arn:aws:iam::{ACCOUNT}:user/{name}", "accountId": ACCOUNT}  # fmt: skip


def role(role_name: str, session: str) -> dict:
    return {"type": "AssumedRole", "arn": f"arn:aws:sts::{ACCOUNT}:assumed-role/{role_name}/{session}",
            "accountId": ACCOUNT, "sessionContext": {"sessionIssuer": {"type": "Role", "userName": role_name}}}  # fmt: skip


def console_login(t: datetime, user: str, mfa: bool, ip: str) -> dict:
    e = ct_event(t, iam_user(user), "ConsoleLogin", "signin.amazonaws.com", ip, None, {"ConsoleLogin": "Success"},
                 {"LoginTo": "https://console.aws.amazon.com/console/home", "MobileVersion": "No",
                  "MFAUsed": "Yes" if mfa else "No"})  # fmt: skip
    e["eventType"] = "AwsConsoleSignIn"
    return e


LABEL_KEY = f"arn:aws:kms:{REGION}:{ACCOUNT}:key/2b9e6f41-8c7d-4a3b-9e2f-1d0c5b4a3e21"
#: Ids for the settings changes below come from their own generator, so the other events and
#: logs stay as they were before these were added.
change_ids = random.Random("settings-changes")


def setting_change(t: datetime, user: str, name: str, params: dict) -> dict:
    event = {
        "eventVersion": "1.09", "userIdentity": iam_user(user), "eventTime": z(t), "eventSource": "s3.amazonaws.com",
        "eventName": name, "awsRegion": REGION, "sourceIPAddress": OFFICE[0],
        "userAgent": "[aws-cli/2.17.0 Python/3.11.9 Linux/6.1]", "requestParameters": params,
        "responseElements": None, "requestID": f"{change_ids.getrandbits(64):016x}",
        "eventID": f"{change_ids.getrandbits(128):032x}", "readOnly": False, "eventType": "AwsApiCall",
        "managementEvent": True, "recipientAccountId": ACCOUNT, "eventCategory": "Management",
    }  # fmt: skip
    return event


def settings_changes(day: datetime) -> list[dict]:
    """The label archive loses its default encryption for 9 days (2026-08-03 to 2026-08-11)."""
    bucket = "parcelpilot-label-archive"
    host = f"{bucket}.s3.{REGION}.amazonaws.com"
    if day == datetime(2026, 8, 3, tzinfo=UTC):
        return [setting_change(day + timedelta(hours=10, minutes=41), "tom.okafor", "DeleteBucketEncryption",
                               {"bucketName": bucket, "Host": host, "encryption": ""})]  # fmt: skip
    if day == datetime(2026, 8, 11, tzinfo=UTC):
        rule = {"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": LABEL_KEY},
                "BucketKeyEnabled": True}  # fmt: skip
        config = {"xmlns": "http://s3.amazonaws.com/doc/2006-03-01/", "Rule": rule}
        return [setting_change(day + timedelta(hours=15, minutes=2), "priya.raman", "PutBucketEncryption",
                               {"bucketName": bucket, "Host": host, "encryption": "",
                                "ServerSideEncryptionConfiguration": config})]  # fmt: skip
    return []


def cloudtrail_day(day: datetime) -> list[dict]:
    events = []
    for hour in range(0, 24, 2):  # the label service reads and writes the label archive all day
        t = day + timedelta(hours=hour, minutes=rng.randrange(60))
        key = f"labels/{day:%Y/%m/%d}/{rng.getrandbits(48):012x}.pdf"
        events.append(ct_event(t, role("parcelpilot-labels", f"i-0{rng.getrandbits(56):014x}"),
                               rng.choice(["GetObject", "PutObject"]), "s3.amazonaws.com", "192.0.2.10",
                               {"bucketName": "parcelpilot-label-archive", "key": key}))  # fmt: skip
    if day.weekday() < 5:
        for user in rng.sample(STAFF, 2):
            t = day + timedelta(hours=8 + rng.randrange(3), minutes=rng.randrange(60))
            events.append(console_login(t, user, True, rng.choice(OFFICE)))
            for _ in range(3):
                t += timedelta(minutes=rng.randrange(5, 40))
                events.append(ct_event(t, iam_user(user), rng.choice(["DescribeInstances", "GetMetricData",
                                       "DescribeDBInstances"]), "ec2.amazonaws.com", rng.choice(OFFICE)))  # fmt: skip
    if day.day in (5, 20):  # the compliance role reads the tax-invoice archive twice a month
        t = day + timedelta(hours=14)
        events.append(ct_event(t, role("ff-compliance-auditor", "priya.raman"), "GetObject", "s3.amazonaws.com",
                               OFFICE[0], {"bucketName": "parcelpilot-tax-archive", "key": f"invoices/{day:%Y-%m}.zip"}))  # fmt: skip
    deliberate = {  # 3 console logins without MFA by 2 principals
        datetime(2026, 7, 14, tzinfo=UTC): ("lena.voss", 9),
        datetime(2026, 8, 4, tzinfo=UTC): ("lena.voss", 10),
        datetime(2026, 9, 8, tzinfo=UTC): ("sam.ito", 11),
    }
    if day in deliberate:
        user, hour = deliberate[day]
        events.append(console_login(day + timedelta(hours=hour, minutes=12), user, False, OFFICE[1]))
    if day == datetime(2026, 8, 17, tzinfo=UTC):  # Marcus Hale's console access is removed, late
        t = day + timedelta(hours=9, minutes=40)
        events.append(ct_event(t, iam_user("priya.raman"), "DeleteLoginProfile", "iam.amazonaws.com", OFFICE[0],
                               {"userName": "marcus.hale"}))  # fmt: skip
        events.append(ct_event(t + timedelta(minutes=2), iam_user("priya.raman"), "UpdateAccessKey",
                               "iam.amazonaws.com", OFFICE[0],
                               {"userName": "marcus.hale", "accessKeyId": "AKIAEXAMPLEMARCUS01", "status": "Inactive"}))  # fmt: skip
    events.extend(settings_changes(day))
    return sorted(events, key=lambda e: e["eventTime"])


def write_cloudtrail() -> None:
    base = ROOT / "cloudtrail"
    shutil.rmtree(base, ignore_errors=True)
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    public_der = key.public_key().public_bytes(serialization.Encoding.DER, serialization.PublicFormat.PKCS1)
    fingerprint = hashlib.md5(public_der).hexdigest()  # noqa: S324 - CloudTrail's fingerprints are MD5
    (base).mkdir(parents=True)
    (base / "public-keys.json").write_text(json.dumps({"PublicKeyList": [{
        "Value": base64.b64encode(public_der).decode(), "ValidityStartTime": "2026-01-01T00:00:00Z",
        "ValidityEndTime": "2027-01-01T00:00:00Z", "Fingerprint": fingerprint}]}, indent=2) + "\n")  # fmt: skip
    logs = base / "AWSLogs" / ACCOUNT / "CloudTrail" / REGION
    digests = base / "AWSLogs" / ACCOUNT / "CloudTrail-Digest" / REGION
    archive = [ct_event(ARCHIVE_DAY + timedelta(hours=h), role("parcelpilot-labels", "i-0archive0000000"),
                        "GetObject", "s3.amazonaws.com", "192.0.2.10", {"bucketName": "parcelpilot-label-archive",
                        "key": "labels/2025/11/03/a.pdf"}) for h in (9, 15)]  # fmt: skip
    name = f"{ACCOUNT}_CloudTrail_{REGION}_20251103T2105Z_archive0000000001.json.gz"
    gz(logs / "2025/11/03" / name, json.dumps({"Records": archive}, separators=(",", ":")))
    previous: tuple[str, str, str] | None = None  # key, inflated sha256, signature
    for day in days():
        events = cloudtrail_day(day)
        halves = [[e for e in events if e["eventTime"] < z(day + timedelta(hours=12))],
                  [e for e in events if e["eventTime"] >= z(day + timedelta(hours=12))]]  # fmt: skip
        listed = []
        for index, half in enumerate(halves):
            delivered = day + timedelta(hours=12 * index + 12, minutes=5)
            name = f"{ACCOUNT}_CloudTrail_{REGION}_{delivered:%Y%m%dT%H%MZ}_{rng.getrandbits(64):016x}.json.gz"
            content = json.dumps({"Records": half}, separators=(",", ":")).encode()
            relative = f"AWSLogs/{ACCOUNT}/CloudTrail/{REGION}/{delivered:%Y/%m/%d}/{name}"
            gz(base / relative, content)
            listed.append({"s3Bucket": BUCKET, "s3Object": relative, "hashValue": hashlib.sha256(content).hexdigest(),
                           "hashAlgorithm": "SHA-256", "newestEventTime": half[-1]["eventTime"],
                           "oldestEventTime": half[0]["eventTime"]})  # fmt: skip
        end = day + timedelta(days=1, minutes=30)
        key_name = f"AWSLogs/{ACCOUNT}/CloudTrail-Digest/{REGION}/{end:%Y/%m/%d}/{ACCOUNT}_CloudTrail-Digest_{REGION}_{TRAIL}_{REGION}_{end:%Y%m%dT%H%M%SZ}.json.gz"
        digest = {
            "awsAccountId": ACCOUNT, "digestStartTime": z(end - timedelta(days=1)), "digestEndTime": z(end),
            "digestS3Bucket": BUCKET, "digestS3Object": key_name, "digestPublicKeyFingerprint": fingerprint,
            "digestSignatureAlgorithm": "SHA256withRSA", "newestEventTime": events[-1]["eventTime"],
            "oldestEventTime": events[0]["eventTime"],
            "previousDigestS3Bucket": BUCKET if previous else None,
            "previousDigestS3Object": previous[0] if previous else None,
            "previousDigestHashValue": previous[1] if previous else None,
            "previousDigestHashAlgorithm": "SHA-256" if previous else None,
            "previousDigestSignature": previous[2] if previous else None,
            "logFiles": listed,
        }  # fmt: skip
        inflated = json.dumps(digest, separators=(",", ":")).encode()
        sha = hashlib.sha256(inflated).hexdigest()
        signing = f"{digest['digestEndTime']}\n{BUCKET}/{key_name}\n{sha}\n{previous[2] if previous else 'null'}"
        signature = key.sign(signing.encode(), padding.PKCS1v15(), hashes.SHA256()).hex()
        target = base / key_name
        gz(target, inflated)
        target.with_name(target.name + ".metadata.json").write_text(json.dumps(
            {"Metadata": {"signature": signature, "signature-algorithm": "SHA256withRSA"}}, indent=2) + "\n")  # fmt: skip
        previous = (key_name, sha, signature)
    del digests


# ------------------------------------------------------------------------ nginx access log

AGENTS = ["Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0",
          "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 Safari/605.1.15",
          "ParcelPilot-Mobile/3.2 (iOS 17.5)"]  # fmt: skip
GAP = (datetime(2026, 8, 9, 2, tzinfo=UTC), datetime(2026, 8, 11, 8, tzinfo=UTC))


def nginx_line(t: datetime) -> str:
    if rng.random() < 0.15:
        ip, path = rng.choice(OFFICE), f"/api/v1/orders/{rng.randrange(10**6):06d}/address"
    else:
        ip = f"203.0.113.{rng.randrange(1, 255)}"
        path = rng.choice(["/", "/track", f"/track/FF{rng.randrange(10**8):08d}", "/api/v1/rates", "/static/app.js"])
    status = rng.choice([200] * 12 + [304, 404])
    return (f'{ip} - - [{t:%d/%b/%Y:%H:%M:%S} +0000] "GET {path} HTTP/1.1" {status} {rng.randrange(200, 40000)} '
            f'"https://parcelpilot.example/" "{rng.choice(AGENTS)}"\n')  # fmt: skip


def nginx_range(start: datetime, end: datetime) -> str:
    lines, t = [], start
    while t < end:
        t += timedelta(minutes=rng.randrange(5, 50))
        if not GAP[0] <= t < GAP[1] and t < end:
            lines.append(nginx_line(t))
    return "".join(lines)


def write_nginx() -> None:
    base = ROOT / "nginx"
    shutil.rmtree(base, ignore_errors=True)
    base.mkdir(parents=True)
    gz(base / "access.log-20251103.gz", nginx_range(ARCHIVE_DAY, ARCHIVE_DAY + timedelta(days=1)))
    gz(base / "access.log-20260801.gz", nginx_range(START, datetime(2026, 8, 1, tzinfo=UTC)))
    gz(base / "access.log-20260901.gz", nginx_range(datetime(2026, 8, 1, tzinfo=UTC), datetime(2026, 9, 1, tzinfo=UTC)))
    (base / "access.log").write_text(nginx_range(datetime(2026, 9, 1, tzinfo=UTC), END))


# ----------------------------------------------------------------------------- auth.log


def syslog(t: datetime, program: str, pid: int, message: str, host: str = "bastion-1") -> str:
    return f"{t:%b} {t.day:>2} {t:%H:%M:%S} {host} {program}[{pid}]: {message}\n"


def ssh_login(t: datetime, user: str, ip: str) -> list[str]:
    pid, port = rng.randrange(2000, 60000), rng.randrange(40000, 65000)
    fp = base64.b64encode(hashlib.sha256(user.encode()).digest()).decode().rstrip("=")
    return [
        syslog(t, "sshd", pid, f"Partial publickey for {user} from {ip} port {port} ssh2: ED25519 SHA256:{fp}"),
        syslog(t + timedelta(seconds=6), "sshd", pid, f"Accepted keyboard-interactive/pam for {user} from {ip} port {port} ssh2"),
        syslog(t + timedelta(seconds=6), "sshd", pid, f"pam_unix(sshd:session): session opened for user {user}(uid=1001) by (uid=0)"),
        syslog(t + timedelta(minutes=4), "sudo", 0, f"{user} : TTY=pts/0 ; PWD=/home/{user} ; USER=root ; COMMAND=/usr/bin/systemctl status parcelpilot").replace("sudo[0]", "sudo"),
    ]  # fmt: skip


def auth_day(day: datetime) -> list[tuple[datetime, str]]:
    out = []
    for hour in range(0, 24, 4):
        t = day + timedelta(hours=hour, minutes=17)
        out.append((t, syslog(t, "CRON", rng.randrange(1000, 9000), "pam_unix(cron:session): session opened for user root(uid=0) by (uid=0)")))  # fmt: skip
    if day.weekday() < 5:
        for user in rng.sample(STAFF[:3], 2):
            t = day + timedelta(hours=9 + rng.randrange(6), minutes=rng.randrange(60))
            out.extend((t, line) for line in ssh_login(t, user, rng.choice(OFFICE)))
    if rng.random() < 0.4:  # background noise: bots guessing user names
        t = day + timedelta(hours=rng.randrange(24), minutes=rng.randrange(60))
        ip = f"203.0.113.{rng.randrange(1, 255)}"
        for n, name in enumerate(["admin", "oracle", "test"]):
            out.append((t + timedelta(seconds=n), syslog(t + timedelta(seconds=n), "sshd", 31000 + n, f"Invalid user {name} from {ip} port {50000 + n}")))  # fmt: skip
    if day == datetime(2026, 8, 16, tzinfo=UTC):  # Marcus Hale left on 2026-08-14
        t = day + timedelta(hours=18, minutes=40)
        out.extend((t, line) for line in ssh_login(t, "marcus.hale", OFFICE[3]))
    if day == datetime(2026, 8, 17, tzinfo=UTC):
        t = day + timedelta(hours=9, minutes=31)
        out.append((t, syslog(t, "userdel", 48211, "delete user 'marcus.hale'")))
    if day == datetime(2026, 9, 3, tzinfo=UTC):  # five typos, then pam_faillock locks the account
        t = day + timedelta(hours=10, minutes=2)
        for n in range(5):
            out.append((t + timedelta(seconds=9 * n), syslog(t + timedelta(seconds=9 * n), "sshd", 40100, f"Failed password for tom.okafor from {OFFICE[2]} port {51000 + n} ssh2")))  # fmt: skip
        out.append((t + timedelta(seconds=50), syslog(t + timedelta(seconds=50), "sshd", 40100, "pam_faillock(sshd:auth): Consecutive login failures for user tom.okafor account temporarily locked")))  # fmt: skip
    return out


def write_auth() -> None:
    base = ROOT / "auth"
    shutil.rmtree(base, ignore_errors=True)
    base.mkdir(parents=True)

    def text(start: datetime, end: datetime) -> str:
        return "".join(line for day in days(start, end) for _, line in sorted(auth_day(day)))

    gz(base / "auth.log-20251103.gz", text(ARCHIVE_DAY, ARCHIVE_DAY + timedelta(days=1)))
    gz(base / "auth.log.2.gz", text(START, datetime(2026, 8, 1, tzinfo=UTC)))
    (base / "auth.log.1").write_text(text(datetime(2026, 8, 1, tzinfo=UTC), datetime(2026, 9, 1, tzinfo=UTC)))
    (base / "auth.log").write_text(text(datetime(2026, 9, 1, tzinfo=UTC), END))


# ------------------------------------------------------------------------- PostgreSQL log


def pg(t: datetime, pid: int, who: str, level: str, message: str) -> str:
    return f"{t:%Y-%m-%d %H:%M:%S}.{t.microsecond // 1000:03d} UTC [{pid}] {who}{level}:  {message}\n"


def pg_day(day: datetime) -> str:
    lines = []
    for hour in range(0, 24, 3):
        t = day + timedelta(hours=hour, minutes=rng.randrange(60), seconds=rng.randrange(60))
        pid = rng.randrange(10000, 99999)
        lines.append(pg(t, pid, "", "LOG", f"connection received: host=192.0.2.10 port={rng.randrange(40000, 60000)}"))
        lines.append(pg(t, pid, "parcelpilot_app@orders ", "LOG", "connection authorized: user=parcelpilot_app database=orders application_name=parcelpilot SSL enabled (protocol=TLSv1.3, cipher=TLS_AES_256_GCM_SHA384, bits=256)"))  # fmt: skip
        for n in range(3):
            table = rng.choice(["public.buyers", "public.shipping_addresses", "public.orders"])
            lines.append(pg(t + timedelta(seconds=n + 1), pid, "parcelpilot_app@orders ", "LOG",
                            f"AUDIT: OBJECT,{n + 1},1,READ,SELECT,TABLE,{table},<not logged>,<not logged>"))  # fmt: skip
        lines.append(pg(t + timedelta(seconds=30), pid, "parcelpilot_app@orders ", "LOG", f"disconnection: session time: 0:00:30.012 user=parcelpilot_app database=orders host=192.0.2.10 port={rng.randrange(40000, 60000)}"))  # fmt: skip
    if day.weekday() == 1:  # Priya reviews the buyers table weekly from the office
        t = day + timedelta(hours=15)
        pid = rng.randrange(10000, 99999)
        lines.append(pg(t, pid, "", "LOG", f"connection received: host={OFFICE[0]} port=51515"))
        lines.append(pg(t, pid, "priya.raman@orders ", "LOG", "connection authorized: user=priya.raman database=orders application_name=psql"))  # fmt: skip
        lines.append(pg(t + timedelta(seconds=20), pid, "priya.raman@orders ", "LOG", "AUDIT: SESSION,1,1,READ,SELECT,,,\"SELECT count(*) FROM buyers WHERE created_at < now() - interval '30 days'\",<not logged>"))  # fmt: skip
    return "".join(lines)


def write_postgres() -> None:
    base = ROOT / "postgres"
    shutil.rmtree(base, ignore_errors=True)
    base.mkdir(parents=True)
    (base / "postgresql-2025-11-03.log").write_text(pg_day(ARCHIVE_DAY))
    for month in (7, 8, 9):
        start = datetime(2026, month, 1, tzinfo=UTC)
        end = datetime(2026, month + 1, 1, tzinfo=UTC)
        gz(base / f"postgresql-2026-{month:02d}.log.gz", "".join(pg_day(d) for d in days(start, end)))


# --------------------------------------------------------------------- application audit


def audit(t: datetime, who: str, action: str, resource: str, ip: str, mfa: bool | None = None) -> str:
    record = {"ts": z(t), "actor": {"email": who, "role": "support" if who.startswith("anna") else "admin"},
              "action": action, "resource": resource, "ip": ip, "result": "success"}  # fmt: skip
    if mfa is not None:
        record["mfa"] = mfa
    return json.dumps(record, separators=(",", ":")) + "\n"


def audit_day(day: datetime) -> str:
    lines = []
    people = ["anna.kowalski@fennelfinch.example", "priya.raman@fennelfinch.example"]
    for hour in range(0, 24, 6):
        t = day + timedelta(hours=hour, minutes=5)
        lines.append(audit(t, "system@fennelfinch.example", "orders.sync", "/api/v1/orders", "192.0.2.10"))
    for who in people[: 1 + (day.weekday() < 5)]:
        t = day + timedelta(hours=9, minutes=rng.randrange(60))
        lines.append(audit(t, who, "user.login", "/admin/login", rng.choice(OFFICE), mfa=True))
        for _ in range(rng.randrange(1, 4)):
            t += timedelta(minutes=rng.randrange(3, 30))
            order = f"{rng.randrange(100, 999)}-{rng.randrange(10**6, 10**7)}-{rng.randrange(10**6, 10**7)}"
            lines.append(audit(t, who, "order.view_address", f"/api/v1/orders/{order}/address", rng.choice(OFFICE)))
    return "".join(lines)


def write_app() -> None:
    base = ROOT / "app"
    shutil.rmtree(base, ignore_errors=True)
    base.mkdir(parents=True)
    (base / "audit-2025-11-03.jsonl").write_text(audit_day(ARCHIVE_DAY))
    (base / "audit-2026-q3.jsonl").write_text("".join(audit_day(d) for d in days()))


if __name__ == "__main__":
    write_cloudtrail()
    write_nginx()
    write_auth()
    write_postgres()
    write_app()
