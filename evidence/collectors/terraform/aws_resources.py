"""AWS provider resources, inline (v3) and split (v4+), written into an :class:`AwsInventory`.

Only the attributes that decide a setting are read: never ``password`` or any secret value.
Split resources (``aws_s3_bucket_server_side_encryption_configuration``, ...) are applied after
the inline attributes of their bucket, so they win, as they do in AWS. Each record's ``origin``
is the resource address and its ``setting`` is spelled as in Terraform (``storage_encrypted =
false``), so a reader finds the line to change.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from evidence.collectors.aws.account_responses import IAM_UNSUPPORTED, world_rule
from evidence.collectors.aws.api_values import text, to_bool, to_int
from evidence.collectors.aws.arns import arn_account, arn_region
from evidence.collectors.aws.inventory import (
    AT_REST,
    KMS,
    LIFECYCLE,
    LOGGING,
    NETWORK,
    PASSWORD_POLICY,
    SECRETS,
    TRANSPORT,
    AwsInventory,
)
from evidence.collectors.aws.key_policy import decrypt_principals
from evidence.collectors.terraform.documents import Resource

Mapper = Callable[[AwsInventory, Resource, dict[str, str]], None]
_CIPHER = "AES-256"
_S3_ALGORITHMS = {"AES256": "AES-256", "aws:kms": "AES-256", "aws:kms:dsse": "AES-256 (dual-layer)"}


def _first(value: Any) -> dict[str, Any]:
    """Terraform nests blocks as one-element lists: the first element, or {}."""
    if isinstance(value, list) and value and isinstance(value[0], dict):
        return value[0]
    return value if isinstance(value, dict) else {}


def _flag(value: Any) -> str:
    return "true" if value else "false"


def s3_bucket(inv: AwsInventory, r: Resource, names: dict[str, str]) -> None:
    """Read a bucket and its inline (v3) encryption and lifecycle rules, when present."""
    name = text(r.values.get("bucket")) or text(r.values.get("id"))
    if not name:
        return
    names[r.address.split("[", 1)[0]] = name
    record = inv.store(
        "s3_bucket", name, text(r.values.get("region")) or arn_region(r.values.get("arn"))
    )
    if "server_side_encryption_configuration" in r.values:
        _s3_encryption(
            record,
            _first(r.values["server_side_encryption_configuration"]).get("rule"),
            r.address,
            "server_side_encryption_configuration",
        )
    if isinstance(r.values.get("lifecycle_rule"), list):
        lifecycle = inv.bucket_lifecycle(name)
        lifecycle.update(
            rules=[
                _inline_rule(rule) for rule in r.values["lifecycle_rule"] if isinstance(rule, dict)
            ],
            origin=r.address,
            error=None,
        )


def _s3_encryption(record: dict[str, Any], rules: Any, address: str, block: str) -> None:
    default = _first(_first(rules).get("apply_server_side_encryption_by_default"))
    algorithm = text(default.get("sse_algorithm"))
    record["origin"] = address
    record["error"] = None
    if not algorithm:
        record.update(
            encrypted=False,
            algorithm=None,
            kms_key_id=None,
            setting=f"{block} sets no sse_algorithm",
        )
        return
    key = text(default.get("kms_master_key_id"))
    record.update(
        encrypted=algorithm in _S3_ALGORITHMS,
        algorithm=_S3_ALGORITHMS.get(algorithm),
        kms_key_id=key or ("aws/s3" if algorithm.startswith("aws:kms") else None),
        setting=f'sse_algorithm = "{algorithm}"'
        + (f', kms_master_key_id = "{key}"' if key else ""),
    )


def _inline_rule(rule: dict[str, Any]) -> dict[str, Any]:
    expiration = _first(rule.get("expiration"))
    noncurrent = _first(rule.get("noncurrent_version_expiration"))
    return {
        "id": str(rule.get("id") or ""),
        "status": "Enabled" if to_bool(rule.get("enabled")) else "Disabled",
        "prefix": text(rule.get("prefix")),
        "expiration_days": to_int(expiration.get("days")) or None,
        "expiration_date": text(expiration.get("date")),
        "noncurrent_expiration_days": to_int(noncurrent.get("days")) or None,
        "tag_filter": bool(rule.get("tags")),
    }


def _bucket_of(r: Resource, names: dict[str, str]) -> str | None:
    """Find the bucket a split resource configures: its ``bucket``, or the one it references."""
    bucket = text(r.values.get("bucket"))
    if bucket:
        return bucket
    for reference in r.references.get("bucket", []):
        parts = reference.split(".")
        if len(parts) >= 2 and f"{parts[0]}.{parts[1]}" in names:
            return names[f"{parts[0]}.{parts[1]}"]
    return None


def s3_encryption(inv: AwsInventory, r: Resource, names: dict[str, str]) -> None:
    """``aws_s3_bucket_server_side_encryption_configuration`` (v4+)."""
    bucket = _bucket_of(r, names)
    if bucket:
        _s3_encryption(inv.store("s3_bucket", bucket), r.values.get("rule"), r.address, r.type)


def s3_lifecycle(inv: AwsInventory, r: Resource, names: dict[str, str]) -> None:
    """``aws_s3_bucket_lifecycle_configuration`` (v4+)."""
    bucket = _bucket_of(r, names)
    if not bucket:
        return
    rules = []
    for rule in r.values.get("rule") or []:
        if not isinstance(rule, dict):
            continue
        filters = _first(rule.get("filter"))
        combined = _first(filters.get("and"))
        expiration = _first(rule.get("expiration"))
        noncurrent = _first(rule.get("noncurrent_version_expiration"))
        rules.append(
            {
                "id": str(rule.get("id") or ""),
                "status": "Enabled" if rule.get("status") == "Enabled" else "Disabled",
                "prefix": text(rule.get("prefix"))
                or text(filters.get("prefix"))
                or text(combined.get("prefix")),
                "expiration_days": to_int(expiration.get("days")) or None,
                "expiration_date": text(expiration.get("date")),
                "noncurrent_expiration_days": to_int(noncurrent.get("noncurrent_days")) or None,
                "tag_filter": bool(filters.get("tag") or combined.get("tags")),
            }
        )
    inv.bucket_lifecycle(bucket).update(rules=rules, origin=r.address, error=None)


def s3_public_access(inv: AwsInventory, r: Resource, names: dict[str, str]) -> None:
    """``aws_s3_bucket_public_access_block``."""
    bucket = _bucket_of(r, names)
    if not bucket:
        return
    flags = {
        k: to_bool(r.values.get(k))
        for k in (
            "block_public_acls",
            "ignore_public_acls",
            "block_public_policy",
            "restrict_public_buckets",
        )
    }
    inv.bucket_public_access(bucket).update(
        flags, all_blocked=all(v is True for v in flags.values()), origin=r.address, error=None
    )


def _storage(
    inv: AwsInventory, r: Resource, kind: str, name_key: str, flag_key: str, key_key: str
) -> None:
    identifier = text(r.values.get(name_key)) or text(r.values.get("id")) or r.address
    record = inv.store(kind, identifier, arn_region(r.values.get("arn")))
    inv.note_account(arn_account(r.values.get("arn")))
    record["origin"] = r.address
    encrypted = to_bool(r.values.get(flag_key))
    if encrypted is None:
        record.update(
            encrypted=None,
            error=f"{flag_key} is not known (not in the document or computed at apply)",
        )
        return
    key = text(r.values.get(key_key))
    record.update(
        encrypted=encrypted,
        algorithm=_CIPHER if encrypted else None,
        kms_key_id=key if encrypted else None,
        setting=f"{flag_key} = {_flag(encrypted)}"
        + (f', {key_key} = "{key}"' if encrypted and key else ""),
        error=None,
    )


def db_instance(inv: AwsInventory, r: Resource, names: dict[str, str]) -> None:
    """``aws_db_instance``: storage_encrypted and kms_key_id (never the password)."""
    _storage(inv, r, "rds_instance", "identifier", "storage_encrypted", "kms_key_id")


def rds_cluster(inv: AwsInventory, r: Resource, names: dict[str, str]) -> None:
    """``aws_rds_cluster`` (Aurora): storage_encrypted and kms_key_id."""
    _storage(inv, r, "rds_cluster", "cluster_identifier", "storage_encrypted", "kms_key_id")


def ebs_volume(inv: AwsInventory, r: Resource, names: dict[str, str]) -> None:
    """``aws_ebs_volume``: encrypted and kms_key_id."""
    _storage(inv, r, "ebs_volume", "id", "encrypted", "kms_key_id")


def ebs_default(inv: AwsInventory, r: Resource, names: dict[str, str]) -> None:
    """``aws_ebs_encryption_by_default``: whether new volumes are encrypted (provider region)."""
    enabled = to_bool(r.values.get("enabled"))
    record = inv.store("ebs_default", "provider region")
    record.update(
        origin=r.address,
        encrypted=enabled,
        algorithm=_CIPHER if enabled else None,
        setting=f"enabled = {_flag(enabled)}" if enabled is not None else None,
        error=None if enabled is not None else "enabled is not known",
    )


def dynamodb_table(inv: AwsInventory, r: Resource, names: dict[str, str]) -> None:
    """``aws_dynamodb_table``: a KMS key, or the AWS owned key every table is encrypted with."""
    name = text(r.values.get("name")) or r.address
    record = inv.store("dynamodb_table", name, arn_region(r.values.get("arn")))
    sse = _first(r.values.get("server_side_encryption"))
    key = text(sse.get("kms_key_arn"))
    setting = (
        "server_side_encryption.enabled = true" + (f', kms_key_arn = "{key}"' if key else "")
        if to_bool(sse.get("enabled"))
        else "no server_side_encryption: AWS owned key (DynamoDB encrypts every table)"
    )
    record.update(
        origin=r.address,
        encrypted=True,
        algorithm=_CIPHER,
        kms_key_id=key,
        setting=setting,
        error=None,
    )


def kms_key(inv: AwsInventory, r: Resource, names: dict[str, str]) -> None:
    """``aws_kms_key``: rotation, spec, usage, state and who may decrypt."""
    key_id = text(r.values.get("key_id")) or text(r.values.get("id")) or r.address
    names[r.address.split("[", 1)[0]] = key_id
    record = inv.key(key_id, arn_region(r.values.get("arn")))
    inv.note_account(arn_account(r.values.get("arn")))
    enabled = to_bool(r.values.get("is_enabled"))
    record.update(
        arn=text(r.values.get("arn")),
        manager="CUSTOMER",
        spec=text(r.values.get("key_spec"))
        or text(r.values.get("customer_master_key_spec"))
        or "SYMMETRIC_DEFAULT",
        usage=text(r.values.get("key_usage")) or "ENCRYPT_DECRYPT",
        state="Enabled" if enabled is not False else "Disabled",
        key_origin="EXTERNAL" if r.type == "aws_kms_external_key" else "AWS_KMS",
        rotation_enabled=to_bool(r.values.get("enable_key_rotation")),
        rotation_period_days=to_int(r.values.get("rotation_period_in_days")),
        origin=r.address,
    )
    if "policy" in r.values:
        _key_policy(inv, key_id, r.values["policy"])


def _key_policy(inv: AwsInventory, key_id: str, policy: Any) -> None:
    found = decrypt_principals(policy, inv.redactor)
    inv.key(key_id).update(
        decrypt_principals=found["principals"],
        public_decrypt=found["public"],
        conditional_public_decrypt=found["conditional_public"],
        policy_error=found["error"],
    )


def kms_key_policy(inv: AwsInventory, r: Resource, names: dict[str, str]) -> None:
    """``aws_kms_key_policy`` (a policy kept apart from its key)."""
    key_id = text(r.values.get("key_id"))
    if key_id:
        _key_policy(inv, key_id, r.values.get("policy"))


def kms_alias(inv: AwsInventory, r: Resource, names: dict[str, str]) -> None:
    """``aws_kms_alias``: a readable name for a key."""
    target, name = text(r.values.get("target_key_id")), text(r.values.get("name"))
    if target and name:
        inv.aliases[target].add(name)


def password_policy(inv: AwsInventory, r: Resource, names: dict[str, str]) -> None:
    """``aws_iam_account_password_policy``."""
    v = r.values
    max_age = to_int(v.get("max_password_age"))
    inv.password_policies[f"terraform:{r.address}"] = {
        "source": "aws-iam",
        "account": inv.account,
        "present": True,
        "min_length": to_int(v.get("minimum_password_length")),
        "require_uppercase": bool(to_bool(v.get("require_uppercase_characters"))),
        "require_lowercase": bool(to_bool(v.get("require_lowercase_characters"))),
        "require_numbers": bool(to_bool(v.get("require_numbers"))),
        "require_symbols": bool(to_bool(v.get("require_symbols"))),
        "max_age_days": max_age or None,
        "reuse_prevention": to_int(v.get("password_reuse_prevention")),
        "hard_expiry": to_bool(v.get("hard_expiry")),
        "min_age_days": None,
        "lockout_after_failures": None,
        "unsupported": list(IAM_UNSUPPORTED),
        "origin": r.address,
        "error": None,
    }


def secret(inv: AwsInventory, r: Resource, names: dict[str, str]) -> None:
    """``aws_secretsmanager_secret``: name, key and (v3) inline rotation; never the value."""
    name = text(r.values.get("name")) or r.address
    arn = text(r.values.get("arn"))
    if arn:
        names[arn] = name
    names[r.address.split("[", 1)[0]] = name
    record = inv.secret(inv.redactor.scrub(name), arn_region(arn))
    rules = _first(r.values.get("rotation_rules"))
    record.update(
        arn=arn,
        kms_key_id=text(r.values.get("kms_key_id")) or "aws/secretsmanager",
        origin=r.address,
        rotation_enabled=bool(to_bool(r.values.get("rotation_enabled"))),
        rotation_days=to_int(rules.get("automatically_after_days")),
        error=None,
    )


def secret_rotation(inv: AwsInventory, r: Resource, names: dict[str, str]) -> None:
    """``aws_secretsmanager_secret_rotation``: the rotation schedule of a secret."""
    target = text(r.values.get("secret_id"))
    name = names.get(target or "") or (target.rsplit(":secret:", 1)[-1] if target else None)
    if not name:
        for reference in r.references.get("secret_id", []):
            parts = reference.split(".")
            name = names.get(f"{parts[0]}.{parts[1]}") if len(parts) >= 2 else None
            if name:
                break
    if not name:
        return
    rules = _first(r.values.get("rotation_rules"))
    inv.secret(inv.redactor.scrub(name)).update(
        rotation_enabled=to_bool(r.values.get("rotation_enabled")) is not False,
        rotation_days=to_int(rules.get("automatically_after_days")),
        rotation_schedule=text(rules.get("schedule_expression")),
    )


def cloudtrail(inv: AwsInventory, r: Resource, names: dict[str, str]) -> None:
    """``aws_cloudtrail``: multi-region, validation, logging on, destination and selectors."""
    v = r.values
    name = text(v.get("name")) or r.address
    basic = [s for s in v.get("event_selector") or [] if isinstance(s, dict)]
    advanced = [s for s in v.get("advanced_event_selector") or [] if isinstance(s, dict)]
    management: bool | None = True if not basic and not advanced else None
    if basic:
        types = {
            s.get("read_write_type", "All")
            for s in basic
            if s.get("include_management_events", True)
        }
        management = "All" in types or {"ReadOnly", "WriteOnly"} <= types
    for selector in advanced:
        fields = {
            f.get("field"): f for f in selector.get("field_selector") or [] if isinstance(f, dict)
        }
        if (
            "Management" in (fields.get("eventCategory", {}).get("equals") or [])
            and "readOnly" not in fields
        ):
            management = True
    enabled = to_bool(v.get("enable_logging"))
    inv.trail(name).update(
        arn=text(v.get("arn")),
        home_region=text(v.get("home_region")) or arn_region(v.get("arn")),
        multi_region=to_bool(v.get("is_multi_region_trail")),
        log_file_validation=to_bool(v.get("enable_log_file_validation")),
        is_logging=True if enabled is None else enabled,
        management_events=management,
        s3_bucket=text(v.get("s3_bucket_name")),
        s3_key_prefix=text(v.get("s3_key_prefix")),
        cloudwatch_log_group=text(v.get("cloud_watch_logs_group_arn")),
        kms_key_id=text(v.get("kms_key_id")),
        organization_trail=to_bool(v.get("is_organization_trail")),
        origin=r.address,
    )


def log_group(inv: AwsInventory, r: Resource, names: dict[str, str]) -> None:
    """``aws_cloudwatch_log_group``: retention_in_days (0 means never expire)."""
    name = text(r.values.get("name")) or r.address
    if not inv.wants_log_group(name):
        return
    region = arn_region(r.values.get("arn"))
    inv.log_groups[f"{region or ''}:{name}"] = {
        "name": name,
        "region": region,
        "retention_days": to_int(r.values.get("retention_in_days")) or None,
        "kms_key_id": text(r.values.get("kms_key_id")),
        "created": None,
        "origin": r.address,
    }


def lb_listener(inv: AwsInventory, r: Resource, names: dict[str, str]) -> None:
    """``aws_lb_listener`` / ``aws_alb_listener``: protocol, port, TLS policy, redirect."""
    v = r.values
    action = _first(v.get("default_action"))
    redirect = _first(action.get("redirect"))
    lb_arn = text(v.get("load_balancer_arn"))
    inv.listeners[text(v.get("arn")) or r.address] = {
        "listener": text(v.get("arn")) or r.address,
        "load_balancer": _lb_name(lb_arn) or r.address,
        "region": arn_region(v.get("arn")),
        "port": to_int(v.get("port")),
        "protocol": text(v.get("protocol")),
        "ssl_policy": text(v.get("ssl_policy")),
        "protocols": None,
        "default_action": text(action.get("type")),
        "redirects_to_https": action.get("type") == "redirect"
        and redirect.get("protocol") == "HTTPS",
        "origin": r.address,
    }


def _lb_name(arn: str | None) -> str | None:
    parts = arn.split("/") if arn else []
    return parts[-2] if len(parts) >= 3 else None


def security_group(inv: AwsInventory, r: Resource, names: dict[str, str]) -> None:
    """``aws_security_group`` with inline ingress blocks."""
    group_id = text(r.values.get("id")) or r.address
    names[r.address.split("[", 1)[0]] = group_id
    ingress = [rule for rule in r.values.get("ingress") or [] if isinstance(rule, dict)]
    record = inv.security_groups.setdefault(
        group_id,
        {
            "id": group_id,
            "name": text(r.values.get("name")),
            "vpc": text(r.values.get("vpc_id")),
            "region": arn_region(r.values.get("arn")),
            "rules": 0,
            "world_open": [],
            "origin": r.address,
        },
    )
    record["rules"] += len(ingress)
    for rule in ingress:
        _open(
            record,
            rule.get("protocol"),
            rule.get("from_port"),
            rule.get("to_port"),
            list(rule.get("cidr_blocks") or []) + list(rule.get("ipv6_cidr_blocks") or []),
        )


def security_group_rule(inv: AwsInventory, r: Resource, names: dict[str, str]) -> None:
    """``aws_security_group_rule`` (ingress) and ``aws_vpc_security_group_ingress_rule`` (v5)."""
    v = r.values
    if r.type == "aws_security_group_rule" and v.get("type") != "ingress":
        return
    group_id = text(v.get("security_group_id"))
    if not group_id:
        for reference in r.references.get("security_group_id", []):
            parts = reference.split(".")
            group_id = names.get(f"{parts[0]}.{parts[1]}") if len(parts) >= 2 else None
            if group_id:
                break
    group_id = group_id or r.address
    record = inv.security_groups.setdefault(
        group_id,
        {
            "id": group_id,
            "name": None,
            "vpc": None,
            "region": None,
            "rules": 0,
            "world_open": [],
            "origin": r.address,
        },
    )
    record["rules"] += 1
    cidrs = list(v.get("cidr_blocks") or []) + list(v.get("ipv6_cidr_blocks") or [])
    cidrs += [c for c in (v.get("cidr_ipv4"), v.get("cidr_ipv6")) if c]
    _open(
        record, v.get("protocol", v.get("ip_protocol")), v.get("from_port"), v.get("to_port"), cidrs
    )


def _open(record: dict[str, Any], protocol: Any, low: Any, high: Any, cidrs: list[Any]) -> None:
    for cidr in sorted({c for c in cidrs if c in ("0.0.0.0/0", "::/0")}):
        record["world_open"].append(world_rule(protocol, low, high, cidr))


#: Mappers by resource type, in the order they must run (split resources after their parents).
MAPPERS: dict[str, tuple[Mapper, tuple[str, ...]]] = {
    "aws_s3_bucket": (s3_bucket, (AT_REST, LIFECYCLE)),
    "aws_kms_key": (kms_key, (KMS,)),
    "aws_kms_external_key": (kms_key, (KMS,)),
    "aws_secretsmanager_secret": (secret, (SECRETS,)),
    "aws_security_group": (security_group, (NETWORK,)),
    "aws_s3_bucket_server_side_encryption_configuration": (s3_encryption, (AT_REST,)),
    "aws_s3_bucket_lifecycle_configuration": (s3_lifecycle, (LIFECYCLE,)),
    "aws_s3_bucket_public_access_block": (s3_public_access, (NETWORK,)),
    "aws_db_instance": (db_instance, (AT_REST,)),
    "aws_rds_cluster": (rds_cluster, (AT_REST,)),
    "aws_ebs_volume": (ebs_volume, (AT_REST,)),
    "aws_ebs_encryption_by_default": (ebs_default, (AT_REST,)),
    "aws_dynamodb_table": (dynamodb_table, (AT_REST,)),
    "aws_kms_key_policy": (kms_key_policy, (KMS,)),
    "aws_kms_alias": (kms_alias, (KMS,)),
    "aws_iam_account_password_policy": (password_policy, (PASSWORD_POLICY,)),
    "aws_secretsmanager_secret_rotation": (secret_rotation, (SECRETS,)),
    "aws_cloudtrail": (cloudtrail, (LOGGING,)),
    "aws_cloudwatch_log_group": (log_group, (LOGGING,)),
    "aws_lb_listener": (lb_listener, (TRANSPORT,)),
    "aws_alb_listener": (lb_listener, (TRANSPORT,)),
    "aws_security_group_rule": (security_group_rule, (NETWORK,)),
    "aws_vpc_security_group_ingress_rule": (security_group_rule, (NETWORK,)),
}

_ORDER = {name: index for index, name in enumerate(MAPPERS)}


def apply_order(resource: Resource) -> int:
    """Sort key: parents before the split resources that refine them."""
    return _ORDER.get(resource.type, len(_ORDER))
