"""HTML to PDF/A-3b through WeasyPrint, fetching nothing but the project's own files.

The only module that imports weasyprint, and lazily, so commands that render nothing start fast.
The output is deterministic: the document id comes from ``identifier``, every date from
``created`` (the run's start), and attachments carry the same dates, so the same input gives
the same bytes.
"""

from __future__ import annotations

import hashlib
import io
import logging
import mimetypes
import warnings
from collections.abc import Sequence
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
    import weasyprint

    fetcher = local_only_fetcher(templates_dir())
    logger = logging.getLogger("weasyprint")
    collector = _CollectWarnings()
    logger.addHandler(collector)
    try:
        document = weasyprint.HTML(
            string=html, base_url=templates_dir().as_uri() + "/", url_fetcher=fetcher
        ).render()
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
