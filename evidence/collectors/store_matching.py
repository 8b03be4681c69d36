"""Which configured PII store a table, bucket or API path belongs to (``[access].pii_stores``)."""

from __future__ import annotations

import fnmatch

from evidence.model.access import PiiStore


class StoreMatcher:
    """Which configured PII store, if any, a table, bucket or API path belongs to."""

    def __init__(self, stores: list[PiiStore]) -> None:
        self.tables = {t.lower().rsplit(".", 1)[-1]: s.name for s in stores for t in s.tables}
        self.buckets = {b.lower(): s.name for s in stores for b in s.buckets}
        self.paths = [(p, s.name) for s in stores for p in s.paths]

    def table(self, name: str) -> str | None:
        """Return the store of table ``name`` (schema-qualified or not, quoted or not)."""
        return self.tables.get(name.strip('"').lower().rsplit(".", 1)[-1].strip('"'))

    def bucket(self, name: str) -> str | None:
        """Return the store of an S3 bucket name."""
        return self.buckets.get(name.lower())

    def path(self, target: str) -> str | None:
        """Return the store whose API path pattern (``*`` wildcards) matches a request."""
        if not self.paths:
            return None
        path = target.split("?", 1)[0]
        for pattern, store in self.paths:
            if fnmatch.fnmatchcase(path, pattern) or path.startswith(pattern.rstrip("*")) and "*" not in pattern:
                return store
        return None
