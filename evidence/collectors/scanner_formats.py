"""Normalising scanner findings: Prowler's OCSF JSON and AWS Security Hub's ASFF.

Both become one shape (see docs/evidence-kinds.md, ``scanner.findings``): scanner, check id,
status (FAIL, PASS, MANUAL, ...), severity, resource, region, account, first-seen and observed
times, and whether the finding is still active (not muted, suppressed, resolved or archived).
Titles and resource ids are scrubbed and IAM user names pseudonymised; the finding's free-text
details are not kept at all.
"""

from __future__ import annotations

from typing import Any

from evidence.collectors.aws.api_values import mapping, to_iso
from evidence.collectors.aws.arns import pseudonymise_text
from evidence.redact import Redactor

_SEVERITIES = ("critical", "high", "medium", "low", "informational")
_ASFF_STATUS = {
    "PASSED": "PASS",
    "FAILED": "FAIL",
    "WARNING": "WARNING",
    "NOT_AVAILABLE": "NOT_AVAILABLE",
}


class FindingError(ValueError):
    """A finding that lacks what makes it usable; the message never quotes its content."""


def is_ocsf(record: Any) -> bool:
    """Whether ``record`` looks like an OCSF Detection Finding (Prowler's JSON-OCSF output)."""
    return isinstance(record, dict) and (
        record.get("class_uid") == 2004 or "finding_info" in record
    )


def is_asff(record: Any) -> bool:
    """Whether ``record`` looks like an AWS Security Finding Format finding."""
    return (
        isinstance(record, dict)
        and "SchemaVersion" in record
        and ("ProductArn" in record or "Id" in record)
    )


def _severity(value: Any) -> str:
    text = str(value or "").strip().lower()
    return text if text in _SEVERITIES else ("informational" if text in ("info", "") else "unknown")


def _clean(value: Any, redactor: Redactor) -> str | None:
    return (
        redactor.scrub(pseudonymise_text(value, redactor))
        if isinstance(value, str) and value
        else None
    )


def from_ocsf(record: dict[str, Any], redactor: Redactor) -> dict[str, Any]:
    """One Prowler OCSF finding (AWS, Kubernetes or any other provider) in the common shape."""
    metadata = mapping(record.get("metadata"))
    info = mapping(record.get("finding_info"))
    check_id = metadata.get("event_code")
    status = str(record.get("status_code") or "").upper()
    if not isinstance(check_id, str) or not check_id or not status:
        raise FindingError("OCSF finding without metadata.event_code or status_code")
    product = mapping(metadata.get("product"))
    resources = [r for r in record.get("resources") or [] if isinstance(r, dict)]
    resource = resources[0] if resources else {}
    cloud = mapping(record.get("cloud"))
    account = mapping(cloud.get("account"))
    observed = (
        to_iso(info.get("created_time_dt"))
        or to_iso(info.get("created_time"))
        or to_iso(record.get("time_dt"))
        or to_iso(record.get("time"))
    )
    first = (
        to_iso(info.get("first_seen_time_dt")) or to_iso(info.get("first_seen_time")) or observed
    )
    provider = cloud.get("provider") or (
        "kubernetes" if "container" in (metadata.get("profiles") or []) else None
    )
    muted = str(record.get("status") or "").lower() in ("suppressed", "muted") or bool(
        record.get("is_muted")
    )
    return {
        "scanner": "prowler",
        "product": f"{product.get('name') or 'Prowler'} {product.get('version') or ''}".strip(),
        "check_id": check_id,
        "title": _clean(info.get("title"), redactor),
        "status": status,
        "severity": _severity(record.get("severity")),
        "resource": _clean(resource.get("uid") or resource.get("name"), redactor),
        "resource_type": resource.get("type") if isinstance(resource.get("type"), str) else None,
        "region": resource.get("region") or cloud.get("region"),
        "account": account.get("uid") or None,
        "provider": provider,
        "first_seen": first,
        "observed_at": observed,
        "muted": muted,
        "active": status == "FAIL" and not muted,
    }


def from_asff(record: dict[str, Any], redactor: Redactor) -> dict[str, Any]:
    """Normalise one Security Hub (ASFF) finding; threat findings have no compliance status."""
    fields = mapping(record.get("ProductFields"))
    compliance = mapping(record.get("Compliance"))
    types = [t for t in record.get("Types") or [] if isinstance(t, str)]
    threat = not compliance
    check_id = (
        compliance.get("SecurityControlId")
        or fields.get("ControlId")
        or (types[0] if threat and types else record.get("GeneratorId"))
    )
    if not isinstance(check_id, str) or not check_id:
        raise FindingError(
            "ASFF finding without Compliance.SecurityControlId, "
            "ProductFields.ControlId or GeneratorId"
        )
    severity = mapping(record.get("Severity"))
    workflow = mapping(record.get("Workflow"))
    workflow_status = str(workflow.get("Status") or record.get("WorkflowState") or "NEW").upper()
    archived = str(record.get("RecordState") or "ACTIVE").upper() == "ARCHIVED"
    status = _ASFF_STATUS.get(
        str(compliance.get("Status") or "").upper(), "FAIL" if not compliance else "UNKNOWN"
    )
    resources = [r for r in record.get("Resources") or [] if isinstance(r, dict)]
    resource = resources[0] if resources else {}
    product = (
        record.get("ProductName") or fields.get("aws/securityhub/ProductName") or "Security Hub"
    )
    muted = workflow_status == "SUPPRESSED"
    return {
        "scanner": "securityhub",
        "product": str(product),
        "check_id": check_id,
        "title": _clean(record.get("Title"), redactor),
        "status": status,
        "severity": _severity(severity.get("Label") or fields.get("aws/securityhub/SeverityLabel")),
        "resource": _clean(resource.get("Id"), redactor),
        "resource_type": resource.get("Type") if isinstance(resource.get("Type"), str) else None,
        "region": resource.get("Region") or record.get("Region"),
        "account": record.get("AwsAccountId"),
        "provider": "aws",
        "first_seen": to_iso(record.get("FirstObservedAt")) or to_iso(record.get("CreatedAt")),
        "observed_at": to_iso(record.get("UpdatedAt")) or to_iso(record.get("LastObservedAt")),
        "muted": muted,
        "threat": threat,
        "uid": redactor.pseudonym(str(record.get("Id")), "finding")
        if threat and record.get("Id")
        else None,
        "resolved": archived or workflow_status == "RESOLVED",
        "active": status == "FAIL" and not muted and not archived and workflow_status != "RESOLVED",
    }


def finding_key(finding: dict[str, Any]) -> str:
    """Identify the same finding across scans: scanner, check, resource, account, region."""
    parts = (
        finding.get("scanner"),
        finding.get("check_id"),
        finding.get("resource"),
        finding.get("account"),
        finding.get("region"),
        finding.get("uid"),
    )
    return "|".join(str(p or "") for p in parts)
