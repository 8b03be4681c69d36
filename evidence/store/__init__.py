"""The evidence store: SQLAlchemy database plus content-addressed copies beside it."""

from evidence.store.database import RunWriter, Store

__all__ = ["RunWriter", "Store"]
