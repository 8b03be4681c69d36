"""Assurance levels: how far the tool itself vouches for a piece of evidence."""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum


class Assurance(StrEnum):
    """How far the tool itself vouches for a piece of evidence, strongest first.

    ``observed``: read from a live system (an API call, a probe, a database query).
    ``exported``: a system-generated file the user supplied (logs, CLI output, state files,
    scanner output), parsed by a collector. ``attested``: a document or a declaration (a register
    entry, the data map, the config) whose content the tool does not verify.
    """

    OBSERVED = "observed"
    EXPORTED = "exported"
    ATTESTED = "attested"

    @property
    def rank(self) -> int:
        """Higher is stronger: observed 3, exported 2, attested 1."""
        return _ASSURANCE_RANK[self]

    @property
    def verified(self) -> bool:
        """Whether evidence at this level lets the tool call a control verified."""
        return self is not Assurance.ATTESTED

    @property
    def label(self) -> str:
        """Human label used in the terminal and the reports."""
        return _ASSURANCE_LABELS[self]

    @staticmethod
    def weakest(levels: Iterable[Assurance]) -> Assurance | None:
        """The weakest of ``levels`` (None when there are none)."""
        return min(levels, key=lambda a: a.rank, default=None)

    @staticmethod
    def strongest(levels: Iterable[Assurance]) -> Assurance | None:
        """The strongest of ``levels`` (None when there are none)."""
        return max(levels, key=lambda a: a.rank, default=None)


_ASSURANCE_RANK = {Assurance.OBSERVED: 3, Assurance.EXPORTED: 2, Assurance.ATTESTED: 1}
_ASSURANCE_LABELS = {
    Assurance.OBSERVED: "observed",
    Assurance.EXPORTED: "exported",
    Assurance.ATTESTED: "attested",
}
