"""The ``dataflow`` collector: one ``dataflow.map`` item per data map (Fides files form one)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from pydantic import Field

from evidence.collectors.base import Collector, CollectorSettings
from evidence.collectors.dataflow.facts import map_facts
from evidence.collectors.dataflow.importers import (
    Format,
    Imported,
    import_fides_files,
    import_model,
    read_file,
    read_model,
)
from evidence.collectors.inputs import expand_paths
from evidence.errors import InputError
from evidence.model.assurance import Assurance
from evidence.model.evidence import EvidenceItem, ParseStats, RawInput

KIND = "dataflow.map"
_PATTERNS = ("*.yaml", "*.yml", "*.json")


class DataflowSettings(CollectorSettings):
    """Settings: data maps or models (files or folders), and their format if not detected."""

    maps: list[Path] = Field(min_length=1)
    format: Format = "auto"


class DataflowCollector(Collector[DataflowSettings]):
    """Reads data maps (native YAML, Threat Dragon, OTM, pytm, Fides, Threagile)."""

    id = "dataflow"
    assurance = Assurance.ATTESTED
    description = (
        "Data map as code (native YAML) or imported from Threat Dragon, OTM, pytm, Fides, Threagile"
    )
    produces = (KIND,)
    paths_setting = "maps"

    def collect(self) -> Iterator[EvidenceItem]:
        """Yield one item per map; a file that cannot be imported gives a failed item (why)."""
        files: list[Path] = []
        for setting in self.settings.maps:
            try:
                found = expand_paths([self.context.resolve(setting)], _PATTERNS)
            except InputError as exc:
                yield self.failed(KIND, str(setting), str(exc), location=exc.path)
                continue
            files.extend(path for path in found if path not in files)
        fides: list[tuple[Path, Any, RawInput]] = []
        for path in files:
            try:
                raw, text = read_file(path)
                fmt, data = read_model(path, text, self.settings.format)
                if fmt == "fides":
                    fides.append((path, data, raw))
                    continue
                imported = import_model(path, text, fmt, data)
            except InputError as exc:
                yield self.failed(KIND, self._shown(path), str(exc), location=str(path))
                continue
            yield self._item(imported, [raw], self._shown(path))
        if fides:
            try:
                imported = import_fides_files([(path, data) for path, data, _ in fides])
            except InputError as exc:
                yield self.failed(KIND, "fides", str(exc), location=exc.path)
                return
            subject = ", ".join(self._shown(p) for p, _, _ in fides)
            yield self._item(imported, [raw for _, _, raw in fides], subject)

    def _shown(self, path: Path) -> str:
        """Show ``path`` relative to the config's folder, so ids do not depend on the checkout."""
        try:
            return str(path.relative_to(self.context.base_dir))
        except ValueError:
            return str(path)

    def _item(self, imported: Imported, raw: list[RawInput], subject: str) -> EvidenceItem:
        before = self.redaction_counts()
        facts = map_facts(imported.data_map, imported.format, imported.notes, self.context.redactor)
        counts = facts["counts"]
        stats = ParseStats(scope=subject)
        stats.keep(
            counts["systems"]
            + counts["stores"]
            + counts["flows"]
            + counts["third_parties"]
            + counts["roles"]
        )
        return self.item(
            KIND,
            subject=subject,
            facts=facts,
            stats=stats,
            raw_inputs=raw,
            redactions=self.redaction_counts(before),
        )
