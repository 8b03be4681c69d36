"""Checks decided by what the organisation declares in evidence.toml."""

from __future__ import annotations

from evidence.controls.checks import check
from evidence.controls.context import CheckContext, NoParams
from evidence.model.facts.organisation import OrganisationProfile
from evidence.model.results import CheckOutcome


@check("impoc_designated", reads=(OrganisationProfile.kind,), params=NoParams)
def impoc_designated(ctx: CheckContext) -> CheckOutcome:
    """The Incident Management Point of Contact is named, with an e-mail address."""
    profiles = ctx.facts(OrganisationProfile)
    if not profiles:
        return ctx.insufficient("no organisation profile was collected")
    item, profile = profiles[0]
    if not profile.impoc_named:
        return ctx.insufficient(
            "evidence.toml names no Incident Management Point of Contact "
            "([organisation.impoc] with name and email)",
            evidence=[item],
        )
    return ctx.met(
        f"IMPOC declared in evidence.toml: {profile.impoc_name} <{profile.impoc_email}>",
        evidence=[item],
    )
