"""[deletion-requests] The register of deletion requests: when each arrived and when it was done.

Amazon may ask a developer to delete or return its data (and a seller's de-authorisation has
the same effect). The register is a CSV file with one row per request: an id, when it was
received and when it was completed (empty while open); optionally its type and whether the
destruction was confirmed in writing. The check compares each request with the catalogue's
deadline (30 days in 2025, 72 hours in 2021); this collector only records the times.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from pydantic import Field

from evidence.collectors.base import Collector, CollectorSettings
from evidence.collectors.inputs import column_roles, csv_rows, header_records, open_text
from evidence.collectors.timestamps import TimestampError, ZoneName, iso, parse_timestamp
from evidence.errors import InputError
from evidence.model.assurance import Assurance
from evidence.model.evidence import EvidenceItem, ParseStats

KIND = "retention.deletion_requests"

_COLUMNS = {
    "id": ("id", "requestid", "request", "reference", "ref", "caseid", "ticket"),
    "received": ("received", "receivedat", "requested", "requestedat", "noticedate", "notified"),
    "completed": ("completed", "completedat", "deleted", "deletedat", "done", "closedat"),
    "type": ("type", "kind", "trigger", "reason"),
    "confirmed": ("confirmed", "confirmedinwriting", "confirmation", "certified"),
}
_YES = {"yes", "y", "true", "1", "sent", "done"}
_NO = {"no", "n", "false", "0", ""}


class DeletionRequestsSettings(CollectorSettings):
    """Settings: one or more CSV registers, and the zone of times written without an offset."""

    registers: list[Path] = Field(min_length=1)
    timezone: ZoneName = "UTC"


class DeletionRequestsCollector(Collector[DeletionRequestsSettings]):
    """Reads the register of deletion requests with their received and completed times."""

    id = "deletion-requests"
    assurance = Assurance.ATTESTED
    description = "Register of Amazon deletion requests with received and completed times (CSV)"
    produces = (KIND,)
    paths_setting = "registers"

    def collect(self) -> Iterator[EvidenceItem]:
        """One ``retention.deletion_requests`` item per register; a missing one fails."""
        for register in self.settings.registers:
            path = self.context.resolve(register)
            try:
                yield self._register(path)
            except InputError as exc:
                yield self.failed(KIND, f"register {register}", str(exc), location=str(path))

    def _register(self, path: Path) -> EvidenceItem:
        before = self.redaction_counts()
        stats = ParseStats(scope=str(path))
        requests: list[dict[str, Any]] = []
        with open_text(path) as lines:
            rows = csv_rows(lines)
            first = next(rows, None)
            if first is None:
                raise InputError(path, "register is empty (expected a header row)")
            header = first[1]
            roles = column_roles(header, _COLUMNS)
            missing = [role for role in ("id", "received") if role not in roles]
            if missing:
                raise InputError(path, f"header names no {' or '.join(missing)} column", line=1)
            for where, record in header_records(rows, header, path, stats):
                try:
                    request = self._request(record, roles)
                except ValueError as exc:
                    stats.reject(where, str(exc))
                    continue
                if request is None:
                    stats.skip()  # received after as-of, or done before the period
                else:
                    stats.keep()
                    requests.append(request)
            raw = lines.raw_input()
        requests.sort(key=lambda r: (r["received"], r["id"]))
        facts = {
            "register": str(path.name),
            "requests": requests,
            "received_in_period": sum(
                1 for r in requests if r["received"] >= iso(self.context.period.start_at)
            ),
            "open": sum(1 for r in requests if r["completed"] is None),
        }
        return self.item(
            KIND,
            subject=f"register {path.name}",
            facts=facts,
            stats=stats,
            raw_inputs=[raw],
            covers=(self.context.period.start_at, self.context.as_of),
            redactions=self.redaction_counts(before),
        )

    def _request(self, row: dict[str, str], roles: dict[str, str]) -> dict[str, Any] | None:
        """One request from a row, or None when it lies outside the period; ValueError if bad."""
        zone = ZoneInfo(self.settings.timezone)
        request_id = row[roles["id"]].strip()
        if not request_id:
            raise ValueError("no request id")
        try:
            received = parse_timestamp(row[roles["received"]], zone)
        except TimestampError as exc:
            raise ValueError(f"received: {exc}") from None
        completed_text = row[roles["completed"]].strip() if "completed" in roles else ""
        try:
            completed = parse_timestamp(completed_text, zone) if completed_text else None
        except TimestampError as exc:
            raise ValueError(f"completed: {exc}") from None
        if completed is not None and completed < received:
            raise ValueError("completed before it was received")
        as_of, start = self.context.as_of, self.context.period.start_at
        if received > as_of or (completed is not None and completed < start):
            return None
        if completed is not None and completed > as_of:
            completed = None  # not yet done as of the date judged
        return {
            "id": self.context.redactor.scrub(request_id)[:80],
            "type": row[roles["type"]].strip()[:40] or None if "type" in roles else None,
            "received": iso(received),
            "completed": iso(completed),
            "hours_to_complete": _hours(received, completed),
            "confirmed_in_writing": _confirmed(row[roles["confirmed"]])
            if "confirmed" in roles
            else None,
        }


def _hours(received: datetime, completed: datetime | None) -> float | None:
    return None if completed is None else round((completed - received).total_seconds() / 3600, 2)


def _confirmed(value: str) -> bool | None:
    text = value.strip().lower()
    if text in _YES:
        return True
    if text in _NO:
        return False if text else None
    raise ValueError("confirmed: expected yes or no")
