"""Checks of encryption at rest and key management, from AWS and Terraform settings."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from fnmatch import fnmatchcase
from typing import Any

from evidence.controls.checks import check
from evidence.controls.context import CheckContext, NoParams, Params
from evidence.controls.settings_facts import cite, in_terraform, listing, where
from evidence.controls.settings_timeline import Judge, Judgement, over_period
from evidence.model.evidence import EvidenceItem
from evidence.model.facts.cloud_storage import EncryptionAtRest, EncryptionKms, KmsKey, StoreEncryption
from evidence.model.facts.dataflow import DataMapFacts
from evidence.model.period import Period
from evidence.model.results import CheckOutcome, Status
from evidence.model.settings_history import CHANGES

_LABELS = {
    "s3_bucket": "S3 bucket",
    "rds_instance": "RDS instance",
    "rds_cluster": "Aurora/RDS cluster",
    "ebs_volume": "EBS volume",
    "ebs_default": "EBS encryption by default",
    "dynamodb_table": "DynamoDB table",
}
_BITS = re.compile(r"\b(?P<family>AES|RSA)[-_ ]?(?P<bits>\d{3,4})\b", re.IGNORECASE)


def _label(record: StoreEncryption) -> str:
    kind = _LABELS.get(record.type, record.type)
    if record.type == "ebs_default":
        return f"{kind} ({record.id})"
    return f"{kind} {record.id}{where(record)}"


def cipher_strength(algorithm: str | None, min_aes: int, min_rsa: int) -> bool | None:
    """Whether ``AES-256``/``RSA-2048``-style text meets the minimum (None without a size)."""
    match = _BITS.search(algorithm or "")
    if not match:
        return None
    minimum = min_aes if match["family"].upper() == "AES" else min_rsa
    return int(match["bits"]) >= minimum


def _store_judge(min_aes: int, min_rsa: int, ebs_default_required: bool) -> Judge[StoreEncryption]:
    """Judge one state of a data store: encrypted at rest, strongly enough."""

    def judge(record: StoreEncryption, item: EvidenceItem) -> Judgement:
        label = _label(record)
        setting = record.setting or "setting not recorded"
        origin = f" [{record.origin}]" if in_terraform(record) else ""
        if record.pii is False:
            return Judgement(
                "skip",
                f"{label} is not a PII bucket (not in the pii_buckets of its source), so it was "
                "not judged",
                label,
            )
        if record.encrypted is None:
            why = record.error or "encryption setting not known"
            return Judgement("unknown", f"{why} ({item.id})", label)
        if record.encrypted is False:
            if record.type == "ebs_default" and not ebs_default_required:
                return Judgement(
                    "skip", f"{label}: {setting}; new volumes there may be unencrypted ({item.id})", label
                )
            return Judgement("bad", f"not encrypted, {setting}{origin} ({item.id})", label)
        strong = cipher_strength(record.algorithm, min_aes, min_rsa)
        key = record.kms_key_id
        managed = "" if key and key in setting else f", key {key}" if key else ", service-managed key"
        if strong is None:
            return Judgement(
                "unknown", f"encrypted ({setting}) with a cipher of unknown size ({item.id})", label
            )
        if not strong:
            return Judgement(
                "bad",
                f"{record.algorithm} is weaker than AES-{min_aes}/RSA-{min_rsa} ({item.id})",
                label,
            )
        return Judgement("good", f"{label}: {record.algorithm}{managed} ({setting}){origin}", label)

    return judge


#: The elements the at-rest check judges one by one: the stores observed, and their coverage.
STORAGE_PARTS = ("stores_encrypted", "every_pii_store_observed")


def unobserved_pii_stores(ctx: CheckContext, observed: set[tuple[Any, Any]]) -> tuple[list[str], bool]:
    """Resources of the data map's PII stores that no settings snapshot shows, and whether a map was read.

    The map says which stores are in scope; a PII store whose resource was not observed was not
    judged, so nothing shows it encrypted.
    """
    maps = ctx.facts(DataMapFacts)
    missing: list[str] = []
    for item, data_map in maps:
        for store in data_map.stores:
            if store.pii != "yes":
                continue
            if not store.resources:
                missing.append(f"PII store {store.id} names no cloud resource in the data map ({item.id})")
            for declared in store.resources:
                if (declared.type, declared.id) not in observed:
                    missing.append(
                        f"{declared.type} {declared.id} of PII store {store.id} "
                        f"(data map {item.id}) was not observed"
                    )
    return missing, bool(maps)


class StorageParams(Params):
    """The cipher floors of ``storage_encrypted`` and whether EBS encryption by default is required."""

    min_aes_bits: int
    min_rsa_bits: int
    ebs_default_required: bool


@check(
    "storage_encrypted",
    reads=(EncryptionAtRest.kind, CHANGES, "dataflow.map"),
    parts=STORAGE_PARTS,
    params=StorageParams,
)
def storage_encrypted(ctx: CheckContext) -> CheckOutcome:
    """Check every data store (S3, RDS, EBS, DynamoDB) was encrypted at rest, strongly enough, all period.

    The PII stores of the data map must all be among the stores observed; one that is not
    leaves the coverage element undecided (and the check insufficient), never met. Met when every
    data store found is encrypted with AES-``min_aes_bits``/RSA-``min_rsa_bits`` or stronger (EBS
    encryption by default counts unless ``ebs_default_required`` is false); not met naming each
    unencrypted store and its setting; insufficient when any store or listing could not be read.
    Buckets outside the source's ``pii_buckets`` are not judged.
    """
    outcome = _stores_over_period(ctx)
    observed: set[tuple[Any, Any]] = {
        (r.type, r.id) for _, facts in ctx.facts(EncryptionAtRest) for r in facts.resources or []
    }
    unobserved, mapped = unobserved_pii_stores(ctx, observed)
    if not mapped:
        unobserved = ["no data map declares the PII stores, so whether every one was observed cannot be told"]
    outcome.parts = {
        "stores_encrypted": outcome.status,
        "every_pii_store_observed": Status.INSUFFICIENT if unobserved else Status.MET,
    }
    outcome.figures["pii_stores_not_observed"] = len(unobserved) if mapped else None
    if unobserved:
        outcome.reasons.insert(1, f"not every PII store in scope was observed: {listing(unobserved)}")
        if outcome.status is Status.MET:
            outcome.status = Status.INSUFFICIENT
    return outcome


def _stores_over_period(ctx: CheckContext) -> CheckOutcome:
    """The outcome for the stores observed, judged on every day of the period."""
    params = ctx.parameters(StorageParams)
    min_aes, min_rsa = params.min_aes_bits, params.min_rsa_bits
    judged = over_period(
        ctx,
        EncryptionAtRest,
        ("resources",),
        StoreEncryption,
        _store_judge(min_aes, min_rsa, params.ebs_default_required),
    )
    verdicts = judged.verdicts
    bad, good, unknown = verdicts.bad, verdicts.good, [*judged.errors, *verdicts.unknown]
    figures = {
        "data_stores": len(bad) + len(good),
        "unencrypted": len(bad),
        "unknown": len(unknown),
        "days_in_period": judged.days,
    }
    if bad:
        return ctx.not_met(
            f"{len(bad)} of {len(bad) + len(good) + len(verdicts.unknown)} data stores were not "
            "encrypted at rest as required "
            f"(AES-{min_aes} or RSA-{min_rsa} or stronger) on every day of the period: {listing(bad)}",
            *unknown[:3],
            *verdicts.notes,
            evidence=judged.evidence,
            **figures,
        )
    if unknown:
        return ctx.insufficient(
            f"encryption at rest could not be established for every day of the period for "
            f"{len(unknown)} data store(s) or listing(s): {listing(unknown)}",
            *verdicts.notes,
            evidence=judged.evidence,
            **figures,
        )
    if not good:
        return ctx.insufficient(
            "no data store was found in the encryption settings collected "
            f"({cite(judged.evidence) or 'no usable snapshot'})",
            *verdicts.notes,
            evidence=judged.evidence,
        )
    return ctx.met(
        f"all {len(good)} data stores observed were encrypted at rest with AES-{min_aes} or stronger on "
        f"every day of the period ({cite(judged.evidence)}): {listing(good)}",
        *verdicts.notes,
        evidence=judged.evidence,
        **figures,
    )


def _key_label(key: KmsKey) -> str:
    aliases = key.aliases
    name = f"{aliases[0]} ({key.id})" if aliases else key.id
    return f"KMS key {name}{where(key)}"


def _material_dates(key: KmsKey) -> list[date]:
    """Days the key's material is known to have been made: its creation and every rotation."""
    found = [key.created, *(key.rotation_dates or [])]
    return sorted({datetime.fromisoformat(str(d)).date() for d in found if d})


def _oldest_material(dates: list[date], period: Period) -> tuple[int, date] | None:
    """The greatest age (days) the key material reached on a day of the period it existed.

    Only known dates are used, so the figure is an upper bound: a rotation not on record could
    only have made the material younger.
    """
    worst: tuple[int, date] | None = None
    day = period.start
    while day <= period.end:
        made = [d for d in dates if d <= day]
        if made:
            age = (day - made[-1]).days
            if worst is None or age > worst[0]:
                worst = (age, day)
        day += timedelta(days=1)
    return worst


def _key_judge(max_days: int, period: Period) -> Judge[KmsKey]:
    """Judge one state of a KMS key: its material no older than ``max_days`` on any day.

    Rotation by any means counts: automatic rotation at an interval within the limit, a rotation
    on demand (by hand) or a key created within the limit. No public decrypt either.
    """

    def judge(key: KmsKey, item: EvidenceItem) -> Judgement:
        label = _key_label(key)
        if key.error:
            return Judgement("unknown", f"{key.error} ({item.id})", label)
        if key.public_decrypt:
            return Judgement(
                "bad", f"its key policy lets any principal (*) decrypt, with no condition ({item.id})", label
            )
        if key.manager == "AWS":
            return Judgement("good", f"{label}: AWS managed, rotated by AWS every year", label)
        if key.manager is None:
            return Judgement("unknown", f"listed but not described (DescribeKey missing) ({item.id})", label)
        if key.state not in ("Enabled", None):
            return Judgement("skip", f"{label} is {key.state}: not in use, not judged", label)
        every = key.rotation_period_days
        if key.rotation_enabled is True and (every is None or every <= max_days):
            return Judgement(
                "good", label + (f" rotates automatically every {every} days" if every else ""), label
            )
        dates = _material_dates(key)
        if dates and key.created and dates[0] > period.end:
            return Judgement(
                "skip", f"{label} was created {dates[0].isoformat()}, after the period: not judged", label
            )
        worst = _oldest_material(dates, period)
        if worst is not None and worst[0] <= max_days:
            return Judgement(
                "good",
                f"{label} was rotated by hand or created within {max_days} days on every day of the "
                f"period (material at most {worst[0]} days old; last made {dates[-1].isoformat()})",
                label,
            )
        history_known = key.rotations_complete is True and key.created is not None
        if worst is not None and history_known:
            automatic = (
                f"automatic rotation every {every} days, over the limit"
                if key.rotation_enabled is True
                else "no automatic rotation"
            )
            return Judgement(
                "bad",
                f"its material was {worst[0]} days old on {worst[1].isoformat()}, over the {max_days}-day "
                f"limit ({automatic}; last made {dates[-1].isoformat()}) ({item.id})",
                label,
            )
        symmetric = key.spec in ("SYMMETRIC_DEFAULT", None) and key.usage in ("ENCRYPT_DECRYPT", None)
        if not symmetric or key.rotation_supported is False:
            return Judgement(
                "unknown",
                f"({key.spec}, {key.usage}) cannot rotate automatically in KMS and no "
                f"replacement within {max_days} days is on record ({item.id})",
                label,
            )
        if key.key_origin == "EXTERNAL":
            return Judgement(
                "unknown",
                f"imported key material; its rotation is manual and not on record ({item.id})",
                label,
            )
        if key.rotation_enabled is False:
            setting = (
                f"enable_key_rotation = false [{key.origin}]"
                if in_terraform(key)
                else "KeyRotationEnabled=false"
            )
            return Judgement(
                "unknown",
                f"automatic rotation is off ({setting}) and its rotation history (ListKeyRotations "
                f"and creation date) is not on record, so a rotation by hand within {max_days} days "
                f"cannot be shown ({item.id})",
                label,
            )
        return Judgement(
            "unknown", f"rotation status not known (GetKeyRotationStatus missing) ({item.id})", label
        )

    return judge


class KeyRotationParams(Params):
    """How old a KMS key's material may grow."""

    key_rotation_max_days: int


@check("kms_rotation_enabled", reads=(EncryptionKms.kind, CHANGES), params=KeyRotationParams)
def kms_rotation_enabled(ctx: CheckContext) -> CheckOutcome:
    """Check KMS keys in use were rotated within the limit by any means, and none public, all period.

    Met when every enabled customer managed key's material is at most ``key_rotation_max_days``
    old on every day (automatic rotation, a rotation by hand, or a key made within the limit; AWS
    managed keys count as rotated); not met for a key over the limit with its history on record,
    or a key policy letting ``*`` decrypt without condition; asymmetric, HMAC and imported keys
    without a replacement on record are insufficient; disabled keys are noted, not judged.
    """
    max_days = ctx.parameters(KeyRotationParams).key_rotation_max_days
    judged = over_period(ctx, EncryptionKms, ("keys",), KmsKey, _key_judge(max_days, ctx.period))
    verdicts = judged.verdicts
    aws_managed = {
        key.id for _, facts in ctx.facts(EncryptionKms) for key in facts.keys or [] if key.manager == "AWS"
    }
    bad, good, unknown = verdicts.bad, verdicts.good, [*judged.errors, *verdicts.unknown]
    rotating = [g for g in good if "AWS managed" not in g]
    figures = {
        "customer_keys_rotating": len(rotating),
        "keys_failing": len(bad),
        "aws_managed_keys": len(aws_managed),
        "days_in_period": judged.days,
    }
    if bad:
        return ctx.not_met(
            f"{len(bad)} KMS key(s) fail on some day of the period: {listing(bad)}",
            *unknown[:3],
            *verdicts.notes,
            evidence=judged.evidence,
            **figures,
        )
    if unknown:
        return ctx.insufficient(
            f"rotation could not be established for every day of the period for {len(unknown)} key(s) or "
            f"listing(s): {listing(unknown)}",
            *verdicts.notes,
            evidence=judged.evidence,
            **figures,
        )
    if not good:
        return ctx.insufficient(
            f"no KMS key in use was found ({cite(judged.evidence) or 'no usable snapshot'})",
            *verdicts.notes,
            evidence=judged.evidence,
        )
    parts = []
    if rotating:
        parts.append(
            f"{len(rotating)} customer managed key(s) rotated within {max_days} days: {listing(rotating)}"
        )
    if len(good) > len(rotating):
        parts.append(f"{len(good) - len(rotating)} AWS managed key(s) are rotated by AWS every year")
    return ctx.met(
        f"{'; '.join(parts)} ({cite(judged.evidence)})",
        *verdicts.notes,
        evidence=judged.evidence,
        **figures,
    )


def _decrypt_judge(declared: list[str]) -> Judge[KmsKey]:
    """Judge one state of a key policy: only the declared roles (and services) may decrypt."""

    def allowed(principal: str) -> bool:
        name = principal.rsplit("/", 1)[-1]
        return any(fnmatchcase(principal, pattern) or name == pattern for pattern in declared)

    def judge(key: KmsKey, item: EvidenceItem) -> Judgement:
        label = _key_label(key)
        if key.manager == "AWS":
            return Judgement("skip", f"{label}: AWS managed, its policy is set by AWS", label)
        if key.state not in ("Enabled", None):
            return Judgement("skip", f"{label} is {key.state}: not in use, not judged", label)
        principals = key.decrypt_principals
        if key.policy_error or principals is None:
            why = key.policy_error or "key policy not on record (GetKeyPolicy missing)"
            return Judgement("unknown", f"{why} ({item.id})", label)
        if key.public_decrypt:
            return Judgement("bad", f"its key policy lets any principal (*) decrypt ({item.id})", label)
        others = [p for p in principals if not allowed(p)]
        delegated = [p for p in others if p.endswith(":root")]
        strangers = [p for p in others if p not in delegated]
        if strangers:
            return Judgement(
                "bad",
                f"its key policy lets principals outside the declared roles decrypt: {', '.join(strangers)} "
                f"({item.id})",
                label,
            )
        if delegated:
            return Judgement(
                "unknown",
                f"its key policy lets the account ({', '.join(delegated)}) grant decrypt through IAM "
                "policies, so who may decrypt is not decided by the key policy; declare the account "
                f"root in [encryption] kms_decrypt_roles once IAM is reviewed, or remove it ({item.id})",
                label,
            )
        return Judgement("good", f"{label}: decrypt limited to {', '.join(principals) or 'no one'}", label)

    return judge


@check("kms_decrypt_limited", reads=(EncryptionKms.kind, CHANGES), params=NoParams)
def kms_decrypt_limited(ctx: CheckContext) -> CheckOutcome:
    """Check that only the roles the config declares may decrypt with each key, all period.

    The roles come from ``[encryption] kms_decrypt_roles`` (ARNs, role names or glob patterns);
    who may decrypt comes from each key policy (``kms get-key-policy``).
    """
    declared = ctx.settings.get("kms_decrypt_roles")
    if declared is None:
        return ctx.insufficient(
            "the config declares no roles allowed to decrypt: set [encryption] kms_decrypt_roles "
            "to the application's own roles"
        )
    judged = over_period(ctx, EncryptionKms, ("keys",), KmsKey, _decrypt_judge([str(d) for d in declared]))
    verdicts = judged.verdicts
    bad, good, unknown = verdicts.bad, verdicts.good, [*judged.errors, *verdicts.unknown]
    figures = {"keys_limited": len(good), "keys_failing": len(bad), "declared_roles": len(declared)}
    if bad:
        return ctx.not_met(
            f"{len(bad)} KMS key(s) let others decrypt on some day of the period: {listing(bad)}",
            *verdicts.notes,
            evidence=judged.evidence,
            **figures,
        )
    if unknown:
        return ctx.insufficient(
            f"who may decrypt could not be established for every day of the period for {len(unknown)} "
            f"key(s): {listing(unknown)}",
            *verdicts.notes,
            evidence=judged.evidence,
            **figures,
        )
    if not good:
        return ctx.insufficient(
            f"no customer managed KMS key in use was found ({cite(judged.evidence) or 'no usable snapshot'})",
            *verdicts.notes,
            evidence=judged.evidence,
        )
    return ctx.met(
        f"only the declared roles may decrypt with {len(good)} key(s) on every day of the period "
        f"({cite(judged.evidence)}): {listing(good)}",
        *verdicts.notes,
        evidence=judged.evidence,
        **figures,
    )
