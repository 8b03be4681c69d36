"""Check that secrets (the LWA client secret, API keys) were rotated within their limit.

When a secret's value last changed is read from ``LastRotatedDate`` or the creation date of its
``AWSCURRENT`` version, whichever is later. A secret never rotated is as old as the secret
itself (``CreatedDate``). ``LastChangedDate`` is never used: a tag edit changes it too.
"""

from __future__ import annotations

from datetime import datetime

from pydantic import Field, ValidationInfo, field_validator

from evidence.controls.checks import check
from evidence.controls.context import CheckContext, Params
from evidence.controls.settings_facts import Verdicts, cite, listing, parse_time, snapshot_facts, where
from evidence.model.facts.cloud_account import Secret, SecretsRotation
from evidence.model.results import CheckOutcome


def last_value_change(secret: Secret) -> tuple[datetime | None, str]:
    """When the secret's current value was set, and which field says so."""
    candidates = [
        (parse_time(secret.last_rotated), "LastRotatedDate"),
        (parse_time(secret.current_version_created), "AWSCURRENT version CreatedDate"),
    ]
    known = [(moment, field) for moment, field in candidates if moment is not None]
    if known:
        return max(known)
    created = parse_time(secret.created)
    return created, "CreatedDate (never rotated)"


def _matches(secret: Secret, wanted: str) -> bool:
    needle = wanted.lower()
    if needle in secret.name.lower():
        return True
    return any(needle == str(value).lower() for value in secret.tags.values())


class SecretParams(Params):
    """The secrets in scope and their limit.

    Without ``secret`` every secret is judged against ``rotate_every_days``; with it (a part of
    the name or a tag value, such as the LWA client secret's) only those, against
    ``lwa_secret_rotate_every_days``.
    """

    secret: str | None = None
    rotate_every_days: int | None = Field(None, validate_default=True)
    lwa_secret_rotate_every_days: int | None = Field(None, validate_default=True)

    @field_validator("rotate_every_days", "lwa_secret_rotate_every_days")
    @classmethod
    def _stated_for_the_scope(cls, value: int | None, info: ValidationInfo) -> int | None:
        """The limit of the scope the check judges must be stated (the LWA one when ``secret`` is)."""
        named = bool(info.data.get("secret"))
        needed = "lwa_secret_rotate_every_days" if named else "rotate_every_days"
        if value is None and info.field_name == needed:
            scope = "the secrets `secret` names" if named else "every secret"
            raise ValueError(f"the control must state it: it is the limit for {scope}")
        return value


@check("secret_rotation", reads=(SecretsRotation.kind,), params=SecretParams)
def secret_rotation(ctx: CheckContext) -> CheckOutcome:
    """Each secret in scope (all, or those named like ``secret``) changed value within the limit.

    The limit is ``lwa_secret_rotate_every_days`` when ``with: {secret: ...}`` names the LWA
    secret by name or tag value, else ``rotate_every_days``; the date is ``LastRotatedDate`` or
    the ``AWSCURRENT`` version's creation, else ``CreatedDate``, never ``LastChangedDate``.
    """
    params = ctx.parameters(SecretParams)
    wanted = params.secret
    stated = params.lwa_secret_rotate_every_days if wanted else params.rotate_every_days
    if stated is None:
        name = "lwa_secret_rotate_every_days" if wanted else "rotate_every_days"
        raise ValueError(f"{ctx.control.id}: secret_rotation needs the parameter {name}")
    limit = stated
    shots = snapshot_facts(ctx, SecretsRotation, "secrets")
    records = shots.records(lambda facts: facts.secrets)
    scoped = [(s, item) for s, item in records if not wanted or _matches(s, wanted)]
    verdicts = Verdicts()
    verdicts.notes.extend(shots.reasons(ctx))
    for secret, item in scoped:
        identity = secret.name
        label = f"secret {secret.name}{where(secret)}"
        if secret.error:
            verdicts.add(identity, "unknown", f"{label}: {secret.error} ({item.id})")
            continue
        changed, field = last_value_change(secret)
        schedule = (
            f"automatic rotation every {secret.rotation_days} days"
            if secret.rotation_enabled and secret.rotation_days
            else "automatic rotation on"
            if secret.rotation_enabled
            else "no automatic rotation"
        )
        if changed is None:
            verdicts.add(
                identity,
                "unknown",
                f"{label}: no rotation or creation date on record ({schedule}) ({item.id})",
            )
            continue
        if changed > ctx.as_of:
            verdicts.add(
                identity,
                "unknown",
                f"{label}: value set {changed.date()} ({field}), after the as-of "
                f"date; the value before it is not on record ({item.id})",
            )
            continue
        age = (ctx.as_of - changed).days
        text = (
            f"{label}: value set {changed.date()} ({field}), {age} days before {ctx.as_of.date()}"
        )
        text += f", {schedule}"
        if age > limit:
            verdicts.add(identity, "bad", f"{text}: over the {limit}-day limit ({item.id})")
        else:
            verdicts.add(identity, "good", text)
    bad, good, unknown = verdicts.bad, verdicts.good, [*shots.errors(), *verdicts.unknown]
    notes = verdicts.notes
    scope = f"secrets named like {wanted!r}" if wanted else "secrets"
    figures = {
        "secrets_checked": len(good) + len(bad),
        "secrets_overdue": len(bad),
        "limit_days": limit,
    }
    if bad:
        return ctx.not_met(
            f"{len(bad)} of {len(good) + len(bad)} {scope} not rotated within {limit} days: "
            f"{listing(bad)}",
            *unknown[:3],
            *notes,
            evidence=shots.fresh,
            **figures,
        )
    if unknown:
        return ctx.insufficient(
            f"rotation could not be established: {listing(unknown)}",
            *notes,
            evidence=shots.fresh,
            **figures,
        )
    if not scoped:
        found = f" among {len(records)} secret(s) ({cite(shots.fresh)})" if records else ""
        hint = (
            f"; name the secret so it contains {wanted!r} or tag it with that value"
            if wanted
            else ""
        )
        return ctx.insufficient(f"no {scope} found{found}{hint}", *notes, evidence=shots.fresh)
    return ctx.met(
        f"all {len(good)} {scope} rotated within {limit} days: {listing(good)} "
        f"({cite(shots.fresh)})",
        *notes,
        evidence=shots.fresh,
        **figures,
    )
