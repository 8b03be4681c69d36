"""Requirement elements and assurance levels: every met is earned, and says how it was earned."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from review_items import DPP, aws_item, document, judge, quiet_trail, result

from evidence.collectors.documents import known_doc_types
from evidence.controls.catalogue import catalogue_files, load_catalogue, load_catalogue_file
from evidence.controls.checks import registry
from evidence.controls.evaluate import EvaluationInput, evaluate
from evidence.errors import PolicyError
from evidence.model.assurance import Assurance
from evidence.model.evidence import EvidenceItem, stable_evidence_id
from evidence.model.facts import dump_facts
from evidence.model.facts.organisation import OrganisationProfile
from evidence.model.period import parse_period
from evidence.model.results import Status

REFS = sorted(catalogue_files())
DOCUMENT_CHECKS = {"document_current", "cadence_covered"}
#: Checks that can show an element not met but never met (a scanner pass proves nothing alone).
NEVER_MET = {"scanner_mapped_findings"}
Q3 = parse_period("2026-Q3")


# ------------------------------------------------------------------ the catalogue's elements


@pytest.mark.parametrize("ref", REFS)
def test_an_element_no_check_can_decide_is_marked_as_decided_only_by_a_document(ref: str) -> None:
    built = registry()
    for control in load_catalogue(ref).controls:
        for element in control.elements:
            deciders = [k for k in control.checks if element.id in k.decides]
            automatic = [
                k
                for k in deciders
                if k.check not in DOCUMENT_CHECKS | NEVER_MET and not k.planned and k.check in built
            ]
            if not automatic:
                assert element.document_only, f"{ref} {control.id}: {element.id} is decided only by documents"
                assert element.why_document_only
            else:
                assert not element.document_only, (
                    f"{ref} {control.id}: {element.id} is marked document_only but "
                    f"{automatic[0].check} decides it"
                )


#: Elements a parts-judging check decides by its overall status, and why that is right.
OVERALL = {
    # The legal archive is one of the stores judged: any store not shown encrypted leaves it open.
    ("DPP-RET-2", "storage_encrypted", "archive_encrypted"),
}


@pytest.mark.parametrize("ref", REFS)
def test_a_check_that_judges_parts_decides_only_elements_named_after_its_parts(ref: str) -> None:
    built = registry()
    for control in load_catalogue(ref).controls:
        for ref_check in control.checks:
            spec = built.get(ref_check.check)
            if spec is None or not spec.parts:
                continue
            for element in ref_check.decides:
                assert element in spec.parts or (control.id, ref_check.check, element) in OVERALL, (
                    f"{ref} {control.id}: {ref_check.check} decides {element}, which is not one of its parts"
                )


def test_a_catalogue_with_an_element_no_check_decides_does_not_load(tmp_path: Path) -> None:
    source = catalogue_files()["amazon-aup@2025-11"].read_text(encoding="utf-8")
    extra = '      - id: no_review_manipulation\n        text: "x"\n      - id: no_marketing\n'
    broken = source.replace("      - id: no_marketing\n", extra, 1)
    assert broken != source
    folder = tmp_path / "policies" / "amazon-aup"
    folder.mkdir(parents=True)
    path = folder / "2025-11.yaml"
    path.write_text(broken, encoding="utf-8")
    expected = r"2025-11\.yaml:\d+: controls\.8 \(AUP-PII-2\):.*no check decides element\(s\) no_review_manipulation"
    with pytest.raises(PolicyError, match=expected):
        load_catalogue_file(path)


# ------------------------------------------------------------------ one document never verifies


def _complete_record(doc_type: str) -> dict[str, Any]:
    return dict.fromkeys(known_doc_types()[doc_type].fields, "stated")


def _technical_document_cases() -> list[tuple[str, str, str]]:
    cases = []
    for ref in REFS:
        for control in load_catalogue(ref).controls:
            if not any(e.technical for e in control.elements):
                continue
            types = sorted({t for k in control.checks for t in k.with_.get("doc_types") or []})
            cases.extend((ref, control.id, t) for t in types)
    return cases


@pytest.mark.parametrize(("ref", "control_id", "doc_type"), _technical_document_cases())
def test_a_single_document_never_makes_a_technical_control_verified(ref: str, control_id: str, doc_type: str) -> None:
    catalogue = load_catalogue(ref)
    control = catalogue.control(control_id)
    as_of = Q3.end_at
    day = (as_of.date() - timedelta(days=3)).isoformat()
    item = document(doc_type, day, record=_complete_record(doc_type), covers=(Q3.start.isoformat(), day))
    only = catalogue.model_copy(update={"controls": [control]})
    (found,) = evaluate([only], EvaluationInput(evidence=[item], period=Q3, as_of=as_of)).results
    assert not found.verified, f"{ref} {control_id}: one {doc_type} made it verified"
    if found.status is Status.MET:
        assert found.on_attestation and item.id in found.inspect
    technical = [e for e in found.elements if e.technical]
    assert all(e.assurance is not Assurance.OBSERVED and e.assurance is not Assurance.EXPORTED for e in technical)


# ------------------------------------------------------------------ elements decide the control


def _iam_policy(**settings: Any) -> EvidenceItem:
    policy = {
        "present": True,
        "min_length": 14,
        "require_uppercase": True,
        "require_lowercase": True,
        "require_numbers": True,
        "require_symbols": True,
        "max_age_days": 90,
        "reuse_prevention": 24,
        "unsupported": ["min_age_days", "no_username"],
        **settings,
    }
    return aws_item(
        "iam.password_policy",
        {"captured_at": "2026-09-29T09:00:00+00:00", "account": "111122223333", "policies": [policy]},
    )


def test_a_strong_cloud_password_policy_leaves_the_rules_it_cannot_express_undecided() -> None:
    control = result(judge([_iam_policy(), quiet_trail()]), "DPP-PWD-1")
    assert control.status is Status.INSUFFICIENT
    elements = {e.id: e for e in control.elements}
    met = {k for k, e in elements.items() if e.status is Status.MET}
    assert met == {"min_length", "char_classes", "max_age", "history"}
    assert elements["min_length"].assurance is Assurance.OBSERVED
    assert elements["min_age"].status is Status.INSUFFICIENT
    assert "idp-settings-export" in elements["min_age"].needed[0].describe()
    assert any(r.startswith("not decided: A password must be at least 1 day old") for r in control.reasons)


def test_a_short_history_fails_that_element_alone() -> None:
    control = result(judge([_iam_policy(reuse_prevention=5), quiet_trail()]), "DPP-PWD-1")
    assert control.status is Status.NOT_MET
    statuses = {e.id: e.status for e in control.elements}
    assert statuses["history"] is Status.NOT_MET
    assert statuses["min_length"] is Status.MET


def test_the_export_of_the_identity_provider_completes_the_password_control_on_attestation() -> None:
    export = document("idp-settings-export", "2026-09-01")
    control = result(judge([_iam_policy(), export, quiet_trail()]), "DPP-PWD-1")
    elements = {e.id: e for e in control.elements}
    assert elements["min_age"].status is Status.MET and elements["min_age"].assurance is Assurance.ATTESTED
    # no_passwordless_login still needs the database settings.
    assert elements["no_passwordless_login"].status is Status.INSUFFICIENT
    assert control.status is Status.INSUFFICIENT


def test_a_config_declaration_meets_only_on_attestation() -> None:
    profile = EvidenceItem(
        id=stable_evidence_id("organisation", "organisation.profile", "org"),
        kind="organisation.profile",
        collector="organisation",
        source="organisation",
        subject="org",
        location="evidence.toml",
        collected_at=datetime(2026, 10, 1, tzinfo=UTC),
        facts=dump_facts(
            OrganisationProfile(
                legal_name="Example Ltd",
                developer_id="D1",
                applications=["app"],
                impoc_named=True,
                impoc_name="P. Raman",
                impoc_email="security@example.test",
                privacy_policy_url=None,
                systems_in_scope=[],
                handles_pii=True,
                pii_buckets=None,
                non_pii_buckets=None,
            )
        ),
    ).seal()
    control = result(judge([profile]), "DPP-IR-4")
    assert control.status is Status.MET
    assert control.on_attestation and control.inspect == [profile.id]
    assert control.reasons[0].startswith("met on attestation")


def test_an_old_incident_plan_does_not_meet_the_notification_control() -> None:
    day = (date(2026, 9, 30) - timedelta(days=2000)).isoformat()
    plan = document("ir-plan", day, record=_complete_record("ir-plan"))
    control = result(judge([plan]), "DPP-IR-3")
    assert control.status is Status.NOT_MET
    assert "2000 days" in control.reasons[0]


def test_a_record_missing_a_field_its_type_requires_does_not_count_and_is_named() -> None:
    review = document("log-review-record", "2026-09-22", missing_fields=["reviewer", "follow_up"])
    control = result(judge([review]), "DPP-LOG-4")
    assert control.status is Status.INSUFFICIENT
    assert "does not count: its register entry gives no reviewer, follow_up" in control.reasons[0]


def test_met_controls_split_verified_from_on_attestation_in_the_counts() -> None:
    evaluation = judge([_iam_policy(), document("ir-plan-review", "2026-09-01")])
    split = evaluation.met_split()
    assert split.met == split.verified + split.on_attestation
    assert split.on_attestation >= 1
    assert str(split).startswith(f"met {split.met}: verified {split.verified}, on attestation")


def test_evaluation_is_the_same_for_the_same_evidence() -> None:
    items = [_iam_policy(), document("ir-plan-review", "2026-09-01")]
    assert judge(items).model_dump_json() == judge(list(reversed(items))).model_dump_json()


def test_every_control_names_its_elements_in_its_result() -> None:
    catalogue = load_catalogue(DPP)
    evaluation = judge([])
    for control, found in zip(catalogue.controls, evaluation.results, strict=True):
        assert [e.id for e in found.elements] == [e.id for e in control.elements]
        undecided = [e for e in found.elements if e.status is Status.INSUFFICIENT]
        assert undecided, control.id
        assert sum(1 for r in found.reasons if r.startswith("not decided:")) == len(undecided)
