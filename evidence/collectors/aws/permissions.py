"""Which IAM permission each read-only call needs, and what an error response means.

An AccessDenied (or any other error) is never silence: the inventory records it against the
resource or the kind it was meant to prove, naming the permission to grant. A few error codes
are answers rather than failures: ``NoSuchLifecycleConfiguration`` means "no lifecycle rule".
"""

from __future__ import annotations

from dataclasses import dataclass

#: API operation -> (service prefix of IAM actions, action name when it differs from the operation).
_SERVICES = {
    "s3": "s3",
    "rds": "rds",
    "ec2": "ec2",
    "dynamodb": "dynamodb",
    "kms": "kms",
    "cloudtrail": "cloudtrail",
    "logs": "logs",
    "iam": "iam",
    "secretsmanager": "secretsmanager",
    "elbv2": "elasticloadbalancing",
    "sts": "sts",
}

_ACTION_NAMES = {
    "GetBucketEncryption": "GetEncryptionConfiguration",
    "GetBucketLifecycleConfiguration": "GetLifecycleConfiguration",
    "GetPublicAccessBlock": "GetBucketPublicAccessBlock",
    "ListBuckets": "ListAllMyBuckets",
    "DescribeSSLPolicies": "DescribeSSLPolicies",
}

#: Error codes that answer the question ("there is none") instead of failing it.
ABSENT = {
    "GetBucketEncryption": {"ServerSideEncryptionConfigurationNotFoundError"},
    "GetBucketLifecycleConfiguration": {"NoSuchLifecycleConfiguration"},
    "GetPublicAccessBlock": {"NoSuchPublicAccessBlockConfiguration"},
    "GetAccountPasswordPolicy": {"NoSuchEntity"},
}

_DENIED = {
    "AccessDenied",
    "AccessDeniedException",
    "UnauthorizedOperation",
    "UnauthorizedAccess",
    "AuthorizationError",
    "NotAuthorized",
    "403",
}


def iam_action(service: str, operation: str) -> str:
    """Name the IAM action a call needs (GetBucketEncryption: ``s3:GetEncryptionConfiguration``)."""
    prefix = _SERVICES.get(service, service)
    return f"{prefix}:{_ACTION_NAMES.get(operation, operation)}"


@dataclass(frozen=True)
class CallError:
    """A failed call as the inventory records it: never the raw message, which may name people."""

    service: str
    operation: str
    code: str

    @property
    def denied(self) -> bool:
        """Whether the caller lacked a permission."""
        return self.code in _DENIED or "AccessDenied" in self.code

    @property
    def absent(self) -> bool:
        """Whether the code means "not configured", which is an answer, not a failure."""
        return self.code in ABSENT.get(self.operation, set())

    def describe(self) -> str:
        """One sentence naming the call, the code and, for a denial, the missing permission."""
        action = iam_action(self.service, self.operation)
        if self.denied:
            return (
                f"{self.operation} was denied ({self.code}): the caller lacks permission {action}"
            )
        return f"{self.operation} failed ({self.code}); it needs permission {action}"
