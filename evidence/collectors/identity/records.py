"""Records of an audit-log export, each with the line it starts on: JSON lines, arrays, envelopes.

Providers' exports come as one JSON object per line (streaming, ``jq -c``), as JSON arrays (a
page of ``/api/v1/logs``, GitHub's REST API, one array page per line), or as an API envelope
(Graph's ``{"value": [...]}``, Event Hub's ``{"records": [...]}``, the Reports API's
``{"items": [...]}``). A file is streamed line by line while its first line is a whole JSON
value; otherwise it is read as one document (at most :data:`MAX_DOCUMENT` bytes inflated) and
each record's line is worked out only when a record is rejected.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, NamedTuple

import msgspec
import orjson

from evidence.collectors.inputs import open_input
from evidence.errors import InputError
from evidence.model.evidence import ParseStats, RawInput

#: Largest document (inflated) read whole; larger exports must be JSON lines.
MAX_DOCUMENT = 256 * 1024 * 1024

#: What a record handler returns for a record it used (None), could not use (the reason), or
#: read and left aside as not relevant (:data:`SKIP`).
Handler = Callable[[dict[str, Any], int], str | None]
SKIP = "\x00skip"


class Fast(NamedTuple):
    """A provider's fast path: decode only the fields its reader looks at, when that is safe.

    ``decoder`` decodes a line into a :class:`typing.TypedDict` that declares every key the
    reader reads or tests for (``Any`` for subtrees it walks), so the reader sees the same
    values as in the full parse, just without the keys it never looks at. ``usable`` says
    whether the decoded record is of the shape that holds for (for instance, not a Log Analytics
    row, which the reader walks key by key). Any other line, a line that is not ASCII (the full
    parser checks every string's UTF-8) or whose fields have other types, takes the full parse.
    """

    decoder: msgspec.json.Decoder[Any]
    usable: Callable[[dict[str, Any]], bool]


def read_records(
    path: Path, envelopes: tuple[str, ...], handle: Handler, stats: ParseStats, fast: Fast | None = None
) -> RawInput:
    """Feed every record of ``path`` to ``handle``; count kept, skipped and rejected in ``stats``.

    ``handle(record, line)`` returns None when it used the record, :data:`SKIP` when the record
    is not relevant, else the reason it could not use it. A file that is not JSON at all
    raises InputError (the file is rejected). ``fast`` decodes lines of the usual shape more
    cheaply (:class:`Fast`); the records handled, and so the facts, are the same.
    """
    where = str(path)
    kept = 0
    loads, malformed = orjson.loads, orjson.JSONDecodeError
    decode = fast.decoder.decode if fast is not None else None
    usable = fast.usable if fast is not None else None
    narrow_failed = (msgspec.ValidationError, msgspec.DecodeError)
    with open_input(path) as tracked:
        first = True
        for number, line in enumerate(tracked.stream, start=1):
            if decode is not None and line.isascii():
                try:
                    value = decode(line)
                except narrow_failed:
                    value = None
                if value is not None and usable(value):  # type: ignore[misc]
                    first = False
                    if "log_type" not in value and not (envelopes and _enveloped(value, envelopes)):
                        problem = handle(value, number)
                        if problem is None:
                            kept += 1
                        else:
                            _count(stats, f"{where}:{number}", problem)
                        continue
            try:
                value = loads(line)
            except malformed as exc:
                if not line.strip():
                    continue
                if first:  # not JSON lines: one document, perhaps pretty-printed
                    document = line + tracked.stream.read(MAX_DOCUMENT + 1 - len(line))
                    kept += _document(path, document, number, envelopes, handle, stats)
                    break
                stats.reject(f"{where}:{number}", f"malformed JSON (column {exc.colno})")
                continue
            first = False
            if type(value) is dict and "log_type" not in value and not (envelopes and _enveloped(value, envelopes)):
                problem = handle(value, number)  # the common case: one event per line
                if problem is None:
                    kept += 1
                    continue
                records: Iterable[Any] = ()
            else:
                problem, records = None, _records(value, envelopes)
            for record in records:
                problem = _apply(handle, record, number)
                if problem is None:
                    kept += 1
                else:
                    _count(stats, f"{where}:{number}", problem)
            if problem is not None and not records:
                _count(stats, f"{where}:{number}", problem)
        stats.keep(kept)
        return tracked.raw_input()


def _count(stats: ParseStats, location: str, problem: str) -> None:
    if problem == SKIP:
        stats.skip()
    else:
        stats.reject(location, problem)


def _enveloped(value: dict[str, Any], envelopes: tuple[str, ...]) -> bool:
    for key in envelopes:  # a loop, not any(): this runs for every line
        if type(value.get(key)) is list:
            return True
    return False


def _apply(handle: Handler, record: Any, line: int) -> str | None:
    if not isinstance(record, dict):
        return "not a JSON object"
    if isinstance(record.get("log"), dict) and "log_type" in record:
        return "a test-case wrapper holding the event under 'log', not an exported event"
    return handle(record, line)


def _records(value: Any, envelopes: tuple[str, ...]) -> Iterable[Any]:
    if isinstance(value, list):
        return value
    if isinstance(value, dict):
        for key in envelopes:
            inner = value.get(key)
            if isinstance(inner, list):
                return inner
    return (value,)


def _document(
    path: Path, data: bytes, offset: int, envelopes: tuple[str, ...], handle: Handler, stats: ParseStats
) -> int:
    """Read one whole document starting at line ``offset``; returns how many records were kept."""
    if len(data) > MAX_DOCUMENT:
        raise InputError(path, "a JSON document over 256 MB: export JSON lines instead", line=offset)
    try:
        value = orjson.loads(data)
    except orjson.JSONDecodeError as exc:
        raise InputError(path, f"malformed JSON (column {exc.colno})", line=offset + exc.lineno - 1) from None
    records = list(_records(value, envelopes))
    depth = 1 if isinstance(value, list) else 2 if len(records) != 1 or records[0] is not value else 0
    lines = _Lines(data, depth, offset)
    kept = 0
    for index, record in enumerate(records):
        line = lines.of(index)
        problem = _apply(handle, record, line)
        if problem is None:
            kept += 1
        else:
            _count(stats, f"{path}:{line}", problem if problem == SKIP else f"record {index + 1}: {problem}")
    return kept


_TOKEN = re.compile(rb'"(?:[^"\\]|\\.)*"|[\[\]{}]')


class _Lines:
    """The line each record of a document starts on, found by one scan of the brackets.

    A handler needs a record's line before it knows whether the record is good, so the scan
    runs once for the document; compact one-line documents skip it.
    """

    def __init__(self, data: bytes, depth: int, offset: int) -> None:
        self.offset = offset
        self.starts: list[int] = []
        if depth == 0 or b"\n" not in data.strip():
            return
        level, line, position = 0, offset, 0
        for token in _TOKEN.finditer(data):
            char = token[0][:1]
            if char in b"[{":
                level += 1
                if char == b"{" and level == depth + 1:
                    line += data.count(b"\n", position, token.start())
                    position = token.start()
                    self.starts.append(line)
            elif char in b"]}":
                level -= 1

    def of(self, index: int) -> int:
        """The line record ``index`` starts on (the document's first line when unknown)."""
        return self.starts[index] if index < len(self.starts) else self.offset


class Clock:
    """Reads the timestamps of identity logs into epoch seconds, caching the day part.

    ISO 8601 (``2026-07-01T09:30:12.345Z``, offsets too), the space-separated UTC form data
    lakes write (``2026-07-01 09:30:12.345000000``), and Unix seconds or milliseconds.
    """

    def __init__(self) -> None:
        self._minutes: dict[str, int] = {}
        self._days: dict[str, int | None] = {}

    def epoch(self, value: Any) -> int | None:
        """Epoch seconds of ``value``, or None when it is not a time."""
        if type(value) is str:
            return self._text(value)
        if isinstance(value, int | float) and not isinstance(value, bool) and value > 0:
            return int(value / 1000) if value > 10**11 else int(value)
        return None

    def _text(self, text: str) -> int | None:
        # The hot path: ``YYYY-MM-DDTHH:MM:SS`` in UTC (a ``Z``, or nothing after a fraction):
        # the minute is looked up (each parsed once), the seconds added. Anything else, an
        # offset for one, takes the slow path.
        if len(text) >= 19 and (text[-1] in "Zz" or text[19:].replace(".", "", 1).isdigit() or len(text) == 19):
            minute = self._minutes.get(text[:16])
            if minute is None:
                # A year has half a million minutes, a few days thousands: a new minute of a
                # known day is the day's midnight plus the clock (ASCII digits in range only;
                # anything else is read as before).
                day = self._days.get(text[:10], False)
                hours, minutes = text[11:13], text[14:16]
                if (
                    day
                    and text[10] in "Tt "
                    and text[13] == ":"
                    and hours.isdigit()
                    and minutes.isdigit()
                    and hours.isascii()
                    and minutes.isascii()
                    and hours < "24"
                    and minutes < "60"
                ):
                    minute = day + int(hours) * 3600 + int(minutes) * 60
                else:
                    minute = self._minute(text[:16])
            seconds = text[17:19]
            if minute is None or text[16] != ":" or not seconds.isdigit() or seconds > "60":
                return None
            return minute + int(seconds)
        return self._slow(text)

    def _minute(self, prefix: str) -> int | None:
        if prefix[10] not in "Tt " or prefix[13] != ":":
            return None
        try:
            moment = datetime.fromisoformat(f"{prefix[:10]}T{prefix[11:16]}:00+00:00")
        except ValueError:
            return None
        if len(self._minutes) > 200_000:  # a bound on memory: a year has 525,600 minutes
            self._minutes.clear()
        self._minutes[prefix] = int(moment.timestamp())
        clock = prefix[11:13] + prefix[14:16]
        if clock.isdigit() and clock.isascii():
            if len(self._days) > 20_000:
                self._days.clear()
            self._days[prefix[:10]] = self._minutes[prefix] - int(clock[:2]) * 3600 - int(clock[2:]) * 60
        return self._minutes[prefix]

    def _slow(self, text: str) -> int | None:
        stripped = text.strip()
        if stripped.isdigit():
            return self.epoch(int(stripped))
        match = re.match(r"^(.{19})(\.\d+)?(.*)$", stripped.replace(" ", "T", 1))
        if not match:
            return None
        fraction = (match[2] or "")[:7]  # Python reads at most microseconds
        try:
            moment = datetime.fromisoformat(match[1] + fraction + match[3].replace("Z", "+00:00"))
        except ValueError:
            return None
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=UTC)
        return int(moment.timestamp())


def lookup(record: dict[str, Any], *path: str) -> Any:
    """The value at a path of nested keys, or None."""
    value: Any = record
    for key in path:
        if not isinstance(value, dict):
            return None
        value = value.get(key)
    return value


def text(value: Any) -> str | None:
    """A non-empty string value, else None."""
    return value if isinstance(value, str) and value.strip() else None


def dicts(value: Any) -> Iterator[dict[str, Any]]:
    """The dict elements of a list value (nothing for anything else)."""
    if isinstance(value, list):
        for entry in value:
            if isinstance(entry, dict):
                yield entry
