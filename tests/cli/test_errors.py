"""User errors exit 2 with one clear line and no traceback; gaps exit 3."""

from pathlib import Path

from tests.support import run_cli


def assert_one_line_error(stderr: str, *needles: str) -> None:
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert len(lines) == 1, stderr
    assert "Traceback" not in stderr
    for needle in needles:
        assert needle in lines[0], lines[0]


def test_missing_config(tmp_path: Path) -> None:
    result = run_cli("run", "--config", tmp_path / "missing.toml", cwd=tmp_path)
    assert result.code == 2
    assert_one_line_error(result.stderr, "missing.toml", "config file not found")


def test_unknown_key(samples: Path) -> None:
    config = samples / "evidence.toml"
    config.write_text(
        config.read_text().replace('applications = ["ParcelPilot"]', 'applications = ["ParcelPilot"]\napplicatons = []')
    )
    result = run_cli("run", "--config", config, cwd=samples)
    assert result.code == 2
    assert_one_line_error(result.stderr, "evidence.toml:", "organisation.applicatons", "unknown key")


def test_malformed_toml(samples: Path) -> None:
    config = samples / "evidence.toml"
    config.write_text(config.read_text() + "\n[[sources]\n")
    result = run_cli("collect", "--config", config, cwd=samples)
    assert result.code == 2
    assert_one_line_error(result.stderr, "evidence.toml", "malformed TOML", "line")


def test_unknown_collector_setting_names_source_and_key(samples: Path) -> None:
    config = samples / "evidence.toml"
    config.write_text(config.read_text().replace('name = "documents"\n', 'name = "documents"\nregister = "x"\n', 1))
    result = run_cli("collect", "--config", config, cwd=samples)
    assert result.code == 2
    assert_one_line_error(result.stderr, "sources[0].register", "unknown key")


def test_bad_period(samples: Path) -> None:
    result = run_cli("collect", "--config", samples / "evidence.toml", "--period", "2026-Q9")
    assert result.code == 2
    assert_one_line_error(result.stderr, "2026-Q9")


def test_source_naming_a_missing_file_still_runs(samples: Path) -> None:
    config = samples / "evidence.toml"
    config.write_text(config.read_text().replace("documents/register.toml", "documents/gone.toml"))
    result = run_cli(
        "run", "--config", config, "--out", samples / "out", "--only", "gap-report", "--json", cwd=samples
    )
    assert result.code == 3, result.stderr
    assert "gone.toml" in result.stderr and "register not found" in result.stderr
    import json

    document = json.loads(result.stdout)
    ir2 = next(r for r in document["results"] if r["control_id"] == "DPP-IR-2")
    assert ir2["status"] == "insufficient_evidence"
    assert any("gone.toml" in reason for reason in ir2["reasons"])
    assert [p.name for p in (samples / "out").glob("*.pdf")] == ["gap-report-2026-Q3.pdf"]


def test_a_store_url_naming_no_known_driver_is_a_user_error(samples: Path) -> None:
    # A store URL whose driver module does not exist is a user error (2), not a crash; a real
    # internal error (exit 1) is tests/cli/test_exit_codes.py::test_internal_errors_say_so_and_exit_1.
    config = samples / "evidence.toml"
    config.write_text(config.read_text().replace('url = "sqlite:///.evidence/evidence.db"', 'url = "nosuchdb://x/y"'))
    result = run_cli("collect", "--config", config)
    assert result.code == 2
    assert_one_line_error(result.stderr, "nosuchdb")
