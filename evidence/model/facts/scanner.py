"""Facts of ``scanner.findings``: Prowler OCSF and Security Hub ASFF findings in one shape."""

from __future__ import annotations

from pydantic import Field, JsonValue

from evidence.model.facts import Facts, Part


class Scan(Part):
    """One findings file read: its scanner, products and the time its findings span."""

    file: str = Field(description="the file's name")
    scanner: str = Field(description="prowler or securityhub (the most frequent in the file)")
    products: list[str] = Field(description="the products named by its findings")
    findings: int = Field(description="findings read from it")
    first_observed: str | None = Field(description="the earliest observation time (ISO)")
    last_observed: str | None = Field(description="the latest observation time (ISO)")


class Finding(Part):
    """One observation of one finding, normalised from Prowler OCSF or Security Hub ASFF.

    ``key`` identifies the same finding across scans (scanner, check, resource, account, region,
    and for threat findings their pseudonymised id). Titles and resources are scrubbed, users
    pseudonymised. Security Hub findings add ``threat``, ``uid`` and ``resolved``.
    """

    key: str = Field(description="the finding's identity across scans")
    scanner: str = Field(description='"prowler" or "securityhub"')
    product: str = Field(description="the product and version that reported it")
    check_id: str = Field(description="the Prowler check, the Security Hub control id, or the threat type")
    title: str | None = Field(description="its title (scrubbed)")
    status: str = Field(description='"FAIL", "PASS", "MANUAL", "WARNING", ...')
    severity: str = Field(description='"critical", "high", "medium", "low", "informational" or "unknown"')
    resource: str | None = Field(description="the resource it is about (scrubbed, users pseudonymised)")
    resource_type: str | None = Field(description="the resource's type")
    region: JsonValue = Field(description="the region, as the scanner gives it")
    account: JsonValue = Field(description="the cloud account, as the scanner gives it")
    provider: str | None = Field(description="aws, kubernetes, ...")
    first_seen: str | None = Field(description="when the scanner first saw it (ISO)")
    observed_at: str | None = Field(description="when this observation was made (ISO)")
    muted: bool = Field(description="suppressed or muted in the scanner (needs a recorded waiver)")
    active: bool = Field(description="failing, not muted, not archived and not resolved")
    threat: bool = Field(default=False, description="Security Hub only: a threat finding with no compliance status")
    uid: str | None = Field(default=None, description="Security Hub only: a threat finding's pseudonymised id")
    resolved: bool = Field(default=False, description="Security Hub only: archived or resolved in the workflow")
    file: str = Field(description="the file it was read from")


class ScannerFindings(Facts):
    """Prowler OCSF / Security Hub ASFF findings, normalised, with scan provenance.

    A finding is judged by its latest observation on or before the as-of date; findings are
    supporting evidence: a mapped FAIL makes a control not met, a PASS never makes it met.
    """

    kind = "scanner.findings"
    produced_by = ("scanner-findings",)

    scans: list[Scan] = Field(description="one entry per file read")
    findings: list[Finding] = Field(description="every observation, one per finding and observation time")
    counts: dict[str, int] = Field(description="findings per status")
    first_observed: str | None = Field(description="the earliest observation (ISO)")
    last_observed: str | None = Field(description="the latest observation (ISO)")
