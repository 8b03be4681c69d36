"""Docs are part of the product: every command and every collector has an entry."""

from pathlib import Path

import typer

from evidence.cli.app import app
from evidence.collectors import registry

ROOT = Path(__file__).resolve().parent.parent


def command_names(group: typer.Typer, prefix: str = "") -> set[str]:
    names = {f"{prefix}{c.name or c.callback.__name__}" for c in group.registered_commands if c.callback}
    for sub in group.registered_groups:
        assert sub.typer_instance is not None and sub.name
        names |= command_names(sub.typer_instance, f"{prefix}{sub.name} ")
    return names


def test_every_cli_command_is_documented() -> None:
    text = (ROOT / "README.md").read_text(encoding="utf-8") + "\n".join(
        p.read_text(encoding="utf-8") for p in sorted((ROOT / "docs").glob("*.md"))
    )
    missing = {name for name in command_names(app) if f"evidence {name}" not in text}
    assert missing == set()


def test_every_collector_has_a_docs_entry() -> None:
    index = (ROOT / "docs" / "collectors.md").read_text(encoding="utf-8")
    missing = {
        cid
        for cid in registry.available()
        if f"## {cid}\n" not in index and not (ROOT / "docs" / "collectors" / f"{cid}.md").is_file()
    }
    assert missing == set()


def test_collector_index_links_every_collector_page() -> None:
    index = (ROOT / "docs" / "collectors.md").read_text(encoding="utf-8")
    for page in (ROOT / "docs" / "collectors").glob("*.md"):
        assert f"collectors/{page.name}" in index, page.name


def test_first_hour_guide_is_linked_and_names_only_real_commands_and_pages() -> None:
    import re

    guide = (ROOT / "docs" / "first-hour.md").read_text(encoding="utf-8")
    assert "docs/first-hour.md" in (ROOT / "README.md").read_text(encoding="utf-8")
    assert "pip install" in guide and "attestation" in guide
    known = command_names(app)
    named = set(re.findall(r"[`/]evidence ([a-z][a-z-]*)", guide))  # `evidence X` and .venv/bin/evidence X
    assert {"init", "run", "todo", "template", "pack", "verify"} <= named
    assert named <= {name.split(" ")[0] for name in known}
    for step in ("evidence init --detect", "evidence run", "evidence todo", "evidence template", "evidence pack"):
        assert step in guide
    for link in re.findall(r"\]\(([^)#]+)(?:#[^)]*)?\)", guide):
        assert (ROOT / "docs" / link).is_file(), link
