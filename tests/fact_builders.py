"""Whole fact models for check tests: a test changes the parts it is about and keeps the rest valid.

Facts are validated against their kind's model (evidence/model/facts/), so a test that hand-wrote
half a shape would fail; these builders give the rest of the shape, empty.
"""

from __future__ import annotations

from typing import Any

from evidence.model.facts.access import AccessActivity, Logins, Network, PrincipalActivity, RootUse
from evidence.model.facts.dataflow import DataMapFacts, MapCounts, MapResource, MapStore


def activity_facts(principals: list[PrincipalActivity] | None = None, **changes: Any) -> AccessActivity:
    """The ``access.activity`` facts of an auth log holding only ``principals`` (and ``changes``)."""
    principals = principals or []
    fields: dict[str, Any] = {
        "source_type": "auth-log", "channel": "host", "window_start": "2026-07-01T00:00:00Z",
        "window_end": "2026-09-30T23:59:59Z", "events_in_period": len(principals), "newest_event": None, "files": 1,
        "files_read": 1, "files_rejected": 0, "principal_count": len(principals), "principals": principals,
        "logins": Logins(
            succeeded=len(principals), failed=0, with_mfa=len(principals), without_mfa=0, mfa_unknown=0,
            by_method={}, without_mfa_by_principal=[],
        ),
        "failure_runs": [], "invalid_user_failures": 0, "lockouts": 0,
        "root_use": RootUse(events=0, logins=0, first=None, last=None, actions={}),
        "generic_accounts": [], "service_accounts_interactive": [], "departed_users": [],
        "network": Network(
            allowed_networks=[], checked=0, outside_logins=0, outside_store_access=0, outside_principals=0,
            outside_addresses=0, outside_login_list=[], outside_store_access_list=[],
        ),
        "pii_stores": [], "pii_store_access": [], "pii_store_unattributed": {}, "other_principals": [], "disables": [],
        "disables_total": 0, "links": [], "access_paths": [], "pii_apps": [],
    }
    return AccessActivity(**{**fields, **changes})


def map_store(store_id: str, resources: list[tuple[str, str]], *, pii: str = "yes") -> MapStore:
    """A store of a data map holding PII (by default) on ``resources`` (type, id)."""
    return MapStore(
        id=store_id, name=None, kind=None, zone=None, mixed=False, device=False, encrypted_at_rest=None,
        encryption_algorithm=None, encryption_key=None, retention=None, region=None, backups=None,
        resources=[MapResource(type=t, id=i) for t, i in resources], aliases=[], tables=[],
        pii=pii, data_declared=True, pii_fields=[], amazon_data=[], unclassified=[],
    )


def data_map_facts(stores: list[MapStore]) -> DataMapFacts:
    """A data map declaring only ``stores``."""
    return DataMapFacts(
        map="test map", format="native", owner=None, updated=None,
        counts=MapCounts(
            systems=0, stores=len(stores), pii_stores=sum(s.pii == "yes" for s in stores), flows=0,
            pii_flows=0, third_parties=0, roles=0, gaps=0,
        ),
        systems=[], stores=stores, flows=[], third_parties=[], roles=[], out_of_scope=[], gaps=[], notes=[],
    )
