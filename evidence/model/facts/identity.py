"""Facts of ``identity.leavers``: who left and when, from the HR system's exports."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from evidence.model.facts import Facts, Part


class Leaver(Part):
    """One leaver of an HR export, pseudonymised."""

    ref: str = Field(description="the person's pseudonym (`person:…`), from their first identifier")
    accounts: list[str] = Field(description="pseudonyms (`user:…`) of their identifiers (e-mail, id, accounts)")
    left: str = Field(description="when they left (ISO time; a bare date is the end of that day)")
    left_precision: Literal["date", "time"] = Field(description="whether the export gave a time or only a date")
    row: str = Field(description="`file:line` of the row it came from")


class IdentityLeavers(Facts):
    """Per HR export: each leaver's pseudonymised reference and accounts, leave time and its precision, the row.

    The population of the offboarding check: every leaver of the period must lose access in every
    system whose logs show an account of theirs.
    """

    kind = "identity.leavers"
    produced_by = ("hr-leavers",)

    leavers: list[Leaver] = Field(description="the leavers, by leave time")
    count: int = Field(description="how many leavers")
    columns: dict[str, str] = Field(description="field -> the export's column it was read from")
    files: int = Field(description="export files found")
    files_read: int = Field(description="export files read")
