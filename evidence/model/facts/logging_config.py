"""Facts of ``logging.config``: CloudTrail trails, log groups, databases' connection logging."""

from __future__ import annotations

from pydantic import Field

from evidence.model.facts import Part
from evidence.model.facts.cloud_snapshot import CloudSnapshot
from evidence.model.facts.database import PgSetting


class Trail(Part):
    """One CloudTrail trail, with the retention of its S3 destination when its lifecycle is known."""

    name: str
    arn: str | None = None
    home_region: str | None = None
    multi_region: bool | None = None
    log_file_validation: bool | None = None
    is_logging: bool | None = None
    latest_delivery: str | None = None
    management_events: bool | None = Field(None, description="logs read and write management events")
    s3_bucket: str | None = None
    s3_key_prefix: str | None = None
    cloudwatch_log_group: str | None = None
    kms_key_id: str | None = None
    organization_trail: bool | None = None
    origin: str | None = None
    error: str | None = None
    s3_retention_days: int | None = Field(None, description="the bucket's expiration of the logs (None: none)")
    s3_lifecycle_known: bool | None = Field(None, description="whether the bucket's lifecycle was read")


class LogGroup(Part):
    """One CloudWatch log group in scope."""

    name: str
    region: str | None = None
    retention_days: int | None = Field(None, description="retentionInDays (None: never expires)")
    kms_key_id: str | None = None
    created: str | None = None
    origin: str | None = None


class DatabaseLogging(Part):
    """One database server's connection logging settings."""

    server: str
    target: str
    log_connections: PgSetting | None = None
    log_disconnections: PgSetting | None = None


class LoggingConfig(CloudSnapshot):
    """CloudTrail trails, log-group retention; databases' `log_connections`/`log_disconnections`.

    The AWS and Terraform sources give ``trails`` and ``log_groups``; postgres-settings and
    host-config give ``database_logging`` only (and none of the snapshot fields).
    """

    kind = "logging.config"
    produced_by = ("aws", "aws-cli", "terraform", "postgres-settings", "host-config")

    trails: list[Trail] | None = None
    log_groups: list[LogGroup] | None = None
    database_logging: list[DatabaseLogging] | None = None
