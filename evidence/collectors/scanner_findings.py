"""[scanner-findings] Imports what users already run: Prowler (JSON-OCSF) and Security Hub (ASFF).

A file may hold a JSON array of findings (Prowler), ``{"Findings": [...]}`` (``aws securityhub
get-findings``) or ``{"findings": [...]}`` (exports), or one finding per line. Findings keep their
own provenance: the scanner and its version, the file, and when each was observed. They are
supporting evidence: checks use a FAIL on a mapped scanner check as evidence of a gap, and never
a PASS alone as proof that a control is met (policies/scanner-mappings.yaml).
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

from pydantic import Field

from evidence.collectors.aws.identities import redacted_aws_text
from evidence.collectors.base import Collector, CollectorSettings
from evidence.collectors.inputs import FileRejected, expand_paths, open_input, read_text
from evidence.collectors.scanner_formats import (
    FindingError,
    finding_key,
    from_asff,
    from_ocsf,
    is_asff,
    is_ocsf,
)
from evidence.errors import InputError
from evidence.model.assurance import Assurance
from evidence.model.evidence import EvidenceItem, ParseStats, RawInput

KIND = "scanner.findings"
PATTERNS = ("*.json", "*.json.gz", "*.jsonl", "*.ndjson", "*.txt")
_INVALID_LINE = object()
_WRAPPER = re.compile(r'"(?:Findings|findings)"\s*:\s*\[')


class ScannerFindingsSettings(CollectorSettings):
    """Settings: files or folders of scanner output."""

    paths: list[Path] = Field(min_length=1)


class ScannerFindingsCollector(Collector[ScannerFindingsSettings]):
    """Prowler OCSF and Security Hub ASFF findings, normalised, with scan provenance."""

    id = "scanner-findings"
    assurance = Assurance.EXPORTED
    description = (
        "Scanner findings: Prowler JSON-OCSF and AWS Security Hub ASFF (Findings/findings)"
    )
    produces = (KIND,)
    paths_setting = "paths"

    def collect(self) -> Iterator[EvidenceItem]:
        """One item for the source: every finding of every file, and a summary of each scan."""
        since = Counter(self.context.redactor.counts)
        files = expand_paths([self.context.resolve(p) for p in self.settings.paths], PATTERNS)
        stats = ParseStats(scope=f"{self.context.source}:{KIND}")
        scans: list[dict[str, Any]] = []
        findings: dict[tuple[str, str], dict[str, Any]] = {}
        raw_inputs: list[RawInput] = []
        for path in files:
            try:
                with open_input(path) as tracked:
                    text = tracked.stream.read().decode("utf-8", errors="replace")
                    raw = tracked.raw_input()
                scan = self._file(path, text, stats, findings)
            except InputError as exc:
                stats.reject(str(path), exc.reason)
                continue
            except FileRejected as exc:
                stats.reject(f"{path}:{exc.line}" if exc.line else str(path), exc.reason)
                continue
            raw_inputs.append(raw)
            scans.append(scan)
        if not scans:
            first = stats.rejects[0] if stats.rejects else "no file"
            raise InputError(
                files[0] if len(files) == 1 else self.context.source,
                f"no readable findings file ({stats.rejected} rejected; first: {first})",
            )
        ordered = [findings[k] for k in sorted(findings)]
        times = sorted(f["observed_at"] for f in ordered if f.get("observed_at"))
        facts = {
            "scans": scans,
            "findings": ordered,
            "counts": dict(sorted(Counter(f["status"] for f in ordered).items())),
            "first_observed": times[0] if times else None,
            "last_observed": times[-1] if times else None,
        }
        start = datetime.fromisoformat(times[0]) if times else None
        end = datetime.fromisoformat(times[-1]) if times else None
        yield self.item(
            KIND,
            subject="scanner findings: " + ", ".join(sorted({s["scanner"] for s in scans})),
            facts=facts,
            stats=stats,
            raw_inputs=raw_inputs,
            covers=(start, end),
            redactions=self.redaction_counts(since),
        )

    def _file(
        self,
        path: Path,
        text: str,
        stats: ParseStats,
        findings: dict[tuple[str, str], dict[str, Any]],
    ) -> dict[str, Any]:
        records = _records(text)
        scanners: Counter[str] = Counter()
        products: set[str] = set()
        observed: list[str] = []
        for line, record in records:
            try:
                if record is _INVALID_LINE:
                    raise FindingError("invalid JSON on this line")
                if is_ocsf(record):
                    finding = from_ocsf(record, self.context.redactor)
                elif is_asff(record):
                    finding = from_asff(record, self.context.redactor)
                else:
                    raise FindingError("neither a Prowler OCSF nor a Security Hub ASFF finding")
            except FindingError as exc:
                stats.reject(f"{path}:{line}", str(exc))
                continue
            stats.keep()
            finding["file"] = path.name
            finding["key"] = finding_key(finding)
            scanners[finding["scanner"]] += 1
            products.add(finding["product"])
            if finding.get("observed_at"):
                observed.append(finding["observed_at"])
            findings[(finding["key"], str(finding.get("observed_at")))] = finding
        observed.sort()
        return {
            "file": path.name,
            "scanner": scanners.most_common(1)[0][0] if scanners else "unknown",
            "products": sorted(products),
            "findings": sum(scanners.values()),
            "first_observed": observed[0] if observed else None,
            "last_observed": observed[-1] if observed else None,
        }

    def redacted_file(self, path: Path) -> Iterator[bytes] | None:
        """Rewrite JSON with users pseudonymised, secrets and PII removed; scrub other text."""
        return redacted_aws_text(read_text(path), self.context.redactor)


def _records(text: str) -> list[tuple[int, Any]]:
    """Read ``(line, finding)`` pairs: an array, a Findings wrapper, one finding, or JSON lines."""
    if not text.strip():
        raise FileRejected("empty file")
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        lines = _json_lines(text)
        if lines is None:
            raise FileRejected(f"invalid JSON: {exc.msg} (column {exc.colno})", exc.lineno) from None
        return lines
    if isinstance(document, list):
        return list(_array_items(text, text.index("[") + 1))
    if isinstance(document, dict):
        for key in ("Findings", "findings"):
            if isinstance(document.get(key), list):
                match = _WRAPPER.search(text)
                if match is None:
                    return [(1, r) for r in document[key]]
                return list(_array_items(text, match.end()))
        if is_ocsf(document) or is_asff(document):
            return [(1, document)]
    raise FileRejected(
        "not scanner findings: expected a JSON array of Prowler OCSF findings or a Security Hub "
        '{"Findings": [...]} document',
        1,
    )


def _json_lines(text: str) -> list[tuple[int, Any]] | None:
    """Read one finding per line; None when the first line is not JSON (not JSON lines)."""
    found: list[tuple[int, Any]] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            found.append((number, json.loads(line)))
        except json.JSONDecodeError:
            if not found:
                return None
            found.append((number, _INVALID_LINE))
    return found or None


def _array_items(text: str, position: int) -> Iterator[tuple[int, Any]]:
    """Yield the elements of the JSON array starting at ``position``, with their line numbers."""
    decoder = json.JSONDecoder()
    line, counted = 1, 0
    size = len(text)
    while position < size:
        while position < size and text[position] in " \t\r\n,":
            position += 1
        if position >= size or text[position] == "]":
            return
        line += text.count("\n", counted, position)
        counted = position
        value, position = decoder.raw_decode(text, position)
        yield line, value
