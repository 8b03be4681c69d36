"""Applying waivers: a waiver in force at the as-of instant turns a gap into "waived".

An expired, revoked or not-yet-granted waiver does nothing to the status: the control shows its
real status, and a reason says which waiver exists and why it does not count. Waivers never
touch a control that is met or not applicable. When several waivers are in force for one
control, the one that lasts longest decides (ties broken by id), so the result is stable.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from evidence.model.results import ControlResult, Status, Waiver


def apply_waivers(result: ControlResult, waivers: Sequence[Waiver], as_of: datetime) -> ControlResult:
    """``result`` waived by the longest-lasting waiver in force at ``as_of``, or with a note why not."""
    mine = sorted((w for w in waivers if w.control_id == result.control_id), key=lambda w: (w.expires, w.id))
    if not mine or not result.status.is_gap:
        return result
    in_force = [w for w in mine if w.in_force(as_of)]
    if not in_force:
        notes = [
            f"waiver {w.id or 'for ' + w.control_id} ({w.reason}) does not count as of "
            f"{as_of.date().isoformat()}: {w.state(as_of)}"
            for w in mine
        ]
        return result.model_copy(update={"reasons": [*result.reasons, *notes]})
    waiver = in_force[-1]
    return result.model_copy(
        update={
            "status": Status.WAIVED,
            "underlying_status": result.status,
            "waiver": waiver,
            "reasons": [
                f"waived until {waiver.expires.date().isoformat()} by {waiver.approver} "
                f"({waiver.id or 'no id'}, granted {waiver.created_at.date().isoformat()} by "
                f"{waiver.created_by}): {waiver.reason}; underlying status: {result.status.label}",
                *result.reasons,
            ],
        }
    )
