"""Facts of ``document``: one registered document that proves a process (attested evidence)."""

from __future__ import annotations

from pydantic import Field

from evidence.model.facts import Facts, Part


class AccessReviewRows(Part):
    """An access review given as a CSV (account, reviewer, decision, date), read row by row.

    The accounts are keyed pseudonyms (``Redactor.principal``), comparable with the principals
    of the access logs; a file without the needed columns keeps no row and says why in ``errors``.
    """

    accounts: list[str] = Field(description="pseudonyms of the accounts reviewed, sorted")
    rows: int = Field(description="review rows read")
    reviewers: int = Field(default=0, description="distinct reviewers (absent when no row could be read)")
    decisions: dict[str, int] = Field(
        default_factory=dict, description='rows per decision, "keep" or "change" (absent when no row could be read)'
    )
    errors: list[str] = Field(description="rows that could not be read, as `file:line: reason`")


class Document(Facts):
    """One registered document: `doc_type`, `title`, `controls`, `owner`, `date`, `next_review`, ...

    Produced from a register (TOML) entry per document; the file is hashed, never read for its
    meaning, so a document proves at most "met on attestation". A record missing a field its type
    requires (policies/doc-types.yaml) is kept with ``missing_fields`` set and does not count;
    the checks name the missing fields.
    """

    kind = "document"
    produced_by = ("documents",)

    doc_type: str = Field(description="the document type, a key of policies/doc-types.yaml")
    title: str = Field(description="the register's title (scrubbed)")
    controls: list[str] = Field(
        description="the controls the register says it supports, sorted (empty: any control needing its type)"
    )
    owner: str = Field(description="who owns the document")
    date: str = Field(description="the document's date (ISO date)")
    next_review: str | None = Field(description="its own next review date (ISO date), if the register gives one")
    approved_by: str | None = Field(description="who approved it, if the register says")
    approved_on: str | None = Field(description="when it was approved (ISO date), if the register says")
    file: str = Field(description="the file as the register names it")
    sha256: str = Field(description="SHA-256 of the file")
    size: int = Field(description="size of the file in bytes")
    record: dict[str, str] = Field(
        description="the fields of `[document.record]`, as scrubbed text (dates as ISO dates)"
    )
    missing_fields: list[str] = Field(
        description="fields its type requires that the entry leaves out or empty (non-empty: it does not count)"
    )
    review: AccessReviewRows | None = Field(
        default=None, description="for an access review given as a CSV: what its rows say (absent otherwise)"
    )
