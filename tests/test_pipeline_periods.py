from pathlib import Path

from evidence import pipeline
from evidence.config import load_config
from evidence.model.period import parse_period

CONFIG = """
review_period = "2026-Q3"
[organisation]
legal_name = "Example Ltd"
developer_id = "amzn1.sp.solution.x"
applications = ["App"]
[[sources]]
collector = "documents"
name = "docs"
registers = ["documents/register.toml", "documents/{period}/register.toml"]
"""


def test_period_in_source_settings_becomes_the_period_label(tmp_path: Path) -> None:
    path = tmp_path / "evidence.toml"
    path.write_text(CONFIG, encoding="utf-8")
    config = load_config(path)
    (docs,) = [
        s for s in pipeline.sources(config, parse_period("2026-q2")) if s.config.name == "docs"
    ]
    assert docs.settings.model_dump()["registers"] == [
        Path("documents/register.toml"),
        Path("documents/2026-Q2/register.toml"),
    ]
    (unsubstituted,) = [s for s in pipeline.sources(config) if s.config.name == "docs"]
    assert unsubstituted.settings.model_dump()["registers"][1] == Path(
        "documents/{period}/register.toml"
    )


def test_substitution_reaches_nested_values_and_leaves_other_braces() -> None:
    period = parse_period("2026-07")
    value = {
        "paths": ["logs/{period}/*.log"],
        "query": "{user}",
        "nested": {"x": "{period}-{period}"},
        "n": 3,
    }
    assert pipeline.with_period(value, period) == {
        "paths": ["logs/2026-07/*.log"],
        "query": "{user}",
        "nested": {"x": "2026-07-2026-07"},
        "n": 3,
    }
