"""The one exception hierarchy, and the exit codes the CLI turns its errors (and results) into."""

from __future__ import annotations

from enum import IntEnum
from pathlib import Path


class ExitCode(IntEnum):
    """Every exit code of `evidence`, documented once here (the --help epilog and docs/cli.md list them).

    Only the CLI turns errors into these: an :class:`EvidenceError` is the user's to fix (2, or 4
    for a :class:`SealError`); any other exception is a bug of ours (1).
    """

    OK = 0
    INTERNAL_ERROR = 1
    USER_ERROR = 2
    GAPS_FOUND = 3
    VERIFICATION_FAILED = 4
    INTERRUPTED = 130

    @property
    def meaning(self) -> str:
        """One line saying when the code is given (for --help and docs/cli.md)."""
        return _MEANINGS[self]


_MEANINGS = {
    ExitCode.OK: "all met, or the command succeeded",
    ExitCode.INTERNAL_ERROR: "internal error, a bug (--traceback shows the Python traceback)",
    ExitCode.USER_ERROR: "usage, config, input or store error (one line names the file, key or line)",
    ExitCode.GAPS_FOUND: "gaps found: a control is not met or has insufficient evidence",
    ExitCode.VERIFICATION_FAILED: (
        "verification failed: stored evidence, statuses or copies differ from their seals, "
        "the chain is broken, or a pack failed verify"
    ),
    ExitCode.INTERRUPTED: "interrupted (Ctrl-C) or aborted",
}


class EvidenceError(Exception):
    """Root of every error that is the user's to fix (``ExitCode.USER_ERROR``), never a bug of ours."""


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
    """Stored evidence, statuses or copies differ from what was sealed (``ExitCode.VERIFICATION_FAILED``)."""
