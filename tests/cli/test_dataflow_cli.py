from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from tests.dataflow_support import collect_paths
from tests.support import run_cli

REALDATA = Path(__file__).resolve().parents[1] / "collectors" / "fixtures" / "dataflow" / "realdata"
MODELS = sorted(p.name for p in REALDATA.iterdir() if p.suffix != ".dot")


@pytest.mark.parametrize("name", MODELS)
def test_imported_model_becomes_a_native_map_that_loads(tmp_path: Path, name: str) -> None:
    shutil.copy(REALDATA / name, tmp_path / name)
    original = collect_paths(tmp_path, [name])[0].facts
    result = run_cli(
        "dataflow", "import", tmp_path / name, "--out", tmp_path / "map.yaml", "--json"
    )
    assert result.code == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["written"] == str(tmp_path / "map.yaml")
    converted = collect_paths(tmp_path, ["map.yaml"])[0]
    assert converted.error is None, converted.error
    assert converted.facts["format"] == "native"
    for key in ("systems", "stores", "flows"):
        assert converted.facts[key] == original[key]
    text = (tmp_path / "map.yaml").read_text(encoding="utf-8")
    assert text.startswith(f"# Data map converted by `evidence dataflow import` from {name}")
    assert len(report["gaps"]) == len(original["gaps"]) > 0


def test_a_drawing_is_refused_with_exit_2(tmp_path: Path) -> None:
    result = run_cli(
        "dataflow", "import", REALDATA / "pytm_dfd.dot", "--out", tmp_path / "map.yaml"
    )
    assert result.code == 2
    assert "not a model: a Graphviz drawing" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "map.yaml").exists()


def test_an_existing_map_is_not_overwritten_without_force(tmp_path: Path) -> None:
    target = tmp_path / "map.yaml"
    target.write_text("keep me\n", encoding="utf-8")
    model = REALDATA / "pytm_input.json"
    refused = run_cli("dataflow", "import", model, "--out", target)
    assert refused.code == 2
    assert "pass --force" in refused.stderr
    assert target.read_text(encoding="utf-8") == "keep me\n"
    assert run_cli("dataflow", "import", model, "--out", target, "--force").code == 0
    assert "version: 1" in target.read_text(encoding="utf-8")
