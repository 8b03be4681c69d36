"""CloudTrail management events that change a judged setting, as ``settings.changes`` records.

Each tracked event (PutBucketEncryption, DisableKeyRotation, StopLogging, ...) is turned into
the API response that would describe the setting after it, and read by the same inventory
readers as a live snapshot (:mod:`evidence.collectors.aws`), so a change speaks the snapshot's
vocabulary: after DeleteBucketEncryption the bucket's record says what GetBucketEncryption
would then say. Only the fields the event determines are kept; an event whose effect cannot be
told from its parameters makes the setting unknown from then on (``unknown`` says why).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NamedTuple

from evidence.collectors.aws.account_responses import world_rule
from evidence.collectors.aws.inventory import AwsInventory
from evidence.model.settings_history import SettingChange, record_key
from evidence.redact import Redactor

Event = dict[str, Any]
Params = dict[str, Any]
Converter = Callable[[Event, AwsInventory], list[SettingChange]]

_AT_REST_FIELDS = ("encrypted", "algorithm", "kms_key_id", "setting")
_PUBLIC_FIELDS = (
    "block_public_acls",
    "ignore_public_acls",
    "block_public_policy",
    "restrict_public_buckets",
    "all_blocked",
)
_POLICY_FIELDS = (
    "present",
    "min_length",
    "require_uppercase",
    "require_lowercase",
    "require_numbers",
    "require_symbols",
    "max_age_days",
    "reuse_prevention",
    "hard_expiry",
    "error",
)
_WORLD = ("0.0.0.0/0", "::/0")


def _params(event: Event) -> dict[str, Any]:
    params = event.get("requestParameters")
    return params if isinstance(params, dict) else {}


def _pick(record: dict[str, Any], fields: tuple[str, ...]) -> dict[str, Any]:
    return {f: record.get(f) for f in fields}


def _items(value: Any) -> list[Any]:
    """CloudTrail spells XML lists as one object, a list, or ``{"items": [...]}``."""
    if isinstance(value, dict) and isinstance(value.get("items"), list):
        return list(value["items"])
    if isinstance(value, list):
        return value
    return [value] if isinstance(value, dict) else []


def _tail(value: Any) -> str | None:
    """``arn:aws:kms:...:key/1234`` -> ``1234``; a plain id stays as it is."""
    if not isinstance(value, str) or not value:
        return None
    return value.rsplit("/", 1)[-1] if value.startswith("arn:") else value


_IDENTITY = ("type", "id", "bucket", "user", "name", "account", "region")


def _change(event: Event, kind: str, section: str, record: dict[str, Any], label: str, **body: Any) -> SettingChange:
    return SettingChange(
        at="",
        event=str(event.get("eventName")),
        kind=kind,
        section=section,
        key=record_key(kind, section, record, event.get("recipientAccountId")),
        label=label,
        identity={k: record[k] for k in _IDENTITY if record.get(k) is not None},
        **body,
    )


# S3 ---------------------------------------------------------------------------------------------


def _bucket(event: Event) -> tuple[dict[str, Any], str | None]:
    """The request parameters of an S3 event and the bucket it names (None: none)."""
    params = _params(event)
    bucket = params.get("bucketName")
    return params, bucket if isinstance(bucket, str) else None


class _BucketSetting(NamedTuple):
    """An S3 bucket setting: the call that reads it, the event deleting it, the error it then gives."""

    read: str
    deleted_by: str
    missing: str


_ENCRYPTION = _BucketSetting(
    "GetBucketEncryption", "DeleteBucketEncryption", "ServerSideEncryptionConfigurationNotFoundError"
)
_LIFECYCLE = _BucketSetting("GetBucketLifecycleConfiguration", "DeleteBucketLifecycle", "NoSuchLifecycleConfiguration")
_PUBLIC_ACCESS = _BucketSetting(
    "GetPublicAccessBlock", "DeletePublicAccessBlock", "NoSuchPublicAccessBlockConfiguration"
)


def _replayed_bucket(
    event: Event, inv: AwsInventory, setting: _BucketSetting, answer: Callable[[Params], object]
) -> str | None:
    """Feed an S3 bucket setting event to the inventory as the answer of the setting's read call.

    The delete event becomes that call's error; any other its ``answer``. Returns the bucket, or
    None when the event names none.
    """
    params, bucket = _bucket(event)
    if bucket is None:
        return None
    if event.get("eventName") == setting.deleted_by:
        inv.record_error(setting.read, {"Bucket": bucket}, setting.missing)
    else:
        inv.record(setting.read, {"Bucket": bucket}, answer(params))
    return bucket


def _rules(params: Params, key: str) -> list[Any]:
    """The rules of the configuration ``key`` in a request (CloudTrail writes Rule or Rules)."""
    config = params.get(key)
    return _items(config.get("Rule") or config.get("Rules")) if isinstance(config, dict) else []


def _bucket_encryption(event: Event, inv: AwsInventory) -> list[SettingChange]:
    key = "ServerSideEncryptionConfiguration"
    bucket = _replayed_bucket(event, inv, _ENCRYPTION, lambda params: {key: {"Rules": _rules(params, key)}})
    if bucket is None:
        return []
    record = inv.store("s3_bucket", bucket)
    fields = _pick(record, _AT_REST_FIELDS)
    if event.get("eventName") == "DeleteBucketEncryption":
        fields["setting"] = "default encryption configuration deleted (DeleteBucketEncryption)"
    return [_change(event, "encryption.at_rest", "resources", record, f"S3 bucket {bucket}", set=fields)]


def _ebs_default(event: Event, inv: AwsInventory) -> list[SettingChange]:
    region = event.get("awsRegion") if isinstance(event.get("awsRegion"), str) else None
    enabled = event.get("eventName") == "EnableEbsEncryptionByDefault"
    inv.record("GetEbsEncryptionByDefault", {}, {"EbsEncryptionByDefault": enabled}, region)
    record = inv.store("ebs_default", region or "unknown-region", region)
    return [
        _change(
            event,
            "encryption.at_rest",
            "resources",
            record,
            f"EBS encryption by default ({region})",
            set=_pick(record, _AT_REST_FIELDS),
        )
    ]


def _lifecycle(event: Event, inv: AwsInventory) -> list[SettingChange]:
    key = "LifecycleConfiguration"
    bucket = _replayed_bucket(event, inv, _LIFECYCLE, lambda params: {"Rules": _rules(params, key)})
    if bucket is None:
        return []
    record = inv.bucket_lifecycle(bucket)
    return [_change(event, "storage.lifecycle", "buckets", record, f"bucket {bucket}", set={"rules": record["rules"]})]


def _public_access(event: Event, inv: AwsInventory) -> list[SettingChange]:
    key = "PublicAccessBlockConfiguration"
    bucket = _replayed_bucket(event, inv, _PUBLIC_ACCESS, lambda params: {key: params.get(key) or {}})
    if bucket is None:
        return []
    record = inv.bucket_public_access(bucket)
    return [
        _change(event, "network.exposure", "buckets", record, f"bucket {bucket}", set=_pick(record, _PUBLIC_FIELDS))
    ]


# EC2 security groups -------------------------------------------------------------------------


def _ingress(event: Event, inv: AwsInventory) -> list[SettingChange]:
    params = _params(event)
    group = params.get("groupId")
    if not isinstance(group, str):
        return []
    permissions = _items(params.get("ipPermissions"))
    if not permissions:
        return _group_change(event, group, unknown=f"{event.get('eventName')} named rules by id, not by port and range")
    rules = []
    for permission in permissions:
        if not isinstance(permission, dict):
            continue
        cidrs = [r.get("cidrIp") for r in _items(permission.get("ipRanges")) if isinstance(r, dict)]
        cidrs += [r.get("cidrIpv6") for r in _items(permission.get("ipv6Ranges")) if isinstance(r, dict)]
        for cidr in sorted(c for c in cidrs if c in _WORLD):
            rules.append(
                world_rule(permission.get("ipProtocol"), permission.get("fromPort"), permission.get("toPort"), cidr)
            )
    side = "add" if event.get("eventName") == "AuthorizeSecurityGroupIngress" else "remove"
    return _group_change(event, group, list_field="world_open", **{side: rules})


def _group_change(event: Event, group: str, **change: Any) -> list[SettingChange]:
    """The one change an ingress event makes to security group ``group``."""
    return [_change(event, "network.exposure", "security_groups", {"id": group}, f"security group {group}", **change)]


# KMS ------------------------------------------------------------------------------------------


def _key_rotation(event: Event, inv: AwsInventory) -> list[SettingChange]:
    params = _params(event)
    key = _tail(params.get("keyId"))
    if key is None:
        return []
    fields: dict[str, Any] = {"rotation_enabled": event.get("eventName") == "EnableKeyRotation"}
    if isinstance(params.get("rotationPeriodInDays"), int):
        fields["rotation_period_days"] = params["rotationPeriodInDays"]
    return [_change(event, "encryption.kms", "keys", {"id": key}, f"KMS key {key}", set=fields)]


def _key_policy(event: Event, inv: AwsInventory) -> list[SettingChange]:
    params = _params(event)
    key = _tail(params.get("keyId"))
    if key is None:
        return []
    inv.record("GetKeyPolicy", {"KeyId": key}, {"Policy": params.get("policy")})
    record = inv.key(key)
    fields = _pick(record, ("decrypt_principals", "public_decrypt", "conditional_public_decrypt", "policy_error"))
    return [_change(event, "encryption.kms", "keys", {"id": key}, f"KMS key {key}", set=fields)]


_KEY_STATES = {
    "DisableKey": "Disabled",
    "EnableKey": "Enabled",
    "ScheduleKeyDeletion": "PendingDeletion",
    "CancelKeyDeletion": "Disabled",
}


def _key_state(event: Event, inv: AwsInventory) -> list[SettingChange]:
    key = _tail(_params(event).get("keyId"))
    if key is None:
        return []
    state = _KEY_STATES[str(event.get("eventName"))]
    return [_change(event, "encryption.kms", "keys", {"id": key}, f"KMS key {key}", set={"state": state})]


# IAM ------------------------------------------------------------------------------------------


def _password_policy(event: Event, inv: AwsInventory) -> list[SettingChange]:
    account = event.get("recipientAccountId") if isinstance(event.get("recipientAccountId"), str) else None
    inv.note_account(account)
    if event.get("eventName") == "DeleteAccountPasswordPolicy":
        inv.record_error("GetAccountPasswordPolicy", {}, "NoSuchEntity")
    else:
        policy = {k[:1].upper() + k[1:]: v for k, v in _params(event).items()}
        inv.record("GetAccountPasswordPolicy", {}, {"PasswordPolicy": policy})
    record = dict(inv.password_policies["aws-iam"])
    fields = {f: record.get(f) for f in _POLICY_FIELDS if f in record}
    return [
        _change(
            event,
            "iam.password_policy",
            "policies",
            {"account": account},
            f"password policy of AWS account {account or '?'}",
            set=fields,
        )
    ]


_USER_FIELDS = {
    "EnableMFADevice": {"mfa": True},
    "DeactivateMFADevice": {"mfa": False},
    "CreateLoginProfile": {"console": True},
    "DeleteLoginProfile": {"console": False},
}


def _user(event: Event, inv: AwsInventory) -> list[SettingChange]:
    name = _params(event).get("userName")
    if not isinstance(name, str):
        return []
    user = inv.redactor.principal(name)  # the credential report's users are pseudonymised alike
    fields = dict(_USER_FIELDS[str(event.get("eventName"))])
    return [_change(event, "iam.credentials", "users", {"user": user}, f"IAM user {user}", set=fields)]


# Access-key events (CreateAccessKey, UpdateAccessKey, DeleteAccessKey) are not turned into
# changes yet: access_key_age judges key ages as of the as-of date from the credential report.


# CloudTrail -------------------------------------------------------------------------------------


def _trail(event: Event, inv: AwsInventory) -> list[SettingChange]:
    params = _params(event)
    name = _tail(params.get("name") or params.get("trailName"))
    if name is None:
        return []
    eventname = str(event.get("eventName"))
    fields: dict[str, Any] = {}
    if eventname == "StopLogging":
        fields["is_logging"] = False
    elif eventname == "StartLogging":
        fields["is_logging"] = True
    elif eventname == "DeleteTrail":
        fields.update(is_logging=False, error="the trail was deleted (DeleteTrail)")
    else:  # UpdateTrail / CreateTrail name only what they set
        for param, field in (
            ("isMultiRegionTrail", "multi_region"),
            ("enableLogFileValidation", "log_file_validation"),
            ("s3BucketName", "s3_bucket"),
        ):
            if param in params:
                fields[field] = params[param]
        if not fields:
            return []
    return [_change(event, "logging.config", "trails", {"name": name}, f"trail {name}", set=fields)]


def _event_selectors(event: Event, inv: AwsInventory) -> list[SettingChange]:
    name = _tail(_params(event).get("trailName"))
    if name is None:
        return []
    return [
        _change(
            event,
            "logging.config",
            "trails",
            {"name": name},
            f"trail {name}",
            unknown="PutEventSelectors changed which events the trail records",
        )
    ]


CONVERTERS: dict[str, Converter] = {
    "PutBucketEncryption": _bucket_encryption,
    "DeleteBucketEncryption": _bucket_encryption,
    "EnableEbsEncryptionByDefault": _ebs_default,
    "DisableEbsEncryptionByDefault": _ebs_default,
    "PutBucketLifecycle": _lifecycle,
    "PutBucketLifecycleConfiguration": _lifecycle,
    "DeleteBucketLifecycle": _lifecycle,
    "PutPublicAccessBlock": _public_access,
    "DeletePublicAccessBlock": _public_access,
    "AuthorizeSecurityGroupIngress": _ingress,
    "RevokeSecurityGroupIngress": _ingress,
    "EnableKeyRotation": _key_rotation,
    "DisableKeyRotation": _key_rotation,
    "PutKeyPolicy": _key_policy,
    "DisableKey": _key_state,
    "EnableKey": _key_state,
    "ScheduleKeyDeletion": _key_state,
    "CancelKeyDeletion": _key_state,
    "UpdateAccountPasswordPolicy": _password_policy,
    "DeleteAccountPasswordPolicy": _password_policy,
    "EnableMFADevice": _user,
    "DeactivateMFADevice": _user,
    "CreateLoginProfile": _user,
    "DeleteLoginProfile": _user,
    "StopLogging": _trail,
    "StartLogging": _trail,
    "DeleteTrail": _trail,
    "UpdateTrail": _trail,
    "PutEventSelectors": _event_selectors,
}
#: The event names this module reads (the parse keeps only these events whole).
TRACKED = frozenset(CONVERTERS)


def setting_changes(event: Event, at: str, principal: str | None, redactor: Redactor) -> list[SettingChange]:
    """The changes one successful tracked event made; ``principal`` is already pseudonymised."""
    converter = CONVERTERS.get(str(event.get("eventName")))
    if converter is None:
        return []
    inventory = AwsInventory(redactor)
    try:
        found = converter(event, inventory)
    except (KeyError, TypeError, ValueError, AttributeError) as exc:  # odd parameters: say so
        name = str(event.get("eventName"))
        return [
            SettingChange(
                at=at,
                event=name,
                kind="unparsed",
                section="",
                key="",
                label=name,
                unknown=f"parameters of {name} could not be read ({type(exc).__name__})",
                principal=principal,
            )
        ]
    region = event.get("awsRegion") if isinstance(event.get("awsRegion"), str) else None
    account = event.get("recipientAccountId") if isinstance(event.get("recipientAccountId"), str) else None
    event_id = event.get("eventID") if isinstance(event.get("eventID"), str) else None
    return [
        change.model_copy(
            update={"at": at, "principal": principal, "region": region, "account": account, "event_id": event_id}
        )
        for change in found
    ]
