"""People's data found in text: e-mail, phone, payment cards, national ids, addresses and names.

- e-mail by pattern; payment cards by pattern, issuer prefix and the Luhn check;
- phone numbers by Google's libphonenumber (the ``phonenumbers`` package), asked only about
  candidates written as phone numbers are (a ``+``, brackets or separators between groups);
- US social security numbers and IBANs by Presidio's pattern recognisers (presidio-analyzer),
  which run without any language model; imported only when a candidate appears;
- street addresses by pattern (number, capitalised words, a street suffix, a direction);
- names where they can be known: after name-like query keys (``buyer_name=``), after words that
  introduce a person (``ship to``, ``recipient``), and the names the config and the identity
  sources give. Names in free text without such a hint need a language model, which is not
  shipped (the official spaCy models are not on the package registries).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import cache
from typing import Any

import phonenumbers

from evidence.redact.spans import Span

EMAIL = re.compile(r"(?<![\w.+-])[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}\b")

# Digits in groups, as cards are written: 13 to 19 digits, single spaces or dashes between.
_CARD = re.compile(r"(?<![\w-])\d(?:[ -]?\d){12,18}(?![\w-])")
# Issuer prefixes: Visa, Mastercard, American Express, Discover, JCB, Diners, UnionPay, Maestro.
_ISSUER = re.compile(r"^(?:4|5[1-5]|2[2-7]|3[47]|6(?:011|5|4[4-9]|2)|35|3(?:0[0-5]|[68])|5[06789]|6)")

# A phone number as people write one: "+" or brackets, or at least three groups of digits.
_PHONE = re.compile(
    r"(?<![\w.:/+-])(?:\+\d[\d\s().-]{6,20}\d|\(\d{2,4}\)[\d\s.-]{5,14}\d|\d{2,4}(?:[\s.-]\d{2,4}){2,4})(?![\w])"
)
_DATE_OR_DOTTED = re.compile(r"^\d{4}-\d{2}-\d{2}|^\d{1,3}(?:\.\d{1,3}){3}$|^\d{2}[./]\d{2}[./]\d{4}")
#: Regions a number without "+" is read in: Amazon's marketplaces, most likely first.
PHONE_REGIONS = ("US", "GB", "DE", "FR", "IT", "ES", "JP", "IN", "CA", "AU", "MX", "BR", "NL", "SE", "PL")

_STREET = re.compile(
    r"\b\d{1,5}[A-Za-z]?\s+(?:[A-Z][a-z]+\.?\s+){1,3}"
    r"(?:Street|St|Avenue|Ave|Road|Rd|Boulevard|Blvd|Lane|Ln|Drive|Dr|Way|Court|Ct|Place|Pl|Terrace|"
    r"Parkway|Pkwy|Highway|Hwy|Square|Sq|Circle|Cir|Close|Crescent|Gardens|Row|Trail|Alley)\b\.?"
    r"(?:\s+(?:North|South|East|West|Northeast|Northwest|Southeast|Southwest|NE|NW|SE|SW|N|S|E|W)\b\.?)?"
    r"(?:,?\s+(?:Suite|Ste|Apt|Apartment|Unit|Floor|Fl|#)\s*\.?\s*[\w-]+)?"
)

# Keys whose values name a person, in query strings and key=value text.
NAME_KEYS = (
    "name", "buyer_name", "buyername", "ship_to", "shipto", "ship_to_name", "recipient", "recipient_name",
    "recipientname", "customer_name", "customername", "first_name", "firstname", "last_name", "lastname",
    "full_name", "fullname", "contact_name", "cardholder", "cardholder_name", "billing_name", "shipping_name",
)
_NAME_PARAM = re.compile(
    r"(?i)(?:(?<=[?&;])|(?<![\w.-]))(?:" + "|".join(NAME_KEYS) + r")=(?P<value>[^&\s#\"';,]+"
    r"(?-i:(?:\s[A-Z][a-z'’-]+){0,2}))"
)
_PERSON = r"[A-Z][a-z'’-]+(?:\s+[A-Z]\.?)?(?:\s+[A-Z][a-z'’-]+){1,2}"
# A person named after words that introduce one: "ship to Jane Doe", "recipient: Jane Doe".
_INTRODUCED = re.compile(
    r"(?i:\b(?:ship(?:ped)?\s+to|deliver(?:ed)?\s+to|recipient|buyer|customer|cardholder|attn|"
    r"addressee|bill\s+to|sold\s+to|contact\s+name|full\s+name)\b[:\s]\s*)(?P<value>" + _PERSON + ")"
)
PERSON_VALUE = re.compile(rf"^{_PERSON}$")

# Candidates for Presidio: an SSN written with separators, or an IBAN's country and check digits.
_NATIONAL = re.compile(
    r"(?<![\w-])\d{3}[- ]\d{2}[- ]\d{4}(?![\w-])|\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,4})?\b"
)


def luhn_valid(digits: str) -> bool:
    """The Luhn check every payment card number passes."""
    total = 0
    for index, char in enumerate(reversed(digits)):
        value = int(char)
        if index % 2:
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return total % 10 == 0


def card_spans(text: str) -> Iterator[Span]:
    """Payment card numbers (13-19 digits, an issuer prefix, Luhn-valid), however spaced.

    A run of digit groups may hold a card and more (``4111 1111 1111 1111 9``): every run of
    whole groups is tried, longest first, so the card is found and no tail of it survives.
    """
    for match in _CARD.finditer(text):
        groups = [(g.start(), g.end()) for g in re.finditer(r"\d+", match[0])]
        for first in range(len(groups)):
            found = None
            digits = ""
            for last in range(first, len(groups)):
                digits += match[0][groups[last][0] : groups[last][1]]
                if len(digits) > 19:
                    break
                if len(digits) >= 13 and _ISSUER.match(digits) and luhn_valid(digits):
                    found = last
            if found is not None:
                yield Span(match.start() + groups[first][0], match.start() + groups[found][1], "card")
                break


def phone_spans(text: str) -> Iterator[Span]:
    """Phone numbers libphonenumber calls valid, among candidates written as phone numbers."""
    for match in _PHONE.finditer(text):
        candidate = match[0]
        digits = sum(c.isdigit() for c in candidate)
        if digits < 7 or digits > 15 or _DATE_OR_DOTTED.match(candidate):
            continue
        regions = (None,) if candidate.startswith("+") else PHONE_REGIONS
        for region in regions:
            found = list(phonenumbers.PhoneNumberMatcher(candidate, region or "US", phonenumbers.Leniency.VALID))
            for number in found:
                yield Span(match.start() + number.start, match.start() + number.end, "phone")
            if found:
                break


def street_spans(text: str) -> Iterator[Span]:
    """Street addresses: a number, capitalised words, a street suffix, a direction or unit."""
    for match in _STREET.finditer(text):
        yield Span(match.start(), match.end(), "street_address")


_PARAM_WORDS = ("name=", "ship_to=", "shipto=", "recipient=", "cardholder=")
_INTRO_WORDS = (
    "ship", "deliver", "recipient", "buyer", "customer", "cardholder", "attn", "addressee", "bill",
    "sold", "contact", "full",
)


def name_spans(text: str, known: re.Pattern[str] | None) -> Iterator[Span]:
    """Names after name-like keys and person-introducing words, and known people's names."""
    lower = text.lower()
    for words, pattern in ((_PARAM_WORDS, _NAME_PARAM), (_INTRO_WORDS, _INTRODUCED)):
        if any(word in lower for word in words):  # a substring search gates each pattern scan
            for match in pattern.finditer(text):
                yield Span(match.start("value"), match.end("value"), "name")
    if known is not None:
        for match in known.finditer(text):
            yield Span(match.start(), match.end(), "name")


@cache
def _recognisers() -> list[Any]:
    """Presidio's pattern recognisers for US SSNs and IBANs (pure patterns and checksums).

    Imported on first need: presidio-analyzer brings spaCy, whose import takes a second. Its
    e-mail and URL recognisers are not used: they look up public suffixes on the network.
    """
    from presidio_analyzer.predefined_recognizers import IbanRecognizer, UsSsnRecognizer

    return [UsSsnRecognizer(), IbanRecognizer()]


def national_id_spans(text: str) -> Iterator[Span]:
    """US social security numbers and IBANs, when a cheap candidate pattern appears first."""
    if not _NATIONAL.search(text):
        return
    for recogniser in _recognisers():
        for result in recogniser.analyze(text, recogniser.supported_entities, None):
            if result.score >= 0.5:
                category = "iban" if result.entity_type == "IBAN_CODE" else "national_id"
                yield Span(result.start, result.end, category)


def known_names(names: list[str]) -> re.Pattern[str] | None:
    """A pattern for people's names the config and identity sources give (whole words, any case)."""
    words = sorted({n.strip() for n in names if len(n.strip()) >= 3}, key=len, reverse=True)
    if not words:
        return None
    return re.compile(r"(?i)(?<!\w)(?:" + "|".join(re.escape(w) for w in words) + r")(?!\w)")
