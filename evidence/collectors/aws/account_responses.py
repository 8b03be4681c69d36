"""Readers of account-wide responses: IAM, secrets, trails, logs, listeners, security groups."""

from __future__ import annotations

import base64
import binascii
import re
from typing import TYPE_CHECKING, Any

from evidence.collectors.aws.api_values import dicts, mapping, text, to_bool, to_int, to_iso
from evidence.collectors.aws.arns import arn_account, arn_region
from evidence.collectors.aws.credential_report import CredentialReportError, parse_credential_report
from evidence.collectors.aws.elb_policies import normalise_protocol
from evidence.collectors.aws.operations import ReaderTable

if TYPE_CHECKING:
    from evidence.collectors.aws.inventory import AwsInventory
    from evidence.collectors.aws.permissions import CallError

#: The operations this module reads (gathered by :func:`evidence.collectors.aws.readers.operations`).
READERS = ReaderTable()
handles, on_error = READERS.handles, READERS.on_error

PASSWORD_POLICY = "iam.password_policy"
CREDENTIALS = "iam.credentials"
SECRETS = "secrets.rotation"
LOGGING = "logging.config"
TRANSPORT = "transport.config"
NETWORK = "network.exposure"

#: What AWS IAM password policies cannot express, whatever their settings.
IAM_UNSUPPORTED = ("min_age_days", "no_username", "lockout_after_failures")

_RATE = re.compile(r"^rate\((?P<n>\d+)\s+days?\)$")
_WORLD = ("0.0.0.0/0", "::/0")


@handles("sts", "GetCallerIdentity", kinds=())
def caller_identity(
    inv: AwsInventory, params: dict[str, Any], response: dict[str, Any], region: str | None
) -> None:
    """Keep the account id (not the caller's ARN: it may name a person)."""
    inv.note_account(text(response.get("Account")))


# IAM -------------------------------------------------------------------------------------------


@handles("iam", "GetAccountPasswordPolicy", kinds=(PASSWORD_POLICY,))
def password_policy(
    inv: AwsInventory, params: dict[str, Any], response: dict[str, Any], region: str | None
) -> None:
    """Read the account password policy's settings, as IAM spells them."""
    policy = mapping(response.get("PasswordPolicy"))
    max_age = to_int(policy.get("MaxPasswordAge"))
    inv.password_policies["aws-iam"] = {
        "source": "aws-iam",
        "account": inv.account,
        "present": True,
        "min_length": to_int(policy.get("MinimumPasswordLength")),
        "require_uppercase": bool(to_bool(policy.get("RequireUppercaseCharacters"))),
        "require_lowercase": bool(to_bool(policy.get("RequireLowercaseCharacters"))),
        "require_numbers": bool(to_bool(policy.get("RequireNumbers"))),
        "require_symbols": bool(to_bool(policy.get("RequireSymbols"))),
        "max_age_days": max_age if max_age else None,
        "reuse_prevention": to_int(policy.get("PasswordReusePrevention")),
        "hard_expiry": to_bool(policy.get("HardExpiry")),
        "min_age_days": None,
        "lockout_after_failures": None,
        "unsupported": list(IAM_UNSUPPORTED),
        "origin": "GetAccountPasswordPolicy",
        "error": None,
    }


@on_error("GetAccountPasswordPolicy")
def password_policy_error(
    inv: AwsInventory, params: dict[str, Any], error: CallError, region: str | None
) -> None:
    """NoSuchEntity means the account has no password policy, so IAM's weak defaults apply."""
    inv.password_policies["aws-iam"] = {
        "source": "aws-iam",
        "account": inv.account,
        "present": False if error.absent else None,
        "unsupported": list(IAM_UNSUPPORTED),
        "origin": "GetAccountPasswordPolicy",
        "error": None if error.absent else error.describe(),
    }


@handles("iam", "GetCredentialReport", kinds=(CREDENTIALS,))
def credential_report(
    inv: AwsInventory, params: dict[str, Any], response: dict[str, Any], region: str | None
) -> None:
    """Users, MFA and access keys from the report (boto3 gives bytes, the CLI base64 text)."""
    content = response.get("Content")
    csv_text: str | None = None
    if isinstance(content, bytes | bytearray):
        csv_text = bytes(content).decode("utf-8", errors="replace")
    elif isinstance(content, str) and content.startswith("user,"):
        csv_text = content
    elif isinstance(content, str):
        try:
            csv_text = base64.b64decode(content, validate=True).decode("utf-8", errors="replace")
        except (binascii.Error, ValueError):
            csv_text = None
    if csv_text is None:
        inv.kind_error(
            CREDENTIALS, "GetCredentialReport output holds no readable Content (the report itself)"
        )
        return
    try:
        users, root = parse_credential_report(csv_text, inv.redactor)
    except CredentialReportError as exc:
        inv.kind_error(CREDENTIALS, f"GetCredentialReport: {exc}")
        return
    for user in users:
        inv.users[user["user"]] = user
        inv.note_account(user["account"])
    if root is not None:
        inv.root = root
        inv.note_account(root["account"])
    inv.report = {"generated": to_iso(response.get("GeneratedTime")), "source": "credential report"}


@handles("iam", "ListUsers", kinds=(CREDENTIALS,))
def list_users(
    inv: AwsInventory, params: dict[str, Any], response: dict[str, Any], region: str | None
) -> None:
    """Users without a credential report: console use is unknown, MFA comes from ListMFADevices."""
    for user in dicts(response.get("Users")):
        name = text(user.get("UserName"))
        if not name:
            continue
        key = inv.redactor.principal(name)
        inv.note_account(arn_account(user.get("Arn")))
        inv.users.setdefault(
            key,
            {
                "user": key,
                "account": arn_account(user.get("Arn")),
                "created": to_iso(user.get("CreateDate")),
                "console": True if user.get("PasswordLastUsed") else None,
                "password_last_used": to_iso(user.get("PasswordLastUsed")),
                "mfa": None,
                "access_keys": [],
            },
        )
    inv.report.setdefault("source", "ListUsers")


@handles("iam", "ListMFADevices", kinds=(CREDENTIALS,), resource_param="UserName")
def mfa_devices(
    inv: AwsInventory, params: dict[str, Any], response: dict[str, Any], region: str | None
) -> None:
    """Users named by a device have MFA; the user asked about, with no device, has none."""
    named = {text(d.get("UserName")) for d in dicts(response.get("MFADevices"))} - {None}
    verdicts = {str(name): True for name in named}
    if not named and params.get("UserName"):
        verdicts[str(params["UserName"])] = False
    for name, has_mfa in verdicts.items():
        _user(inv, name)["mfa"] = has_mfa


def _user(inv: AwsInventory, name: str) -> dict[str, Any]:
    key = inv.redactor.principal(name)
    return inv.users.setdefault(
        key,
        {
            "user": key,
            "account": None,
            "created": None,
            "console": None,
            "password_last_used": None,
            "mfa": None,
            "access_keys": [],
        },
    )


@handles("iam", "ListAccessKeys", kinds=(CREDENTIALS,), resource_param="UserName")
def access_keys(
    inv: AwsInventory, params: dict[str, Any], response: dict[str, Any], region: str | None
) -> None:
    """Read a user's access keys with their creation dates (the key ids are not kept)."""
    for slot, meta in enumerate(dicts(response.get("AccessKeyMetadata")), start=1):
        name = text(meta.get("UserName")) or params.get("UserName")
        if not name:
            continue
        _user(inv, name)["access_keys"].append(
            {
                "slot": slot,
                "active": meta.get("Status") == "Active",
                "last_rotated": to_iso(meta.get("CreateDate")),
                "last_used": None,
            }
        )


# Secrets Manager -------------------------------------------------------------------------------


@handles("secretsmanager", "ListSecrets", kinds=(SECRETS,))
def list_secrets(
    inv: AwsInventory, params: dict[str, Any], response: dict[str, Any], region: str | None
) -> None:
    """Rotation settings and dates of every secret listed."""
    for entry in dicts(response.get("SecretList")):
        _secret(inv, entry, region, "ListSecrets")


@handles("secretsmanager", "DescribeSecret", kinds=(SECRETS,), resource_param="SecretId")
def describe_secret(
    inv: AwsInventory, params: dict[str, Any], response: dict[str, Any], region: str | None
) -> None:
    """Rotation settings and dates of one secret."""
    _secret(inv, response, region, "DescribeSecret")


def _secret(inv: AwsInventory, entry: dict[str, Any], region: str | None, origin: str) -> None:
    name = text(entry.get("Name"))
    if not name:
        return
    arn = text(entry.get("ARN"))
    inv.note_account(arn_account(arn))
    record = inv.secret(inv.redactor.scrub(name), arn_region(arn) or region)
    rules = mapping(entry.get("RotationRules"))
    schedule = text(rules.get("ScheduleExpression"))
    rate = _RATE.match(schedule) if schedule else None
    record.update(
        arn=arn,
        rotation_enabled=bool(to_bool(entry.get("RotationEnabled"))),
        rotation_days=to_int(rules.get("AutomaticallyAfterDays"))
        or (int(rate["n"]) if rate else None),
        rotation_schedule=schedule,
        last_rotated=to_iso(entry.get("LastRotatedDate")),
        last_changed=to_iso(entry.get("LastChangedDate")),
        created=to_iso(entry.get("CreatedDate")),
        kms_key_id=text(entry.get("KmsKeyId")) or "aws/secretsmanager",
        tags={
            str(t.get("Key")): inv.redactor.scrub(str(t.get("Value", "")))
            for t in dicts(entry.get("Tags"))
            if t.get("Key")
        },
        origin=origin,
        error=None,
    )


@handles("secretsmanager", "ListSecretVersionIds", kinds=(SECRETS,), resource_param="SecretId")
def secret_versions(
    inv: AwsInventory, params: dict[str, Any], response: dict[str, Any], region: str | None
) -> None:
    """When the current value was set: the CreatedDate of the AWSCURRENT version."""
    name = text(response.get("Name")) or params.get("SecretId")
    if not name:
        return
    record = inv.secret(
        inv.redactor.scrub(name.rsplit(":secret:", 1)[-1] if name.startswith("arn:") else name),
        region,
    )
    for version in dicts(response.get("Versions")):
        if "AWSCURRENT" in (version.get("VersionStages") or []):
            record["current_version_created"] = to_iso(version.get("CreatedDate"))


# CloudTrail and CloudWatch Logs ----------------------------------------------------------------


def _trail_name(value: Any) -> str | None:
    name = text(value)
    return name.rsplit("trail/", 1)[-1] if name and name.startswith("arn:") else name


@handles("cloudtrail", "DescribeTrails", kinds=(LOGGING,))
def describe_trails(
    inv: AwsInventory, params: dict[str, Any], response: dict[str, Any], region: str | None
) -> None:
    """Trails: multi-region, log-file validation and where logs go."""
    for entry in dicts(response.get("trailList")):
        name = _trail_name(entry.get("Name"))
        if not name:
            continue
        inv.note_account(arn_account(entry.get("TrailARN")))
        record = inv.trail(name)
        record.update(
            arn=text(entry.get("TrailARN")),
            home_region=text(entry.get("HomeRegion")),
            multi_region=to_bool(entry.get("IsMultiRegionTrail")),
            log_file_validation=to_bool(entry.get("LogFileValidationEnabled")),
            s3_bucket=text(entry.get("S3BucketName")),
            s3_key_prefix=text(entry.get("S3KeyPrefix")),
            cloudwatch_log_group=text(entry.get("CloudWatchLogsLogGroupArn")),
            kms_key_id=text(entry.get("KmsKeyId")),
            organization_trail=to_bool(entry.get("IsOrganizationTrail")),
            origin="DescribeTrails",
        )
        if entry.get("HasCustomEventSelectors") is False and record["management_events"] is None:
            record["management_events"] = True  # the default selector logs all management events


@handles("cloudtrail", "GetTrailStatus", kinds=(LOGGING,), resource_param="Name")
def trail_status(
    inv: AwsInventory, params: dict[str, Any], response: dict[str, Any], region: str | None
) -> None:
    """Whether the trail is logging now."""
    name = _trail_name(params.get("Name"))
    if name:
        record = inv.trail(name)
        record["is_logging"] = to_bool(response.get("IsLogging"))
        record["latest_delivery"] = to_iso(response.get("LatestDeliveryTime"))


@handles("cloudtrail", "GetEventSelectors", kinds=(LOGGING,), resource_param="TrailName")
def event_selectors(
    inv: AwsInventory, params: dict[str, Any], response: dict[str, Any], region: str | None
) -> None:
    """Whether read and write management events are logged."""
    name = _trail_name(response.get("TrailARN")) or _trail_name(params.get("TrailName"))
    if not name:
        return
    basic = dicts(response.get("EventSelectors"))
    advanced = dicts(response.get("AdvancedEventSelectors"))
    kinds = {s.get("ReadWriteType") for s in basic if s.get("IncludeManagementEvents") is True}
    management = "All" in kinds or {"ReadOnly", "WriteOnly"} <= kinds
    for selector in advanced:
        fields = {f.get("Field"): f for f in dicts(selector.get("FieldSelectors"))}
        category = fields.get("eventCategory", {})
        if "Management" in (category.get("Equals") or []) and "readOnly" not in fields:
            management = True
    inv.trail(name)["management_events"] = management


@on_error("GetTrailStatus")
def trail_status_error(
    inv: AwsInventory, params: dict[str, Any], error: CallError, region: str | None
) -> None:
    """Leave a trail whose status cannot be read not known to be logging."""
    _trail_error(inv, _trail_name(params.get("Name")), error, region)


@on_error("GetEventSelectors")
def event_selectors_error(
    inv: AwsInventory, params: dict[str, Any], error: CallError, region: str | None
) -> None:
    """Leave a trail whose selectors cannot be read not known to log management events."""
    _trail_error(inv, _trail_name(params.get("TrailName")), error, region)


def _trail_error(inv: AwsInventory, name: str | None, error: CallError, region: str | None) -> None:
    if name:
        inv.trail(name)["error"] = error.describe()
    else:
        inv.kind_error(LOGGING, error.describe(), region)


@handles("logs", "DescribeLogGroups", kinds=(LOGGING,))
def log_groups(
    inv: AwsInventory, params: dict[str, Any], response: dict[str, Any], region: str | None
) -> None:
    """Retention of each log group in scope (no retentionInDays means never expire)."""
    for group in dicts(response.get("logGroups")):
        name = text(group.get("logGroupName"))
        if not name or not inv.wants_log_group(name):
            continue
        arn = text(group.get("logGroupArn")) or text(group.get("arn"))
        located = arn_region(arn) or region
        inv.log_groups[f"{located or ''}:{name}"] = {
            "name": name,
            "region": located,
            "retention_days": to_int(group.get("retentionInDays")),
            "kms_key_id": text(group.get("kmsKeyId")),
            "created": to_iso(group.get("creationTime"), millis=True),
            "origin": "DescribeLogGroups",
        }


# Load balancers --------------------------------------------------------------------------------


@handles("elbv2", "DescribeLoadBalancers", kinds=(TRANSPORT,))
def load_balancers(
    inv: AwsInventory, params: dict[str, Any], response: dict[str, Any], region: str | None
) -> None:
    """Load balancer names by ARN, so listeners are named by their load balancer."""
    for lb in dicts(response.get("LoadBalancers")):
        arn, name = text(lb.get("LoadBalancerArn")), text(lb.get("LoadBalancerName"))
        if arn and name:
            inv.load_balancer_names[arn] = name


@handles("elbv2", "DescribeListeners", kinds=(TRANSPORT,))
def listeners(
    inv: AwsInventory, params: dict[str, Any], response: dict[str, Any], region: str | None
) -> None:
    """Each listener's protocol, port, TLS policy and whether plain HTTP is redirected to HTTPS."""
    for listener in dicts(response.get("Listeners")):
        arn = text(listener.get("ListenerArn"))
        if not arn:
            continue
        lb_arn = text(listener.get("LoadBalancerArn"))
        inv.note_account(arn_account(arn))
        actions = dicts(listener.get("DefaultActions"))
        first = actions[0] if actions else {}
        redirect = mapping(first.get("RedirectConfig"))
        inv.listeners[arn] = {
            "listener": arn,
            "load_balancer": inv.load_balancer_names.get(lb_arn or "") or _lb_name(lb_arn),
            "region": arn_region(arn) or region,
            "port": to_int(listener.get("Port")),
            "protocol": text(listener.get("Protocol")),
            "ssl_policy": text(listener.get("SslPolicy")),
            "protocols": None,
            "default_action": text(first.get("Type")),
            "redirects_to_https": first.get("Type") == "redirect"
            and redirect.get("Protocol") == "HTTPS",
            "origin": "DescribeListeners",
        }


def _lb_name(arn: str | None) -> str | None:
    # arn:...:loadbalancer/app/<name>/<id>
    parts = arn.split("/") if arn else []
    return parts[-2] if len(parts) >= 3 else arn


@handles("elbv2", "DescribeSSLPolicies", kinds=(TRANSPORT,))
def ssl_policies(
    inv: AwsInventory, params: dict[str, Any], response: dict[str, Any], region: str | None
) -> None:
    """Read the protocols each policy allows (bare names, from --query, say nothing)."""
    for policy in dicts(response.get("SslPolicies")):
        name = text(policy.get("Name"))
        protocols = policy.get("SslProtocols")
        if name and isinstance(protocols, list):
            inv.ssl_policies[name] = tuple(sorted({normalise_protocol(str(p)) for p in protocols}))


# Security groups -------------------------------------------------------------------------------


@handles("ec2", "DescribeSecurityGroups", kinds=(NETWORK,))
def security_groups(
    inv: AwsInventory, params: dict[str, Any], response: dict[str, Any], region: str | None
) -> None:
    """Inbound rules open to 0.0.0.0/0 or ::/0, per security group."""
    for group in dicts(response.get("SecurityGroups")):
        group_id = text(group.get("GroupId"))
        if not group_id:
            continue
        inv.note_account(text(group.get("OwnerId")))
        rules = dicts(group.get("IpPermissions"))
        open_rules = []
        for rule in rules:
            cidrs = [text(r.get("CidrIp")) for r in dicts(rule.get("IpRanges"))]
            cidrs += [text(r.get("CidrIpv6")) for r in dicts(rule.get("Ipv6Ranges"))]
            for cidr in sorted(c for c in cidrs if c in _WORLD):
                open_rules.append(
                    world_rule(
                        rule.get("IpProtocol"), rule.get("FromPort"), rule.get("ToPort"), cidr
                    )
                )
        inv.security_groups[group_id] = {
            "id": group_id,
            "name": text(group.get("GroupName")),
            "vpc": text(group.get("VpcId")),
            "region": region,
            "rules": len(rules),
            "world_open": open_rules,
            "origin": "DescribeSecurityGroups",
        }


def world_rule(protocol: Any, from_port: Any, to_port: Any, cidr: str) -> dict[str, Any]:
    """Describe an inbound rule open to the world ("all" protocols mean every port)."""
    name = str(protocol).lower() if protocol is not None else "all"
    name = {"-1": "all", "6": "tcp", "17": "udp", "1": "icmp"}.get(name, name)
    low, high = to_int(from_port), to_int(to_port)
    if name == "all" or low is None or high is None or low < 0:
        low, high = 0, 65535
    return {"protocol": name, "from_port": low, "to_port": high, "cidr": cidr}
