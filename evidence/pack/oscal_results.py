"""OSCAL assessment results for an evaluation, and a plan of action and milestones for its gaps.

One observation and one finding per control result; the finding's target status follows the
evaluation (met -> satisfied/pass; not met -> not-satisfied/fail; insufficient evidence and
waived -> not-satisfied/other; not applicable -> satisfied/other with implementation status
not-applicable). Our exact status is always in the ``status`` property, so nothing is lost.
Each gap (and waiver) is also a risk; the POA&M lists one item per gap.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from evidence.model.catalogue import Catalogue, Control
from evidence.model.evidence import EvidenceItem
from evidence.model.results import ControlResult, Evaluation, Status
from evidence.model.run import RunInfo
from evidence.pack.oscal import metadata, prop, stable_uuid, statement_id, timestamp

_TARGET_STATUS = {
    Status.MET: ("satisfied", "pass"),
    Status.NOT_MET: ("not-satisfied", "fail"),
    Status.INSUFFICIENT: ("not-satisfied", "other"),
    Status.WAIVED: ("not-satisfied", "other"),
    Status.NOT_APPLICABLE: ("satisfied", "other"),
}


@dataclass
class ResultsInput:
    """What the assessment results and POA&M are made from."""

    run: RunInfo
    evaluation: Evaluation
    catalogues: Sequence[Catalogue]
    evidence: Sequence[EvidenceItem]
    tool_version: str
    manifest_sha256: str
    root_hash: str
    #: evidence id -> [(path inside the pack, sha256)] of its redacted copies
    evidence_files: Mapping[str, list[tuple[str, str]]] = field(default_factory=dict)
    #: catalogue ref -> path of its OSCAL catalog inside the pack
    catalog_files: Mapping[str, str] = field(default_factory=dict)

    def control(self, result: ControlResult) -> Control:
        """Find the catalogue control a result is about."""
        for catalogue in self.catalogues:
            if catalogue.ref == result.catalogue:
                return catalogue.control(result.control_id)
        raise KeyError(f"{result.catalogue}: {result.control_id}")

    def key(self, *parts: str) -> str:
        """Return a UUID unique to this run's evaluation and ``parts``."""
        return stable_uuid(self.run.uid, timestamp(self.evaluation.as_of), *parts)


def assessment_results_document(data: ResultsInput) -> dict[str, Any]:
    """Build the OSCAL assessment-results document of the evaluation."""
    run, evaluation = data.run, data.evaluation
    results = evaluation.results
    plan = stable_uuid(run.uid, "assessment-plan")
    result: dict[str, Any] = {
        "uuid": data.key("result"),
        "title": (
            f"Automatic evaluation of {run.period.label} "
            f"as of {evaluation.as_of.date().isoformat()}"
        ),
        "description": (
            f"dpp-evidence {data.tool_version} evaluated {len(results)} controls of "
            f"{', '.join(evaluation.catalogues)} against the evidence of run {run.id} ({run.uid}). "
            "Insufficient evidence is never reported as satisfied."
        ),
        "start": timestamp(run.period.start_at),
        "end": timestamp(run.period.end_at),
        "props": [prop("as-of", timestamp(evaluation.as_of)), prop("run-uid", run.uid)],
        "reviewed-controls": {
            "control-selections": [
                {
                    "description": ref,
                    "include-controls": [
                        {"control-id": r.control_id} for r in results if r.catalogue == ref
                    ],
                }
                for ref in evaluation.catalogues
                if any(r.catalogue == ref for r in results)
            ]
        },
        "observations": [_observation(data, r) for r in results],
        "findings": [_finding(data, r) for r in results],
    }
    risks = [_risk(data, r) for r in results if _is_risk(r)]
    if risks:
        result["risks"] = risks
    return {
        "assessment-results": {
            "uuid": data.key("assessment-results"),
            "metadata": _metadata(data, "Assessment results"),
            "import-ap": {
                "href": f"#{plan}",
                "remarks": (
                    "No separate assessment plan: the catalogues and the sealed manifest define "
                    "what was assessed."
                ),
            },
            "results": [result],
            "back-matter": {"resources": _resources(data, results, plan)},
        }
    }


def poam_document(data: ResultsInput) -> dict[str, Any] | None:
    """Build a POA&M with one item per gap (not met, insufficient, waived); None without gaps."""
    gaps = [r for r in data.evaluation.results if _is_risk(r)]
    if not gaps:
        return None
    run = data.run
    items = []
    for result in gaps:
        control = data.control(result)
        items.append(
            {
                # Per subject, as OSCAL asks: a gap keeps its UUID from one period to the next.
                "uuid": stable_uuid(
                    "poam-item", run.developer_id, result.catalogue, result.control_id
                ),
                "title": f"{result.control_id}: {control.title}",
                "description": control.remediation.strip(),
                "props": [
                    prop("status", result.status.value),
                    prop("catalogue", result.catalogue),
                    prop("severity", control.severity),
                ],
                "related-observations": [
                    {
                        "observation-uuid": data.key(
                            "observation", result.catalogue, result.control_id
                        )
                    }
                ],
                "related-risks": [
                    {"risk-uuid": data.key("risk", result.catalogue, result.control_id)}
                ],
            }
        )
    return {
        "plan-of-action-and-milestones": {
            "uuid": stable_uuid(
                "poam", run.developer_id, run.uid, timestamp(data.evaluation.as_of)
            ),
            "metadata": _metadata(data, "Plan of action and milestones"),
            "system-id": {
                "identifier-type": "urn:dpp-evidence:developer-id",
                "id": run.developer_id,
            },
            "observations": [_observation(data, r) for r in gaps],
            "risks": [_risk(data, r) for r in gaps],
            "poam-items": items,
            "back-matter": {"resources": _resources(data, gaps, None)},
        }
    }


def _is_risk(result: ControlResult) -> bool:
    return result.status.is_gap or result.status is Status.WAIVED


def _metadata(data: ResultsInput, what: str) -> dict[str, Any]:
    run = data.run
    return metadata(
        f"{what}: {run.organisation}, {run.period.label}",
        run.started_at,
        f"{run.period.label}-run-{run.id}",
        parties=[
            {
                "uuid": stable_uuid("party", run.developer_id),
                "type": "organization",
                "name": run.organisation,
                "props": [prop("developer-id", run.developer_id)],
            }
        ],
        props=[
            prop("manifest-sha256", data.manifest_sha256),
            prop("root-hash", data.root_hash),
            prop("tool-version", data.tool_version),
        ],
    )


def _observation(data: ResultsInput, result: ControlResult) -> dict[str, Any]:
    control = data.control(result)
    observation: dict[str, Any] = {
        "uuid": data.key("observation", result.catalogue, result.control_id),
        "title": f"{result.control_id}: {control.title}",
        "description": "\n".join(result.reasons) or f"{result.status.label}; no reason recorded.",
        "props": [
            prop("status", result.status.value),
            prop("catalogue", result.catalogue),
            prop("control-id", result.control_id),
            # Met is verified only when every element rests on observed or exported evidence.
            *([prop("assurance", result.assurance.value)] if result.assurance else []),
            *[prop("inspect", evidence_id) for evidence_id in result.inspect],
        ],
        "methods": ["EXAMINE"],
        "types": ["control-objective"],
        "collected": timestamp(data.run.started_at),
    }
    by_id = {item.id: item for item in data.evidence}
    evidence = [
        {
            "href": f"#{data.key('evidence', evidence_id)}",
            "description": _describe(evidence_id, by_id.get(evidence_id)),
            "props": [prop("evidence-id", evidence_id)],
        }
        for evidence_id in result.evidence_ids
    ]
    if evidence:
        observation["relevant-evidence"] = evidence
    if result.figures:
        observation["remarks"] = "Figures: " + "; ".join(
            f"{k} = {v}" for k, v in sorted(result.figures.items())
        )
    return observation


def _finding(data: ResultsInput, result: ControlResult) -> dict[str, Any]:
    state, reason = _TARGET_STATUS[result.status]
    target: dict[str, Any] = {
        "type": "statement-id",
        "target-id": statement_id(result.control_id),
        "status": {"state": state, "reason": reason},
    }
    if result.status is Status.NOT_APPLICABLE:
        target["implementation-status"] = {"state": "not-applicable"}
    finding: dict[str, Any] = {
        "uuid": data.key("finding", result.catalogue, result.control_id),
        "title": f"{result.control_id}: {result.status.label}",
        "description": result.reasons[0] if result.reasons else result.status.label,
        "props": [prop("status", result.status.value), prop("catalogue", result.catalogue)],
        "target": target,
        "related-observations": [
            {"observation-uuid": data.key("observation", result.catalogue, result.control_id)}
        ],
    }
    if _is_risk(result):
        finding["related-risks"] = [
            {"risk-uuid": data.key("risk", result.catalogue, result.control_id)}
        ]
    return finding


def _risk(data: ResultsInput, result: ControlResult) -> dict[str, Any]:
    control = data.control(result)
    risk: dict[str, Any] = {
        "uuid": data.key("risk", result.catalogue, result.control_id),
        "title": f"{result.control_id}: {control.title}",
        "description": "\n".join(result.reasons) or result.status.label,
        "statement": f"{result.status.label}: {control.requirement.strip()}",
        "props": [prop("severity", control.severity), prop("status", result.status.value)],
        "status": "deviation-approved" if result.status is Status.WAIVED else "open",
        "remediations": [
            {
                "uuid": data.key("remediation", result.catalogue, result.control_id),
                "lifecycle": "recommendation",
                "title": f"Remediate {result.control_id}",
                "description": control.remediation.strip(),
            }
        ],
        "related-observations": [
            {"observation-uuid": data.key("observation", result.catalogue, result.control_id)}
        ],
    }
    if result.waiver is not None:
        risk["deadline"] = timestamp(result.waiver.expires)
    return risk


def _describe(evidence_id: str, item: EvidenceItem | None) -> str:
    if item is None:
        return evidence_id
    state = f" (source failed: {item.error})" if item.error else ""
    return f"{evidence_id}: {item.kind} from source {item.source}, {item.subject}{state}"


def _resources(
    data: ResultsInput, results: Sequence[ControlResult], plan: str | None
) -> list[dict[str, Any]]:
    resources: list[dict[str, Any]] = []
    if plan is not None:
        resources.append(
            {
                "uuid": plan,
                "title": "Assessment scope",
                "description": (
                    f"Controls of {', '.join(data.evaluation.catalogues)}, "
                    "evaluated from the evidence "
                    f"sealed in manifest {data.manifest_sha256}."
                ),
                "rlinks": [
                    {
                        "href": "../manifest.json",
                        "media-type": "application/json",
                        "hashes": [{"algorithm": "SHA-256", "value": data.manifest_sha256}],
                    },
                    *(
                        {"href": f"../{path}", "media-type": "application/json"}
                        for _, path in sorted(data.catalog_files.items())
                    ),
                ],
            }
        )
    by_id = {item.id: item for item in data.evidence}
    for evidence_id in sorted({e for r in results for e in r.evidence_ids}):
        resource: dict[str, Any] = {
            "uuid": data.key("evidence", evidence_id),
            "title": evidence_id,
            "description": _describe(evidence_id, by_id.get(evidence_id)),
            "props": [prop("evidence-id", evidence_id)],
        }
        item = by_id.get(evidence_id)
        if item is not None:
            resource["props"].append(prop("facts-sha256", item.facts_sha256 or "none"))
            resource["props"].append(prop("assurance", item.assurance.value))
        files = data.evidence_files.get(evidence_id, [])
        if files:
            resource["rlinks"] = [
                {"href": f"../{path}", "hashes": [{"algorithm": "SHA-256", "value": sha}]}
                for path, sha in files
            ]
        resources.append(resource)
    return resources
