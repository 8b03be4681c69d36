"""What identifies a run in the store: organisation, period, as-of, versions."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel

from evidence.model.period import Period


class RunInfo(BaseModel):
    """A run as the store records it."""

    id: int
    uid: str
    organisation: str
    developer_id: str
    period: Period
    as_of: datetime
    started_at: datetime
    finished_at: datetime | None
    tool_version: str
    catalogues: list[str]
    config_sha256: str
    #: The run's root hash in the organisation's evidence chain, once the run is sealed.
    root_hash: str | None = None
