"""Every API operation the AWS collectors read, gathered from the response modules' tables.

The response modules declare their readers in a :class:`~.operations.ReaderTable` each; this
function merges them once. It replaces registration by import side effect, so no module has to
import another just for what importing it registers.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from types import MappingProxyType

from evidence.collectors.aws import account_responses, storage_responses
from evidence.collectors.aws.operations import Operation


@cache
def operations() -> Mapping[str, Operation]:
    """Every operation the inventory reads, by name (account-wide ones first, then data stores)."""
    merged: dict[str, Operation] = {}
    for table in (account_responses.READERS, storage_responses.READERS):
        for name, operation in table.operations.items():
            if name in merged:
                raise ValueError(f"operation {name} is declared by two response modules")
            merged[name] = operation
    return MappingProxyType(merged)
