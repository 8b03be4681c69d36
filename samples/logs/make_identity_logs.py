"""Writes the fictional identity logs of Fennel & Finch Commerce Ltd: Okta, GitHub and the HR leavers.

Run from the checkout: ``.venv/bin/python samples/logs/make_identity_logs.py``. Output is
deterministic (its own seed, so the other sample logs are left as they are). Every name,
address and account is fictional (.example domains, documentation IP ranges).

Staff sign in through Okta with Okta Verify, then into AWS (IAM Identity Center), the admin
dashboard and GitHub; GitHub logins carry the person's SAML NameID. The HR export lists every
departure of the year; the offboarding tickets in samples/offboarding describe the same ones.
Deliberate findings: the Okta administrator Sam Ito signs in once with the password alone
(2026-08-21, into AWS); Ines Duarte leaves on 2026-09-04 at 17:00 and her Okta account is
deactivated 30 hours later. Marcus Hale (left 2026-08-14, the other logs' finding) is
deactivated in Okta the same evening and removed from GitHub the next morning.
"""

from __future__ import annotations

import gzip
import json
import random
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent
START = datetime(2026, 7, 1, tzinfo=UTC)
END = datetime(2026, 10, 1, tzinfo=UTC)
ARCHIVE_DAY = datetime(2025, 11, 3, tzinfo=UTC)
DOMAIN = "fennelfinch.example"
OFFICE = [f"198.51.100.{n}" for n in (14, 23, 31, 42, 57)]
APPS = ["AWS IAM Identity Center", "ParcelPilot Admin", "GitHub"]
rng = random.Random(20261001)

# (first, last, GitHub login or None, last working day and time in UTC or None) of everyone.
PEOPLE = [
    ("Tom", "Okafor", "tom-okafor-ff", None),
    ("Lena", "Voss", "lena-voss-ff", None),
    ("Sam", "Ito", "sam-ito-ff", None),
    ("Priya", "Raman", "priya-raman-ff", None),
    ("Anna", "Kowalski", None, None),
    ("Sofia", "Marin", None, datetime(2026, 5, 29, 17, 0, tzinfo=UTC)),
    ("Arjun", "Mehta", "arjun-m-ff", datetime(2026, 7, 10, 16, 30, tzinfo=UTC)),
    ("Noor", "Haddad", "noor-h-ff", datetime(2026, 7, 31, 18, 0, tzinfo=UTC)),
    ("Marcus", "Hale", "mhale-ff", datetime(2026, 8, 14, 23, 59, 59, tzinfo=UTC)),
    ("Elif", "Kaya", None, datetime(2026, 8, 28, 17, 0, tzinfo=UTC)),
    ("Ines", "Duarte", "ines-d-ff", datetime(2026, 9, 4, 17, 0, tzinfo=UTC)),
    ("Grace", "Obi", None, datetime(2026, 9, 18, 16, 0, tzinfo=UTC)),
]
#: When each leaver's Okta account and GitHub membership were removed (the tickets' times).
REMOVED = {
    "arjun.mehta": (datetime(2026, 7, 10, 16, 41, tzinfo=UTC), datetime(2026, 7, 10, 16, 44, tzinfo=UTC)),
    "noor.haddad": (datetime(2026, 8, 1, 9, 20, tzinfo=UTC), datetime(2026, 8, 1, 9, 22, tzinfo=UTC)),
    "marcus.hale": (datetime(2026, 8, 14, 18, 30, tzinfo=UTC), datetime(2026, 8, 15, 8, 10, tzinfo=UTC)),
    "elif.kaya": (datetime(2026, 8, 28, 17, 5, tzinfo=UTC), None),
    "ines.duarte": (datetime(2026, 9, 5, 23, 0, tzinfo=UTC), datetime(2026, 9, 5, 10, 0, tzinfo=UTC)),
    "grace.obi": (datetime(2026, 9, 18, 16, 3, tzinfo=UTC), None),
}
ADMIN = "sam.ito"
NO_MFA = datetime(2026, 8, 21, tzinfo=UTC)  # the day the admin signs in with the password alone


def short(first: str, last: str) -> str:
    return f"{first}.{last}".lower()


def z(t: datetime, millis: bool = True) -> str:
    return t.strftime("%Y-%m-%dT%H:%M:%S.000Z" if millis else "%Y-%m-%dT%H:%M:%SZ")


def days(start: datetime, end: datetime) -> list[datetime]:
    return [start + timedelta(days=n) for n in range((end - start).days)]


def present(who: tuple, day: datetime) -> bool:
    left = who[3]
    return left is None or day.date() <= left.date()


# ---------------------------------------------------------------------------------- Okta


def okta(t: datetime, kind: str, login: str, session: str | None = None, **more: object) -> dict:
    first, last = login.split("@")[0].split(".")
    event = {
        "uuid": f"{rng.getrandbits(128):032x}", "published": z(t), "eventType": kind, "version": "0", "severity": "INFO",
        "actor": {"id": f"00u{rng.getrandbits(40):010x}", "type": "User", "alternateId": login,
                  "displayName": f"{first.title()} {last.title()}"},
        "client": {"ipAddress": rng.choice(OFFICE), "device": "Computer", "zone": "null"},
        "outcome": {"result": "SUCCESS"},
        "authenticationContext": {"authenticationStep": 0, "externalSessionId": session} if session else {},
        "transaction": {"type": "WEB", "id": f"{rng.getrandbits(64):016x}"}, "target": [],
    }  # fmt: skip
    event.update(more)
    return event


def sign_in(t: datetime, login: str, apps: list[str], mfa: bool = True) -> list[dict]:
    session = f"102{rng.getrandbits(88):022x}"
    events = [okta(t, "user.session.start", login, session)]
    if mfa:
        events.append(okta(t + timedelta(seconds=7), "user.authentication.auth_via_mfa", login, session,
                           debugContext={"debugData": {"factor": "OKTA_VERIFY_PUSH"}}))  # fmt: skip
    for n, app in enumerate(apps, start=1):
        events.append(okta(t + timedelta(minutes=n), "user.authentication.sso", login, session,
                           target=[{"id": f"0oa{n}", "type": "AppInstance", "alternateId": app, "displayName": app}]))  # fmt: skip
    return events


def okta_day(day: datetime) -> list[dict]:
    events = []
    staff = [p for p in PEOPLE if present(p, day)]
    on_duty = staff if day.weekday() < 5 else [p for p in staff if p[0] == "Priya"]  # on call at weekends
    for person in on_duty:
        login = f"{short(person[0], person[1])}@{DOMAIN}"
        starts = [8 + rng.randrange(3)] if day.weekday() < 5 else [9]
        if person[0] == "Priya":
            starts.append(19)  # on call: an evening check every day
        for hour in starts:
            t = day + timedelta(hours=hour, minutes=rng.randrange(60))
            apps = rng.sample(APPS, rng.randrange(1, 3)) if person[2] else ["ParcelPilot Admin"]
            mfa = not (short(person[0], person[1]) == ADMIN and day == NO_MFA)
            events.extend(sign_in(t, login, ["AWS IAM Identity Center"] if not mfa else apps, mfa))
    for name, (okta_at, _) in REMOVED.items():
        if okta_at.date() == day.date():
            events.append(okta(okta_at, "user.lifecycle.deactivate", f"priya.raman@{DOMAIN}",
                               target=[{"id": "00u0", "type": "User", "alternateId": f"{name}@{DOMAIN}", "displayName": name.replace(".", " ").title()}]))  # fmt: skip
    if day == START:
        events.append(okta(day + timedelta(hours=11), "user.account.privilege.grant", f"priya.raman@{DOMAIN}",
                           target=[{"id": "00u1", "type": "User", "alternateId": f"{ADMIN}@{DOMAIN}", "displayName": "Sam Ito"}],
                           debugContext={"debugData": {"privilegeGranted": "Super administrator"}}))  # fmt: skip
        events.append(okta(day + timedelta(hours=11, minutes=5), "policy.rule.update", f"priya.raman@{DOMAIN}",
                           target=[{"id": "rul1", "type": "PolicyRule", "displayName": "Require Okta Verify",
                                    "detailEntry": {"policyType": "OKTA_SIGN_ON"}}]))  # fmt: skip
    return sorted(events, key=lambda e: str(e["published"]))


def write_okta() -> None:
    base = ROOT / "okta"
    base.mkdir(parents=True, exist_ok=True)
    lines = lambda events: "".join(json.dumps(e, separators=(",", ":")) + "\n" for e in events)  # noqa: E731
    (base / "system-log-2025-11-03.jsonl").write_text(lines(okta_day(ARCHIVE_DAY)))
    quarter = lines(e for d in days(START, END) for e in okta_day(d)).encode()
    (base / "system-log-2026-q3.jsonl.gz").write_bytes(gzip.compress(quarter, mtime=0))


# -------------------------------------------------------------------------------- GitHub


def gh(t: datetime, action: str, actor: str, **more: object) -> dict:
    event = {"@timestamp": int(t.timestamp() * 1000), "_document_id": f"{rng.getrandbits(96):024x}", "action": action,
             "actor": actor, "actor_location": {"country_code": "GB"}, "org": "fennelfinch", "business": ""}  # fmt: skip
    event.update(more)
    return event


def github_day(day: datetime) -> list[dict]:
    events = [gh(day + timedelta(hours=h), "workflows.completed_workflow_run", "parcelpilot-ci[bot]",
                 repo="fennelfinch/parcelpilot-api", conclusion="success") for h in (2, 14)]  # fmt: skip
    if day.weekday() < 5:
        for first, last, login, left in PEOPLE:
            t = day + timedelta(hours=10 + rng.randrange(6), minutes=rng.randrange(60))
            if login and (left is None or t < left):
                events.append(gh(t, "git.push", login, repo="fennelfinch/parcelpilot-api", actor_ip=rng.choice(OFFICE),
                                 external_identity_nameid=f"{short(first, last)}@{DOMAIN}"))  # fmt: skip
    for name, (_, removed) in REMOVED.items():
        if removed and removed.date() == day.date():
            login = next(p[2] for p in PEOPLE if short(p[0], p[1]) == name)
            events.append(gh(removed, "org.remove_member", "priya-raman-ff", user=login, actor_ip=OFFICE[0]))
    if day == START:
        events.append(gh(day + timedelta(hours=11, minutes=30), "org.enable_two_factor_requirement", "priya-raman-ff"))
    return sorted(events, key=lambda e: int(e["@timestamp"]))  # type: ignore[call-overload]


def write_github() -> None:
    base = ROOT / "github"
    base.mkdir(parents=True, exist_ok=True)
    lines = lambda events: "".join(json.dumps(e, separators=(",", ":")) + "\n" for e in events)  # noqa: E731
    (base / "audit-log-2025-11-03.jsonl").write_text(lines(github_day(ARCHIVE_DAY)))
    (base / "audit-log-2026-q3.jsonl").write_text(lines(e for d in days(START, END) for e in github_day(d)))


# ------------------------------------------------------------------------------ HR export


def write_hr() -> None:
    base = ROOT.parent / "hr"
    base.mkdir(parents=True, exist_ok=True)
    rows = ["Employee #,First Name,Last Name,Work Email,Department,Termination Date,Termination Time,Termination Reason"]
    for number, (first, last, _, left) in enumerate(PEOPLE, start=1040):
        if left is None:
            continue
        time = "" if (left.hour, left.minute) == (23, 59) else f"{left:%H:%M}"  # Marcus Hale's row has a date only
        rows.append(f"FF-{number},{first},{last},{short(first, last)}@{DOMAIN},Operations,{left:%Y-%m-%d},{time},Resignation")
    (base / "leavers.csv").write_text("\n".join(rows) + "\n")


if __name__ == "__main__":
    write_okta()
    write_github()
    write_hr()
