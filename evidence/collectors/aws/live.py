"""[aws] Reads an AWS account's security settings live, with read-only calls only.

Credentials come from the standard boto3 chain (environment, ``profile``, SSO, instance role),
optionally through ``role_arn``. Only Get/List/Describe calls are made, plus
``GenerateCredentialReport``, which only produces the IAM credential report. A call that fails
(AccessDenied or anything else) is recorded against what it was meant to prove, naming the
missing permission: it can only make a control "insufficient evidence", never met.
"""

from __future__ import annotations

import json
import time
from collections import Counter
from collections.abc import Iterator
from typing import Any, Literal

from pydantic import Field

from evidence.collectors.aws.identities import redact_aws_json
from evidence.collectors.aws.inventory import CREDENTIALS, KINDS, AwsInventory, AwsScopeSettings
from evidence.collectors.base import Collector, CollectorContext
from evidence.errors import ConfigError, InputError
from evidence.model.assurance import Assurance
from evidence.model.canonical import sha256_hex
from evidence.model.evidence import EvidenceItem, ParseStats, RawInput

Service = Literal[
    "s3", "rds", "ec2", "dynamodb", "kms", "cloudtrail", "logs", "iam", "secretsmanager", "elbv2"
]
ALL_SERVICES: tuple[Service, ...] = (
    "iam",
    "s3",
    "rds",
    "ec2",
    "dynamodb",
    "kms",
    "cloudtrail",
    "logs",
    "secretsmanager",
    "elbv2",
)


class AwsSettings(AwsScopeSettings):
    """Settings: how to reach the account, which regions and services, what is PII."""

    profile: str | None = None
    #: The account the credentials must reach (``evidence init --detect`` writes it): a run
    #: whose credentials reach another account fails instead of collecting the wrong one.
    account_id: str | None = Field(default=None, pattern=r"^\d{12}$")
    role_arn: str | None = Field(default=None, pattern=r"^arn:aws[\w-]*:iam::\d{12}:role/.+$")
    external_id: str | None = None
    session_name: str = "dpp-evidence"
    regions: list[str] = Field(default_factory=list)
    services: list[Service] = Field(default_factory=lambda: list(ALL_SERVICES), min_length=1)
    endpoint_url: str | None = None
    credential_report_wait_seconds: float = Field(default=30, ge=0, le=600)


class AwsCollector(Collector[AwsSettings]):
    """Encryption, key, identity, secret, network and logging settings of an AWS account."""

    id = "aws"
    assurance = Assurance.OBSERVED
    description = (
        "AWS account settings, live and read-only (S3, RDS, EBS, DynamoDB, KMS, IAM, CloudTrail...)"
    )
    produces = KINDS
    snapshot = True
    paths_setting = None

    def __init__(self, settings: AwsSettings, context: CollectorContext) -> None:
        super().__init__(settings, context)
        self._calls: dict[str, list[dict[str, Any]]] = {}
        self._copies: dict[str, list[dict[str, Any]]] = {}

    def collect(self) -> Iterator[EvidenceItem]:
        """One item per evidence kind for the account, built from every call made."""
        since = Counter(self.context.redactor.counts)
        inventory = AwsInventory.scoped(self.context.redactor, self.settings)
        reader = _Reader(self.settings, inventory, self._calls)
        reader.run(self.context.progress)
        account = inventory.account or "unknown account"
        # The caller's ARN may name a person: its user or role name is pseudonymised.
        caller = redact_aws_json({"Arn": reader.caller}, self.context.redactor).get("Arn") if reader.caller else None
        captured = self.context.collected_at.replace(microsecond=0)
        redactions = self.redaction_counts(since)
        for kind in inventory.kinds():
            facts = inventory.facts(kind)
            facts["captured_at"] = captured.isoformat()
            calls = self._calls.get(kind, [])
            payload = json.dumps(calls, sort_keys=True, default=str).encode()
            location = f"aws://{account}/{kind}"
            self._copies[location] = calls
            stats = ParseStats(scope=f"{self.context.source}:{kind}")
            stats.keep(sum(1 for c in calls if "error" not in c))
            item = self.item(
                kind,
                subject=f"AWS account {account}",
                facts=facts,
                stats=stats,
                raw_inputs=[
                    RawInput(location=location, sha256=sha256_hex(payload), size=len(payload))
                ],
                covers=(captured, captured),
                redactions=redactions,
            )
            item.provenance = {
                "how": "read-only AWS API calls through boto3",
                "api": {
                    "account": account,
                    "caller": caller,
                    "calls": sorted(
                        {f"{c['operation']} ({c['region']})" for c in calls if isinstance(c, dict)}
                    ),
                    "endpoint": self.settings.endpoint_url,
                },
            }
            yield item

    def redacted_copy(self, location: str) -> Iterator[bytes] | None:
        """Copy the API responses behind an item, users pseudonymised and secrets removed."""
        calls = self._copies.get(location)
        if calls is None:
            return None
        redacted = redact_aws_json(
            json.loads(json.dumps(calls, default=str)), self.context.redactor
        )
        return iter([json.dumps(redacted, indent=2, sort_keys=True).encode("utf-8")])


class _Reader:
    """Makes the read-only calls, region by region, and feeds each answer to the inventory."""

    def __init__(
        self, settings: AwsSettings, inventory: AwsInventory, calls: dict[str, list[dict[str, Any]]]
    ) -> None:
        self.settings = settings
        self.inventory = inventory
        self.calls = calls
        self.caller = ""
        self.session = _session(settings)
        self.regions = settings.regions or (
            [self.session.region_name] if self.session.region_name else []
        )
        if not self.regions:
            raise ConfigError(
                'aws: no region: set regions = ["eu-west-1", ...] or a region in the profile'
            )
        self._clients: dict[tuple[str, str], Any] = {}

    def run(self, progress: Any) -> None:
        services = set(self.settings.services)
        home = self.regions[0]
        self._identity(home)
        progress.start("aws regions", total=len(self.regions))
        if "iam" in services:
            self._iam(home)
        if "s3" in services:
            self._s3(home)
        for region in self.regions:
            for service in ALL_SERVICES:
                if service in services and service not in ("iam", "s3"):
                    getattr(self, f"_{service}")(region)
            progress.advance("aws regions")
        progress.finish("aws regions")

    # Plumbing ---------------------------------------------------------------------------------

    def client(self, service: str, region: str) -> Any:
        from botocore.config import Config

        key = (service, region)
        if key not in self._clients:
            self._clients[key] = self.session.client(
                service,
                region_name=region,
                endpoint_url=self.settings.endpoint_url,
                config=Config(
                    retries={"max_attempts": 4, "mode": "standard"},
                    connect_timeout=10,
                    read_timeout=60,
                    user_agent_extra="dpp-evidence",
                ),
            )
        return self._clients[key]

    def call(
        self, service: str, operation: str, region: str, **params: Any
    ) -> dict[str, Any] | None:
        """One read-only call (all pages merged); None when it failed (the failure is recorded)."""
        from botocore.exceptions import BotoCoreError, ClientError

        client = self.client(service, region)
        method = _snake(operation)
        try:
            if client.can_paginate(method):
                response = client.get_paginator(method).paginate(**params).build_full_result()
            else:
                response = getattr(client, method)(**params)
        except ClientError as exc:
            code = str(
                exc.response.get("Error", {}).get("Code")
                or exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
            )
            error = self.inventory.record_error(operation, params, code, region)
            self._log(operation, region, params, {"error": code, "message": error.describe()})
            return None
        except BotoCoreError as exc:
            if type(exc).__name__ in ("NoCredentialsError", "PartialCredentialsError"):
                raise InputError("aws", f"no usable AWS credentials: {exc}") from None
            code = type(exc).__name__
            error = self.inventory.record_error(operation, params, code, region)
            self._log(operation, region, params, {"error": code, "message": error.describe()})
            return None
        response.pop("ResponseMetadata", None)
        if isinstance(response.get("Content"), bytes):
            response["Content"] = response["Content"].decode("utf-8", errors="replace")
        self.inventory.record(operation, params, response, region)
        self._log(operation, region, params, {"response": response})
        return dict(response)

    def _log(
        self, operation: str, region: str, params: dict[str, Any], outcome: dict[str, Any]
    ) -> None:
        entry = {"operation": operation, "region": region, "params": params, **outcome}
        for kind in self.inventory.operation(operation).kinds or ("account",):
            self.calls.setdefault(kind, []).append(entry)

    # Services ---------------------------------------------------------------------------------

    def _identity(self, region: str) -> None:
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            identity = self.client("sts", region).get_caller_identity()
        except BotoCoreError as exc:
            raise InputError("aws", f"cannot reach AWS or no usable credentials: {exc}") from None
        except ClientError as exc:
            code = exc.response.get("Error", {}).get("Code", "error")
            raise InputError("aws", f"the credentials were refused by STS ({code})") from None
        wanted = self.settings.account_id
        if wanted and identity.get("Account") != wanted:
            raise InputError(
                "aws", f"the credentials reach account {identity.get('Account')}, not account_id {wanted}"
            )
        self.inventory.record("GetCallerIdentity", {}, identity, region)
        self.caller = str(identity.get("Arn") or "")

    def _iam(self, region: str) -> None:
        self.call("iam", "GetAccountPasswordPolicy", region)
        self._credential_report(region)

    def _credential_report(self, region: str) -> None:
        from botocore.exceptions import ClientError

        client = self.client("iam", region)
        generate_problem = None
        deadline = time.monotonic() + self.settings.credential_report_wait_seconds
        while True:
            try:
                state = client.generate_credential_report().get("State")
            except ClientError as exc:
                from evidence.collectors.aws.permissions import CallError

                code = str(exc.response.get("Error", {}).get("Code"))
                generate_problem = CallError("iam", "GenerateCredentialReport", code).describe()
                break
            if state == "COMPLETE" or time.monotonic() >= deadline:
                break
            time.sleep(1)
        response = self.call("iam", "GetCredentialReport", region)
        if response is None and generate_problem:
            self.inventory.kind_error(CREDENTIALS, generate_problem)

    def _s3(self, region: str) -> None:
        listed = self.call("s3", "ListBuckets", region)
        for bucket in sorted(b["Name"] for b in (listed or {}).get("Buckets", []) if b.get("Name")):
            location = self.call("s3", "GetBucketLocation", region, Bucket=bucket)
            constraint = (location or {}).get("LocationConstraint")
            bucket_region = {None: "us-east-1", "": "us-east-1", "EU": "eu-west-1"}.get(
                constraint, constraint
            )
            target = bucket_region if location is not None else region
            for operation in (
                "GetBucketEncryption",
                "GetBucketLifecycleConfiguration",
                "GetPublicAccessBlock",
            ):
                self.call("s3", operation, str(target), Bucket=bucket)

    def _rds(self, region: str) -> None:
        self.call("rds", "DescribeDBInstances", region)
        self.call("rds", "DescribeDBClusters", region)

    def _ec2(self, region: str) -> None:
        self.call("ec2", "GetEbsEncryptionByDefault", region)
        self.call("ec2", "DescribeVolumes", region)
        self.call("ec2", "DescribeSecurityGroups", region)

    def _dynamodb(self, region: str) -> None:
        listed = self.call("dynamodb", "ListTables", region)
        for table in (listed or {}).get("TableNames", []):
            self.call("dynamodb", "DescribeTable", region, TableName=table)

    def _kms(self, region: str) -> None:
        listed = self.call("kms", "ListKeys", region)
        self.call("kms", "ListAliases", region)
        for key in (listed or {}).get("Keys", []):
            key_id = key.get("KeyId")
            if not key_id:
                continue
            self.call("kms", "DescribeKey", region, KeyId=key_id)
            self.call("kms", "GetKeyRotationStatus", region, KeyId=key_id)
            self.call("kms", "ListKeyRotations", region, KeyId=key_id)
            self.call("kms", "GetKeyPolicy", region, KeyId=key_id, PolicyName="default")

    def _cloudtrail(self, region: str) -> None:
        listed = self.call("cloudtrail", "DescribeTrails", region)
        for trail in (listed or {}).get("trailList", []):
            arn = trail.get("TrailARN")
            home = trail.get("HomeRegion") or region
            if not arn or home != region:
                continue  # a multi-region trail shows in every region: read it once, at home
            self.call("cloudtrail", "GetTrailStatus", region, Name=arn)
            self.call("cloudtrail", "GetEventSelectors", region, TrailName=arn)

    def _logs(self, region: str) -> None:
        self.call("logs", "DescribeLogGroups", region)

    def _secretsmanager(self, region: str) -> None:
        listed = self.call("secretsmanager", "ListSecrets", region)
        for secret in (listed or {}).get("SecretList", []):
            if secret.get("ARN"):
                self.call("secretsmanager", "ListSecretVersionIds", region, SecretId=secret["ARN"])

    def _elbv2(self, region: str) -> None:
        listed = self.call("elbv2", "DescribeLoadBalancers", region)
        for lb in (listed or {}).get("LoadBalancers", []):
            if lb.get("LoadBalancerArn"):
                self.call(
                    "elbv2", "DescribeListeners", region, LoadBalancerArn=lb["LoadBalancerArn"]
                )
        if region == self.regions[0]:
            self.call("elbv2", "DescribeSSLPolicies", region)


def _session(settings: AwsSettings) -> Any:
    import boto3
    from botocore.exceptions import BotoCoreError, ClientError

    try:
        session = boto3.Session(profile_name=settings.profile)
    except BotoCoreError as exc:
        raise ConfigError(f"aws: {exc}") from None
    if not settings.role_arn:
        return session
    region = settings.regions[0] if settings.regions else session.region_name
    sts = session.client("sts", region_name=region, endpoint_url=settings.endpoint_url)
    params: dict[str, Any] = {
        "RoleArn": settings.role_arn,
        "RoleSessionName": settings.session_name,
    }
    if settings.external_id:
        params["ExternalId"] = settings.external_id
    try:
        credentials = sts.assume_role(**params)["Credentials"]
    except ClientError as exc:
        code = exc.response.get("Error", {}).get("Code", "error")
        raise InputError(
            "aws", f"cannot assume role {settings.role_arn} ({code}): sts:AssumeRole is needed"
        ) from None
    except BotoCoreError as exc:
        raise InputError("aws", f"cannot assume role {settings.role_arn}: {exc}") from None
    return boto3.Session(
        aws_access_key_id=credentials["AccessKeyId"],
        aws_secret_access_key=credentials["SecretAccessKey"],
        aws_session_token=credentials["SessionToken"],
        region_name=region,
    )


def _snake(operation: str) -> str:
    from botocore import xform_name

    return str(xform_name(operation))
