"""CloudTrail read from a trail bucket (a moto server on loopback) against the same files read from disk.

    .venv/bin/python benchmarks/bench_cloudtrail_s3.py [--files 200] [--per-file 500]

Generates ``--files`` delivery files of ``--per-file`` events (100,000 events in 200 objects by
default) under AWSLogs/<account>/CloudTrail/<region>/yyyy/mm/dd/, uploads them to a bucket of a
moto server started on 127.0.0.1, and measures in the same run, each in its own process:

- local: the cloudtrail collector on the files (one process);
- s3: the cloudtrail collector on the bucket (the period's day prefixes listed, objects
  streamed by 8 threads, nothing written to disk).

Target (issue 19): s3 no more than 1.5x local. moto answers from one Python process, so the
S3 time includes moto's own work; a real bucket answers in parallel.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))


def _collect(settings: dict[str, Any], data: Path) -> int:
    from evidence.collectors import registry
    from evidence.collectors.base import CollectorContext
    from evidence.model.period import parse_period
    from evidence.redact import Redactor

    period = parse_period("2026-Q3")
    cls = registry.get("cloudtrail")
    context = CollectorContext(
        source="bench", base_dir=data, period=period, as_of=period.end_at, redactor=Redactor(b"b" * 32)
    )
    events = 0
    for item in cls(cls.settings_model().model_validate(settings), context).collect():
        item.seal()
        if item.kind == "logging.coverage":
            events = int(item.facts["events_total"])
    return events


def measure(name: str, data: Path, endpoint: str) -> dict[str, float]:
    """One measurement in this process."""
    started = time.perf_counter()
    if name == "local":
        events = _collect({"paths": [str(data / "AWSLogs")], "workers": 1}, data)
    else:
        os.environ.update(AWS_ACCESS_KEY_ID="testing", AWS_SECRET_ACCESS_KEY="testing")
        events = _collect({"s3": {"bucket": "trail", "endpoint_url": endpoint, "region": "eu-west-1"}}, data)
    return {"seconds": time.perf_counter() - started, "events": events}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _upload(data: Path, endpoint: str) -> int:
    import boto3

    s3 = boto3.client(
        "s3", endpoint_url=endpoint, region_name="eu-west-1",
        aws_access_key_id="testing", aws_secret_access_key="testing",
    )  # fmt: skip
    s3.create_bucket(Bucket="trail", CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
    files = sorted((data / "AWSLogs").rglob("*.json.gz"))
    for path in files:
        s3.put_object(Bucket="trail", Key=str(path.relative_to(data)), Body=path.read_bytes())
    return len(files)


def _layout(data: Path, files: int, per_file: int) -> None:
    """Spread generated delivery files over the quarter's day folders, as CloudTrail names them."""
    from access_log_data import write_cloudtrail

    flat = data / "flat"
    write_cloudtrail(flat, files, per_file)
    for index, path in enumerate(sorted(flat.rglob("*.json.gz"))):
        day = 1 + index % 28
        month = 7 + index % 3
        target = data / f"AWSLogs/111122223333/CloudTrail/eu-west-1/2026/{month:02d}/{day:02d}/{path.name}"
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.move(str(path), target)
    shutil.rmtree(flat)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--files", type=int, default=200)
    parser.add_argument("--per-file", type=int, default=500)
    parser.add_argument("--measure", help=argparse.SUPPRESS)
    parser.add_argument("--data", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--endpoint", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        result = measure(args.measure, args.data, args.endpoint)
        print(json.dumps({**result, "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
        return
    moto = Path(sys.executable).parent / "moto_server"
    port = _free_port()
    endpoint = f"http://127.0.0.1:{port}"
    with tempfile.TemporaryDirectory(prefix="evidence-bench-s3-") as tmp:
        data = Path(tmp)
        _layout(data, args.files, args.per_file)
        server = subprocess.Popen(
            [str(moto), "-H", "127.0.0.1", "-p", str(port)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        try:
            for _ in range(300):
                try:
                    urllib.request.urlopen(f"{endpoint}/moto-api/", timeout=2).close()
                    break
                except OSError:
                    time.sleep(0.1)
            count = _upload(data, endpoint)
            print(f"{count} delivery files, {args.files * args.per_file:,} events, uploaded to moto at {endpoint}")
            rows = {}
            for name in ("local", "s3"):
                out = subprocess.run(
                    [sys.executable, __file__, "--measure", name, "--data", str(data), "--endpoint", endpoint],
                    capture_output=True, text=True, check=True,
                )  # fmt: skip
                rows[name] = json.loads(out.stdout.strip().splitlines()[-1])
        finally:
            server.terminate()
            server.wait(timeout=30)
    print(f"{'measurement':<12}{'seconds':>9}{'events':>10}{'peak RSS MB':>13}{'x local':>9}")
    for name, row in rows.items():
        ratio = row["seconds"] / rows["local"]["seconds"]
        print(f"{name:<12}{row['seconds']:>9.2f}{row['events']:>10,}{row['rss_mb']:>13.0f}{ratio:>9.2f}")
    print("target (issue 19): s3 <= 1.50 x local")


if __name__ == "__main__":
    main()
