"""How long-running stages report progress without knowing who draws it (the CLI does)."""

from __future__ import annotations

from typing import Protocol


class Progress(Protocol):
    """Receives progress from a stage; the CLI draws bars, tests and --quiet use :data:`SILENT`."""

    def start(self, task: str, total: int | None = None) -> None:
        """A named unit of work begins; ``total`` is in steps (files, bytes) when known."""

    def advance(self, task: str, steps: int = 1) -> None:
        """Some of ``task`` is done."""

    def finish(self, task: str) -> None:
        """``task`` is complete."""

    def note(self, message: str) -> None:
        """A one-line message for the user (a source that failed, a file that was skipped)."""


class _Silent:
    """A Progress that draws nothing and drops notes."""

    def start(self, task: str, total: int | None = None) -> None:
        """Ignore."""

    def advance(self, task: str, steps: int = 1) -> None:
        """Ignore."""

    def finish(self, task: str) -> None:
        """Ignore."""

    def note(self, message: str) -> None:
        """Ignore."""


SILENT: Progress = _Silent()
