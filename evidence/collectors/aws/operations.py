"""API operations the inventory understands: what each feeds and how to read it.

Each response module keeps a :class:`ReaderTable` and declares a reader per operation with its
``handles`` decorator; :func:`evidence.collectors.aws.readers.operations` gathers the tables (no
registration happens by importing a module). A reader gets the call's parameters and its
response (the same JSON whether it came from boto3 or from a saved CLI output); an error reader
gets the failed call and records it against what it was meant to prove.
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


class ReaderTable:
    """The operations one response module reads, by operation name, in the order declared."""

    def __init__(self) -> None:
        self.operations: dict[str, Operation] = {}

    def handles(
        self, service: str, name: str, *, kinds: tuple[str, ...], resource_param: str | None = None
    ) -> Callable[[Reader], Reader]:
        """Declare the decorated function the reader of ``service.name``."""

        def declare(read: Reader) -> Reader:
            if name in self.operations:
                raise ValueError(f"operation {name} is declared twice")
            self.operations[name] = Operation(service, name, kinds, read, resource_param=resource_param)
            return read

        return declare

    def on_error(self, name: str) -> Callable[[ErrorReader], ErrorReader]:
        """Declare the decorated function the error reader of an operation declared before."""

        def declare(read_error: ErrorReader) -> ErrorReader:
            op = self.operations[name]
            self.operations[name] = Operation(op.service, op.name, op.kinds, op.read, read_error, op.resource_param)
            return read_error

        return declare
