"""Render speed and memory of the attestation, against WeasyPrint rendering the same HTML alone.

Two attestations: the demo's (samples/, DPP catalogue) and a large one (every DPP control
decided by 200 evidence items, 15,400 items). For each it measures, in a fresh process so that
peak memory is the measurement's own:

  report     the whole render: data -> template -> HTML -> WeasyPrint -> PDF/A-3b with attachments
  template   the template and data layer alone (context, attachments, Jinja)
  weasyprint WeasyPrint alone on the same HTML, with the same options and attachments

and prints pages/s, wall and CPU seconds and peak RSS, and the overhead of our layer over
WeasyPrint alone. Targets: the layer adds at most 10% over WeasyPrint alone; a 50-page attestation
renders in under 10 s. The machine may be busy: compare the ratios, which use CPU time.

Usage: python benchmarks/bench_render.py [--repeat N] [--only demo|large]
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests" / "render"))  # report_builders: synthetic large report data

DPP = "amazon-dpp@2025-11"
MODES = ("report", "template", "weasyprint")


def demo_data(workdir: Path) -> Any:
    """Build the demo's DPP attestation data: the real pipeline on a copy of samples/."""
    from evidence import pipeline
    from evidence.config import load_config
    from evidence.controls.catalogue import load_catalogue

    samples = workdir / "samples"
    shutil.copytree(
        ROOT / "samples", samples, ignore=shutil.ignore_patterns(".evidence", "out", ".demo-keys")
    )
    config = load_config(samples / "evidence.toml")
    outcome = pipeline.full_run(config, pipeline.resolve_timing(config, None, None), None)
    assert outcome.evaluation is not None
    data = pipeline.report_set_data(config, outcome.run, outcome.evaluation, outcome.evidence)
    return data.for_catalogue(load_catalogue(DPP))


def large_data() -> Any:
    """Every DPP control decided by 200 evidence items (synthetic, from tests/render)."""
    from report_builders import report_set

    from evidence.controls.catalogue import load_catalogue

    data = report_set([DPP], items_per_control=200)
    return data.for_catalogue(load_catalogue(DPP))


def measure(which: str, mode: str) -> dict[str, Any]:
    """One measurement (run in its own process): seconds, CPU seconds, pages, peak RSS."""
    import weasyprint

    from evidence.render.attestation import TEMPLATE, attestation_attachments, attestation_context
    from evidence.render.document import report_identifier, write_report
    from evidence.render.html import render_html
    from evidence.render.pdf import PDF_VARIANT, _attachment, local_only_fetcher
    from evidence.resources import templates_dir

    with tempfile.TemporaryDirectory() as tmp:
        data = demo_data(Path(tmp)) if which == "demo" else large_data()
        kind = f"attestation:{data.catalogue.ref}"
        baseline_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        html = files = None
        if mode == "weasyprint":  # prepared outside the timing: WeasyPrint gets finished input
            files = attestation_attachments(data)
            html = render_html(
                TEMPLATE,
                report_id=report_identifier(data.run, kind),
                **attestation_context(data, files),
            )
        wall, cpu = time.perf_counter(), time.process_time()
        if mode == "report":
            files = attestation_attachments(data)
            context = attestation_context(data, files)
            pages = write_report(
                TEMPLATE, context, Path(tmp) / "a.pdf", kind=kind, run=data.run, attachments=files
            ).pages
        elif mode == "template":
            files = attestation_attachments(data)
            render_html(
                TEMPLATE,
                report_id=report_identifier(data.run, kind),
                **attestation_context(data, files),
            )
            pages = 0
        else:
            assert html is not None
            assert files is not None
            document = weasyprint.HTML(
                string=html,
                base_url=templates_dir().as_uri() + "/",
                url_fetcher=local_only_fetcher(templates_dir()),
            ).render()
            document.write_pdf(
                pdf_identifier=b"0" * 32,
                pdf_variant=PDF_VARIANT,
                pdf_tags=True,
                attachments=[_attachment(weasyprint, f, data.run.started_at) for f in files],
            )
            pages = len(document.pages)
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {
        "seconds": wall,
        "cpu": cpu,
        "pages": pages,
        "peak_mib": peak / 1024,
        "before_mib": baseline_rss / 1024,
    }


def _in_subprocess(which: str, mode: str) -> dict[str, Any]:
    out = subprocess.run(
        [sys.executable, __file__, "--measure", which, mode],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    result: dict[str, Any] = json.loads(out.strip().splitlines()[-1])
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--only", choices=("demo", "large"))
    parser.add_argument("--measure", nargs=2, metavar=("WHICH", "MODE"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        print(json.dumps(measure(*args.measure)))
        return
    for which in (args.only,) if args.only else ("demo", "large"):
        best: dict[str, dict[str, Any]] = {}
        for _ in range(args.repeat):
            for mode in MODES:
                result = _in_subprocess(which, mode)
                if mode not in best or result["cpu"] < best[mode]["cpu"]:
                    best[mode] = result
        pages = best["report"]["pages"]
        print(f"== {which} attestation ({pages} pages; best of {args.repeat})")
        print(f"{'':12} {'wall s':>8} {'cpu s':>8} {'pages/s':>8} {'peak MiB':>9}")
        for mode in MODES:
            r = best[mode]
            rate = f"{pages / r['seconds']:8.2f}" if mode != "template" else f"{'':>8}"
            print(f"{mode:12} {r['seconds']:8.2f} {r['cpu']:8.2f} {rate} {r['peak_mib']:9.0f}")
        layer = best["report"]["cpu"] - best["weasyprint"]["cpu"]
        overhead = layer / best["weasyprint"]["cpu"]
        template_share = best["template"]["cpu"] / best["weasyprint"]["cpu"]
        per_50 = 50 * best["report"]["seconds"] / pages
        print(
            f"template+data layer over WeasyPrint alone: {overhead:+.1%} of CPU "
            "(report - weasyprint), "
            f"{template_share:.1%} measured alone (target: at most 10%)"
        )
        print(f"50 pages at this rate: {per_50:.1f} s wall (target: under 10 s on a quiet machine)")


if __name__ == "__main__":
    main()
