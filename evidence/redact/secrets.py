"""Secrets found anywhere in a value, whatever the field is called.

Three layers, each a superset guard for the next:

- known formats of our own inputs (Login with Amazon secrets and tokens, bearer tokens, a
  password in a URL or a ``key=value`` under a secret-looking key, private key blocks, AWS
  access key ids, query parameters that carry signatures or passwords);
- detect-secrets' maintained plugins for the formats of other vendors (GitHub, Slack, Stripe,
  Twilio, SendGrid, npm, PyPI, Azure, JWT, AWS secret keys near their name ...), run only on
  text a cheap hint pattern says could hold one, and never with their network verification;
- entropy: a long token mixing upper case, lower case and digits, as random keys do and words,
  hashes and identifiers do not (an AWS secret key in a field called ``sk`` or in free text).
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterator
from functools import cache
from typing import Any

from evidence.redact.spans import Span

# Key names whose values are secrets, wherever they appear (key=value, JSON, YAML, HCL, URLs).
# A long name may carry a prefix (db_password, MasterUserPassword); a short one must be the
# whole key, so ``task=`` or ``bypass=`` are not taken for ``sk=`` and ``pass=``.
_LONG_KEYS = (
    r"(?:password|passwd|pwd|passphrase|secret|secret[_-]?access[_-]?key|client[_-]?secret|"
    r"api[_-]?key|apikey|access[_-]?token|refresh[_-]?token|auth[_-]?token|session[_-]?token|"
    r"security[_-]?token|token|private[_-]?key|authorization|credentials?)"
)
_SHORT_KEYS = r"(?:pw|pass|sk|sig|signature|x-amz-signature|x-amz-credential|x-amz-security-token)"
_FIELD_KEY_RE = re.compile(rf"^[\w.-]*{_LONG_KEYS}$|^(?:[\w.-]*[_.-])?(?:pw|pass|sk)$", re.IGNORECASE)

# Each pattern with a cheap gate that every match contains (a substring of the lower-cased text,
# or a small regex), so a log line costs a few substring searches rather than eight scans.
_PATTERNS: list[tuple[tuple[str, ...] | re.Pattern[str], re.Pattern[str]]] = [
    (
        ("-----begin",),
        re.compile(
            r"-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----.*?(?:-----END [A-Z0-9 ]*PRIVATE KEY-----|\Z)", re.DOTALL
        ),
    ),
    (("amzn1.oa2-cs",), re.compile(r"amzn1\.oa2-cs\.v1\.[A-Za-z0-9]+")),
    (("atza|", "atzr|"), re.compile(r"\bAtz[ar]\|[A-Za-z0-9_\-|+/=]+")),
    (("eyj",), re.compile(r"\beyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]+")),
    # AWS access key ids (long-term AKIA, temporary ASIA, and the rarer prefixes).
    (
        re.compile(r"A[A-Z0-9]{19}"),
        re.compile(
            r"(?<![A-Z0-9])(?:AKIA|ASIA|ABIA|ACCA|AGPA|AIDA|AROA|ANPA|ANVA|AIPA|A3T[A-Z0-9])[A-Z0-9]{16}(?![A-Z0-9])"
        ),
    ),
    # The value only, so the reader still sees which key or scheme held a secret.
    (("bearer",), re.compile(r"(?i)\bbearer\s+(?P<value>[A-Za-z0-9._~+/=-]{8,})")),
    (("://",), re.compile(r"(?<=://)(?P<key>[^:/\s@]*:)(?P<value>[^@\s/]+)(?=@)")),
    (
        ("pass", "pwd", "pw", "secret", "token", "key", "auth", "credential", "sig", "sk", "x-amz"),
        re.compile(
            rf"(?i)(?P<key>(?:(?<![A-Za-z0-9])[\w.-]*?{_LONG_KEYS}|(?<![\w.-]){_SHORT_KEYS})\b"
            r"[\"']?\s*(?:[:=]|=>)\s*[\"']?)"
            r"(?!(?:true|false|null|none|yes|no)\b)(?P<value>[^\s\"',;&}<>]{3,})"
        ),
    ),
]

# Entropy: tokens of the base64/url-safe alphabet, long enough to be keys.
_TOKEN = re.compile(r"(?<![A-Za-z0-9+/=_-])[A-Za-z0-9+/=_-]{32,}(?![A-Za-z0-9+/=_-])")
_MIN_ENTROPY = 4.2
_SEPARATORS = re.compile(r"[-_/+=.]")

# Cheap hint that detect-secrets' plugins could find something (a superset of their triggers):
# keywords and prefixes (substrings of the lower-cased text), then formats without a keyword.
_HINT_WORDS = (
    "key", "token", "secret", "passw", "pwd", "auth", "credential", "bearer", "-----begin", "eyj",
    "ghp_", "gho_", "ghu_", "ghs_", "ghr_", "github_pat", "glpat", "xox", "sk_live", "rk_live", "sk-",
    "sg.", "pypi-", "npm_", "sq0", "aiza", "hooks.slack", "t3blbkfj", "ibm", "cloudant", "softlayer",
    "akc", "-us",
)
_HINT_FORMATS = re.compile(
    r"\d{8,10}:[\w-]{30}|[\"'][A-Za-z0-9+/=]{20,}[\"']|://[^\s/@]*:[^\s/@]+@|SK[0-9a-f]{32}|AC[a-z0-9]{32}"
    r"|AP[0-9A-F][a-z0-9]{8}|[MNO][\w-]{23,25}\.[\w-]{6}\."
)


def _hinted(text: str, lower: str) -> bool:
    return any(word in lower for word in _HINT_WORDS) or _HINT_FORMATS.search(text) is not None


# detect-secrets plugins left out: IP addresses are pseudonymised elsewhere, and hex strings
# are what hashes (which the evidence is full of) look like.
_SKIPPED_PLUGINS = {"IPPublicDetector", "HexHighEntropyString"}


def entropy(text: str) -> float:
    """Shannon entropy of ``text`` in bits per character."""
    counts = Counter(text)
    size = len(text)
    return -sum(n / size * math.log2(n / size) for n in counts.values())


def looks_random(token: str) -> bool:
    """A key-like token: mixes upper case, lower case and digits, with high entropy; not hex.

    Identifiers and paths (``parcelpilot-labels-2026``, ``/api/v1/Orders``) break into short
    words at their separators; a random key has a long unbroken run, so one is required.
    """
    if not (any(c.isupper() for c in token) and any(c.islower() for c in token)):
        return False
    if not any(c.isdigit() for c in token):
        return False
    if max(len(part) for part in _SEPARATORS.split(token)) < 16:
        return False
    return entropy(token) >= _MIN_ENTROPY


@cache
def _plugins() -> list[Any]:
    """detect-secrets' plugins (imported on first need; verification never runs)."""
    from detect_secrets.core.plugins.util import get_mapping_from_secret_type_to_class

    classes: list[Any] = list(get_mapping_from_secret_type_to_class().values())
    return [cls() for cls in sorted(classes, key=lambda c: c.__name__) if cls.__name__ not in _SKIPPED_PLUGINS]


def _plugin_spans(text: str) -> Iterator[Span]:
    for plugin in _plugins():
        name = type(plugin).__name__
        if name in ("KeywordDetector", "Base64HighEntropyString"):
            for value in plugin.analyze_string(text):
                if len(value) < 4 or value.lower() in ("true", "false", "null", "none"):
                    continue
                weak = name == "Base64HighEntropyString" and (
                    plugin.calculate_shannon_entropy(value) <= plugin.entropy_limit
                )
                if weak:
                    continue
                start = text.find(value)
                while start >= 0:
                    yield Span(start, start + len(value), "secret")
                    start = text.find(value, start + len(value))
            continue
        for regex in getattr(plugin, "denylist", ()):
            for match in regex.finditer(text):
                # A plugin's first group is the secret when it is one (an AWS secret key after its
                # name); a short group is only a prefix (ghp), so the whole match goes.
                if match.re.groups and match.group(1) and len(match.group(1)) >= 8:
                    yield Span(match.start(1), match.end(1), "secret")
                else:
                    yield Span(match.start(), match.end(), "secret")


def secret_spans(text: str) -> Iterator[Span]:
    """Every secret found in ``text``, as spans (the key of a ``key=value`` is not part of it)."""
    lower = text.lower()
    for gate, pattern in _PATTERNS:
        if isinstance(gate, tuple):
            if not any(word in lower for word in gate):
                continue
        elif not gate.search(text):
            continue
        for match in pattern.finditer(text):
            if "value" in pattern.groupindex:
                yield Span(match.start("value"), match.end("value"), "secret")
            else:
                yield Span(match.start(), match.end(), "secret")
    for match in _TOKEN.finditer(text):
        if looks_random(match[0]):
            yield Span(match.start(), match.end(), "secret")
    if _hinted(text, lower):
        yield from _plugin_spans(text)


def is_secret_key(name: str) -> bool:
    """Whether a field called ``name`` holds a secret (``password``, ``client_secret``, ``sk`` ...)."""
    return bool(_FIELD_KEY_RE.match(name))
