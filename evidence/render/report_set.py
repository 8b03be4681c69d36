"""The whole report set of a run, each report written to a partial file the pipeline renames.

An attestation per catalogue, the gap report and plan of action, and the profile answer sheet,
written in parallel processes; signed copies are made here, in the calling process.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from evidence.model.catalogue import Catalogue
from evidence.model.period import Period
from evidence.model.progress import SILENT, Progress
from evidence.model.report import RenderedReport, ReportSetData
from evidence.render.attachments import evidence_facts_csv
from evidence.render.attestation import prepare_attestation
from evidence.render.document import PreparedReport
from evidence.render.gaps import prepare_gap_report
from evidence.render.pdf import PdfResult, write_pdfs
from evidence.render.profile import prepare_profile_sheet
from evidence.render.sign import SigningKey, sign_pdf, signed_path


@dataclass(frozen=True)
class RenderedFile:
    """A report written to ``partial``; ``report.path`` is where it belongs once the run commits."""

    report: RenderedReport
    partial: Path


def _label(period: Period) -> str:
    return period.label.replace("..", "_to_")


def attestation_name(catalogue: Catalogue, period: Period) -> str:
    """File name of a catalogue's attestation for a period."""
    return f"attestation-{catalogue.id}-{catalogue.version}-{_label(period)}.pdf"


def gap_report_name(period: Period) -> str:
    """File name of the gap report and plan of action for a period."""
    return f"gap-report-{_label(period)}.pdf"


def profile_sheet_name(period: Period) -> str:
    """File name of the profile answer sheet for a period."""
    return f"profile-answers-{_label(period)}.pdf"


def partial_path(final: Path) -> Path:
    """Name the hidden file a report is written to until the run commits."""
    return final.with_name(f".{final.name}.partial")


GAP_REPORT = "gap-report"
PROFILE_ANSWERS = "profile-answers"


def report_names(catalogues: Collection[Catalogue]) -> list[str]:
    """The names ``--only`` accepts: each catalogue's id, then the gap report and the profile sheet."""
    return [*(c.id for c in catalogues), GAP_REPORT, PROFILE_ANSWERS]


@dataclass(frozen=True)
class SetMember:
    """One report of the set: its ``--only`` name, its PDF's final path and its preparation."""

    name: str
    path: Path
    report: PreparedReport


def prepare_report_set(
    data: ReportSetData, out_dir: Path, *, only: Collection[str] = ()
) -> list[SetMember]:
    """Prepare every report of ``data`` (or those named in ``only``): attestations first.

    The facts CSV is built once and embedded in every report. The same preparations render the
    PDFs (`render_report_set`) and the HTML report set (`evidence.render.html_set`).
    """
    period = data.run.period
    facts = evidence_facts_csv(data.evidence)
    wanted: list[tuple[str, Path, Callable[[], PreparedReport]]] = [
        (
            c.id,
            out_dir / attestation_name(c, period),
            partial(prepare_attestation, data.for_catalogue(c), facts=facts),
        )
        for c in data.catalogues
    ]
    wanted.append(
        (GAP_REPORT, out_dir / gap_report_name(period), partial(prepare_gap_report, data, facts=facts))
    )
    wanted.append(
        (
            PROFILE_ANSWERS,
            out_dir / profile_sheet_name(period),
            partial(prepare_profile_sheet, data, facts=facts),
        )
    )
    return [SetMember(name, path, prepare()) for name, path, prepare in wanted if not only or name in only]


def render_report_set(
    data: ReportSetData,
    out_dir: Path,
    progress: Progress = SILENT,
    *,
    key: SigningKey | None = None,
    only: Collection[str] = (),
    processes: int | None = None,
) -> list[RenderedFile]:
    """Render every report of ``data`` (or those named in ``only``) into ``out_dir``, as partial files.

    The documents are written in parallel, up to ``processes`` at once (default: one per CPU).
    A signed copy of each is written when ``key`` is given. Names in ``only`` are those of
    `report_names`. On any failure no partial file is left behind.
    """
    members = prepare_report_set(data, out_dir, only=only)
    jobs = [m.report.pdf_job(partial_path(m.path)) for m in members]
    results: dict[int, PdfResult] = {}
    progress.start("reports", total=len(jobs))
    try:
        for index, result in write_pdfs(jobs, processes):
            results[index] = result
            progress.advance("reports")
        rendered: list[RenderedFile] = []
        for index, member in enumerate(members):
            unsigned, result = jobs[index].target, results[index]
            report = RenderedReport(
                kind=member.report.kind, path=str(member.path), sha256=result.sha256, pages=result.pages
            )
            rendered.append(RenderedFile(report, unsigned))
            if key is not None:
                signed_final = signed_path(member.path)
                signed = sign_pdf(
                    unsigned,
                    partial_path(signed_final),
                    key,
                    kind=report.kind,
                    pages=report.pages,
                    reason=_reason(data, report.kind),
                )
                rendered.append(
                    RenderedFile(
                        signed.model_copy(update={"path": str(signed_final)}),
                        partial_path(signed_final),
                    )
                )
    except BaseException:
        for job in jobs:
            job.target.unlink(missing_ok=True)
            partial_path(signed_path(job.target)).unlink(missing_ok=True)
        raise
    progress.finish("reports")
    return rendered


def _reason(data: ReportSetData, kind: str) -> str:
    what = kind.split(":", 1)[0].replace("-", " ")
    return f"{what} of {data.organisation.legal_name} for {data.run.period.label}"
