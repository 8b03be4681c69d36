"""[aws-cli] The evidence of [aws], from saved AWS CLI JSON outputs (no credentials needed).

Each file is one command's output, recognised by its name (``s3api__get-bucket-encryption__
<bucket>.json``, see docs/collectors/aws-cli.md) or by its shape. A saved CLI error message
(``aws ... 2> file``) counts: AccessDenied names the missing permission, and
``NoSuchLifecycleConfiguration`` says there is no rule. Files that are not valid JSON are rejected
as ``file:line: reason``; the other files of the run are kept. A botocore ``examples-1.json``
file is read as a bundle of example responses.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from evidence.collectors.aws.api_values import mapping
from evidence.collectors.aws.arns import pseudonymise_text
from evidence.collectors.aws.cli_recognition import (
    NameParts,
    Recognised,
    cli_error,
    is_botocore_examples,
    name_parts,
    operation_from_shape,
    params_for,
)
from evidence.collectors.aws.credential_report import redact_credential_report
from evidence.collectors.aws.identities import redacted_aws_text
from evidence.collectors.aws.inventory import KINDS, AwsInventory, SavedSnapshotSettings
from evidence.collectors.aws.inventory_items import KindLedger, snapshot_time
from evidence.collectors.aws.readers import operations
from evidence.collectors.base import Collector
from evidence.collectors.inputs import FileRejected, expand_paths, open_input, read_text
from evidence.errors import InputError
from evidence.model.assurance import Assurance
from evidence.model.evidence import EvidenceItem

PATTERNS = ("*.json", "*.json.gz", "*.txt", "*.csv", "*.out", "*.err")


class AwsCliSettings(SavedSnapshotSettings):
    """Settings: the saved outputs, when they were captured, their region, and what is PII."""

    region: str | None = None


class AwsCliCollector(Collector[AwsCliSettings]):
    """AWS settings from saved ``aws ... --output json`` files."""

    id = "aws-cli"
    assurance = Assurance.EXPORTED
    description = (
        "AWS settings from saved AWS CLI JSON outputs (s3api, rds, ec2, kms, iam, cloudtrail...)"
    )
    produces = KINDS
    snapshot = True
    paths_setting = "paths"

    def collect(self) -> Iterator[EvidenceItem]:
        """One item per evidence kind found in the outputs; rejected files are counted per kind."""
        since = Counter(self.context.redactor.counts)
        inventory = AwsInventory.scoped(self.context.redactor, self.settings)
        files = expand_paths([self.context.resolve(p) for p in self.settings.paths], PATTERNS)
        ledger = KindLedger(self.context.source)
        newest: datetime | None = None
        self.context.progress.start("aws-cli outputs", total=len(files))
        for path in files:
            self._read(path, inventory, ledger)
            modified = datetime.fromtimestamp(path.stat().st_mtime, tz=UTC)
            newest = modified if newest is None or modified > newest else newest
            self.context.progress.advance("aws-cli outputs")
        self.context.progress.finish("aws-cli outputs")
        if not inventory.kinds():
            where = files[0] if len(files) == 1 else ", ".join(str(p) for p in self.settings.paths)
            raise InputError(where, f"no AWS CLI output this collector reads: {ledger.summary()}")
        captured = snapshot_time(self.settings.captured_at, newest, self.context.collected_at)
        yield from ledger.items(
            self,
            inventory,
            subject=f"AWS account {inventory.account or 'unknown'} (saved CLI outputs)",
            captured=captured,
            redactions=self.redaction_counts(since),
        )

    def _read(self, path: Path, inventory: AwsInventory, ledger: KindLedger) -> None:
        parts = name_parts(path)
        try:
            with open_input(path) as tracked:
                data = tracked.stream.read()
                raw = tracked.raw_input()
        except InputError as exc:
            ledger.reject(_guess_kinds(parts), str(path), None, exc.reason)
            return
        try:
            verdict = self._recognise(path, data, parts)
        except FileRejected as exc:
            ledger.reject(_guess_kinds(parts), str(path), exc.line, exc.reason)
            return
        if verdict.skipped:
            ledger.skip(_guess_kinds(parts), raw, verdict.skipped)
            return
        kinds: set[str] = set()
        region = parts.region or self.settings.region
        for operation, params, response in verdict.calls:
            inventory.record(operation, params, response, region)
            kinds.update(operations()[operation].kinds)
        for operation, params, code in verdict.errors:
            inventory.record_error(operation, params, code, region)
            kinds.update(operations()[operation].kinds)
        if kinds:
            ledger.keep(kinds, raw)
        else:
            ledger.skip(KINDS, raw, "the output feeds no evidence kind (account identity only)")

    def _recognise(self, path: Path, data: bytes, parts: NameParts) -> Recognised:
        text = data.decode("utf-8", errors="replace")
        if not text.strip():
            raise FileRejected(
                "empty file: the command printed nothing (save its errors too, with 2>&1)"
            )
        try:
            document = json.loads(text)
        except json.JSONDecodeError as exc:
            return self._not_json(text, parts, exc)
        if is_botocore_examples(document):
            return _examples(document)
        operation = parts.operation
        if operation is None and parts.service and parts.command:
            return Recognised(
                skipped=f"`{parts.service} {parts.command}` is not a command this collector reads"
            )
        operation = operation or operation_from_shape(document)
        if operation is None:
            raise FileRejected(
                "not a recognised AWS CLI output: name the file "
                "<service>__<command>__<resource>.json "
                "(see docs/collectors/aws-cli.md)"
            )
        if operation == "DescribeSSLPolicies" and isinstance(document, list):
            return Recognised(
                skipped="a list of policy names (from --query) says nothing about protocols"
            )
        if (
            operation == "GetCredentialReport"
            and isinstance(document, dict)
            and not document.get("Content")
        ):
            raise FileRejected(
                "get-credential-report output holds no Content: "
                "save the whole output, not only its metadata"
            )
        params = params_for(operation, parts)
        if params is None:
            params = _self_named(operation, document)
        if params is None:
            param = operations()[operation].resource_param
            raise FileRejected(
                f"{operation} output does not name its {param}: add it to the file name, e.g. "
                f"<service>__<command>__<{str(param).lower()}>.json"
            )
        return Recognised(calls=[(operation, params, document)])

    def _not_json(self, text: str, parts: NameParts, exc: json.JSONDecodeError) -> Recognised:
        error = cli_error(text)
        if error is not None:
            if error.operation not in operations():
                return Recognised(
                    skipped=f"saved error of {error.operation}, a call this collector does not read"
                )
            params = params_for(error.operation, parts) or {}
            return Recognised(errors=[(error.operation, params, error.code)])
        if text.startswith("user,arn,"):
            return Recognised(calls=[("GetCredentialReport", {}, {"Content": text})])
        raise FileRejected(f"invalid JSON: {exc.msg} (column {exc.colno})", exc.lineno)

    def redacted_file(self, path: Path) -> Iterator[bytes] | None:
        """Rewrite JSON with user names pseudonymised and secrets removed; scrub text by line."""
        text = read_text(path)
        redactor = self.context.redactor
        if text.startswith("user,arn,"):  # a credential report saved as CSV (never JSON)
            return iter([redact_credential_report(text, redactor).encode("utf-8")])
        return redacted_aws_text(text, redactor, lambda line: redactor.scrub(pseudonymise_text(line, redactor)))


def _examples(document: dict[str, Any]) -> Recognised:
    found = Recognised()
    for operation, examples in sorted(document["examples"].items()):
        if operation not in operations() or not isinstance(examples, list):
            continue
        for example in examples:
            output = example.get("output") if isinstance(example, dict) else None
            if isinstance(output, dict) and output:
                params = mapping(example.get("input"))
                found.calls.append((operation, dict(params), output))
    if not found.calls:
        found.skipped = "botocore examples file with no example this collector reads"
    return found


def _self_named(operation: str, document: Any) -> dict[str, Any] | None:
    """Parameters an output carries itself (a rotation status that names its key, ...)."""
    if not isinstance(document, dict):
        return None
    if operation == "GetKeyRotationStatus" and document.get("KeyId"):
        return {"KeyId": document["KeyId"]}
    if operation == "ListKeyRotations" and isinstance(document.get("Rotations"), list):
        ids = {r.get("KeyId") for r in document["Rotations"] if isinstance(r, dict) and r.get("KeyId")}
        return {"KeyId": ids.pop()} if len(ids) == 1 else {}
    if operation == "DescribeKey" and isinstance(document.get("KeyMetadata"), dict):
        return {"KeyId": document["KeyMetadata"].get("KeyId")}
    if operation == "GetEventSelectors" and document.get("TrailARN"):
        return {"TrailName": document["TrailARN"]}
    if operation == "DescribeTable" and isinstance(document.get("Table"), dict):
        return {"TableName": document["Table"].get("TableName")}
    if operation in ("DescribeSecret", "ListSecretVersionIds") and document.get("Name"):
        return {"SecretId": document["Name"]}
    if operation in ("ListMFADevices", "ListAccessKeys"):
        return {}
    return None


def _guess_kinds(parts: NameParts) -> tuple[str, ...]:
    operation = parts.operation
    return operations()[operation].kinds if operation else KINDS
