"""The built wheel carries templates/ and policies/ and runs the demo outside the checkout."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.slow
def test_wheel_installs_into_a_fresh_venv_and_runs_the_demo(tmp_path: Path) -> None:
    dist = tmp_path / "dist"
    subprocess.run(
        [sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir", str(dist), str(ROOT)],
        check=True,
        capture_output=True,
        text=True,
    )
    wheel = next(dist.glob("dpp_evidence-*.whl"))
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    # The fresh venv sees the third-party dependencies already installed by `make setup`
    # through a path entry (not a site dir, so the checkout's editable-install hook is not
    # loaded): the wheel itself is installed for real, and pip checks the dependencies resolve.
    site = next((venv / "lib").glob("python3.*/site-packages"))
    deps = next(p for p in map(Path, sys.path) if p.name == "site-packages" and p.is_dir())
    (site / "deps-from-setup.pth").write_text(str(deps) + "\n", encoding="utf-8")
    pip = [str(venv / "bin" / "python"), "-m", "pip"]
    install = subprocess.run(
        [*pip, "install", "-q", "--no-deps", str(wheel)], capture_output=True, text=True, env=env, check=False
    )
    assert install.returncode == 0, install.stderr[-2000:]
    check = subprocess.run([*pip, "check"], capture_output=True, text=True, env=env, check=False)
    assert "dpp-evidence" not in check.stdout, check.stdout

    work = tmp_path / "elsewhere"
    shutil.copytree(ROOT / "samples", work / "samples", ignore=shutil.ignore_patterns(".evidence", "out"))
    located = subprocess.run(
        [
            str(venv / "bin" / "python"),
            "-c",
            "import evidence, evidence.resources as r; "
            "print(evidence.__file__); print(r.templates_dir()); print(r.policies_dir())",
        ],
        cwd=work,
        capture_output=True,
        text=True,
        env=env,
        check=True,
    ).stdout.splitlines()
    assert all(line.startswith(str(venv)) for line in located), located
    assert located[1].endswith("evidence/_data/templates")

    demo = subprocess.run(
        [str(venv / "bin" / "evidence"), "run", "--config", "samples/evidence.toml", "--out", "out", "--quiet"],
        cwd=work,
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert demo.returncode == 3, demo.stderr
    pdfs = sorted(p.name for p in (work / "out").glob("*.pdf"))
    assert "attestation-amazon-dpp-2025-11-2026-Q3.pdf" in pdfs
