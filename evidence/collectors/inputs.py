"""Reading input files as streams: expand paths, decompress, and hash the raw bytes on the way.

Every raw input is hashed as it is read, so a file is read once however large it is, and the
SHA-256 recorded is that of the bytes on disk (compressed or not), which is what an auditor
can check with ``sha256sum``.
"""

from __future__ import annotations

import bz2
import csv
import gc
import gzip
import hashlib
import io
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, cast

from evidence.errors import InputError
from evidence.model.evidence import RawInput

CHUNK = 1 << 20


class HashingReader(io.RawIOBase):
    """A binary file wrapper that feeds every byte read into SHA-256 and counts them."""

    def __init__(self, raw: IO[bytes]) -> None:
        self._raw = raw
        self._hash = hashlib.sha256()
        self.size = 0

    def readable(self) -> bool:
        """Always readable."""
        return True

    def readinto(self, buffer: bytearray | memoryview) -> int:  # type: ignore[override]
        """Read into ``buffer``, hashing what was read."""
        view = memoryview(buffer)
        data = self._raw.read(len(view))
        n = len(data)
        view[:n] = data
        self._hash.update(data)
        self.size += n
        return n

    def drain(self) -> None:
        """Hash the rest of the file (bytes a decompressor or parser never asked for)."""
        while chunk := self._raw.read(CHUNK):
            self._hash.update(chunk)
            self.size += len(chunk)

    def hexdigest(self) -> str:
        """SHA-256 of every byte read so far."""
        return self._hash.hexdigest()

    def close(self) -> None:
        """Close the underlying file."""
        self._raw.close()
        super().close()


class TrackedInput:
    """An open input: its decompressed byte stream, and its raw hash once fully read."""

    def __init__(self, path: Path) -> None:
        self.path = path
        try:
            self._hashing = HashingReader(path.open("rb"))
        except FileNotFoundError:
            raise InputError(path, "file not found") from None
        except IsADirectoryError:
            raise InputError(path, "is a folder, not a file") from None
        except OSError as exc:
            raise InputError(path, f"cannot read: {exc.strerror}") from None
        buffered = io.BufferedReader(self._hashing, buffer_size=CHUNK)
        suffix = path.suffix.lower()
        self.stream: IO[bytes]
        if suffix == ".gz":
            self.stream = cast(IO[bytes], gzip.GzipFile(fileobj=buffered, mode="rb"))
        elif suffix == ".bz2":
            self.stream = bz2.BZ2File(buffered, mode="rb")
        else:
            self.stream = buffered

    def raw_input(self) -> RawInput:
        """The RawInput record: reads the rest of the file so the hash covers all of it."""
        self._hashing.drain()
        return RawInput(location=str(self.path), sha256=self._hashing.hexdigest(), size=self._hashing.size)

    def close(self) -> None:
        """Close the stream and the file."""
        self.stream.close()
        self._hashing.close()


@contextmanager
def open_input(path: Path) -> Iterator[TrackedInput]:
    """Open ``path`` (decompressing .gz and .bz2) for streaming, hashing its raw bytes."""
    tracked = TrackedInput(path)
    try:
        yield tracked
    except (EOFError, OSError, gzip.BadGzipFile) as exc:
        if isinstance(exc, FileNotFoundError):
            raise
        raise InputError(path, f"cannot decompress or read: {exc}") from None
    finally:
        tracked.close()


class TextLines:
    """Numbered text lines of an input (UTF-8, undecodable bytes replaced), plus its RawInput."""

    def __init__(self, tracked: TrackedInput) -> None:
        self._tracked = tracked
        self._text = io.TextIOWrapper(tracked.stream, encoding="utf-8", errors="replace", newline="")

    def __iter__(self) -> Iterator[tuple[int, str]]:
        yield from enumerate(self._text, start=1)

    def raw_input(self) -> RawInput:
        """The RawInput record of the file (hash of all its raw bytes)."""
        return self._tracked.raw_input()


@contextmanager
def open_text(path: Path) -> Iterator[TextLines]:
    """Iterate ``(line_number, line)`` over a possibly compressed text file."""
    with open_input(path) as tracked:
        yield TextLines(tracked)


def csv_rows(lines: Iterable[tuple[int, str]]) -> Iterator[tuple[int, list[str]]]:
    """CSV rows of numbered text lines, each with the number of the line it ends on.

    A quoted field may span lines, so a row's number is that of its last line.
    """
    last = 1

    def text() -> Iterator[str]:
        nonlocal last
        for number, line in lines:
            last = number
            yield line

    for row in csv.reader(text()):
        yield last, row


@contextmanager
def paused_gc() -> Iterator[None]:
    """Pause the cyclic garbage collector while one input file is parsed.

    Parsing a log allocates millions of short-lived, acyclic objects (lines, matches, event
    dicts) that reference counting frees at once; the collections their allocation triggers
    scan the whole heap and cost a third of the parse. Cycles made meanwhile are collected
    once the file is done, so memory stays bounded by one file.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def expand_paths(paths: Iterable[Path], patterns: tuple[str, ...] = ("*",)) -> list[Path]:
    """Files named directly, plus files under named folders matching ``patterns``, sorted.

    A path that does not exist raises InputError naming it; so does a folder with no match.
    """
    found: list[Path] = []
    for path in paths:
        if path.is_file():
            found.append(path)
        elif path.is_dir():
            matches = sorted(
                {p for pattern in patterns for p in path.rglob(pattern) if p.is_file()}
            )
            if not matches:
                raise InputError(path, f"folder holds no files matching {', '.join(patterns)}")
            found.extend(matches)
        elif any(ch in str(path) for ch in "*?["):
            matches = sorted(p for p in Path(path.anchor or ".").glob(str(path).lstrip("/")) if p.is_file())
            if not matches:
                raise InputError(path, "pattern matches no files")
            found.extend(matches)
        else:
            raise InputError(path, "file not found")
    return found
