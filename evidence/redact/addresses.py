"""Which network addresses are pseudonymised and which stay in clear: the one place that decides.

A client's address identifies a person as surely as a name, so addresses found in text are
replaced by keyed pseudonyms. Addresses that identify no one stay as they are, and so does the
developer's own infrastructure, which is not personal data and which an auditor must be able
to check: loopback and the private ranges (RFC 1918, carrier-grade NAT, link-local, IPv6
unique-local), the networks the config declares (``[access].allowed_networks``), and any
address written as a range (``203.0.113.0/24`` in a security-group rule or a firewall
setting: a range is a network someone configured, not a client seen in a log).
Change the policy here and nowhere else (`keep_in_clear`).
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterable, Sequence

#: Addresses that identify no one (loopback, unspecified, broadcast): kept as they are.
KEEP_IN_CLEAR = frozenset({"0.0.0.0", "127.0.0.1", "::", "::1", "255.255.255.255"})

IpNet = ipaddress.IPv4Network | ipaddress.IPv6Network

#: The developer's own address space: private, carrier-grade NAT, link-local, loopback, ULA.
PRIVATE_NETWORKS: tuple[IpNet, ...] = tuple(
    ipaddress.ip_network(n)
    for n in (
        "10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10", "169.254.0.0/16",
        "127.0.0.0/8", "fc00::/7", "fe80::/10",
    )
)

# An address may end a sentence ("resolver 198.51.100.7."), so only a dot followed by a digit
# (a longer dotted number) stops the match.
IPV4 = re.compile(
    r"(?<![\d.])(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(?!\d|\.\d)"
)
IPV6 = re.compile(r"(?<![\w:])(?:[0-9A-Fa-f]{0,4}:){2,7}[0-9A-Fa-f]{0,4}(?![\w:])")
#: A prefix length right after an address: the address is a range, not a client.
RANGE_SUFFIX = re.compile(r"/\d{1,3}(?!\d)")


def networks(values: Iterable[object]) -> tuple[IpNet, ...]:
    """Parse configured networks (strings or ip_network objects); what is not one is ignored."""
    found: list[IpNet] = []
    for value in values:
        try:
            found.append(ipaddress.ip_network(str(value), strict=False))
        except ValueError:
            continue
    return tuple(found)


def keep_in_clear(address: str, own: Sequence[IpNet] = ()) -> bool:
    """Whether ``address`` stays as it is in evidence (True) or becomes a pseudonym (False).

    ``own`` are the networks the config declares as the developer's (allowed networks).
    """
    text = address.strip()
    if text in KEEP_IN_CLEAR:
        return True
    try:
        parsed = ipaddress.ip_address(text.split("%", 1)[0])
    except ValueError:
        try:  # a range (a security-group rule's CIDR) is infrastructure, never a person
            ipaddress.ip_network(text, strict=False)
            return "/" in text
        except ValueError:
            return False
    return any(parsed in net for net in (*PRIVATE_NETWORKS, *own) if net.version == parsed.version)


def is_range(text: str, end: int) -> bool:
    """Whether the address ending at ``end`` in ``text`` is followed by a prefix length."""
    return RANGE_SUFFIX.match(text, end) is not None


def valid_ipv6(text: str) -> bool:
    """Whether ``text`` (an IPV6 match) is an IPv6 address, not a time such as 12:34:56."""
    if "::" not in text and text.count(":") < 5:
        return False
    try:
        return isinstance(ipaddress.ip_address(text), ipaddress.IPv6Address)
    except ValueError:
        return False
