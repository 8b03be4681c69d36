"""Writes purge-label-backups.log, the label-backup purge's own log, from cron-syslog.log.

Run from the checkout: ``.venv/bin/python samples/retention/make_purge_log.py``; the output is
deterministic. Cron (cron-syslog.log) records when it launched the purge, not how the purge
ended; the purge appends one JSON line per run to the file its cron line redirects to
(``>> /var/log/parcelpilot/purge-label-backups.log``) when it finishes, so a run that crashed
leaves no line. Each line starts a second after cron's launch and finishes when cron closes the
job's PAM session. Every run of the quarter worked: the sample's deliberate retention gaps are
in the weekly PII purge (journal-purge-order-pii.json).
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent
YEAR = 2026
_LINE = re.compile(r"^(?P<stamp>\w{3} +\d+ \d\d:\d\d:\d\d) \S+ CRON\[(?P<pid>\d+)\]: (?P<msg>.*)$")


_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def _moment(stamp: str) -> datetime:
    """``Jun 28 04:15:01`` in UTC (spelt-out months: strptime's %b follows the locale)."""
    month, day, clock = stamp.split()
    hours, minutes, seconds = (int(part) for part in clock.split(":"))
    return datetime(YEAR, _MONTHS.index(month) + 1, int(day), hours, minutes, seconds, tzinfo=UTC)


def main() -> None:
    """Write one JSON line per purge run found in cron-syslog.log."""
    launched: dict[str, datetime] = {}
    lines = []
    for text in (ROOT / "cron-syslog.log").read_text(encoding="utf-8").splitlines():
        match = _LINE.match(text)
        if match is None:
            continue
        if "CMD (/opt/parcelpilot/bin/purge-label-backups" in match["msg"]:
            launched[match["pid"]] = _moment(match["stamp"])
        elif "session closed" in match["msg"] and match["pid"] in launched:
            started = launched.pop(match["pid"]) + timedelta(seconds=1)
            finished = _moment(match["stamp"])
            record = {
                "event": "run_finished",
                "job": "purge-label-backups",
                "started": started.strftime("%Y-%m-%dT%H:%M:%SZ"),
                "finished": finished.strftime("%Y-%m-%dT%H:%M:%SZ"),
                "status": "succeeded",
                "deleted": 20 + started.timetuple().tm_yday % 17,
                "bucket_prefix": "labels/",
            }
            lines.append(json.dumps(record))
    (ROOT / "purge-label-backups.log").write_text("\n".join(lines) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
