"""[hr-leavers] The people who left, from an HR system's export: the population of offboarding.

Reads CSV, JSON arrays, JSON lines and ``{"employees": [...]}`` envelopes. Columns are found by
name, in the spellings of common HR exports (BambooHR ``Employee #``/``Work Email``/
``Termination Date``; Workday ``Employee_ID``/``Primary_Work_Email``/``Last_Day_of_Work``;
HiBob, Personio, Gusto and Rippling alike); ``columns`` maps any other export. A row without a
leave date is a current employee and is skipped. With several date columns the earliest is the
departure; a bare date means the end of that day in ``timezone``. Only identifiers and the
departure reach the evidence, as keyed pseudonyms: names, reasons and every other column are
never read into it (nor into the stored copy).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, date, datetime, time
from operator import itemgetter
from pathlib import Path
from typing import Any, ClassVar, NamedTuple
from zoneinfo import ZoneInfo

import orjson
from pydantic import BaseModel, ConfigDict, Field

from evidence.collectors.base import Collector, CollectorSettings
from evidence.collectors.identity.records import SKIP, read_records
from evidence.collectors.inputs import csv_rows, expand_paths, open_text, paused_gc
from evidence.collectors.timestamps import ZoneName, iso
from evidence.errors import InputError
from evidence.model.access import AccessPolicy
from evidence.model.assurance import Assurance
from evidence.model.evidence import EvidenceItem, ParseStats, RawInput
from evidence.model.facts.identity import IdentityLeavers
from evidence.model.facts.identity import Leaver as LeaverFacts
from evidence.redact import Redactor

KIND = IdentityLeavers.kind

#: Column names (lower case, letters and digits only) each field is found under.
ALIASES: dict[str, tuple[str, ...]] = {
    "id": ("employeeid", "employeenumber", "employeeno", "workerid", "personnelnumber", "employeeidincompany", "id"),
    "email": (
        "workemail",
        "primaryworkemail",
        "emailwork",
        "businessemail",
        "email",
        "emailaddress",
        "workemailaddress",
    ),
    "username": ("username", "login", "userid", "accountname", "samaccountname", "networkid", "githubusername"),
    "accounts": ("accounts",),
    "left": (
        "lastdayofwork",
        "lastworkingday",
        "terminationdate",
        "leavedate",
        "leavingdate",
        "exitdate",
        "departuredate",
        "separationdate",
        "enddate",
        "terminationdatetime",
        "left",
    ),
    "left_time": ("terminationtime", "leavetime", "departuretime", "lastworkingtime"),
    "timezone": ("timezone", "tz", "worktimezone"),
}
ENVELOPES = ("employees", "data", "items", "value", "leavers")


class ColumnMap(BaseModel):
    """Which column holds each field, for exports whose names are not recognised."""

    model_config = ConfigDict(extra="forbid")

    id: str | None = None
    email: str | None = None
    username: str | None = None
    accounts: str | None = None
    left: list[str] = Field(default_factory=list)
    left_time: str | None = None
    timezone: str | None = None


class HrLeaversSettings(CollectorSettings, AccessPolicy):
    """Export files, the export's time zone, and a column map for unrecognised exports."""

    paths: list[Path] = Field(min_length=1)
    timezone: ZoneName = "UTC"
    columns: ColumnMap = Field(default_factory=ColumnMap)


def _key(name: str) -> str:
    """``Employee #`` -> ``employeenumber``: how column names are compared."""
    return re.sub(r"[^a-z0-9]", "", name.lower().replace("#", "number"))


class HrLeaversCollector(Collector[HrLeaversSettings]):
    """Leavers and their departure times from an HR export, pseudonymised."""

    id = "hr-leavers"
    #: An export of the HR system (who left, when): system-generated, supplied by the user.
    assurance = Assurance.EXPORTED
    description = "HR leaver exports (CSV/JSON): who left and when, the offboarding population"
    produces: ClassVar[tuple[str, ...]] = (KIND,)

    def collect(self) -> Iterator[EvidenceItem]:
        """Read every export and yield one ``identity.leavers`` item."""
        stats = ParseStats(scope=self.context.source)
        before = Counter(self.context.redactor.counts)
        files = expand_paths([self.context.resolve(p) for p in self.settings.paths], ("*.csv", "*.json", "*.jsonl"))
        found: list[Leaver] = []
        raw: list[RawInput] = []
        used: dict[str, str] = {}
        with paused_gc():  # a million small tuples and dicts, none of them cyclic
            for path in sorted(dict.fromkeys(files)):
                reader = _Rows(self.settings, self.context.redactor, str(path), used, found)
                try:
                    raw.append(self._read(path, reader, stats))
                except InputError as exc:
                    stats.reject(f"{path}:{exc.line or 1}", exc.reason)
            found.sort(key=itemgetter(0, 1))  # by (left, ref); stable, so ties keep the order read
            leavers: list[Any] = found  # each tuple replaced by its fact row in place: one copy at a time
            for index, (left, ref, accounts, precise, line, name) in enumerate(found):
                leavers[index] = LeaverFacts(
                    ref=ref,
                    accounts=list(accounts),
                    left=left,
                    left_precision="time" if precise else "date",
                    row=f"{name}:{line}",
                )
        facts = IdentityLeavers(
            leavers=leavers,
            count=len(leavers),
            columns=dict(sorted(used.items())),
            files=len(files),
            files_read=len(raw),
        )
        yield self.item(
            KIND,
            f"leavers in the HR exports of source {self.context.source}",
            facts,
            stats=stats,
            raw_inputs=raw,
            location=str(self.context.resolve(self.settings.paths[0])),
            redactions=self.redaction_counts(before),
        )

    def _read(self, path: Path, reader: _Rows, stats: ParseStats) -> RawInput:
        if path.suffix.lower() != ".csv":
            return read_records(path, ENVELOPES, reader.row, stats)
        with open_text(path) as lines:
            rows = csv_rows(lines)
            header = next((row for _, row in rows), None)
            if not header:
                raise InputError(path, "empty CSV export (no header row)", line=1)
            kept = 0
            for number, row in rows:
                if not any(cell.strip() for cell in row):
                    continue
                problem = reader.row(dict(zip(header, row, strict=False)), number)
                if problem is None:
                    kept += 1
                elif problem == SKIP:
                    stats.skip()
                else:
                    stats.reject(f"{path}:{number}", problem)
            stats.keep(kept)
            return lines.raw_input()

    def redacted_file(self, path: Path) -> Iterator[bytes] | None:
        """Only the columns read, identifiers pseudonymised: names and the rest are left out."""
        return _copy(path, self.settings, self.context.redactor)


def person_ref(account_pseudonym: str) -> str:
    """The pseudonym naming an HR leaver: their first identifier's account pseudonym, as a person.

    It reuses that digest (one HMAC per identifier, which a million-row export feels), under
    the ``person:`` kind so a report tells people from accounts.
    """
    return "person:" + account_pseudonym.split(":", 1)[1]


#: A leaver while exports are read: left (ISO), ref, account pseudonyms, carried a time, line, file.
Leaver = tuple[str, str, tuple[str, ...], bool, int, str]


class _Plan(NamedTuple):
    """Where a set of columns keeps each field, worked out once per set of columns."""

    dates: tuple[str, ...]
    identities: tuple[str, ...]
    accounts: str | None
    timezone: str | None
    clock: str | None


#: Departure moments kept for reuse (an export repeats its dates); cleared past this many.
MAX_MOMENTS = 100_000


class _Rows:
    """Turns rows into leavers; remembers which columns it used (for the facts).

    A leaver is held as a small tuple while the export is read (a million-row export would
    otherwise hold a million dicts and their row strings twice over); the collector builds
    the sorted fact rows once every export is read.
    """

    def __init__(
        self, settings: HrLeaversSettings, redactor: Redactor, path: str, used: dict[str, str], leavers: list[Leaver]
    ) -> None:
        self.settings, self.redactor, self.used = settings, redactor, used
        self.name = Path(path).name
        self.leavers = leavers
        self.people: dict[str, set[str]] = {}
        for person in settings.people:
            accounts = {a.strip().lower() for a in person.accounts}
            for account in accounts:
                self.people.setdefault(account, set()).update(accounts)
        self._plans: dict[tuple[str, ...], _Plan] = {}
        self._zones: dict[str, ZoneInfo | None] = {}
        self._days: dict[str, tuple[int, str] | tuple[()]] = {}
        self._lefts: dict[str, str] = {}
        self._moments: dict[tuple[str, str | None, str], tuple[float, bool, str] | None] = {}

    def _plan(self, row: dict[str, Any]) -> _Plan:
        names = tuple(row)
        plan = self._plans.get(names)
        if plan is None:
            columns = {f: c for f, (c, _) in fields_of(row, self.settings.columns).items()}
            for field, column in columns.items():
                name = field.split(":")[0]
                if column not in self.used.get(name, "").split(", "):
                    self.used[name] = ", ".join(c for c in (self.used.get(name), column) if c)
            plan = self._plans[names] = _Plan(
                tuple(c for f, c in columns.items() if f.startswith("left:")),
                tuple(columns[f] for f in ("id", "email", "username") if f in columns),
                columns.get("accounts"),
                columns.get("timezone"),
                columns.get("left_time"),
            )
        return plan

    def _zone(self, name: str) -> ZoneInfo | None:
        if name not in self._zones:
            try:
                self._zones[name] = ZoneInfo(name)
            except (ValueError, KeyError):
                self._zones[name] = None
        return self._zones[name]

    def _when(self, value: Any, clock: Any, zone_name: str, zone: ZoneInfo) -> tuple[float, bool, str] | None:
        """The departure as (epoch seconds, carried a time, ISO text), each distinct one parsed once."""
        if zone_name == "UTC" and type(value) is str and type(clock) is str and len(value) == 10:
            day = self._days.get(value)
            if day is None:
                day = self._day(value)
            hours, minutes = clock[:2], clock[3:]
            if day and len(clock) == 5 and clock[2] == ":" and hours.isdigit() and minutes.isdigit():
                if hours < "24" and minutes < "60":  # what time.fromisoformat takes of this shape
                    seconds = day[0] + int(hours) * 3600 + int(minutes) * 60
                    left = f"{day[1]}T{clock}:00Z"
                    left = self._lefts.setdefault(left, left)  # one string per minute, not per leaver
                    return float(seconds), True, left
        if type(value) is not str or (clock is not None and type(clock) is not str):
            moment = _moment(value, clock, zone)  # numbers and odd JSON values: not worth keeping
            return None if moment is None else (moment[0].timestamp(), moment[1], str(iso(moment[0])))
        key = (value, clock, zone_name)
        found = self._moments.get(key, False)
        if found is not False:
            return found  # type: ignore[return-value]
        moment = _moment(value, clock, zone)
        when = None if moment is None else (moment[0].timestamp(), moment[1], str(iso(moment[0])))
        if len(self._moments) >= MAX_MOMENTS:
            self._moments.clear()
        self._moments[key] = when
        return when

    def _day(self, text: str) -> tuple[int, str] | tuple[()]:
        """A leave date's midnight (UTC epoch seconds) and ISO text; () when not a date."""
        try:
            day = date.fromisoformat(text)
        except ValueError:
            found: tuple[int, str] | tuple[()] = ()
        else:
            found = (int(datetime.combine(day, time(0, 0), tzinfo=UTC).timestamp()), day.isoformat())
        if len(self._days) >= MAX_MOMENTS:
            self._days.clear()
        if len(self._lefts) >= MAX_MOMENTS:
            self._lefts.clear()
        self._days[text] = found
        return found

    def row(self, row: dict[str, Any], line: int) -> str | None:
        plan = self._plans.get(tuple(row)) or self._plan(row)
        dates = [value for value in (row[c] for c in plan.dates) if _present(value)]
        if not dates:
            return SKIP  # a current employee: no leave date
        identities = [str(value).strip() for value in (row[c] for c in plan.identities) if _present(value)]
        if plan.accounts is not None and _present(row[plan.accounts]):
            identities += [a.strip() for a in re.split(r"[;,\s]+", str(row[plan.accounts])) if a.strip()]
        if not identities:
            return "a leaver without an employee id, e-mail or user name"
        zone_name = self.settings.timezone
        if plan.timezone is not None and _present(row[plan.timezone]):
            zone_name = str(row[plan.timezone]).strip()
        zone = self._zones[zone_name] if zone_name in self._zones else self._zone(zone_name)
        if zone is None:
            return "time zone column is not an IANA name (such as Europe/London)"
        clock = row[plan.clock] if plan.clock is not None else None
        moments = []
        for value in dates:
            when = self._when(value, clock, zone_name, zone)
            if when is None:
                return "leave date is not a date (expected YYYY-MM-DD or an ISO 8601 time)"
            moments.append(when)
        _, precise, left = min(moments) if len(moments) > 1 else moments[0]
        principal = self.redactor.principal
        first = identities[0].lower()
        if len(identities) == 1 and first not in self.people:  # the common row: one identifier
            pseudonym = principal(first)
            accounts: tuple[str, ...] = (pseudonym,)
        else:
            named = {a.lower() for a in identities}
            if self.people:
                for account in list(named):
                    linked = self.people.get(account)
                    if linked:
                        named |= linked
            pseudonyms = {a: principal(a) for a in named}
            pseudonym = pseudonyms[first]
            accounts = tuple(sorted(set(pseudonyms.values())))
        self.leavers.append((left, person_ref(pseudonym), accounts, precise, line, self.name))
        return None


def fields_of(row: dict[str, Any], columns: ColumnMap) -> dict[str, tuple[str, Any]]:
    """The fields of a row found by the column map, then by the known spellings of column names."""
    keyed = {_key(str(k)): (str(k), v) for k, v in row.items()}
    found: dict[str, tuple[str, Any]] = {}
    mapped = columns.model_dump()
    for field, aliases in ALIASES.items():
        wanted = mapped.get(field)
        names = ([wanted] if isinstance(wanted, str) else list(wanted or [])) if wanted else []
        if names:
            for i, name in enumerate(names):
                if name in row:
                    found[f"left:{i}" if field == "left" else field] = (name, row[name])
            continue
        if field == "left":
            for i, alias in enumerate(a for a in aliases if a in keyed):
                found[f"left:{i}"] = keyed[alias]
            continue
        match = next((a for a in aliases if a in keyed), None)
        if match is not None:
            found[field] = keyed[match]
    return found


def _present(value: Any) -> bool:
    return value is not None and str(value).strip() not in ("", "-", "null", "None", "n/a", "N/A")


def _moment(value: Any, clock: Any, zone: ZoneInfo) -> tuple[datetime, bool] | None:
    """The departure instant and whether it carried a time (a bare date: the end of that day)."""
    text = str(value).strip()
    if isinstance(value, int | float) and not isinstance(value, bool):
        return datetime.fromtimestamp(value / 1000 if value > 10**11 else value, UTC), True
    try:
        if len(text) == 10:
            day = date.fromisoformat(text)
            if _present(clock):
                moment = datetime.combine(day, time.fromisoformat(str(clock).strip()), tzinfo=zone)
                return moment.astimezone(UTC), True
            return datetime.combine(day, time(23, 59, 59), tzinfo=zone).astimezone(UTC), False
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=zone)
    return moment.astimezone(UTC), True


def _copy(path: Path, settings: HrLeaversSettings, redactor: Redactor) -> Iterator[bytes]:
    """Yield the export reduced to the fields read, identifiers as pseudonyms."""
    rows: list[dict[str, Any]] = []
    if path.suffix.lower() == ".csv":
        with open_text(path) as lines:
            numbered = csv_rows(lines)
            header = next((row for _, row in numbered), [])
            rows = [dict(zip(header, row, strict=False)) for _, row in numbered]
    else:
        collected: list[dict[str, Any]] = []
        read_records(path, ENVELOPES, lambda record, _: collected.append(record), ParseStats())
        rows = collected
    for row in rows:
        kept: dict[str, Any] = {}
        for field, (column, value) in fields_of(row, settings.columns).items():
            if field in ("id", "email", "username"):
                kept[column] = redactor.principal(str(value)) if _present(value) else ""
            elif field == "accounts":
                kept[column] = " ".join(redactor.principal(a) for a in re.split(r"[;,\s]+", str(value)) if a.strip())
            else:
                kept[column] = value
        yield orjson.dumps(kept) + b"\n"
