"""OSCAL (JSON) for crosswalk frameworks: the framework as a catalog, its roll-up as assessment results.

The catalog has a group per family and a control per criterion, whose statement names the
controls it maps to (``maps-to`` properties, ``<catalogue id>:<control id>``) or why it is not
covered. The assessment results hold one finding per criterion: met is satisfied/pass, not met
not-satisfied/fail, anything else (insufficient evidence, waived, not covered) not-satisfied/other;
our exact status is in the ``status`` property (``not_covered`` included), so nothing is lost.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, time
from typing import Any

from evidence.model.crosswalk import CriterionResult, Crosswalk, CrosswalkEvaluation
from evidence.model.results import Status
from evidence.model.run import RunInfo
from evidence.pack.oscal import metadata, prop, stable_uuid, statement_id, timestamp

_TARGET_STATUS = {
    Status.MET: ("satisfied", "pass"),
    Status.NOT_MET: ("not-satisfied", "fail"),
}


def crosswalk_catalog_document(crosswalk: Crosswalk) -> dict[str, Any]:
    """Export a crosswalk framework as an OSCAL catalog: families as groups, criteria as controls."""
    effective = datetime.combine(crosswalk.effective, time.min, tzinfo=UTC)
    groups = []
    for family in crosswalk.families:
        controls = [_criterion(crosswalk, c.id) for c in crosswalk.criteria if c.family == family.id]
        if controls:
            groups.append({"id": _token(family.id), "class": "family", "title": family.title, "controls": controls})
    return {
        "catalog": {
            "uuid": stable_uuid("catalog", crosswalk.ref),
            "metadata": metadata(
                crosswalk.title,
                effective,
                crosswalk.version,
                published=timestamp(effective),
                props=[prop("catalogue", crosswalk.ref), prop("kind", "crosswalk"), prop("status", crosswalk.status)],
                remarks=f"{crosswalk.summary.strip()}\n\n{crosswalk.source_note.strip()}",
            ),
            "groups": groups,
        }
    }


def _criterion(crosswalk: Crosswalk, criterion_id: str) -> dict[str, Any]:
    criterion = crosswalk.criterion(criterion_id)
    props = [prop("label", criterion.id, ours=False)]
    props += [prop("maps-to", ref) for ref in criterion.maps_to]
    props += [prop("check", ref.check) for ref in criterion.checks]
    if criterion.not_covered is not None:
        props.append(prop("not-covered", "true"))
        prose = f"Not covered: {criterion.not_covered.strip()}"
    else:
        named = [*criterion.maps_to, *(f"check {ref.check}" for ref in criterion.checks)]
        prose = f"{criterion.title}. Judged from: {', '.join(named)}; met only when every one is met."
    parts: list[dict[str, Any]] = [{"id": statement_id(_token(criterion.id)), "name": "statement", "prose": prose}]
    if criterion.note:
        parts.append({"id": f"{_token(criterion.id)}_gdn", "name": "guidance", "prose": criterion.note.strip()})
    return {"id": _token(criterion.id), "title": criterion.title, "props": props, "parts": parts}


def crosswalk_results_document(
    run: RunInfo, as_of: datetime, crosswalk: Crosswalk, rolled: CrosswalkEvaluation, tool_version: str
) -> dict[str, Any]:
    """Build the OSCAL assessment results of one crosswalk's roll-up for ``run``."""

    def key(*parts: str) -> str:
        return stable_uuid(run.uid, timestamp(as_of), crosswalk.ref, *parts)

    result = {
        "uuid": key("result"),
        "title": f"Criteria of {crosswalk.ref} for {run.period.label} as of {as_of.date().isoformat()}",
        "description": (
            f"dpp-evidence {tool_version} rolled up {len(rolled.results)} criteria of {crosswalk.ref} from "
            f"the evaluation of {', '.join(rolled.catalogues) or 'no catalogue'} on run {run.id} ({run.uid}). "
            "A criterion is satisfied only when every control it maps to is met; not covered is never satisfied."
        ),
        "start": timestamp(run.period.start_at),
        "end": timestamp(run.period.end_at),
        "props": [prop("as-of", timestamp(as_of)), prop("run-uid", run.uid)],
        "reviewed-controls": {
            "control-selections": [
                {
                    "description": crosswalk.ref,
                    "include-controls": [{"control-id": _token(r.criterion_id)} for r in rolled.results],
                }
            ]
        },
        "observations": [_observation(run, key, r) for r in rolled.results],
        "findings": [_finding(key, r) for r in rolled.results],
    }
    return {
        "assessment-results": {
            "uuid": key("assessment-results"),
            "metadata": metadata(
                f"Assessment results of {crosswalk.ref}: {run.organisation}, {run.period.label}",
                run.started_at,
                f"{run.period.label}-run-{run.id}",
                props=[prop("tool-version", tool_version), prop("catalogue", crosswalk.ref)],
            ),
            "import-ap": {
                "href": f"#{stable_uuid(run.uid, 'assessment-plan')}",
                "remarks": (
                    "No separate assessment plan: the crosswalk and the sealed manifest define what was assessed."
                ),
            },
            "results": [result],
        }
    }


def _observation(run: RunInfo, key: Callable[..., str], r: CriterionResult) -> dict[str, Any]:
    props = [prop("status", r.status_value), prop("catalogue", r.crosswalk), prop("control-id", r.criterion_id)]
    if r.assurance is not None:
        props.append(prop("assurance", r.assurance.value))
    props += [prop("mapped", f"{m.catalogue}:{m.control_id}={m.status.value}") for m in r.mapped]
    props += [prop("evidence-id", e) for e in r.evidence_ids]
    return {
        "uuid": key("observation", r.criterion_id),
        "title": f"{r.criterion_id}: {r.title}",
        "description": "\n".join(r.reasons) or r.status_label,
        "props": props,
        "methods": ["EXAMINE"],
        "types": ["control-objective"],
        "collected": timestamp(run.started_at),
    }


def _finding(key: Callable[..., str], r: CriterionResult) -> dict[str, Any]:
    state, reason = _TARGET_STATUS.get(r.status, ("not-satisfied", "other")) if r.status else ("not-satisfied", "other")
    return {
        "uuid": key("finding", r.criterion_id),
        "title": f"{r.criterion_id}: {r.status_label}",
        "description": r.reasons[0] if r.reasons else r.status_label,
        "props": [prop("status", r.status_value), prop("catalogue", r.crosswalk)],
        "target": {
            "type": "statement-id",
            "target-id": statement_id(_token(r.criterion_id)),
            "status": {"state": state, "reason": reason},
        },
        "related-observations": [{"observation-uuid": key("observation", r.criterion_id)}],
    }


def _token(ident: str) -> str:
    """An OSCAL token for a framework's id: ``CC6.1`` and ``A.8.24`` are tokens already; a leading digit is not."""
    return ident if ident[:1].isalpha() or ident[:1] == "_" else f"_{ident}"
