"""Facts of ``organisation.profile``: what the config declares about the organisation."""

from __future__ import annotations

from pydantic import Field

from evidence.model.facts import Facts


class OrganisationProfile(Facts):
    """Legal name, developer id, applications and the Incident Management Point of Contact.

    Declared in ``[organisation]`` of evidence.toml (attested, never observed); one item per run.
    """

    kind = "organisation.profile"
    produced_by = ("organisation",)

    legal_name: str = Field(description="the developer's legal name")
    developer_id: str = Field(description="the Amazon developer id")
    applications: list[str] = Field(description="the applications in scope")
    impoc_named: bool = Field(description="whether the IMPOC is declared with a name and an e-mail")
    impoc_name: str | None = Field(description="the IMPOC's name, as declared")
    impoc_email: str | None = Field(description="the IMPOC's e-mail, as declared")
    privacy_policy_url: str | None = Field(description="the privacy policy's address")
    systems_in_scope: list[str] = Field(description="the systems declared in scope")
    handles_pii: bool = Field(description="whether the developer declares it handles PII")
    pii_buckets: list[str] | None = Field(description="S3 buckets declared to hold PII (None: not declared)")
    non_pii_buckets: list[str] | None = Field(
        description="S3 buckets declared to hold other Amazon data (None: not declared)"
    )
