"""The whole report set of a run, each report written to a partial file the pipeline renames.

An attestation per catalogue, the gap report and plan of action, and the profile answer sheet.
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
from evidence.render.attachments import EmbeddedFile, evidence_facts_csv
from evidence.render.attestation import render_attestation
from evidence.render.gaps import render_gap_report
from evidence.render.profile import render_profile_sheet
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


def render_report_set(
    data: ReportSetData,
    out_dir: Path,
    progress: Progress = SILENT,
    *,
    key: SigningKey | None = None,
    only: Collection[str] = (),
) -> list[RenderedFile]:
    """Render every report of ``data`` (or those named in ``only``) into ``out_dir``, as partial files.

    A signed copy of each is written when ``key`` is given. The facts CSV is built once and
    embedded in every report. Names in ``only`` are those of `report_names`.
    """
    period = data.run.period
    facts = evidence_facts_csv(data.evidence)
    jobs: list[tuple[str, Path, Callable[[Path], RenderedReport]]] = [
        (c.id, out_dir / attestation_name(c, period), partial(_attestation, data, c, facts=facts))
        for c in data.catalogues
    ]
    jobs.append(
        (GAP_REPORT, out_dir / gap_report_name(period), partial(render_gap_report, data, facts=facts))
    )
    jobs.append(
        (
            PROFILE_ANSWERS,
            out_dir / profile_sheet_name(period),
            partial(render_profile_sheet, data, facts=facts),
        )
    )
    if only:
        jobs = [job for job in jobs if job[0] in only]
    rendered: list[RenderedFile] = []
    progress.start("reports", total=len(jobs))
    for _, final, render in jobs:
        unsigned = partial_path(final)
        report = render(unsigned)
        rendered.append(RenderedFile(report.model_copy(update={"path": str(final)}), unsigned))
        if key is not None:
            signed_final = signed_path(final)
            signed_partial = partial_path(signed_final)
            signed = sign_pdf(
                unsigned,
                signed_partial,
                key,
                kind=report.kind,
                pages=report.pages,
                reason=_reason(data, report.kind),
            )
            rendered.append(
                RenderedFile(signed.model_copy(update={"path": str(signed_final)}), signed_partial)
            )
        progress.advance("reports")
    progress.finish("reports")
    return rendered


def _attestation(
    data: ReportSetData, catalogue: Catalogue, target: Path, *, facts: EmbeddedFile
) -> RenderedReport:
    return render_attestation(data.for_catalogue(catalogue), target, facts=facts)


def _reason(data: ReportSetData, kind: str) -> str:
    what = kind.split(":", 1)[0].replace("-", " ")
    return f"{what} of {data.organisation.legal_name} for {data.run.period.label}"
