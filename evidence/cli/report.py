"""`evidence report`: render the report set of the newest evaluation of a period."""

from __future__ import annotations

from pathlib import Path

from evidence.cli.options import (
    CatalogueOption,
    ConfigOption,
    JsonOption,
    NoSignOption,
    OnlyOption,
    OutOption,
    PeriodOption,
    QuietOption,
)
from evidence.cli.output import RichProgress, print_json, stderr
from evidence.cli.tracing import reraise_internal
from evidence.config import load_config
from evidence.errors import ExitCode


def report(
    config: ConfigOption = Path("evidence.toml"),
    period: PeriodOption = None,
    out: OutOption = Path("out"),
    json: JsonOption = False,
    quiet: QuietOption = False,
    no_sign: NoSignOption = False,
    only: OnlyOption = None,
    catalogue: CatalogueOption = None,
) -> ExitCode:
    """Render the report set from the newest evaluation of the period.

    An attestation per catalogue, the gap report and plan of action, and the
    profile answer sheet: tagged PDF/A-3b files with the evidence manifest
    (JSON) and facts (CSV) embedded, byte-identical for the same store and
    config. When the config's signing table names a PKCS#12 key, a signed
    copy of each (*.signed.pdf) is written beside it. See docs/reports.md.
    """
    from evidence import pipeline  # lazy: keeps `evidence --help` fast

    loaded = load_config(config)
    timing = pipeline.resolve_timing(loaded, period, None)
    with RichProgress(quiet) as progress:
        reports = pipeline.report_stored(
            loaded, timing, out, progress, sign=not no_sign, only=only or (),
            crosswalk_refs=catalogue or (), reraise=reraise_internal(),
        )
    if json:
        print_json([r.model_dump(mode="json") for r in reports])
    elif not quiet:
        for r in reports:
            stderr().print(f"wrote {r.path} ({r.pages} pages, sha256 {r.sha256[:16]}…)")
    return ExitCode.OK
