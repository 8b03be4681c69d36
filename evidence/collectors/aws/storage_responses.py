"""Readers of the data-store responses: S3, RDS and Aurora, EBS, DynamoDB, and KMS keys."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from evidence.collectors.aws.api_values import dicts, mapping, text, to_bool, to_int, to_iso
from evidence.collectors.aws.arns import arn_account, arn_region
from evidence.collectors.aws.key_policy import decrypt_principals
from evidence.collectors.aws.operations import ReaderTable

if TYPE_CHECKING:
    from evidence.collectors.aws.inventory import AwsInventory
    from evidence.collectors.aws.permissions import CallError

#: The operations this module reads (gathered by :func:`evidence.collectors.aws.readers.operations`).
READERS = ReaderTable()
handles, on_error = READERS.handles, READERS.on_error

AT_REST = "encryption.at_rest"
LIFECYCLE = "storage.lifecycle"
NETWORK = "network.exposure"
KMS = "encryption.kms"

#: S3 SSEAlgorithm -> the cipher it means (SSE-S3 and SSE-KMS both use AES-256).
_S3_ALGORITHMS = {"AES256": "AES-256", "aws:kms": "AES-256", "aws:kms:dsse": "AES-256 (dual-layer)"}
# RDS, EBS and DynamoDB encrypt with AES-256 (AWS service documentation).
_SERVICE_CIPHER = "AES-256"


# S3 --------------------------------------------------------------------------------------------


@handles("s3", "ListBuckets", kinds=(AT_REST, LIFECYCLE, NETWORK))
def list_buckets(
    inv: AwsInventory, params: dict[str, Any], response: dict[str, Any], region: str | None
) -> None:
    """Every bucket listed gets records that stay unknown until its own calls are read."""
    for bucket in dicts(response.get("Buckets")):
        name = text(bucket.get("Name"))
        if name:
            located = text(bucket.get("BucketRegion"))
            _unread(inv.store("s3_bucket", name, located), "encrypted", "GetBucketEncryption")
            _unread(inv.bucket_lifecycle(name), "rules", "GetBucketLifecycleConfiguration")
            _unread(inv.bucket_public_access(name), "all_blocked", "GetPublicAccessBlock")
            if located:
                inv.bucket_regions[name] = located


def _unread(record: dict[str, Any], field: str, operation: str) -> None:
    """Mark a listed resource unread: it stays unknown unless its own call is recorded."""
    if record.get(field) is None and not record.get("origin"):
        record["error"] = f"listed, but no {operation} result for it was recorded"


@handles("s3", "GetBucketLocation", kinds=(), resource_param="Bucket")
def bucket_location(
    inv: AwsInventory, params: dict[str, Any], response: dict[str, Any], region: str | None
) -> None:
    """Read a bucket's region (None means us-east-1, "EU" is the old name of eu-west-1)."""
    bucket = params.get("Bucket")
    if bucket:
        constraint = response.get("LocationConstraint")
        located = {None: "us-east-1", "": "us-east-1", "EU": "eu-west-1"}.get(
            constraint, constraint
        )
        inv.bucket_regions[bucket] = str(located)
        inv.store("s3_bucket", bucket)["region"] = str(located)


@handles("s3", "GetBucketEncryption", kinds=(AT_REST,), resource_param="Bucket")
def bucket_encryption(
    inv: AwsInventory, params: dict[str, Any], response: dict[str, Any], region: str | None
) -> None:
    """Default encryption of a bucket: algorithm and KMS key of its first rule."""
    bucket = params["Bucket"]
    record = inv.store("s3_bucket", bucket, inv.bucket_regions.get(bucket))
    config = response.get("ServerSideEncryptionConfiguration") or {}
    rules = dicts(config.get("Rules"))
    default = rules[0].get("ApplyServerSideEncryptionByDefault") if rules else None
    record["origin"] = "GetBucketEncryption"
    record["error"] = None
    if not isinstance(default, dict) or not text(default.get("SSEAlgorithm")):
        record.update(
            encrypted=False,
            algorithm=None,
            kms_key_id=None,
            setting="ServerSideEncryptionConfiguration has no default encryption rule",
        )
        return
    algorithm = str(default["SSEAlgorithm"])
    key = text(default.get("KMSMasterKeyID"))
    setting = f"SSEAlgorithm={algorithm}" + (f", KMSMasterKeyID={key}" if key else "")
    record.update(
        encrypted=algorithm in _S3_ALGORITHMS,
        algorithm=_S3_ALGORITHMS.get(algorithm),
        kms_key_id=key or ("aws/s3" if algorithm.startswith("aws:kms") else None),
        setting=setting,
    )


@on_error("GetBucketEncryption")
def bucket_encryption_error(
    inv: AwsInventory, params: dict[str, Any], error: CallError, region: str | None
) -> None:
    """No configuration means no default encryption; any other error leaves it unknown."""
    record = inv.store(
        "s3_bucket", params.get("Bucket", "?"), inv.bucket_regions.get(params.get("Bucket", ""))
    )
    record["origin"] = "GetBucketEncryption"
    if error.absent:
        record.update(
            encrypted=False,
            algorithm=None,
            kms_key_id=None,
            error=None,
            setting=f"no default encryption configured ({error.code})",
        )
    else:
        record.update(encrypted=None, error=error.describe())


@handles("s3", "GetBucketLifecycleConfiguration", kinds=(LIFECYCLE,), resource_param="Bucket")
def bucket_lifecycle(
    inv: AwsInventory, params: dict[str, Any], response: dict[str, Any], region: str | None
) -> None:
    """Lifecycle rules: status, prefix and expiration of current and noncurrent versions."""
    record = inv.bucket_lifecycle(params["Bucket"])
    record.update(
        rules=[lifecycle_rule(rule) for rule in dicts(response.get("Rules"))],
        origin="GetBucketLifecycleConfiguration",
        error=None,
    )


def lifecycle_rule(rule: dict[str, Any]) -> dict[str, Any]:
    """One rule in the documented shape (API and CLI spell it the same way)."""
    filters = mapping(rule.get("Filter"))
    combined = mapping(filters.get("And"))
    prefix = text(rule.get("Prefix")) or text(filters.get("Prefix")) or text(combined.get("Prefix"))
    expiration = mapping(rule.get("Expiration"))
    noncurrent = rule.get("NoncurrentVersionExpiration")
    noncurrent = noncurrent if isinstance(noncurrent, dict) else {}
    return {
        "id": str(rule.get("ID") or ""),
        "status": "Enabled" if rule.get("Status") == "Enabled" else "Disabled",
        "prefix": prefix,
        "expiration_days": to_int(expiration.get("Days")),
        "expiration_date": to_iso(expiration.get("Date")),
        "noncurrent_expiration_days": to_int(noncurrent.get("NoncurrentDays")),
        "tag_filter": bool(filters.get("Tag") or combined.get("Tags")),
    }


@on_error("GetBucketLifecycleConfiguration")
def bucket_lifecycle_error(
    inv: AwsInventory, params: dict[str, Any], error: CallError, region: str | None
) -> None:
    """No configuration means no rules at all; any other error leaves them unknown."""
    record = inv.bucket_lifecycle(params.get("Bucket", "?"))
    record["origin"] = "GetBucketLifecycleConfiguration"
    if error.absent:
        record.update(rules=[], error=None)
    else:
        record.update(rules=None, error=error.describe())


@handles("s3", "GetPublicAccessBlock", kinds=(NETWORK,), resource_param="Bucket")
def public_access_block(
    inv: AwsInventory, params: dict[str, Any], response: dict[str, Any], region: str | None
) -> None:
    """Read the bucket's four public-access-block flags."""
    record = inv.bucket_public_access(params["Bucket"])
    config = response.get("PublicAccessBlockConfiguration") or {}
    flags = {
        "block_public_acls": to_bool(config.get("BlockPublicAcls")),
        "ignore_public_acls": to_bool(config.get("IgnorePublicAcls")),
        "block_public_policy": to_bool(config.get("BlockPublicPolicy")),
        "restrict_public_buckets": to_bool(config.get("RestrictPublicBuckets")),
    }
    record.update(
        flags,
        all_blocked=all(v is True for v in flags.values()),
        origin="GetPublicAccessBlock",
        error=None,
    )


@on_error("GetPublicAccessBlock")
def public_access_block_error(
    inv: AwsInventory, params: dict[str, Any], error: CallError, region: str | None
) -> None:
    """No configuration means nothing is blocked at bucket level."""
    record = inv.bucket_public_access(params.get("Bucket", "?"))
    record["origin"] = "GetPublicAccessBlock"
    if error.absent:
        record.update(
            block_public_acls=False,
            ignore_public_acls=False,
            block_public_policy=False,
            restrict_public_buckets=False,
            all_blocked=False,
            error=None,
        )
    else:
        record.update(all_blocked=None, error=error.describe())


# RDS and Aurora --------------------------------------------------------------------------------


def _rds_records(response: dict[str, Any], many: str, one: str) -> list[dict[str, Any]]:
    if many in response:
        return dicts(response[many])
    if isinstance(response.get(one), dict):
        return [response[one]]
    return dicts(response.get("__list__"))


@handles("rds", "DescribeDBInstances", kinds=(AT_REST,))
def db_instances(
    inv: AwsInventory, params: dict[str, Any], response: dict[str, Any], region: str | None
) -> None:
    """StorageEncrypted and KmsKeyId of each DB instance (Aurora members included)."""
    for db in _rds_records(response, "DBInstances", "DBInstance"):
        _rds_store(
            inv,
            db,
            "rds_instance",
            "DBInstanceIdentifier",
            "DBInstanceArn",
            region,
            "DescribeDBInstances",
        )


@handles("rds", "DescribeDBClusters", kinds=(AT_REST,))
def db_clusters(
    inv: AwsInventory, params: dict[str, Any], response: dict[str, Any], region: str | None
) -> None:
    """StorageEncrypted and KmsKeyId of each Aurora (or Multi-AZ) DB cluster."""
    for cluster in _rds_records(response, "DBClusters", "DBCluster"):
        _rds_store(
            inv,
            cluster,
            "rds_cluster",
            "DBClusterIdentifier",
            "DBClusterArn",
            region,
            "DescribeDBClusters",
        )


def _rds_store(
    inv: AwsInventory,
    db: dict[str, Any],
    kind: str,
    id_key: str,
    arn_key: str,
    region: str | None,
    origin: str,
) -> None:
    identifier = text(db.get(id_key))
    if not identifier:
        return
    arn = text(db.get(arn_key))
    inv.note_account(arn_account(arn))
    record = inv.store(kind, identifier, arn_region(arn) or region)
    encrypted = to_bool(db.get("StorageEncrypted"))
    record["origin"] = origin
    record["engine"] = text(db.get("Engine"))
    if encrypted is None:
        record.update(
            encrypted=None,
            setting="StorageEncrypted not in the output",
            error="StorageEncrypted is missing (was the output cut down with --query?)",
        )
        return
    key = text(db.get("KmsKeyId"))
    record.update(
        encrypted=encrypted,
        algorithm=_SERVICE_CIPHER if encrypted else None,
        kms_key_id=key if encrypted else None,
        setting=f"StorageEncrypted={'true' if encrypted else 'false'}"
        + (f", KmsKeyId={key}" if encrypted and key else ""),
        error=None,
    )


# EBS -------------------------------------------------------------------------------------------


@handles("ec2", "GetEbsEncryptionByDefault", kinds=(AT_REST,))
def ebs_default(
    inv: AwsInventory, params: dict[str, Any], response: dict[str, Any], region: str | None
) -> None:
    """Whether new EBS volumes in the region are encrypted by default."""
    enabled = to_bool(response.get("EbsEncryptionByDefault"))
    record = inv.store("ebs_default", region or "unknown-region", region)
    record["origin"] = "GetEbsEncryptionByDefault"
    if enabled is None:
        record.update(error="EbsEncryptionByDefault is missing from the output")
        return
    record.update(
        encrypted=enabled,
        algorithm=_SERVICE_CIPHER if enabled else None,
        error=None,
        setting=f"EbsEncryptionByDefault={'true' if enabled else 'false'}",
    )


@handles("ec2", "DescribeVolumes", kinds=(AT_REST,))
def volumes(
    inv: AwsInventory, params: dict[str, Any], response: dict[str, Any], region: str | None
) -> None:
    """Encrypted and KmsKeyId of each EBS volume."""
    found = (
        dicts(response.get("Volumes")) if "Volumes" in response else dicts(response.get("__list__"))
    )
    for volume in found:
        volume_id = text(volume.get("VolumeId")) or text(volume.get("ID"))
        if not volume_id:
            continue
        zone = text(volume.get("AvailabilityZone"))
        record = inv.store("ebs_volume", volume_id, zone[:-1] if zone else region)
        record["origin"] = "DescribeVolumes"
        encrypted = to_bool(volume.get("Encrypted"))
        if encrypted is None:
            record.update(error="Encrypted is missing (was the output cut down with --query?)")
            continue
        key = text(volume.get("KmsKeyId"))
        record.update(
            encrypted=encrypted,
            algorithm=_SERVICE_CIPHER if encrypted else None,
            kms_key_id=key if encrypted else None,
            error=None,
            setting=f"Encrypted={'true' if encrypted else 'false'}"
            + (f", KmsKeyId={key}" if key else ""),
        )


# DynamoDB --------------------------------------------------------------------------------------


@handles("dynamodb", "ListTables", kinds=(AT_REST,))
def list_tables(
    inv: AwsInventory, params: dict[str, Any], response: dict[str, Any], region: str | None
) -> None:
    """Every table listed stays unknown until its DescribeTable is read."""
    for name in response.get("TableNames") or []:
        if isinstance(name, str):
            _unread(inv.store("dynamodb_table", name, region), "encrypted", "DescribeTable")


@handles("dynamodb", "DescribeTable", kinds=(AT_REST,), resource_param="TableName")
def describe_table(
    inv: AwsInventory, params: dict[str, Any], response: dict[str, Any], region: str | None
) -> None:
    """Read a table's SSE: a KMS key, or (no SSEDescription) the AWS owned key."""
    table = mapping(response.get("Table"))
    name = text(table.get("TableName")) or params.get("TableName")
    if not name:
        return
    arn = text(table.get("TableArn"))
    inv.note_account(arn_account(arn))
    record = inv.store("dynamodb_table", name, arn_region(arn) or region)
    record["origin"] = "DescribeTable"
    sse = table.get("SSEDescription")
    if isinstance(sse, dict) and sse.get("Status") in ("ENABLED", "UPDATING"):
        key = text(sse.get("KMSMasterKeyArn"))
        record.update(
            encrypted=True,
            algorithm=_SERVICE_CIPHER,
            kms_key_id=key or "aws/dynamodb",
            error=None,
            setting=f"SSEDescription.SSEType={sse.get('SSEType', 'KMS')}"
            + (f", KMSMasterKeyArn={key}" if key else ""),
        )
    elif isinstance(sse, dict) and sse.get("Status") in ("DISABLED", "DISABLING"):
        # Disabling KMS SSE falls back to the AWS owned key: still AES-256 at rest.
        record.update(
            encrypted=True,
            algorithm=_SERVICE_CIPHER,
            kms_key_id=None,
            error=None,
            setting=f"SSEDescription.Status={sse.get('Status')}: AWS owned key",
        )
    else:
        record.update(
            encrypted=True,
            algorithm=_SERVICE_CIPHER,
            kms_key_id=None,
            error=None,
            setting="no SSEDescription: encrypted with the AWS owned key "
            "(DynamoDB encrypts every table)",
        )


# KMS -------------------------------------------------------------------------------------------


@handles("kms", "ListKeys", kinds=(KMS,))
def list_keys(
    inv: AwsInventory, params: dict[str, Any], response: dict[str, Any], region: str | None
) -> None:
    """Every key listed stays unknown until its own calls are read."""
    for key in dicts(response.get("Keys")):
        key_id = text(key.get("KeyId"))
        if key_id:
            record = inv.key(key_id, arn_region(key.get("KeyArn")) or region)
            record["arn"] = record["arn"] or text(key.get("KeyArn"))


@handles("kms", "ListAliases", kinds=(KMS,))
def list_aliases(
    inv: AwsInventory, params: dict[str, Any], response: dict[str, Any], region: str | None
) -> None:
    """Alias names per key, so a report says ``alias/orders-db`` rather than a UUID."""
    for alias in dicts(response.get("Aliases")):
        target, name = text(alias.get("TargetKeyId")), text(alias.get("AliasName"))
        if target and name:
            inv.aliases[target].add(name)


@handles("kms", "DescribeKey", kinds=(KMS,), resource_param="KeyId")
def describe_key(
    inv: AwsInventory, params: dict[str, Any], response: dict[str, Any], region: str | None
) -> None:
    """Read the manager, spec, usage, state and origin of a key."""
    meta = mapping(response.get("KeyMetadata"))
    key_id = text(meta.get("KeyId")) or params.get("KeyId")
    if not key_id:
        return
    inv.note_account(text(meta.get("AWSAccountId")))
    record = inv.key(key_id, arn_region(meta.get("Arn")) or region)
    record.update(
        arn=text(meta.get("Arn")) or record["arn"],
        manager=text(meta.get("KeyManager")),
        spec=text(meta.get("KeySpec")) or text(meta.get("CustomerMasterKeySpec")),
        usage=text(meta.get("KeyUsage")),
        state=text(meta.get("KeyState")) or ("Enabled" if meta.get("Enabled") else None),
        key_origin=text(meta.get("Origin")),
        created=to_iso(meta.get("CreationDate")),
        origin="DescribeKey",
    )


@handles("kms", "ListKeyRotations", kinds=(KMS,), resource_param="KeyId")
def key_rotations(
    inv: AwsInventory, params: dict[str, Any], response: dict[str, Any], region: str | None
) -> None:
    """Every rotation of the key's material, automatic or on demand (by hand), with its date.

    A key rotated by hand within the limit meets the policy as well as one that rotates itself.
    """
    rotations = dicts(response.get("Rotations"))
    key_id = params.get("KeyId") or next((text(r.get("KeyId")) for r in rotations if r.get("KeyId")), None)
    if not key_id:
        return
    key_id = key_id.rsplit("/", 1)[-1] if key_id.startswith("arn:") else key_id
    dates = sorted(d for r in rotations if (d := to_iso(r.get("RotationDate"))))
    record = inv.key(key_id, region)
    known = record.get("rotation_dates") or []
    record["rotation_dates"] = sorted({*known, *dates})
    record["rotations_complete"] = not response.get("Truncated")


@handles("kms", "GetKeyRotationStatus", kinds=(KMS,), resource_param="KeyId")
def key_rotation(
    inv: AwsInventory, params: dict[str, Any], response: dict[str, Any], region: str | None
) -> None:
    """Whether automatic rotation is on, its period and the next rotation date."""
    key_id = text(response.get("KeyId")) or params.get("KeyId")
    if not key_id:
        return
    key_id = key_id.rsplit("/", 1)[-1] if key_id.startswith("arn:") else key_id
    record = inv.key(key_id, region)
    record.update(
        rotation_enabled=to_bool(response.get("KeyRotationEnabled")),
        rotation_period_days=to_int(response.get("RotationPeriodInDays")),
        next_rotation=to_iso(response.get("NextRotationDate")),
    )


@on_error("GetKeyRotationStatus")
def key_rotation_error(
    inv: AwsInventory, params: dict[str, Any], error: CallError, region: str | None
) -> None:
    """Note keys that cannot rotate (UnsupportedOperationException); leave others unknown."""
    record = inv.key(params.get("KeyId", "?"), region)
    if error.code == "UnsupportedOperationException":
        record["rotation_enabled"] = None
        record["rotation_supported"] = False
    else:
        record["error"] = error.describe()


@handles("kms", "GetKeyPolicy", kinds=(KMS,), resource_param="KeyId")
def key_policy(
    inv: AwsInventory, params: dict[str, Any], response: dict[str, Any], region: str | None
) -> None:
    """Who may decrypt with the key, from its key policy."""
    key_id = params.get("KeyId")
    if not key_id:
        return
    found = decrypt_principals(response.get("Policy"), inv.redactor)
    inv.key(key_id, region).update(
        decrypt_principals=found["principals"],
        public_decrypt=found["public"],
        conditional_public_decrypt=found["conditional_public"],
        policy_error=found["error"],
    )


@on_error("ListKeyRotations")
def key_rotations_error(
    inv: AwsInventory, params: dict[str, Any], error: CallError, region: str | None
) -> None:
    """Leave the rotation history unknown (an older account or missing permission)."""
    inv.key(params.get("KeyId", "?"), region)["rotations_complete"] = None


@on_error("GetKeyPolicy")
def key_policy_error(
    inv: AwsInventory, params: dict[str, Any], error: CallError, region: str | None
) -> None:
    """Leave the decrypt principals unknown when the policy cannot be read."""
    inv.key(params.get("KeyId", "?"), region)["policy_error"] = error.describe()


@on_error("DescribeKey")
def describe_key_error(
    inv: AwsInventory, params: dict[str, Any], error: CallError, region: str | None
) -> None:
    """Leave a key that cannot be described unknown, with the reason."""
    inv.key(params.get("KeyId", "?"), region)["error"] = error.describe()


@on_error("DescribeTable")
def describe_table_error(
    inv: AwsInventory, params: dict[str, Any], error: CallError, region: str | None
) -> None:
    """Leave a table that cannot be described unknown, with the reason."""
    record = inv.store("dynamodb_table", params.get("TableName", "?"), region)
    record.update(encrypted=None, origin="DescribeTable", error=error.describe())
