"""The scanner-to-control mapping kept as data in policies/scanner-mappings.yaml."""

from __future__ import annotations

from functools import cache

from pydantic import BaseModel, ConfigDict, Field

from evidence.controls.policy_files import load_policy_file

FILE = "scanner-mappings.yaml"


class ControlMapping(BaseModel):
    """The scanner checks whose FAIL is evidence of a gap in one control."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    rationale: str
    prowler: list[str] = Field(default_factory=list)
    securityhub: list[str] = Field(default_factory=list)

    def covers(self, scanner: str, check_id: str) -> bool:
        """Whether a finding of ``scanner`` for ``check_id`` bears on the control."""
        return check_id in (
            self.prowler
            if scanner == "prowler"
            else self.securityhub
            if scanner == "securityhub"
            else []
        )


class ScannerMappings(BaseModel):
    """The whole mapping file."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    schema_version: int = 1
    controls: dict[str, ControlMapping]


@cache
def scanner_mappings() -> ScannerMappings:
    """Load and validate policies/scanner-mappings.yaml (PolicyError naming the problem)."""
    return load_policy_file(FILE, ScannerMappings)
