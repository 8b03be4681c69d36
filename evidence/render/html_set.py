"""The report set as one static HTML folder: the same templates as the PDFs, for a browser.

Each report of the set becomes one page, rendered from the same preparation as its PDF with
``target=HTML``, so a change to a template changes both. An index lists every control with
filters by status and family, and an evidence page lists every item with its files. Nothing is
fetched from anywhere but the folder's two stylesheets; the one script is inlined and allowed
by its hash in each page's Content-Security-Policy. Evidence ids link to their files in the
auditor pack, whose layout the pipeline passes in (`HtmlLinks`).
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from evidence.model.report import ReportSetData
from evidence.model.results import STATUS_ORDER
from evidence.render.document import cover_context
from evidence.render.html import HTML, render_html
from evidence.render.report_set import prepare_report_set
from evidence.resources import templates_dir

INDEX = "index.html"
EVIDENCE = "evidence.html"
STYLESHEETS = ("css/report.css", "css/screen.css")
_SCRIPT = "html/filter-controls.js"


@dataclass(frozen=True)
class HtmlLinks:
    """Where the folder's links go, relative to the folder: evidence files and the PDFs.

    ``evidence`` maps an evidence id to its files (display name, href); ``pdfs`` maps a PDF's
    file name to its href, and the signed copy's name (``*.signed.pdf``) when there is one.
    """

    evidence: Mapping[str, Sequence[tuple[str, str]]] = field(default_factory=dict)
    pdfs: Mapping[str, str] = field(default_factory=dict)


def render_html_set(data: ReportSetData, links: HtmlLinks) -> dict[str, bytes]:
    """Every file of the HTML report set by its path inside the folder."""
    members = prepare_report_set(data, Path("."))
    script = (templates_dir() / _SCRIPT).read_text(encoding="utf-8")
    policy = _policy(script)
    pages = [(m.report.kind, m.report.context.get("catalogue"), m.path.name) for m in members]
    nav = [("Controls", INDEX)]
    nav += [(_title(kind, catalogue), _html_name(name)) for kind, catalogue, name in pages]
    nav.append(("Evidence", EVIDENCE))
    shared = {
        **cover_context(
            data.run, data.organisation, data.tool_version, data.generated_at, data.signatories
        ),
        "html_nav": nav,
        "html_policy": policy,
        "target": HTML,
    }
    evidence_links = {eid: files[0][1] for eid, files in links.evidence.items() if files}
    files: dict[str, bytes] = {}
    for member in members:
        html = member.report.html(
            HTML,
            evidence_links=evidence_links,
            pdf_href=links.pdfs.get(member.path.name, member.path.name),
            html_nav=nav,
            html_policy=policy,
        )
        files[_html_name(member.path.name)] = html.encode("utf-8")
    files[INDEX] = render_html(
        "html/index.html.j2", **shared, **_index(data, pages, links), filter_script=script
    ).encode("utf-8")
    files[EVIDENCE] = render_html(
        "html/evidence.html.j2", **shared, evidence=data.evidence, files=links.evidence
    ).encode("utf-8")
    for sheet in STYLESHEETS:
        files[sheet] = (templates_dir() / sheet).read_bytes()
    return files


def _html_name(pdf_name: str) -> str:
    return pdf_name.removesuffix(".pdf") + ".html"


def _title(kind: str, catalogue: Any) -> str:
    if catalogue is not None:
        return f"Attestation {catalogue.id}"
    return {"gap-report": "Gap report", "profile-answers": "Profile answers"}.get(kind, kind)


def _index(
    data: ReportSetData, pages: Sequence[tuple[str, Any, str]], links: HtmlLinks
) -> dict[str, Any]:
    """The index's view: its reports with their PDFs, every control, the family filter."""
    attestation_of = {c.ref: name for _, c, name in pages if c is not None}
    results = {(r.catalogue, r.control_id): r for r in data.evaluation.results}
    rows, families = [], []
    for catalogue in data.catalogues:
        titles = {f.id: f.title for f in catalogue.families}
        families += [
            {"key": f"{catalogue.id}:{f.id}", "title": f.title, "catalogue": catalogue.id}
            for f in catalogue.families
            if any(c.family == f.id for c in catalogue.controls)
        ]
        page = _html_name(attestation_of.get(catalogue.ref, ""))
        for control in catalogue.controls:
            result = results.get((catalogue.ref, control.id))
            if result is None:
                continue
            rows.append(
                {
                    "control": control,
                    "status": result.status,
                    "family": titles.get(control.family, control.family),
                    "family_key": f"{catalogue.id}:{control.family}",
                    "href": f"{page}#control-{control.id}",
                }
            )
    reports: list[dict[str, Any]] = [
        {
            "title": f"Attestation, {catalogue.ref}" if catalogue else _title(kind, None),
            "html": _html_name(name),
            "pdfs": _pdfs(name, links),
        }
        for kind, catalogue, name in pages
    ]
    known = {name for _, _, name in pages}
    for name in sorted(links.pdfs):  # the other PDFs of the pack (the quarterly review)
        if name not in known and not name.endswith(".signed.pdf"):
            reports.append({"title": name.removesuffix(".pdf"), "html": None, "pdfs": _pdfs(name, links)})
    return {
        "rows": rows,
        "families": families,
        "reports": reports,
        "counts": data.evaluation.counts(),
        "status_order": STATUS_ORDER,
        "catalogues": data.catalogues,
    }


def _pdfs(name: str, links: HtmlLinks) -> list[tuple[str, str]]:
    signed = name.removesuffix(".pdf") + ".signed.pdf"
    found = [("PDF", links.pdfs[name])] if name in links.pdfs else []
    if signed in links.pdfs:
        found.append(("signed PDF", links.pdfs[signed]))
    return found


def _policy(script: str) -> str:
    """What a page of the set may load: its own stylesheets and images, and the one script."""
    digest = base64.b64encode(hashlib.sha256(script.encode("utf-8")).digest()).decode()
    return (
        "default-src 'none'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
        f"script-src 'sha256-{digest}'; base-uri 'none'; form-action 'none'"
    )
