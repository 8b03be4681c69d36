"""Helpers of the data-flow tests: the real collector, contract-shaped evidence, evaluation.

They run the real collector on maps, build observed evidence in the fact-contract shapes of
docs/evidence-kinds.md, and evaluate the real catalogues.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from evidence.collectors.base import CollectorContext
from evidence.collectors.dataflow.collector import DataflowCollector, DataflowSettings
from evidence.controls.catalogue import load_catalogue
from evidence.controls.evaluate import EvaluationInput, evaluate
from evidence.model.evidence import EvidenceItem, stable_evidence_id
from evidence.model.facts import canonical_facts
from evidence.model.period import parse_period
from evidence.model.results import ControlResult
from evidence.redact import Redactor

PERIOD = parse_period("2026-Q3")
AS_OF = PERIOD.end_at
KEY = b"dataflow-tests-pseudonym-key-0001"


def redactor() -> Redactor:
    """Make a redactor with a fixed key, so pseudonyms are the same in every test."""
    return Redactor(KEY)


def collect(
    folder: Path, files: dict[str, str], *, fmt: str = "auto", redact: Redactor | None = None
) -> list[EvidenceItem]:
    """Write ``files`` under ``folder`` and run the dataflow collector on all of them."""
    paths = []
    for name, text in files.items():
        path = folder / name
        path.write_text(text, encoding="utf-8")
        paths.append(path.name)
    return collect_paths(folder, paths, fmt=fmt, redact=redact)


def collect_paths(
    folder: Path, paths: Sequence[str | Path], *, fmt: str = "auto", redact: Redactor | None = None
) -> list[EvidenceItem]:
    """Run the dataflow collector on existing files (relative to ``folder``); items are sealed."""
    context = CollectorContext(
        source="data-map",
        base_dir=folder,
        period=PERIOD,
        as_of=AS_OF,
        redactor=redact or redactor(),
        collected_at=datetime(2026, 10, 1, tzinfo=UTC),
    )
    settings = DataflowSettings.model_validate({"maps": [str(p) for p in paths], "format": fmt})
    return [item.seal() for item in DataflowCollector(settings, context).collect()]


def observed(
    kind: str, facts: dict[str, Any], *, source: str = "aws", collector: str = "aws"
) -> EvidenceItem:
    """Build an evidence item as another collector would (facts validated against the kind's model)."""
    return EvidenceItem(
        id=stable_evidence_id(source, kind, f"{source}:{kind}"),
        kind=kind,
        collector=collector,
        source=source,
        subject=f"{source}:{kind}",
        location=source,
        collected_at=datetime(2026, 10, 1, tzinfo=UTC),
        facts=canonical_facts(kind, facts, where=f"test item {source}:{kind}"),
    ).seal()


def evaluate_items(
    items: Sequence[EvidenceItem], *refs: str, as_of: datetime = AS_OF
) -> dict[str, ControlResult]:
    """Results by ``control_id`` (prefixed ``catalogue:`` when several catalogues are given)."""
    catalogues = [load_catalogue(ref) for ref in refs or ("amazon-dpp@2025-11",)]
    evaluation = evaluate(
        catalogues, EvaluationInput(evidence=list(items), period=PERIOD, as_of=as_of)
    )
    if len(catalogues) == 1:
        return {r.control_id: r for r in evaluation.results}
    return {f"{r.catalogue}:{r.control_id}": r for r in evaluation.results}


def outcome(result: ControlResult, check: str) -> Any:
    """Return the one outcome of ``check`` in a control result."""
    found = [o for o in result.outcomes if o.check == check]
    assert len(found) == 1, [o.check for o in result.outcomes]
    return found[0]


MINIMAL = """\
version: 1
name: Minimal map
systems:
  - {id: sp-api, name: Selling Partner API, kind: amazon}
  - {id: api, name: Order API, kind: service}
stores:
  - id: orders-db
    name: Orders database
    holds: {pii: [buyer_name, shipping_address], amazon: [order_id]}
    encryption_at_rest: {enabled: true, algorithm: AES-256}
    retention: {pii_days: 30, after: delivery, job: purge-orders}
    region: eu-west-1
    backups: {enabled: true, encrypted: true, retention_days: 7}
    resources: [{type: rds_instance, id: orders}]
    tables: [public.orders]
flows:
  - {from: sp-api, to: api, protocol: HTTPS, tls: 1.2,
     carries: {pii: [buyer_name, shipping_address]}}
  - {from: api, to: orders-db, carries: {pii: [buyer_name]}, protocol: PostgreSQL, tls: 1.3,
     endpoint: "db.internal.example:5432"}
roles:
  - {id: app, principals: [svc-orders], access: {orders-db: read-write}}
"""
