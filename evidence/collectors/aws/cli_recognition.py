"""Telling which AWS command printed a saved output: by its file name, else by its shape.

File names follow ``<service>__<command>__<resource>.json`` (``s3api__get-bucket-encryption__
orders-archive.json``); the resource part names the bucket, key, trail, secret or user a
per-resource command was run for. A path segment that is a region name (``eu-west-1/...`` or
``...__eu-west-1.json``) gives the region. Without such a name the top-level keys of the JSON
say which command it was, as far as they can.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from botocore import xform_name

from evidence.collectors.aws.readers import operations

_REGION = re.compile(r"^(?:[a-z]{2}|us-gov|cn)-[a-z]+-\d$")
_CLI_ERROR = re.compile(
    r"An error occurred \((?P<code>[\w.]+)\) when calling the (?P<op>\w+) operation"
)
_CLI_SERVICE = {"s3": "s3api"}


@cache
def commands() -> dict[str, str]:
    """Map each CLI command (``s3api get-bucket-encryption``) to the API operation it runs."""
    return {
        f"{_CLI_SERVICE.get(op.service, op.service)} {xform_name(op.name, '-')}": op.name
        for op in operations().values()
    }


#: Top-level keys that identify an output, tried in this order.
_SHAPES: list[tuple[tuple[str, ...], str]] = [
    (("ServerSideEncryptionConfiguration",), "GetBucketEncryption"),
    (("PublicAccessBlockConfiguration",), "GetPublicAccessBlock"),
    (("Buckets",), "ListBuckets"),
    (("DBInstances",), "DescribeDBInstances"),
    (("DBInstance",), "DescribeDBInstances"),
    (("DBClusters",), "DescribeDBClusters"),
    (("DBCluster",), "DescribeDBClusters"),
    (("EbsEncryptionByDefault",), "GetEbsEncryptionByDefault"),
    (("Volumes",), "DescribeVolumes"),
    (("SecurityGroups",), "DescribeSecurityGroups"),
    (("TableNames",), "ListTables"),
    (("Table",), "DescribeTable"),
    (("Keys",), "ListKeys"),
    (("Aliases",), "ListAliases"),
    (("KeyMetadata",), "DescribeKey"),
    (("KeyRotationEnabled",), "GetKeyRotationStatus"),
    (("Rotations",), "ListKeyRotations"),
    (("trailList",), "DescribeTrails"),
    (("IsLogging",), "GetTrailStatus"),
    (("EventSelectors",), "GetEventSelectors"),
    (("AdvancedEventSelectors",), "GetEventSelectors"),
    (("logGroups",), "DescribeLogGroups"),
    (("PasswordPolicy",), "GetAccountPasswordPolicy"),
    (("ReportFormat",), "GetCredentialReport"),
    (("Users",), "ListUsers"),
    (("MFADevices",), "ListMFADevices"),
    (("AccessKeyMetadata",), "ListAccessKeys"),
    (("SecretList",), "ListSecrets"),
    (("Versions", "ARN"), "ListSecretVersionIds"),
    (("ARN", "Name", "LastChangedDate"), "DescribeSecret"),
    (("ARN", "Name", "RotationEnabled"), "DescribeSecret"),
    (("LoadBalancers",), "DescribeLoadBalancers"),
    (("Listeners",), "DescribeListeners"),
    (("SslPolicies",), "DescribeSSLPolicies"),
    (("Account", "Arn", "UserId"), "GetCallerIdentity"),
    (("Rules",), "GetBucketLifecycleConfiguration"),
    (("Policy",), "GetKeyPolicy"),
]


@dataclass
class NameParts:
    """What a file's name and folders say: the command, the resource, the region."""

    service: str | None = None
    command: str | None = None
    resource: str | None = None
    region: str | None = None

    @property
    def operation(self) -> str | None:
        """The API operation the named command runs (None when not a command we read)."""
        if self.service and self.command:
            return commands().get(f"{self.service} {self.command}")
        return None


def name_parts(path: Path) -> NameParts:
    """Split ``service__command__resource.json`` (and any region folder) into its parts."""
    stem = path.name
    for suffix in (".gz", ".json", ".txt", ".csv", ".out", ".err"):
        stem = stem.removesuffix(suffix)
    stem = stem.removesuffix(".INVALID-JSON")
    parts = NameParts()
    pieces = stem.split("__")
    if len(pieces) >= 2:
        parts.service, parts.command = pieces[0].lower(), pieces[1].lower()
        if len(pieces) >= 3 and pieces[2]:
            parts.resource = "__".join(pieces[2:])
    if parts.resource and _REGION.match(parts.resource):
        parts.region = parts.resource
    for folder in reversed(path.parent.parts):
        if _REGION.match(folder):
            parts.region = parts.region or folder
            break
    return parts


def operation_from_shape(data: Any) -> str | None:
    """Name the operation an output's top-level keys point to (None when none)."""
    if not isinstance(data, dict):
        return None
    for keys, operation in _SHAPES:
        if all(key in data for key in keys):
            return operation
    return None


def is_botocore_examples(data: Any) -> bool:
    """Whether ``data`` is a botocore ``examples-1.json`` file (example responses per operation)."""
    return isinstance(data, dict) and isinstance(data.get("examples"), dict) and "version" in data


@dataclass
class CliError:
    """A saved ``An error occurred (Code) when calling the Op operation`` message."""

    code: str
    operation: str


def cli_error(text: str) -> CliError | None:
    """Find the error an output file holds instead of JSON, when it holds one."""
    match = _CLI_ERROR.search(text)
    return CliError(match["code"], match["op"]) if match else None


@dataclass
class Recognised:
    """A file's verdict: API calls to record, call errors to record, or why it is skipped."""

    calls: list[tuple[str, dict[str, Any], Any]] = field(default_factory=list)
    errors: list[tuple[str, dict[str, Any], str]] = field(default_factory=list)
    skipped: str | None = None


def params_for(operation: str, parts: NameParts) -> dict[str, Any] | None:
    """Build the parameters a per-resource output needs from its file name (None if missing)."""
    param = operations()[operation].resource_param
    if param is None:
        return {}
    if parts.resource and parts.resource != parts.region:
        return {param: parts.resource}
    return None
