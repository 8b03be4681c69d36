"""The one exception hierarchy the CLI turns into messages and exit codes."""

from __future__ import annotations

from pathlib import Path


class EvidenceError(Exception):
    """Root of every error that is the user's to fix (exit code 2), never a bug of ours."""


class ConfigError(EvidenceError):
    """The configuration file is missing, malformed or names something that does not exist."""


class InputError(EvidenceError):
    """An input file cannot be read or parsed; names the file, the line (when known) and the cause."""

    def __init__(self, path: str | Path, reason: str, line: int | None = None) -> None:
        self.path = str(path)
        self.line = line
        self.reason = reason
        super().__init__(self.location + ": " + reason)

    @property
    def location(self) -> str:
        """``file:line`` (or just ``file`` when the cause is not tied to a line)."""
        return f"{self.path}:{self.line}" if self.line is not None else self.path


class PolicyError(EvidenceError):
    """A policy catalogue under policies/ is missing or does not match the schema."""


class StoreError(EvidenceError):
    """The evidence store cannot be opened, migrated or does not hold what was asked for."""


class WaiverError(EvidenceError):
    """A waiver the rules refuse: longer than a year, already expired, or for an unknown control."""


class RenderError(EvidenceError):
    """A report could not be rendered (template or PDF engine failure caused by input)."""


class PackError(EvidenceError):
    """An auditor pack cannot be written, opened or verified."""


class SampleError(EvidenceError):
    """A sample cannot be drawn: unknown control, empty population, bad seed or size."""


class SealError(EvidenceError):
    """Stored evidence, statuses or copies differ from what was sealed (exit code 4, never 2)."""
