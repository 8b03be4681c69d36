"""Waivers through the real CLI: who and when, shown, expiring, refused past a year."""

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tests.support import pdftotext, run_cli

pytestmark = pytest.mark.slow


def cli(samples: Path, *args: str):
    return run_cli(*args, "--config", samples / "evidence.toml")


def day(offset: int) -> str:
    """Give a date relative to today: waivers are granted now, so their dates are too."""
    return (datetime.now(UTC).date() + timedelta(days=offset)).isoformat()


def status(samples: Path, as_of: str) -> dict:
    done = cli(samples, "evaluate", "--as-of", as_of, "--json")
    assert done.code == 3, done.stderr
    document = json.loads(done.stdout)
    return {
        "result": next(r for r in document["results"] if r["control_id"] == "DPP-NET-3"),
        **document,
    }


def test_a_waiver_counts_until_it_expires_then_the_real_status_returns(samples: Path) -> None:
    assert cli(samples, "collect", "-q").code == 0
    done = cli(
        samples,
        "waive",
        "DPP-NET-3",
        "--reason",
        "EDR rollout to the last 4 laptops in progress",
        "--approver",
        "Priya Raman",
        "--expires",
        day(10),
        "--by",
        "security-lead",
        "--json",
    )
    assert done.code == 0, done.stderr
    waiver = json.loads(done.stdout)
    assert waiver["created_by"] == "security-lead"
    assert waiver["id"].startswith("WV-")

    during = status(samples, day(5))
    assert during["result"]["status"] == "waived"
    assert during["result"]["underlying_status"] == "insufficient_evidence"
    assert during["waivers"][0]["in_force"] is True

    after = status(samples, day(20))
    assert after["result"]["status"] == "insufficient_evidence"
    assert f"expired {day(10)}" in after["result"]["reasons"][-1]
    assert after["waivers"][0]["state"] == f"expired {day(10)}"

    listed = cli(samples, "waivers", "--as-of", day(5))
    assert listed.code == 0
    for text in (waiver["id"], "in force", "Priya Raman"):
        assert text in listed.stdout


def test_a_waiver_longer_than_a_year_is_refused_and_not_recorded(samples: Path) -> None:
    done = cli(
        samples,
        "waive",
        "DPP-NET-3",
        "--reason",
        "later",
        "--approver",
        "CEO",
        "--expires",
        day(366),
    )
    assert done.code == 2
    assert "a waiver may last at most 365 days" in done.stderr
    assert "Traceback" not in done.stderr
    assert json.loads(cli(samples, "waivers", "--json").stdout) == []
    assert (
        cli(
            samples,
            "waive",
            "DPP-NET-3",
            "--reason",
            "r",
            "--approver",
            "CEO",
            "--expires",
            day(365),
        ).code
        == 0
    )


def test_a_revoked_waiver_stops_counting_and_the_attestation_lists_every_waiver(
    samples: Path, tmp_path: Path
) -> None:
    assert cli(samples, "collect", "-q").code == 0
    granted = json.loads(
        cli(
            samples,
            "waive",
            "DPP-NET-3",
            "--reason",
            "EDR rollout",
            "--approver",
            "Priya Raman",
            "--expires",
            day(30),
            "--json",
        ).stdout
    )
    kept = json.loads(
        cli(
            samples,
            "waive",
            "DPP-ACC-5",
            "--reason",
            "DLP tool under procurement",
            "--approver",
            "Priya Raman",
            "--expires",
            day(60),
            "--json",
        ).stdout
    )
    revoked = cli(samples, "unwaive", granted["id"], "--reason", "EDR rollout finished")
    assert revoked.code == 0, revoked.stderr
    evaluation = status(samples, day(5))
    assert evaluation["result"]["status"] == "insufficient_evidence"
    assert any(
        r["control_id"] == "DPP-ACC-5" and r["status"] == "waived" for r in evaluation["results"]
    )
    out = tmp_path / "out"
    assert cli(samples, "report", "--out", str(out), "--only", "amazon-dpp", "-q").code == 0
    text = pdftotext(out / "attestation-amazon-dpp-2025-11-2026-Q3.pdf")
    assert "Waivers" in text
    assert granted["id"] in text
    assert kept["id"] in text
    assert "DLP tool" in text
    assert "revoked" in text
