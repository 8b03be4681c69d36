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

import orjson
from cryptography.hazmat.primitives.asymmetric import rsa
from pydantic import Field

from evidence.collectors.cloudtrail_digest import (
    SIDECAR,
    Digest,
    check_shape,
    load_public_keys,
    sidecar_metadata,
    validate,
)
from evidence.collectors.cloudtrail_events import (
    FilePart,
    Options,
    parse_file,
    principal_name,
)
from evidence.collectors.inputs import current_limits, open_input
from evidence.collectors.log_source import LogCollector, LogSourceSettings, LogState
from evidence.model.evidence import EvidenceItem, RawInput
from evidence.redact import Redactor, normalise_field

INTEGRITY = "logging.integrity"
#: Below this many bytes of input a pool costs more than it saves (starting a worker process
#: imports the package, about a second on a busy machine).
POOL_MIN_BYTES = 64 * 1024 * 1024


class CloudTrailSettings(LogSourceSettings):
    """CloudTrail files or folders, AWS public keys for digest signatures, and worker processes."""

    public_keys: list[Path] = Field(default_factory=list)
    workers: int | None = Field(default=None, ge=1, le=64)


class CloudTrailCollector(LogCollector[CloudTrailSettings]):
    """Console logins and MFA, root use, PII bucket/table access, IAM disables, digest chains."""

    id = "cloudtrail"
    description = "AWS CloudTrail files and digests: logins, MFA, root use, PII access, integrity"
    produces = (*LogCollector.produces, INTEGRITY)
    source_type = "cloudtrail"
    default_channel = "cloud"
    patterns = ("*.json", "*.json.gz", "*.jsonl", "*.jsonl.gz", "*.ndjson", "*.ndjson.gz")

    def input_files(self) -> list[Path]:
        """Event and digest files in path order (S3 keys sort by day), sidecars left out."""
        return sorted(p for p in super().input_files() if not p.name.endswith(SIDECAR))

    def collect(self) -> Iterator[EvidenceItem]:
        """Parse every file (in parallel when there are many), merge in order, validate digests."""
        files = self.input_files()
        keys = load_public_keys([self.context.resolve(p) for p in self.settings.public_keys])
        before = Counter(self.context.redactor.counts)
        state = LogState.new(self.settings, self.context)
        options = Options(
            policy=self.settings,
            period=self.context.period,
            as_of=self.context.as_of,
            max_gap_hours=self.settings.max_gap_hours,
            inner_hashes=any("CloudTrail-Digest" in str(p) for p in files),
            limits=current_limits(),
        )
        digests: list[Digest] = []
        log_hashes: dict[str, str] = {}
        for path, part in zip(files, self._parse(files, options), strict=True):
            self._merge(path, part, state, digests, log_hashes)
        yield from self.items(state, len(files), before)
        yield self._integrity(digests, log_hashes, keys, state)

    def _parse(self, files: list[Path], options: Options) -> Iterable[FilePart]:
        workers = self.settings.workers or min(os.cpu_count() or 1, 4)
        if workers < 2 or sum(p.stat().st_size for p in files) < POOL_MIN_BYTES:
            return (parse_file(path, options) for path in files)
        return _pooled(files, options, workers)

    def _merge(
        self,
        path: Path,
        part: FilePart,
        state: LogState,
        digests: list[Digest],
        log_hashes: dict[str, str],
    ) -> None:
        state.stats.merge(part.stats)
        if part.rejected:
            state.files_rejected += 1
            state.stats.reject(f"{path}:{part.line or 1}", part.rejected)
            return
        state.raw_inputs.append(part.raw)
        if part.digest is not None:
            self._digest(path, part, state, digests)
            return
        if part.inner_sha256:
            log_hashes[path.name] = part.inner_sha256
        assert part.access is not None
        assert part.coverage is not None
        assert part.pii is not None
        state.access.merge(part.access)
        state.coverage.merge(part.coverage)
        state.pii.merge(part.pii)

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
        facts = validate(
            digests, log_hashes, keys, (self.context.period.start_at, self.context.as_of)
        )
        facts["log_files_read"] = len(log_hashes)
        return self.item(
            INTEGRITY,
            f"CloudTrail digest chain of source {self.context.source}",
            facts,
            stats=state.stats.model_copy(deep=True),
            raw_inputs=[r.model_copy() for r in state.raw_inputs],
            location=str(self.context.resolve(self.settings.paths[0])),
        )

    def read_file(
        self, path: Path, state: LogState
    ) -> RawInput:  # pragma: no cover - collect() overrides
        """Not used: :meth:`collect` parses files through :func:`parse_file`."""
        raise NotImplementedError

    def redacted_copy(self, location: str) -> Iterator[bytes] | None:
        """Copy the file with principals and addresses pseudonymised, request PII redacted."""
        path = Path(location)
        if not path.is_file():
            return None
        return _redacted(path, self.context.redactor, list(self.settings.name_fields))


def _pooled(files: list[Path], options: Options, workers: int) -> Iterator[FilePart]:
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(
        workers, mp_context=context, initializer=_init, initargs=(options,)
    ) as pool:
        yield from pool.map(_parse_in_worker, files, chunksize=4)


_OPTIONS: Options | None = None


def _init(options: Options) -> None:
    global _OPTIONS
    _OPTIONS = options


def _parse_in_worker(path: Path) -> FilePart:
    assert _OPTIONS is not None
    return parse_file(path, _OPTIONS)


def redact_record(record: object, redactor: Redactor, name_fields: list[str]) -> object:
    """One event with its principal, addresses and request PII replaced (for stored copies)."""
    if not isinstance(record, dict):
        return redactor.scrub_data(record)
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
        yield orjson.dumps(
            {"Events": [_redact_lookup(e, redactor, name_fields) for e in document["Events"]]}
        )
    elif isinstance(document, list):
        yield orjson.dumps([redact_record(r, redactor, name_fields) for r in document])
    else:
        yield orjson.dumps(redact_record(document, redactor, name_fields))


def _redact_lookup(entry: object, redactor: Redactor, name_fields: list[str]) -> object:
    """One entry of `aws cloudtrail lookup-events` output, its embedded event redacted too."""
    if not isinstance(entry, dict):
        return redactor.scrub_data(entry)
    out = {
        k: redactor.scrub_data(v, k)
        for k, v in entry.items()
        if k not in ("Username", "CloudTrailEvent")
    }
    if isinstance(entry.get("Username"), str):
        out["Username"] = redactor.principal(entry["Username"])
    if isinstance(entry.get("CloudTrailEvent"), str):
        try:
            event = redact_record(orjson.loads(entry["CloudTrailEvent"]), redactor, name_fields)
            out["CloudTrailEvent"] = orjson.dumps(event).decode()
        except orjson.JSONDecodeError:
            out["CloudTrailEvent"] = "[REDACTED: malformed event]"
    return out
