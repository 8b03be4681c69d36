"""Inputs cannot run away: bombs, endless lines, FIFOs, devices, symlink loops, quadratic parses.

Each probe runs on real files with the real collectors and must be refused in seconds, under
300 MB (measured with tracemalloc around the probe), naming the file, the line and the cause.
Where a default limit would need hundreds of megabytes of input to reach, the test configures a
small limit; the bz2 bomb, the CloudTrail gzip bomb and the FIFO use the default limits.
"""

from __future__ import annotations

import bz2
import gzip
import os
import re
import time
import tracemalloc
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import orjson
import pytest

from evidence.collectors.host_config.collector import HostConfigCollector
from evidence.collectors.inputs import input_limits, open_input, open_text
from evidence.collectors.logs.cloudtrail.collector import CloudTrailCollector
from evidence.collectors.logs.cloudtrail.events import Options, parse_file
from evidence.errors import InputError
from evidence.model.access import AccessPolicy
from evidence.model.evidence import EvidenceItem
from evidence.model.limits import InputLimits
from evidence.model.period import parse_period
from tests.collector_testing import collector_context

LIMIT_MB = 300


@contextmanager
def bounded() -> Iterator[None]:
    """The block must finish in seconds and allocate under LIMIT_MB at its peak."""
    tracemalloc.start()
    started = time.monotonic()
    try:
        yield
    finally:
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        elapsed = time.monotonic() - started
    assert peak < LIMIT_MB * 1024 * 1024, f"peak {peak / 1e6:.0f} MB"
    assert elapsed < 20, f"took {elapsed:.1f} s"


def bz2_bomb(path: Path, mib: int) -> Path:
    compressor = bz2.BZ2Compressor(9)
    chunk = b"A" * (1 << 20)
    with path.open("wb") as out:
        for _ in range(mib):
            out.write(compressor.compress(chunk))
        out.write(compressor.flush())
    return path


def gzip_bomb(path: Path, mib: int, head: bytes = b"") -> Path:
    with gzip.open(path, "wb", compresslevel=9) as out:
        out.write(head)
        zeros = b" " * (1 << 20)
        for _ in range(mib):
            out.write(zeros)
    return path


def cloudtrail_items(tmp_path: Path, files: list[Path], limits: InputLimits | None = None) -> list[EvidenceItem]:
    settings = CloudTrailCollector.settings_model().model_validate(
        {"paths": [str(p) for p in files], "workers": 1}
    )
    collector = CloudTrailCollector(settings, collector_context(tmp_path))  # type: ignore[arg-type]
    with input_limits(limits or InputLimits()):
        return list(collector.collect())


def rejects(items: list[EvidenceItem]) -> list[str]:
    return [f"{r.location}: {r.reason}" for item in items for r in item.stats.rejects]


def test_a_bz2_bomb_without_newlines_is_refused_at_the_default_line_limit(tmp_path: Path) -> None:
    bomb = bz2_bomb(tmp_path / "access.log.bz2", 256)  # 256 MiB of one line, under 1 KB on disk
    assert bomb.stat().st_size < 4096
    with bounded(), pytest.raises(InputError) as caught, open_text(bomb) as lines:
        for _ in lines:
            pass
    assert caught.value.location == f"{bomb}:1"
    assert "line is longer than 1,048,576 characters (limits.max_line_chars)" in str(caught.value)


def test_a_gzip_cloudtrail_bomb_is_refused_at_the_default_document_limit(tmp_path: Path) -> None:
    bomb = gzip_bomb(tmp_path / "111122223333_CloudTrail_eu-west-1_bomb.json.gz", 96, b'{"Records": [')
    with bounded():
        items = cloudtrail_items(tmp_path, [bomb])
    found = rejects(items)
    assert any(f"{bomb}:1" in r and "line is longer than" in r for r in found), found


def test_a_gzip_trailer_that_lies_about_its_size_does_not_fool_the_reader(tmp_path: Path) -> None:
    bomb = gzip_bomb(tmp_path / "CloudTrail_liar.json.gz", 96, b'{"Records": [')
    data = bytearray(bomb.read_bytes())
    data[-4:] = (100).to_bytes(4, "little")  # claims to inflate to 100 bytes
    bomb.write_bytes(bytes(data))
    options = Options(AccessPolicy(), parse_period("2026-Q3"), parse_period("2026-Q3").end_at, 24, False)
    with bounded():
        part = parse_file(bomb, options)
    assert part.rejected is not None and "longer than" in part.rejected


def test_a_long_line_is_rejected_with_its_file_and_line(tmp_path: Path) -> None:
    log = tmp_path / "events.jsonl"
    good = orjson.dumps({"eventTime": "2026-07-01T00:00:00Z", "eventName": "GetObject"})
    log.write_bytes(good + b"\n" + good + b"\n" + b'{"pad": "' + b"x" * 300_000 + b'"}\n')
    limits = InputLimits(max_line_chars=100_000, max_document_bytes=1024)
    with bounded():
        items = cloudtrail_items(tmp_path, [log], limits)
    assert any(f"{log}:3" in r and "longer than 100,000 characters" in r for r in rejects(items)), rejects(items)


def test_a_document_over_the_limit_is_refused_naming_the_setting(tmp_path: Path) -> None:
    big = tmp_path / "state.json"
    big.write_bytes(b'{"a": "' + b"x" * 50_000 + b'"}')
    with input_limits(InputLimits(max_document_bytes=10_000)), bounded(), pytest.raises(InputError) as caught:
        with open_input(big) as tracked:
            tracked.stream.read()
    assert "larger than 10,000 bytes" in str(caught.value)
    assert "limits.max_document_bytes" in str(caught.value)


def test_decompressed_size_is_bounded_while_streaming(tmp_path: Path) -> None:
    lines = tmp_path / "many.log.gz"
    with gzip.open(lines, "wb") as out:
        out.write(b"line\n" * 400_000)
    expected = r"inflates to more than 1,000,000 bytes \(limits.max_decompressed_bytes\)"
    with input_limits(InputLimits(max_decompressed_bytes=1_000_000)), bounded():
        with pytest.raises(InputError, match=expected):
            read_all(lines)


def read_all(path: Path) -> None:
    with open_text(path) as reader:
        for _ in reader:
            pass


@pytest.mark.parametrize("kind", ["fifo", "device"])
def test_a_fifo_or_a_device_named_as_input_is_refused_at_once(tmp_path: Path, kind: str) -> None:
    if kind == "fifo":
        special = tmp_path / "access.log"
        os.mkfifo(special)
        expected = "is a FIFO (named pipe), not a regular file"
    else:
        special = Path("/dev/zero")
        expected = "is a character device, not a regular file"
    # The pipeline turns this error into failed items of the source (the run goes on).
    with bounded(), pytest.raises(InputError, match=re.escape(expected)) as caught:
        cloudtrail_items(tmp_path, [special])
    assert caught.value.path == str(special)
    with bounded(), pytest.raises(InputError, match=re.escape(expected)):
        with open_input(special):
            pass


def test_a_symlink_loop_in_a_host_config_folder_is_an_input_error(tmp_path: Path) -> None:
    folder = tmp_path / "etc"
    folder.mkdir()
    (folder / "sshd_config").write_text("PermitRootLogin no\n", encoding="utf-8")
    (folder / "loop").symlink_to(folder / "loop")
    settings = HostConfigCollector.settings_model().model_validate({"sshd": ["etc/loop"]})
    collector = HostConfigCollector(settings, collector_context(tmp_path))  # type: ignore[arg-type]
    # An input error (exit 2 for `inspect`; the source's items fail in a run), never a crash.
    with bounded(), pytest.raises(InputError, match="symlink loop: the link points back to itself") as caught:
        list(collector.collect())
    assert caught.value.path.endswith("etc/loop")


def pretty_rejected_records(path: Path, count: int) -> Path:
    records = [{"eventName": "GetObject", "eventTime": None, "n": i} for i in range(count)]
    path.write_bytes(orjson.dumps({"Records": records}, option=orjson.OPT_INDENT_2))
    return path


def timed(run: Callable[[], Any]) -> float:
    started = time.perf_counter()
    run()
    return time.perf_counter() - started


def test_cloudtrail_files_of_rejected_records_parse_in_linear_time(tmp_path: Path) -> None:
    small = pretty_rejected_records(tmp_path / "small.json", 4_000)
    large = pretty_rejected_records(tmp_path / "large.json", 32_000)  # about 3 MB, 8 times the records
    options = Options(AccessPolicy(), parse_period("2026-Q3"), parse_period("2026-Q3").end_at, 24, False)
    timed(lambda: parse_file(small, options))  # warm up
    with bounded():
        part = parse_file(large, options)
    assert part.stats.rejected == 32_000
    assert part.stats.rejects[1].location == f"{large}:8"  # each record's own line, found in one pass
    ratio = timed(lambda: parse_file(large, options)) / timed(lambda: parse_file(small, options))
    assert ratio < 20, f"8x the records took {ratio:.1f}x the time (quadratic would be 64x)"


def test_a_register_entry_cannot_pull_a_file_from_outside_the_config_folder(tmp_path: Path) -> None:
    from evidence.collectors.documents import DocumentsCollector

    (tmp_path / "docs").mkdir()
    register = tmp_path / "docs" / "register.toml"
    register.write_text(
        '[[document]]\nfile = "../../../../../../etc/shadow"\ntype = "incident-register"\n'
        'title = "IR"\nowner = "Security"\ndate = 2026-07-01\n',
        encoding="utf-8",
    )
    settings = DocumentsCollector.settings_model().model_validate({"registers": ["docs/register.toml"]})
    items = list(DocumentsCollector(settings, collector_context(tmp_path)).collect())  # type: ignore[arg-type]
    assert all(not i.raw_inputs for i in items)
    assert any("leads outside the config's folder" in (i.error or "") for i in items), [i.error for i in items]
    with pytest.raises(InputError, match="leads outside the config's folder"):
        collector_context(tmp_path).resolve("../elsewhere/access.log")
    assert collector_context(tmp_path).resolve("/var/log/access.log") == Path("/var/log/access.log")


def test_streamed_lines_come_whole_and_a_line_over_the_document_limit_is_refused(tmp_path: Path) -> None:
    # Iterating an input's byte stream reads whole lines through the buffered reader (it once
    # fell back to one byte per read); a line longer than max_document_bytes is refused.
    log = tmp_path / "events.jsonl.gz"
    with gzip.open(log, "wb") as out:
        out.write(b'{"n": 1}\n{"n": 2}\n{"n": 3}')
    with open_input(log) as tracked:
        assert list(tracked.stream) == [b'{"n": 1}\n', b'{"n": 2}\n', b'{"n": 3}']
        assert tracked.stream.consumed == 26
    long = tmp_path / "long.jsonl"
    long.write_bytes(b'{"n": 1}\n' + b"x" * 5000 + b"\n")
    with input_limits(InputLimits(max_document_bytes=1024)), bounded(), open_input(long) as tracked:
        assert tracked.stream.readline() == b'{"n": 1}\n'
        with pytest.raises(InputError, match=r"line longer than 1,024 bytes.*limits.max_document_bytes"):
            tracked.stream.readline()
