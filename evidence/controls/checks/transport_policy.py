"""What the transport checks share: the minimum TLS version."""

from __future__ import annotations

from evidence.controls.context import CheckContext
from evidence.model.protocols import canonical


def minimum_tls(ctx: CheckContext) -> str:
    """Return the control's ``min_tls_version`` as a canonical name (``"1.2"`` -> ``TLSv1.2``)."""
    minimum = canonical(str(ctx.params.get("min_tls_version", "1.2")))
    if minimum is None:
        raise ValueError(f"{ctx.control.id}: min_tls_version is not a TLS version")
    return minimum
