"""HTML to PDF through WeasyPrint, fetching nothing but the project's own files.

The only module that imports weasyprint, and lazily, so commands that render nothing start fast.
"""

from __future__ import annotations

import hashlib
import logging
import mimetypes
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from evidence.errors import RenderError
from evidence.resources import templates_dir


class RefusedFetch(RuntimeError):
    """Raised inside WeasyPrint for any URL outside the project's templates folder."""


def _fetcher_class() -> Any:
    from weasyprint import URLFetcher
    from weasyprint.urls import URLFetcherResponse

    class LocalOnlyFetcher(URLFetcher):  # type: ignore[misc]
        """Serves files under templates/ (CSS, fonts, images); refuses every other URL."""

        def __init__(self, root: Path) -> None:
            super().__init__(allowed_protocols={"file"}, allow_redirects=False)
            self.root = root.resolve()
            self.refused: list[str] = []

        def fetch(self, url: str, headers: Any = None) -> Any:
            parts = urlsplit(url)
            path = Path(unquote(parts.path)).resolve() if parts.scheme == "file" else None
            if path is None or not path.is_relative_to(self.root) or not path.is_file():
                self.refused.append(url[:200])
                raise RefusedFetch(f"refused to fetch {url[:200]!r}: only project files are served")
            mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
            return URLFetcherResponse(path.as_uri(), body=path.read_bytes(), headers={"Content-Type": mime})

    return LocalOnlyFetcher


class _CollectWarnings(logging.Handler):
    def __init__(self) -> None:
        super().__init__(level=logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


def write_pdf(
    html: str,
    target: Path,
    *,
    identifier: str,
    options: dict[str, Any] | None = None,
) -> tuple[str, int, list[str]]:
    """Render ``html`` to ``target``; returns (sha256, pages, renderer warnings).

    ``identifier`` fixes the PDF's document id, so the same input gives the same bytes.
    """
    import weasyprint

    root = templates_dir()
    fetcher = _fetcher_class()(root)
    logger = logging.getLogger("weasyprint")
    collector = _CollectWarnings()
    logger.addHandler(collector)
    try:
        document = weasyprint.HTML(
            string=html, base_url=root.as_uri() + "/", url_fetcher=fetcher
        ).render()
        data = document.write_pdf(
            pdf_identifier=hashlib.sha256(identifier.encode()).hexdigest()[:32].encode(),
            **(options or {}),
        )
    except Exception as exc:  # WeasyPrint raises many types; any is a failed render
        raise RenderError(f"cannot render {target.name}: {type(exc).__name__}: {exc}") from exc
    finally:
        logger.removeHandler(collector)
    if fetcher.refused:
        raise RenderError(f"{target.name}: template asked for URLs outside the project: {fetcher.refused}")
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(data)
    return hashlib.sha256(data).hexdigest(), len(document.pages), collector.messages
