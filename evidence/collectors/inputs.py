"""Reading input files as streams: expand paths, decompress, and hash the raw bytes on the way.

Every raw input is hashed as it is read, so a file is read once however large it is, and the
SHA-256 recorded is that of the bytes on disk (compressed or not), which is what an auditor
can check with ``sha256sum``.
"""

from __future__ import annotations

import bz2
import csv
import errno
import fcntl
import gc
import gzip
import hashlib
import io
import os
import stat
import zlib
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path
from typing import IO, cast

from evidence.errors import InputError
from evidence.model.evidence import ParseStats, RawInput
from evidence.model.limits import DEFAULT_LIMITS, InputLimits
from evidence.redact import normalise_field

CHUNK = 1 << 20

_LIMITS: ContextVar[InputLimits] = ContextVar("input_limits", default=DEFAULT_LIMITS)


def current_limits() -> InputLimits:
    """The limits inputs are read under (the config's ``[limits]`` during a run)."""
    return _LIMITS.get()


@contextmanager
def input_limits(limits: InputLimits) -> Iterator[None]:
    """Read every input opened in this block under ``limits``."""
    token = _LIMITS.set(limits)
    try:
        yield
    finally:
        _LIMITS.reset(token)


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


class BoundedStream(io.BufferedIOBase):
    """A decompressed input stream that refuses to inflate past the limits.

    Streaming reads stop at ``max_decompressed_bytes``; a whole read (``read()`` without a size)
    stops at ``max_document_bytes``, so a document is never held larger than that. Either
    raises InputError naming the file and the setting to raise.
    """

    def __init__(self, inner: IO[bytes], path: Path, limits: InputLimits) -> None:
        self._inner = inner
        self._path = path
        self._limits = limits
        self.consumed = 0

    def readable(self) -> bool:
        """Always readable."""
        return True

    def _count(self, data: bytes) -> bytes:
        self.consumed += len(data)
        if self.consumed > self._limits.max_decompressed_bytes:
            raise InputError(
                self._path,
                f"inflates to more than {self._limits.max_decompressed_bytes:,} bytes "
                "(limits.max_decompressed_bytes)",
            )
        return data

    def read(self, size: int | None = -1) -> bytes:
        """Read ``size`` bytes, or the whole rest up to ``max_document_bytes``."""
        if size is None or size < 0:
            cap = self._limits.max_document_bytes
            data = self._inner.read(cap + 1)
            if len(data) > cap:
                raise InputError(
                    self._path,
                    f"is larger than {cap:,} bytes, too large to read as one document "
                    "(limits.max_document_bytes)",
                )
            return self._count(data)
        return self._count(self._inner.read(size))

    def read1(self, size: int = -1) -> bytes:
        """Read at most ``size`` bytes with at most one call to the underlying stream."""
        reader = getattr(self._inner, "read1", None)
        if size < 0:
            size = CHUNK
        return self._count(reader(size) if reader is not None else self._inner.read(size))

    def readline(self, size: int | None = -1) -> bytes:
        """One line, read by the inner stream's own (buffered) readline.

        Without this, iterating the stream fell back to ``IOBase.readline``, which reads one
        byte per call: a million-event JSON-lines export took minutes instead of seconds. A
        line without a size is held at most ``max_document_bytes`` long (a one-line JSON
        document is a document); a longer one raises InputError naming the setting.
        """
        if size is not None and size >= 0:
            return self._count(self._inner.readline(size))
        cap = self._limits.max_document_bytes
        line = self._inner.readline(cap + 1)
        if len(line) > cap and not line.endswith(b"\n"):
            raise InputError(
                self._path,
                f"has a line longer than {cap:,} bytes, too large to read as one document "
                "(limits.max_document_bytes)",
            )
        return self._count(line)

    def readinto(self, buffer: bytearray | memoryview) -> int:  # type: ignore[override]
        """Read into ``buffer``."""
        data = self.read1(len(buffer))
        memoryview(buffer)[: len(data)] = data
        return len(data)

    def close(self) -> None:
        """Close the inner stream."""
        self._inner.close()
        super().close()


_KINDS = (
    (stat.S_ISFIFO, "a FIFO (named pipe)"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
    (stat.S_ISDIR, "a folder"),
)


def open_regular(path: Path) -> IO[bytes]:
    """Open ``path`` for reading only if it is a regular file (after following links).

    A FIFO would block the run forever and a device never ends, so both are refused before a
    byte is read: the file is opened non-blocking, checked, then switched back to blocking.
    """
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    except FileNotFoundError:
        raise InputError(path, "file not found") from None
    except IsADirectoryError:
        raise InputError(path, "is a folder, not a file") from None
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise InputError(path, "symlink loop: the link points back to itself") from None
        if exc.errno == errno.ENXIO:  # a socket or a FIFO opened without a writer
            raise InputError(path, f"is {special_kind(path) or 'not a regular file'}, not a file") from None
        raise InputError(path, f"cannot read: {exc.strerror}") from None
    mode = os.fstat(fd).st_mode
    if not stat.S_ISREG(mode):
        os.close(fd)
        kind = next((name for test, name in _KINDS if test(mode)), "not a regular file")
        raise InputError(path, f"is {kind}, not a regular file; refusing to read it")
    flags = fcntl.fcntl(fd, fcntl.F_GETFL)
    fcntl.fcntl(fd, fcntl.F_SETFL, flags & ~os.O_NONBLOCK)
    return os.fdopen(fd, "rb", buffering=0)


def special_kind(path: Path) -> str | None:
    """What ``path`` is when it is neither a regular file nor a folder (None otherwise or if absent)."""
    try:
        mode = os.stat(path).st_mode
    except OSError:
        return None
    return next((name for test, name in _KINDS[:-1] if test(mode)), None)


class TrackedInput:
    """An open input: its decompressed byte stream, and its raw hash once fully read."""

    def __init__(self, path: Path, limits: InputLimits | None = None) -> None:
        self.path = path
        self.limits = limits or current_limits()
        self._hashing = HashingReader(open_regular(path))
        buffered = io.BufferedReader(self._hashing, buffer_size=CHUNK)
        suffix = path.suffix.lower()
        inner: IO[bytes]
        if suffix == ".gz":
            inner = cast(IO[bytes], gzip.GzipFile(fileobj=buffered, mode="rb"))
        elif suffix == ".bz2":
            inner = bz2.BZ2File(buffered, mode="rb")
        else:
            inner = buffered
        self.stream: IO[bytes] = cast(IO[bytes], BoundedStream(inner, path, self.limits))

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
    except (EOFError, OSError, gzip.BadGzipFile, zlib.error) as exc:  # zlib: a corrupt deflate stream
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
        # readline(limit) holds at most one bounded line: a file that is one endless line
        # (a bomb, a binary file) is refused at the limit instead of filling memory.
        limit = self._tracked.limits.max_line_chars
        readline = self._text.readline
        number = 0
        while line := readline(limit + 1):
            number += 1
            if len(line) > limit and not line.endswith(("\n", "\r")):
                raise InputError(
                    self._tracked.path,
                    f"line is longer than {limit:,} characters (limits.max_line_chars)",
                    line=number,
                )
            yield number, line

    def raw_input(self) -> RawInput:
        """The RawInput record of the file (hash of all its raw bytes)."""
        return self._tracked.raw_input()


class FileRejected(Exception):
    """A file a collector cannot use (raised and caught inside it); ``line`` is where, when known."""

    def __init__(self, reason: str, line: int | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.line = line


def column_roles(header: Iterable[str], aliases: Mapping[str, Iterable[str]]) -> dict[str, str]:
    """Map each role (``received``, ``job``...) to the first header name that is one of its aliases.

    Names are compared normalised (case, spaces and punctuation ignored), as people write headers.
    """
    found: dict[str, str] = {}
    for name in header:
        key = normalise_field(name)
        for role, names in aliases.items():
            if role not in found and key in names:
                found[role] = name
    return found


def header_records(
    rows: Iterable[tuple[int, list[str]]], header: list[str], path: Path | str, stats: ParseStats
) -> Iterator[tuple[str, dict[str, str]]]:
    """Each non-blank CSV row as a record keyed by the header, with its ``file:line``.

    A row with another number of fields than the header is rejected in ``stats`` and left out.
    """
    for number, values in rows:
        where = f"{path}:{number}"
        if not any(v.strip() for v in values):
            continue
        if len(values) != len(header):
            stats.reject(where, f"{len(values)} fields where the header has {len(header)}")
            continue
        yield where, dict(zip(header, values, strict=True))


def read_text(path: Path) -> str:
    """The whole of a (bounded) input as text, undecodable bytes replaced: for files redacted as one document."""
    with open_input(path) as tracked:
        return tracked.stream.read().decode("utf-8", errors="replace")


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
            raise InputError(path, missing_reason(path))
    return found


def missing_reason(path: Path) -> str:
    """Why ``path`` is neither a file nor a folder: absent, a symlink loop, or a special file."""
    kind = special_kind(path)
    if kind is not None:
        return f"is {kind}, not a regular file; refusing to read it"
    try:
        os.stat(path)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            return "symlink loop: the link points back to itself"
    return "file not found"


def real_path(path: Path) -> Path:
    """``path`` with every symlink resolved; a symlink loop is an InputError, not a crash."""
    try:
        return path.resolve()
    except (RuntimeError, OSError):  # 3.11 raises RuntimeError for a loop, later versions OSError
        raise InputError(path, "symlink loop: the link points back to itself") from None



def inside(base: Path, relative: Path | str) -> Path:
    """``base / relative``, refused when a relative path leads out of ``base``.

    A path the config (or a register it names) gives relative stays inside the config's
    folder, by name and after symlinks are followed; reading anything else takes an absolute
    path, written in the config on purpose. ``../../etc/shadow`` in a register is refused.
    """
    joined = base / relative
    normal, normal_base = os.path.normpath(joined), os.path.normpath(base)
    outside = normal != normal_base and not normal.startswith(os.path.join(normal_base, ""))
    if not outside and not any(ch in str(relative) for ch in "*?["):
        real_base = real_path(base)
        real = real_path(joined)
        outside = real != real_base and not real.is_relative_to(real_base)
    if outside:
        raise InputError(
            relative,
            f"leads outside the config's folder ({base}); write an absolute path in the config "
            "to read a file elsewhere",
        )
    return joined
