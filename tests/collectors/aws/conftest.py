"""A real moto server on loopback, one process per test session (per xdist worker), reset before
each test so every test starts from an empty account with authentication off."""

from __future__ import annotations

import os
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from moto_support import MOTO_SERVER, REGION, Moto, free_port


@pytest.fixture(scope="session")
def moto_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Moto]:
    """The moto_server subprocess on a free loopback port, recording the requests it receives."""
    folder = tmp_path_factory.mktemp("moto")
    port = free_port()
    recording = folder / "recording.jsonl"
    log_path = folder / "moto.log"
    env = {**os.environ, "MOTO_RECORDER_FILEPATH": str(recording)}
    with log_path.open("w") as log:
        process = subprocess.Popen(
            [str(MOTO_SERVER), "-H", "127.0.0.1", "-p", str(port)], stdout=log, stderr=subprocess.STDOUT, env=env
        )
    endpoint = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            urllib.request.urlopen(f"{endpoint}/moto-api/", timeout=2).close()
            break
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                pytest.fail(f"moto_server did not start on port {port}: {log_path.read_text()}")
            time.sleep(0.1)
    try:
        yield Moto(endpoint, recording)
    finally:
        process.kill()
        process.wait(timeout=30)


@pytest.fixture
def moto(moto_server: Moto, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Moto]:
    """The shared server, emptied, with authentication off and AWS credentials pointing at it."""
    moto_server.api("reset")
    moto_server.api("reset-auth", b"inf")
    moto_server.api("recorder/reset-recording")
    for name in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN", "AWS_ROLE_ARN"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", REGION)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-aws-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "no-aws-credentials"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    yield moto_server
    moto_server.api("reset-auth", b"inf")
