"""HTML to PDF/A-3b through WeasyPrint, fetching nothing but the project's own files.

The only module that imports weasyprint, and lazily, so commands that render nothing start fast.
The output is deterministic: the document id comes from ``identifier``, every date from
``created`` (the run's start), and attachments carry the same dates, so the same input gives
the same bytes, whichever process renders it. `write_pdfs` renders several documents at once,
one process each (WeasyPrint's layout is pure Python: threads would share one core).
"""

from __future__ import annotations

import hashlib
import io
import logging
import mimetypes
import multiprocessing
import os
import warnings
from collections.abc import Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from evidence.errors import RenderError
from evidence.render.attachments import EmbeddedFile
from evidence.resources import templates_dir

#: PDF/A-3 allows embedded files of any type (PDF/A-2 only PDF/A files), with AFRelationship.
PDF_VARIANT = "pdf/a-3b"

#: What the fetcher serves from templates/: stylesheets, fonts and images, never templates.
SERVED_SUFFIXES = frozenset(
    {".css", ".ttf", ".otf", ".woff", ".woff2", ".png", ".jpg", ".jpeg", ".gif", ".svg"}
)


class RefusedFetch(RuntimeError):
    """Raised inside WeasyPrint for any URL outside the project's templates folder."""


def local_only_fetcher(root: Path) -> Any:
    """Make a WeasyPrint URL fetcher that serves files under ``root`` and refuses other URLs.

    Each refused URL is kept in its ``refused`` list (cut to 200 characters), so a caller can
    prove that nothing was fetched from outside.
    """
    from weasyprint import URLFetcher
    from weasyprint.urls import URLFetcherResponse

    class LocalOnlyFetcher(URLFetcher):  # type: ignore[misc]
        """Serves stylesheets, fonts and images under templates/; refuses every other URL."""

        def __init__(self, root: Path) -> None:
            super().__init__(allowed_protocols={"file"}, allow_redirects=False)
            self.root = root.resolve()
            self.refused: list[str] = []

        def fetch(self, url: str, headers: Any = None) -> Any:
            parts = urlsplit(url)
            path = (
                Path(unquote(parts.path)).resolve()
                if parts.scheme == "file" and not parts.netloc
                else None
            )
            if (
                path is None
                or not path.is_relative_to(self.root)
                or path.suffix.lower() not in SERVED_SUFFIXES
                or not path.is_file()
            ):
                self.refused.append(url[:200])
                raise RefusedFetch(f"refused to fetch {url[:200]!r}: only project files are served")
            mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
            return URLFetcherResponse(
                path.as_uri(), body=path.read_bytes(), headers={"Content-Type": mime}
            )

    return LocalOnlyFetcher(root)


class _CollectWarnings(logging.Handler):
    def __init__(self) -> None:
        super().__init__(level=logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


@dataclass(frozen=True)
class PdfResult:
    """A PDF written to disk: its SHA-256 and page count."""

    sha256: str
    pages: int


@dataclass(frozen=True)
class PdfJob:
    """One document to write: everything `write_pdf` takes, in a form another process can take."""

    html: str
    target: Path
    identifier: str
    created: datetime
    attachments: tuple[EmbeddedFile, ...] = ()

    def run(self) -> PdfResult:
        """Write this document (in whichever process calls it)."""
        return write_pdf(
            self.html,
            self.target,
            identifier=self.identifier,
            created=self.created,
            attachments=self.attachments,
        )


def render_document(html: str, fetcher: Any = None) -> Any:
    """Lay ``html`` out as WeasyPrint pages (a ``weasyprint.Document``), fetching only our files.

    `write_pdf` writes it; the layout tests read its boxes.
    """
    import weasyprint

    return weasyprint.HTML(
        string=html,
        base_url=templates_dir().as_uri() + "/",
        url_fetcher=fetcher or local_only_fetcher(templates_dir()),
    ).render()


def available_processes() -> int:
    """CPUs this process may run on (its affinity mask, not the machine's count)."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def write_pdfs(
    jobs: Sequence[PdfJob], processes: int | None = None
) -> Iterator[tuple[int, PdfResult]]:
    """Write every job, up to ``processes`` at a time; yield (job index, result) as each ends.

    Workers come from a fork server that has imported WeasyPrint once, so a worker starts in
    milliseconds and shares no thread or lock with the caller (the progress display runs a
    thread). The first failure is raised once the jobs already running have ended; the jobs
    not yet started are dropped.
    """
    processes = min(processes or available_processes(), len(jobs))
    if processes <= 1:
        for index, job in enumerate(jobs):
            yield index, job.run()
        return
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload([__name__, "weasyprint"])
    pool = ProcessPoolExecutor(max_workers=processes, mp_context=context)
    try:
        pending: dict[Future[PdfResult], int] = {
            pool.submit(job.run): index for index, job in enumerate(jobs)
        }
        while pending:
            done, _ = wait(pending, return_when=FIRST_COMPLETED)
            for future in sorted(done, key=pending.__getitem__):
                index = pending.pop(future)
                yield index, future.result()
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def write_pdf(
    html: str,
    target: Path,
    *,
    identifier: str,
    created: datetime,
    attachments: Sequence[EmbeddedFile] = (),
) -> PdfResult:
    """Render ``html`` to a tagged PDF/A-3b at ``target`` with ``attachments`` embedded.

    ``identifier`` fixes the PDF's document id and ``created`` its dates, so the same input
    gives the same bytes. Any renderer warning or any URL outside templates/ fails the render
    (RenderError): a half-rendered report is never written.
    """
    fetcher = local_only_fetcher(templates_dir())
    logger = logging.getLogger("weasyprint")
    collector = _CollectWarnings()
    logger.addHandler(collector)
    try:
        import weasyprint

        document = render_document(html, fetcher)
        with warnings.catch_warnings():
            # WeasyPrint 70 opens its sRGB output-intent profile (PDF/A) and leaves the file
            # for the garbage collector; nothing of ours is left open.
            warnings.filterwarnings("ignore", r"unclosed file .*sRGB2014\.icc", ResourceWarning)
            data = document.write_pdf(
                pdf_identifier=hashlib.sha256(identifier.encode()).hexdigest()[:32].encode(),
                pdf_variant=PDF_VARIANT,
                pdf_tags=True,
                attachments=[_attachment(weasyprint, f, created) for f in attachments],
                finisher=_associate_each_file_once,
            )
    except Exception as exc:  # WeasyPrint raises many types; any is a failed render
        raise RenderError(f"cannot render {target.name}: {type(exc).__name__}: {exc}") from exc
    finally:
        logger.removeHandler(collector)
    if fetcher.refused:
        raise RenderError(
            f"{target.name}: the document asked for URLs outside the project: {fetcher.refused[:5]}"
        )
    if collector.messages:
        raise RenderError(f"{target.name}: renderer warnings: {'; '.join(collector.messages[:5])}")
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(data)
    return PdfResult(sha256=hashlib.sha256(data).hexdigest(), pages=len(document.pages))


def _associate_each_file_once(document: Any, pdf: Any) -> None:
    """Keep one entry per embedded file in the catalogue's /AF (associated files) array.

    WeasyPrint 70 lists each file twice there: once from the EmbeddedFiles name tree and once
    from the file specifications it walks afterwards.
    """
    associated = pdf.catalog.get("AF")
    if associated:
        pdf.catalog["AF"] = type(associated)(dict.fromkeys(associated))  # a pydyf.Array


def _attachment(weasyprint: Any, file: EmbeddedFile, created: datetime) -> Any:
    # Dates are the run's, not the clock's (WeasyPrint would use now()), for identical bytes.
    return weasyprint.Attachment(
        file_obj=io.BytesIO(file.data),
        name=file.name,
        description=file.description,
        created=created,
        modified=created,
        relationship=file.relationship,
    )
