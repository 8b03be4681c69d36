"""What the transport checks share: the minimum TLS version."""

from __future__ import annotations

from evidence.controls.context import CheckContext, Params
from evidence.model.protocols import canonical


class TlsParams(Params):
    """The oldest TLS version any channel may accept (``"1.2"`` or ``TLSv1.2``)."""

    min_tls_version: str


def minimum_tls(ctx: CheckContext) -> str:
    """Return the control's ``min_tls_version`` as a canonical name (``"1.2"`` -> ``TLSv1.2``)."""
    minimum = canonical(ctx.parameters(TlsParams).min_tls_version)
    if minimum is None:
        raise ValueError(f"{ctx.control.id}: min_tls_version is not a TLS version")
    return minimum
