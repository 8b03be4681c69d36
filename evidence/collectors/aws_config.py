"""[aws-config] AWS Config configuration history: each configuration item a dated state of a resource.

Reads ``aws configservice get-resource-config-history`` output and the history files AWS Config
delivers to S3 (``{"fileVersion", "configurationItems": [...]}``, ``.json`` or ``.json.gz``).
A configuration item of a security group, EBS volume, RDS instance or S3 bucket is read by the
same inventory readers as a live snapshot (its ``configuration`` is the Describe call's answer in
lower camel case) and becomes a ``settings.changes`` entry that sets the whole record at its
capture time. AWS Config does not prove that nothing changed between two items (a recorder can
be stopped), so the item names no complete days: CloudTrail's log carries states between them.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from evidence.collectors.aws.inventory import AwsInventory, AwsScopeSettings
from evidence.collectors.base import Collector
from evidence.collectors.inputs import expand_paths, open_input
from evidence.errors import InputError
from evidence.model.assurance import Assurance
from evidence.model.evidence import EvidenceItem, ParseStats, RawInput
from evidence.model.settings_history import CHANGES, SettingChange, record_key

PATTERNS = ("*.json", "*.json.gz")
_AT_REST = ("encrypted", "algorithm", "kms_key_id", "setting")


class AwsConfigSettings(AwsScopeSettings):
    """Saved configuration history files or folders."""

    paths: list[Path]


def _upper(value: Any) -> Any:
    """A Config ``configuration`` keyed as the API spells it (``ipPermissions`` -> ``IpPermissions``)."""
    if isinstance(value, dict):
        return {k[:1].upper() + k[1:]: _upper(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_upper(v) for v in value]
    return value


def _document(value: Any) -> Any:
    if isinstance(value, str):
        try:
            return json.loads(value)
        except json.JSONDecodeError:
            return None
    return value


def _moment(value: Any) -> str | None:
    if isinstance(value, (int, float)):
        return datetime.fromtimestamp(float(value), UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    if isinstance(value, str):
        try:
            moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return None
        return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return None


def _security_group(
    inv: AwsInventory, cfg: dict[str, Any], region: str | None
) -> list[tuple[str, str, dict[str, Any], str]]:
    group = _upper(cfg)
    for rule in group.get("IpPermissions") or []:
        if isinstance(rule, dict):  # old items list ranges as plain strings
            rule["IpRanges"] = [{"CidrIp": r} if isinstance(r, str) else r for r in rule.get("IpRanges") or []]
            rule["Ipv6Ranges"] = [{"CidrIpv6": r} if isinstance(r, str) else r for r in rule.get("Ipv6Ranges") or []]
    inv.record("DescribeSecurityGroups", {}, {"SecurityGroups": [group]}, region)
    found = inv.security_groups.get(str(group.get("GroupId")))
    if found is None:
        return []
    fields = {k: found[k] for k in ("name", "vpc", "rules", "world_open")}
    return [("network.exposure", "security_groups", {**found, **fields}, f"security group {found['id']}")]


def _at_rest(
    inv: AwsInventory, operation: str, wrapper: str, kind: str, cfg: dict[str, Any], region: str | None
) -> list[tuple[str, str, dict[str, Any], str]]:
    inv.record(operation, {}, {wrapper: [_upper(cfg)]}, region)
    records = [r for (t, _), r in inv.at_rest.items() if t == kind]
    return [("encryption.at_rest", "resources", r, f"{kind} {r['id']}") for r in records]


def _bucket(
    inv: AwsInventory, name: str, extra: dict[str, Any], region: str | None
) -> list[tuple[str, str, dict[str, Any], str]]:
    found: list[tuple[str, str, dict[str, Any], str]] = []
    encryption = _document(extra.get("ServerSideEncryptionConfiguration"))
    if isinstance(encryption, dict):
        rules = [
            {"ApplyServerSideEncryptionByDefault": {
                "SSEAlgorithm": (r.get("applyServerSideEncryptionByDefault") or {}).get("sseAlgorithm"),
                "KMSMasterKeyID": (r.get("applyServerSideEncryptionByDefault") or {}).get("kmsMasterKeyID"),
            }}
            for r in encryption.get("rules") or [] if isinstance(r, dict)
        ]  # fmt: skip
        inv.record("GetBucketEncryption", {"Bucket": name}, {"ServerSideEncryptionConfiguration": {"Rules": rules}})
        found.append(("encryption.at_rest", "resources", inv.store("s3_bucket", name, region), f"S3 bucket {name}"))
    block = _document(extra.get("PublicAccessBlockConfiguration"))
    if isinstance(block, dict):
        inv.record("GetPublicAccessBlock", {"Bucket": name}, {"PublicAccessBlockConfiguration": _upper(block)})
        found.append(("network.exposure", "buckets", inv.bucket_public_access(name), f"bucket {name}"))
    return found


def states(item: dict[str, Any], inv: AwsInventory) -> list[tuple[str, str, dict[str, Any], str]] | None:
    """(kind, section, record, label) of the settings one configuration item shows; None: not read."""
    kind = item.get("resourceType")
    cfg = _document(item.get("configuration"))
    region = item.get("awsRegion") if isinstance(item.get("awsRegion"), str) else None
    if kind == "AWS::EC2::SecurityGroup" and isinstance(cfg, dict):
        return _security_group(inv, cfg, region)
    if kind == "AWS::EC2::Volume" and isinstance(cfg, dict):
        return _at_rest(inv, "DescribeVolumes", "Volumes", "ebs_volume", cfg, region)
    if kind == "AWS::RDS::DBInstance" and isinstance(cfg, dict):
        return _at_rest(inv, "DescribeDBInstances", "DBInstances", "rds_instance", cfg, region)
    if kind == "AWS::S3::Bucket":
        extra = item.get("supplementaryConfiguration")
        name = item.get("resourceName") or item.get("resourceId")
        return _bucket(inv, str(name), extra if isinstance(extra, dict) else {}, region) if name else None
    return None


class AwsConfigCollector(Collector[AwsConfigSettings]):
    """Settings over time from AWS Config configuration history (CLI output, S3 history files)."""

    id = "aws-config"
    description = "AWS Config configuration history (get-resource-config-history, S3 history files)"
    produces = (CHANGES,)
    paths_setting = "paths"
    #: AWS Config's own history files and CLI output: system-generated, supplied by the user.
    assurance = Assurance.EXPORTED

    def collect(self) -> Iterator[EvidenceItem]:
        """One ``settings.changes`` item with a dated state per configuration item read."""
        since = Counter(self.context.redactor.counts)
        files = expand_paths([self.context.resolve(p) for p in self.settings.paths], PATTERNS)
        stats = ParseStats(scope=self.context.source)
        raws: list[RawInput] = []
        changes: list[SettingChange] = []
        for path in files:
            try:
                items, raw = self._items(path)
            except InputError as exc:
                stats.reject(f"{path}:{exc.line or 1}", exc.reason)
                continue
            raws.append(raw)
            for index, item in enumerate(items):
                self._read(item, path, index, stats, changes)
        facts = {
            "source_type": "aws-config",
            "complete_days": [],
            "changes": [c.model_dump(mode="json") for c in sorted(changes, key=lambda c: (c.at, c.key))],
            "changes_total": len(changes),
            "failed_changes": 0,
            "truncated": False,
        }
        yield self.item(
            CHANGES,
            f"AWS Config configuration history of source {self.context.source}",
            facts,
            stats=stats,
            raw_inputs=raws,
            location=str(self.context.resolve(self.settings.paths[0])),
            redactions=self.redaction_counts(since),
        )

    def _items(self, path: Path) -> tuple[list[Any], RawInput]:
        with open_input(path) as tracked:
            data = tracked.stream.read()
            raw = tracked.raw_input()
        try:
            document = json.loads(data)
        except json.JSONDecodeError as exc:
            raise InputError(path, f"invalid JSON: {exc.msg} (column {exc.colno})", exc.lineno) from None
        if isinstance(document, dict) and isinstance(document.get("configurationItems"), list):
            return document["configurationItems"], raw
        if isinstance(document, list):  # items one by one (some tools wrap each as {"log": item})
            return [e.get("log", e) if isinstance(e, dict) else e for e in document], raw
        raise InputError(path, "not AWS Config history: no configurationItems", 1)

    def _read(self, item: Any, path: Path, index: int, stats: ParseStats, changes: list[SettingChange]) -> None:
        where = f"{path}:1 (configurationItems[{index}])"
        if not isinstance(item, dict):
            stats.reject(where, "not a JSON object")
            return
        at = _moment(item.get("configurationItemCaptureTime"))
        if at is None:
            stats.reject(where, "no configurationItemCaptureTime")
            return
        inventory = AwsInventory.scoped(self.context.redactor, self.settings)
        found = states(item, inventory)
        if found is None:
            stats.skip()
            return
        status = str(item.get("configurationItemStatus") or "")
        for kind, section, record, label in found:
            body: dict[str, Any] = {"set": {k: v for k, v in record.items() if k not in ("origin", "error")}}
            if status in ("ResourceDeleted", "ResourceDeletedNotRecorded", "ResourceNotRecorded"):
                body = {"unknown": f"AWS Config: {status}"}
            changes.append(
                SettingChange(
                    at=at,
                    event=f"AWS Config {status or 'configuration item'}",
                    kind=kind,
                    section=section,
                    key=record_key(kind, section, record, item.get("accountId")),
                    label=label,
                    identity={k: record[k] for k in ("type", "id", "bucket", "region") if record.get(k)},
                    account=item.get("accountId") if isinstance(item.get("accountId"), str) else None,
                    event_id=str(item.get("configurationStateId") or item.get("configurationStateID") or ""),
                    origin="AWS Config",
                    **body,
                )
            )
        stats.keep()
