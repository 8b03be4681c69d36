"""What an AWS account's settings say, normalised into the facts of the evidence kinds.

The live collector, the CLI-output collector and the Terraform collector all write into one
:class:`AwsInventory`; :meth:`AwsInventory.facts` then yields the facts of each kind in the shapes
documented in docs/evidence-kinds.md. A resource that could not be read keeps ``error`` set (and
its setting None), so a check can never take silence for a pass.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from fnmatch import fnmatchcase
from pathlib import Path
from typing import Any

from pydantic import Field

from evidence.collectors.aws.operations import Operation
from evidence.collectors.aws.permissions import CallError
from evidence.collectors.aws.readers import operations
from evidence.collectors.base import CollectorSettings
from evidence.redact import Redactor

AT_REST = "encryption.at_rest"
KMS = "encryption.kms"
LIFECYCLE = "storage.lifecycle"
PASSWORD_POLICY = "iam.password_policy"
CREDENTIALS = "iam.credentials"
SECRETS = "secrets.rotation"
TRANSPORT = "transport.config"
NETWORK = "network.exposure"
LOGGING = "logging.config"

KINDS = (
    AT_REST,
    KMS,
    LIFECYCLE,
    PASSWORD_POLICY,
    CREDENTIALS,
    SECRETS,
    TRANSPORT,
    NETWORK,
    LOGGING,
)


class AwsScopeSettings(CollectorSettings):
    """Settings every AWS source shares: which buckets hold PII, which log groups are in scope."""

    pii_buckets: list[str] = Field(default_factory=list)
    log_groups: list[str] = Field(default_factory=lambda: ["*"], min_length=1)


class SavedSnapshotSettings(AwsScopeSettings):
    """Settings of sources read from saved files: the files, and when they were captured."""

    paths: list[Path] = Field(min_length=1)
    captured_at: datetime | None = None


class UnknownOperation(KeyError):
    """An operation no reader is registered for."""


class AwsInventory:
    """Normalised settings of one AWS account (or one Terraform state), kind by kind."""

    def __init__(
        self,
        redactor: Redactor,
        *,
        pii_buckets: tuple[str, ...] = (),
        log_groups: tuple[str, ...] = ("*",),
    ) -> None:
        self.redactor = redactor
        self.pii_buckets = pii_buckets
        self.log_group_patterns = log_groups
        self.account: str | None = None
        self.regions: set[str] = set()
        self.seen: set[str] = set()
        self.errors: dict[str, list[str]] = defaultdict(list)
        self.at_rest: dict[tuple[str, str], dict[str, Any]] = {}
        self.lifecycle: dict[str, dict[str, Any]] = {}
        self.public_access: dict[str, dict[str, Any]] = {}
        self.bucket_regions: dict[str, str] = {}
        self.keys: dict[str, dict[str, Any]] = {}
        self.aliases: dict[str, set[str]] = defaultdict(set)
        self.password_policies: dict[str, dict[str, Any]] = {}
        self.users: dict[str, dict[str, Any]] = {}
        self.root: dict[str, Any] | None = None
        self.report: dict[str, Any] = {}
        self.secrets: dict[str, dict[str, Any]] = {}
        self.listeners: dict[str, dict[str, Any]] = {}
        self.load_balancer_names: dict[str, str] = {}
        self.ssl_policies: dict[str, tuple[str, ...]] = {}
        self.security_groups: dict[str, dict[str, Any]] = {}
        self.trails: dict[str, dict[str, Any]] = {}
        self.log_groups: dict[str, dict[str, Any]] = {}

    @classmethod
    def scoped(cls, redactor: Redactor, settings: AwsScopeSettings) -> AwsInventory:
        """Start an empty inventory with the PII buckets and log groups of a source's settings."""
        return cls(
            redactor, pii_buckets=tuple(settings.pii_buckets), log_groups=tuple(settings.log_groups)
        )

    # Recording API calls --------------------------------------------------------------------

    @staticmethod
    def operation(name: str) -> Operation:
        """Return the operation ``name``; UnknownOperation when no response module reads it."""
        try:
            return operations()[name]
        except KeyError:
            raise UnknownOperation(name) from None

    def record(
        self, operation: str, params: dict[str, Any], response: Any, region: str | None = None
    ) -> None:
        """Read the response of one successful call."""
        op = self.operation(operation)
        self.seen.update(op.kinds)
        if region:
            self.regions.add(region)
        op.read(
            self, params, response if isinstance(response, dict) else {"__list__": response}, region
        )

    def record_error(
        self, operation: str, params: dict[str, Any], code: str, region: str | None = None
    ) -> CallError:
        """Record a failed call against the resource (or kind) it was meant to prove."""
        op = self.operation(operation)
        self.seen.update(op.kinds)
        if region:
            self.regions.add(region)
        error = CallError(op.service, op.name, code)
        if op.read_error is not None:
            op.read_error(self, params, error, region)
        else:
            self.kind_error(op.kinds, error.describe(), region)
        return error

    def kind_error(
        self, kinds: tuple[str, ...] | str, message: str, region: str | None = None
    ) -> None:
        """Record an error that leaves a whole kind incomplete (e.g. keys could not be listed)."""
        for kind in (kinds,) if isinstance(kinds, str) else kinds:
            self.seen.add(kind)
            text = f"{region}: {message}" if region else message
            if text not in self.errors[kind]:
                self.errors[kind].append(text)

    # Record helpers shared by the API readers and the Terraform mappers ---------------------------

    def store(
        self, resource_type: str, resource_id: str, region: str | None = None
    ) -> dict[str, Any]:
        """Return the at-rest record of a data store, created unknown on first use."""
        key = (resource_type, resource_id)
        if key not in self.at_rest:
            self.at_rest[key] = {
                "type": resource_type,
                "id": resource_id,
                "region": region,
                "encrypted": None,
                "algorithm": None,
                "kms_key_id": None,
                "setting": None,
                "origin": None,
                "error": None,
            }
            if resource_type == "s3_bucket":
                self.at_rest[key]["pii"] = self.is_pii_bucket(resource_id)
        record = self.at_rest[key]
        if region and not record["region"]:
            record["region"] = region
        return record

    def bucket_lifecycle(self, bucket: str) -> dict[str, Any]:
        """Return the lifecycle record of a bucket, created unknown on first use."""
        if bucket not in self.lifecycle:
            self.lifecycle[bucket] = {
                "bucket": bucket,
                "rules": None,
                "pii": self.is_pii_bucket(bucket),
                "origin": None,
                "error": None,
            }
        return self.lifecycle[bucket]

    def bucket_public_access(self, bucket: str) -> dict[str, Any]:
        """Return the public-access-block record of a bucket, created unknown on first use."""
        if bucket not in self.public_access:
            self.public_access[bucket] = {
                "bucket": bucket,
                "block_public_acls": None,
                "ignore_public_acls": None,
                "block_public_policy": None,
                "restrict_public_buckets": None,
                "all_blocked": None,
                "origin": None,
                "error": None,
            }
        return self.public_access[bucket]

    def key(self, key_id: str, region: str | None = None) -> dict[str, Any]:
        """Return the record of a KMS key (by key id), created unknown on first use."""
        if key_id not in self.keys:
            self.keys[key_id] = {
                "id": key_id,
                "arn": None,
                "region": region,
                "manager": None,
                "spec": None,
                "usage": None,
                "state": None,
                "key_origin": None,
                "rotation_enabled": None,
                "rotation_supported": None,
                "rotation_period_days": None,
                "next_rotation": None,
                "created": None,
                "rotation_dates": None,
                "rotations_complete": None,
                "decrypt_principals": None,
                "public_decrypt": None,
                "conditional_public_decrypt": None,
                "policy_error": None,
                "origin": None,
                "error": None,
            }
        record = self.keys[key_id]
        if region and not record["region"]:
            record["region"] = region
        return record

    def secret(self, name: str, region: str | None = None) -> dict[str, Any]:
        """Return the record of a secret (by name), created unknown on first use."""
        if name not in self.secrets:
            self.secrets[name] = {
                "name": name,
                "arn": None,
                "region": region,
                "rotation_enabled": None,
                "rotation_days": None,
                "rotation_schedule": None,
                "last_rotated": None,
                "current_version_created": None,
                "last_changed": None,
                "created": None,
                "kms_key_id": None,
                "tags": {},
                "origin": None,
                "error": None,
            }
        return self.secrets[name]

    def trail(self, name: str) -> dict[str, Any]:
        """Return the record of a CloudTrail trail (by name), created unknown on first use."""
        if name not in self.trails:
            self.trails[name] = {
                "name": name,
                "arn": None,
                "home_region": None,
                "multi_region": None,
                "log_file_validation": None,
                "is_logging": None,
                "latest_delivery": None,
                "management_events": None,
                "s3_bucket": None,
                "s3_key_prefix": None,
                "cloudwatch_log_group": None,
                "kms_key_id": None,
                "organization_trail": None,
                "origin": None,
                "error": None,
            }
        return self.trails[name]

    def is_pii_bucket(self, bucket: str) -> bool | None:
        """Whether the configured PII-bucket patterns match (None when none are configured)."""
        if not self.pii_buckets:
            return None
        return any(fnmatchcase(bucket, pattern) for pattern in self.pii_buckets)

    def wants_log_group(self, name: str) -> bool:
        """Whether a log group is in scope of the configured patterns."""
        return any(fnmatchcase(name, pattern) for pattern in self.log_group_patterns)

    def note_account(self, account: str | None) -> None:
        """Remember the account id the first time one is seen."""
        if account and not self.account:
            self.account = account

    # Facts ------------------------------------------------------------------------------------

    def kinds(self) -> list[str]:
        """List the kinds something was recorded for, in the documented order."""
        return [kind for kind in KINDS if kind in self.seen]

    def facts(self, kind: str) -> dict[str, Any]:
        """Build the facts of ``kind`` (see docs/evidence-kinds.md) in a deterministic order."""
        body: dict[str, Any] = {
            "account": self.account,
            "regions": sorted(self.regions),
            "errors": sorted(self.errors.get(kind, [])),
        }
        if kind == AT_REST:
            body["resources"] = [self.at_rest[k] for k in sorted(self.at_rest)]
        elif kind == LIFECYCLE:
            body["buckets"] = [self.lifecycle[b] for b in sorted(self.lifecycle)]
        elif kind == KMS:
            keys = []
            for key_id in sorted(self.keys):
                record = dict(self.keys[key_id])
                record["aliases"] = sorted(self.aliases.get(key_id, set()))
                keys.append(record)
            body["keys"] = keys
        elif kind == PASSWORD_POLICY:
            body["policies"] = [self.password_policies[k] for k in sorted(self.password_policies)]
        elif kind == CREDENTIALS:
            body.update(
                {
                    "report_generated": self.report.get("generated"),
                    "source": self.report.get("source"),
                    "users": [self.users[u] for u in sorted(self.users)],
                    "root": self.root,
                }
            )
        elif kind == SECRETS:
            body["secrets"] = [self.secrets[s] for s in sorted(self.secrets)]
        elif kind == TRANSPORT:
            body["listeners"] = [self._listener(arn) for arn in sorted(self.listeners)]
        elif kind == NETWORK:
            body["security_groups"] = [
                self.security_groups[g] for g in sorted(self.security_groups)
            ]
            body["buckets"] = [self.public_access[b] for b in sorted(self.public_access)]
        elif kind == LOGGING:
            body["trails"] = [self._trail(name) for name in sorted(self.trails)]
            body["log_groups"] = [self.log_groups[g] for g in sorted(self.log_groups)]
        else:
            raise KeyError(kind)
        return body

    def _listener(self, arn: str) -> dict[str, Any]:
        from evidence.collectors.aws.elb_policies import known_protocols

        record = dict(self.listeners[arn])
        policy = record.get("ssl_policy")
        if policy and record.get("protocols") is None:
            live = self.ssl_policies.get(policy)
            known = live if live is not None else known_protocols(policy)
            record["protocols"] = list(known) if known is not None else None
            record["protocols_from"] = (
                "DescribeSSLPolicies"
                if live is not None
                else ("predefined policy table" if known is not None else None)
            )
        return record

    def _trail(self, name: str) -> dict[str, Any]:
        """Add the retention of a trail's S3 destination, when that bucket's lifecycle is known."""
        record = dict(self.trails[name])
        bucket = record.get("s3_bucket")
        lifecycle = self.lifecycle.get(bucket) if bucket else None
        record["s3_retention_days"] = None
        record["s3_lifecycle_known"] = bool(lifecycle and lifecycle["rules"] is not None)
        if lifecycle and lifecycle["rules"]:
            logs_path = (
                f"{record['s3_key_prefix'].rstrip('/')}/AWSLogs/"
                if record.get("s3_key_prefix")
                else "AWSLogs/"
            )
            days = [
                r["expiration_days"]
                for r in lifecycle["rules"]
                if r["status"] == "Enabled"
                and r["expiration_days"] is not None
                and _prefix_covers(r.get("prefix"), logs_path)
            ]
            record["s3_retention_days"] = min(days) if days else None
        return record


def _prefix_covers(prefix: str | None, path: str) -> bool:
    """Whether a lifecycle rule with ``prefix`` applies to objects under ``path``."""
    return not prefix or path.startswith(prefix) or prefix.startswith(path)
