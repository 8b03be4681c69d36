"""Reading rendered PDFs back: poppler (pdftotext, pdfinfo, pdftoppm, pdfsig) and pypdf."""

from __future__ import annotations

import io
import json
import re
import subprocess
from pathlib import Path

from PIL import Image
from pypdf import PdfReader

from tests.support import pdftotext as support_pdftotext
from tests.support import pdftotext_page


def pdfsig(path: Path, nssdb: Path) -> str:
    """Poppler's verdict on every signature of ``path``, trusting the CAs in ``nssdb``."""
    proc = subprocess.run(
        ["pdfsig", "-nssdir", f"sql:{nssdb}", str(path)],
        capture_output=True,
        text=True,
        check=False,
    )
    return proc.stdout + proc.stderr


def page_text(path: Path, page: int, mode: str = "-layout") -> str:
    """Text of one page (1-based) through pdftotext.

    Laid out as printed, or with ``-raw`` in content-stream order (a cell's lines stay together).
    """
    return pdftotext_page(path, page, mode)


def pdfinfo_pages(path: Path) -> int:
    """Page count as poppler's pdfinfo reads it."""
    out = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    match = re.search(r"^Pages:\s+(\d+)$", out, re.MULTILINE)
    assert match, out
    return int(match[1])


def attachments(path: Path) -> dict[str, bytes]:
    """Embedded files of a PDF by name, read with pypdf."""
    reader = PdfReader(path)
    return {name: contents[0] for name, contents in reader.attachments.items()}


def manifest(path: Path) -> dict[str, object]:
    """Read the evidence manifest embedded in a report."""
    loaded = json.loads(attachments(path)["evidence-manifest.json"])
    assert isinstance(loaded, dict)
    return loaded


def first_page_png(path: Path, folder: Path) -> Image.Image:
    """Render the first page to PNG with pdftoppm (50 dpi) and open it with Pillow."""
    prefix = folder / path.stem
    subprocess.run(
        [
            "pdftoppm",
            "-r",
            "50",
            "-png",
            "-singlefile",
            "-f",
            "1",
            "-l",
            "1",
            str(path),
            str(prefix),
        ],
        check=True,
    )
    data = prefix.with_suffix(".png").read_bytes()
    return Image.open(io.BytesIO(data))


def pdfa_identification(path: Path) -> tuple[str | None, str | None]:
    """(part, conformance) of the PDF/A identification in the XMP metadata."""
    reader = PdfReader(path)
    xmp = reader.xmp_metadata
    assert xmp is not None, f"{path.name} has no XMP metadata"
    raw = xmp.stream.get_data().decode("utf-8")
    part = re.search(r'pdfaid:part="(\d)"|<pdfaid:part>(\d)<', raw)
    conformance = re.search(r'pdfaid:conformance="([ABU])"|<pdfaid:conformance>([ABU])<', raw)
    return (
        (part[1] or part[2]) if part else None,
        (conformance[1] or conformance[2]) if conformance else None,
    )


def pdftotext(path: Path) -> str:
    """Text of the whole PDF through pdftotext, laid out as printed."""
    return support_pdftotext(path)


def pdffonts(path: Path) -> list[dict[str, object]]:
    """Fonts of a PDF as poppler's pdffonts lists them: name, type and whether embedded."""
    out = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout
    fonts = []
    for line in out.splitlines()[2:]:
        fields = line.split()
        # name type [subtype...] encoding emb sub uni object generation
        fonts.append({"name": fields[0], "embedded": fields[-5] == "yes"})
    assert fonts, out
    return fonts
