"""Provenance of an evidence item: who collected it, where, how, and from what.

An auditor re-performing a test needs to know which tool (and version) read which input, on
which host and as which OS user, by which command or API call, and what the input was when it
was read (size, modification time, S3 ETag and version id). Locations are written relative to
the config's folder (``logs/auth/auth.log``), never as absolute paths of the preparer's
machine; an input outside that folder keeps only its file name, marked as such.

Collectors may add their own part (``item.provenance = {"api": {...}}``: the AWS operations,
region, account and the caller identity STS returned); :func:`describe` adds the rest.
"""

from __future__ import annotations

import getpass
import os
import platform
import re
import shlex
import sys
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import parse_qs, urlsplit

from evidence import __version__
from evidence.model.evidence import EvidenceItem
from evidence.redact import Redactor

#: A saved AWS CLI output, named ``<service>__<operation>[__<region or resource>].json``.
_CLI_OUTPUT = re.compile(
    r"^(?P<service>[a-z0-9-]+)__(?P<operation>[a-z0-9-]+)(?:__(?P<qualifier>[^/]+?))?\.(?:json|txt)$"
)
_REGION = re.compile(r"^[a-z]{2}(?:-gov)?-[a-z]+-\d$")

#: Outside the config's folder, a local input is shown by its name under this prefix.
OUTSIDE = "(outside the config folder)/"


def relative_location(location: str, base_dir: Path) -> str:
    """``location`` relative to the config's folder; URLs (s3://, aws://, https://) as they are."""
    if "://" in location or not location.startswith(("/", "~")) and not Path(location).is_absolute():
        return location
    path = Path(location).expanduser()
    try:
        return PurePosixPath(path.resolve().relative_to(base_dir.resolve())).as_posix()
    except ValueError:
        return OUTSIDE + path.name
    except OSError:
        return OUTSIDE + path.name


def who_and_where() -> dict[str, str]:
    """The host, OS user and platform of this run (the same for every item of a run)."""
    try:
        user = getpass.getuser()
    except (KeyError, OSError):  # no name for the uid (a container without a passwd entry)
        user = f"uid {os.getuid()}" if hasattr(os, "getuid") else "unknown"
    return {
        "host": platform.node() or "unknown",
        "os_user": user,
        "platform": f"{platform.system()} {platform.release()}".strip(),
        "python": platform.python_version(),
    }


def command_line(base_dir: Path) -> str:
    """The `evidence` command that drove the run, paths relative to the config's folder."""
    words = ["evidence"]
    for word in sys.argv[1:]:
        words.append(relative_location(word, base_dir) if word.startswith("/") else word)
    return shlex.join(words)


def _input(location: str, sha256: str, size: int, base_dir: Path) -> dict[str, Any]:
    entry: dict[str, Any] = {"location": relative_location(location, base_dir), "sha256": sha256, "size": size}
    if location.startswith("s3://"):
        parts = urlsplit(location)
        entry["location"] = f"s3://{parts.netloc}{parts.path}"
        entry["s3"] = {"bucket": parts.netloc, "key": parts.path.lstrip("/")}
        found = parse_qs(parts.fragment)
        if found.get("etag"):
            entry["s3"]["etag"] = found["etag"][0]
        if found.get("version"):
            entry["s3"]["version_id"] = found["version"][0]
    elif "://" not in location:
        if named := _CLI_OUTPUT.match(Path(location).name):
            call = {"command": f"aws {named['service']} {named['operation']}"}
            qualifier = named["qualifier"]
            if qualifier and _REGION.match(qualifier):
                call["region"] = qualifier
            elif qualifier:
                call["resource"] = qualifier
            entry["aws_cli"] = call
        try:
            stat = Path(location).stat()
            entry["mtime"] = datetime.fromtimestamp(stat.st_mtime, UTC).isoformat()
        except OSError:
            entry["mtime"] = None
    return entry


def describe(
    item: EvidenceItem,
    *,
    base_dir: Path,
    run: dict[str, str],
    command: str,
    redactor: Redactor,
) -> dict[str, Any]:
    """The provenance of ``item``; call before its locations are made relative."""
    own = dict(item.provenance or {})
    inputs = [_input(r.location, r.sha256, r.size, base_dir) for r in item.raw_inputs]
    if "://" in item.location:
        how = own.pop("how", None) or f"read {urlsplit(item.location).scheme} inputs"
    else:
        how = own.pop("how", None) or "read local files"
    found: dict[str, Any] = {
        "collector": item.collector,
        "collector_version": f"dpp-evidence {__version__}",
        "source": item.source,
        **run,
        "command": command,
        "how": how,
        "location": relative_location(item.location, base_dir),
        "collected_at": item.collected_at.astimezone(UTC).isoformat(),
        "inputs": inputs,
        **own,
    }
    # A host or user name may name a person (a laptop called after its owner): scrubbed alike.
    # Input locations and hashes are shown as the manifest's raw inputs show them (a long
    # CloudTrail file name would pass for a secret token).
    for key in ("host", "os_user", "command", "location"):
        if isinstance(found.get(key), str):
            found[key] = redactor.scrub(found[key], addresses=False)
    return found


def relativise(item: EvidenceItem, base_dir: Path) -> None:
    """Make the item's and its raw inputs' locations relative to the config's folder."""
    item.location = relative_location(item.location, base_dir)
    for raw in item.raw_inputs:
        raw.location = relative_location(raw.location, base_dir)
