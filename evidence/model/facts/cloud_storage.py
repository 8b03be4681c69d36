"""Facts of the cloud storage kinds: encryption at rest, KMS keys, S3 lifecycle and exposure."""

from __future__ import annotations

from pydantic import Field

from evidence.model.facts import Part
from evidence.model.facts.cloud_snapshot import CloudSnapshot

_PRODUCERS = ("aws", "aws-cli", "terraform")


class StoreEncryption(Part):
    """One data store's encryption at rest, with the exact setting that decided it."""

    type: str = Field(
        description="s3_bucket, rds_instance, rds_cluster, ebs_volume, ebs_default or dynamodb_table"
    )
    id: str = Field(description="the resource's id (bucket name, instance id, region for ebs_default)")
    region: str | None = Field(None, description="its region, when known")
    encrypted: bool | None = Field(
        None, description="whether it is encrypted at rest; None when it could not be read (then `error` says why)"
    )
    algorithm: str | None = Field(None, description="the cipher (AES256, aws:kms...), when known")
    kms_key_id: str | None = Field(None, description="the KMS key used, when one is")
    setting: str | None = Field(
        None, description="the exact setting that decided it (e.g. `StorageEncrypted=false`)"
    )
    origin: str | None = Field(None, description="the API call or Terraform address it was read from")
    error: str | None = Field(None, description="why it could not be read (the missing permission)")
    pii: bool | None = Field(
        None, description="S3 only: whether the source's pii_buckets name it (None: none declared)"
    )
    engine: str | None = Field(None, description="RDS only: the database engine")


class EncryptionAtRest(CloudSnapshot):
    """Per data store (S3, RDS, Aurora, EBS, DynamoDB): encrypted, algorithm, KMS key, deciding setting."""

    kind = "encryption.at_rest"
    produced_by = _PRODUCERS

    resources: list[StoreEncryption] | None = Field(None, description="one record per data store")


class KmsKey(Part):
    """One KMS key: who manages it, its rotation and its material's dates, who may decrypt."""

    id: str = Field(description="the key id")
    arn: str | None = None
    region: str | None = None
    manager: str | None = Field(None, description="AWS or CUSTOMER (None: DescribeKey missing)")
    spec: str | None = Field(None, description="the key spec (SYMMETRIC_DEFAULT, RSA_2048...)")
    usage: str | None = Field(None, description="ENCRYPT_DECRYPT, SIGN_VERIFY, GENERATE_VERIFY_MAC")
    state: str | None = Field(None, description="Enabled, Disabled, PendingDeletion...")
    key_origin: str | None = Field(None, description="AWS_KMS or EXTERNAL (imported material)")
    rotation_enabled: bool | None = Field(None, description="automatic rotation on (None: not known)")
    rotation_supported: bool | None = Field(None, description="False when KMS cannot rotate this key")
    rotation_period_days: int | None = Field(None, description="the automatic rotation interval")
    next_rotation: str | None = None
    created: str | None = Field(None, description="when the key (and its first material) was made")
    rotation_dates: list[str] | None = Field(None, description="every rotation on record (ListKeyRotations)")
    rotations_complete: bool | None = Field(None, description="whether the rotation list is the whole history")
    decrypt_principals: list[str] | None = Field(
        None, description="principals the key policy lets decrypt (None: GetKeyPolicy missing)"
    )
    public_decrypt: bool | None = Field(
        None, description="the key policy lets any principal (*) decrypt unconditionally"
    )
    conditional_public_decrypt: bool | None = None
    policy_error: str | None = Field(None, description="why the key policy could not be read")
    origin: str | None = None
    error: str | None = None
    aliases: list[str] = Field(default_factory=list, description="the key's aliases, sorted")


class EncryptionKms(CloudSnapshot):
    """Per KMS key: manager, rotation (automatic or by hand), key spec, principals allowed to decrypt."""

    kind = "encryption.kms"
    produced_by = _PRODUCERS

    keys: list[KmsKey] | None = Field(None, description="one record per key")


class LifecycleRule(Part):
    """One S3 lifecycle rule."""

    id: str = Field(description="the rule's id")
    status: str = Field(description="Enabled or Disabled")
    prefix: str | None = Field(None, description="the prefix it applies to (None: the whole bucket)")
    expiration_days: int | None = Field(None, description="objects expire after this many days")
    noncurrent_expiration_days: int | None = Field(None, description="old versions expire after this many days")
    expiration_date: str | None = None
    tag_filter: bool | None = Field(None, description="whether the rule is limited to tagged objects")


class BucketLifecycle(Part):
    """One bucket's lifecycle rules."""

    bucket: str
    rules: list[LifecycleRule] | None = Field(None, description="None when they could not be read")
    pii: bool | None = Field(None, description="whether the source's pii_buckets name it")
    origin: str | None = None
    error: str | None = None


class StorageLifecycle(CloudSnapshot):
    """S3 lifecycle expiration rules per bucket, PII buckets marked."""

    kind = "storage.lifecycle"
    produced_by = _PRODUCERS

    buckets: list[BucketLifecycle] | None = Field(None, description="one record per bucket")


class WorldOpenRule(Part):
    """An inbound rule open to 0.0.0.0/0 or ::/0."""

    protocol: str = Field(description="tcp, udp, all, icmp...")
    from_port: int = 0
    to_port: int = 65535
    cidr: str = Field(description="0.0.0.0/0 or ::/0")


class SecurityGroup(Part):
    """One security group and its rules open to the whole internet."""

    id: str
    name: str | None = None
    vpc: str | None = None
    region: str | None = None
    rules: int | None = Field(None, description="how many inbound rules it has")
    world_open: list[WorldOpenRule] | None = Field(None, description="its rules open to the world (None: not known)")
    origin: str | None = None
    error: str | None = None


class BucketPublicAccess(Part):
    """One bucket's S3 public-access block."""

    bucket: str
    block_public_acls: bool | None = None
    ignore_public_acls: bool | None = None
    block_public_policy: bool | None = None
    restrict_public_buckets: bool | None = None
    all_blocked: bool | None = None
    origin: str | None = None
    error: str | None = None


class NetworkExposure(CloudSnapshot):
    """Security-group rules open to 0.0.0.0/0 or ::/0; S3 public-access blocks."""

    kind = "network.exposure"
    produced_by = _PRODUCERS

    security_groups: list[SecurityGroup] | None = None
    buckets: list[BucketPublicAccess] | None = None
