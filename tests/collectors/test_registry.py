from importlib.metadata import entry_points

from evidence.collectors import registry
from evidence.collectors.base import CollectorSettings
from tests.support import run_cli


def test_entry_point_name_equals_collector_id() -> None:
    entries = list(entry_points(group="evidence.collectors"))
    assert entries, "no collectors registered"
    for entry in entries:
        assert entry.load().id == entry.name


def test_every_collector_describes_itself_and_binds_its_settings() -> None:
    for cid, cls in registry.available().items():
        assert cls.description.strip() and "\n" not in cls.description, cid
        assert cls.produces, cid
        model = cls.settings_model()
        assert issubclass(model, CollectorSettings) and model is not CollectorSettings, cid


def test_builtins_are_listed_by_the_cli() -> None:
    result = run_cli("collectors", "--json")
    assert result.code == 0
    import json

    ids = {c["id"] for c in json.loads(result.stdout)}
    assert {"documents", "organisation"} <= ids


def test_unknown_collector_is_a_config_error_listing_known_ones() -> None:
    import pytest

    from evidence.errors import ConfigError

    with pytest.raises(ConfigError, match="unknown collector 'nope'; available: .*documents"):
        registry.get("nope")


def test_every_built_in_collector_declares_how_far_the_tool_vouches_for_it() -> None:
    # A collector that does not say inherits "attested", which can never verify a control; a
    # built-in must decide its level on purpose (docs/how-statuses-are-decided.md lists them).
    from evidence.collectors.base import Collector
    from evidence.model.assurance import Assurance

    for cid, cls in registry.available().items():
        declared = next(k for k in cls.__mro__ if "assurance" in vars(k))
        assert declared is not Collector, f"{cid} does not declare its assurance level"
        assert isinstance(cls.assurance, Assurance), cid
