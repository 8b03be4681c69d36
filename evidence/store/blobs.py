"""Content-addressed copies of (redacted) raw inputs beside the database, and the run lock.

Copies live in ``<copies_dir>/objects/ab/abcdef...`` named by the SHA-256 of the stored bytes.
A run holds ``<copies_dir>/run.lock`` for its whole life, so only one run writes at a time, and
the next run can tell that files no committed row refers to are strays of a killed run.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import uuid
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

from evidence.errors import StoreError


class BlobStore:
    """Writes and finds content-addressed copies under ``root``."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.objects = root / "objects"
        self.tmp = root / "tmp"

    def put(self, chunks: Iterable[bytes]) -> tuple[str, str, int]:
        """Store the bytes of ``chunks``; returns (sha256, path relative to root, size)."""
        self.tmp.mkdir(parents=True, exist_ok=True)
        digest = hashlib.sha256()
        size = 0
        staging = self.tmp / uuid.uuid4().hex
        with staging.open("wb") as out:
            for chunk in chunks:
                digest.update(chunk)
                size += len(chunk)
                out.write(chunk)
        sha = digest.hexdigest()
        relative = f"objects/{sha[:2]}/{sha}"
        target = self.root / relative
        if target.exists():
            staging.unlink()
        else:
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(staging, target)
        return sha, relative, size

    @property
    def witness(self) -> Path:
        """The append-only witness of every seal: a run whose rows are deleted is still named here."""
        return self.root / "seals.log"

    def witness_seals(self, lines: list[str]) -> None:
        """Append seal lines to the witness (after their transaction committed), durably."""
        if not lines:
            return
        self.root.mkdir(parents=True, exist_ok=True)
        with self.witness.open("a", encoding="utf-8") as out:
            out.write("".join(f"{line}\n" for line in lines))
            out.flush()
            os.fsync(out.fileno())

    def witnessed(self) -> list[str] | None:
        """The witness's lines, or None when there is no witness file."""
        try:
            return self.witness.read_text(encoding="utf-8").splitlines()
        except FileNotFoundError:
            return None

    def path(self, relative: str) -> Path:
        """Absolute path of a stored copy."""
        return self.root / relative

    def open(self, relative: str) -> IO[bytes]:
        """Open a stored copy for reading."""
        return self.path(relative).open("rb")

    def sweep(self, referenced: set[str]) -> int:
        """Delete staging files and objects no committed row refers to; returns how many.

        Only called while holding the run lock, so no other run is writing.
        """
        removed = 0
        if self.tmp.is_dir():
            for stray in self.tmp.iterdir():
                stray.unlink(missing_ok=True)
                removed += 1
        if self.objects.is_dir():
            for obj in self.objects.glob("*/*"):
                if obj.name not in referenced:
                    obj.unlink(missing_ok=True)
                    removed += 1
        return removed

    @contextmanager
    def run_lock(self) -> Iterator[None]:
        """Hold the store's run lock; a second concurrent run fails with a clear message."""
        self.root.mkdir(parents=True, exist_ok=True)
        lock_path = self.root / "run.lock"
        with lock_path.open("a") as handle:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                raise StoreError(
                    f"another run is using the store (lock held on {lock_path}); "
                    "wait for it to finish"
                ) from None
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)
