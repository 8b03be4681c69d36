"""cloudtrail digests: chain followed, altered and missing files found, signatures really verified."""

from __future__ import annotations

import base64
import gzip
import hashlib
import json
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from log_builders import Collect, login, write

ACCOUNT, REGION, BUCKET = "111122223333", "eu-west-1", "trail-bucket"


def _trail(root: Path, days: int = 3, *, sign: bool = True) -> tuple[list[Path], list[Path]]:
    """Write a trail copy in the S3 layout: two log files and one signed digest per day."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    der = key.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.PKCS1
    )
    fingerprint = hashlib.md5(der).hexdigest()  # noqa: S324 - CloudTrail's fingerprint format
    keys = {
        "PublicKeyList": [
            {
                "Value": base64.b64encode(der).decode(),
                "Fingerprint": fingerprint,
                "ValidityStartTime": "2026-01-01T00:00:00Z",
                "ValidityEndTime": "2027-01-01T00:00:00Z",
            }
        ]
    }
    write(root / "keys.json", json.dumps(keys))
    logs, digests, previous = [], [], None
    for day in range(1, days + 1):
        listed = []
        for half in (0, 1):
            body = json.dumps(
                {
                    "Records": [
                        login(f"2026-07-{day:02d}T{9 + 12 * half:02d}:00:00Z", "alice", "Yes")
                    ]
                }
            ).encode()
            rel = f"AWSLogs/{ACCOUNT}/CloudTrail/{REGION}/2026/07/{day:02d}/{ACCOUNT}_CloudTrail_{REGION}_202607{day:02d}T{half}Z_x.json.gz"
            logs.append(write(root / rel, body.decode()))
            listed.append(
                {"s3Bucket": BUCKET, "s3Object": rel, "hashValue": hashlib.sha256(body).hexdigest()}
            )
        end = f"2026-07-{day + 1:02d}T00:30:00Z"
        rel = f"AWSLogs/{ACCOUNT}/CloudTrail-Digest/{REGION}/2026/07/{day + 1:02d}/{ACCOUNT}_CloudTrail-Digest_{REGION}_t_{REGION}_202607{day + 1:02d}T003000Z.json.gz"
        digest = {
            "awsAccountId": ACCOUNT,
            "digestStartTime": f"2026-07-{day:02d}T00:30:00Z",
            "digestEndTime": end,
            "digestS3Bucket": BUCKET,
            "digestS3Object": rel,
            "digestPublicKeyFingerprint": fingerprint,
            "digestSignatureAlgorithm": "SHA256withRSA",
            "logFiles": listed,
            "previousDigestS3Object": previous[0] if previous else None,
            "previousDigestHashValue": previous[1] if previous else None,
            "previousDigestSignature": previous[2] if previous else None,
        }
        inflated = json.dumps(digest).encode()
        sha = hashlib.sha256(inflated).hexdigest()
        to_sign = f"{end}\n{BUCKET}/{rel}\n{sha}\n{previous[2] if previous else 'null'}".encode()
        signature = key.sign(to_sign, padding.PKCS1v15(), hashes.SHA256()).hex()
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(gzip.compress(inflated))
        if sign:
            path.with_name(path.name + ".metadata.json").write_text(
                json.dumps(
                    {"Metadata": {"signature": signature, "signature-algorithm": "SHA256withRSA"}}
                )
            )
        digests.append(path)
        previous = (rel, sha, signature)
    return logs, digests


def _integrity(collect: Collect, root: Path, keys: bool = True) -> dict:
    settings = {
        "paths": [str(root / "AWSLogs")],
        "public_keys": [str(root / "keys.json")] if keys else [],
    }
    return collect("cloudtrail", settings)["logging.integrity"].facts


def test_intact_trail_verifies(tmp_path: Path, collect: Collect) -> None:
    _trail(tmp_path)
    facts = _integrity(collect, tmp_path)
    assert (facts["digest_files"], facts["chains"], facts["chain_breaks"]) == (3, 1, 0)
    assert (facts["log_files_listed"], facts["log_files_verified"]) == (6, 6)
    assert (
        facts["signatures_verified"],
        facts["signatures_invalid"],
        facts["signatures_unchecked"],
    ) == (
        3,
        0,
        0,
    )


def test_altered_and_missing_log_files_are_named(tmp_path: Path, collect: Collect) -> None:
    logs, _ = _trail(tmp_path)
    write(logs[1], json.dumps({"Records": [login("2026-07-01T21:00:00Z", "alice", "No")]}))
    logs[4].unlink()
    facts = _integrity(collect, tmp_path)
    assert facts["altered"] == [logs[1].name]
    assert facts["missing"] == [logs[4].name]
    assert facts["log_files_verified"] == 4


def test_altered_digest_breaks_signature_and_chain(tmp_path: Path, collect: Collect) -> None:
    _, digests = _trail(tmp_path)
    data = json.loads(gzip.decompress(digests[1].read_bytes()))
    data["logFiles"] = data["logFiles"][:1]  # someone hides a log file from the digest
    digests[1].write_bytes(gzip.compress(json.dumps(data).encode()))
    facts = _integrity(collect, tmp_path)
    assert facts["signatures_invalid"] == 1
    problems = " ".join(facts["chain_problems"])
    assert f"{digests[1].name}: signature does not verify" in problems
    assert f"previous digest {digests[1].name} does not match its recorded hash" in problems


def test_deleted_digest_is_a_chain_break(tmp_path: Path, collect: Collect) -> None:
    _, digests = _trail(tmp_path, days=4)
    digests[1].unlink()
    digests[1].with_name(digests[1].name + ".metadata.json").unlink()
    facts = _integrity(collect, tmp_path)
    assert any(
        f"previous digest {digests[1].name} is missing" in p for p in facts["chain_problems"]
    )


@pytest.mark.parametrize(
    ("sign", "keys", "reason"),
    [
        (False, True, "no S3 signature metadata beside the digest"),
        (True, False, "no CloudTrail public keys supplied"),
    ],
)
def test_signatures_unchecked_say_why(
    tmp_path: Path, collect: Collect, sign: bool, keys: bool, reason: str
) -> None:
    _trail(tmp_path, sign=sign)
    facts = _integrity(collect, tmp_path, keys=keys)
    assert facts["signatures_verified"] == 0
    assert facts["signatures_unchecked_reasons"] == {reason: 3}
    assert facts["log_files_verified"] == 6


def test_real_digest_without_its_logs(collect: Collect) -> None:
    from log_builders import REALDATA

    path = REALDATA / "cloudtrail" / "llm-guard_issue147_CloudTrail-Digest_20231015T230404Z.json"
    facts = collect("cloudtrail", {"paths": [str(path)]}, period="2023-Q4")[
        "logging.integrity"
    ].facts
    assert facts["digest_files"] == 1
    assert facts["log_files_missing"] == 5
    assert facts["signatures_unchecked_reasons"] == {
        "no S3 signature metadata beside the digest": 1
    }
