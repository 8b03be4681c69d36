"""`evidence report`: render the attestation PDFs of the newest evaluation of a period."""

from __future__ import annotations

from pathlib import Path

from evidence.cli.options import ConfigOption, JsonOption, OutOption, PeriodOption, QuietOption
from evidence.cli.output import RichProgress, print_json, stderr
from evidence.config import load_config


def report(
    config: ConfigOption = Path("evidence.toml"),
    period: PeriodOption = None,
    out: OutOption = Path("out"),
    json: JsonOption = False,
    quiet: QuietOption = False,
) -> int:
    """Render the attestation PDF of each catalogue from the newest evaluation of the period."""
    from evidence import pipeline  # lazy: keeps `evidence --help` fast

    loaded = load_config(config)
    timing = pipeline.resolve_timing(loaded, period, None)
    with RichProgress(quiet) as progress:
        reports = pipeline.report_stored(loaded, timing, out, progress)
    if json:
        print_json([r.model_dump(mode="json") for r in reports])
    elif not quiet:
        for r in reports:
            stderr().print(f"wrote {r.path} ({r.pages} pages, sha256 {r.sha256[:16]}…)")
    return 0
