"""[documents] Registers the documents that prove a process: IR plan, pen test, access reviews, ...

A register (TOML) lists each document with its type, the controls it supports, its owner, its
date and its next review, and under ``[document.record]`` the fields its type requires
(policies/doc-types.yaml: an access review names its reviewer, population source, accounts
reviewed and changes made). The collector hashes each file and yields one ``document`` item per
entry; an entry missing a required field is kept with ``missing_fields`` set, so checks can say
why it does not count. An access review given as a CSV (account, reviewer, decision, date) is
read row by row: the accounts become keyed pseudonyms, comparable with the principals in logs.
Bad entries are rejected as ``register:line: reason``; the rest are kept.
"""

from __future__ import annotations

import datetime as dt
import difflib
import os
import tomllib
from collections.abc import Iterator
from datetime import UTC, date, datetime, time
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from evidence.collectors.access_review import read_access_review, scrubbed_review
from evidence.collectors.base import Collector, CollectorContext, CollectorSettings
from evidence.collectors.inputs import inside, open_input
from evidence.errors import InputError
from evidence.model.assurance import Assurance
from evidence.model.evidence import EvidenceItem, ParseStats
from evidence.resources import policies_dir

KIND = "document"

_TEXT_SUFFIXES = {".md", ".txt", ".csv", ".json", ".yaml", ".yml", ".html", ".htm", ".xml", ".toml"}


class DocumentsSettings(CollectorSettings):
    """Settings: one or more register files."""

    registers: list[Path] = Field(min_length=1)


class DocumentEntry(BaseModel):
    """One ``[[document]]`` entry of a register."""

    model_config = ConfigDict(extra="forbid")

    file: Path
    type: str = Field(min_length=1)
    title: str = Field(min_length=1)
    controls: list[str] = Field(default_factory=list)
    owner: str = Field(min_length=1)
    date: dt.date
    next_review: dt.date | None = None
    approved_by: str | None = None
    approved_on: dt.date | None = None
    covers_start: dt.date | None = None
    covers_end: dt.date | None = None
    copy_file: bool = Field(default=True, alias="copy")
    record: dict[str, str | int | float | bool | dt.date] = Field(default_factory=dict)


class DocType(BaseModel):
    """A document type of policies/doc-types.yaml: what it is and the register fields it needs."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    description: str
    fields: dict[str, str] = Field(default_factory=dict)
    auditor: str | None = None


#: Required fields read from the register entry itself rather than from ``[document.record]``.
ENTRY_FIELDS = {
    "approved_by": ("approved_by",),
    "approved_on": ("approved_on",),
    "covers": ("covers_start", "covers_end"),
}


@cache
def known_doc_types() -> dict[str, DocType]:
    """The document types the catalogues name (policies/doc-types.yaml), with their fields."""
    data = yaml.safe_load((policies_dir() / "doc-types.yaml").read_text(encoding="utf-8"))
    return {
        name: DocType(description=value) if isinstance(value, str) else DocType.model_validate(value)
        for name, value in data["doc_types"].items()
    }


def missing_fields(entry: DocumentEntry, doc_type: DocType) -> list[str]:
    """The fields ``doc_type`` requires that ``entry`` leaves out or empty."""
    missing = []
    for name in doc_type.fields:
        if name in ENTRY_FIELDS:
            present = all(getattr(entry, attr) is not None for attr in ENTRY_FIELDS[name])
        else:
            value = entry.record.get(name)
            present = value is not None and str(value).strip() != ""
        if not present:
            missing.append(name)
    return missing


class DocumentsCollector(Collector[DocumentsSettings]):
    """Hashes registered documents and records their type, controls, owner and dates."""

    id = "documents"
    assurance = Assurance.ATTESTED
    description = "Documents that prove a process (IR plan, pen test, access reviews...) from a register"
    produces = (KIND,)
    paths_setting = "registers"

    def __init__(self, settings: DocumentsSettings, context: CollectorContext) -> None:
        super().__init__(settings, context)
        #: Access reviews read as CSV, whose stored copies pseudonymise the accounts.
        self._reviews: set[str] = set()

    def collect(self) -> Iterator[EvidenceItem]:
        """One ``document`` item per valid register entry; a missing register fails the source."""
        for register in self.settings.registers:
            path = self.context.resolve(register)
            try:
                yield from self._register(path)
            except InputError as exc:
                yield self.failed(KIND, str(register), str(exc), location=str(path))

    def _register(self, path: Path) -> Iterator[EvidenceItem]:
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            raise InputError(path, "register not found") from None
        except (OSError, UnicodeDecodeError) as exc:
            raise InputError(path, f"cannot read register: {exc}") from None
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            raise InputError(path, f"malformed TOML: {exc}") from None
        unknown = sorted(set(data) - {"document"})
        if unknown:
            raise InputError(path, f"unknown top-level key(s) {', '.join(unknown)}; expected [[document]]")
        entries = data.get("document", [])
        if not isinstance(entries, list):
            raise InputError(path, "`document` must be an array of tables: write [[document]]")
        lines = _entry_lines(text)
        stats = ParseStats(scope=str(path))
        kept: list[EvidenceItem] = []
        self.context.progress.start(f"documents: {path.name}", total=len(entries))
        for index, raw_entry in enumerate(entries):
            line = lines[index] if index < len(lines) else None
            where = f"{path}:{line}" if line else str(path)
            try:
                kept.append(self._entry(path, raw_entry))
            except _EntryError as exc:
                stats.reject(where, str(exc))
            else:
                stats.keep()
            self.context.progress.advance(f"documents: {path.name}")
        self.context.progress.finish(f"documents: {path.name}")
        if not entries:
            raise InputError(path, "register lists no documents")
        # Every item carries the register's statistics so a bad register taints its evidence.
        for item in kept:
            item.stats = stats.model_copy(deep=True)
            yield item
        if not kept:
            raise InputError(path, f"no valid document entries ({stats.rejected} rejected; first: {stats.rejects[0]})")

    def _entry(self, register: Path, raw: Any) -> EvidenceItem:
        if not isinstance(raw, dict):
            raise _EntryError("entry is not a table")
        try:
            entry = DocumentEntry.model_validate(raw)
        except ValidationError as exc:
            first = exc.errors()[0]
            key = ".".join(str(p) for p in first["loc"])
            message = "unknown key" if first["type"] == "extra_forbidden" else first["msg"]
            raise _EntryError(f"{key}: {message}") from None
        types = known_doc_types()
        if entry.type not in types:
            close = difflib.get_close_matches(entry.type, types, n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            raise _EntryError(f"type: unknown document type {entry.type!r}{hint}")
        if entry.next_review is not None and entry.next_review < entry.date:
            raise _EntryError("next_review: is before the document's date")
        unknown_fields = sorted(set(entry.record) - set(types[entry.type].fields))
        if unknown_fields:
            wanted = ", ".join(types[entry.type].fields) or "none"
            raise _EntryError(
                f"record: {', '.join(unknown_fields)} is not a field of {entry.type} (its fields: {wanted})"
            )
        try:
            file = entry.file if entry.file.is_absolute() else self._within(register, entry.file)
            with open_input(file) as tracked:
                raw_input = tracked.raw_input()
        except InputError as exc:
            raise _EntryError(f"file {entry.file}: {exc.reason}") from None
        if not entry.copy_file:
            raw_input.stored_note = "not copied: the register says copy = false"
        redactor = self.context.redactor
        facts: dict[str, Any] = {
            "doc_type": entry.type,
            "title": redactor.scrub(entry.title),
            "controls": sorted(entry.controls),
            "owner": entry.owner,
            "date": entry.date.isoformat(),
            "next_review": entry.next_review.isoformat() if entry.next_review else None,
            "approved_by": entry.approved_by,
            "approved_on": entry.approved_on.isoformat() if entry.approved_on else None,
            "file": str(entry.file),
            "sha256": raw_input.sha256,
            "size": raw_input.size,
            "record": {
                name: redactor.scrub(value.isoformat() if isinstance(value, dt.date) else str(value))
                for name, value in sorted(entry.record.items())
            },
            "missing_fields": missing_fields(entry, types[entry.type]),
        }
        if entry.type == "access-review" and file.suffix.lower() == ".csv":
            facts["review"] = read_access_review(file, redactor)
            self._reviews.add(raw_input.location)
        covers_start = _start_of(entry.covers_start) if entry.covers_start else None
        covers_end = _end_of(entry.covers_end) if entry.covers_end else None
        return self.item(
            KIND,
            subject=f"{entry.type}:{entry.file}",
            facts=facts,
            raw_inputs=[raw_input],
            covers=(covers_start, covers_end),
        )

    def _within(self, register: Path, file: Path) -> Path:
        """A register's relative file, which must stay inside the config's folder.

        A register the config names by an absolute path elsewhere keeps its files in its own folder.
        """
        base = self.context.base_dir
        if not os.path.normpath(register).startswith(os.path.join(os.path.normpath(base), "")):
            base = register.parent
        return inside(base, os.path.relpath(register.parent / file, base))

    def redacted_file(self, path: Path) -> Iterator[bytes] | None:
        """Text documents are scrubbed line by line; binary documents are kept unchanged."""
        if str(path) in self._reviews:
            return scrubbed_review(path, self.context.redactor)
        if path.suffix.lower() in _TEXT_SUFFIXES:
            return self._scrubbed_lines(path)
        return _chunks(path)


class _EntryError(Exception):
    """A register entry that cannot be used (becomes a reject, never reaches the user raw)."""


def _entry_lines(text: str) -> list[int]:
    return [n for n, line in enumerate(text.splitlines(), start=1) if line.strip().startswith("[[document]]")]


def _chunks(path: Path) -> Iterator[bytes]:
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            yield chunk


def _start_of(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


def _end_of(day: date) -> datetime:
    return datetime.combine(day, time.max, tzinfo=UTC).replace(microsecond=0)
