"""hr-leavers: leavers from BambooHR- and Workday-style CSVs, JSON, a column map; only pseudonyms kept."""

from __future__ import annotations

import json
from pathlib import Path

from evidence.collectors import registry
from evidence.collectors.base import CollectorContext
from evidence.collectors.hr_leavers import person_ref
from evidence.model.evidence import EvidenceItem
from evidence.model.period import parse_period
from evidence.redact import Redactor
from tests.collector_testing import TEST_KEY

WHO = Redactor(TEST_KEY)


def _run(tmp_path: Path, settings: dict) -> EvidenceItem:
    cls = registry.get("hr-leavers")
    period = parse_period("2026-Q3")
    context = CollectorContext("hr", tmp_path, period, period.end_at, Redactor(TEST_KEY))
    (item,) = cls(cls.settings_model().model_validate(settings), context).collect()
    return item.seal()


def test_bamboohr_export_leavers_current_staff_and_bad_rows(tmp_path: Path) -> None:
    (tmp_path / "bamboo.csv").write_text(
        "Employee #,First Name,Last Name,Work Email,Status,Termination Date,Termination Reason\n"
        "1001,Dana,Reyes,dana.reyes@corp.example,Inactive,2026-08-14,Resignation\n"
        "1002,Lee,Park,lee.park@corp.example,Active,,\n"
        "1003,Ana,Lima,ana.lima@corp.example,Inactive,14/08/2026,Other\n"
        "1004,Bo,Chan,,Inactive,2026-08-20,Other\n"
        ",,,,Inactive,2026-08-21,\n"
    )
    item = _run(tmp_path, {"paths": ["bamboo.csv"]})
    assert (item.stats.kept, item.stats.skipped, item.stats.rejected) == (2, 1, 2)
    assert [(r.location.rsplit("/", 1)[1], r.reason) for r in item.stats.rejects] == [
        ("bamboo.csv:4", "leave date is not a date (expected YYYY-MM-DD or an ISO 8601 time)"),
        ("bamboo.csv:6", "a leaver without an employee id, e-mail or user name"),
    ]
    dana, bo = item.facts["leavers"]
    assert dana == {
        "ref": person_ref(WHO.principal("1001")),
        "accounts": sorted([WHO.principal("1001"), WHO.principal("dana.reyes@corp.example")]),
        "left": "2026-08-14T23:59:59Z",  # a bare date: the end of that day
        "left_precision": "date",
        "row": "bamboo.csv:2",
    }
    assert bo["accounts"] == [WHO.principal("1004")]
    assert item.facts["columns"] == {"email": "Work Email", "id": "Employee #", "left": "Termination Date"}
    text = json.dumps(item.facts)
    assert "Dana" not in text and "dana.reyes" not in text and "Resignation" not in text


def test_workday_export_takes_the_earliest_date_in_the_export_time_zone(tmp_path: Path) -> None:
    (tmp_path / "workday.csv").write_text(
        "Employee_ID,Worker,Primary_Work_Email,Last_Day_of_Work,Termination_Date,Time_Zone\n"
        "W-77,Kim Ode,kim.ode@corp.example,2026-09-04,2026-09-30,Europe/Berlin\n"
    )
    (leaver,) = _run(tmp_path, {"paths": ["workday.csv"]}).facts["leavers"]
    assert leaver["left"] == "2026-09-04T21:59:59Z"  # the end of 4 September in Berlin (UTC+2)


def test_json_export_with_a_time_and_a_column_map_and_config_people(tmp_path: Path) -> None:
    (tmp_path / "leavers.json").write_text(
        json.dumps(
            {
                "employees": [
                    {"Personalnummer": "P-9", "E-Mail": "jo@corp.example", "Austritt": "2026-07-10", "Uhrzeit": "17:30"}
                ]
            }
        )
    )
    settings = {
        "paths": ["leavers.json"],
        "timezone": "Europe/London",
        "columns": {"id": "Personalnummer", "email": "E-Mail", "left": ["Austritt"], "left_time": "Uhrzeit"},
        "people": [{"name": "Jo", "accounts": ["jo@corp.example", "jo-gh", "jo.ssh"]}],
    }
    item = _run(tmp_path, settings)
    (leaver,) = item.facts["leavers"]
    assert (leaver["left"], leaver["left_precision"]) == ("2026-07-10T16:30:00Z", "time")
    assert leaver["accounts"] == sorted(WHO.principal(a) for a in ("P-9", "jo@corp.example", "jo-gh", "jo.ssh"))


def test_stored_copy_keeps_only_the_fields_read_as_pseudonyms(tmp_path: Path) -> None:
    (tmp_path / "bamboo.csv").write_text(
        "Employee #,First Name,Last Name,Work Email,Termination Date,Termination Reason\n"
        "1001,Dana,Reyes,dana.reyes@corp.example,2026-08-14,Medical leave\n"
    )
    cls = registry.get("hr-leavers")
    period = parse_period("2026-Q3")
    context = CollectorContext("hr", tmp_path, period, period.end_at, Redactor(TEST_KEY))
    collector = cls(cls.settings_model().model_validate({"paths": ["bamboo.csv"]}), context)
    copy = b"".join(collector.redacted_copy(str(tmp_path / "bamboo.csv")) or []).decode()
    assert json.loads(copy) == {
        "Employee #": WHO.principal("1001"),
        "Work Email": WHO.principal("dana.reyes@corp.example"),
        "Termination Date": "2026-08-14",
    }
