"""Every control and every number rests on a source record, and every record has an address."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from evidence.controls.catalogue import all_catalogues
from evidence.controls.sources import SourceRecord, source_registry
from evidence.model.catalogue import Catalogue


def test_every_control_and_every_number_cites_a_known_source() -> None:
    registry = source_registry().sources
    for catalogue in all_catalogues():
        for control in catalogue.controls:
            where = f"{catalogue.ref} {control.id}"
            assert control.sources, f"{where} cites no source"
            for ref in control.sources:
                assert ref.source in registry, f"{where} cites unknown source {ref.source}"
            supported = {name for ref in control.sources for name in ref.supports}
            assert set(control.parameters) <= supported, f"{where}: a number has no source"
            for ref in control.sources:
                for phrase in ref.supports.values():
                    assert 0 < len(phrase) <= 80, f"{where}: supporting phrases stay short ({phrase!r})"
        for when in catalogue.dates:
            assert when.source in registry, f"{catalogue.ref}: date {when.date} cites unknown {when.source}"


def test_every_source_record_has_an_address_and_a_date_or_says_it_was_not_reread() -> None:
    for source_id, record in source_registry().sources.items():
        assert record.address.startswith("https://"), source_id
        assert record.retrieved is not None or record.via == "reference", source_id


def test_a_source_without_an_address_or_a_number_without_a_source_is_refused() -> None:
    with pytest.raises(ValidationError):
        SourceRecord.model_validate({"title": "t", "address": "", "publisher": "p", "retrieved": "2026-12-07"})
    with pytest.raises(ValidationError):
        SourceRecord.model_validate({"title": "t", "address": "https://example.org/x", "publisher": "p"})
    # The Amazon catalogues declare cites_sources: every number needs a source that backs it.
    catalogue = all_catalogues()[0]
    assert catalogue.cites_sources
    control = next(c for c in catalogue.controls if c.parameters)
    data = catalogue.model_dump(by_alias=True)
    index = [c.id for c in catalogue.controls].index(control.id)
    data["controls"][index]["sources"] = [{"source": "amazon-changelog-2025-11"}]
    with pytest.raises(ValidationError, match=f"control {control.id}: no source supports parameter"):
        Catalogue.model_validate(data)
    data["controls"][index]["sources"] = []
    with pytest.raises(ValidationError, match=f"control {control.id}: cites no source"):
        Catalogue.model_validate(data)
    # A framework that does not declare it may leave sources out.
    assert Catalogue.model_validate({**data, "cites_sources": False}).control(control.id).sources == []


def test_the_180_day_scan_figure_cites_the_older_vulnerability_page() -> None:
    from evidence.controls.catalogue import load_catalogue

    scans = load_catalogue("amazon-dpp@2021").control("DPP-VULN-2")
    ref = next(r for r in scans.sources if "scan_every_days" in r.supports)
    assert ref.source == "amazon-vuln-mgmt-older"
    assert ref.supports["scan_every_days"] == "at least every 180 days"
    assert "lang-tr_TR/docs/vulnerability-management" in source_registry().sources[ref.source].address
