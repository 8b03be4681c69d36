"""The shared base of the log collectors: file opening and rejects, the source type, no stubs."""

from __future__ import annotations

import inspect
from pathlib import Path

import pytest
from log_builders import Collect

from evidence.collectors import registry
from evidence.collectors.logs.base import FileLogCollector, LineLogCollector, LogCollector
from evidence.collectors.logs.cloudtrail.collector import CloudTrailCollector

LINE_COLLECTORS = ("access-log", "auth-log", "postgres-log", "app-audit-log")


def log_collectors() -> dict[str, type[LogCollector]]:  # type: ignore[type-arg]
    return {cid: cls for cid, cls in registry.available().items() if issubclass(cls, LogCollector)}


def test_every_log_collector_is_found_by_the_registry() -> None:
    found = log_collectors()
    assert {*LINE_COLLECTORS, "cloudtrail", "okta-log", "entra-log"} <= set(found)
    for cid in LINE_COLLECTORS:
        assert issubclass(found[cid], LineLogCollector), cid


def test_the_source_type_is_the_collector_id_and_no_collector_sets_it() -> None:
    for cid, cls in log_collectors().items():
        assert not any("source_type" in vars(klass) for klass in cls.__mro__ if klass is not LogCollector), cid
        assert cls.source_type.fget(cls.__new__(cls)) == cid  # type: ignore[attr-defined]


def test_cloudtrail_has_no_read_file_to_stub() -> None:
    assert not issubclass(CloudTrailCollector, FileLogCollector)
    assert not hasattr(CloudTrailCollector, "read_file")
    assert not inspect.isabstract(CloudTrailCollector)


@pytest.mark.parametrize("cid", LINE_COLLECTORS)
def test_a_file_that_cannot_be_opened_is_rejected_as_file_line_and_the_others_are_kept(
    collect: Collect, tmp_path: Path, cid: str
) -> None:
    logs = tmp_path / "logs"
    logs.mkdir()
    (logs / "current.log").write_text("", encoding="utf-8")
    broken = logs / "old.log.1.gz"
    broken.write_bytes(b"\x1f\x8b\x08\x00not really gzip at all")
    items = collect(cid, {"paths": ["logs"]})
    coverage = items["logging.coverage"]
    assert coverage.error is None
    assert (coverage.facts["files"], coverage.facts["files_read"], coverage.facts["files_rejected"]) == (2, 1, 1)
    (reject,) = coverage.stats.rejects
    assert reject.location.startswith(f"{broken}:")
    assert reject.reason
    assert [r.location for r in coverage.raw_inputs] == [str(logs / "current.log")]
