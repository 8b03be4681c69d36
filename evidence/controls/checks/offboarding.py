"""Offboarding: every leaver's access removed in every system within the limit, judged per person.

The population is the HR export's leavers (``identity.leavers``) when one was collected, else
the departures declared in ``[access].departed_users``. For an HR leaver, every system whose
logs show an account of theirs (after linking accounts into people) must show that account
disabled or removed within ``remove_within_hours`` of leaving, and none may act later; a
federated role session (AWS via IAM Identity Center or SAML) is removed with the identity
provider's account. A system whose log ends before the limit without a removal leaves the
leaver open (insufficient evidence); a leaver seen in no system is unknown, never met.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from evidence.controls.checks import check
from evidence.controls.checks.access import KIND, Activity, label, no_activity, plural
from evidence.controls.checks.people import LEAVERS, People, Person
from evidence.controls.context import CheckContext, Params
from evidence.model.evidence import EvidenceItem
from evidence.model.facts.access import AccessActivity
from evidence.model.facts.identity import IdentityLeavers
from evidence.model.results import CheckOutcome

#: A disable counts for a departure when it falls no earlier than this before leaving.
DISABLE_LEAD = timedelta(days=14)
#: Sources whose accounts are identity-provider accounts (a federated session ends with them).
IDP_SOURCES = ("okta-log", "google-workspace-log", "entra-log")


class OffboardingParams(Params):
    """How soon a leaver's access must be removed."""

    remove_within_hours: float


@check("offboarding_within_limit", reads=(KIND, LEAVERS), params=OffboardingParams)
def offboarding_within_limit(ctx: CheckContext) -> CheckOutcome:
    """Check that every leaver was disabled everywhere in time and none of their accounts acted later.

    With an HR export: every leaver of the period, linked across sources into one person, must be
    disabled or removed within `remove_within_hours` in every system whose logs show an account of
    theirs (a federated AWS role session with the identity-provider account) and must not act
    later; not met naming the person once with the latest removal and each late or active system;
    insufficient when a system's log ends before the limit without a removal or the leaver is seen
    in no system; not applicable when the export lists no leaver of the period. Without one, per
    departure in `[access].departed_users`: not met when an account of the person acted more than
    `remove_within_hours` after leaving, or was disabled later than that; insufficient when no
    disable timestamp is logged (IAM DeleteLoginProfile/DeactivateMFADevice/UpdateAccessKey
    Inactive/DeleteAccessKey/DeleteUser, `usermod -L`/`-e`, `userdel`, application disable
    actions, IdP deactivations, GitHub removals) or declared; absence of activity alone never
    makes it met.
    """
    limit = ctx.parameters(OffboardingParams).remove_within_hours
    exports = ctx.facts(IdentityLeavers)
    if exports:
        return _hr_leavers(ctx, limit, exports)
    return _declared(ctx, limit)


def _moment(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text.replace("Z", "+00:00")) if text else None


@dataclass
class _Departure:
    """One declared departure merged across sources: activity after leaving and the earliest disable."""

    principals: list[str]
    disabled_declared: str | None
    events_after_leaving: int = 0
    last_activity_after_leaving: str | None = None
    hours_active_after_leaving: float | None = None
    disabled_logged: str | None = None
    disabled_how: str | None = None
    items: list[EvidenceItem] = field(default_factory=list)
    active_items: list[EvidenceItem] = field(default_factory=list)


def _departures(items: Sequence[Activity]) -> dict[tuple[str, str], _Departure]:
    """Departures merged across sources: activity after leaving and the earliest disable."""
    merged: dict[tuple[str, str], _Departure] = {}
    for item, facts in items:
        for entry in facts.departed_users:
            key = (entry.ref, entry.left)
            into = merged.setdefault(key, _Departure(list(entry.principals), entry.disabled_declared))
            into.items.append(item)
            into.events_after_leaving += entry.events_after_leaving
            if entry.events_after_leaving:
                into.active_items.append(item)
            if (entry.hours_active_after_leaving or 0) > (into.hours_active_after_leaving or 0):
                into.hours_active_after_leaving = entry.hours_active_after_leaving
                into.last_activity_after_leaving = entry.last_activity_after_leaving
            logged = entry.disabled_logged
            if logged and (into.disabled_logged is None or logged < into.disabled_logged):
                into.disabled_logged, into.disabled_how = logged, entry.disabled_how
    return merged


def _declared(ctx: CheckContext, limit: float) -> CheckOutcome:
    """Judge the departures declared in ``[access].departed_users`` (no HR export collected)."""
    typed = ctx.facts(AccessActivity)
    items = [i for i, _ in typed]
    if not items:
        return no_activity(ctx, [])
    departures = _departures(typed)
    relevant = {k: d for k, d in departures.items() if (_moment(k[1]) or ctx.as_of) <= ctx.as_of}
    if not relevant:
        return ctx.insufficient(
            "no departures are declared in [access].departed_users up to the as-of date; logs "
            "alone cannot show "
            "that leavers lose access (absence of activity is not a disable)",
            evidence=items,
        )
    late, unknown, fine = [], [], []
    deciding: list[EvidenceItem] = []
    for (ref, left), d in sorted(relevant.items()):
        who = f"{ref} ({', '.join(d.principals)}, left {left})"
        hours = d.hours_active_after_leaving
        if hours is not None and hours > limit:
            late.append(
                f"{who} was still active {hours:.1f} hours after leaving (last activity "
                f"{d.last_activity_after_leaving}, "
                f"{plural(d.events_after_leaving, 'event')}, "
                f"{', '.join(label(i) for i in d.active_items)})"
            )
            deciding.extend(d.active_items)
            continue
        if (_moment(left) or ctx.as_of).timestamp() < ctx.period.start_at.timestamp() - limit * 3600:
            fine.append(f"{who} left before the period and no account of theirs acted after leaving")
            deciding.extend(d.items)
            continue
        disabled = d.disabled_logged or d.disabled_declared
        source = d.disabled_how if d.disabled_logged else "declared in [access].departed_users"
        if disabled is None:
            unknown.append(f"{who}: no disable timestamp in the logs or the config")
            continue
        delay = ((_moment(disabled) or ctx.as_of) - (_moment(left) or ctx.as_of)).total_seconds() / 3600
        if delay > limit:
            late.append(f"{who} was disabled {delay:.1f} hours after leaving ({disabled}, {source})")
            deciding.extend(d.items)
        else:
            fine.append(
                f"{who} disabled at {disabled} ({source}), {max(delay, 0):.1f} hours after leaving"
                + (", no activity after leaving" if not d.events_after_leaving else "")
            )
            deciding.extend(d.items)
    figures = {
        "departures": len(relevant),
        "late_or_active": len(late),
        "without_disable_time": len(unknown),
    }
    if late:
        return ctx.not_met(*late, *unknown, evidence=deciding, **figures)
    if unknown:
        return ctx.insufficient(*unknown, *fine, evidence=items, **figures)
    return ctx.met(*fine, evidence=deciding, **figures)


@dataclass
class _System:
    """One source in which a leaver had an account: their last action and first removal there."""

    item: EvidenceItem
    activity: AccessActivity
    principals: set[str]
    last_active: datetime | None = None
    removed: datetime | None = None
    how: str | None = None
    federated: bool = True

    @property
    def idp(self) -> bool:
        return self.activity.source_type in IDP_SOURCES


@dataclass
class _Verdict:
    status: str  # "ok", "late" or "open"
    text: str
    removed: datetime | None = None


def _hours(later: datetime, earlier: datetime) -> float:
    return (later - earlier).total_seconds() / 3600


def _iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def _systems(person: Person, left: datetime, facts: dict[str, AccessActivity]) -> list[_System]:
    """The sources where the person had an account, with last activity and first removal there."""
    found: dict[str, _System] = {}
    for account in person.accounts:
        system = found.setdefault(account.item.id, _System(account.item, facts[account.item.id], set()))
        system.principals.add(account.principal)
        system.federated = system.federated and account.federated
        active = _moment(account.last_active)
        if active and (system.last_active is None or active > system.last_active):
            system.last_active = active
    for system in found.values():
        for entry in system.activity.disables:
            at = _moment(entry.at)
            if entry.principal in system.principals and at and at >= left - DISABLE_LEAD:
                if system.removed is None or at < system.removed:
                    system.removed, system.how = at, entry.how
    return sorted(found.values(), key=lambda s: (s.item.source, s.item.id))


def _verdict(system: _System, left: datetime, limit: float, as_of: datetime, idp: datetime | None) -> _Verdict:
    where = label(system.item)
    if system.last_active and _hours(system.last_active, left) > limit:
        return _Verdict(
            "late",
            f"was still active {_hours(system.last_active, left):.1f} hours after leaving in {where} "
            f"(last activity {_iso(system.last_active)})",
        )
    removed, how = system.removed, system.how
    if removed is None and system.federated and not system.idp and idp is not None:
        removed, how = idp, "with the identity-provider account"
    if removed is not None:
        delay = _hours(removed, left)
        text = f"{where} at {_iso(removed)} ({how}), {max(delay, 0):.1f} hours after leaving"
        return _Verdict(
            "late" if delay > limit else "ok", ("disabled late in " if delay > limit else "removed in ") + text, removed
        )
    if system.federated and not system.idp:
        return _Verdict(
            "open",
            f"{where} was reached through an identity provider whose removal of them is not in the collected logs",
        )
    if as_of < left + timedelta(hours=limit):
        return _Verdict("ok", f"{where}: removal not yet due at the as-of date")
    newest = _moment(system.activity.newest_event)
    if newest is None or newest < left + timedelta(hours=limit):
        ends = _iso(newest) if newest else "before leaving"
        return _Verdict(
            "open", f"{where}: its log ends {ends}, within {limit:g} hours of leaving, with no disable logged"
        )
    return _Verdict(
        "late",
        f"no disable or removal logged in {where} up to its last event {_iso(newest)} "
        f"({_hours(newest, left):.1f} hours after leaving)",
    )


def _hr_leavers(ctx: CheckContext, limit: float, exports: list[tuple[EvidenceItem, IdentityLeavers]]) -> CheckOutcome:
    """Judge every HR leaver of the period in every system where they had an account."""
    typed = ctx.facts(AccessActivity)
    facts = {item.id: activity for item, activity in typed}
    people = People(typed, exports)
    leavers: dict[tuple[str, str], set[str]] = {}
    for _, export in exports:
        for entry in export.leavers:
            left = _moment(entry.left)
            if left is not None and left <= ctx.as_of:
                leavers.setdefault((entry.left, entry.ref), set()).update(entry.accounts)
    start = ctx.period.start_at - timedelta(hours=limit)
    late: list[str] = []
    open_: list[str] = []
    unseen: list[str] = []
    fine: list[str] = []
    rows: list[dict[str, Any]] = []
    deciding: list[EvidenceItem] = [item for item, _ in exports]
    earlier = 0
    for (left_text, _ref), accounts in sorted(leavers.items()):
        left = _moment(left_text)
        assert left is not None
        person = people.of_leaver(accounts)
        systems = _systems(person, left, facts)
        who = f"{person.label} ({', '.join(person.principals()) or 'no account in the logs'}), left {left_text}"
        if left < start:
            active = [s for s in systems if s.last_active and _hours(s.last_active, left) > limit]
            if not active:
                earlier += 1
                continue
            systems = active
        if not systems:
            unseen.append(f"{who}: seen in no collected system's records, so their offboarding cannot be judged")
            rows.append({"person": person.label, "left": left_text, "status": "unknown", "systems": []})
            continue
        idp = max((s.removed for s in systems if s.idp and s.removed), default=None)
        verdicts = [_verdict(s, left, limit, ctx.as_of, idp) for s in systems]
        deciding.extend(s.item for s in systems)
        latest = max((v.removed for v in verdicts if v.removed), default=None)
        status = (
            "late"
            if any(v.status == "late" for v in verdicts)
            else "open"
            if any(v.status == "open" for v in verdicts)
            else "ok"
        )
        summary = (
            f"latest removal {_iso(latest)}, {_hours(latest, left):.1f} hours after leaving"
            if latest
            else "no removal logged"
        )
        text = f"{who}: {summary} (limit {limit:g} hours); " + "; ".join(v.text for v in verdicts)
        {"late": late, "open": open_, "ok": fine}[status].append(text)
        rows.append(
            {
                "person": person.label,
                "left": left_text,
                "status": status,
                "latest_removal": _iso(latest) if latest else None,
                "hours": round(_hours(latest, left), 1) if latest else None,
                "systems": [
                    {"source": s.item.source, "collector": s.item.collector, "text": v.text}
                    for s, v in zip(systems, verdicts, strict=True)
                ],
            }
        )
    if earlier:
        fine.append(f"{plural(earlier, 'person')} who left before the period show no activity after leaving")
    figures = {
        "leavers": len(leavers) - earlier,
        "late_or_active": len(late),
        "without_disable_time": len(open_),
        "not_seen": len(unseen),
    }
    outcome: CheckOutcome
    if late:
        outcome = ctx.not_met(*late, *open_, *unseen, evidence=deciding, **figures)
    elif open_ or unseen:
        outcome = ctx.insufficient(*open_, *unseen, *fine, evidence=deciding, **figures)
    elif rows:
        outcome = ctx.met(*fine, evidence=deciding, **figures)
    else:
        window = f"{_iso(ctx.period.start_at)} and {_iso(ctx.as_of)}"
        outcome = ctx.not_applicable(
            f"the HR export lists no one who left between {window}", *fine, evidence=[i for i, _ in exports], **figures
        )
    outcome.detail["leavers"] = rows
    return outcome
