"""Answering Amazon's Solution Provider Profile questions from the evaluation, never beyond it.

An answer is "Yes" (or the acceptable choice, or the free-text statement) only when every
control it rests on is met; otherwise it says which controls are missing and why.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache
from string import Template

import yaml
from pydantic import ValidationError

from evidence.errors import PolicyError
from evidence.model.catalogue import Catalogue
from evidence.model.evidence import EvidenceItem
from evidence.model.profile import (
    FREE_TEXT_LIMIT,
    ControlBasis,
    ProfileAnswer,
    ProfileQuestion,
    ProfileQuestions,
)
from evidence.model.results import ControlResult, Evaluation, Status
from evidence.resources import policies_dir

QUESTIONS_FILE = "profile-questions.yaml"
ORGANISATION_KIND = "organisation.profile"

ANSWER_NO = "No"
ANSWER_NOT_YET = "Not yet supported"
ANSWER_NOT_APPLICABLE = "Not applicable"
ANSWERED = "Answered"


@cache
def load_profile_questions() -> ProfileQuestions:
    """Load the question set in policies/profile-questions.yaml (PolicyError when malformed)."""
    path = policies_dir() / QUESTIONS_FILE
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        return ProfileQuestions.model_validate(data)
    except OSError as exc:
        raise PolicyError(f"{path}: cannot read: {exc.strerror}") from None
    except yaml.YAMLError as exc:
        raise PolicyError(f"{path}: malformed YAML: {exc}") from None
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise PolicyError(
            f"{path}: {where}: {first['msg']} ({exc.error_count()} problem(s))"
        ) from None


def answer_profile(
    questions: ProfileQuestions,
    evaluation: Evaluation,
    catalogues: Iterable[Catalogue],
    evidence: Iterable[EvidenceItem],
    owners: dict[str, str],
) -> list[ProfileAnswer]:
    """Answer every question from ``evaluation``; free text is filled from config and evidence."""
    results: dict[str, ControlResult] = {}
    for result in evaluation.results:
        results.setdefault(result.control_id, result)
    titles = {c.id: c.title for catalogue in catalogues for c in catalogue.controls}
    items = {item.id: item for item in evidence}
    values = _placeholders(items.values(), owners)
    return [_answer(q, results, titles, items, values) for q in questions.questions]


def _answer(
    question: ProfileQuestion,
    results: dict[str, ControlResult],
    titles: dict[str, str],
    items: dict[str, EvidenceItem],
    values: dict[str, str],
) -> ProfileAnswer:
    basis = [
        ControlBasis(
            control_id=cid,
            title=titles.get(cid),
            status=results[cid].status if cid in results else None,
            assurance=results[cid].assurance if cid in results else None,
        )
        for cid in question.controls
    ]
    evidence_ids = sorted(
        {e for cid in question.controls if cid in results for e in results[cid].evidence_ids}
    )
    missing = [
        m for cid in question.controls if (m := _missing(cid, results.get(cid), titles.get(cid)))
    ]
    statuses = [b.status for b in basis]
    supported = all(s is Status.MET for s in statuses)
    text: str | None = None
    if supported and question.kind == "free_text":
        assert question.statement is not None
        try:
            text = Template(question.statement).substitute(values)
        except (KeyError, ValueError) as exc:
            supported = False
            missing.append(f"the answer needs {exc} in evidence.toml, which is not set")
    if supported:
        if question.kind == "yes_no":
            verdict = answer = "Yes"
        elif question.kind == "choice":
            verdict = answer = question.answer_when_met or ""
        else:
            cited = _evidence_names(evidence_ids, items) if question.cite_evidence else []
            verdict, answer = ANSWERED, fit_free_text(text or "", cited)
    else:
        if any(s is Status.NOT_MET for s in statuses):
            verdict = ANSWER_NO
        elif statuses and all(s is Status.NOT_APPLICABLE for s in statuses):
            verdict = ANSWER_NOT_APPLICABLE
        else:
            verdict = ANSWER_NOT_YET
        answer = (
            verdict
            if question.kind != "free_text"
            else fit_free_text(f"{verdict}: " + " ".join(missing), [])
        )
    attested = [results[cid] for cid in question.controls if cid in results and results[cid].on_attestation]
    return ProfileAnswer(
        question=question,
        verdict=verdict,
        answer=answer,
        supported=supported,
        basis=basis,
        evidence_ids=evidence_ids,
        missing=missing,
        on_attestation=supported and bool(attested),
        inspect=sorted({e for r in attested for e in r.inspect}) if supported else [],
    )


def _missing(control_id: str, result: ControlResult | None, title: str | None) -> str | None:
    """One sentence on why ``control_id`` does not support a "Yes" (None when it is met)."""
    if result is None:
        return f"{control_id} was not evaluated (its catalogue is not selected in evidence.toml)."
    if result.status is Status.MET:
        return None
    name = f"{control_id} ({title})" if title else control_id
    why = f": {result.reasons[0]}" if result.reasons else ""
    return f"{name} is {result.status.label.lower()}{why}."


def _placeholders(items: Iterable[EvidenceItem], owners: dict[str, str]) -> dict[str, str]:
    """Values free-text statements may name, from the organisation evidence and the owners."""
    values = {f"owner_{family.replace('-', '_')}": owner for family, owner in owners.items()}
    for item in items:
        if item.kind != ORGANISATION_KIND or not item.usable:
            continue
        facts = item.facts
        for key in ("legal_name", "impoc_name", "impoc_email", "privacy_policy_url"):
            if isinstance(facts.get(key), str) and facts[key]:
                values[key] = facts[key]
        applications = facts.get("applications")
        if isinstance(applications, list) and applications:
            values["applications"] = ", ".join(str(a) for a in applications)
    return values


def _evidence_names(evidence_ids: list[str], items: dict[str, EvidenceItem]) -> list[str]:
    return [f"{items[e].subject} ({e})" if e in items else e for e in evidence_ids]


def fit_free_text(statement: str, evidence: list[str], limit: int = FREE_TEXT_LIMIT) -> str:
    """``statement`` followed by as much of the evidence list as fits in ``limit`` characters.

    Evidence names that do not fit are counted ("and 3 more"); a statement that alone exceeds
    the limit is cut at a word boundary with an ellipsis, so the answer always fits the form.
    """
    text = " ".join(statement.split())
    if len(text) > limit:
        return text[: limit - 1].rsplit(" ", 1)[0].rstrip(",;:") + "…"
    if not evidence:
        return text
    shown: list[str] = []
    for index, name in enumerate(evidence):
        rest = len(evidence) - index - 1
        more = f"; and {rest} more" if rest else ""
        candidate = f"{text} Evidence: {'; '.join([*shown, name])}{more}."
        if len(candidate) > limit:
            break
        shown.append(name)
    if not shown:
        summary = f"{text} Evidence: {len(evidence)} items on the answer sheet."
        return summary if len(summary) <= limit else text
    rest = len(evidence) - len(shown)
    return f"{text} Evidence: {'; '.join(shown)}{f'; and {rest} more' if rest else ''}."
