"""The registry of API operations the inventory understands: what each feeds and how to read it.

Response modules register a reader per operation with :func:`handles`. A reader gets the call's
parameters and its response (the same JSON whether it came from boto3 or from a saved CLI
output); an error reader gets the failed call and records it against what it was meant to prove.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from evidence.collectors.aws.inventory import AwsInventory
    from evidence.collectors.aws.permissions import CallError

Reader = Callable[["AwsInventory", dict[str, Any], dict[str, Any], "str | None"], None]
ErrorReader = Callable[["AwsInventory", dict[str, Any], "CallError", "str | None"], None]


@dataclass(frozen=True)
class Operation:
    """One API operation: its service, the kinds it feeds, and its readers."""

    service: str
    name: str
    kinds: tuple[str, ...]
    read: Reader
    read_error: ErrorReader | None = None
    #: The request parameter that names the resource (taken from a CLI file name when needed).
    resource_param: str | None = None


OPERATIONS: dict[str, Operation] = {}


def handles(
    service: str, name: str, *, kinds: tuple[str, ...], resource_param: str | None = None
) -> Callable[[Reader], Reader]:
    """Register the decorated function as the reader of ``service.name``."""

    def register(read: Reader) -> Reader:
        if name in OPERATIONS:
            raise ValueError(f"operation {name} is registered twice")
        OPERATIONS[name] = Operation(service, name, kinds, read, resource_param=resource_param)
        return read

    return register


def on_error(name: str) -> Callable[[ErrorReader], ErrorReader]:
    """Register the decorated function as the error reader of an already registered operation."""

    def register(read_error: ErrorReader) -> ErrorReader:
        op = OPERATIONS[name]
        OPERATIONS[name] = Operation(
            op.service, op.name, op.kinds, op.read, read_error, op.resource_param
        )
        return read_error

    return register
