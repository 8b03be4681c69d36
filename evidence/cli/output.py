"""Terminal output: consoles, progress bars (rich), JSON, and status styling."""

from __future__ import annotations

import sys
from typing import Any

import orjson
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn, TimeElapsedColumn

from evidence.model.results import Status

STATUS_STYLE = {
    Status.MET: "green",
    Status.NOT_MET: "bold red",
    Status.INSUFFICIENT: "yellow",
    Status.WAIVED: "cyan",
    Status.NOT_APPLICABLE: "dim",
}


def stdout() -> Console:
    """Console for results (tables); never used when --json is on."""
    return Console(highlight=False, soft_wrap=False, emoji=False)


def stderr() -> Console:
    """Console for progress and notes.

    Emoji codes stay off on both consoles: a fingerprint such as ``72:AB:79`` must print as
    it is, not with ``:AB:`` turned into an emoji.
    """
    return Console(stderr=True, highlight=False, emoji=False)


def print_json(value: Any) -> None:
    """Write ``value`` as indented JSON to stdout."""
    sys.stdout.buffer.write(orjson.dumps(value, option=orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS) + b"\n")
    sys.stdout.flush()


def styled(status: Status) -> str:
    """A status label with rich markup."""
    return f"[{STATUS_STYLE[status]}]{status.label}[/]"


class RichProgress:
    """Draws progress bars on stderr; silent under --quiet or when stderr is not a terminal."""

    def __init__(self, quiet: bool) -> None:
        self.console = stderr()
        self.quiet = quiet
        self._bars = Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=self.console,
            transient=True,
            disable=quiet or not self.console.is_terminal,
        )
        self._tasks: dict[str, TaskID] = {}

    def __enter__(self) -> RichProgress:
        self._bars.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._bars.stop()

    def start(self, task: str, total: int | None = None) -> None:
        """Add a bar."""
        self._tasks[task] = self._bars.add_task(task, total=total)

    def advance(self, task: str, steps: int = 1) -> None:
        """Move a bar."""
        if task in self._tasks:
            self._bars.advance(self._tasks[task], steps)

    def finish(self, task: str) -> None:
        """Remove a finished bar."""
        task_id = self._tasks.pop(task, None)
        if task_id is not None:
            self._bars.remove_task(task_id)

    def note(self, message: str) -> None:
        """Print a note above the bars (suppressed by --quiet)."""
        if not self.quiet:
            self.console.print(f"[yellow]note:[/] {escape(message)}", markup=True, highlight=False)
