"""[organisation] Turns what the config declares about the organisation into evidence.

Always on: the pipeline adds it from ``[organisation]`` so that declarations such as the
Incident Management Point of Contact are evidence items with ids and hashes like any other.
"""

from __future__ import annotations

from collections.abc import Iterator

from pydantic import Field

from evidence.collectors.base import Collector, CollectorSettings
from evidence.model.assurance import Assurance
from evidence.model.evidence import EvidenceItem
from evidence.model.facts.organisation import OrganisationProfile

KIND = OrganisationProfile.kind


class OrganisationSettings(CollectorSettings):
    """The organisation as the config declares it."""

    legal_name: str
    developer_id: str
    applications: list[str] = Field(min_length=1)
    impoc_name: str | None = None
    impoc_email: str | None = None
    privacy_policy_url: str | None = None
    systems: list[str] = Field(default_factory=list)
    handles_pii: bool = True
    # [retention]: which S3 buckets hold PII or other Amazon data (None: not declared).
    pii_buckets: list[str] | None = None
    non_pii_buckets: list[str] | None = None


class OrganisationCollector(Collector[OrganisationSettings]):
    """Declarations from evidence.toml: IMPOC, applications, systems in scope."""

    id = "organisation"
    assurance = Assurance.ATTESTED
    description = "What evidence.toml declares: IMPOC, applications, systems in scope (always on)"
    produces = (KIND,)
    paths_setting = None

    def collect(self) -> Iterator[EvidenceItem]:
        """A single ``organisation.profile`` item."""
        s = self.settings
        facts = OrganisationProfile(
            legal_name=s.legal_name,
            developer_id=s.developer_id,
            applications=list(s.applications),
            impoc_named=bool(s.impoc_name and s.impoc_email),
            impoc_name=s.impoc_name,
            impoc_email=s.impoc_email,
            privacy_policy_url=s.privacy_policy_url,
            systems_in_scope=list(s.systems),
            handles_pii=s.handles_pii,
            pii_buckets=s.pii_buckets,
            non_pii_buckets=s.non_pii_buckets,
        )
        yield self.item(KIND, subject="evidence.toml [organisation]", facts=facts, location="evidence.toml")
