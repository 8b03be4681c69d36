"""AWS responses made safe to store: IAM users pseudonymised (see :mod:`.arns`), secrets withheld."""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable, Iterator
from typing import Any

from evidence.collectors.aws.arns import pseudonymise_text
from evidence.collectors.aws.credential_report import redact_credential_report
from evidence.redact import SECRET, Redactor

#: JSON keys whose values are IAM user names.
USER_KEYS = frozenset({"UserName", "Username", "userName", "user"})
#: JSON keys whose values are secret material in AWS responses, whatever the generic rules say.
SECRET_KEYS = frozenset({"SecretString", "SecretBinary", "Plaintext", "CiphertextBlob", "private"})


def redact_aws_json(value: Any, redactor: Redactor, key: str | None = None) -> Any:
    """Copy an AWS response so it is safe to store: users pseudonymised, secrets and PII removed."""
    if key == "Content" and isinstance(value, str | bytes):
        return _redacted_report(value, redactor)
    if key in SECRET_KEYS and value not in (None, ""):
        redactor.counts["secret"] += 1
        return SECRET
    if key in USER_KEYS and isinstance(value, str) and value:
        return redactor.principal(value)
    if isinstance(value, dict):
        return {k: redact_aws_json(v, redactor, str(k)) for k, v in value.items()}
    if isinstance(value, list):
        return [redact_aws_json(v, redactor) for v in value]
    if isinstance(value, str):
        return redactor.scrub_data(pseudonymise_text(value, redactor), key)
    return redactor.scrub_data(value, key)


def redacted_aws_text(text: str, redactor: Redactor, line: Callable[[str], str] | None = None) -> Iterator[bytes]:
    """A saved AWS JSON document redacted field by field; text that is no JSON redacted by ``line``.

    ``line`` defaults to scrubbing the line of PII.
    """
    try:
        document = json.loads(text)
    except json.JSONDecodeError:
        scrub = line or redactor.scrub
        return (scrub(each).encode("utf-8") for each in text.splitlines(keepends=True))
    return iter([json.dumps(redact_aws_json(document, redactor), indent=2).encode("utf-8")])


def _redacted_report(value: str | bytes, redactor: Redactor) -> str:
    """Pseudonymise a credential report's Content (CSV, or base64 CSV as the CLI prints it)."""
    text = value.decode("utf-8", errors="replace") if isinstance(value, bytes) else value
    if not text.startswith("user,"):
        try:
            text = base64.b64decode(text, validate=True).decode("utf-8", errors="replace")
        except (binascii.Error, ValueError):
            redactor.counts["secret"] += 1
            return SECRET
    if not text.startswith("user,"):
        redactor.counts["secret"] += 1
        return SECRET
    return redact_credential_report(text, redactor)
