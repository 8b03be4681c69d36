"""Successful sign-ins counted per access path, so MFA is judged where sign-in happens.

A path is how a person reached a system: an identity-provider session that led into an
application (``AWS IAM Identity Center``, the admin dashboard, GitHub), or, for a log that is
itself the system (SSH to a host, the AWS console, an application's own login), the login
method. One IdP session that reached three applications counts once on each of their paths.
Counts are keyed by raw principal names; they become pseudonyms only in :meth:`facts`.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

#: The path of an identity-provider sign-in that reached no application in the log.
SIGN_IN_ONLY = "(sign-in only)"
#: The path of a sign-in a system accepted from an identity provider (an AWS console login by a
#: federated role session): its second factor is decided, and logged, at the identity provider.
THROUGH_IDP = "(through the identity provider)"
#: How many principals each path lists by name (the counts are always exact).
MAX_LISTED = 100


@dataclass
class _Counts:
    logins: int = 0
    with_mfa: int = 0
    without_mfa: int = 0
    mfa_unknown: int = 0
    principals: set[str] = field(default_factory=set)
    without: Counter[str] = field(default_factory=Counter)

    def add(self, key: str, mfa: bool | None, times: int = 1) -> None:
        """Count ``times`` successful sign-ins of ``key`` with the given MFA state."""
        self.logins += times
        self.principals.add(key)
        if mfa is True:
            self.with_mfa += times
        elif mfa is False:
            self.without_mfa += times
            self.without[key] += times
        else:
            self.mfa_unknown += times


class AccessPaths:
    """Sign-in counts per (method, path), with who signed in without MFA on each."""

    def __init__(self) -> None:
        self.paths: dict[tuple[str, str], _Counts] = {}

    def count(self, method: str, paths: tuple[str, ...], key: str, mfa: bool | None, times: int = 1) -> None:
        """Count ``times`` successful sign-ins of ``key`` on each of ``paths`` (none: the method's)."""
        for path in paths or (method,):
            counts = self.paths.get((method, path))
            if counts is None:
                counts = self.paths[(method, path)] = _Counts()
            counts.add(key, mfa, times)

    def merge(self, other: AccessPaths) -> None:
        """Add another file's counts."""
        for key, theirs in other.paths.items():
            mine = self.paths.setdefault(key, _Counts())
            mine.logins += theirs.logins
            mine.with_mfa += theirs.with_mfa
            mine.without_mfa += theirs.without_mfa
            mine.mfa_unknown += theirs.mfa_unknown
            mine.principals |= theirs.principals
            mine.without.update(theirs.without)

    def facts(self, who: Callable[[str], str]) -> list[dict[str, Any]]:
        """One entry per path; principals as pseudonyms, most sign-ins without MFA first."""
        out = []
        for (method, path), c in sorted(self.paths.items()):
            without = sorted(((who(k), n) for k, n in c.without.items()), key=lambda x: (-x[1], x[0]))
            out.append(
                {
                    "method": method,
                    "path": path,
                    "logins": c.logins,
                    "with_mfa": c.with_mfa,
                    "without_mfa": c.without_mfa,
                    "mfa_unknown": c.mfa_unknown,
                    "principals": len(c.principals),
                    "principals_without_mfa": len(c.without),
                    "without_mfa_by_principal": [{"principal": p, "logins": n} for p, n in without[:MAX_LISTED]],
                }
            )
        return out
