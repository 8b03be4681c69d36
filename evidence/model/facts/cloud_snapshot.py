"""What every cloud settings snapshot carries (aws, aws-cli, terraform): account, regions, errors, time."""

from __future__ import annotations

from pydantic import Field, JsonValue

from evidence.model.facts import Facts


class CloudSnapshot(Facts):
    """The fields a settings snapshot of an AWS account or a Terraform state shares, whatever its kind.

    A resource that could not be read keeps ``error`` set (and its setting None), so a check can
    never take silence for a pass; an error that leaves the whole kind incomplete (a listing that
    was denied) is in ``errors``.
    """

    account: str | None = Field(None, description="the AWS account id, when known")
    regions: list[str] = Field(default_factory=list, description="the regions read")
    errors: list[str] = Field(
        default_factory=list, description="errors that leave the whole kind incomplete (a denied listing)"
    )
    captured_at: str | None = Field(
        None,
        description="when the snapshot was taken (ISO 8601); a snapshot taken before the period is "
        "used only as far as a change log carries it forward",
    )
    documents: list[JsonValue] | None = Field(
        None, description="Terraform only: the documents read (file, kind, resource count, version)"
    )
