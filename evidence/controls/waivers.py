"""Applying waivers: a waiver in force at the as-of instant turns a gap into "waived".

An expired, revoked or not-yet-granted waiver does nothing to the status: the control shows its
real status, and a reason says which waiver exists and why it does not count. Waivers never
touch a control that is met or not applicable. When several waivers are in force for one
control, the one that lasts longest decides (ties broken by id), so the result is stable.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import UTC, date, datetime, time

from evidence.errors import WaiverError
from evidence.model.results import ControlResult, Status, Waiver

#: The longest a waiver may last, from the day it is granted to the day it expires.
MAX_WAIVER_DAYS = 365


def new_waiver(
    control_id: str,
    *,
    reason: str,
    approver: str,
    created_by: str,
    created_at: datetime,
    expires: date,
    known_controls: Collection[str],
) -> Waiver:
    """Build a waiver granted now, or raise WaiverError saying which rule it breaks.

    It expires at the end of ``expires`` (UTC); it may last at most :data:`MAX_WAIVER_DAYS`
    days counted from the day it is granted, and must name a control of the catalogues.
    """
    control = control_id.strip().upper()
    if control not in known_controls:
        raise WaiverError(
            f"no control {control_id!r} in the selected catalogues; see `evidence policies show`"
        )
    if not reason.strip():
        raise WaiverError("a waiver needs a reason (--reason)")
    if not approver.strip():
        raise WaiverError("a waiver needs the approver's name (--approver)")
    if not created_by.strip():
        raise WaiverError("a waiver needs who records it (--by)")
    days = (expires - created_at.date()).days
    if days < 0:
        raise WaiverError(
            f"--expires {expires.isoformat()} is before today ({created_at.date().isoformat()})"
        )
    if days > MAX_WAIVER_DAYS:
        raise WaiverError(
            f"a waiver may last at most {MAX_WAIVER_DAYS} days: "
            f"--expires {expires.isoformat()} is {days} days "
            f"after {created_at.date().isoformat()}; fix the gap or renew the waiver before "
            f"{date.fromordinal(created_at.date().toordinal() + MAX_WAIVER_DAYS).isoformat()}"
        )
    return Waiver(
        control_id=control,
        reason=reason.strip(),
        approver=approver.strip(),
        created_by=created_by.strip(),
        created_at=created_at,
        expires=datetime.combine(expires, time(23, 59, 59), tzinfo=UTC),
    )


def apply_waivers(
    result: ControlResult, waivers: Sequence[Waiver], as_of: datetime
) -> ControlResult:
    """Waive ``result`` by the longest waiver in force at ``as_of``, or note why none counts."""
    mine = sorted(
        (w for w in waivers if w.control_id == result.control_id), key=lambda w: (w.expires, w.id)
    )
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
