"""Machine-readable files embedded in every report: the evidence manifest (JSON) and facts (CSV).

A PDF shows summaries; these attachments carry everything (every evidence item, every hash,
every fact), so large evidence sets never turn into thousand-page tables. They are built from
the report's data alone, with sorted keys and no clock, so the same run gives the same bytes.
"""

from __future__ import annotations

import csv
import hashlib
import io
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import orjson

from evidence.model.evidence import EvidenceItem
from evidence.model.report import RunReportData
from evidence.model.results import STATUS_ORDER, ControlResult

MANIFEST_NAME = "evidence-manifest.json"
FACTS_NAME = "evidence-facts.csv"
MANIFEST_FORMAT = "dpp-evidence.report-manifest"
MANIFEST_VERSION = 1

#: Cells a spreadsheet would read as a formula; such text is prefixed with ' (CSV injection).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class EmbeddedFile:
    """A file embedded in a PDF/A-3 report, with its PDF/A-3 relationship to the document."""

    name: str
    data: bytes
    mime: str
    description: str
    relationship: str = "Data"

    @property
    def sha256(self) -> str:
        """SHA-256 of the file's bytes, printed in the report beside its name."""
        return hashlib.sha256(self.data).hexdigest()


def json_file(name: str, value: Any, description: str) -> EmbeddedFile:
    """``value`` as indented JSON with sorted keys (stable bytes for stable input)."""
    data = orjson.dumps(
        value, option=orjson.OPT_SORT_KEYS | orjson.OPT_INDENT_2 | orjson.OPT_NON_STR_KEYS
    )
    return EmbeddedFile(
        name=name, data=data + b"\n", mime="application/json", description=description
    )


def csv_file(
    name: str, header: Sequence[str], rows: Iterable[Sequence[Any]], description: str
) -> EmbeddedFile:
    """Rows as RFC 4180 CSV (UTF-8); text that a spreadsheet would run as a formula is defused."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([_cell(value) for value in row])
    return EmbeddedFile(
        name=name, data=buffer.getvalue().encode("utf-8"), mime="text/csv", description=description
    )


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    text = (
        value
        if isinstance(value, str)
        else orjson.dumps(value, option=orjson.OPT_SORT_KEYS).decode()
    )
    return "'" + text if text.startswith(_FORMULA_START) else text


def evidence_facts_csv(evidence: Sequence[EvidenceItem]) -> EmbeddedFile:
    """Every fact of every evidence item, one leaf value per row (``resources[0].encrypted``)."""
    rows = (
        (item.id, item.kind, item.source, item.subject, path, value)
        for item in evidence
        for path, value in _leaves(item.facts, "")
    )
    return csv_file(
        FACTS_NAME,
        ("evidence_id", "kind", "source", "subject", "fact", "value"),
        rows,
        "Normalised facts of every evidence item of the run, one value per row",
    )


def _leaves(value: Any, path: str) -> Iterator[tuple[str, Any]]:
    """(dotted path, scalar) for every leaf of nested facts; empty containers are leaves too."""
    if isinstance(value, dict) and value:
        for key in sorted(value, key=str):
            yield from _leaves(value[key], f"{path}.{key}" if path else str(key))
    elif isinstance(value, list) and value and any(isinstance(v, dict | list) for v in value):
        for index, element in enumerate(value):
            yield from _leaves(element, f"{path}[{index}]")
    else:
        yield path, value


def evidence_manifest(
    report: str,
    data: RunReportData,
    results: Sequence[ControlResult],
    companions: Sequence[EmbeddedFile] = (),
) -> EmbeddedFile:
    """Build the manifest of one report.

    It holds the run, the ``results`` the report shows, every evidence item with its hashes, and
    the SHA-256 of each companion attachment, so the JSON vouches for the CSV beside it.
    """
    run, evidence = data.run, data.evidence
    counts = {status.value: 0 for status in STATUS_ORDER}
    for result in results:
        counts[result.status.value] += 1
    manifest = {
        "format": MANIFEST_FORMAT,
        "version": MANIFEST_VERSION,
        "report": report,
        "tool": {"name": "dpp-evidence", "version": data.tool_version},
        "run": {
            "uid": run.uid,
            "organisation": run.organisation,
            "developer_id": run.developer_id,
            "period": {
                "label": run.period.label,
                "start": run.period.start.isoformat(),
                "end": run.period.end.isoformat(),
            },
            "as_of": run.as_of.isoformat(),
            "started_at": run.started_at.isoformat(),
            "catalogues": run.catalogues,
            "config_sha256": run.config_sha256,
        },
        "organisation": data.organisation.model_dump(mode="json"),
        "counts": counts,
        "results": [
            {
                "catalogue": r.catalogue,
                "control_id": r.control_id,
                "status": r.status.value,
                "reasons": r.reasons,
                "evidence_ids": r.evidence_ids,
                "figures": r.figures,
                "waiver": r.waiver.model_dump(mode="json") if r.waiver else None,
            }
            for r in results
        ],
        "evidence": [_manifest_item(item) for item in evidence],
        "attachments": {
            f.name: {"sha256": f.sha256, "bytes": len(f.data), "mime": f.mime} for f in companions
        },
    }
    return json_file(
        MANIFEST_NAME,
        manifest,
        "Evidence items with raw-input and facts SHA-256, and every control status",
    )


def _manifest_item(item: EvidenceItem) -> dict[str, Any]:
    return {
        **item.naming(),
        "collected_at": item.collected_at.isoformat(),
        "covers": [
            item.covers_start.isoformat() if item.covers_start else None,
            item.covers_end.isoformat() if item.covers_end else None,
        ],
        "facts_sha256": item.facts_sha256,
        "raw_inputs": [
            raw.model_dump(mode="json", exclude={"stored_path"}) for raw in item.raw_inputs
        ],
        "stats": item.stats.model_dump(mode="json", exclude={"rejects"}),
        "rejects": [str(r) for r in item.stats.rejects],
        "redactions": item.redactions,
        "error": item.error,
        "provenance": item.provenance,
    }
