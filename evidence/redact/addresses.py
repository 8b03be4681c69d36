"""Which network addresses are pseudonymised and which stay in clear: the one place that decides.

A client's address identifies a person as surely as a name, so addresses found in text are
replaced by keyed pseudonyms. Only addresses that identify no one are kept as they are.
Change the policy here and nowhere else (`keep_in_clear`).
"""

from __future__ import annotations

import ipaddress
import re

#: Addresses that identify no one (loopback, unspecified, broadcast): kept as they are.
KEEP_IN_CLEAR = frozenset({"0.0.0.0", "127.0.0.1", "::", "::1", "255.255.255.255"})

# An address may end a sentence ("resolver 198.51.100.7."), so only a dot followed by a digit
# (a longer dotted number) stops the match.
IPV4 = re.compile(
    r"(?<![\d.])(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(?!\d|\.\d)"
)
IPV6 = re.compile(r"(?<![\w:])(?:[0-9A-Fa-f]{0,4}:){2,7}[0-9A-Fa-f]{0,4}(?![\w:])")


def keep_in_clear(address: str) -> bool:
    """Whether ``address`` stays as it is in evidence (True) or becomes a pseudonym (False)."""
    return address.strip() in KEEP_IN_CLEAR


def valid_ipv6(text: str) -> bool:
    """Whether ``text`` (an IPV6 match) is an IPv6 address, not a time such as 12:34:56."""
    if "::" not in text and text.count(":") < 5:
        return False
    try:
        return isinstance(ipaddress.ip_address(text), ipaddress.IPv6Address)
    except ValueError:
        return False
