"""[terraform] AWS settings from Terraform state (v4, or ``terraform show -json``) and plan JSON.

A state says what was applied; a plan says what an apply will leave. The facts record which
(``documents``), so a reviewer knows whether a setting is live or intended. Secrets in a state
(passwords, keys, tokens) are never read into facts and are removed field by field from the
stored copy (see :mod:`.redaction`).
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from evidence.collectors.aws.inventory import KINDS, AwsInventory, SavedSnapshotSettings
from evidence.collectors.aws.inventory_items import KindLedger, snapshot_time
from evidence.collectors.base import Collector
from evidence.collectors.inputs import expand_paths, open_input, read_text
from evidence.collectors.terraform.aws_resources import MAPPERS, apply_order
from evidence.collectors.terraform.documents import NotTerraform, Resource, read_document
from evidence.collectors.terraform.redaction import redact_document
from evidence.errors import InputError
from evidence.model.assurance import Assurance
from evidence.model.evidence import EvidenceItem, RawInput

PATTERNS = ("*.tfstate", "*.tfstate.json", "*.json", "*.tfstate.backup")


class TerraformSettings(SavedSnapshotSettings):
    """Settings: state or plan files (or folders), when they were captured, what is PII."""


class TerraformCollector(Collector[TerraformSettings]):
    """AWS provider resources (v3 inline and v4+ split) from Terraform states and plans."""

    id = "terraform"
    assurance = Assurance.EXPORTED
    description = "AWS settings from Terraform state (v4, show -json) and plan JSON"
    produces = tuple(k for k in KINDS if k != "iam.credentials")
    paths_setting = "paths"

    def collect(self) -> Iterator[EvidenceItem]:
        """One item per evidence kind the documents hold; unreadable documents are rejected."""
        since = Counter(self.context.redactor.counts)
        inventory = AwsInventory.scoped(self.context.redactor, self.settings)
        ledger = KindLedger(self.context.source)
        files = expand_paths([self.context.resolve(p) for p in self.settings.paths], PATTERNS)
        documents: list[dict[str, Any]] = []
        resources: list[tuple[Resource, RawInput]] = []
        newest: datetime | None = None
        for path in files:
            read = self._document(path, ledger)
            if read is None:
                continue
            raw, document = read
            documents.append(
                {
                    "file": path.name,
                    "kind": document.kind,
                    "terraform_version": document.terraform_version,
                    "resources": len(document.resources),
                }
            )
            resources.extend((resource, raw) for resource in document.resources)
            if document.skipped:
                ledger.skip(KINDS, raw, "data sources")
            modified = datetime.fromtimestamp(path.stat().st_mtime, tz=UTC)
            newest = modified if newest is None or modified > newest else newest
        if not documents:
            where = files[0] if len(files) == 1 else ", ".join(str(p) for p in self.settings.paths)
            raise InputError(where, f"no Terraform state or plan could be read: {ledger.summary()}")
        names: dict[str, str] = {}
        for resource, raw in sorted(resources, key=lambda pair: apply_order(pair[0])):
            mapper = MAPPERS.get(resource.type)
            if mapper is None:
                ledger.skip(KINDS, raw, f"{resource.type} is not read")
                continue
            function, kinds = mapper
            function(inventory, resource, names)
            inventory.seen.update(kinds)
            ledger.keep(kinds, raw)
        captured = snapshot_time(self.settings.captured_at, newest, self.context.collected_at)
        yield from ledger.items(
            self,
            inventory,
            subject="Terraform "
            + (", ".join(sorted({d["kind"] for d in documents})) or "documents"),
            captured=captured,
            redactions=self.redaction_counts(since),
            extra_facts={"documents": documents},
        )

    def _document(self, path: Path, ledger: KindLedger) -> tuple[RawInput, Any] | None:
        try:
            with open_input(path) as tracked:
                data = tracked.stream.read()
                raw = tracked.raw_input()
        except InputError as exc:
            ledger.reject(KINDS, str(path), None, exc.reason)
            return None
        try:
            parsed = json.loads(data.decode("utf-8", errors="replace"))
        except json.JSONDecodeError as exc:
            ledger.reject(
                KINDS, str(path), exc.lineno, f"invalid JSON: {exc.msg} (column {exc.colno})"
            )
            return None
        try:
            return raw, read_document(parsed)
        except NotTerraform as exc:
            ledger.reject(KINDS, str(path), None, str(exc))
            return None

    def redacted_file(self, path: Path) -> Iterator[bytes] | None:
        """Rewrite the document with sensitive values removed field by field (never by line)."""
        text = read_text(path)
        try:
            document = json.loads(text)
        except json.JSONDecodeError:
            return None  # not JSON: never copy what could not be redacted field by field
        redacted = redact_document(document, self.context.redactor)
        return iter([json.dumps(redacted, indent=2).encode("utf-8")])
