"""What the terminal shows is what the tool means: no markup or emoji taken from the data."""

from __future__ import annotations

from pathlib import Path

import pytest

from evidence.cli.output import RichProgress, stdout
from tests.support import run_cli

FINGERPRINT = "14:70:28:4E:A5:B8:72:AB:79:30:78:25"


def test_a_note_prints_config_tables_and_fingerprints_as_they_are(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with RichProgress(quiet=False) as progress:
        progress.note(f"no PII store is declared in [access].pii_stores; key {FINGERPRINT} [/x]")
    err = capsys.readouterr().err
    assert "[access].pii_stores" in err
    assert FINGERPRINT in err  # ":AB:" is not an emoji code here
    assert "[/x]" in err


def test_results_print_fingerprints_as_they_are(capsys: pytest.CaptureFixture[str]) -> None:
    stdout().print(f"signed by {FINGERPRINT}")
    assert FINGERPRINT in capsys.readouterr().out


def test_init_names_the_tables_to_fill_in(tmp_path: Path) -> None:
    result = run_cli("init", cwd=tmp_path)
    assert result.code == 0, result.stderr
    assert "[organisation] and [[sources]]" in " ".join(result.stderr.split())
