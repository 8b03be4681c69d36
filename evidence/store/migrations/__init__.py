"""Alembic migrations of the evidence store."""
