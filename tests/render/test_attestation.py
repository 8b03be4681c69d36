"""The attestation PDF, read back: every control with its status, deterministic, fetching nothing."""

import http.server
import re
import subprocess
import threading
from pathlib import Path

import pytest
from pypdf import PdfReader

from evidence import pipeline
from evidence.config import load_config
from evidence.controls.catalogue import load_catalogue
from evidence.model.results import Status
from tests.support import pdftotext


@pytest.fixture
def rendered(samples: Path) -> tuple[Path, pipeline.RunOutcome]:
    config = load_config(samples / "evidence.toml")
    timing = pipeline.resolve_timing(config, None, None)
    outcome = pipeline.full_run(config, timing, samples / "out")
    return samples, outcome


def test_every_control_appears_with_its_status(rendered: tuple[Path, pipeline.RunOutcome]) -> None:
    _, outcome = rendered
    assert outcome.evaluation is not None
    dpp = next(Path(r.path) for r in outcome.reports if "amazon-dpp" in r.path)
    text = pdftotext(dpp)
    statuses = {r.control_id: r.status for r in outcome.evaluation.results if r.catalogue == "amazon-dpp@2025-11"}
    assert len(statuses) == len(load_catalogue("amazon-dpp@2025-11").controls)
    labels = "|".join(re.escape(s.label) for s in Status)
    for control_id, status in statuses.items():
        rows = re.findall(rf"^\s*{re.escape(control_id)}\s+.*?({labels})", text, re.MULTILINE | re.IGNORECASE)
        assert rows, f"{control_id} not listed with a status"
        assert rows[0].lower() == status.label.lower()
    reader = PdfReader(dpp)
    assert len(reader.pages) == next(r.pages for r in outcome.reports if r.path == str(dpp))
    assert "Fennel & Finch Commerce Ltd" in text and "2026-Q3" in text


def test_first_page_renders_to_a_non_blank_png(rendered: tuple[Path, pipeline.RunOutcome], tmp_path: Path) -> None:
    _, outcome = rendered
    pdf = Path(outcome.reports[0].path)
    subprocess.run(["pdftoppm", "-png", "-r", "40", "-f", "1", "-l", "1", str(pdf), str(tmp_path / "p")], check=True)
    png = next(tmp_path.glob("p*.png"))
    from PIL import Image

    histogram = Image.open(png).convert("L").histogram()
    dark = sum(histogram[:128])
    assert dark > 500, "page 1 is blank"


def test_two_renders_of_the_same_run_are_byte_identical(
    rendered: tuple[Path, pipeline.RunOutcome], tmp_path: Path
) -> None:
    samples, outcome = rendered
    config = load_config(samples / "evidence.toml")
    assert outcome.evaluation is not None
    first = pipeline.render(config, outcome.run, outcome.evaluation, outcome.evidence, tmp_path / "a")
    second = pipeline.render(config, outcome.run, outcome.evaluation, outcome.evidence, tmp_path / "b")
    for (one, one_path), (two, two_path) in zip(first, second, strict=True):
        assert one.sha256 == two.sha256
        assert one_path.read_bytes() == two_path.read_bytes()


class _Recorder(http.server.BaseHTTPRequestHandler):
    hits: list[str] = []

    def do_GET(self) -> None:  # noqa: N802 - http.server's naming
        _Recorder.hits.append(self.path)
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


def test_markup_in_evidence_renders_as_text_and_fetches_nothing(samples: Path) -> None:
    server = http.server.HTTPServer(("127.0.0.1", 0), _Recorder)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        port = server.server_address[1]
        register = samples / "documents" / "register.toml"
        text = register.read_text(encoding="utf-8")
        hostile = f'<img src="http://127.0.0.1:{port}/latest/meta-data/"> IR plan'
        register.write_text(
            text.replace('title = "Incident Response Plan v4"', f"title = '{hostile}'"), encoding="utf-8"
        )
        config = load_config(samples / "evidence.toml")
        outcome = pipeline.full_run(config, pipeline.resolve_timing(config, None, None), samples / "out")
        dpp = next(Path(r.path) for r in outcome.reports if "amazon-dpp" in r.path)
        assert f'<img src="http://127.0.0.1:{port}/latest/meta-data/">' in pdftotext(dpp, "-raw").replace("\n", "")
        assert _Recorder.hits == []
    finally:
        server.shutdown()
        server.server_close()


def test_fetcher_refuses_every_url_outside_templates(tmp_path: Path) -> None:
    from evidence.errors import RenderError
    from evidence.render.pdf import write_pdf

    html = '<html><body><img src="http://169.254.169.254/latest/meta-data/"><p>x</p></body></html>'
    with pytest.raises(RenderError, match="outside the project"):
        write_pdf(html, tmp_path / "x.pdf", identifier="t")
    html = '<html><head><link rel="stylesheet" href="file:///etc/passwd"></head><body>x</body></html>'
    with pytest.raises(RenderError, match="outside the project"):
        write_pdf(html, tmp_path / "y.pdf", identifier="t")
