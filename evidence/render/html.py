"""The Jinja environment: autoescape everywhere, undefined names are errors.

Every template renders for one of two targets, named by ``target``: ``PDF`` (paged, for
WeasyPrint) or ``HTML`` (a page of the static HTML report set). Templates switch on it only
where print and screen differ (running headers, page numbers, links to evidence files).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date, datetime
from functools import cache
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, pass_context, select_autoescape
from jinja2.runtime import Context
from markupsafe import Markup, escape

from evidence.model.results import Status
from evidence.render.charts import CHARTS
from evidence.resources import templates_dir

#: The two things a template renders for.
PDF = "pdf"
HTML = "html"


def _date(value: date | datetime | str | None) -> str:
    if value is None:
        return "—"
    if isinstance(value, str):
        return value
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M UTC")
    return value.isoformat()


def _status_label(value: str | Status) -> str:
    return Status(value).label


def _short_hash(value: str | None, length: int = 16) -> str:
    return value[:length] if value else "—"


def _figure(value: Any) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:,.2f}"
    if isinstance(value, int):
        return f"{value:,}"
    return "—" if value is None else str(value)


_EVIDENCE_ID = re.compile(r"\bEV-[0-9A-F]{12}\b")
#: Where an evidence id links to in the HTML set when it has no file of its own in the pack.
EVIDENCE_PAGE = "evidence.html"


def _evidence_href(context: Context, evidence_id: str) -> str:
    links = context.get("evidence_links") or {}
    return str(links.get(evidence_id) or f"{EVIDENCE_PAGE}#{evidence_id}")


@pass_context
def _evidence(context: Context, evidence_id: str) -> Markup:
    """An evidence id; on an HTML page, a link to its file in the pack (see `EVIDENCE_PAGE`)."""
    if context.get("target") != HTML:
        return escape(evidence_id)
    href = _evidence_href(context, evidence_id)
    return Markup('<a class="evidence" href="{}">{}</a>').format(href, evidence_id)


@pass_context
def _evidence_list(context: Context, ids: Iterable[str]) -> Markup:
    return Markup(", ").join(_evidence(context, i) for i in ids)


@pass_context
def _link_evidence(context: Context, text: str) -> Markup:
    """Escaped prose whose evidence ids, on an HTML page, link to their files."""
    escaped = escape(text)
    if context.get("target") != HTML:
        return escaped
    return Markup(
        _EVIDENCE_ID.sub(lambda found: str(_evidence(context, found[0])), str(escaped))
    )


@cache
def environment() -> Environment:
    """Build the one Jinja environment every report uses."""
    env = Environment(
        loader=FileSystemLoader(str(templates_dir())),
        autoescape=select_autoescape(default=True, default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["date"] = _date
    env.filters["status_label"] = _status_label
    env.filters["short_hash"] = _short_hash
    env.filters["figure"] = _figure
    env.filters["evidence"] = _evidence
    env.filters["evidence_list"] = _evidence_list
    env.filters["link_evidence"] = _link_evidence
    env.globals["charts"] = CHARTS
    env.globals["target"] = PDF  # a page of the HTML set passes target=HTML
    return env


def extra_sections() -> list[str]:
    """List the templates under templates/sections/, in name order.

    They are topic pages (charts, diagrams) that an attestation includes after its summary. Each
    decides itself whether it has anything to show for the evidence at hand.
    """
    root = templates_dir() / "sections"
    return sorted(f"sections/{p.name}" for p in root.glob("*.html.j2")) if root.is_dir() else []


def render_html(template: str, **context: Any) -> str:
    """Render ``template`` (a path under templates/) with ``context``."""
    return environment().get_template(template).render(**context)
