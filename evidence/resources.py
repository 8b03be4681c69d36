"""Where templates/ and policies/ are: inside an installed wheel, or at the top of a checkout."""

from __future__ import annotations

from functools import cache
from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


@cache
def _data_dir(name: str) -> Path:
    installed = _PACKAGE / "_data" / name
    if installed.is_dir():
        return installed
    checkout = _PACKAGE.parent / name
    if checkout.is_dir():
        return checkout
    raise FileNotFoundError(
        f"cannot find the {name}/ folder: looked in {installed} and {checkout}; "
        "reinstall dpp-evidence"
    )


def templates_dir() -> Path:
    """The folder holding the Jinja templates, CSS, fonts and images."""
    return _data_dir("templates")


def policies_dir() -> Path:
    """The folder holding the policy catalogues."""
    return _data_dir("policies")
