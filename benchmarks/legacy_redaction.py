"""The regex-only redaction of dpp-evidence 0.1 (before issue 14), kept as the benchmarks' baseline.

bench_access_logs.py measures the collectors with it swapped in, in the same run, so the cost
of the detectors that replaced it is a ratio measured on the same machine at the same time.

Original docstring: redaction of buyer PII and secrets, and keyed pseudonyms.

The evidence is Amazon data too: nothing read from an input reaches the store, a report, ``--json``
output or a log line without passing through here first. Secrets are replaced outright; PII that
must stay comparable across records (a principal, a source address) becomes a keyed HMAC
pseudonym, never a bare hash, which would be easy to reverse for small spaces such as IPv4.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import os
import re
from collections import Counter
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit, urlunsplit

SECRET = "[REDACTED]"

# Key names whose values are secrets, wherever they appear (key=value, JSON, YAML, HCL).
_SECRET_KEY = (
    r"(?:password|passwd|pwd|passphrase|secret|secret[_-]?access[_-]?key|client[_-]?secret|"
    r"api[_-]?key|apikey|access[_-]?token|refresh[_-]?token|auth[_-]?token|session[_-]?token|"
    r"token|private[_-]?key|authorization|credentials?)"
)
_SECRET_KEY_RE = re.compile(rf"^[\w.-]*{_SECRET_KEY}$", re.IGNORECASE)

# Field names (lower case, without _ and -) that hold buyer PII in structured inputs.
PII_FIELDS = frozenset(
    {
        "email",
        "emailaddress",
        "buyeremail",
        "buyername",
        "buyerinfo",
        "recipientname",
        "customername",
        "fullname",
        "firstname",
        "lastname",
        "phone",
        "phonenumber",
        "telephone",
        "mobile",
        "address",
        "addressline1",
        "addressline2",
        "addressline3",
        "street",
        "streetaddress",
        "shippingaddress",
        "billingaddress",
        "postalcode",
        "zipcode",
        "giftmessage",
        "buyertaxinfo",
        "buyertaxinformation",
        "taxid",
        "vatnumber",
    }
)

_SECRET_PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    (
        "private_key",
        re.compile(
            r"-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----.*?(?:-----END [A-Z0-9 ]*PRIVATE KEY-----|\Z)",
            re.DOTALL,
        ),
    ),
    ("lwa_secret", re.compile(r"amzn1\.oa2-cs\.v1\.[A-Za-z0-9]+")),
    ("lwa_token", re.compile(r"\bAtz[ar]\|[A-Za-z0-9_\-|+/=]+")),
    ("jwt", re.compile(r"\beyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]+")),
    ("bearer", re.compile(r"(?i)\bbearer\s+[A-Za-z0-9._~+/=-]{8,}")),
    ("url_password", re.compile(r"(?<=://)(?P<key>[^:/\s@]+:)(?P<value>[^@\s/]+)(?=@)")),
    (
        "key_value",
        re.compile(
            rf"(?i)(?P<key>\b[\w.-]*?{_SECRET_KEY}\b[\"']?\s*(?:[:=]|=>)\s*[\"']?)"
            r"(?!(?:true|false|null|none|yes|no)\b)(?P<value>[^\s\"',;&}<>]{3,})"
        ),
    ),
]

_PII_PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    ("email", re.compile(r"(?<![\w.+-])[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}\b")),
    (
        "phone",
        re.compile(
            r"(?<![\w+])(?:\+\d{1,3}[\s.-]?\(?\d{1,4}\)?(?:[\s.-]?\d{2,4}){2,4}"
            r"|\(\d{3}\)\s?\d{3}[\s.-]\d{4}|\b\d{3}[.-]\d{3}[.-]\d{4})\b"
        ),
    ),
    (
        "street_address",
        re.compile(
            r"\b\d{1,5}\s+(?:[A-Z][a-z]+\s+){1,3}"
            r"(?:Street|St|Avenue|Ave|Road|Rd|Boulevard|Blvd|Lane|Ln|Drive|Dr|Way|Court|Ct|Place|Pl)\b\.?"
        ),
    ),
    # An address may end a sentence ("resolver 198.51.100.7."), so only a dot followed by a digit
    # (a longer dotted number) stops the match.
    (
        "ipv4",
        re.compile(
            r"(?<![\d.])(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(?!\d|\.\d)"
        ),
    ),
    ("ipv6", re.compile(r"(?<![\w:])(?:[0-9A-Fa-f]{0,4}:){2,7}[0-9A-Fa-f]{0,4}(?![\w:])")),
]

# IPv4 addresses that identify no one (loopback, unspecified, documentation nets are kept as
# they are meaningful in configs); everything else is pseudonymised.
_KEEP_IPS = {"0.0.0.0", "127.0.0.1", "::", "::1", "255.255.255.255"}


def _valid_ipv6(text: str) -> bool:
    if "::" not in text and text.count(":") < 5:
        return False  # times such as 12:34:56 are not addresses
    try:
        return isinstance(ipaddress.ip_address(text), ipaddress.IPv6Address)
    except ValueError:
        return False


class Redactor:
    """Replaces secrets and PII in text and structured data, counting what it replaced.

    ``key`` keys the HMAC pseudonyms; the same key gives the same pseudonym for the same value,
    so a principal stays comparable across sources and runs. Without a configured key an
    ephemeral one is used: pseudonyms then compare only within one run.
    """

    def __init__(self, key: bytes) -> None:
        if len(key) < 16:
            raise ValueError("the pseudonym key must be at least 16 bytes")
        self._key = key
        self.counts: Counter[str] = Counter()

    @classmethod
    def ephemeral(cls) -> Redactor:
        """A redactor with a random key that lives only in memory."""
        return cls(os.urandom(32))

    def pseudonym(self, value: str, kind: str = "id") -> str:
        """A stable keyed pseudonym ``kind:xxxxxxxxxxxx`` for ``value``."""
        mac = hmac.new(self._key, f"{kind}\x00{value}".encode(), hashlib.sha256).hexdigest()
        return f"{kind}:{mac[:12]}"

    def principal(self, value: str) -> str:
        """Pseudonym of a user, role or account name."""
        return self.pseudonym(value.strip().lower(), "user")

    def address(self, value: str) -> str:
        """Pseudonym of a network address (kept as is for loopback and the unspecified address)."""
        value = value.strip()
        return value if value in _KEEP_IPS else self.pseudonym(value, "ip")

    def scrub(self, text: str) -> str:
        """Return ``text`` with secrets removed and PII replaced, counting each replacement."""
        for category, pattern in _SECRET_PATTERNS:
            text = pattern.sub(self._secret_replacer(category), text)
        for category, pattern in _PII_PATTERNS:
            text = pattern.sub(self._pii_replacer(category), text)
        return text

    def scrub_url(self, url: str) -> str:
        """Remove the password (and secret query values) from a URL before it is shown or stored."""
        parts = urlsplit(url)
        netloc = parts.netloc
        if parts.password is not None:
            host = netloc.rsplit("@", 1)[1]
            netloc = f"{parts.username}:{SECRET}@{host}"
            self.counts["url_password"] += 1
        query = self.scrub(parts.query) if parts.query else parts.query
        return urlunsplit((parts.scheme, netloc, parts.path, query, parts.fragment))

    def scrub_data(self, value: Any, key: str | None = None) -> Any:
        """Redact a JSON-like structure: secret keys lose their values, PII fields are replaced."""
        if key is not None and value not in (None, "", [], {}):
            if _SECRET_KEY_RE.match(key) and not isinstance(value, bool):
                self.counts["secret"] += 1
                return SECRET
            if normalise_field(key) in PII_FIELDS and isinstance(value, str | int | float | list | dict):
                self.counts["pii_field"] += 1
                return "[REDACTED PII]"
        if isinstance(value, dict):
            return {k: self.scrub_data(v, str(k)) for k, v in value.items()}
        if isinstance(value, list):
            return [self.scrub_data(v) for v in value]
        if isinstance(value, str):
            return self.scrub(value)
        return value

    def _secret_replacer(self, category: str) -> Callable[[re.Match[str]], str]:
        def replace(match: re.Match[str]) -> str:
            self.counts["secret"] += 1
            if match.groupdict().get("key"):
                return match["key"] + SECRET
            return SECRET

        return replace

    def _pii_replacer(self, category: str) -> Callable[[re.Match[str]], str]:
        def replace(match: re.Match[str]) -> str:
            found = match[0]
            if category == "ipv6" and not _valid_ipv6(found):
                return found
            if category in ("ipv4", "ipv6"):
                if found in _KEEP_IPS:
                    return found
                self.counts["ip"] += 1
                return self.pseudonym(found, "ip")
            self.counts[category] += 1
            if category == "email":
                return self.pseudonym(found.lower(), "email")
            return f"[REDACTED {category}]"

        return replace


def normalise_field(name: str) -> str:
    """Lower-case a field name and drop ``_``/``-``/spaces so ``Buyer_Email`` matches ``buyeremail``."""
    return re.sub(r"[\s_\-]", "", name).lower()


def find_pii(text: str) -> Counter[str]:
    """Count PII categories present in ``text`` (never returns the values themselves)."""
    found: Counter[str] = Counter()
    for category, pattern in _PII_PATTERNS:
        for match in pattern.finditer(text):
            if category == "ipv6" and not _valid_ipv6(match[0]):
                continue
            if category in ("ipv4", "ipv6") and match[0] in _KEEP_IPS:
                continue
            found[category] += 1
    return found


def looks_like_secret_key(name: str) -> bool:
    """Whether a setting or field called ``name`` holds a secret."""
    return bool(_SECRET_KEY_RE.match(name))
