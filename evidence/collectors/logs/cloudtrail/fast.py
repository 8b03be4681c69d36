"""The fast path of a CloudTrail delivery file: decode only the fields the facts need, count as it goes.

A delivery file (``{"Records": [...]}``) is decoded by msgspec into narrow structs: the time,
name, source, caller, address, error and category of each event, with the request, response
and additional data kept as raw JSON bytes. Those are decoded only for the few events that need
them (console sign-ins, disables, setting changes, PII-store access) and otherwise scanned for
PII as bytes. A file whose fields do not have the expected types falls back to the full parse
(:mod:`cloudtrail_events`), which gives the same facts and names what is wrong.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import msgspec
import orjson

from evidence.collectors.logs.cloudtrail.changes import TRACKED
from evidence.collectors.store_matching import StoreMatcher

NULL = msgspec.Raw(b"null")
_DATA_KEYS = ("bucketName", "tableName", "TableName")


class Identity(msgspec.Struct):
    """The caller fields principal_name() reads."""

    type: str | None = None
    arn: str | None = None
    userName: str | None = None  # noqa: N815 - CloudTrail's spelling
    invokedBy: str | None = None  # noqa: N815
    accountId: str | None = None  # noqa: N815

    def get(self, key: str, default: Any = None) -> Any:
        """Read a field as from the dict the full parse holds (principal_name() reads it so)."""
        return getattr(self, key, default)


class Event(msgspec.Struct):
    """The fields of an event the facts need; nested objects stay raw JSON."""

    eventTime: str | None = None  # noqa: N815
    eventName: str | None = None  # noqa: N815
    eventSource: str | None = None  # noqa: N815
    userIdentity: Identity | None = None  # noqa: N815
    sourceIPAddress: str | None = None  # noqa: N815
    errorCode: str | None = None  # noqa: N815
    eventCategory: str | None = None  # noqa: N815
    awsRegion: str | None = None  # noqa: N815
    recipientAccountId: str | None = None  # noqa: N815
    eventID: str | None = None  # noqa: N815
    requestParameters: msgspec.Raw = NULL  # noqa: N815
    responseElements: msgspec.Raw = NULL  # noqa: N815
    additionalEventData: msgspec.Raw = NULL  # noqa: N815


class Delivery(msgspec.Struct):
    """A delivery file; ``Records`` is None for other JSON objects (digests, lookup output)."""

    Records: list[Event] | None = None  # noqa: N815


class StoreParams(msgspec.Struct):
    """The request parameters that name a bucket or table."""

    bucketName: Any = None  # noqa: N815
    tableName: Any = None  # noqa: N815
    TableName: Any = None  # noqa: N815


DECODER = msgspec.json.Decoder(Delivery)
_STORE_PARAMS = msgspec.json.Decoder(StoreParams)


def decode(data: bytes) -> list[Event] | None:
    """The events of a delivery file, or None when the file is not one (or not of these types)."""
    try:
        return DECODER.decode(data).Records
    except (msgspec.ValidationError, msgspec.DecodeError):
        return None


def identity_dict(identity: Identity | None) -> dict[str, Any]:
    """The caller as the dict principal_name() reads."""
    if identity is None:
        return {}
    return {
        k: v
        for k, v in (
            ("type", identity.type),
            ("arn", identity.arn),
            ("userName", identity.userName),
            ("invokedBy", identity.invokedBy),
            ("accountId", identity.accountId),
        )
        if v is not None
    }


def loads(raw: msgspec.Raw) -> Any:
    """A raw JSON value, decoded."""
    return orjson.loads(bytes(raw))


def full_record(event: Event) -> dict[str, Any]:
    """The fields a setting change or a login reads, as the full parse would give them."""
    return {
        "eventTime": event.eventTime,
        "eventName": event.eventName,
        "eventSource": event.eventSource,
        "awsRegion": event.awsRegion,
        "recipientAccountId": event.recipientAccountId,
        "eventID": event.eventID,
        "userIdentity": identity_dict(event.userIdentity),
        "requestParameters": loads(event.requestParameters),
        "responseElements": loads(event.responseElements),
        "additionalEventData": loads(event.additionalEventData),
    }


def store_name(raw: bytes) -> tuple[str, str] | None:
    """(key, value) of the first of bucketName/tableName/TableName the request names."""
    try:
        params = _STORE_PARAMS.decode(raw)
    except (msgspec.ValidationError, msgspec.DecodeError):
        return None
    for key in _DATA_KEYS:
        value = getattr(params, key)
        if isinstance(value, str):
            return key, value
    return None


def match_store(stores: StoreMatcher, key: str, value: str) -> str | None:
    """The configured store a bucket or table name belongs to."""
    return stores.bucket(value) if key == "bucketName" else stores.table(value)


def pii_blob(params: bytes, response: bytes, compact: bool) -> bytes:
    """The bytes the full parse scans for PII (``orjson.dumps([params, response])``)."""
    if compact and b"\\" not in params and b"\\" not in response:
        return b"[" + params + b"," + response + b"]"
    return orjson.dumps([orjson.loads(params), orjson.loads(response)])


def is_compact(data: bytes) -> bool:
    """Whether a file is compact JSON (as CloudTrail writes it): raw bytes equal re-encoded ones."""
    head = data[:65536]
    return b'": ' not in head and b"\n " not in head and b", " not in head


def epoch_slow(text: str) -> int | None:
    """Any ISO 8601 time (the fast path handles CloudTrail's own form)."""
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return int((moment if moment.tzinfo else moment.replace(tzinfo=UTC)).timestamp())


__all__ = ["TRACKED", "Delivery", "Event", "Identity", "decode"]
