"""A copy of the shipped DPP catalogue with one text replaced, to test what loading it refuses."""

from __future__ import annotations

from pathlib import Path

from evidence.resources import policies_dir


def edited_catalogue(tmp_path: Path, old: str, new: str, count: int = 1) -> Path:
    """amazon-dpp@2025-11 written to ``tmp_path`` with its ``count`` occurrences of ``old`` replaced."""
    source = (policies_dir() / "amazon-dpp" / "2025-11.yaml").read_text(encoding="utf-8")
    assert source.count(old) == count
    path = tmp_path / "2025-11.yaml"
    path.write_text(source.replace(old, new), encoding="utf-8")
    return path


def line_with(path: Path, text: str) -> int:
    """The 1-based number of the first line of ``path`` holding ``text``."""
    return next(n for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if text in line)
