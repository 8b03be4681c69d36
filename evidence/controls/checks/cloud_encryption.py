"""Checks of encryption at rest and key management, from AWS and Terraform settings."""

from __future__ import annotations

import re
from typing import Any

from evidence.controls.checks import check
from evidence.controls.context import CheckContext
from evidence.controls.settings_facts import Snapshots, Verdicts, cite, in_terraform, listing, snapshots, where
from evidence.model.results import CheckOutcome, Figure, Status

_LABELS = {
    "s3_bucket": "S3 bucket",
    "rds_instance": "RDS instance",
    "rds_cluster": "Aurora/RDS cluster",
    "ebs_volume": "EBS volume",
    "ebs_default": "EBS encryption by default",
    "dynamodb_table": "DynamoDB table",
}
_BITS = re.compile(r"\b(?P<family>AES|RSA)[-_ ]?(?P<bits>\d{3,4})\b", re.IGNORECASE)


def _label(record: dict[str, Any]) -> str:
    kind = _LABELS.get(str(record.get("type")), str(record.get("type")))
    if record.get("type") == "ebs_default":
        return f"{kind} ({record.get('id')})"
    return f"{kind} {record.get('id')}{where(record)}"


def cipher_strength(algorithm: str | None, min_aes: int, min_rsa: int) -> bool | None:
    """Whether ``AES-256``/``RSA-2048``-style text meets the minimum (None without a size)."""
    match = _BITS.search(algorithm or "")
    if not match:
        return None
    minimum = min_aes if match["family"].upper() == "AES" else min_rsa
    return int(match["bits"]) >= minimum


#: The elements the at-rest check judges one by one: the stores observed, and their coverage.
STORAGE_PARTS = ("stores_encrypted", "every_pii_store_observed")


def unobserved_pii_stores(ctx: CheckContext, observed: set[tuple[Any, Any]]) -> tuple[list[str], bool]:
    """Resources of the data map's PII stores that no settings snapshot shows, and whether a map was read.

    The map says which stores are in scope; a PII store whose resource was not observed was not
    judged, so nothing shows it encrypted.
    """
    maps = ctx.items("dataflow.map")
    missing: list[str] = []
    for item in maps:
        for store in item.facts.get("stores") or []:
            if store.get("pii") != "yes":
                continue
            if not store.get("resources"):
                missing.append(f"PII store {store['id']} names no cloud resource in the data map ({item.id})")
            for declared in store.get("resources") or []:
                if (declared.get("type"), declared.get("id")) not in observed:
                    missing.append(
                        f"{declared.get('type')} {declared.get('id')} of PII store {store['id']} "
                        f"(data map {item.id}) was not observed"
                    )
    return missing, bool(maps)


@check("storage_encrypted", reads=("encryption.at_rest", "dataflow.map"), parts=STORAGE_PARTS)
def storage_encrypted(ctx: CheckContext) -> CheckOutcome:
    """Check every data store (S3, RDS, EBS, DynamoDB) is encrypted at rest, strongly enough.

    The PII stores of the data map must all be among the stores observed; one that is not
    leaves the coverage element undecided (and the check insufficient), never met.
    """
    min_aes = int(ctx.params.get("min_aes_bits", 128))
    min_rsa = int(ctx.params.get("min_rsa_bits", 2048))
    ebs_default_required = bool(ctx.params.get("ebs_default_required", True))
    shots = snapshots(ctx, "encryption.at_rest", "resources")
    verdicts = Verdicts()
    verdicts.notes.extend(shots.reasons(ctx))
    for record, item in shots.records("resources"):
        identity = (record.get("type"), record.get("id"))
        label = _label(record)
        setting = record.get("setting") or "setting not recorded"
        origin = f" [{record['origin']}]" if in_terraform(record) else ""
        if record.get("pii") is False:
            verdicts.notes.append(
                f"{label} is not a PII bucket (not in the pii_buckets of its source), so it was "
                "not judged"
            )
        elif record.get("encrypted") is None:
            verdicts.add(
                identity,
                "unknown",
                f"{label}: {record.get('error') or 'encryption setting not known'} ({item.id})",
            )
        elif record.get("encrypted") is False:
            if record.get("type") == "ebs_default" and not ebs_default_required:
                verdicts.notes.append(
                    f"{label}: {setting}; new volumes there may be unencrypted ({item.id})"
                )
            else:
                verdicts.add(
                    identity, "bad", f"{label}: not encrypted, {setting}{origin} ({item.id})"
                )
        else:
            strong = cipher_strength(record.get("algorithm"), min_aes, min_rsa)
            key = record.get("kms_key_id")
            managed = (
                "" if key and key in setting else f", key {key}" if key else ", service-managed key"
            )
            if strong is None:
                verdicts.add(
                    identity,
                    "unknown",
                    f"{label}: encrypted ({setting}) with a cipher of unknown size ({item.id})",
                )
            elif not strong:
                verdicts.add(
                    identity,
                    "bad",
                    f"{label}: {record.get('algorithm')} is weaker than AES-{min_aes}/"
                    f"RSA-{min_rsa} ({item.id})",
                )
            else:
                verdicts.add(
                    identity,
                    "good",
                    f"{label}: {record.get('algorithm')}{managed} ({setting}){origin}",
                )
    bad, good, unknown = verdicts.bad, verdicts.good, [*shots.errors(), *verdicts.unknown]
    observed = {(r.get("type"), r.get("id")) for r, _ in shots.records("resources")}
    unobserved, mapped = unobserved_pii_stores(ctx, observed)
    if not mapped:
        unobserved = ["no data map declares the PII stores, so it is not known whether every one was observed"]
    coverage = Status.INSUFFICIENT if unobserved else Status.MET
    figures: dict[str, Figure] = {
        "data_stores": len(bad) + len(good),
        "unencrypted": len(bad),
        "unknown": len(unknown),
        "pii_stores_not_observed": len(unobserved) if mapped else None,
    }
    outcome = _storage_outcome(ctx, shots, verdicts, figures)
    outcome.parts = {"stores_encrypted": outcome.status, "every_pii_store_observed": coverage}
    if unobserved:
        outcome.reasons.insert(1, f"not every PII store in scope was observed: {listing(unobserved)}")
        if outcome.status is Status.MET:
            outcome.status = Status.INSUFFICIENT
    return outcome


def _storage_outcome(
    ctx: CheckContext, shots: Snapshots, verdicts: Verdicts, figures: dict[str, Figure]
) -> CheckOutcome:
    """The outcome for the stores observed (their coverage of the scope is judged apart)."""
    min_aes = int(ctx.params.get("min_aes_bits", 128))
    min_rsa = int(ctx.params.get("min_rsa_bits", 2048))
    bad, good, unknown = verdicts.bad, verdicts.good, [*shots.errors(), *verdicts.unknown]
    if bad:
        return ctx.not_met(
            f"{len(bad)} of {len(bad) + len(good)} data stores are not encrypted at rest "
            "as required "
            f"(AES-{min_aes} or RSA-{min_rsa} or stronger): {listing(bad)}",
            *unknown[:3],
            *verdicts.notes,
            evidence=shots.fresh,
            **figures,
        )
    if unknown:
        return ctx.insufficient(
            f"encryption at rest could not be established for {len(unknown)} data store(s) "
            "or listing(s): "
            f"{listing(unknown)}",
            *verdicts.notes,
            evidence=shots.fresh,
            **figures,
        )
    if not good:
        return ctx.insufficient(
            "no data store was found in the encryption settings collected "
            f"({cite(shots.fresh) or 'no usable snapshot'})",
            *verdicts.notes,
            evidence=shots.fresh,
        )
    return ctx.met(
        f"all {len(good)} data stores observed are encrypted at rest with AES-{min_aes} or stronger "
        f"({cite(shots.fresh)}): {listing(good)}",
        *verdicts.notes,
        evidence=shots.fresh,
        **figures,
    )


def _key_label(key: dict[str, Any]) -> str:
    aliases = key.get("aliases") or []
    name = f"{aliases[0]} ({key.get('id')})" if aliases else str(key.get("id"))
    return f"KMS key {name}{where(key)}"


@check("kms_rotation_enabled", reads=("encryption.kms",))
def kms_rotation_enabled(ctx: CheckContext) -> CheckOutcome:
    """Check customer managed KMS keys in use rotate, and no key policy lets anyone decrypt."""
    shots = snapshots(ctx, "encryption.kms", "keys")
    verdicts = Verdicts()
    verdicts.notes.extend(shots.reasons(ctx))
    aws_managed: set[str] = set()
    for key, item in shots.records("keys"):
        identity = key.get("id")
        label = _key_label(key)
        if key.get("error"):
            verdicts.add(identity, "unknown", f"{label}: {key['error']} ({item.id})")
            continue
        if key.get("public_decrypt"):
            verdicts.add(
                identity,
                "bad",
                f"{label}: its key policy lets any principal (*) decrypt, with no "
                f"condition ({item.id})",
            )
        if key.get("manager") == "AWS":
            aws_managed.add(str(identity))
            continue
        if key.get("manager") is None:
            verdicts.add(
                identity,
                "unknown",
                f"{label}: listed but not described (DescribeKey missing) ({item.id})",
            )
            continue
        if key.get("state") not in ("Enabled", None):
            verdicts.notes.append(f"{label} is {key.get('state')}: not in use, not judged")
            continue
        symmetric = key.get("spec") in ("SYMMETRIC_DEFAULT", None) and key.get("usage") in (
            "ENCRYPT_DECRYPT",
            None,
        )
        if not symmetric or key.get("rotation_supported") is False:
            verdicts.notes.append(
                f"{label} ({key.get('spec')}, {key.get('usage')}) cannot rotate automatically in "
                "KMS; rotate it by replacing the key"
            )
            continue
        if key.get("key_origin") == "EXTERNAL":
            verdicts.add(
                identity,
                "unknown",
                f"{label}: imported key material; its rotation is manual and not in "
                f"the settings ({item.id})",
            )
            continue
        if key.get("rotation_enabled") is True:
            period = key.get("rotation_period_days")
            verdicts.add(identity, "good", label + (f" every {period} days" if period else ""))
        elif key.get("rotation_enabled") is False:
            setting = (
                f"enable_key_rotation = false [{key.get('origin')}]"
                if in_terraform(key)
                else "KeyRotationEnabled=false"
            )
            verdicts.add(
                identity, "bad", f"{label}: automatic rotation is off ({setting}) ({item.id})"
            )
        else:
            verdicts.add(
                identity,
                "unknown",
                f"{label}: rotation status not known (GetKeyRotationStatus missing) ({item.id})",
            )
    bad, rotating, unknown = verdicts.bad, verdicts.good, [*shots.errors(), *verdicts.unknown]
    figures = {
        "customer_keys_rotating": len(rotating),
        "keys_failing": len(bad),
        "aws_managed_keys": len(aws_managed),
    }
    if bad:
        return ctx.not_met(
            f"{len(bad)} KMS key(s) fail: {listing(bad)}",
            *unknown[:3],
            *verdicts.notes,
            evidence=shots.fresh,
            **figures,
        )
    if unknown:
        return ctx.insufficient(
            f"rotation could not be established for {len(unknown)} key(s) or listing(s): "
            f"{listing(unknown)}",
            *verdicts.notes,
            evidence=shots.fresh,
            **figures,
        )
    if not rotating and not aws_managed:
        return ctx.insufficient(
            f"no KMS key in use was found ({cite(shots.fresh) or 'no usable snapshot'})",
            *verdicts.notes,
            evidence=shots.fresh,
        )
    parts = []
    if rotating:
        parts.append(
            f"{len(rotating)} customer managed key(s) rotate automatically: {listing(rotating)}"
        )
    if aws_managed:
        parts.append(f"{len(aws_managed)} AWS managed key(s) are rotated by AWS every year")
    return ctx.met(
        f"{'; '.join(parts)} ({cite(shots.fresh)})",
        *verdicts.notes,
        evidence=shots.fresh,
        **figures,
    )
