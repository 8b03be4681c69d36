"""A run's manifest: what was collected, the hashes that pin it, and the statuses it decided.

The manifest is canonical JSON (sorted keys, no whitespace; :mod:`evidence.model.canonical`), so
the same run always serialises to the same bytes and its SHA-256 can be recomputed by anyone.
It is written once, when the run commits, and chained (see :mod:`evidence.pack.chain`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import orjson

from evidence.errors import PackError
from evidence.model.canonical import canonical_json, facts_digest, sha256_hex
from evidence.model.evidence import EvidenceItem
from evidence.model.results import Evaluation
from evidence.model.run import RunInfo

FORMAT = "dpp-evidence-manifest/1"


@dataclass(frozen=True)
class Manifest:
    """The canonical text of a manifest, its SHA-256 and the parsed data."""

    text: str
    sha256: str
    data: dict[str, Any]


def _instant(moment: datetime | None) -> str | None:
    return moment.astimezone(UTC).isoformat() if moment is not None else None


def evidence_entry(item: EvidenceItem) -> dict[str, Any]:
    """Describe one evidence item as the manifest records it (the facts hash is recomputed).

    ``provenance`` is recorded for items that have it (runs from issue 17 on), so manifests
    sealed before keep their bytes and hash.
    """
    entry = _entry(item)
    if item.provenance is not None:
        entry["provenance"] = item.provenance
    return entry


def _entry(item: EvidenceItem) -> dict[str, Any]:
    return {
        **item.naming(),
        "collected_at": _instant(item.collected_at),
        "covers_start": _instant(item.covers_start),
        "covers_end": _instant(item.covers_end),
        "facts_sha256": facts_digest(item.facts),
        "error": item.error,
        "assurance": item.assurance.value,
        "stats": {
            "read": item.stats.read,
            "kept": item.stats.kept,
            "skipped": item.stats.skipped,
            "rejected": item.stats.rejected,
        },
        "raw_inputs": [
            {
                "location": raw.location,
                "sha256": raw.sha256,
                "size": raw.size,
                "stored_sha256": raw.stored_sha256,
                "stored_path": raw.stored_path,
                "stored_note": raw.stored_note,
            }
            for raw in item.raw_inputs
        ],
    }


def evaluation_entry(evaluation: Evaluation | None) -> dict[str, Any] | None:
    """List the statuses an evaluation decided, with the evidence ids behind each."""
    if evaluation is None:
        return None
    return {
        "as_of": _instant(evaluation.as_of),
        "catalogues": list(evaluation.catalogues),
        "controls": [
            {
                "catalogue": result.catalogue,
                "control_id": result.control_id,
                "status": result.status.value,
                "assurance": result.assurance.value if result.assurance else None,
                "evidence_ids": sorted(result.evidence_ids),
            }
            for result in evaluation.results
        ],
    }


def build_manifest(
    run: RunInfo,
    evidence: Sequence[EvidenceItem],
    evaluation: Evaluation | None,
    policies: Mapping[str, str],
    tool_version: str,
) -> Manifest:
    """Build the manifest of ``run``; ``policies`` maps catalogue refs to their files' SHA-256."""
    entries = sorted(
        (evidence_entry(item) for item in evidence), key=lambda e: (e["id"], e["kind"])
    )
    data: dict[str, Any] = {
        "format": FORMAT,
        "organisation": {"legal_name": run.organisation, "developer_id": run.developer_id},
        "run": {
            "id": run.id,
            "uid": run.uid,
            "started_at": _instant(run.started_at),
            "config_sha256": run.config_sha256,
        },
        "period": {
            "label": run.period.label,
            "start": run.period.start.isoformat(),
            "end": run.period.end.isoformat(),
        },
        "as_of": _instant(run.as_of),
        "tool": {"name": "dpp-evidence", "version": tool_version},
        "policies": [{"ref": ref, "sha256": policies[ref]} for ref in sorted(policies)],
        "evidence": entries,
        "evaluation": evaluation_entry(evaluation),
        "counts": {
            "evidence": len(entries),
            "raw_inputs": sum(len(e["raw_inputs"]) for e in entries),
            "stored_copies": len(stored_copies(entries)),
        },
    }
    text = canonical_json(data).decode("utf-8")
    return Manifest(text=text, sha256=sha256_hex(text.encode("utf-8")), data=data)


def parse_manifest(text: str | bytes, where: str = "manifest.json") -> Manifest:
    """Read a manifest back; a manifest that is not our JSON is a PackError naming ``where``."""
    raw = text.encode("utf-8") if isinstance(text, str) else text
    try:
        data = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        raise PackError(f"{where}: not valid JSON: {exc}") from None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise PackError(f"{where}: not a dpp-evidence manifest (expected format {FORMAT!r})")
    return Manifest(text=raw.decode("utf-8"), sha256=sha256_hex(raw), data=data)


def stored_copies(entries: Sequence[Mapping[str, Any]]) -> dict[str, list[str]]:
    """Map each stored copy's SHA-256 to the evidence ids whose raw input it is a copy of."""
    copies: dict[str, list[str]] = {}
    for entry in entries:
        for raw in entry["raw_inputs"]:
            if raw.get("stored_sha256"):
                ids = copies.setdefault(raw["stored_sha256"], [])
                if entry["id"] not in ids:
                    ids.append(entry["id"])
    return copies


def differences(
    manifest: Manifest, evidence: Sequence[EvidenceItem], evaluation: Evaluation | None
) -> list[str]:
    """How the stored evidence and sealed evaluation differ from what the manifest sealed.

    Each difference is one sentence naming the evidence id or control and both values.
    """
    problems: list[str] = []
    sealed = {e["id"]: e for e in manifest.data.get("evidence", [])}
    stored = {e["id"]: e for e in (evidence_entry(item) for item in evidence)}
    for evidence_id in sorted(sealed.keys() - stored.keys()):
        problems.append(
            f"evidence {evidence_id} is sealed in the manifest but no longer in the store"
        )
    for evidence_id in sorted(stored.keys() - sealed.keys()):
        problems.append(
            f"evidence {evidence_id} is in the store but was not sealed in the manifest"
        )
    for evidence_id in sorted(sealed.keys() & stored.keys()):
        before, now = sealed[evidence_id], stored[evidence_id]
        for key in sorted(before.keys() | now.keys()):
            if before.get(key) != now.get(key):
                problems.append(_field_change(evidence_id, key, before.get(key), now.get(key)))
    sealed_eval = manifest.data.get("evaluation")
    if sealed_eval is not None and evaluation is None:
        problems.append("the evaluation sealed in the manifest is no longer in the store")
    elif sealed_eval is not None and evaluation is not None:
        problems.extend(status_differences(sealed_eval, evaluation_entry(evaluation) or {}))
    return problems


def _field_change(evidence_id: str, key: str, before: Any, now: Any) -> str:
    if key == "facts_sha256":
        return (
            f"evidence {evidence_id}: facts changed after sealing (sealed facts hash "
            f"{str(before)[:16]}…, stored facts hash to {str(now)[:16]}…)"
        )
    if key == "raw_inputs":
        return f"evidence {evidence_id}: raw input hashes or stored copies changed after sealing"
    return (
        f"evidence {evidence_id}: {key} changed after sealing ({before!r} sealed, {now!r} stored)"
    )


def status_differences(
    sealed: Mapping[str, Any], stored: Mapping[str, Any], where: str = "the store"
) -> list[str]:
    """How the statuses of ``stored`` (an :func:`evaluation_entry`) differ from the sealed ones."""

    def by_control(data: Mapping[str, Any]) -> dict[tuple[str, str], dict[str, Any]]:
        return {(c["catalogue"], c["control_id"]): c for c in data.get("controls", [])}

    before, now = by_control(sealed), by_control(stored)
    problems = []
    for key in sorted(before.keys() | now.keys()):
        label = f"{key[1]} ({key[0]})"
        if key not in now:
            problems.append(f"control {label}: sealed result missing from {where}")
        elif key not in before:
            problems.append(f"control {label}: result in {where} was not sealed")
        elif before[key]["status"] != now[key]["status"]:
            problems.append(
                f"control {label}: status {now[key]['status']} in {where}, "
                f"{before[key]['status']} sealed"
            )
        elif before[key]["evidence_ids"] != now[key]["evidence_ids"]:
            problems.append(f"control {label}: evidence ids in {where} differ from the sealed ones")
    if sealed.get("as_of") != stored.get("as_of"):
        problems.append(
            f"evaluation as-of {stored.get('as_of')} in {where}, {sealed.get('as_of')} sealed"
        )
    return problems
