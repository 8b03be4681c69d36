"""Checks of S3 lifecycle rules: buckets that hold Amazon data expire objects within the limit.

The buckets come from the config (``[retention] pii_buckets`` / ``non_pii_buckets``, recorded in
the ``organisation.profile`` evidence): lifecycle evidence lists every bucket of an account but
cannot tell which hold PII. The rules come from ``storage.lifecycle`` evidence (the aws, aws-cli
and terraform collectors).
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, ValidationInfo, field_validator

from evidence.controls.checks import check
from evidence.controls.context import CheckContext, Params
from evidence.model.evidence import EvidenceItem
from evidence.model.facts.cloud_storage import BucketLifecycle, StorageLifecycle
from evidence.model.facts.organisation import OrganisationProfile
from evidence.model.results import CheckOutcome

KIND = StorageLifecycle.kind
PROFILE = OrganisationProfile.kind


class LifecycleParams(Params):
    """Which declared buckets are judged (``pii`` or ``non-pii``) and the limit for each."""

    buckets: Literal["pii", "non-pii"]
    pii_retention_days: int | None = Field(None, validate_default=True)
    non_pii_retention_days: int | None = Field(None, validate_default=True)

    @field_validator("pii_retention_days", "non_pii_retention_days")
    @classmethod
    def _stated_for_the_buckets(cls, value: int | None, info: ValidationInfo) -> int | None:
        """The limit of the buckets judged must be stated."""
        needed = "pii_retention_days" if info.data.get("buckets") == "pii" else "non_pii_retention_days"
        if value is None and info.field_name == needed:
            raise ValueError(f"the control must state it: it is the limit for the {info.data.get('buckets')} buckets")
        return value


@check("lifecycle_rules_within_limit", reads=(KIND, PROFILE), params=LifecycleParams)
def lifecycle_rules_within_limit(ctx: CheckContext) -> CheckOutcome:
    """Each declared bucket expires every object (and old version) within the retention limit."""
    params = ctx.parameters(LifecycleParams)
    pii = params.buckets == "pii"
    key = "pii_buckets" if pii else "non_pii_buckets"
    stated = params.pii_retention_days if pii else params.non_pii_retention_days
    if stated is None:
        name = "pii_retention_days" if pii else "non_pii_retention_days"
        raise ValueError(f"{ctx.control.id}: lifecycle_rules_within_limit needs the parameter {name}")
    limit = stated
    what = "PII" if pii else "non-PII Amazon data"
    profile_facts = ctx.facts(OrganisationProfile)
    profiles = [item for item, _ in profile_facts]
    if profile_facts:
        profile = profile_facts[0][1]
        declared = profile.pii_buckets if pii else profile.non_pii_buckets
    else:
        declared = None
    found = ctx.facts(StorageLifecycle)
    items = [item for item, _ in found]
    if not declared:
        listed = sorted({b.bucket for _, facts in found for b in facts.buckets or []})
        if declared is None and listed:
            return ctx.insufficient(
                f"storage.lifecycle evidence lists {len(listed)} bucket(s) but the config does not "
                f"say which hold {what}: set [retention] {key} (an empty list if none does)",
                evidence=[*items, *profiles],
            )
        return ctx.not_applicable(
            f"the config declares no S3 bucket holding {what} ([retention] {key})",
            evidence=profiles,
        )
    failures: list[str] = []
    gaps: list[str] = []
    fine: list[str] = []
    used: dict[str, EvidenceItem] = {profile.id: profile for profile in profiles}
    for bucket in declared:
        naming = [(i, b) for i, facts in found for b in facts.buckets or [] if b.bucket == bucket]
        if not naming:
            gaps.append(f"bucket {bucket}: no storage.lifecycle evidence names it")
            continue
        item, entry = naming[0]
        used[item.id] = item
        verdict, reason = _bucket(entry, limit, f"bucket {bucket} ({item.id})")
        {"fail": failures, "gap": gaps, "ok": fine}[verdict].append(reason)
    evidence = sorted(used.values(), key=lambda i: i.id)
    figures = {"buckets": len(declared), "buckets_within_limit": len(fine), "limit_days": limit}
    if failures:
        return ctx.not_met(*failures, *gaps, *fine, evidence=evidence, **figures)
    if gaps:
        return ctx.insufficient(*gaps, *fine, evidence=evidence, **figures)
    return ctx.met(*fine, evidence=evidence, **figures)


def _bucket(entry: BucketLifecycle, limit: int, label: str) -> tuple[str, str]:
    """Judge one bucket's rules: ``ok``, ``fail`` or ``gap`` with the sentence that says why."""
    if entry.error:
        return "gap", f"{label}: its lifecycle rules could not be read: {entry.error}"
    enabled = [r for r in entry.rules or [] if r.status == "Enabled"]
    whole = [r for r in enabled if not r.prefix and r.expiration_days is not None]
    scoped = [r for r in enabled if r.prefix and r.expiration_days is not None]
    noncurrent = [r.noncurrent_expiration_days for r in enabled if r.noncurrent_expiration_days]
    if noncurrent and max(noncurrent) > limit:
        return "fail", (
            f"{label}: old object versions expire after {max(noncurrent)} days, over the "
            f"{limit}-day limit"
        )
    if whole:
        days = min(r.expiration_days or 0 for r in whole)
        rule = next(r for r in whole if r.expiration_days == days)
        if days > limit:
            return "fail", (
                f"{label}: rule {rule.id!r} expires objects after {days} days, over the "
                f"{limit}-day limit"
            )
        versions = (
            ""
            if noncurrent
            else "; no rule expires old versions (this matters if versioning is on)"
        )
        return (
            "ok",
            f"{label}: rule {rule.id!r} expires every object after {days} days{versions}",
        )
    if scoped:
        prefixes = ", ".join(sorted(str(r.prefix) for r in scoped))
        return "gap", (
            f"{label}: expiration rules cover only the prefixes {prefixes}; objects elsewhere in "
            "the bucket are never expired"
        )
    return "fail", f"{label}: no enabled rule expires objects, so they are kept indefinitely"
