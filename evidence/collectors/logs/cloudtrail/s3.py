"""CloudTrail delivery files read where they live: the trail's S3 bucket, the period's days only.

CloudTrail writes ``<prefix>/AWSLogs/[<organisation id>/]<account>/CloudTrail/<region>/yyyy/mm/dd/``.
The accounts and regions are listed (or taken from the settings), then only the prefixes of the
period's days are listed, so a year of logs is not walked to read a quarter. Objects are fetched
by a bounded pool of threads and parsed as they arrive, in key order; at most ``max_parallel``
objects are in memory at once and nothing is written to disk. Each object's key, ETag and
version are recorded as its raw input, with the SHA-256 of the bytes read.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import datetime, timedelta
from typing import Any

from pydantic import Field

from evidence.collectors.base import CollectorSettings
from evidence.errors import InputError
from evidence.model.evidence import RawInput


class TrailBucket(CollectorSettings):
    """The trail's bucket, its key prefix, and what to read of it (docs/collectors/cloudtrail.md)."""

    bucket: str = Field(min_length=3)
    prefix: str = ""
    #: An organisation trail writes under AWSLogs/<organisation id>/<account>/...
    organization_id: str | None = Field(default=None, pattern=r"^o-[a-z0-9]{10,32}$")
    accounts: list[str] = Field(default_factory=list)
    regions: list[str] = Field(default_factory=list)
    region: str | None = None
    profile: str | None = None
    endpoint_url: str | None = None
    max_parallel: int = Field(default=8, ge=1, le=64)


class TrailObjects:
    """Lists the period's delivery files in a trail bucket and streams them, bounded."""

    def __init__(self, settings: TrailBucket) -> None:
        import boto3
        from botocore.config import Config

        session = boto3.Session(profile_name=settings.profile, region_name=settings.region)
        self.client = session.client(
            "s3",
            endpoint_url=settings.endpoint_url,
            config=Config(
                retries={"max_attempts": 4, "mode": "standard"},
                max_pool_connections=settings.max_parallel,
                user_agent_extra="dpp-evidence",
            ),
        )
        self.settings = settings
        self.listed_prefixes: list[str] = []

    def _base(self) -> str:
        prefix = self.settings.prefix.strip("/")
        base = f"{prefix}/AWSLogs/" if prefix else "AWSLogs/"
        return base + (f"{self.settings.organization_id}/" if self.settings.organization_id else "")

    def _children(self, prefix: str) -> list[str]:
        found: list[str] = []
        pages = self.client.get_paginator("list_objects_v2").paginate(
            Bucket=self.settings.bucket, Prefix=prefix, Delimiter="/"
        )
        for page in pages:
            found.extend(p["Prefix"][len(prefix) :].rstrip("/") for p in page.get("CommonPrefixes", []))
        return sorted(found)

    def keys(self, first: datetime, last: datetime) -> list[tuple[str, str, str | None]]:
        """(key, ETag, version) of every delivery file of the days from ``first`` to ``last``."""
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            base = self._base()
            accounts = self.settings.accounts or [a for a in self._children(base) if a.isdigit()]
            found: list[tuple[str, str, str | None]] = []
            for account in accounts:
                trail = f"{base}{account}/CloudTrail/"
                for region in self.settings.regions or self._children(trail):
                    day = first.date()
                    while day <= last.date():
                        prefix = f"{trail}{region}/{day:%Y/%m/%d}/"
                        self.listed_prefixes.append(prefix)
                        found.extend(self._objects(prefix))
                        day += timedelta(days=1)
            return sorted(found)
        except ClientError as exc:
            code = exc.response.get("Error", {}).get("Code", "error")
            raise InputError(
                f"s3://{self.settings.bucket}/{self._base()}",
                f"cannot list the trail bucket ({code}): s3:ListBucket on it is needed",
            ) from None
        except BotoCoreError as exc:
            raise InputError(f"s3://{self.settings.bucket}", f"cannot reach S3: {exc}") from None

    def _objects(self, prefix: str) -> Iterator[tuple[str, str, str | None]]:
        pages = self.client.get_paginator("list_objects_v2").paginate(Bucket=self.settings.bucket, Prefix=prefix)
        for page in pages:
            for entry in page.get("Contents", []):
                key = str(entry["Key"])
                if key.endswith((".json.gz", ".json")):
                    yield key, str(entry.get("ETag", "")).strip('"'), None

    def fetch(self, key: str) -> tuple[bytes, RawInput]:
        """One object's bytes and its raw input (``s3://bucket/key``, ETag and version id)."""
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            response = self.client.get_object(Bucket=self.settings.bucket, Key=key)
            data = response["Body"].read()
        except ClientError as exc:
            code = exc.response.get("Error", {}).get("Code", "error")
            raise InputError(f"s3://{self.settings.bucket}/{key}", f"cannot read ({code})") from None
        except BotoCoreError as exc:
            raise InputError(f"s3://{self.settings.bucket}/{key}", f"cannot read: {exc}") from None
        etag = str(response.get("ETag", "")).strip('"')
        version = response.get("VersionId")
        location = f"s3://{self.settings.bucket}/{key}#etag={etag}" + (
            f"&version={version}" if version and version != "null" else ""
        )
        return data, RawInput(location=location, sha256=hashlib.sha256(data).hexdigest(), size=len(data))

    def stream(self, keys: list[str]) -> Iterator[tuple[str, bytes | InputError, RawInput | None]]:
        """Fetch ``keys`` with at most ``max_parallel`` requests under way; yield them in order."""
        limit = self.settings.max_parallel
        with ThreadPoolExecutor(limit, thread_name_prefix="trail-s3") as pool:
            pending: list[tuple[str, Future[tuple[bytes, RawInput]]]] = []
            queue = iter(keys)
            for key in queue:
                pending.append((key, pool.submit(self.fetch, key)))
                if len(pending) >= limit:
                    break
            while pending:
                key, future = pending.pop(0)
                try:
                    data, raw = future.result()
                    result: tuple[str, bytes | InputError, RawInput | None] = (key, data, raw)
                except InputError as exc:
                    result = (key, exc, None)
                following = next(queue, None)
                if following is not None:
                    pending.append((following, pool.submit(self.fetch, following)))
                yield result
                del result


def period_days(start: datetime, end: datetime) -> tuple[datetime, datetime]:
    """The delivery days to list: the period's, plus the day after (late deliveries)."""
    return start, end + timedelta(days=1)


def describe(settings: TrailBucket) -> dict[str, Any]:
    """The bucket settings as the facts record them."""
    return {
        "bucket": settings.bucket,
        "prefix": settings.prefix,
        "organization_id": settings.organization_id,
    }
