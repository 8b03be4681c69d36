"""Issue 17 (items 1-4): an auditor with the pack, sha256sum and openssl can re-perform.

One real run of the samples with a configured pseudonym key, packed with `--reveal-to` the
auditor's certificate. The auditor opens the key to the pseudonyms with their private key
(`openssl cms -decrypt` and `evidence reveal`), finds the allowed networks and every
security-group rule in clear, matches each CloudTrail file to its recorded original hash with
sha256sum, and reads each evidence item's provenance (relative locations only).
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
import subprocess
import zipfile
from dataclasses import dataclass
from pathlib import Path

import orjson
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import NameOID

from tests.support import SAMPLES, run_cli

KEY_ENV = "EVIDENCE_TEST_PSEUDONYM_KEY"
KEY_VALUE = "a-test-pseudonym-key-of-enough-length"


@dataclass
class Reperform:
    samples: Path
    config: Path
    pack: Path
    folder: Path
    key: Path
    cert: Path


def _certificate(folder: Path, name: str, private: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey) -> Path:
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    moment = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(private.public_key())
        .serial_number(1)
        .not_valid_before(moment)
        .not_valid_after(moment + dt.timedelta(days=3650))
        .sign(private, hashes.SHA256())
    )
    path = folder / f"{name}-cert.pem"
    path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return path


@pytest.fixture(scope="module")
def reperform(tmp_path_factory: pytest.TempPathFactory) -> Reperform:
    root = tmp_path_factory.mktemp("reperform")
    samples = root / "samples"
    shutil.copytree(SAMPLES, samples, ignore=shutil.ignore_patterns(".evidence", "out", ".demo-keys"))
    config = samples / "evidence.toml"
    text = config.read_text(encoding="utf-8")
    assert "[secrets]" not in text
    config.write_text(text + f'\n[secrets]\npseudonym_key = {{ env = "{KEY_ENV}" }}\n', encoding="utf-8")
    keys = root / "auditor"
    keys.mkdir()
    private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    key = keys / "auditor-key.pem"
    key.write_bytes(
        private.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    cert = _certificate(keys, "auditor", private)
    env = {KEY_ENV: KEY_VALUE}
    run = run_cli("run", "--config", config, "--out", samples / "out", "--json", "--no-sign", env=env, timeout=1800)
    assert run.code in (0, 3), run.stderr
    pack = samples / "out" / "pack.zip"
    made = run_cli("pack", "--config", config, "--out", pack, "--reveal-to", cert, env=env, timeout=600)
    assert made.code == 0, made.stderr
    folder = root / "unpacked"
    with zipfile.ZipFile(pack) as archive:
        archive.extractall(folder)
    return Reperform(samples, config, pack, folder, key, cert)


def _run(*args: str | Path, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(a) for a in args], cwd=cwd, capture_output=True, text=True, check=False)


def test_openssl_opens_the_key_to_the_pseudonyms(reperform: Reperform) -> None:
    folder = reperform.folder
    opened = _run(
        "openssl", "cms", "-decrypt", "-inform", "PEM", "-in", "reveal/pseudonyms.p7m.pem",
        "-inkey", reperform.key, "-recip", reperform.cert, cwd=folder,
    )
    assert opened.returncode == 0, opened.stderr
    content = orjson.loads(opened.stdout)
    assert content["format"] == "dpp-evidence-pseudonyms/1"
    pseudonyms = content["pseudonyms"]
    # The leavers' accounts and the staff seen in the logs are in it, each with its pseudonym.
    assert "tom.okafor" in pseudonyms.values()
    assert all(re.fullmatch(r"user:[0-9a-f]{12}", p) for p in pseudonyms)
    # Each pseudonym of the map that the pack's copies use is found there; none of the
    # copies holds a clear value of the map beside it.
    copies = b"".join(p.read_bytes() for p in sorted((folder / "evidence").rglob("*")) if p.is_file())
    used = [p for p in pseudonyms if p.encode() in copies]
    assert used, "no pseudonym of the key is used by the evidence copies"
    # Staff and system identities only: no client address, and no buyer's e-mail address
    # (buyers' addresses are e-mail pseudonyms, which the key never holds).
    assert not any(re.fullmatch(r"[\d.]+|[0-9a-f:]+", v) for v in pseudonyms.values())
    assert not any(v.endswith("@buyer-mail.example") for v in pseudonyms.values())
    assert not any(p.startswith(("email:", "ip:")) for p in pseudonyms)
    # The same through the tool.
    revealed = run_cli("reveal", reperform.pack, "--key", reperform.key, "--json")
    assert revealed.code == 0, revealed.stderr
    assert orjson.loads(revealed.stdout)["pseudonyms"] == pseudonyms
    # The key is unreadable to anyone else: another key fails with a clear message.
    other = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    other_key = reperform.folder.parent / "other-key.pem"
    other_key.write_bytes(
        other.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    refused = run_cli("reveal", reperform.pack, "--key", other_key)
    assert refused.code != 0 and "Traceback" not in refused.stderr
    assert "cannot decrypt" in refused.stderr


def test_the_pack_lists_and_hashes_the_key_and_the_config(reperform: Reperform) -> None:
    folder = reperform.folder
    check = _run("sha256sum", "--check", "--strict", "SHA256SUMS", cwd=folder)
    assert check.returncode == 0, check.stdout + check.stderr
    assert "reveal/pseudonyms.p7m.pem: OK" in check.stdout
    assert "config/evidence.json: OK" in check.stdout
    info = orjson.loads((folder / "pack.json").read_bytes())
    assert info["pseudonym_key"] == "reveal/pseudonyms.p7m.pem"
    assert info["config"]["same_as_run"] is True
    config = orjson.loads((folder / "config" / "evidence.json").read_bytes())
    # Secrets are their references, never values.
    assert config["secrets"]["pseudonym_key"] == {"env": KEY_ENV}
    assert KEY_VALUE not in (folder / "config" / "evidence.json").read_text(encoding="utf-8")
    # Leavers' names and accounts are not beside their pseudonyms.
    text = (folder / "config" / "evidence.json").read_text(encoding="utf-8")
    assert "Tom Okafor" not in text and "tom.okafor" not in text


def test_allowed_networks_and_security_group_rules_are_in_clear(reperform: Reperform) -> None:
    folder = reperform.folder
    config = orjson.loads((folder / "config" / "evidence.json").read_bytes())
    assert config["access"]["allowed_networks"] == ["192.0.2.0/24", "198.51.100.0/24"]
    original = orjson.loads((SAMPLES / "aws" / "ec2__describe-security-groups__eu-west-1.json").read_bytes())
    rules = [
        (group["GroupId"], rule.get("FromPort"), cidr.get("CidrIp") or cidr.get("CidrIpv6"))
        for group in original["SecurityGroups"]
        for key in ("IpPermissions", "IpPermissionsEgress")
        for rule in group.get(key, [])
        for cidr in [*rule.get("IpRanges", []), *rule.get("Ipv6Ranges", [])]
    ]
    assert rules
    copies = sorted((folder / "evidence").rglob("ec2__describe-security-groups__eu-west-1.json"))
    assert copies, "the security groups' copy is not in the pack"
    copy = orjson.loads(copies[0].read_bytes())
    copied = [
        (group["GroupId"], rule.get("FromPort"), cidr.get("CidrIp") or cidr.get("CidrIpv6"))
        for group in copy["SecurityGroups"]
        for key in ("IpPermissions", "IpPermissionsEgress")
        for rule in group.get(key, [])
        for cidr in [*rule.get("IpRanges", []), *rule.get("Ipv6Ranges", [])]
    ]
    assert copied == rules
    # The allowed networks' own addresses in the logs stay in clear too (the admin dashboard's).
    audit = b"".join(p.read_bytes() for p in (folder / "evidence").rglob("audit-2026-q3.jsonl"))
    assert b'"192.0.2.10"' in audit
    # The RDS endpoint is a host name of the developer's, not PII.
    rds = b"".join(p.read_bytes() for p in (folder / "evidence").rglob("rds__describe-db-instances__eu-west-1.json"))
    assert b"orders-db.c1x2y3z4a5b6.eu-west-1.rds.amazonaws.com" in rds


def test_each_cloudtrail_file_matches_its_recorded_original_hash(reperform: Reperform) -> None:
    folder = reperform.folder
    listed = orjson.loads((folder / "cloudtrail" / "files.json").read_bytes())["files"]
    delivery = [f for f in listed if f["kind"] == "delivery"]
    digests = [f for f in listed if f["kind"] == "digest"]
    on_disk = sorted(p for p in (SAMPLES / "logs" / "cloudtrail" / "AWSLogs").rglob("*.json.gz"))
    assert len(delivery) + len(digests) == len(on_disk) and delivery and digests
    # The trail bucket's copy (here the samples' folder, laid out as the bucket): sha256sum checks
    # every file against the hash recorded for it, by S3 key.
    bucket = SAMPLES / "logs" / "cloudtrail"
    checked = _run("sha256sum", "--check", "--strict", folder / "cloudtrail" / "ORIGINAL-SHA256SUMS", cwd=bucket)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert checked.stdout.count(": OK") == len(listed)
    # One delivery file recomputed from the original input.
    first = delivery[0]
    recomputed = _run("sha256sum", bucket / first["key"]).stdout.split()[0]
    assert recomputed == first["original_sha256"]
    # Its copy in the pack is the redacted, decompressed one, named for what it is.
    assert first["copy"].endswith(".redacted.json") and not first["copy_is_original"]
    assert (folder / first["copy"]).read_bytes()[:1] == b"{"
    assert not any(p.name.endswith(".gz") for p in (folder / "evidence").rglob("*") if p.is_file() and
                   (p.read_bytes()[:2] != b"\x1f\x8b"))
    # The digest files are in the pack as CloudTrail delivered them.
    for digest in digests:
        assert digest["copy_is_original"], digest
        assert _run("sha256sum", folder / digest["copy"]).stdout.split()[0] == digest["original_sha256"]
    # What the digests list (the decompressed content's hash) is recorded beside.
    assert all(f.get("content_sha256") for f in delivery)


def test_every_evidence_item_carries_provenance_without_local_paths(reperform: Reperform) -> None:
    manifest_text = (reperform.folder / "manifest.json").read_text(encoding="utf-8")
    assert str(reperform.samples) not in manifest_text
    manifest = orjson.loads(manifest_text)
    for entry in manifest["evidence"]:
        provenance = entry["provenance"]
        assert provenance["collector"] == entry["collector"]
        assert provenance["collector_version"].startswith("dpp-evidence ")
        assert provenance["host"] and provenance["os_user"] and provenance["collected_at"]
        assert provenance["command"].startswith("evidence run")
        for raw in entry["raw_inputs"]:
            assert not raw["location"].startswith("/"), raw["location"]
    by_collector = {e["collector"]: e for e in manifest["evidence"] if e["raw_inputs"]}
    auth = by_collector["auth-log"]["provenance"]["inputs"]
    assert any(i["location"] == "logs/auth/auth.log" and i["size"] > 0 and i["mtime"] for i in auth)
    cli = [i for e in manifest["evidence"] if e["collector"] == "aws-cli" for i in e["provenance"]["inputs"]]
    assert {"command": "aws ec2 describe-security-groups", "region": "eu-west-1"} in [
        i.get("aws_cli") for i in cli
    ]


def test_the_readme_command_opens_the_key(reperform: Reperform) -> None:
    """The README's own command line, run as written, with the auditor's key in AUDITOR_KEY."""
    readme = (reperform.folder / "README.txt").read_text(encoding="utf-8")
    commands = [line.strip()[2:] for line in readme.splitlines() if line.strip().startswith("$ openssl cms")]
    assert len(commands) == 1
    done = subprocess.run(
        ["bash", "-c", commands[0]], cwd=reperform.folder, capture_output=True, text=True, check=False,
        env={"PATH": "/usr/bin:/bin", "AUDITOR_KEY": str(reperform.key)},
    )
    assert done.returncode == 0, done.stderr
    assert orjson.loads(done.stdout)["format"] == "dpp-evidence-pseudonyms/1"
    assert "cloudtrail/ORIGINAL-SHA256SUMS" in readme and "reveal/pseudonyms.p7m.pem" in readme
