"""[cloudtrail] AWS CloudTrail: delivery files, one-event-per-line exports and digest files.

Point it at a copy of the trail's S3 prefix (``AWSLogs/<account>/CloudTrail/<region>/yyyy/mm/dd/``
with ``.json.gz`` delivery files, and ``CloudTrail-Digest/`` beside it), at ``.json`` files, at
``aws cloudtrail lookup-events`` output, or at exports with one event per line. Console logins
with and without MFA, root use, who touched the PII buckets and tables, IAM calls that disable
a user, and every event's time (coverage) become the source's facts; digest files, when
present, are checked as CloudTrail's log file integrity validation would (``logging.integrity``).

Many files are parsed by a pool of worker processes, one file at a time each; the results are
merged in file order, so the facts do not depend on the number of workers.
"""

from __future__ import annotations

import multiprocessing
import os
from collections import Counter
from collections.abc import Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Literal

import orjson
from cryptography.hazmat.primitives.asymmetric import rsa
from pydantic import Field, model_validator

from evidence.collectors.inputs import current_limits, open_input, open_regular, paused_gc
from evidence.collectors.logs.base import PII, LogCollector, LogSourceSettings, LogState
from evidence.collectors.logs.cloudtrail.athena import AthenaRunner, AthenaSettings, scan_start
from evidence.collectors.logs.cloudtrail.changes import TRACKED, setting_changes
from evidence.collectors.logs.cloudtrail.digest import (
    SIDECAR,
    Digest,
    check_shape,
    load_public_keys,
    sidecar_metadata,
    validate,
)
from evidence.collectors.logs.cloudtrail.events import (
    FilePart,
    Options,
    parse_bytes,
    parse_file,
    principal_name,
)
from evidence.collectors.logs.cloudtrail.s3 import TrailBucket, TrailObjects, period_days
from evidence.collectors.logs.cloudtrail.sql import Window, queries, replay
from evidence.collectors.logs.coverage import iso
from evidence.collectors.logs.pii import PiiScanner
from evidence.errors import InputError
from evidence.model.evidence import EvidenceItem, ParseStats
from evidence.model.settings_history import CHANGES, day_ranges
from evidence.redact import Redactor, normalise_field

INTEGRITY = "logging.integrity"
#: Setting changes kept in the facts; past this the change log is marked truncated.
MAX_CHANGES = 100_000
#: Below this many bytes of input a pool costs more than it saves (starting a worker process
#: imports the package, about a second on a busy machine).
POOL_MIN_BYTES = 64 * 1024 * 1024


class CloudTrailSettings(LogSourceSettings):
    """CloudTrail files or folders, AWS public keys for digest signatures, and worker processes.

    With ``engine = "athena"`` the events are counted in Amazon Athena (``[sources.athena]``)
    and no file is read.
    """

    paths: list[Path] = Field(default_factory=list)
    public_keys: list[Path] = Field(default_factory=list)
    workers: int | None = Field(default=None, ge=1, le=64)
    engine: Literal["files", "athena"] = "files"
    athena: AthenaSettings | None = None
    #: The trail's S3 bucket, read in place (instead of ``paths``).
    s3: TrailBucket | None = None

    @model_validator(mode="after")
    def _one_place(self) -> CloudTrailSettings:
        if self.engine == "athena" and self.athena is None:
            raise ValueError('engine = "athena" needs [sources.athena] with database and table')
        if self.engine == "files" and not self.paths and self.s3 is None:
            raise ValueError(
                'give the trail\'s files or folders (paths), its bucket ([sources.s3]) or engine = "athena"'
            )
        if self.paths and self.s3 is not None:
            raise ValueError("paths and [sources.s3] are two places: give one per source")
        return self


class CloudTrailCollector(LogCollector[CloudTrailSettings]):
    """Console logins and MFA, root use, PII bucket/table access, IAM disables, digest chains."""

    id = "cloudtrail"
    description = "AWS CloudTrail files and digests: logins, MFA, root use, PII access, integrity"
    produces = (*LogCollector.produces, INTEGRITY, CHANGES)
    default_channel = "cloud"
    patterns = ("*.json", "*.json.gz", "*.jsonl", "*.jsonl.gz", "*.ndjson", "*.ndjson.gz")

    def input_files(self) -> list[Path]:
        """Event and digest files in path order (S3 keys sort by day), sidecars left out."""
        return sorted(p for p in super().input_files() if not p.name.endswith(SIDECAR))

    def source_location(self) -> str:
        """The trail's first path, or the Athena table."""
        athena = self.settings.athena
        if self.settings.engine == "athena" and athena is not None:
            return f"athena://{athena.workgroup}/{athena.database}.{athena.table}"
        if self.settings.s3 is not None:
            return f"s3://{self.settings.s3.bucket}/{self.settings.s3.prefix.strip('/')}"
        return super().source_location()

    def collect(self) -> Iterator[EvidenceItem]:
        """Parse every file (in parallel when there are many), merge in order, validate digests."""
        if self.settings.engine == "athena":
            yield from self._athena()
            return
        if self.settings.s3 is not None:
            yield from self._from_bucket(self.settings.s3)
            return
        files = self.input_files()
        keys = load_public_keys([self.context.resolve(p) for p in self.settings.public_keys])
        before = Counter(self.context.redactor.counts)
        state = LogState.new(self.settings, self.context)
        options = self._options(inner_hashes=any("CloudTrail-Digest" in str(p) for p in files))
        digests: list[Digest] = []
        log_hashes: dict[str, str] = {}
        self._changes: list[tuple[int, dict[str, object], str | None]] = []
        self._failed_changes = 0
        for path, part in zip(files, self._parse(files, options), strict=True):
            self._merge(str(path), part, state, digests, log_hashes, path)
        yield from self.items(state, len(files), before)
        yield self._integrity(digests, log_hashes, keys, state)
        yield self.changes_item(state, self._changes, self._failed_changes)

    def _options(self, *, inner_hashes: bool) -> Options:
        return Options(
            policy=self.settings,
            period=self.context.period,
            as_of=self.context.as_of,
            max_gap_hours=self.settings.max_gap_hours,
            inner_hashes=inner_hashes,
            limits=current_limits(),
        )

    def _from_bucket(self, bucket: TrailBucket) -> Iterator[EvidenceItem]:
        """Stream the period's delivery files from the trail bucket (no local copy), then as files."""
        before = Counter(self.context.redactor.counts)
        state = LogState.new(self.settings, self.context)
        options = self._options(inner_hashes=False)
        self._changes = []
        self._failed_changes = 0
        objects = TrailObjects(bucket)
        try:
            listed = objects.keys(*period_days(self.context.period.start_at, self.context.as_of))
        except InputError as exc:
            for kind in self.produces:
                yield self.failed(kind, self.subject(), str(exc))
            return
        keys = [key for key, _, _ in listed]
        for key, data, raw in objects.stream(keys):
            where = f"s3://{bucket.bucket}/{key}"
            if isinstance(data, InputError) or raw is None:
                state.reject_file(where, 1, data.reason if isinstance(data, InputError) else "not read")
                continue
            with paused_gc():
                part = parse_bytes(data, raw, options, ParseStats(scope=where))
            del data
            self._merge(where, part, state, [], {})
        yield from self.items(state, len(keys), before)
        yield self._unvalidated("digest files are not read from the bucket yet; point paths at a copy to validate them")
        yield self.changes_item(state, self._changes, self._failed_changes)

    def _parse(self, files: list[Path], options: Options) -> Iterable[FilePart]:
        workers = self.settings.workers or min(os.cpu_count() or 1, 4)
        if workers < 2 or sum(p.stat().st_size for p in files) < POOL_MIN_BYTES:
            return (parse_file(path, options) for path in files)
        return _pooled(files, options, workers)

    def _merge(
        self,
        where: str,
        part: FilePart,
        state: LogState,
        digests: list[Digest],
        log_hashes: dict[str, str],
        path: Path | None = None,
    ) -> None:
        state.stats.merge(part.stats)
        if part.rejected:
            state.reject_file(where, part.line, part.rejected)
            return
        state.raw_inputs.append(part.raw)
        if part.digest is not None:
            if path is not None:
                self._digest(path, part, state, digests)
            return
        if part.inner_sha256:
            log_hashes[where.rsplit("/", 1)[-1]] = part.inner_sha256
        assert part.access is not None
        assert part.coverage is not None
        assert part.pii is not None
        state.access.merge(part.access)
        state.coverage.merge(part.coverage)
        state.pii.merge(part.pii)
        self._failed_changes += part.failed_changes
        room = MAX_CHANGES + 1 - len(self._changes)
        self._changes.extend(part.changes[: max(room, 0)])

    def _digest(self, path: Path, part: FilePart, state: LogState, digests: list[Digest]) -> None:
        assert part.digest is not None
        assert part.inner_sha256 is not None
        problem = check_shape(part.digest)
        if problem:
            state.stats.reject(f"{path}:1", problem)
            return
        signature, algorithm = sidecar_metadata(path)
        digests.append(Digest(path, part.digest, part.inner_sha256, signature, algorithm))
        state.stats.keep()

    def _integrity(
        self,
        digests: list[Digest],
        log_hashes: dict[str, str],
        keys: dict[str, rsa.RSAPublicKey],
        state: LogState,
    ) -> EvidenceItem:
        facts = validate(digests, log_hashes, keys, (self.context.period.start_at, self.context.as_of))
        facts["log_files_read"] = len(log_hashes)
        item = self.state_item(INTEGRITY, self._chain(), facts, state)
        # What each digest lists is the SHA-256 of a delivery file's decompressed content: kept
        # beside the hash of the file as delivered, so an auditor can redo both checks.
        item.provenance = {"content_sha256": dict(sorted(log_hashes.items()))}
        return item

    def _athena(self) -> Iterator[EvidenceItem]:
        """Count the facts in Athena (cloudtrail_sql), then build the same items as from files."""
        athena = self.settings.athena
        assert athena is not None
        subject = self.subject()
        before = Counter(self.context.redactor.counts)
        window = Window.of(self.context.period, self.context.as_of, scan_start(athena))
        runner = AthenaRunner(athena)
        try:
            rows = runner.run_all(queries(athena.table, window, self.settings))
        except InputError as exc:
            for kind in self.produces:
                yield self.failed(kind, subject, str(exc), self.source_location())
            return
        counted = replay(rows, self.settings, self.context.period, self.context.as_of, self.settings.max_gap_hours)
        state = LogState(
            access=counted.access,
            coverage=counted.coverage,
            pii=PiiScanner(list(self.settings.name_fields)),
            stats=ParseStats(scope=self.context.source),
        )
        state.stats.keep(counted.events)
        state.raw_inputs = [e.raw_input(athena.workgroup) for e in runner.executions]
        for item in self.items(state, len(runner.executions), before):
            if item.kind == PII:
                yield self.failed(
                    PII,
                    subject,
                    "the athena engine reads back counts only, so request parameters "
                    'were not scanned for PII (use engine = "files" for that)',
                    self.source_location(),
                )
            else:
                yield item
        yield self._unvalidated("digest files are checked against delivery files; the athena engine reads none")
        yield self.changes_item(state, counted.changes, counted.failed_changes)

    def _chain(self) -> str:
        """The subject of the ``logging.integrity`` item."""
        return f"CloudTrail digest chain of source {self.context.source}"

    def _unvalidated(self, reason: str) -> EvidenceItem:
        """The ``logging.integrity`` item when the digest chain could not be checked, saying why."""
        return self.failed(INTEGRITY, self._chain(), reason, self.source_location())

    def changes_item(
        self, state: LogState, raw: list[tuple[int, dict[str, object], str | None]], failed: int
    ) -> EvidenceItem:
        """The ``settings.changes`` item: tracked setting changes and the days the log is complete."""
        who = self.context.redactor.principal
        changes: list[dict[str, object]] = []
        for ts, event, name in sorted(raw[:MAX_CHANGES], key=lambda c: (c[0], str(c[1].get("eventID")))):
            if ts > int(self.context.as_of.timestamp()):
                continue
            principal = who(name) if name else None
            found = setting_changes(event, iso(ts) or "", principal, self.context.redactor)
            changes.extend(c.model_dump(mode="json") for c in found)
        complete = state.coverage.complete_days()
        facts = {
            "source_type": self.source_type,
            "window_start": iso(state.coverage.window_start),
            "window_end": iso(state.coverage.window_end),
            "max_gap_hours": state.coverage.max_gap_hours,
            "complete_days": day_ranges(complete),
            "days_complete_in_period": sum(1 for d in complete if d >= str(self.context.period.start)),
            "tracked_events": sorted(TRACKED),
            "changes": changes,
            "changes_total": len(changes),
            "failed_changes": failed,
            "truncated": len(raw) > MAX_CHANGES,
        }
        return self.state_item(
            CHANGES, f"setting changes in the CloudTrail logs of source {self.context.source}", facts, state
        )

    def redacted_file(self, path: Path) -> Iterator[bytes]:
        """Copy the file with principals and addresses pseudonymised, request PII redacted."""
        if "CloudTrail-Digest" in path.parts:
            return _verbatim(path)  # digests hold keys and hashes, nothing about people
        return _redacted(path, self.context.redactor, list(self.settings.name_fields))


def _verbatim(path: Path) -> Iterator[bytes]:
    """A digest file as CloudTrail delivered it (its hash is the original's; signature intact)."""
    with open_regular(path) as handle:
        while chunk := handle.read(1 << 20):
            yield chunk


def _pooled(files: list[Path], options: Options, workers: int) -> Iterator[FilePart]:
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(workers, mp_context=context, initializer=_init, initargs=(options,)) as pool:
        yield from pool.map(_parse_in_worker, files, chunksize=4)


_OPTIONS: Options | None = None


def _init(options: Options) -> None:
    global _OPTIONS
    _OPTIONS = options


def _parse_in_worker(path: Path) -> FilePart:
    assert _OPTIONS is not None
    return parse_file(path, _OPTIONS)


def redact_record(record: object, redactor: Redactor, name_fields: list[str]) -> object:
    """One event with its principal, addresses and request PII replaced (for stored copies).

    An event inside a log platform's export (``_source``, ``result._raw``, ``_raw``) is redacted
    as an event; the wrapping's other fields are scrubbed.
    """
    if not isinstance(record, dict):
        return redactor.scrub_data(record)
    for wrapper in ("_source", "result"):
        inner = record.get(wrapper)
        if isinstance(inner, dict) and (wrapper == "_source" or isinstance(inner.get("_raw"), str)):
            rest = {k: redactor.scrub_data(v, k) for k, v in record.items() if k != wrapper}
            return {**rest, wrapper: redact_record(inner, redactor, name_fields)}
    if isinstance(record.get("_raw"), str):
        rest = {k: redactor.scrub_data(v, k) for k, v in record.items() if k != "_raw"}
        try:
            event = redact_record(orjson.loads(record["_raw"]), redactor, name_fields)
            return {**rest, "_raw": orjson.dumps(event).decode()}
        except orjson.JSONDecodeError:
            return {**rest, "_raw": redactor.scrub(record["_raw"])}
    identity = record.get("userIdentity")
    name = principal_name(identity) if isinstance(identity, dict) else None
    out: dict[str, object] = {}
    pii = {normalise_field(f) for f in name_fields}
    for key, value in record.items():
        if key == "userIdentity" and isinstance(value, dict):
            kept = {k: v for k, v in value.items() if k in ("type", "accountId", "invokedBy")}
            out[key] = {**kept, "principal": redactor.principal(name)} if name else kept
        elif key == "sourceIPAddress" and isinstance(value, str):
            out[key] = redactor.address(value) if value[:1].isdigit() or ":" in value else value
        elif key in ("requestParameters", "responseElements", "additionalEventData"):
            out[key] = _drop_fields(redactor.scrub_data(value), pii, redactor)
        else:
            out[key] = redactor.scrub_data(value, key)
    return out


def _drop_fields(value: object, names: set[str], redactor: Redactor) -> object:
    if isinstance(value, dict):
        return {
            k: "[REDACTED PII]"
            if normalise_field(k) in names and v not in (None, "")
            else _drop_fields(v, names, redactor)
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [_drop_fields(v, names, redactor) for v in value]
    return value


def _redacted(path: Path, redactor: Redactor, name_fields: list[str]) -> Iterator[bytes]:
    with open_input(path) as tracked:  # a file too large to hold whole is not copied (InputError)
        data = tracked.stream.read()
    try:
        document = orjson.loads(data)
    except orjson.JSONDecodeError:
        for line in data.splitlines(keepends=True):
            try:
                yield orjson.dumps(redact_record(orjson.loads(line), redactor, name_fields)) + b"\n"
            except orjson.JSONDecodeError:
                yield redactor.scrub(line.decode("utf-8", "replace")).encode("utf-8")
        return
    if isinstance(document, dict) and "digestStartTime" in document:
        yield data  # digests hold bucket keys and hashes, nothing about people
    elif isinstance(document, dict) and isinstance(document.get("Records"), list):
        records = [redact_record(r, redactor, name_fields) for r in document["Records"]]
        yield orjson.dumps(
            {
                **redactor.scrub_data({k: v for k, v in document.items() if k != "Records"}),
                "Records": records,
            }
        )
    elif isinstance(document, dict) and isinstance(document.get("Events"), list):
        yield orjson.dumps({"Events": [_redact_lookup(e, redactor, name_fields) for e in document["Events"]]})
    elif isinstance(document, list):
        yield orjson.dumps([redact_record(r, redactor, name_fields) for r in document])
    elif isinstance(document, dict) and isinstance(document.get("hits"), dict):
        hits = document["hits"]
        listed = [redact_record(r, redactor, name_fields) for r in hits.get("hits") or []]
        rest = {k: redactor.scrub_data(v, k) for k, v in document.items() if k != "hits"}
        yield orjson.dumps(
            {**rest, "hits": {**redactor.scrub_data({k: v for k, v in hits.items() if k != "hits"}), "hits": listed}}
        )
    elif isinstance(document, dict) and isinstance(document.get("results"), list):
        listed = [redact_record(r, redactor, name_fields) for r in document["results"]]
        rest = {k: redactor.scrub_data(v, k) for k, v in document.items() if k != "results"}
        yield orjson.dumps({**rest, "results": listed})
    else:
        yield orjson.dumps(redact_record(document, redactor, name_fields))


def _redact_lookup(entry: object, redactor: Redactor, name_fields: list[str]) -> object:
    """One entry of `aws cloudtrail lookup-events` output, its embedded event redacted too."""
    if not isinstance(entry, dict):
        return redactor.scrub_data(entry)
    out = {k: redactor.scrub_data(v, k) for k, v in entry.items() if k not in ("Username", "CloudTrailEvent")}
    if isinstance(entry.get("Username"), str):
        out["Username"] = redactor.principal(entry["Username"])
    if isinstance(entry.get("CloudTrailEvent"), str):
        try:
            event = redact_record(orjson.loads(entry["CloudTrailEvent"]), redactor, name_fields)
            out["CloudTrailEvent"] = orjson.dumps(event).decode()
        except orjson.JSONDecodeError:
            out["CloudTrailEvent"] = "[REDACTED: malformed event]"
    return out
