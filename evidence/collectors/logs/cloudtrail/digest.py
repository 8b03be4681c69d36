r"""CloudTrail log file integrity validation on local copies: digest chain, hashes, signatures.

CloudTrail writes an hourly digest per trail and region that lists the log files it delivered
with the SHA-256 of each file's inflated content, and the hash and signature of the previous
digest. This module follows that chain through the digests at hand, compares each listed log
file with the local copy, and reports missing or altered files and breaks in the chain.

A digest's own signature is not inside the file: S3 keeps it as object metadata (``signature``
and ``signature-algorithm``), which a plain download lacks. When a sidecar file
``<digest file>.metadata.json`` holds it (the output of ``aws s3api head-object``) and the user
supplies AWS's public keys (the output of ``aws cloudtrail list-public-keys``), the signature is
verified as SHA256withRSA over the string CloudTrail signs::

    digestEndTime \n digestS3Bucket/digestS3Object \n hex(SHA-256(inflated digest)) \n
    previousDigestSignature

(``null`` for the first digest of a chain). Otherwise the signature is reported as unchecked,
with the reason: hashes alone show the files match their digests, not who wrote the digests.
"""

from __future__ import annotations

import base64
import binascii
from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import orjson
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from evidence.errors import InputError

SIDECAR = ".metadata.json"
MAX_LISTED = 50
_REQUIRED = ("digestS3Bucket", "digestS3Object", "digestEndTime", "digestStartTime", "logFiles")


@dataclass
class Digest:
    """A digest file as read: content, hash of its inflated bytes, signature if known."""

    path: Path
    data: dict[str, Any]
    inflated_sha256: str
    signature: str | None
    algorithm: str | None

    @property
    def name(self) -> str:
        """The digest's file name."""
        return self.path.name

    @property
    def chain(self) -> str:
        """Digests of one trail and region form one chain: the key without its timestamp."""
        key = Path(str(self.data.get("digestS3Object") or self.name)).name
        return key.rsplit("_", 1)[0]

    @property
    def end(self) -> str:
        """``digestEndTime`` as written (ISO 8601, so it sorts)."""
        return str(self.data.get("digestEndTime") or "")


def load_public_keys(paths: list[Path]) -> dict[str, rsa.RSAPublicKey]:
    """Keys by fingerprint from ``aws cloudtrail list-public-keys`` output files."""
    keys: dict[str, rsa.RSAPublicKey] = {}
    for path in paths:
        try:
            document = orjson.loads(path.read_bytes())
        except OSError as exc:
            raise InputError(path, f"cannot read public keys: {exc.strerror}") from None
        except orjson.JSONDecodeError as exc:
            raise InputError(
                path,
                "malformed JSON (expected `aws cloudtrail list-public-keys` output)",
                exc.lineno,
            ) from None
        entries = document.get("PublicKeyList") if isinstance(document, dict) else None
        if not isinstance(entries, list):
            raise InputError(
                path, "no PublicKeyList (expected `aws cloudtrail list-public-keys` output)"
            )
        for index, entry in enumerate(entries):
            try:
                key = serialization.load_der_public_key(base64.b64decode(entry["Value"]))
                fingerprint = str(entry["Fingerprint"]).lower()
            except (KeyError, TypeError, ValueError, binascii.Error):
                raise InputError(
                    path, f"PublicKeyList[{index}] is not a DER RSA key with a Fingerprint"
                ) from None
            if isinstance(key, rsa.RSAPublicKey):
                keys[fingerprint] = key
    return keys


def sidecar_metadata(path: Path) -> tuple[str | None, str | None]:
    """Read the S3 ``signature`` and ``signature-algorithm`` of a digest from its sidecar."""
    sidecar = path.with_name(path.name + SIDECAR)
    if not sidecar.is_file():
        return None, None
    try:
        document = orjson.loads(sidecar.read_bytes())
    except (OSError, orjson.JSONDecodeError):
        raise InputError(
            sidecar, "malformed S3 metadata (expected `aws s3api head-object` output)"
        ) from None
    meta = document.get("Metadata", document) if isinstance(document, dict) else {}
    signature = meta.get("signature") if isinstance(meta, dict) else None
    algorithm = (
        (meta.get("signature-algorithm") or meta.get("signatureAlgorithm"))
        if isinstance(meta, dict)
        else None
    )
    return (str(signature) if signature else None, str(algorithm) if algorithm else None)


def string_to_sign(digest: Digest) -> bytes:
    """Return the bytes CloudTrail signs for a digest (see the module docstring)."""
    data = digest.data
    previous = data.get("previousDigestSignature") or "null"
    location = f"{data['digestS3Bucket']}/{data['digestS3Object']}"
    text = f"{data['digestEndTime']}\n{location}\n{digest.inflated_sha256}\n{previous}"
    return text.encode("utf-8")


def verify_signature(digest: Digest, keys: dict[str, rsa.RSAPublicKey]) -> tuple[bool | None, str]:
    """Verify a digest's signature: (True, ""), (False, why), or (None, why) if uncheckable."""
    if digest.signature is None:
        return None, "no S3 signature metadata beside the digest"
    if (digest.algorithm or "SHA256withRSA") != "SHA256withRSA":
        return None, "unsupported signature algorithm"
    if not keys:
        return None, "no CloudTrail public keys supplied"
    fingerprint = str(digest.data.get("digestPublicKeyFingerprint", "")).lower()
    key = keys.get(fingerprint)
    if key is None:
        return None, "no supplied public key has the digest's fingerprint"
    try:
        signature = binascii.unhexlify(digest.signature)
        key.verify(signature, string_to_sign(digest), padding.PKCS1v15(), hashes.SHA256())
    except (InvalidSignature, binascii.Error, ValueError):
        return False, "signature does not verify"
    return True, ""


def validate(
    digests: list[Digest],
    log_hashes: dict[str, str],
    keys: dict[str, rsa.RSAPublicKey],
    window: tuple[datetime, datetime],
) -> dict[str, Any]:
    """Build the ``logging.integrity`` facts for digests ending inside ``window``."""
    start, end = (w.strftime("%Y-%m-%dT%H:%M:%SZ") for w in window)
    by_key = {d.name: d for d in digests}
    in_window = sorted(
        (d for d in digests if start <= d.end <= end), key=lambda d: (d.chain, d.end)
    )
    listed: set[str] = set()
    missing: list[str] = []
    altered: list[str] = []
    breaks: list[str] = []
    reasons: Counter[str] = Counter()
    verified = invalid = 0
    first_of_chain: dict[str, str] = {}
    for digest in sorted(digests, key=lambda d: (d.chain, d.end)):
        first_of_chain.setdefault(digest.chain, digest.name)
    for digest in in_window:
        ok, why = verify_signature(digest, keys)
        if ok is True:
            verified += 1
        elif ok is False:
            invalid += 1
            breaks.append(f"{digest.name}: {why}")
        else:
            reasons[why] += 1
        breaks.extend(_link_problems(digest, by_key, first_of_chain))
        for entry in digest.data.get("logFiles") or []:
            name = Path(str(entry.get("s3Object", ""))).name
            listed.add(name)
            actual = log_hashes.get(name)
            if actual is None:
                missing.append(name)
            elif actual != str(entry.get("hashValue", "")).lower():
                altered.append(name)
    unlisted = sorted(set(log_hashes) - {n for d in digests for n in _listed_names(d)})
    return {
        "digest_files": len(in_window),
        "digest_files_total": len(digests),
        "chains": len({d.chain for d in in_window}),
        "chain_breaks": len(breaks),
        "chain_problems": breaks[:MAX_LISTED],
        "log_files_listed": len(listed),
        "log_files_verified": len(listed) - len(set(missing)) - len(set(altered)),
        "log_files_missing": len(set(missing)),
        "missing": sorted(set(missing))[:MAX_LISTED],
        "log_files_altered": len(set(altered)),
        "altered": sorted(set(altered))[:MAX_LISTED],
        "log_files_not_in_digests": len(unlisted),
        "not_in_digests": unlisted[:MAX_LISTED],
        "signatures_verified": verified,
        "signatures_invalid": invalid,
        "signatures_unchecked": sum(reasons.values()),
        "signatures_unchecked_reasons": dict(sorted(reasons.items())),
        "public_keys": len(keys),
    }


def _listed_names(digest: Digest) -> list[str]:
    return [Path(str(e.get("s3Object", ""))).name for e in digest.data.get("logFiles") or []]


def _link_problems(
    digest: Digest, by_key: dict[str, Digest], first_of_chain: dict[str, str]
) -> list[str]:
    """Whether the digest links to its predecessor, and the predecessor matches the link."""
    data = digest.data
    previous_key = data.get("previousDigestS3Object")
    is_first = first_of_chain.get(digest.chain) == digest.name
    if not previous_key:
        return (
            []
            if is_first
            else [f"{digest.name}: the chain restarts (validation was off before it)"]
        )
    previous = by_key.get(Path(str(previous_key)).name)
    if previous is None:
        return (
            []
            if is_first
            else [f"{digest.name}: previous digest {Path(str(previous_key)).name} is missing"]
        )
    problems = []
    if str(data.get("previousDigestHashValue", "")).lower() != previous.inflated_sha256:
        problems.append(
            f"{digest.name}: previous digest {previous.name} does not match its recorded hash"
        )
    if previous.signature is not None and data.get("previousDigestSignature") != previous.signature:
        problems.append(
            f"{digest.name}: previous digest {previous.name} carries a different signature"
        )
    return problems


def check_shape(data: dict[str, Any]) -> str | None:
    """Why a digest lacks what validation needs, or None."""
    missing = [k for k in _REQUIRED if k not in data]
    return f"digest without {', '.join(missing)}" if missing else None
