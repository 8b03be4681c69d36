"""Settings over the whole period: a day-by-day history per resource from snapshots and change logs.

A snapshot says what a setting was at one instant; a change log (``settings.changes``) lists
every change, and the days on which it is complete. Between two points in time the setting is:

- what the earlier point left it at, carried forward over days on which the change log is
  complete (a change on those days would be in it);
- what a later snapshot shows, carried back the same way;
- unknown otherwise.

A snapshot also stands for its own calendar day (a daily snapshot is daily evidence, as AWS
Audit Manager takes it). When the state carried forward and a later snapshot disagree with no
change logged between them, that stretch is unknown: the log missed a change.

A check gives each state a verdict with its own judge; a day is *held* when every moment of it
was judged good, *not held* when any moment was bad, and unknown otherwise. A check is met only
when the setting held on every day of the period ("held 92 of 92 days").
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any, NamedTuple, TypeVar

from evidence.controls.context import CheckContext
from evidence.controls.settings_facts import Verdicts, parse_time
from evidence.model.evidence import EvidenceItem
from evidence.model.facts import Part
from evidence.model.facts.cloud_snapshot import CloudSnapshot
from evidence.model.facts.settings_changes import Change, SettingsChanges
from evidence.model.settings_history import record_key

DAY = timedelta(days=1)
#: How many windows a sentence lists before it says "and N more".
WINDOWS_LISTED = 4


@dataclass(frozen=True)
class Judgement:
    """A check's verdict on one state of a resource: good, bad, unknown, or skip (not judged).

    ``label`` names the resource (``S3 bucket orders in eu-west-1``); ``text`` is the sentence
    about this state (for good and skip, the whole sentence; otherwise what is wrong).
    """

    verdict: str
    text: str
    label: str = ""


R = TypeVar("R", bound=Part)

#: A check's judge of one state of a resource, read as the section's record model.
Judge = Callable[[R, EvidenceItem], Judgement]
#: The same judge on a state as the timeline keeps it (the record's fields as a dict).
_StateJudge = Callable[[dict[str, Any], EvidenceItem], Judgement]


def _on_states(record: type[R], judge: Judge[R]) -> _StateJudge:
    """``judge`` on the dict states of the timeline, each read as ``record`` first.

    A state built from a change alone starts from the fields that name the resource in the change
    log, which may include names the record does not have (the account, the resource type):
    those are left out, as the record's own fields are all the judge reads.
    """

    def on_state(state: dict[str, Any], item: EvidenceItem) -> Judgement:
        known = {name: value for name, value in state.items() if name in record.model_fields}
        return judge(record.model_validate(known), item)

    return on_state


def _state(record: Part) -> dict[str, Any]:
    """A snapshot record as the timeline keeps a state: the fields it was given, as JSON values."""
    return record.model_dump(mode="json", exclude_unset=True)


@dataclass
class _Point:
    at: datetime
    item: EvidenceItem
    record: dict[str, Any] | None = None  # a snapshot's record
    change: Change | None = None  # a change log's change

    def describe(self) -> str:
        if self.change is None:
            return f"snapshot {self.item.id} of {self.at:%Y-%m-%d %H:%M}Z"
        who = f" by {self.change.principal}" if self.change.principal else ""
        return f"{self.change.event}{who} at {self.at:%Y-%m-%d %H:%M}Z ({self.item.id})"


@dataclass
class _Segment:
    start: datetime
    end: datetime
    state: dict[str, Any] | None
    item: EvidenceItem | None
    cause: _Point | None
    why: str = ""


@dataclass
class History:
    """One resource's days in the period and the sentence that sums them up."""

    key: str
    verdict: str
    text: str
    days_held: int
    days: int
    items: list[EvidenceItem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


@dataclass
class ChangeLog:
    """The change logs at hand: their changes by resource and the days they are complete on."""

    items: list[EvidenceItem]
    complete: set[date]
    changes: dict[str, list[_Point]]
    notes: list[str]


def change_log(ctx: CheckContext, kind: str) -> ChangeLog:
    """Gather every ``settings.changes`` item's changes of ``kind`` and complete days."""
    logs = ctx.facts(SettingsChanges)
    complete: set[date] = set()
    changes: dict[str, list[_Point]] = {}
    seen: set[tuple[Any, ...]] = set()
    notes: list[str] = []
    for item, facts in logs:
        if facts.truncated:
            notes.append(f"change log {item.id} holds more changes than it keeps, so it proves no day complete")
        else:
            for first, last in facts.complete_days:
                day = date.fromisoformat(first)
                while day <= date.fromisoformat(last):
                    complete.add(day)
                    day += DAY
        for change in facts.changes:
            at = parse_time(change.at)
            if change.kind != kind or at is None:
                continue
            identity = (change.event_id or change.at, change.event, change.key)
            if identity in seen:
                continue
            seen.add(identity)
            changes.setdefault(change.key, []).append(_Point(at, item, change=change))
    return ChangeLog([item for item, _ in logs], complete, changes, notes)


def period_history(
    ctx: CheckContext,
    kind: str,
    sections: Iterable[str],
    judge: _StateJudge,
    snapshots: list[tuple[EvidenceItem, CloudSnapshot]],
) -> tuple[list[History], ChangeLog]:
    """Each resource's history over the period, from ``snapshots`` and the change logs."""
    log = change_log(ctx, kind)
    points: dict[str, list[_Point]] = {key: list(found) for key, found in log.changes.items()}
    labels: dict[str, dict[str, Any]] = {}
    for item, facts in snapshots:
        captured = parse_time(facts.captured_at) or item.collected_at
        for section in sections:
            found = getattr(facts, section, None) or []
            for part in [found] if isinstance(found, Part) else found:
                if not isinstance(part, Part):
                    continue
                record = _state(part)
                key = record_key(kind, section, record, facts.account)
                points.setdefault(key, []).append(_Point(captured, item, record=record))
                labels.setdefault(key, record)
    start = datetime.combine(ctx.period.start, datetime.min.time(), UTC)
    window = _Window(start, min(ctx.period.end_at, ctx.as_of), log.complete)
    histories = []
    for key in sorted(points):
        found = _informative(sorted(points[key], key=lambda p: (p.at, p.change is not None)), judge)
        base = labels.get(key) or next(
            (dict(p.change.identity) for p in found if p.change is not None), {}
        )
        history = _history(key, found, base, judge, window)
        if history is not None:
            histories.append(history)
    return histories, log


_PRIORITY = {"bad": 0, "good": 1, "skip": 2, "unknown": 3}


def _informative(points: list[_Point], judge: _StateJudge) -> list[_Point]:
    """Snapshots of one instant merged (a bad one wins), and unknown ones dropped if others tell.

    Two sources read at the same moment are one observation: the resource is bad if either
    shows it bad. A snapshot that could not read the setting says nothing, so it neither
    carries nor blocks what the other points say; it stays only when nothing else is known.
    """
    merged: list[_Point] = []
    for point in points:
        previous = merged[-1] if merged else None
        if (
            previous is not None
            and point.record is not None
            and previous.record is not None
            and previous.at == point.at
        ):
            mine = _PRIORITY[judge(point.record, point.item).verdict]
            theirs = _PRIORITY[judge(previous.record, previous.item).verdict]
            if mine < theirs:
                merged[-1] = point
            continue
        merged.append(point)
    telling = [
        p for p in merged if p.record is None or judge(p.record, p.item).verdict != "unknown"
    ]
    return telling or merged


class _Window(NamedTuple):
    """The stretch of the period walked (start to as-of) and the days the change log is complete."""

    start: datetime
    end: datetime
    complete: set[date]


def _history(
    key: str, points: list[_Point], base: dict[str, Any], judge: _StateJudge, window: _Window
) -> History | None:
    start, end = window.start, window.end
    segments = _segments(points, base, judge, window)
    judged: dict[int, Judgement] = {}

    def verdict(segment: _Segment) -> Judgement:
        if segment.state is None or segment.item is None:
            return Judgement("unknown", segment.why)
        if id(segment) not in judged:
            judged[id(segment)] = judge(segment.state, segment.item)
        return judged[id(segment)]

    days: list[tuple[date, str, list[_Segment]]] = []
    day = start.date()
    while datetime.combine(day, datetime.min.time(), UTC) <= end:
        low = datetime.combine(day, datetime.min.time(), UTC)
        high = min(low + DAY, end)
        overlapping = [s for s in segments if s.start < high and s.end > low] or [
            _Segment(low, high, None, None, None, "nothing on record")
        ]
        found = [verdict(s).verdict for s in overlapping]
        if all(v == "skip" for v in found):
            days.append((day, "skip", overlapping))
        elif "bad" in found:
            days.append((day, "bad", overlapping))
        elif "unknown" in found:
            days.append((day, "unknown", overlapping))
        else:
            days.append((day, "good", overlapping))
        day += DAY
    if all(v == "skip" for _, v, _ in days):
        last = [s for s in segments if s.state is not None and s.item is not None]
        note = verdict(last[-1]).text if last else ""
        return History(key, "skip", note, 0, len(days), notes=[note] if note else [])
    judged_days = [d for d in days if d[1] != "skip"]
    total = len(judged_days)
    held = sum(1 for _, v, _ in judged_days if v == "good")
    used = sorted(
        {s.item.id: s.item for _, _, segs in days for s in segs if s.item is not None}.values(), key=lambda i: i.id
    )
    causes = {s.cause.item.id: s.cause.item for _, _, segs in days for s in segs if s.cause is not None}
    used = sorted({**{i.id: i for i in used}, **causes}.values(), key=lambda i: i.id)
    shown = next((p for p in reversed(points) if p.record is not None), None)
    label = judge(shown.record, shown.item).label if shown is not None and shown.record else ""
    known = [s for s in segments if s.state is not None and s.item is not None]
    label = label or (verdict(known[-1]).label if known else "") or _label(points, base)
    bad = _windows([d for d in judged_days if d[1] == "bad"])
    unknown = _windows([d for d in judged_days if d[1] == "unknown"])
    reasons = sorted(
        {
            verdict(s).text
            for w in unknown
            for _, _, segs in w
            for s in segs
            if verdict(s).verdict == "unknown" and verdict(s).text
        }
    )
    if bad:
        parts = [_bad_window(w, verdict, points) for w in bad[:WINDOWS_LISTED]]
        more = f"; and {len(bad) - WINDOWS_LISTED} more window(s)" if len(bad) > WINDOWS_LISTED else ""
        text = f"{label}: not held {'; '.join(parts)}{more}; held {held} of {total} days"
        if unknown:
            text += f"; not known on {sum(len(w) for w in unknown)} day(s) ({_spans(unknown)})"
            text += f": {'; '.join(reasons[:3])}" if reasons else ""
        return History(key, "bad", text, held, total, used)
    if unknown:
        text = (
            f"{label}: not known on {sum(len(w) for w in unknown)} of {total} days ({_spans(unknown)})"
            + (f": {'; '.join(reasons[:3])}" if reasons else "")
            + f"; held {held} of {total} days"
        )
        return History(key, "unknown", text, held, total, used)
    good = [s for _, _, segs in judged_days for s in segs if s.state is not None]
    text = f"{verdict(good[-1]).text}; held {held} of {total} days"
    return History(key, "good", text, held, total, used)


def _segments(points: list[_Point], base: dict[str, Any], judge: _StateJudge, window: _Window) -> list[_Segment]:
    """Cut the window into stretches of known state (or unknown) at the points."""
    start, end, complete = window
    states: list[dict[str, Any] | None] = []
    carried: dict[str, Any] | None = None
    for index, point in enumerate(points):
        if point.record is not None:
            after: dict[str, Any] | None = dict(point.record)
        elif point.change is not None and point.change.unknown:
            after = None
        else:
            assert point.change is not None
            prior = carried if carried is not None and _continuous(points, index, complete) else None
            after = _apply(prior if prior is not None else dict(base), point.change, known=prior is not None)
        states.append(after)
        carried = after
    segments: list[_Segment] = []
    bounds = [datetime.min.replace(tzinfo=UTC), *(p.at for p in points), datetime.max.replace(tzinfo=UTC)]
    for gap in range(len(points) + 1):
        low, high = max(bounds[gap], start), min(bounds[gap + 1], end)
        if low >= high:
            continue
        left = points[gap - 1] if gap > 0 else None
        right = points[gap] if gap < len(points) else None
        left_state = states[gap - 1] if gap > 0 else None
        right_state = dict(right.record) if right is not None and right.record is not None else None
        segments.extend(_gap(low, high, left, left_state, right, right_state, judge, complete))
    return segments


def _continuous(points: list[_Point], index: int, complete: set[date]) -> bool:
    return index > 0 and _complete_between(points[index - 1].at, points[index].at, complete)


def _complete_between(low: datetime, high: datetime, complete: set[date]) -> bool:
    day = low.date()
    while day <= high.date():
        if day not in complete:
            return False
        day += DAY
    return True


def _apply(prior: dict[str, Any], change: Change, *, known: bool) -> dict[str, Any]:
    state = dict(prior)
    if not known:  # the fields the change did not set are not known at this moment
        for name in ("encrypted", "rotation_enabled", "is_logging", "mfa", "console", "present", "all_blocked"):
            if name not in change.set and name in state:
                state[name] = None
        if change.list_field:
            state[change.list_field] = None
    state.update(change.set)
    field_name = change.list_field
    if field_name and state.get(field_name) is not None:
        entries = [e for e in state[field_name] if e not in change.remove]
        entries += [e for e in change.add if e not in entries]
        state[field_name] = entries
    return state


def _gap(
    low: datetime,
    high: datetime,
    left: _Point | None,
    left_state: dict[str, Any] | None,
    right: _Point | None,
    right_state: dict[str, Any] | None,
    judge: _StateJudge,
    complete: set[date],
) -> list[_Segment]:
    """The stretches of one gap between two points: carried forward, carried back, or unknown."""
    left_item = left.item if left is not None else None
    right_item = right.item if right is not None else None
    # How far each side reaches: over complete days, and a snapshot over its own day.
    forward = low
    if left is not None and left_state is not None:
        forward = _reach_forward(left.at, high, complete)
        if left.record is not None:
            forward = max(forward, min(_day_end(left.at), high))
        else:  # right after a change its state is known, if only for that moment
            forward = max(forward, min(left.at + timedelta(seconds=1), high))
    backward = high
    if right is not None and right_state is not None:
        backward = _reach_back(right.at, low, complete)
        if right.record is not None:
            backward = min(backward, max(_day_start(right.at), low))
    if left_state is not None and right_state is not None and forward >= high and backward <= low:
        assert left_item is not None
        assert right_item is not None
        if judge(left_state, left_item).verdict != judge(right_state, right_item).verdict:
            return [
                _Segment(
                    low,
                    high,
                    None,
                    None,
                    left,
                    f"{right.describe() if right else 'a later snapshot'} differs from the state after "
                    f"{left.describe() if left else 'the start'}, with no change logged between them",
                )
            ]
        return [_Segment(low, high, left_state, left_item, left)]
    segments = []
    if left_state is not None and forward > low:
        segments.append(_Segment(low, forward, left_state, left_item, left))
    middle_low = max(forward if left_state is not None else low, low)
    middle_high = min(backward if right_state is not None else high, high)
    if middle_low < middle_high:
        segments.append(_Segment(middle_low, middle_high, None, None, left, _unknown_reason(left, left_state)))
    if right_state is not None and backward < high:
        segments.append(_Segment(max(backward, middle_low, low), high, right_state, right_item, right))
    return segments


def _unknown_reason(left: _Point | None, left_state: dict[str, Any] | None) -> str:
    if left is not None and left_state is None and left.change is not None:
        return f"{left.describe()}: {left.change.unknown or 'its effect is not known'}"
    if left is None:
        return "no snapshot before these days, and no change log carries a later one back"
    return "no change log is complete on these days, and no snapshot was taken on them"


def _day_start(moment: datetime) -> datetime:
    return datetime.combine(moment.date(), datetime.min.time(), UTC)


def _day_end(moment: datetime) -> datetime:
    return _day_start(moment) + DAY


def _reach_forward(moment: datetime, limit: datetime, complete: set[date]) -> datetime:
    day = moment.date()
    while day in complete and _day_start(datetime.combine(day, datetime.min.time(), UTC)) < limit:
        day += DAY
    return min(datetime.combine(day, datetime.min.time(), UTC), limit) if day != moment.date() else moment


def _reach_back(moment: datetime, limit: datetime, complete: set[date]) -> datetime:
    day = moment.date()
    while day in complete and _day_end(datetime.combine(day, datetime.min.time(), UTC)) > limit:
        day -= DAY
    return max(datetime.combine(day + DAY, datetime.min.time(), UTC), limit) if day != moment.date() else moment


def _windows(days: list[tuple[date, str, list[_Segment]]]) -> list[list[tuple[date, str, list[_Segment]]]]:
    windows: list[list[tuple[date, str, list[_Segment]]]] = []
    for entry in days:
        if windows and entry[0] == windows[-1][-1][0] + DAY:
            windows[-1].append(entry)
        else:
            windows.append([entry])
    return windows


def _span(window: list[tuple[date, str, list[_Segment]]]) -> str:
    first, last = window[0][0], window[-1][0]
    count = len(window)
    days = f"{count} day{'s' if count != 1 else ''}"
    return f"{first}" + (f" to {last}" if last != first else "") + f" ({days})"


def _spans(windows: list[list[tuple[date, str, list[_Segment]]]]) -> str:
    shown = ", ".join(_span(w) for w in windows[:WINDOWS_LISTED])
    return shown + (f", and {len(windows) - WINDOWS_LISTED} more" if len(windows) > WINDOWS_LISTED else "")


def _bad_window(
    window: list[tuple[date, str, list[_Segment]]],
    verdict: Callable[[_Segment], Judgement],
    points: list[_Point],
) -> str:
    bad = [s for _, _, segs in window for s in segs if verdict(s).verdict == "bad"]
    first = bad[0]
    what = "; also ".join(dict.fromkeys(verdict(s).text for s in bad))  # every source's finding
    cause = ""
    if first.cause is not None and first.cause.change is not None:
        cause = f", since {first.cause.describe()}"
    last_end = bad[-1].end
    after = next((p for p in points if p.at >= last_end), None)
    restored = ""
    if after is not None and after.at == last_end:
        restored = f"; {'restored by ' if after.change else 'good again in '}{after.describe()}"
    return f"{_span(window)}: {what}{cause}{restored}"


def _label(points: list[_Point], base: dict[str, Any]) -> str:
    for point in points:
        if point.change is not None and point.change.label:
            return point.change.label
    return str(base.get("name") or base.get("id") or base.get("bucket") or base.get("user") or "resource")


def join_texts(histories: Iterable[History], verdict: str) -> list[str]:
    """The sentences of the histories with ``verdict``."""
    return [h.text for h in histories if h.verdict == verdict]


@dataclass
class PeriodVerdicts:
    """A check's resources judged over the period, ready for its sentences."""

    verdicts: Verdicts
    evidence: list[EvidenceItem]
    errors: list[str]
    days: int


def over_period(
    ctx: CheckContext,
    model: type[CloudSnapshot],
    sections: tuple[str, ...],
    record: type[R],
    judge: Judge[R],
) -> PeriodVerdicts:
    """Judge every ``record`` in ``sections`` of ``model``'s kind on every day of the period.

    Snapshots and change logs both count; snapshots taken before the period count too, as far as
    a change log carries them forward. ``judge`` reads each state as ``record``.
    """
    snapshots: list[tuple[EvidenceItem, CloudSnapshot]] = [
        (i, f) for i, f in ctx.facts(model) if any(s in f.model_fields_set for s in sections)
    ]
    fresh = [
        (i, f) for i, f in snapshots if (parse_time(f.captured_at) or i.collected_at).date() >= ctx.period.start
    ]
    histories, log = period_history(ctx, model.kind, sections, _on_states(record, judge), snapshots)
    verdicts = Verdicts()
    verdicts.notes.extend(log.notes)
    used: dict[str, EvidenceItem] = {i.id: i for i, _ in fresh}
    for history in histories:
        if history.verdict == "skip":
            verdicts.notes.extend(n for n in history.notes if n not in verdicts.notes)
            continue
        verdicts.add(history.key, history.verdict, history.text)
        used.update((i.id, i) for i in history.items)
    if histories and not log.items:
        verdicts.notes.append(
            "no change log (CloudTrail, AWS Config history) was collected, so only the days of "
            "the snapshots themselves are known"
        )
    errors = [f"{error} ({item.id})" for item, facts in fresh for error in facts.errors]
    days = max((h.days for h in histories), default=0)
    return PeriodVerdicts(verdicts, sorted(used.values(), key=lambda i: i.id), errors, days)
