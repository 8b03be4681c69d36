"""Facts of ``host.config``: sshd settings and algorithms, with file and line (defaults marked)."""

from __future__ import annotations

from pydantic import Field, JsonValue

from evidence.model.facts import Facts, Part


class SshSetting(Part):
    """One sshd directive's effective value, with where it was set."""

    value: str = Field(description="the value in force")
    location: str | None = Field(None, description="file:line (None: OpenSSH's default)")
    default: bool | None = Field(None, description="True when nothing sets it")


class SshAlgorithms(Part):
    """One algorithm list in force (Ciphers, MACs, KexAlgorithms)."""

    value: list[str] = Field(description="the algorithms enabled")
    location: str | None = Field(None, description="file:line (None: OpenSSH's default)")
    default: bool | None = None
    written: str | None = Field(None, description="the list as written (with +, -, ^ modifiers)")


class HostConfig(Facts):
    """sshd password/root log-in and the other log-in settings, ciphers, MACs, key exchanges, `Match` blocks."""

    kind = "host.config"
    produced_by = ("host-config",)

    service: str = Field(description="sshd")
    files: list[str] = Field(default_factory=list, description="the files read (includes followed)")
    settings: dict[str, SshSetting] = Field(default_factory=dict, description="directives by name")
    algorithms: dict[str, SshAlgorithms] = Field(default_factory=dict, description="algorithm lists by directive")
    match_blocks: list[JsonValue] = Field(
        default_factory=list, description="`Match` blocks: criteria, location and the settings they change"
    )
