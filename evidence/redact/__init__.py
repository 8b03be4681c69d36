"""Redaction of buyer PII and secrets, and keyed pseudonyms for values that must stay comparable.

The evidence is Amazon data too: nothing read from an input reaches the store, a report, ``--json``
output or a log line without passing through here first (the pipeline passes every stored
string of every item through :meth:`Redactor.scrub_data`, whatever its collector did). Secrets
are replaced outright; PII that must stay comparable across records (a principal, a source
address, an e-mail address) becomes a keyed HMAC pseudonym, never a bare hash, which would be
easy to reverse for small spaces such as IPv4. Every detector runs over the same text and
overlapping finds are merged before anything is replaced, so no piece of a value is left.

Detectors: :mod:`.secrets` (known formats, detect-secrets, entropy), :mod:`.pii` (e-mail,
cards, phones, national ids, street addresses, names) and :mod:`.addresses` (the policy of
which network addresses stay in clear).
"""

from __future__ import annotations

import hashlib
import os
import re
from collections import Counter
from collections.abc import Iterable, Iterator
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from evidence.redact import addresses, pii
from evidence.redact.secrets import is_secret_key, secret_spans
from evidence.redact.spans import Merged, Span, merge

SECRET = "[REDACTED]"

# Field names (lower case, without _ and -) that hold buyer PII in structured inputs.
PII_FIELDS = frozenset(
    {
        "email",
        "emailaddress",
        "buyeremail",
        "buyername",
        "buyerinfo",
        "recipient",
        "recipientname",
        "customername",
        "fullname",
        "firstname",
        "lastname",
        "contactname",
        "cardholder",
        "cardholdername",
        "billingname",
        "shippingname",
        "shipto",
        "shiptoname",
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
        "cardnumber",
        "creditcard",
        "pan",
        "ssn",
        "iban",
    }
)

# One cheap search decides whether a string needs the detectors at all: every detector's
# match contains one of these (a digit run, '@', '://', a secret-ish word, a long token, a
# capitalised word after a person-introducing word ...). Most strings of the evidence fail it.
_TRIGGER = re.compile(
    r"\d|@|://|-----BEGIN|[A-Za-z0-9+/=_-]{32}|(?i:key|token|secret|passw|pwd|pw=|pass=|sk=|sig=|auth|"
    r"credential|bearer|name=|ship|recipient|buyer|customer|cardholder|attn|addressee|bill\s+to|"
    r"sold\s+to|contact|full\s+name)|[0-9A-Fa-f]{1,4}::?[0-9A-Fa-f]{0,4}:"
)


class Redactor:
    """Replaces secrets and PII in text and structured data, counting what it replaced.

    ``key`` keys the HMAC pseudonyms; the same key gives the same pseudonym for the same value,
    so a principal stays comparable across sources and runs. Without a configured key an
    ephemeral one is used: pseudonyms then compare only within one run. ``names`` are people's
    names known from the config and identity sources, redacted wherever they appear.
    """

    def __init__(
        self, key: bytes, names: Iterable[str] = (), networks: Iterable[object] = (), *, keyed: bool = True
    ) -> None:
        if len(key) < 16:
            raise ValueError("the pseudonym key must be at least 16 bytes")
        self._key = key
        # HMAC-SHA256 with the key's inner and outer pads hashed once: each pseudonym then costs
        # two hash copies instead of a new HMAC object (identical output, several times faster).
        block = key if len(key) <= 64 else hashlib.sha256(key).digest()
        block = block.ljust(64, b"\0")
        self._inner = hashlib.sha256(bytes(b ^ 0x36 for b in block))
        self._outer = hashlib.sha256(bytes(b ^ 0x5C for b in block))
        self._names = sorted(set(names))
        self._known = pii.known_names(self._names)
        self.counts: Counter[str] = Counter()
        #: The developer's own networks (allowed networks in the config): kept in clear.
        self.networks = addresses.networks(networks)
        #: Whether the key is the configured one (pseudonyms then compare across runs).
        self.keyed = keyed
        #: Staff and system identities pseudonymised so far: value -> pseudonym (see :meth:`principal`).
        self.identities: dict[str, str] = {}
        #: Those of them searched for in free text (see ``_NETTED``).
        self._netted: set[str] = set()

    @classmethod
    def ephemeral(cls, names: Iterable[str] = (), networks: Iterable[object] = ()) -> Redactor:
        """A redactor with a random key that lives only in memory."""
        return cls(os.urandom(32), names, networks, keyed=False)

    def key_for_sealing(self) -> bytes:
        """The pseudonym key, to seal the run's identity map with (see evidence.pack.reveal)."""
        return self._key

    def know_names(self, names: Iterable[str]) -> None:
        """Add people's names (staff, leavers) to redact wherever they appear."""
        self._names = sorted(set(self._names) | {n for n in names if n})
        self._known = pii.known_names(self._names)

    def pseudonym(self, value: str, kind: str = "id") -> str:
        """A stable keyed pseudonym ``kind:xxxxxxxxxxxx`` for ``value``."""
        inner = self._inner.copy()
        inner.update(f"{kind}\x00{value}".encode())
        outer = self._outer.copy()
        outer.update(inner.digest())
        return f"{kind}:{outer.hexdigest()[:12]}"

    def principal(self, value: str) -> str:
        """Pseudonym of a user, role or account name.

        Every name pseudonymised is remembered (:attr:`identities`): the same name met later in
        text no collector parses is replaced by the same pseudonym (no clear name ever sits
        beside its pseudonym), and the auditor's key (``evidence pack --reveal-to``) lists them.
        """
        clean = value.strip().lower()
        found = self.identities.get(clean)
        if found is None:
            found = self.pseudonym(clean, "user")
            if clean:
                self.identities[clean] = found
                if _NETTED.fullmatch(clean) and "@" not in clean and not clean.isdigit():
                    self._netted.add(clean)
        return found

    def address(self, value: str) -> str:
        """Pseudonym of a network address (kept as is where :mod:`.addresses` says so)."""
        value = value.strip()
        return value if addresses.keep_in_clear(value, self.networks) else self.pseudonym(value, "ip")

    def scrub(self, text: str, *, addresses: bool = True) -> str:
        """Return ``text`` with secrets removed and PII replaced, counting each replacement.

        ``addresses=False`` leaves network addresses as they are: the last pass over stored
        facts keeps each collector's own decision about them (see :mod:`.addresses`).
        """
        if not text:
            return text
        if not _TRIGGER.search(text) and self._known is None:
            if not self._netted or not any(list(_seen_spans(text, self._netted))):
                return text
        regions = merge(self._spans(text, addresses))
        if not regions:
            return text
        out: list[str] = []
        last = 0
        for region in regions:
            out.append(text[last : region.start])
            out.append(self._replacement(text[region.start : region.end], region))
            last = region.end
        out.append(text[last:])
        return "".join(out)

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

    def scrub_data(self, value: Any, key: str | None = None, *, addresses: bool = True, whole: bool = True) -> Any:
        """Redact a JSON-like structure: secret keys lose their values, PII fields are replaced.

        Every other string is scrubbed as text, so a secret or a card number under an innocent
        key (``sk``, ``description``, ``owner``) is found all the same. With ``whole=False``
        (our own facts, whose keys are ours: a login method called ``password`` holds counts,
        an ``address`` holds a pseudonym) only a secret key replaces a value, and only a text
        one; everything else is searched as text.
        """
        replaceable = whole or isinstance(value, str)
        if key is not None and value not in (None, "", [], {}) and replaceable:
            if is_secret_key(key) and not isinstance(value, bool):
                self.counts["secret"] += 1
                return SECRET
            # Our own facts' keys name what we counted, not what an input held (``whole=False``).
            field = normalise_field(key) if whole else ""
            if (
                field in PII_FIELDS
                and isinstance(value, str | int | float | list | dict)
                and not (field == "address" and isinstance(value, str) and _network_name(value))
            ):
                self.counts["pii_field"] += 1
                return "[REDACTED PII]"
            if field == "name" and isinstance(value, str) and pii.PERSON_VALUE.match(value):
                self.counts["name"] += 1
                return "[REDACTED name]"
        if isinstance(value, dict):
            named = parameter_name(value) if whole else None
            return {
                k: self.scrub_data(
                    v, named if named and k in PARAMETER_VALUES else str(k), addresses=addresses, whole=whole
                )
                for k, v in value.items()
            }
        if isinstance(value, list):
            return [self.scrub_data(v, addresses=addresses, whole=whole) for v in value]
        if isinstance(value, str):
            return self.scrub(value, addresses=addresses)
        return value

    def _spans(self, text: str, addresses: bool = True) -> Iterator[Span]:
        yield from secret_spans(text)
        yield from pii.card_spans(text)
        yield from pii.national_id_spans(text)
        for match in pii.EMAIL.finditer(text):
            yield Span(match.start(), match.end(), "email")
        yield from pii.phone_spans(text)
        yield from pii.street_spans(text)
        yield from pii.name_spans(text, self._known)
        if self._netted:
            yield from _seen_spans(text, self._netted)
        if addresses:
            yield from _address_spans(text, self.networks)

    def _replacement(self, found: str, region: Merged) -> str:
        category = region.category
        if category == "ip" and region.single:
            self.counts["ip"] += 1
            return self.pseudonym(found, "ip")
        if category == "email" and region.single:
            self.counts["email"] += 1
            return self.pseudonym(found.lower(), "email")
        if category == "secret":
            self.counts["secret"] += 1
            return SECRET
        if category == "principal" and region.single:
            self.counts["principal"] += 1
            return self.principal(found)
        if category == "principal":
            category = "name"
        self.counts[category] += 1
        return f"[REDACTED {category}]"


#: Keys holding the value of a ``{"name": ..., "value": ...}`` parameter (Google Workspace's event
#: parameters, Microsoft Graph's modified properties): the value is judged under the parameter's name.
PARAMETER_VALUES = frozenset({"value", "multiValue", "boolValue", "intValue", "newValue", "oldValue"})


def parameter_name(value: dict[Any, Any]) -> str | None:
    """The name of a ``{"name": ..., "value": ...}`` parameter, None for any other object."""
    name = value.get("name", value.get("displayName"))
    if isinstance(name, str) and name and not PARAMETER_VALUES.isdisjoint(value):
        return name
    return None


def _address_spans(text: str, own: tuple[addresses.IpNet, ...] = ()) -> Iterator[Span]:
    for match in addresses.IPV4.finditer(text):
        if not addresses.keep_in_clear(match[0], own) and not addresses.is_range(text, match.end()):
            yield Span(match.start(), match.end(), "ip")
    if ":" in text:
        for match in addresses.IPV6.finditer(text):
            if (
                addresses.valid_ipv6(match[0])
                and not addresses.keep_in_clear(match[0], own)
                and not addresses.is_range(text, match.end())
            ):
                yield Span(match.start(), match.end(), "ip")


# Which pseudonymised names are also searched for in free text: those that cannot be an
# ordinary word (a dot, underscore, dash or digit inside, as logins are written: tom.okafor,
# svc_deploy, j-smith2; e-mail addresses have their own detector). A bare word such as "admin"
# or "oracle" (what brute-force attempts try) would otherwise replace that word everywhere.
_NETTED = re.compile(r"(?=.{3,64}$)[a-z0-9][a-z0-9._@-]*[._@\d-][a-z0-9._@-]*[a-z0-9]")


# A login-like word: letters or digits, with dots, dashes or underscores inside.
_TOKEN = re.compile(r"(?<![\w@])[A-Za-z0-9][A-Za-z0-9._-]*[A-Za-z0-9]")


def _seen_spans(text: str, netted: set[str]) -> Iterator[Span]:
    """Where a pseudonymised login appears as a word (or joined to more by a dash: ``tom.okafor-ops``).

    A lookup per word rather than one pattern of every login: logins keep arriving (every
    invalid user a brute-force attempt tries), and a pattern would be rebuilt for each.
    """
    if not ("." in text or "_" in text or "-" in text or any(c.isdigit() for c in text)):
        return
    for match in _TOKEN.finditer(text):
        word = match[0].lower()
        if word in netted:
            yield Span(match.start(), match.end(), "principal")
            continue
        cut = word.find("-")
        while cut > 0:
            if word[:cut] in netted:
                yield Span(match.start(), match.start() + cut, "principal")
                break
            cut = word.find("-", cut + 1)


#: A host name (``orders-db.c1x2.eu-west-1.rds.amazonaws.com``): an endpoint, not a person.
_HOST_NAME = re.compile(r"(?i)(?=.{4,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z][a-z0-9-]{0,62}")


def _network_name(value: str) -> bool:
    """Whether an ``address`` field holds a host name or an IP address rather than a street address.

    An IP address is then judged as text (client addresses still become pseudonyms).
    """
    value = value.strip()
    return bool(_HOST_NAME.fullmatch(value) or addresses.IPV4.fullmatch(value) or addresses.valid_ipv6(value))


def normalise_field(name: str) -> str:
    """Lower-case a field name and drop ``_``/``-``/spaces so ``Buyer_Email`` matches ``buyeremail``."""
    return re.sub(r"[\s_\-]", "", name).lower()


_COUNTED = {"email": "email", "phone": "phone", "street_address": "street_address", "card": "card"}


def find_pii(text: str) -> Counter[str]:
    """Count PII categories present in ``text`` (never returns the values themselves)."""
    found: Counter[str] = Counter()
    spans: list[Span] = [Span(m.start(), m.end(), "email") for m in pii.EMAIL.finditer(text)]
    spans.extend(pii.phone_spans(text))
    spans.extend(pii.street_spans(text))
    spans.extend(pii.card_spans(text))
    for region in merge(spans):
        found[_COUNTED[region.category]] += 1
    for match in addresses.IPV4.finditer(text):
        if not addresses.keep_in_clear(match[0]) and not addresses.is_range(text, match.end()):
            found["ipv4"] += 1
    if ":" in text:
        for match in addresses.IPV6.finditer(text):
            if (
                addresses.valid_ipv6(match[0])
                and not addresses.keep_in_clear(match[0])
                and not addresses.is_range(text, match.end())
            ):
                found["ipv6"] += 1
    return found


def looks_like_secret_key(name: str) -> bool:
    """Whether a setting or field called ``name`` holds a secret."""
    return is_secret_key(name)
