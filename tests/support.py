"""Helpers every test may import as `tests.support`: the real CLI, PDFs read back, store URLs.

Fixtures live in tests/conftest.py; nested conftest files only add fixtures of their own.
"""

from __future__ import annotations

import hashlib
import io
import os
import subprocess
import sys
import tempfile
import threading
import time
import traceback
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from evidence.cli.app import main

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples"
EVIDENCE = Path(sys.executable).parent / "evidence"

#: Held while `run_cli` runs: it changes process-wide state (environment, working folder, streams).
_IN_PROCESS = threading.Lock()


@dataclass
class Result:
    """What a CLI invocation returned."""

    code: int
    stdout: str
    stderr: str


def run_cli(
    *args: str | Path, cwd: Path | None = None, env: dict[str, str] | None = None, timeout: float = 300
) -> Result:
    """Run `evidence ARGS` in this process, through the console script's own entry point.

    The same `main` the installed script calls runs with the same environment, working
    folder, empty stdin and separate stdout and stderr as a child process would get, without
    paying for a fresh interpreter and its imports on every call. A test about the process
    itself (a signal, SIGKILL, the installed script) uses `run_process` instead. ``timeout``
    is accepted so the two are called alike; only `run_process` can enforce it.
    """
    del timeout
    if env and "EVIDENCE_KILL_AT" in env:
        raise ValueError("EVIDENCE_KILL_AT kills the process it runs in: use run_process")
    if not _IN_PROCESS.acquire(blocking=False):
        raise RuntimeError("run_cli runs one command at a time: run concurrent commands with run_process")
    out, err = _text_buffer(), _text_buffer()
    argv = [str(arg) for arg in args]
    try:
        with _as_a_child(cwd, env, argv), _streams(out, err):
            try:
                code = main(argv)
            except SystemExit as exc:  # what the interpreter would turn into an exit status
                code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
            except BaseException:  # an uncaught error (--traceback): Python prints it and exits 1
                traceback.print_exc(file=sys.stderr)
                code = 1
    finally:
        _IN_PROCESS.release()
    return Result(int(code), _read(out), _read(err))  # an exit status, as a process gives it


def run_process(
    *args: str | Path, cwd: Path | None = None, env: dict[str, str] | None = None, timeout: float = 300
) -> Result:
    """Run the installed `evidence` console script in a child process, as a user would."""
    proc = subprocess.run(
        [str(EVIDENCE), *map(str, args)],
        cwd=cwd,
        env=child_env(env),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    return Result(proc.returncode, proc.stdout, proc.stderr)


def child_env(env: dict[str, str] | None = None) -> dict[str, str]:
    """The environment a CLI run gets: this one, a wide terminal, ``env``, no traceback switch."""
    merged = {**os.environ, "COLUMNS": "200", **(env or {})}
    merged.pop("EVIDENCE_TRACEBACK", None)
    return merged


@contextmanager
def _as_a_child(cwd: Path | None, env: dict[str, str] | None, argv: list[str]) -> Iterator[None]:
    """Give this process a child's arguments, environment and working folder; restore them after.

    ``sys.argv`` is what the console script would see (provenance records the command line).
    """
    saved_env, saved_cwd, saved_argv = dict(os.environ), os.getcwd(), sys.argv
    sys.argv = [str(EVIDENCE), *argv]
    wanted = child_env(env)
    os.environ.clear()
    os.environ.update(wanted)
    if wanted.get("TZ") != saved_env.get("TZ"):
        time.tzset()  # a child would start in the zone it was given
    if cwd is not None:
        os.chdir(cwd)
    try:
        yield
    finally:
        sys.argv = saved_argv
        os.chdir(saved_cwd)
        os.environ.clear()
        os.environ.update(saved_env)
        if wanted.get("TZ") != saved_env.get("TZ"):
            time.tzset()


@contextmanager
def _streams(out: io.TextIOWrapper, err: io.TextIOWrapper) -> Iterator[None]:
    """Point stdin at an empty file and stdout and stderr at ``out`` and ``err``."""
    saved = sys.stdin, sys.stdout, sys.stderr
    sys.stdin, sys.stdout, sys.stderr = io.StringIO(""), out, err
    try:
        yield
    finally:
        sys.stdin, sys.stdout, sys.stderr = saved


def _text_buffer() -> io.TextIOWrapper:
    """A text stream over bytes (JSON output writes to ``sys.stdout.buffer``), like a pipe."""
    return io.TextIOWrapper(io.BytesIO(), encoding="utf-8", write_through=True)


def _read(stream: io.TextIOWrapper) -> str:
    """What was written, decoded as `subprocess.run(text=True)` does (universal newlines)."""
    stream.flush()
    buffer = stream.buffer
    assert isinstance(buffer, io.BytesIO)
    return buffer.getvalue().decode("utf-8").replace("\r\n", "\n").replace("\r", "\n")


def pdftotext(path: Path, *extra: str) -> str:
    """Text of a PDF through poppler's pdftotext (installed by `make test`)."""
    return _pdftotext(path.read_bytes(), ("-layout", *extra))


def pdftotext_page(path: Path, page: int, mode: str = "-layout") -> str:
    """Text of one page (1-based), exactly as ``pdftotext MODE -f PAGE -l PAGE`` prints it.

    pdftotext ends every page with a form feed, so the page is cut from the whole document's
    text (read once per content): a test that walks 50 pages runs pdftotext once, not 50 times.
    """
    pages = _pdftotext(path.read_bytes(), (mode,)).split("\f")
    if not 1 <= page < len(pages):  # past the last page: let pdftotext say so
        return _run_pdftotext(path.read_bytes(), (mode, "-f", str(page), "-l", str(page)))
    return pages[page - 1] + "\f"


#: pdftotext output by (SHA-256 of the PDF, options): the same bytes always give the same text.
_TEXTS: dict[tuple[str, tuple[str, ...]], str] = {}


def _pdftotext(data: bytes, options: tuple[str, ...]) -> str:
    key = (hashlib.sha256(data).hexdigest(), options)
    if key not in _TEXTS:
        _TEXTS[key] = _run_pdftotext(data, options)
    return _TEXTS[key]


def _run_pdftotext(data: bytes, options: tuple[str, ...]) -> str:
    with tempfile.TemporaryDirectory(prefix="pdftotext-") as folder:
        pdf = Path(folder) / "document.pdf"
        pdf.write_bytes(data)
        return subprocess.run(
            ["pdftotext", *options, str(pdf), "-"], capture_output=True, text=True, check=True
        ).stdout


def with_store(config: Path, url: str) -> Path:
    """Point a config's [store] at ``url`` (rewrites the file in place) and return it."""
    lines = config.read_text(encoding="utf-8").splitlines()
    out, in_store = [], False
    for line in lines:
        stripped = line.strip()
        if stripped.startswith("["):
            in_store = stripped == "[store]"
        if in_store and stripped.startswith("url"):
            line = f'url = "{url}"'
        out.append(line)
    config.write_text("\n".join(out) + "\n", encoding="utf-8")
    return config
