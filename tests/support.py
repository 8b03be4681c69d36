"""Helpers every test may import as `tests.support`: the real CLI, PDFs read back, store URLs.

Fixtures live in tests/conftest.py; nested conftest files only add fixtures of their own.
"""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples"
EVIDENCE = Path(sys.executable).parent / "evidence"


@dataclass
class Result:
    """What a CLI invocation returned."""

    code: int
    stdout: str
    stderr: str


def run_cli(
    *args: str | Path, cwd: Path | None = None, env: dict[str, str] | None = None, timeout: float = 300
) -> Result:
    """Run the installed `evidence` console script as a user would."""
    merged = {**os.environ, "COLUMNS": "200", **(env or {})}
    merged.pop("EVIDENCE_TRACEBACK", None)
    proc = subprocess.run(
        [str(EVIDENCE), *map(str, args)],
        cwd=cwd,
        env=merged,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    return Result(proc.returncode, proc.stdout, proc.stderr)


def pdftotext(path: Path, *extra: str) -> str:
    """Text of a PDF through poppler's pdftotext (installed by `make test`)."""
    return subprocess.run(
        ["pdftotext", "-layout", *extra, str(path), "-"], capture_output=True, text=True, check=True
    ).stdout


def with_store(config: Path, url: str) -> Path:
    """Point a config's [store] at ``url`` (rewrites the file in place) and return it."""
    lines = config.read_text(encoding="utf-8").splitlines()
    out, in_store = [], False
    for line in lines:
        stripped = line.strip()
        if stripped.startswith("["):
            in_store = stripped == "[store]"
        if in_store and stripped.startswith("url"):
            line = f'url = "{url}"'
        out.append(line)
    config.write_text("\n".join(out) + "\n", encoding="utf-8")
    return config
