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
