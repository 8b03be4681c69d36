"""Checks decided by what the organisation declares in evidence.toml."""

from __future__ import annotations

from evidence.controls.checks import check
from evidence.controls.context import CheckContext
from evidence.model.results import CheckOutcome


@check("impoc_designated", reads=("organisation.profile",))
def impoc_designated(ctx: CheckContext) -> CheckOutcome:
    """The Incident Management Point of Contact is named, with an e-mail address."""
    profiles = ctx.items("organisation.profile")
    if not profiles:
        return ctx.insufficient("no organisation profile was collected")
    profile = profiles[0]
    if not profile.facts.get("impoc_named"):
        return ctx.insufficient(
            "evidence.toml names no Incident Management Point of Contact "
            "([organisation.impoc] with name and email)",
            evidence=[profile],
        )
    return ctx.met(
        f"IMPOC declared in evidence.toml: {profile.facts['impoc_name']} <{profile.facts['impoc_email']}>",
        evidence=[profile],
    )
