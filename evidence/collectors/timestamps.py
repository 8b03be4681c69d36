"""Timestamps as inputs write them (ISO 8601, Unix time, YAML dates), read into UTC instants."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, tzinfo
from typing import Annotated, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import AfterValidator


class TimestampError(ValueError):
    """A value that is not a timestamp this collector understands (the message never quotes it)."""


def parse_timestamp(value: Any, default_tz: tzinfo = UTC) -> datetime:
    """Read a UTC datetime from ISO 8601 text, Unix seconds, or a YAML datetime or date.

    Values without an offset are read in ``default_tz``. Raises TimestampError otherwise.
    """
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, date):
        moment = datetime.combine(value, time.min)
    elif isinstance(value, int | float) and not isinstance(value, bool):
        return _from_epoch(float(value))
    elif isinstance(value, str):
        text = value.strip()
        if not text:
            raise TimestampError("empty timestamp")
        if _is_number(text):
            return _from_epoch(float(text))
        try:
            moment = datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
        except ValueError:
            raise TimestampError("not an ISO 8601 timestamp") from None
    else:
        raise TimestampError(f"expected a timestamp, found {type(value).__name__}")
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=default_tz)
    return moment.astimezone(UTC)


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _from_epoch(seconds: float) -> datetime:
    if seconds > 1e14:  # microseconds (journald), then milliseconds
        seconds /= 1e6
    elif seconds > 1e11:
        seconds /= 1e3
    try:
        return datetime.fromtimestamp(seconds, tz=UTC)
    except (OverflowError, OSError, ValueError):
        raise TimestampError("Unix time out of range") from None


def iso(moment: datetime | None) -> str | None:
    """``2026-08-09T03:00:00Z``: how facts record instants (UTC, seconds)."""
    if moment is None:
        return None
    return moment.astimezone(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def _zone_name(value: str) -> str:
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError("not an IANA time zone such as UTC or Europe/London") from None
    return value


#: A settings field holding an IANA time zone name, checked when the config is read.
ZoneName = Annotated[str, AfterValidator(_zone_name)]
