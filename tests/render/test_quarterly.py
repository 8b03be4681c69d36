from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from evidence.controls.catalogue import load_catalogue
from evidence.controls.evaluate import EvaluationInput, evaluate
from evidence.model.period import parse_period
from evidence.model.report import OrganisationSummary
from evidence.model.results import Status, Waiver
from evidence.model.review import DueReport, QuarterlyData, TrendPoint
from evidence.model.run import RunInfo
from evidence.render.quarterly import render_quarterly
from tests.support import pdftotext

AS_OF = datetime(2026, 9, 30, 23, 59, 59, tzinfo=UTC)
HOSTILE = '<img src="http://169.254.169.254/latest/meta-data/">'


def data() -> QuarterlyData:
    catalogue = load_catalogue("amazon-aup@2025-11")
    waiver = Waiver(
        id="WV-00000000AA",
        control_id="AUP-USE-1",
        reason=f"accepted {HOSTILE}",
        approver="CEO",
        created_by="lead",
        created_at=datetime(2026, 9, 1, tzinfo=UTC),
        expires=datetime(2026, 10, 15, 23, 59, 59, tzinfo=UTC),
    )
    evaluation = evaluate(
        [catalogue],
        EvaluationInput(evidence=[], period=parse_period("2026-Q3"), as_of=AS_OF, waivers=[waiver]),
    )
    run = RunInfo(
        id=1,
        uid="run-1",
        organisation="Example Ltd",
        developer_id="x",
        period=parse_period("2026-Q3"),
        as_of=AS_OF,
        started_at=AS_OF,
        finished_at=AS_OF,
        tool_version="0",
        catalogues=[catalogue.ref],
        config_sha256="0" * 64,
    )
    return QuarterlyData(
        organisation=OrganisationSummary(
            legal_name=f"Example {HOSTILE} Ltd", developer_id="x", applications=["A"]
        ),
        run=run,
        evaluation=evaluation,
        catalogues=[catalogue],
        diff=None,
        previous_label="2026-Q2",
        due=DueReport(as_of=AS_OF, until=date(2026, 10, 30)),
        trend=[TrendPoint(label="2026-Q3", end=date(2026, 9, 30), counts=evaluation.counts())],
        waivers=[waiver],
        tool_version="0",
        generated_at=AS_OF,
    )


@pytest.mark.slow
def test_a_review_without_a_previous_period_renders_and_escapes_untrusted_text(
    tmp_path: Path,
) -> None:
    target = tmp_path / "review.pdf"
    report = render_quarterly(data(), target)  # any renderer warning raises
    assert report.pages >= 2
    headline = pdftotext(target, "-f", "1", "-l", "1")
    assert "Compared with 2026-Q2, which has no run in" in " ".join(headline.split())
    assert "Nothing to compare with." in headline
    assert "WV-00000000AA" not in headline  # waivers expiring list names the control, not the id
    assert "AUP-USE-1 expires 2026-10-15" in headline
    text = pdftotext(target)
    assert "has no run in the store, so there is nothing to compare with yet" in " ".join(
        text.split()
    )
    assert "169.254.169.254" in text, "hostile markup is printed as text, never fetched"
    assert "WV-00000000AA" in text
    assert data().evaluation.counts()[Status.WAIVED] == 1
