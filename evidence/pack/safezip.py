"""Opening a pack without trusting it: no path traversal, no links or special files, no zip bombs.

Every entry is checked before any is read: names must be plain relative paths, entries must be
regular files (or directories, which are ignored), none may be encrypted or listed twice, data
ranges may not overlap, and declared sizes and compression ratios must stay within limits.
Reading then counts the bytes actually inflated, so a lying header cannot exceed them either.
"""

from __future__ import annotations

import hashlib
import re
import stat
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType

from evidence.errors import PackError

_CHUNK = 1 << 20
_DRIVE = re.compile(r"^[A-Za-z]:")
_UNIX = 3
_MSDOS_DIRECTORY = 0x10


@dataclass(frozen=True)
class Limits:
    """How much a pack may hold; packs over these are refused as possible zip bombs."""

    max_entries: int = 50_000
    max_total_bytes: int = 4 << 30
    max_ratio: float = 200.0
    #: Entries inflating to less than this are never refused for their ratio alone.
    ratio_floor: int = 1 << 20


DEFAULT_LIMITS = Limits()


class SafeZip:
    """A zip file whose entries were all checked; read regular files by name."""

    def __init__(self, path: Path, limits: Limits = DEFAULT_LIMITS) -> None:
        self.path = path
        self.limits = limits
        try:
            self._zip = zipfile.ZipFile(path)
        except FileNotFoundError:
            raise PackError(f"{path}: no such file") from None
        except (zipfile.BadZipFile, OSError) as exc:
            raise PackError(f"{path}: not a readable zip file ({exc})") from None
        try:
            self._files = self._check_entries()
        except PackError:
            self._zip.close()
            raise

    def __enter__(self) -> SafeZip:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def close(self) -> None:
        """Close the underlying file."""
        self._zip.close()

    @property
    def names(self) -> list[str]:
        """List the regular files in the pack, sorted."""
        return sorted(self._files)

    def _refuse(self, name: str, why: str) -> PackError:
        return PackError(f"{self.path}: refused entry {name[:200]!r}: {why}")

    def _check_entries(self) -> dict[str, zipfile.ZipInfo]:
        infos = self._zip.infolist()
        if len(infos) > self.limits.max_entries:
            raise PackError(
                f"{self.path}: {len(infos):,} entries, "
                f"over the limit of {self.limits.max_entries:,} "
                "(possible zip bomb)"
            )
        files: dict[str, zipfile.ZipInfo] = {}
        seen: set[str] = set()
        total = 0
        for info in infos:
            name = info.orig_filename
            self._check_name(name)
            if name in seen:
                raise self._refuse(name, "listed twice (tools would disagree on its content)")
            seen.add(name)
            if info.flag_bits & 0x1:
                raise self._refuse(name, "encrypted")
            if _is_directory(info):
                continue
            self._check_type(info)
            if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
                raise self._refuse(name, f"unsupported compression method {info.compress_type}")
            total += info.file_size
            if total > self.limits.max_total_bytes:
                raise PackError(
                    f"{self.path}: entries inflate to more than "
                    f"{self.limits.max_total_bytes:,} bytes "
                    "(possible zip bomb)"
                )
            ratio = info.file_size / max(info.compress_size, 1)
            if info.file_size >= self.limits.ratio_floor and ratio > self.limits.max_ratio:
                raise self._refuse(
                    name,
                    f"compression ratio {ratio:,.0f}:1 is over the limit of "
                    f"{self.limits.max_ratio:,.0f}:1 (possible zip bomb)",
                )
            files[name] = info
        self._check_overlaps(infos)
        return files

    def _check_name(self, name: str) -> None:
        if not name or "\x00" in name:
            raise self._refuse(name, "empty name or NUL character")
        if "\\" in name:
            raise self._refuse(name, "backslash in the name (a Windows path)")
        if name.startswith("/") or _DRIVE.match(name):
            raise self._refuse(name, "absolute path")
        parts = name.rstrip("/").split("/")
        if ".." in parts:
            raise self._refuse(name, "path traversal ('..')")
        if any(part in ("", ".") for part in parts):
            raise self._refuse(name, "empty or '.' path component")

    def _check_type(self, info: zipfile.ZipInfo) -> None:
        if info.create_system != _UNIX:
            return
        mode = info.external_attr >> 16
        kind = stat.S_IFMT(mode)
        if kind == 0 or stat.S_ISREG(mode):
            return
        if stat.S_ISLNK(mode):
            raise self._refuse(info.orig_filename, "symbolic link")
        raise self._refuse(info.orig_filename, "not a regular file (device, FIFO or socket)")

    def _check_overlaps(self, infos: list[zipfile.ZipInfo]) -> None:
        """Entries sharing compressed bytes (the 'overlapping files' bomb) are refused."""
        ordered = sorted(infos, key=lambda i: i.header_offset)
        end_of_data = self._zip.start_dir
        for current, following in zip(ordered, [*ordered[1:], None], strict=True):
            limit = following.header_offset if following is not None else end_of_data
            minimum_end = (
                current.header_offset
                + 30
                + len(current.orig_filename.encode())
                + current.compress_size
            )
            if minimum_end > limit:
                raise self._refuse(
                    current.orig_filename, "its data overlaps another entry (possible zip bomb)"
                )

    def _info(self, name: str) -> zipfile.ZipInfo:
        info = self._files.get(name)
        if info is None:
            raise PackError(f"{self.path}: no file {name!r} in the pack")
        return info

    def stream(self, name: str) -> Iterator[bytes]:
        """Yield the content of ``name`` in chunks, never more than its declared size."""
        info = self._info(name)
        count = 0
        try:
            with self._zip.open(info) as handle:
                while chunk := handle.read(_CHUNK):
                    count += len(chunk)
                    if count > info.file_size:
                        raise self._refuse(name, "inflates to more than its declared size")
                    yield chunk
        except (zipfile.BadZipFile, zlib.error, EOFError) as exc:
            raise PackError(f"{self.path}: {name} is corrupt ({exc})") from None

    def read(self, name: str) -> bytes:
        """Return the content of ``name``."""
        return b"".join(self.stream(name))

    def sha256(self, name: str) -> str:
        """SHA-256 of ``name``, streamed."""
        digest = hashlib.sha256()
        for chunk in self.stream(name):
            digest.update(chunk)
        return digest.hexdigest()


def _is_directory(info: zipfile.ZipInfo) -> bool:
    if info.orig_filename.endswith("/"):
        return True
    if info.create_system == _UNIX:
        return stat.S_ISDIR(info.external_attr >> 16)
    return bool(info.external_attr & _MSDOS_DIRECTORY)
