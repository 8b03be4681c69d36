"""Which accounts of a log belong to one person: the config's people and aliases the log carries.

Two sources of links: ``[[access.people]]`` in the config (a person's accounts in every
system), and aliases a log itself states (a GitHub login with its SAML NameID, an account with
its e-mail). Links are facts of each log source, as groups of keyed pseudonyms, so checks join
the facts of many sources per person without ever seeing a name.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from typing import Any

from evidence.model.access import Person

#: Aliases kept per source (a bound on memory; a log repeats the same pairs).
MAX_ALIASES = 100_000


def normal(name: str) -> str:
    """How principals are keyed everywhere: stripped and lower-cased."""
    return name.strip().lower()


class AccountLinks:
    """Configured people and log-stated aliases, keyed by raw names until :meth:`facts`."""

    def __init__(self, people: list[Person]) -> None:
        self.people = [sorted({normal(a) for a in person.accounts}) for person in people]
        self.aliases: dict[tuple[str, str], str] = {}

    def alias(self, one: str, other: str, via: str) -> None:
        """Record that ``one`` and ``other`` name the same person (``via`` says how it is known)."""
        a, b = normal(one), normal(other)
        if not a or not b or a == b:
            return
        pair = (a, b) if a < b else (b, a)
        if pair in self.aliases or len(self.aliases) < MAX_ALIASES:
            self.aliases[pair] = via

    def merge(self, other: AccountLinks) -> None:
        """Add another file's aliases."""
        for pair, via in other.aliases.items():
            if pair in self.aliases or len(self.aliases) < MAX_ALIASES:
                self.aliases[pair] = via

    def names(self) -> set[str]:
        """Every raw name an alias mentions (they were seen in this log)."""
        return {name for pair in self.aliases for name in pair}

    def facts(self, seen: Collection[str], who: Callable[[str], str]) -> list[dict[str, Any]]:
        """Link groups as pseudonyms: configured people seen in this log, then the log's aliases."""
        out = [
            {"accounts": sorted({who(a) for a in accounts}), "via": "config"}
            for accounts in self.people
            if any(a in seen for a in accounts)
        ]
        out.extend({"accounts": sorted([who(a), who(b)]), "via": via} for (a, b), via in self.aliases.items())
        out.sort(key=lambda link: (link["via"], link["accounts"]))
        return out
