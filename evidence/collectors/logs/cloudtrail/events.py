"""Reading CloudTrail files: delivery files, one-event-per-line exports, digests; one file per call.

:func:`parse_file` is what a worker process runs for one file. It reads the file once (a
delivery file is small, so it is read whole and parsed by orjson; an export too large to hold is
streamed line by line), hashes its raw bytes and, when digests are to be checked, its inflated
content, and returns a :class:`FilePart` of mergeable counters. Raw principal names stay in
these counters; the parent process pseudonymises them when it builds the facts.
"""

from __future__ import annotations

import hashlib
import re
import zlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson

from evidence.collectors.access_facts import AccessAggregator
from evidence.collectors.access_paths import THROUGH_IDP
from evidence.collectors.inputs import input_limits, open_regular, open_text, paused_gc
from evidence.collectors.logs.cloudtrail.changes import TRACKED
from evidence.collectors.logs.cloudtrail.fast import (
    Event,
    Identity,
    decode,
    full_record,
    is_compact,
    match_store,
    pii_blob,
    store_name,
)
from evidence.collectors.logs.coverage import Coverage
from evidence.collectors.logs.pii import PiiScanner, may_hold_pii
from evidence.collectors.store_matching import StoreMatcher
from evidence.errors import InputError
from evidence.model.access import AccessPolicy
from evidence.model.evidence import ParseStats, RawInput
from evidence.model.limits import DEFAULT_LIMITS, InputLimits
from evidence.model.period import Period

#: IAM calls that take a user's access away: the disable timestamps of offboarding.
DISABLING = {
    "DeleteLoginProfile",
    "DeactivateMFADevice",
    "UpdateAccessKey",
    "DeleteAccessKey",
    "DeleteUser",
    "RemoveUserFromGroup",
}
_MACHINE_SESSION = re.compile(r"^(?:i-[0-9a-f]+|\d+|[0-9a-f-]{32,36}|botocore-session-\d+|aws-go-sdk-\d+)$")
_DATA_KEYS = ("bucketName", "tableName", "TableName")
_NO_CALLER: tuple[Any, ...] = (None, None, None, None)
_MISSING: Any = object()
#: Raw JSON values that are false in Python: a request or response with nothing to scan.
_FALSY = {b"null", b"{}", b"[]", b'""', b"0", b"false"}


@dataclass
class Options:
    """What a worker needs to parse files: the source's access policy and the period."""

    policy: AccessPolicy
    period: Period
    as_of: datetime
    max_gap_hours: float
    inner_hashes: bool
    limits: InputLimits = DEFAULT_LIMITS


@dataclass
class FilePart:
    """The counters of one file, merged in file order by the parent."""

    raw: RawInput
    stats: ParseStats
    access: AccessAggregator | None = None
    coverage: Coverage | None = None
    pii: PiiScanner | None = None
    inner_sha256: str | None = None
    digest: dict[str, Any] | None = None
    rejected: str | None = None
    line: int | None = None
    notes: list[str] = field(default_factory=list)
    #: Successful events that change a judged setting: (epoch second, event, principal key).
    changes: list[tuple[int, dict[str, Any], str | None]] = field(default_factory=list)
    #: Tracked setting changes that failed (an errorCode): they changed nothing.
    failed_changes: int = 0


def parse_file(path: Path, options: Options) -> FilePart:
    """Parse one CloudTrail file; an unreadable file comes back with ``rejected`` set."""
    with paused_gc(), input_limits(options.limits):
        return _parse_file(path, options)


def _parse_file(path: Path, options: Options) -> FilePart:
    stats = ParseStats(scope=str(path))
    cap = options.limits.max_document_bytes
    try:
        with open_regular(path) as handle:
            raw_bytes = handle.read(cap + 1)
    except InputError as exc:
        return FilePart(RawInput(location=str(path), sha256="", size=0), stats, rejected=exc.reason)
    except OSError as exc:
        return FilePart(
            RawInput(location=str(path), sha256="", size=0),
            stats,
            rejected=f"cannot read: {exc.strerror}",
        )
    if len(raw_bytes) > cap:
        return _stream_lines(path, options, stats)
    raw = RawInput(location=str(path), sha256=hashlib.sha256(raw_bytes).hexdigest(), size=len(raw_bytes))
    return parse_bytes(raw_bytes, raw, options, stats)


def parse_bytes(raw_bytes: bytes, raw: RawInput, options: Options, stats: ParseStats | None = None) -> FilePart:
    """Parse one whole CloudTrail object held in memory (a file read, or an S3 object streamed)."""
    path = raw.location
    stats = stats or ParseStats(scope=path)
    cap = options.limits.max_document_bytes
    try:
        inflated = _inflate(raw_bytes, cap) if raw_bytes[:2] == b"\x1f\x8b" else raw_bytes
    except (OSError, EOFError, zlib.error):
        return FilePart(raw, stats, rejected="not a valid gzip file", line=1)
    del raw_bytes
    if inflated is None:  # too large to hold whole: an export read line by line, or a bomb
        if not Path(path).is_file():  # an object streamed from S3 has no file to read by line
            return FilePart(
                raw, stats, rejected=f"decompresses to more than {cap:,} bytes ([limits] max_document_bytes)", line=1
            )
        return _stream_lines(Path(path), options, stats)
    data = inflated
    inner = hashlib.sha256(data).hexdigest() if options.inner_hashes else None
    events = decode(data) if data[:1] == b"{" else None
    if events is not None and all(e.eventTime is not None for e in events):
        part = _new_part(raw, stats, options, inner)
        reader = _Reader(part, options, path)
        reader.events(events, data)
        reader.flush()
        return part
    try:
        document = orjson.loads(data)
    except orjson.JSONDecodeError as exc:
        return _lines_or_reject(path, data, options, stats, raw, inner, exc)
    if isinstance(document, dict) and "digestStartTime" in document:
        return FilePart(raw, stats, inner_sha256=hashlib.sha256(data).hexdigest(), digest=document)
    records, shape = _records(document)
    if records is None:
        return FilePart(raw, stats, rejected=f"not CloudTrail: {shape}", line=1)
    part = _new_part(raw, stats, options, inner)
    reader = _Reader(part, options, str(path))
    lines = _RecordLines(data, shape)
    for index, record in enumerate(records):
        problem = reader.record(record, lines.where(index))
        if problem:
            stats.reject(f"{path}:{lines.of(index)}", f"{shape}[{index}]: {problem}")
    reader.flush()
    return part


def _inflate(compressed: bytes, cap: int) -> bytes | None:
    """Inflate gzip members, stopping past ``cap`` bytes (None: larger than ``cap``).

    Never trusts the size a gzip trailer claims: a bomb may lie about it.
    """
    out: list[bytes] = []
    size = 0
    rest = compressed
    while rest:
        inflater = zlib.decompressobj(wbits=31)
        out.append(inflater.decompress(rest, cap + 1 - size))
        size += len(out[-1])
        if size > cap or inflater.unconsumed_tail:
            return None
        if not inflater.eof:
            raise EOFError("compressed file ended before the end-of-stream marker")
        rest = inflater.unused_data.lstrip(b"\x00")
    return b"".join(out)


def _records(document: Any) -> tuple[list[Any] | None, str]:
    if isinstance(document, dict):
        if isinstance(document.get("Records"), list):
            return document["Records"], "Records"
        if isinstance(document.get("Events"), list):  # `aws cloudtrail lookup-events` output
            return [_lookup_event(e) for e in document["Events"]], "Events"
        hits = document.get("hits")
        if isinstance(hits, dict) and isinstance(hits.get("hits"), list):  # OpenSearch/Elasticsearch
            return hits["hits"], "hits.hits"
        if isinstance(document.get("results"), list):  # Splunk REST export
            return document["results"], "results"
        if is_event(document):
            return [document], "event"
        return None, "a JSON object without Records, Events, hits or eventTime"
    if isinstance(document, list):
        return document, "records"
    return None, "not a JSON object or list"


def is_event(record: Any) -> bool:
    """Whether a JSON object is one event, bare or in a log platform's wrapping."""
    return isinstance(record, dict) and (
        "eventTime" in record
        or "eventName" in record
        or "@timestamp" in record
        or "_source" in record
        or isinstance(record.get("result"), dict)
        or isinstance(record.get("_raw"), str)
    )


def unwrapped(record: dict[str, Any]) -> Any:
    """The CloudTrail event inside a log platform's export of it (or the record as it is).

    - OpenSearch/Elasticsearch search hits keep the event in ``_source`` (Elastic's CloudTrail
      integration keeps the original JSON in ``event.original``);
    - Splunk exports keep it as text in ``result._raw`` (``splunk search -output json``) or ``_raw``;
    - Logstash's cloudtrail codec moves ``eventTime`` to ``@timestamp`` (and adds ``@version``).
    """
    source = record.get("_source")
    if isinstance(source, dict):
        original = source.get("event")
        if "eventName" not in source and isinstance(original, dict):  # ECS fields, raw event kept
            text = original.get("original")
            if isinstance(text, str):
                return _parsed(text)
        record = source
    result = record.get("result")
    if isinstance(result, dict) and isinstance(result.get("_raw"), str):
        return _parsed(result["_raw"])
    if isinstance(record.get("_raw"), str):
        return _parsed(record["_raw"])
    if "eventTime" not in record and isinstance(record.get("@timestamp"), str):
        record = {**record, "eventTime": record["@timestamp"]}
    return record


def _parsed(text: str) -> Any:
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError:
        return None


def _lookup_event(entry: Any) -> Any:
    if isinstance(entry, dict) and isinstance(entry.get("CloudTrailEvent"), str):
        try:
            return orjson.loads(entry["CloudTrailEvent"])
        except orjson.JSONDecodeError:
            return None
    return entry


def _new_part(raw: RawInput, stats: ParseStats, options: Options, inner: str | None) -> FilePart:
    return FilePart(
        raw,
        stats,
        access=AccessAggregator(options.policy, options.period, options.as_of, deferred=True),
        coverage=Coverage(options.period, options.as_of, options.max_gap_hours),
        pii=PiiScanner(list(options.policy.name_fields)),
        inner_sha256=inner,
    )


def _lines_or_reject(
    path: str,
    data: bytes,
    options: Options,
    stats: ParseStats,
    raw: RawInput,
    inner: str | None,
    error: orjson.JSONDecodeError,
) -> FilePart:
    """Read a file that is not one JSON document: one event per line, or malformed."""
    first = data.split(b"\n", 1)[0].strip()
    try:
        head = orjson.loads(first) if first else None
    except orjson.JSONDecodeError:
        head = None
    if not is_event(head):
        return FilePart(raw, stats, rejected=f"malformed JSON (column {error.colno})", line=error.lineno)
    part = _new_part(raw, stats, options, inner)
    reader = _Reader(part, options, str(path))
    for number, line in enumerate(data.split(b"\n"), start=1):
        reader.line(number, line)
    reader.flush()
    return part


def _stream_lines(path: Path, options: Options, stats: ParseStats) -> FilePart:
    """Stream a large one-event-per-line export: only one line is held at a time."""
    part = _new_part(RawInput(location=str(path), sha256="", size=0), stats, options, None)
    reader = _Reader(part, options, str(path))
    inner = hashlib.sha256() if options.inner_hashes else None
    try:
        with open_text(path) as lines:
            for number, line in lines:
                encoded = line.encode("utf-8")
                if inner is not None:
                    inner.update(encoded)
                reader.line(number, encoded)
            part.raw = lines.raw_input()
    except InputError as exc:
        part.rejected, part.line = exc.reason, exc.line
    reader.flush()
    part.inner_sha256 = inner.hexdigest() if inner is not None else None
    return part


class _RecordLines:
    """The line each record of a document starts on, found in one pass the first time one is needed.

    Working a record's line out from the start of the document for every rejected record was
    quadratic: a file of many bad records took minutes. One pass is linear in the file's size.
    """

    _TOKEN = re.compile(rb'"(?:[^"\\]|\\.)*"|[\[\]{}]')
    #: How deep a record's opening brace sits: {"Records": [ {record} ]}, [ {record} ], {record}.
    _DEPTH = {"Records": 3, "Events": 3, "records": 2, "event": 1}

    def __init__(self, data: bytes, shape: str) -> None:
        self.data, self.shape = data, shape
        self._starts: list[int] | None = None

    def of(self, index: int) -> int:
        """Line of record ``index`` (1 for a compact, one-line document)."""
        if self._starts is None:
            self._starts = self._scan()
        return self._starts[index] if index < len(self._starts) else 1

    def where(self, index: int) -> _RecordLine:
        """``LINE (shape[index])`` of record ``index``, worked out only if a finding needs it."""
        return _RecordLine(self, index)

    def _scan(self) -> list[int]:
        data = self.data
        if b"\n" not in data.strip():
            return []
        target = self._DEPTH.get(self.shape, 3)
        starts: list[int] = []
        depth, line, last = 0, 1, 0
        for token in self._TOKEN.finditer(data):
            char = token[0][:1]
            if char in b"[{":
                depth += 1
                if char == b"{" and depth == target:
                    line += data.count(b"\n", last, token.start())
                    last = token.start()
                    starts.append(line)
            elif char in b"]}":
                depth -= 1
        return starts


class _RecordLine:
    """``LINE (Records[i])`` of a record in a document."""

    def __init__(self, lines: _RecordLines, index: int) -> None:
        self.lines, self.index = lines, index

    def __str__(self) -> str:
        return f"{self.lines.of(self.index)} ({self.lines.shape}[{self.index}])"


class _Reader:
    """Turns CloudTrail records into aggregator calls."""

    def __init__(self, part: FilePart, options: Options, path: str) -> None:
        assert part.access is not None
        assert part.coverage is not None
        assert part.pii is not None
        self.part = part
        self.access = part.access
        self.coverage = part.coverage
        self.pii = part.pii
        self.stats = part.stats
        self.path = path
        self.stores = StoreMatcher(options.policy.pii_stores)
        self.has_stores = bool(self.stores.buckets or self.stores.tables)
        self.kept = 0
        self._days: dict[str, int] = {}
        self._names: dict[tuple[Any, ...], str | None] = {}

    def line(self, number: int, line: bytes) -> None:
        if not line.strip():
            return
        try:
            record = orjson.loads(line)
        except orjson.JSONDecodeError:
            self.stats.reject(f"{self.path}:{number}", "malformed JSON (expected one CloudTrail event per line)")
            return
        problem = self.record(record, number)
        if problem:
            self.stats.reject(f"{self.path}:{number}", problem)

    def record(self, record: Any, where: int | _RecordLine) -> str | None:
        """Apply one event; returns the reason when it cannot be used."""
        if not isinstance(record, dict):
            return "not a JSON object"
        if "eventTime" not in record:
            record = unwrapped(record)
            if not isinstance(record, dict):
                return "the wrapped event is not a JSON object"
        when = record.get("eventTime")
        ts = self._epoch(when) if isinstance(when, str) else None
        if ts is None:
            return "no eventTime" if when is None else "eventTime is not an ISO 8601 time"
        self.kept += 1
        self.coverage.add(ts)
        identity = record.get("userIdentity")
        if not isinstance(identity, dict):
            identity = {}
        cache_key = (
            identity.get("type"),
            identity.get("arn"),
            identity.get("userName"),
            identity.get("invokedBy"),
        )
        try:
            name = self._names[cache_key]
        except KeyError:
            name = self._names[cache_key] = _normal(principal_name(identity))
            if name is not None and federated(identity):
                self.access.mark_federated(name)
        except TypeError:  # an unhashable value where a string belongs
            name = _normal(principal_name(identity))
        event = record.get("eventName")
        address = record.get("sourceIPAddress")
        address = address if isinstance(address, str) else None
        failed = record.get("errorCode") is not None
        params = record.get("requestParameters")
        if event == "ConsoleLogin":
            self._console_login(ts, record, identity, name, address)
        elif name is not None and not failed:
            self.access.activity_of(ts, name, address)
        if identity.get("type") == "Root" and not identity.get("invokedBy"):
            self.access.root_use(ts, str(event))
        if event in TRACKED:
            if failed:
                self.part.failed_changes += 1
            else:
                self.part.changes.append((ts, record, name))
        if isinstance(params, dict):
            if event in DISABLING and not failed and record.get("eventSource") == "iam.amazonaws.com":
                self._disabling(ts, str(event), params)
            # A management call on a bucket (PutBucketEncryption...) changes settings; it is not
            # access to the data in it.
            if self.has_stores and name is not None and not failed and record.get("eventCategory") != "Management":
                self._store(ts, name, params, address)
        response = record.get("responseElements")
        if params or response:
            self.pii.scan(orjson.dumps([params, response]), self.path, where)
        else:
            self.pii.skip()
        return None

    def events(self, events: list[Event], data: bytes) -> None:
        """Apply the decoded events of a delivery file: :meth:`record` for narrow structs (hot path).

        Kept in one loop with the coverage counter inlined: per event it is the cost that
        matters, as the decode before it runs in C.
        """
        access = self.access
        coverage = self.coverage
        hours = coverage.hours
        as_of, window_start, window_end = coverage.as_of, coverage.window_start, coverage.window_end
        activity_of = access.activity_of
        names = self._names
        days = self._days
        pii = self.pii
        screen_only = pii.fields_pattern is None  # a clean record costs one screen, no scan
        has_stores = self.has_stores
        part = self.part
        compact = is_compact(data)
        path = self.path
        lines = _RecordLines(data, "Records")  # scanned only if a reject or a finding needs a line
        kept = clean = after = total = in_period = 0
        for index, ev in enumerate(events):
            when = ev.eventTime
            assert when is not None  # the caller sends files whose events all have one
            day = days.get(when[:10]) if len(when) == 20 and when[10] == "T" and when[19] == "Z" else None
            ts: int | None
            if day is not None:
                try:
                    ts = day + int(when[11:13]) * 3600 + int(when[14:16]) * 60 + int(when[17:19])
                except ValueError:
                    ts = None
            else:
                ts = self._epoch(when)
            if ts is None:
                self.stats.reject(f"{path}:{lines.of(index)}", f"Records[{index}]: eventTime is not an ISO 8601 time")
                continue
            kept += 1
            if ts > as_of:  # Coverage.add, inlined
                after += 1
            else:
                total += 1
                if window_start <= ts <= window_end:
                    in_period += 1
                bounds = hours.get(ts // 3600)
                if bounds is None:
                    hours[ts // 3600] = [ts, ts]
                elif ts < bounds[0]:
                    bounds[0] = ts
                elif ts > bounds[1]:
                    bounds[1] = ts
            ident = ev.userIdentity
            key = _NO_CALLER if ident is None else (ident.type, ident.arn, ident.userName, ident.invokedBy)
            name = names.get(key, _MISSING)
            if name is _MISSING:
                name = names[key] = _normal(principal_name(ident) if ident is not None else None)
                if name is not None and ident is not None and federated(ident):
                    access.mark_federated(name)
            event = ev.eventName
            address = ev.sourceIPAddress
            failed = ev.errorCode is not None
            if event == "ConsoleLogin":
                record = full_record(ev)
                self._console_login(ts, record, record["userIdentity"], name, address)
            elif name is not None and not failed:
                activity_of(ts, name, address)
            if ident is not None and ident.type == "Root" and not ident.invokedBy:
                access.root_use(ts, str(event))
            params = bytes(ev.requestParameters)
            if event in TRACKED:
                if failed:
                    part.failed_changes += 1
                else:
                    part.changes.append((ts, full_record(ev), name))
            if params[:1] == b"{":
                if event in DISABLING and not failed and ev.eventSource == "iam.amazonaws.com":
                    self._disabling(ts, str(event), orjson.loads(params))
                if has_stores and name is not None and not failed and ev.eventCategory != "Management":
                    found = store_name(params)
                    store = match_store(self.stores, *found) if found is not None else None
                    if store is not None:
                        access.touch_store(ts, name, store, address)
            response = bytes(ev.responseElements)
            empty = params in _FALSY, response in _FALSY
            if empty[0] and empty[1]:
                clean += 1
            elif (
                screen_only
                and (empty[0] or not may_hold_pii(params))
                and (empty[1] or not may_hold_pii(response))
            ):
                clean += 1  # the screen never misses a finding (log_pii), so it is clean
            else:
                pii.scan(pii_blob(params, response, compact), path, lines.where(index))
        coverage.total += total
        coverage.in_period += in_period
        coverage.after_as_of += after
        self.kept += kept
        pii.skip(clean)

    def _console_login(
        self,
        ts: int,
        record: dict[str, Any],
        identity: dict[str, Any],
        name: str | None,
        address: str | None,
    ) -> None:
        response = record.get("responseElements")
        outcome = response.get("ConsoleLogin") if isinstance(response, dict) else None
        extra = record.get("additionalEventData")
        used = extra.get("MFAUsed") if isinstance(extra, dict) else None
        mfa: bool | None = None
        if identity.get("type") in ("IAMUser", "Root"):  # federated users pass MFA at their IdP
            mfa = True if used == "Yes" else False if used == "No" else None
        hidden = name is None or name == "hidden_due_to_security_reasons"  # names are lower-cased
        self.access.login(
            ts,
            name or "-",
            success=outcome == "Success",
            method="console",
            mfa=mfa,
            address=address,
            invalid_user=hidden and outcome != "Success",
            paths=(THROUGH_IDP,) if federated(identity) else (),
        )

    def _disabling(self, ts: int, event: str, params: dict[str, Any]) -> None:
        user = params.get("userName")
        if not isinstance(user, str):
            return
        if event == "UpdateAccessKey" and params.get("status") != "Inactive":
            return
        self.access.disabled(ts, user, f"IAM {event}")

    def _store(self, ts: int, name: str, params: dict[str, Any], address: str | None) -> None:
        for key in _DATA_KEYS:
            value = params.get(key)
            if isinstance(value, str):
                store = self.stores.bucket(value) if key == "bucketName" else self.stores.table(value)
                if store is not None:
                    self.access.touch_store(ts, name, store, address)
                return

    def _epoch(self, text: str) -> int | None:
        # 2026-07-01T12:34:56Z, CloudTrail's only form, parsed by hand: a day cache plus arithmetic.
        if len(text) == 20 and text[10] == "T" and text[19] == "Z":
            day = self._days.get(text[:10])
            if day is None:
                try:
                    day = int(datetime.fromisoformat(text[:10]).replace(tzinfo=UTC).timestamp())
                except ValueError:
                    return None
                self._days[text[:10]] = day
            try:
                return day + int(text[11:13]) * 3600 + int(text[14:16]) * 60 + int(text[17:19])
            except ValueError:
                return None
        try:
            moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            return None
        return int((moment if moment.tzinfo else moment.replace(tzinfo=UTC)).timestamp())

    def flush(self) -> None:
        self.stats.keep(self.kept)
        self.kept = 0


def _normal(name: str | None) -> str | None:
    return name.strip().lower() if name is not None else None


def federated(identity: Mapping[str, Any] | Identity) -> bool:
    """Whether a person reached AWS through another identity's sign-in, not an account of AWS's own.

    A named role session (IAM Identity Center's ``AWSReservedSSO_*`` roles, SAML or OIDC
    federation) and the federation calls themselves have no AWS credential of the person's to
    disable: access ends when the identity provider (or the IAM user that assumed the role)
    removes it.
    """
    kind = identity.get("type")
    if kind in ("SAMLUser", "WebIdentityUser", "IdentityCenterUser"):
        return True
    arn = identity.get("arn")
    if kind != "AssumedRole" or not isinstance(arn, str) or arn.count("/") < 2:
        return False
    return not _MACHINE_SESSION.match(arn.split("/", 2)[2])


def principal_name(identity: Mapping[str, Any] | Identity) -> str | None:
    """Name the person or role behind a CloudTrail ``userIdentity`` (None: AWS services)."""
    kind = identity.get("type")
    raw_arn = identity.get("arn")
    arn: str = raw_arn if isinstance(raw_arn, str) else ""
    if kind == "Root":
        return "root"
    if kind == "AWSService" or identity.get("invokedBy") and not arn:
        return None
    user = identity.get("userName")
    if kind in ("IAMUser", "IdentityCenterUser") and isinstance(user, str):
        return user
    if kind == "AssumedRole" and arn.count("/") >= 2:
        _, role, session = arn.split("/", 2)
        return role if _MACHINE_SESSION.match(session) else session
    if kind == "FederatedUser" and "/" in arn:
        return arn.rsplit("/", 1)[1]
    account = identity.get("accountId")
    if kind == "AWSAccount" and isinstance(account, str):
        return f"account {account}"
    if isinstance(user, str):
        return user
    return arn.rsplit("/", 1)[1] if "/" in arn else None
