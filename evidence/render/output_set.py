"""The report set of a run appears in the output folder all at once, or not at all.

Reports are rendered into a staging folder beside the output folder (same parent, so the
same file system). Once the run has committed, the staging folder receives hard links of every
other file the output folder holds, and the two folders are swapped in one atomic
``renameat2(RENAME_EXCHANGE)``. Killed at any moment, the output folder holds either the
previous set or the new one; a stale staging folder is removed by the next run.
"""

from __future__ import annotations

import ctypes
import errno
import os
import shutil
import uuid
from pathlib import Path

from evidence.errors import ConfigError

_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


def check_out_dir(out_dir: Path) -> None:
    """Refuse an output folder that is a file, cannot be created, or cannot be written."""
    if out_dir.exists() and not out_dir.is_dir():
        raise ConfigError(f"--out {out_dir}: is a file, not a folder")
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ConfigError(f"--out {out_dir}: cannot create the folder ({exc.strerror})") from None
    parent = out_dir.resolve().parent
    for place in (out_dir, parent):
        if not os.access(place, os.W_OK | os.X_OK):
            raise ConfigError(f"--out {out_dir}: {place} is not writable")
    probe = parent / f".{out_dir.name}.probe-{uuid.uuid4().hex}"
    try:
        probe.mkdir()
        probe.rmdir()
    except OSError as exc:
        raise ConfigError(f"--out {out_dir}: cannot write beside it in {parent} ({exc.strerror})") from None


class OutputSet:
    """A staging folder for one report set, published into ``out_dir`` atomically."""

    def __init__(self, out_dir: Path) -> None:
        check_out_dir(out_dir)
        self.out_dir = out_dir.resolve()
        self._prefix = f".{self.out_dir.name}.staging-"
        self._sweep()
        self.staging = self.out_dir.parent / f"{self._prefix}{uuid.uuid4().hex}"
        self.staging.mkdir()

    def _sweep(self) -> None:
        """Remove staging folders a killed run left behind (never the output folder itself)."""
        for stale in self.out_dir.parent.glob(f"{self._prefix}*"):
            shutil.rmtree(stale, ignore_errors=True)

    def final(self, staged: Path) -> Path:
        """Where a file written into the staging folder will be once published."""
        return self.out_dir / staged.relative_to(self.staging)

    def publish(self) -> None:
        """Swap the staging folder in: every earlier file is kept unless the new set replaces it."""
        _link_tree(self.out_dir, self.staging)
        if _exchange(self.staging, self.out_dir):
            shutil.rmtree(self.staging, ignore_errors=True)  # now the previous output folder
            return
        # No atomic exchange on this system: the shortest window the plain renames allow.
        previous = self.out_dir.parent / f"{self._prefix}old-{uuid.uuid4().hex}"
        os.rename(self.out_dir, previous)
        os.rename(self.staging, self.out_dir)
        shutil.rmtree(previous, ignore_errors=True)

    def discard(self) -> None:
        """Drop the staging folder (the run failed or was not committed)."""
        shutil.rmtree(self.staging, ignore_errors=True)


def _link_tree(source: Path, target: Path) -> None:
    """Hard-link every file of ``source`` missing from ``target`` into it, folders recreated."""
    for entry in sorted(source.iterdir()):
        destination = target / entry.name
        if entry.is_symlink():
            if not destination.exists() and not destination.is_symlink():
                os.symlink(os.readlink(entry), destination)
        elif entry.is_dir():
            destination.mkdir(exist_ok=True)
            _link_tree(entry, destination)
        elif not destination.exists():
            try:
                os.link(entry, destination)
            except OSError:
                shutil.copy2(entry, destination)


def _exchange(first: Path, second: Path) -> bool:
    """Atomically swap two paths (Linux renameat2); False when the system cannot."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    result = renameat2(
        _AT_FDCWD, os.fsencode(first), _AT_FDCWD, os.fsencode(second), _RENAME_EXCHANGE
    )
    if result == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP):
        return False
    raise OSError(code, os.strerror(code), str(second))
