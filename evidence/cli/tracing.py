"""Whether the user asked for Python tracebacks (--traceback or EVIDENCE_TRACEBACK=1)."""

from __future__ import annotations

import os

_state = {"traceback": False}


def set_traceback(enabled: bool) -> None:
    """Remember the --traceback flag for this process."""
    _state["traceback"] = enabled


def reraise_internal() -> bool:
    """True when internal errors should surface with their traceback."""
    return _state["traceback"] or os.environ.get("EVIDENCE_TRACEBACK") == "1"
