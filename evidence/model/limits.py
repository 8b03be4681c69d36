"""How much one input may make the tool read, hold or inflate: the ``[limits]`` table of the config.

Every input is untrusted: a few bytes of bz2 can inflate to gigabytes, and a log can hold one
line as long as the file. These bounds keep a run's memory and time proportional to what it is
worth reading; an input over a bound is rejected with its file, line and the setting to raise.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

MIB = 1024 * 1024


class InputLimits(BaseModel):
    """Bounds on one input file (compressed inputs are measured after decompression)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    #: Longest line of a text input, in characters (a log line is rarely over a few KB).
    max_line_chars: int = Field(default=MIB, ge=64)
    #: Largest input read whole to parse as one document (JSON, Terraform state, a CloudTrail file).
    max_document_bytes: int = Field(default=64 * MIB, ge=1024)
    #: Most bytes one input may inflate to when streamed (a .gz or .bz2 log).
    max_decompressed_bytes: int = Field(default=8 * 1024 * MIB, ge=1024)


DEFAULT_LIMITS = InputLimits()
