"""The identity collectors' fast path (fields read only, msgspec) gives the very facts of the full parse.

Each collector runs twice on the same files: as shipped, and as a subclass without the fast
path (``fast = None``: every line parsed whole by orjson). Items must be equal in facts,
digests and parse statistics (rejects with file:line included). The files are the shared real
samples, their Panther events unwrapped, a few thousand events of the benchmark's generator,
and lines of unusual shape that must leave the fast path (non-ASCII text, nulls and wrong
types where objects are expected, lower-cased keys, flattened activities, envelopes, blank
and malformed lines).
"""

from __future__ import annotations

import importlib.util
import json
import random
from pathlib import Path
from typing import Any

import pytest
from identity_builders import IDENTITY, unwrapped

from evidence.collectors import registry
from evidence.collectors.identity.collector import IdentityLogCollector
from evidence.collectors.identity.records import Clock
from evidence.model.evidence import EvidenceItem
from tests.collector_testing import ROOT, collector_context

FOLDERS = {
    "okta-log": "okta",
    "google-workspace-log": "google-workspace",
    "entra-log": "entra-id",
    "github-audit-log": "github-audit",
}
WIDE = "2015-01-01..2026-12-31"

ODD_LINES: dict[str, list[Any]] = {
    "okta-log": [
        {"eventType": "user.session.start", "published": "2026-07-02T10:00:00.000Z", "actor": None},
        {
            "eventType": "user.session.start",
            "published": "2026-07-02T10:00:01Z",
            "outcome": "SUCCESS",
            "actor": {"type": "User", "alternateId": "zoë@corp.example"},
        },
        {
            "eventtype": "user.lifecycle.deactivate",
            "published": "2026-07-02T10:00:02Z",
            "target": [{"type": "User", "alternateId": "lower@corp.example"}],
        },
        {
            "eventType": None,
            "eventtype": "user.session.start",
            "published": "2026-07-02T10:00:03Z",
            "actor": {"type": "User", "alternateId": "nulltype@corp.example"},
            "outcome": {"result": "SUCCESS"},
        },
        {
            "eventType": "user.session.start",
            "published": 1783000000000,
            "actor": {"type": "User", "alternateId": "ms@corp.example"},
            "outcome": {"result": "SUCCESS"},
            "client": {"ipAddress": 7},
            "authenticationContext": {"externalSessionId": ["x"]},
        },
        [
            {
                "eventType": "user.account.lock",
                "published": "2026-07-02T10:00:04Z",
                "actor": {"type": "User", "alternateId": "array@corp.example"},
            }
        ],
        {"log_type": "Okta.SystemLog", "log": {"eventType": "user.session.start"}},
    ],
    "google-workspace-log": [
        {
            "id": {"time": "2026-07-02T10:00:00Z", "applicationName": "login"},
            "name": "login_success",
            "type": "login",
            "parameters": {"login_challenge_method": ["password"]},
            "actor": {"email": "flat@corp.example"},
        },
        {
            "id": {"time": "2026-07-02T10:00:01Z", "applicationName": "login"},
            "actor": "nobody",
            "events": [{"name": "login_success"}],
        },
        {"id": None, "events": []},
        {
            "items": [
                {
                    "id": {"time": "2026-07-02T10:00:02Z", "applicationName": "admin"},
                    "actor": {"email": "admin@corp.example"},
                    "events": [{"name": "SUSPEND_USER", "parameters": [{"name": "USER_EMAIL", "value": "x@y.z"}]}],
                }
            ]
        },
        {
            "id": {"time": "2026-07-02T10:00:03Z", "applicationName": "login"},
            "actor": {"email": "jürgen@corp.example"},
            "events": [{"name": "login_failure"}],
        },
    ],
    "entra-log": [
        {
            "createdDateTime": "2026-07-02T10:00:00Z",
            "userPrincipalName": "amélie@corp.example",
            "status": {"errorCode": 0},
            "authenticationRequirement": "singleFactorAuthentication",
        },
        {"createdDateTime": "2026-07-02T10:00:01Z", "userPrincipalName": "s@corp.example", "status": "0"},
        {
            "TimeGenerated": "2026-07-02T10:00:02Z",
            "Type": "SigninLogs",
            "UserPrincipalName": "la@corp.example",
            "CreatedDateTime": "2026-07-02T10:00:02Z",
            "Status": '{"errorCode": 50126}',
        },
        {
            "category": "SignInLogs",
            "time": "2026-07-02T10:00:03Z",
            "resultType": "50053",
            "properties": {"createdDateTime": "2026-07-02T10:00:03Z", "userPrincipalName": "mon@corp.example"},
        },
        {
            "Workload": "AzureActiveDirectory",
            "Operation": "UserLoggedIn",
            "CreationTime": "2026-07-02T10:00:04",
            "UserId": "o365@corp.example",
            "createdDateTime": "2026-07-02T10:00:04Z",
        },
        {
            "value": [
                {
                    "activityDateTime": "2026-07-02T10:00:05Z",
                    "activityDisplayName": "Disable account",
                    "targetResources": [{"type": "User", "userPrincipalName": "env@corp.example"}],
                }
            ]
        },
    ],
    "github-audit-log": [
        {"action": "org.remove_member", "@timestamp": "1783000000000", "actor": "ädmin", "user": "gone"},
        {"action": "org.remove_member", "created_at": 1783000001000, "actor": None, "user": ["x"]},
        {"action": 7, "@timestamp": 1783000002000},
        {"action": "git.push", "@timestamp": 1783000003000, "actor": "pusher", "actor_ip": 12},
    ],
}


def _generator() -> Any:
    spec = importlib.util.spec_from_file_location("identity_log_data", ROOT / "benchmarks" / "identity_log_data.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _inputs(cid: str, tmp_path: Path) -> list[Path]:
    folder = IDENTITY / FOLDERS[cid]
    files = sorted(p for p in folder.glob("*") if p.is_file())
    for sample in sorted(folder.glob("panther_*.json")):
        files.append(unwrapped(sample, tmp_path / f"unwrapped_{sample.stem}.jsonl"))
    name, build = _generator().WRITERS[cid]
    rng = random.Random(cid)
    generated = tmp_path / f"generated_{name}"
    generated.write_text("".join(build(rng, n, 3000) + "\n" for n in range(3000)), encoding="utf-8")
    odd = tmp_path / f"odd_{name}"
    lines = [json.dumps(line, ensure_ascii=False) for line in ODD_LINES[cid]]
    odd.write_text("\n".join([*lines, "", "{not json", build(rng, 1, 3)]) + "\n", encoding="utf-8")
    return [*files, generated, odd]


def _run(cls: type[IdentityLogCollector], cid: str, path: Path, period: str) -> list[EvidenceItem]:
    context = collector_context(path.parent, source=cid, period=period)
    collector = cls(cls.settings_model().model_validate({"paths": [str(path)]}), context)  # type: ignore[arg-type]
    return [item.seal() for item in collector.collect()]


@pytest.mark.parametrize("cid", sorted(FOLDERS))
def test_the_fast_path_gives_the_facts_of_the_full_parse(cid: str, tmp_path: Path) -> None:
    fast = registry.get(cid)
    assert issubclass(fast, IdentityLogCollector) and fast.fast is not None
    plain = type(f"Plain{fast.__name__}", (fast,), {"fast": None})
    for path in _inputs(cid, tmp_path):
        for period in ("2026-Q3", WIDE):
            quick, full = _run(fast, cid, path, period), _run(plain, cid, path, period)
            assert [i.kind for i in quick] == [i.kind for i in full]
            for a, b in zip(quick, full, strict=True):
                assert a.facts == b.facts, (path.name, period, a.kind)
                assert a.facts_sha256 == b.facts_sha256
                assert a.stats == b.stats, (path.name, period, a.stats, b.stats)
            assert quick[0].stats.read > 0, path.name


def test_the_fast_decoder_skips_what_the_reader_never_reads() -> None:
    okta = registry.get("okta-log")
    assert issubclass(okta, IdentityLogCollector) and okta.fast is not None
    line = b'{"eventType":"user.session.start","uuid":"u-1","actor":{"alternateId":"a@b.c","displayName":"A B"}}'
    assert okta.fast.decoder.decode(line) == {"eventType": "user.session.start", "actor": {"alternateId": "a@b.c"}}


@pytest.mark.parametrize(
    "text",
    [
        "2026-07-01T09:30:12.345Z",
        "2026-07-01T09:31:00Z",
        "2026-07-01 23:59:59.000000000",
        "2026-07-01T24:00:00Z",
        "2026-07-01T09:60:00Z",
        "2026-07-01T0a:30:00Z",
        "2026-07-01T٠٩:30:00Z",
        "2026-07-01X09:30:00Z",
        "2026-02-30T09:30:00Z",
        "2026-07-02t00:00:01z",
    ],
)
def test_the_clock_reads_a_new_minute_of_a_known_day_as_a_fresh_clock_does(text: str) -> None:
    warm = Clock()
    warm.epoch("2026-07-01T00:00:00Z")
    warm.epoch("2026-07-02T00:00:00Z")
    warm.epoch("2026-02-28T00:00:00Z")
    assert warm.epoch(text) == Clock().epoch(text)
    assert (warm.epoch(text) is None) == (
        text[11:13] in ("24", "0a", "٠٩") or text[14:16] == "60" or "X" in text or "02-30" in text
    )
