"""Amazon's Solution Provider Profile questions as data, and the answers the evidence supports."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from evidence.model.assurance import Assurance
from evidence.model.results import Status

#: Amazon's profile form limits each free-text answer to this many characters.
FREE_TEXT_LIMIT = 500


class ProfileQuestion(BaseModel):
    """One question of the profile and the controls a truthful "Yes" rests on."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=r"^SPP-(YN|FT)-\d{2}$")
    kind: Literal["yes_no", "choice", "free_text"]
    question: str
    controls: list[str] = Field(min_length=1)
    options: list[str] = Field(default_factory=list)
    answer_when_met: str | None = None
    statement: str | None = None
    cite_evidence: bool = True
    note: str | None = None

    @model_validator(mode="after")
    def _complete(self) -> ProfileQuestion:
        if self.kind == "choice" and (not self.options or self.answer_when_met not in self.options):
            raise ValueError("a choice question needs options and answer_when_met among them")
        if self.kind == "free_text" and not self.statement:
            raise ValueError("a free-text question needs the statement it answers with when met")
        if self.statement and len(self.statement) > FREE_TEXT_LIMIT:
            raise ValueError(f"statement is longer than {FREE_TEXT_LIMIT} characters")
        return self


class ProfileQuestions(BaseModel):
    """The whole question set (policies/profile-questions.yaml)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    schema_version: Literal[1] = 1
    title: str
    source_note: str
    questions: list[ProfileQuestion]

    @model_validator(mode="after")
    def _unique(self) -> ProfileQuestions:
        ids = [q.id for q in self.questions]
        duplicates = sorted({i for i in ids if ids.count(i) > 1})
        if duplicates:
            raise ValueError(f"duplicate question ids: {', '.join(duplicates)}")
        return self


class ControlBasis(BaseModel):
    """A control an answer rests on, with its status (``None`` when it was not evaluated)."""

    control_id: str
    title: str | None = None
    status: Status | None = None
    assurance: Assurance | None = None

    @property
    def label(self) -> str:
        """``Met (verified)``, ``Met on attestation``, another status, or ``not evaluated``."""
        if self.status is None:
            return "not evaluated"
        if self.status is Status.MET:
            return "Met (verified)" if self.assurance and self.assurance.verified else "Met on attestation"
        return self.status.label


class ProfileAnswer(BaseModel):
    """The answer the evidence supports, the controls and evidence behind it, and what is missing.

    ``verdict`` is the short form shown on a badge ("Yes", "No", "Not yet supported", "Answered",
    or the chosen option); ``answer`` is the text to enter in the form. A supported answer that
    rests on a control met only on attestation says so (``on_attestation``), and ``inspect``
    lists the documents that must back it.
    """

    question: ProfileQuestion
    verdict: str
    answer: str
    supported: bool
    basis: list[ControlBasis]
    evidence_ids: list[str] = Field(default_factory=list)
    missing: list[str] = Field(default_factory=list)
    on_attestation: bool = False
    inspect: list[str] = Field(default_factory=list)
