"""Speed of the identity collectors against a bare JSON parse of the same file, in the same run.

    .venv/bin/python benchmarks/bench_identity_logs.py [--data DIR] [--events 1000000] [--only okta-log,...]

Writes one JSON-lines export of ``--events`` events per collector (okta-log,
google-workspace-log, entra-log, github-audit-log, hr-leavers; see identity_log_data.py) in a
temporary folder (or reuses ``--data``), then measures for each file, each in its own process so
that peak memory (RSS) is its own:

- baseline: read the file line by line and ``orjson.loads`` every line, nothing else;
- ours: the collector on the same file, read -> facts -> sealed evidence items (pseudonyms,
  hashes), as the pipeline runs it minus the store.

The HR export is also written as CSV (``hr-leavers (csv)``): its baseline is a bare
``csv.reader`` pass of the same file, the honest floor for a CSV input, as orjson is for JSON.

Target (issue 20): each collector within 2.0x of its baseline. The two figures of a row come
from the same run, one after the other; on a busy machine both vary, so read the ratio.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))


def measure(name: str, path: Path) -> dict[str, float]:
    """Run one measurement in this process: ``bare`` or a collector id (imports are not timed)."""
    import orjson

    if not name.startswith("bare"):
        import evidence.collectors.registry

        evidence.collectors.registry.get(name)
    started, cpu = time.perf_counter(), time.process_time()
    if name == "bare":
        events = 0
        with path.open("rb") as lines:
            for line in lines:
                orjson.loads(line)
                events += 1
    elif name == "bare-csv":  # the honest floor of a CSV export: one csv.reader pass, header aside
        with path.open(encoding="utf-8", newline="") as text:
            events = sum(1 for _ in csv.reader(text)) - 1
    else:
        events = _collector(name, path)
    return {"seconds": time.perf_counter() - started, "cpu": time.process_time() - cpu, "events": events}


def _collector(cid: str, path: Path) -> int:
    from evidence.collectors import registry
    from evidence.collectors.base import CollectorContext
    from evidence.model.period import parse_period
    from evidence.redact import Redactor

    period = parse_period("2026-Q3")
    cls = registry.get(cid)
    context = CollectorContext(cid, path.parent, period, period.end_at, Redactor(b"b" * 32))
    collector = cls(cls.settings_model().model_validate({"paths": [str(path)]}), context)
    events = 0
    for item in collector.collect():
        item.seal()
        events = max(events, item.stats.read)
    return events


def _child(name: str, path: Path) -> dict[str, float]:
    out = subprocess.run(
        [sys.executable, __file__, "--measure", name, "--file", str(path)], capture_output=True, text=True, check=True
    )
    return dict(json.loads(out.stdout.strip().splitlines()[-1]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, help="folder holding (or to receive) the generated exports")
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--only", help="comma-separated collector ids (default: all five, and hr-leavers (csv))")
    parser.add_argument("--repeat", type=int, default=1, help="measure each pair this many times")
    parser.add_argument("--measure", help=argparse.SUPPRESS)
    parser.add_argument("--file", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        result = measure(args.measure, args.file)
        print(json.dumps({**result, "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
        return
    from identity_log_data import write_all

    with tempfile.TemporaryDirectory(prefix="evidence-bench-identity-") as tmp:
        data = args.data or Path(tmp)
        started = time.perf_counter()
        files = write_all(data, args.events)
        print(f"inputs ready in {time.perf_counter() - started:.0f} s under {data}")
        wanted = args.only.split(",") if args.only else list(files)
        print(f"cores: {os.cpu_count()} (nproc); each pair measured {args.repeat} time(s), bare first")
        head = ("collector", "events", "MB", "bare s", "ours s", "x bare", "bare cpu", "ours cpu", "x cpu", "RSS MB")
        print("".join(f"{h:<22}" if i == 0 else f"{h:>10}" for i, h in enumerate(head)))
        worst = 0.0
        for cid in [c for c in wanted for _ in range(args.repeat)]:
            path = files[cid]
            csv_input = path.suffix == ".csv"
            bare, ours = _child("bare-csv" if csv_input else "bare", path), _child(cid.split(" ")[0], path)
            ratio, cpu_ratio = ours["seconds"] / bare["seconds"], ours["cpu"] / bare["cpu"]
            worst = max(worst, ratio)
            row = (
                f"{int(bare['events']):,}",
                f"{path.stat().st_size / 1e6:.0f}",
                f"{bare['seconds']:.2f}",
                f"{ours['seconds']:.2f}",
                f"{ratio:.2f}",
                f"{bare['cpu']:.2f}",
                f"{ours['cpu']:.2f}",
                f"{cpu_ratio:.2f}",
                f"{ours['rss_mb']:.0f}",
            )
            print(f"{cid:<22}" + "".join(f"{cell:>10}" for cell in row))
        print(
            f"target: every collector <= 2.00 x its bare JSON parse (wall); worst here {worst:.2f}. "
            "cpu = the process's own CPU seconds, less disturbed by other work on a shared machine."
        )


if __name__ == "__main__":
    main()
