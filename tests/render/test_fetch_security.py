"""Untrusted text renders as text and fetches nothing; the renderer serves only project files."""

from __future__ import annotations

import http.server
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from pdf_readers import pdftotext
from report_builders import STARTED, evaluation_for, report_set, small_catalogue

from evidence.errors import RenderError
from evidence.render.attestation import render_attestation
from evidence.render.pdf import RefusedFetch, local_only_fetcher, write_pdf
from evidence.resources import templates_dir

METADATA_TAG = '<img src="http://169.254.169.254/latest/meta-data/">'


class Recorder(http.server.BaseHTTPRequestHandler):
    """Records every request path; the tests expect none."""

    requests: list[str] = []

    def do_GET(self) -> None:  # noqa: N802 (the name http.server calls)
        Recorder.requests.append(self.path)
        self.send_response(200)
        self.send_header("Content-Type", "image/png")
        self.end_headers()

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        """Stay quiet."""


@pytest.fixture
def loopback() -> Iterator[str]:
    """Serve HTTP on 127.0.0.1 (ephemeral port), recording requests; yield the base URL."""
    Recorder.requests = []
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Recorder)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()
    thread.join()


def test_markup_in_evidence_renders_as_text_and_fetches_nothing(
    loopback: str, tmp_path: Path
) -> None:
    local_tag = f'<img src="{loopback}/latest/meta-data/">'
    hostile = [
        f"log line: {METADATA_TAG}",
        f"log line: {local_tag}",
        f'<link rel="stylesheet" href="{loopback}/evil.css">',
        f'<span style="background: url({loopback}/bg)">x</span>',
    ]
    catalogue = small_catalogue(controls=2)
    evaluation, evidence = evaluation_for([catalogue], 2)
    for result in evaluation.results:
        result.reasons = hostile
    evidence[0].subject = local_tag
    evidence[0].facts["line"] = METADATA_TAG
    data = report_set(catalogues=[catalogue], evaluation=(evaluation, evidence))
    target = tmp_path / "attestation.pdf"
    render_attestation(data.for_catalogue(catalogue), target)  # raises if any URL was asked for
    text = " ".join(pdftotext(target).split())
    assert METADATA_TAG in text
    assert local_tag in text
    assert f'href="{loopback}/evil.css">' in text
    assert f"url({loopback}/bg)" in text
    assert Recorder.requests == []


def test_a_document_that_asks_for_a_remote_resource_is_refused(
    loopback: str, tmp_path: Path
) -> None:
    html = f'<html><body><p>x</p><img src="{loopback}/pixel.png"></body></html>'
    with pytest.raises(RenderError, match="outside the project"):
        write_pdf(html, tmp_path / "x.pdf", identifier="t", created=STARTED)
    assert Recorder.requests == []
    assert not (tmp_path / "x.pdf").exists()


def test_a_renderer_warning_fails_the_render(tmp_path: Path) -> None:
    html = '<html><body><p style="colour: red">x</p></body></html>'
    with pytest.raises(RenderError, match="renderer warnings"):
        write_pdf(html, tmp_path / "x.pdf", identifier="t", created=STARTED)
    assert not (tmp_path / "x.pdf").exists()


@pytest.mark.parametrize(
    "url",
    [
        "http://169.254.169.254/latest/meta-data/",
        "https://example.com/font.ttf",
        "file:///etc/passwd",
        "data:image/png;base64,iVBORw0KGgo=",
        "ftp://example.com/x.css",
    ],
)
def test_the_fetcher_refuses_anything_but_project_files(url: str) -> None:
    fetcher = local_only_fetcher(templates_dir())
    with pytest.raises(RefusedFetch):
        fetcher.fetch(url)
    assert fetcher.refused == [url]


def test_the_fetcher_refuses_templates_and_paths_that_escape_the_folder(loopback: str) -> None:
    root = templates_dir()
    fetcher = local_only_fetcher(root)
    for url in (
        (root / "attestation.html.j2").as_uri(),
        root.as_uri() + "/../pyproject.toml",
        root.as_uri() + "/css/../../evidence/render/pdf.py",
        f"{loopback}/templates/css/report.css",
    ):
        with pytest.raises(RefusedFetch):
            fetcher.fetch(url)
    assert len(fetcher.refused) == 4
    assert Recorder.requests == []


def test_the_fetcher_serves_the_project_stylesheets_and_fonts() -> None:
    root = templates_dir()
    fetcher = local_only_fetcher(root)
    css = fetcher.fetch((root / "css" / "report.css").as_uri())
    font = fetcher.fetch((root / "fonts" / "DejaVuSans.ttf").as_uri())
    assert b"@page" in css.read()
    assert font.read()[:4] == b"\x00\x01\x00\x00"  # a TrueType font
    assert fetcher.refused == []
