"""The attestation of a crosswalk framework (SOC 2, ISO 27001): criteria rolled up from controls.

The body lists each family's criteria with their status and the mapped controls with theirs;
the criteria no collected evidence bears on have a section of their own ("not covered"), never
counted as met. The roll-up (JSON) and the evidence facts (CSV) are embedded.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from evidence.model.crosswalk import Crosswalk, CrosswalkEvaluation
from evidence.model.period import Period
from evidence.model.report import RenderedReport, RunReportData
from evidence.render.attachments import EmbeddedFile, evidence_facts_csv, json_file
from evidence.render.document import PreparedReport, cover_context, prepare_report, write_report

TEMPLATE = "crosswalk.html.j2"
ROLL_UP = "criteria-roll-up.json"


def crosswalk_attestation_name(crosswalk: Crosswalk, period: Period) -> str:
    """File name of a crosswalk framework's attestation for a period."""
    return f"attestation-{crosswalk.id}-{crosswalk.version}-{period.label.replace('..', '_to_')}.pdf"


def crosswalk_context(
    data: RunReportData, crosswalk: Crosswalk, rolled: CrosswalkEvaluation, attachments: list[EmbeddedFile]
) -> dict[str, Any]:
    """Build the template's view: criteria by family, the not-covered list, the evidence cited."""
    families = []
    for family in crosswalk.families:
        members = [r for r in rolled.results if r.family == family.id and r.status is not None]
        if members:
            families.append({"id": family.id, "title": family.title, "criteria": members})
    cited = sorted({e for r in rolled.results for e in r.evidence_ids})
    by_id = {item.id: item for item in data.evidence}
    return {
        **cover_context(data.run, data.organisation, data.tool_version, data.generated_at, data.signatories),
        "crosswalk": crosswalk,
        "rolled": rolled,
        "counts": rolled.counts(),
        "covered": [r for r in rolled.results if r.status is not None],
        "families": families,
        "not_covered": [r for r in rolled.results if r.status is None],
        "cited": [by_id[e] for e in cited if e in by_id],
        "attachments": attachments,
    }


def prepare_crosswalk_attestation(
    data: RunReportData, crosswalk: Crosswalk, rolled: CrosswalkEvaluation
) -> PreparedReport:
    """Prepare the attestation of ``crosswalk`` from its roll-up."""
    attachments = [
        json_file(
            ROLL_UP,
            {
                "report": f"attestation:{crosswalk.ref}",
                "run": data.run.uid,
                "period": data.run.period.label,
                **rolled.model_dump(mode="json"),
            },
            f"every criterion of {crosswalk.ref} with its status, mapped controls and evidence ids",
        ),
        evidence_facts_csv(data.evidence),
    ]
    return prepare_report(
        TEMPLATE,
        crosswalk_context(data, crosswalk, rolled, attachments),
        kind=f"attestation:{crosswalk.ref}",
        run=data.run,
        attachments=attachments,
    )


def render_crosswalk_attestation(
    data: RunReportData, crosswalk: Crosswalk, rolled: CrosswalkEvaluation, target: Path
) -> RenderedReport:
    """Render the attestation of ``crosswalk`` to ``target``."""
    return write_report(prepare_crosswalk_attestation(data, crosswalk, rolled), target)
