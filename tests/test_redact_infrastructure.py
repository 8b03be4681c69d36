"""Issue 17: the developer's own networks and host names stay in clear; logins never beside their pseudonym."""

from __future__ import annotations

from pathlib import Path

from evidence.pack.pack import copy_name
from evidence.redact import Redactor

KEY = b"k" * 32


def test_own_networks_private_ranges_and_ranges_stay_in_clear() -> None:
    redactor = Redactor(KEY, networks=["192.0.2.0/24"])
    text = "from 192.0.2.10 and 10.1.2.3 and fd00::1, rule 203.0.113.0/24 and ::/0; client 203.0.113.9"
    out = redactor.scrub(text)
    assert "192.0.2.10" in out and "10.1.2.3" in out and "fd00::1" in out
    assert "203.0.113.0/24" in out and "::/0" in out
    assert "203.0.113.9" not in out and "ip:" in out
    assert redactor.address("192.0.2.77") == "192.0.2.77"
    assert redactor.address("198.51.100.7").startswith("ip:")
    # Without the declared network the same address is a client's.
    assert Redactor(KEY).address("192.0.2.10").startswith("ip:")


def test_a_host_name_under_address_is_not_pii_but_a_street_is() -> None:
    redactor = Redactor(KEY)
    data = {
        "Endpoint": {"Address": "orders-db.c1x2y3z4a5b6.eu-west-1.rds.amazonaws.com", "Port": 5432},
        "address": "742 Evergreen Terrace",
        "Address2": "203.0.113.9",
    }
    out = redactor.scrub_data(data)
    assert out["Endpoint"]["Address"] == "orders-db.c1x2y3z4a5b6.eu-west-1.rds.amazonaws.com"
    assert out["address"] == "[REDACTED PII]"


def test_a_pseudonymised_login_is_replaced_wherever_it_appears() -> None:
    redactor = Redactor(KEY)
    pseudonym = redactor.principal("Tom.Okafor")
    out = redactor.scrub("Consecutive login failures for user tom.okafor; home /home/tom.okafor. policy/tom.okafor-ops")
    assert "okafor" not in out.lower()
    assert out.count(pseudonym) == 3
    assert redactor.identities == {"tom.okafor": pseudonym}
    # A login that is an ordinary word is not searched for in free text.
    redactor.principal("admin")
    assert redactor.scrub("the admin page") == "the admin page"


def test_redacted_copies_are_named_for_what_they_are() -> None:
    trail = "AWSLogs/1/CloudTrail/eu-west-1/2026/09/01/1_CloudTrail_eu-west-1_20260901T0005Z_x.json.gz"
    assert copy_name(trail, verbatim=False) == "1_CloudTrail_eu-west-1_20260901T0005Z_x.redacted.json"
    assert copy_name(trail, verbatim=True).endswith(".json.gz")
    assert copy_name(str(Path("/a/auth.log.2.gz")), verbatim=False) == "auth.log.2.redacted"
    assert copy_name("/a/auth.log", verbatim=False) == "auth.log"
