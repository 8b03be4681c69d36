"""The auditor workbook (workbook.xlsx): controls, evidence index, samples and a request list.

Written with openpyxl. Four sheets an auditor works in with any spreadsheet program:

- ``controls``: one row per control judged (status, assurance, elements, deciding evidence and
  the page of the attestation PDF that shows it);
- ``evidence``: one row per evidence item (id, kind, source, provenance, SHA-256, the files in
  the pack that hold its redacted copies);
- ``samples``: one row per drawn item of every sample draw, with the attributes to test, the
  tool's own result and empty columns for the auditor's tickmarks, exceptions and notes;
- ``requests``: one row per element whose evidence is insufficient: what is needed, the owner
  of the control's family and a due date (the plan of action's).

The file is byte-for-byte stable for the same pack: every zip entry and the document
properties carry the run's start time, never the wall clock.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from evidence.model.catalogue import Catalogue
from evidence.model.evidence import EvidenceItem
from evidence.model.results import ControlResult, ElementResult, Evaluation, Status
from evidence.model.sampling import SampleDraw

CONTROLS = "controls"
EVIDENCE = "evidence"
SAMPLES = "samples"
REQUESTS = "requests"
SHEETS = (CONTROLS, EVIDENCE, SAMPLES, REQUESTS)

CONTROL_COLUMNS = (
    "catalogue",
    "control",
    "title",
    "family",
    "status",
    "assurance",
    "elements",
    "deciding evidence",
    "reasons",
    "PDF",
    "PDF page",
)
EVIDENCE_COLUMNS = (
    "evidence id",
    "kind",
    "collector",
    "source",
    "location",
    "collected at",
    "covers from",
    "covers to",
    "assurance",
    "provenance",
    "facts SHA-256",
    "raw input SHA-256",
    "file in the pack",
    "error",
)
SAMPLE_COLUMNS = (
    "draw",
    "control",
    "seed",
    "seed from",
    "population",
    "item",
    "rank",
    "evidence id",
    "kind",
    "label",
    "date",
    "attributes to test",
    "tool's result",
    "tickmark",
    "exception",
    "notes",
)
REQUEST_COLUMNS = (
    "request",
    "catalogue",
    "control",
    "element",
    "what is needed",
    "why",
    "owner",
    "due date",
)

#: Cells longer than this are cut (Excel's limit is 32,767 characters).
_MAX_CELL = 32_000
#: Characters an XML 1.0 document (so a cell) cannot hold.
_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


@dataclass(frozen=True)
class WorkbookRequest:
    """One requested element: the control and element, what is needed, owner and due date."""

    catalogue: str
    control_id: str
    element: ElementResult
    owner: str | None
    due: date | None


@dataclass
class WorkbookInput:
    """What the workbook is made of (all already in the pack)."""

    evaluation: Evaluation
    catalogues: list[Catalogue]
    evidence: list[EvidenceItem]
    samples: list[SampleDraw]
    #: Files of the pack holding each evidence item's redacted copies, by evidence id.
    files: Mapping[str, Sequence[str]]
    #: The attestation PDF (pack path) of each catalogue, and the page of each control in it.
    pdfs: Mapping[str, str] = field(default_factory=dict)
    pages: Mapping[tuple[str, str], int] = field(default_factory=dict)
    owners: Mapping[str, str] = field(default_factory=dict)
    due_days: Mapping[str, int] = field(default_factory=dict)
    #: Who gave each draw's seed, by draw index (``samples.json`` records it too).
    seed_from: Mapping[int, str] = field(default_factory=dict)
    #: What to test on each drawn item and the tool's own result, by (draw index, member id).
    attributes: Mapping[tuple[int, str], tuple[str, str]] = field(default_factory=dict)
    stamp: datetime = field(default_factory=lambda: datetime(2000, 1, 1, tzinfo=UTC))


def requests(data: WorkbookInput) -> list[WorkbookRequest]:
    """Every element of every control whose status is insufficient evidence, in catalogue order."""
    from evidence.render.gaps import due_for, policy_deadlines

    by_key = {(r.catalogue, r.control_id): r for r in data.evaluation.results}
    found: list[WorkbookRequest] = []
    start = data.evaluation.as_of.date()
    for catalogue in data.catalogues:
        deadlines = policy_deadlines(catalogue)
        for control in catalogue.controls:
            result = by_key.get((catalogue.ref, control.id))
            if result is None:
                continue
            due: date | None = None
            if data.due_days.get(control.severity) is not None:
                from datetime import timedelta

                days, _ = due_for(control, deadlines, dict(data.due_days))
                due = start + timedelta(days=days)
            for element in result.elements:
                if element.status is Status.INSUFFICIENT:
                    found.append(
                        WorkbookRequest(
                            catalogue=catalogue.ref,
                            control_id=control.id,
                            element=element,
                            owner=data.owners.get(control.family),
                            due=due,
                        )
                    )
    return found


def write_workbook(data: WorkbookInput) -> bytes:
    """Return the workbook's bytes (an XLSX file)."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    first = book.active
    assert first is not None
    book.remove(first)
    sheets = {
        CONTROLS: (CONTROL_COLUMNS, _control_rows(data)),
        EVIDENCE: (EVIDENCE_COLUMNS, _evidence_rows(data)),
        SAMPLES: (SAMPLE_COLUMNS, _sample_rows(data)),
        REQUESTS: (REQUEST_COLUMNS, _request_rows(data)),
    }
    bold = Font(bold=True)
    for name, (columns, rows) in sheets.items():
        sheet = book.create_sheet(name)
        sheet.append(list(columns))
        for cell in sheet[1]:
            cell.font = bold
        sheet.freeze_panes = "A2"
        for row in rows:
            sheet.append([_cell(value) for value in row])
    stamp = data.stamp.astimezone(UTC).replace(tzinfo=None)
    book.properties.creator = "dpp-evidence"
    book.properties.created = stamp
    book.properties.modified = stamp
    book.properties.lastModifiedBy = "dpp-evidence"
    raw = io.BytesIO()
    book.save(raw)
    return _stable_zip(raw.getvalue(), data.stamp)


def _control_rows(data: WorkbookInput) -> list[list[Any]]:
    titles = {
        (c.ref, control.id): (control.title, control.family)
        for c in data.catalogues
        for control in c.controls
    }
    rows = []
    for result in data.evaluation.results:
        title, family = titles.get((result.catalogue, result.control_id), ("", ""))
        rows.append(
            [
                result.catalogue,
                result.control_id,
                title,
                family,
                _status(result),
                result.assurance.value if result.assurance else "",
                "\n".join(f"{e.id}: {e.status.label}" for e in result.elements),
                ", ".join(result.evidence_ids),
                "\n".join(result.reasons),
                data.pdfs.get(result.catalogue, ""),
                data.pages.get((result.catalogue, result.control_id)),
            ]
        )
    return rows


def _status(result: ControlResult) -> str:
    label = result.status.label
    if result.status is Status.MET and result.assurance is not None:
        return f"{label} ({result.assurance.value})"
    return label


def _evidence_rows(data: WorkbookInput) -> list[list[Any]]:
    rows = []
    for item in sorted(data.evidence, key=lambda e: e.id):
        provenance = getattr(item, "provenance", None)
        rows.append(
            [
                item.id,
                item.kind,
                item.collector,
                item.source,
                item.location,
                _when(item.collected_at),
                _when(item.covers_start),
                _when(item.covers_end),
                item.assurance.value,
                _provenance_text(provenance) if provenance is not None else "",
                item.facts_sha256,
                "\n".join(f"{r.sha256}  {r.location}" for r in item.raw_inputs),
                _listed(data.files.get(item.id, ())),
                item.error or "",
            ]
        )
    return rows


#: Files listed in one cell at most; pack.json lists every file with its evidence ids.
MAX_FILES = 40


def _listed(names: Sequence[str]) -> str:
    shown = "\n".join(names[:MAX_FILES])
    if len(names) > MAX_FILES:
        shown += f"\nand {len(names) - MAX_FILES} more: pack.json lists every file by evidence id"
    return shown


def _provenance_text(provenance: Any) -> str:
    if hasattr(provenance, "model_dump"):
        provenance = provenance.model_dump(mode="json", exclude_none=True)
    if isinstance(provenance, Mapping):
        return "\n".join(f"{k}: {v}" for k, v in sorted(provenance.items()))
    return str(provenance)


def _sample_rows(data: WorkbookInput) -> list[list[Any]]:
    rows = []
    for index, draw in enumerate(data.samples):
        members = {m.id: m for m in draw.population}
        for rank, member_id in enumerate(draw.chosen, start=1):
            member = members.get(member_id)
            attributes, result = data.attributes.get((index, member_id), ("", ""))
            rows.append(
                [
                    index,
                    draw.control_id,
                    draw.seed,
                    data.seed_from.get(index, ""),
                    draw.population_size,
                    member_id,
                    rank,
                    member.evidence_id if member else "",
                    member.kind if member else "",
                    member.label if member else "",
                    member.when if member and member.when else "",
                    attributes,
                    result,
                    None,
                    None,
                    None,
                ]
            )
    return rows


def _request_rows(data: WorkbookInput) -> list[list[Any]]:
    rows = []
    found = requests(data)
    steps = _steps_by_element(data)
    width = max(2, len(str(len(found))))
    for number, request in enumerate(found, start=1):
        element = request.element
        actions = steps.get((request.catalogue, request.control_id, element.id), [])
        needed = "; ".join(actions) or "; ".join(_need_text(n) for n in element.needed) or (
            "evidence that decides this element for the whole period"
        )
        rows.append(
            [
                f"REQ-{number:0{width}d}",
                request.catalogue,
                request.control_id,
                f"{element.id}: {element.text}",
                needed,
                "\n".join(element.reasons),
                request.owner or "",
                request.due.isoformat() if request.due else "",
            ]
        )
    return rows


def _steps_by_element(data: WorkbookInput) -> dict[tuple[str, str, str], list[str]]:
    """The to-do steps (as `evidence todo` and the gap report give them) deciding each element."""
    from evidence.controls.todo import configured_from_evidence, evidence_producers, todo_steps

    steps = todo_steps(
        data.evaluation, data.catalogues, configured_from_evidence(data.evidence), evidence_producers()
    )
    found: dict[tuple[str, str, str], list[str]] = {}
    for step in steps:
        for element in step.elements:
            found.setdefault((element.catalogue, element.control_id, element.element_id), []).append(step.action)
    return found


def _need_text(need: Any) -> str:
    parts = []
    if need.kinds:
        parts.append("evidence of kind " + ", ".join(need.kinds))
    if need.doc_types:
        parts.append("a document of type " + ", ".join(need.doc_types))
    text = " or ".join(parts) or f"evidence for check {need.check}"
    return text + (" (check planned, not built)" if need.planned else "")


def _when(value: datetime | None) -> str:
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z") if value else ""


def _cell(value: Any) -> Any:
    if isinstance(value, str):
        value = _ILLEGAL.sub("\ufffd", value)
        if len(value) > _MAX_CELL:
            value = value[:_MAX_CELL] + "… (cut)"
        # A leading '=' would make a formula of text from the evidence.
        if value.startswith(("=", "+", "-", "@")) and len(value) > 1:
            value = "'" + value
    return value


_MODIFIED = re.compile(rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)")


def _stable_zip(data: bytes, stamp: datetime) -> bytes:
    """Rewrite an XLSX zip with fixed entry times and the run's time as its modification time."""
    when = stamp.astimezone(UTC)
    date_time = (max(when.year, 1980), when.month, when.day, when.hour, when.minute, when.second)
    iso = when.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            content = source.read(info)
            if info.filename == "docProps/core.xml":
                content = _MODIFIED.sub(lambda m: m[1] + iso + m[2], content)
            entry = zipfile.ZipInfo(info.filename, date_time=date_time)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o100644 << 16
            target.writestr(entry, content)
    return out.getvalue()
