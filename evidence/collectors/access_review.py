"""An access review given as a CSV: one row per account reviewed, read into comparable facts.

Columns (a header row, names case-insensitive): ``account``, ``reviewer``, ``decision`` and
``date``. Accounts become the same keyed pseudonyms the log collectors give principals, so a
check can find the principals active in the period that the review left out. Reviewers and
decisions are counted, never stored in clear.
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

from evidence.collectors.inputs import csv_rows, open_text
from evidence.redact import Redactor

COLUMNS = ("account", "reviewer", "decision", "date")
#: Decisions that keep an account as it was; anything else counts as a change.
KEEP = {"keep", "kept", "confirm", "confirmed", "retain", "retained", "ok", "approved", "no change"}


def read_access_review(path: Path, redactor: Redactor) -> dict[str, Any]:
    """Read the review rows of ``path``: pseudonymised accounts, decisions, and row errors."""
    accounts: set[str] = set()
    decisions: Counter[str] = Counter()
    reviewers: set[str] = set()
    errors: list[str] = []
    rows = 0
    with open_text(path) as reader:
        numbered = csv_rows(reader)
        header = next(numbered, None)
        if header is None:
            return {"accounts": [], "rows": 0, "errors": [f"{path.name}:1: empty file"]}
        names = [h.strip().lower() for h in header[1]]
        absent = [c for c in COLUMNS if c not in names]
        if absent:
            return {
                "accounts": [],
                "rows": 0,
                "errors": [f"{path.name}:{header[0]}: no column {', '.join(absent)} (needs {', '.join(COLUMNS)})"],
            }
        index = {c: names.index(c) for c in COLUMNS}
        for line, row in numbered:
            if not any(cell.strip() for cell in row):
                continue
            cells = {c: row[i].strip() if i < len(row) else "" for c, i in index.items()}
            empty = [c for c in COLUMNS if not cells[c]]
            if empty:
                errors.append(f"{path.name}:{line}: no {', '.join(empty)}")
                continue
            try:
                date.fromisoformat(cells["date"])
            except ValueError:
                errors.append(f"{path.name}:{line}: date is not YYYY-MM-DD")
                continue
            rows += 1
            accounts.add(redactor.principal(cells["account"]))
            reviewers.add(cells["reviewer"].lower())
            decision = cells["decision"].lower()
            decisions["keep" if decision in KEEP else "change"] += 1
    return {
        "accounts": sorted(accounts),
        "rows": rows,
        "reviewers": len(reviewers),
        "decisions": dict(sorted(decisions.items())),
        "errors": errors,
    }


def scrubbed_review(path: Path, redactor: Redactor) -> Iterator[bytes]:
    """A copy of the review CSV for the store: accounts as the same pseudonyms, other cells scrubbed.

    The copy must never put an account name beside the pseudonym that hides it elsewhere.
    """
    with open_text(path) as reader:
        numbered = csv_rows(reader)
        header = next(numbered, None)
        if header is None:
            return
        names = [h.strip().lower() for h in header[1]]
        account = names.index("account") if "account" in names else None
        for index, (_, row) in enumerate([header, *numbered]):
            if index and account is not None and account < len(row) and row[account].strip():
                row = [*row[:account], redactor.principal(row[account]), *row[account + 1 :]]
            cells = [cell if i == account and index else redactor.scrub(cell) for i, cell in enumerate(row)]
            buffer = io.StringIO()
            csv.writer(buffer, lineterminator="\n").writerow(cells)
            yield buffer.getvalue().encode("utf-8")
