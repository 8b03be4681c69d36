"""Reading the loosely typed values of AWS API responses: timestamps, flags, numbers, text (ARNs: :mod:`.arns`)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any


def to_iso(value: Any, *, millis: bool = False) -> str | None:
    """Turn a datetime, an epoch number or an ISO string into ISO-8601 UTC (None if absent).

    boto3 returns datetimes; the AWS CLI prints ISO strings or epoch seconds; CloudWatch Logs
    uses epoch milliseconds (``millis=True``). A string that is no timestamp gives None.
    """
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        moment = value if value.tzinfo else value.replace(tzinfo=UTC)
    elif isinstance(value, bool):
        return None
    elif isinstance(value, int | float):
        moment = datetime.fromtimestamp(value / 1000 if millis else value, tz=UTC)
    elif isinstance(value, str):
        try:
            moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return None
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=UTC)
    else:
        return None
    return moment.astimezone(UTC).replace(microsecond=0).isoformat()


def to_bool(value: Any) -> bool | None:
    """True/False from a JSON boolean or the strings "true"/"false" (None when neither)."""
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    return None


def to_int(value: Any) -> int | None:
    """Read an integer from a number or a numeric string (None when neither)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and value.strip().isdigit():
        return int(value)
    return None


def dicts(value: Any) -> list[dict[str, Any]]:
    """Return the dict elements of a list (anything else in a response is ignored)."""
    return [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []


def mapping(value: Any) -> dict[str, Any]:
    """Return ``value`` when it is a JSON object, else an empty one."""
    return value if isinstance(value, dict) else {}


def text(value: Any) -> str | None:
    """Return a non-empty string, or None."""
    return value if isinstance(value, str) and value else None
