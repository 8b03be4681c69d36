"""People across log sources: accounts joined by the config, e-mail and SSO subject, and HR rows.

Every log source lists the groups of accounts it knows to be one person (``links`` in
``access.activity``: the config's ``[[access.people]]``, a GitHub login with its SAML NameID);
an HR leaver carries the pseudonyms of their identifiers. Groups that share an account are one
person (union-find over keyed pseudonyms), so "without MFA" and "active after leaving" are
counted per person, not per account. Nothing here sees a name: only pseudonyms.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from evidence.model.evidence import EvidenceItem
from evidence.model.facts.access import AccessActivity
from evidence.model.facts.identity import IdentityLeavers

LEAVERS = IdentityLeavers.kind


@dataclass
class Account:
    """One pseudonymised account as one source saw it."""

    principal: str
    item: EvidenceItem
    logins: int = 0
    with_mfa: int = 0
    without_mfa: int = 0
    mfa_unknown: int = 0
    last_active: str | None = None
    federated: bool = False


@dataclass
class Person:
    """A person: their label and every account of theirs a source saw."""

    label: str
    accounts: list[Account] = field(default_factory=list)

    def principals(self) -> list[str]:
        """The distinct account pseudonyms, sorted."""
        return sorted({a.principal for a in self.accounts})

    def linked(self) -> str:
        """``user:ab (okta-log 'okta'), user:cd (github-audit-log 'github')``: accounts and sources."""
        pairs = sorted({(a.principal, f"{a.item.collector} {a.item.source!r}") for a in self.accounts})
        return ", ".join(f"{p} ({s})" for p, s in pairs)


class People:
    """Accounts of every access source grouped into people."""

    def __init__(
        self,
        access: Sequence[tuple[EvidenceItem, AccessActivity]],
        leavers: Sequence[tuple[EvidenceItem, IdentityLeavers]] = (),
    ) -> None:
        self._parent: dict[str, str] = {}
        self._labels: dict[str, str] = {}
        for _, facts in access:
            for link in facts.links:
                self._join(link.accounts)
        for _, export in leavers:
            for leaver in export.leavers:
                self._join(leaver.accounts)
                if leaver.accounts:
                    self._labels.setdefault(self._root(leaver.accounts[0]), leaver.ref)
        self.accounts: dict[str, list[Account]] = {}
        for item, facts in access:
            for account in _accounts(item, facts):
                self.accounts.setdefault(self._root(account.principal), []).append(account)

    def _root(self, name: str) -> str:
        parent = self._parent.setdefault(name, name)
        while parent != self._parent[parent]:
            self._parent[parent] = self._parent[self._parent[parent]]
            parent = self._parent[parent]
        self._parent[name] = parent
        return parent

    def _join(self, names: Iterable[str]) -> None:
        roots = sorted({self._root(n) for n in names})
        for root in roots[1:]:  # the smallest pseudonym stays the root: the same in every run
            self._parent[root] = roots[0]
            if root in self._labels:
                self._labels.setdefault(roots[0], self._labels.pop(root))

    def person(self, principal: str) -> Person:
        """The person an account belongs to (a person of one account when nothing links it)."""
        root = self._root(principal)
        return Person(self.label(principal), list(self.accounts.get(root, [])))

    def label(self, principal: str) -> str:
        """How reasons name the person of ``principal``: the HR reference, else the first account."""
        root = self._root(principal)
        return self._labels.get(root, root)

    def everyone(self) -> list[Person]:
        """Every person with an account in the sources, by label."""
        return sorted((Person(self._labels.get(r, r), a) for r, a in self.accounts.items()), key=lambda p: p.label)

    def of_leaver(self, accounts: Iterable[str]) -> Person:
        """The person of an HR leaver: every account linked to any of their identifiers."""
        roots = {self._root(a) for a in accounts}
        label = next((self._labels[r] for r in sorted(roots) if r in self._labels), min(roots, default="?"))
        return Person(label, [a for r in sorted(roots) for a in self.accounts.get(r, [])])


def _accounts(item: EvidenceItem, facts: AccessActivity) -> Iterable[Account]:
    """Every account an access item saw: in the period, outside it, or only being disabled."""
    listed = set()
    for entry in facts.principals:
        listed.add(entry.principal)
        yield Account(
            entry.principal,
            item,
            logins=entry.interactive_logins,
            with_mfa=entry.logins_with_mfa,
            without_mfa=entry.logins_without_mfa,
            mfa_unknown=entry.logins_mfa_unknown,
            last_active=entry.last_active,
            federated=entry.federated,
        )
    for other in facts.other_principals:
        if other.principal not in listed:
            listed.add(other.principal)
            yield Account(other.principal, item, last_active=other.last_active, federated=other.federated)
    for disable in facts.disables:
        if disable.principal not in listed:
            listed.add(disable.principal)
            yield Account(disable.principal, item)
