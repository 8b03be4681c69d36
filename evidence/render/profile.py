"""The developer-profile answer sheet: the Solution Provider Profile answered from the evidence.

Each answer is linked to the controls and evidence behind it, with what is missing for a "Yes".
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from evidence.model.profile import FREE_TEXT_LIMIT
from evidence.model.report import RenderedReport, ReportSetData
from evidence.render.attachments import (
    EmbeddedFile,
    evidence_facts_csv,
    evidence_manifest,
    json_file,
)
from evidence.render.document import PreparedReport, cover_context, prepare_report, write_report

TEMPLATE = "profile-answers.html.j2"
PROFILE_KIND = "profile-answers"
ANSWERS_NAME = "profile-answers.json"


def profile_json(data: ReportSetData) -> EmbeddedFile:
    """Write the answers as JSON: answer, controls, evidence ids, what is missing, what measured."""
    answers = [
        {
            "id": a.question.id,
            "kind": a.question.kind,
            "question": a.question.question,
            "verdict": a.verdict,
            "answer": a.answer,
            "supported": a.supported,
            "controls": [
                {"id": b.control_id, "status": b.status.value if b.status else None}
                for b in a.basis
            ],
            "evidence_ids": a.evidence_ids,
            "missing": a.missing,
            "measured": a.measured,
        }
        for a in data.profile
    ]
    return json_file(
        ANSWERS_NAME, {"answers": answers}, "Solution Provider Profile answers with their basis"
    )


def profile_context(data: ReportSetData, attachments: list[EmbeddedFile]) -> dict[str, Any]:
    """Build the answer sheet template's view: yes/no and free-text answers apart, with counts."""
    return {
        **cover_context(
            data.run, data.organisation, data.tool_version, data.generated_at, data.signatories
        ),
        "data": data,
        "catalogues": data.catalogues,
        "closed": [a for a in data.profile if a.question.kind != "free_text"],
        "free_text": [a for a in data.profile if a.question.kind == "free_text"],
        "supported": sum(1 for a in data.profile if a.supported),
        "limit": FREE_TEXT_LIMIT,
        "attachments": attachments,
    }


def prepare_profile_sheet(
    data: ReportSetData, *, facts: EmbeddedFile | None = None
) -> PreparedReport:
    """Prepare the profile answer sheet."""
    answers = profile_json(data)
    facts = facts or evidence_facts_csv(data.evidence)
    cited = {cid for a in data.profile for cid in (b.control_id for b in a.basis)}
    manifest = evidence_manifest(
        report=PROFILE_KIND,
        data=data,
        results=[r for r in data.evaluation.results if r.control_id in cited],
        companions=[answers, facts],
    )
    attachments = [manifest, answers, facts]
    return prepare_report(
        TEMPLATE,
        profile_context(data, attachments),
        kind=PROFILE_KIND,
        run=data.run,
        attachments=attachments,
    )


def render_profile_sheet(
    data: ReportSetData, target: Path, *, facts: EmbeddedFile | None = None
) -> RenderedReport:
    """Render the profile answer sheet to ``target``."""
    return write_report(prepare_profile_sheet(data, facts=facts), target)
