from pathlib import Path

import pytest

from evidence.config import load_config
from evidence.errors import ConfigError

GOOD = """
review_period = "2026-Q3"
[organisation]
legal_name = "Example Ltd"
developer_id = "amzn1.sp.solution.x"
applications = ["App"]
[[sources]]
collector = "documents"
registers = ["register.toml"]
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "evidence.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_good_config_loads_and_names_sources(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, GOOD))
    assert config.sources[0].name == "documents-1"
    assert config.sources[0].settings() == {"registers": ["register.toml"]}
    assert config.base_dir == tmp_path


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="config file not found"):
        load_config(tmp_path / "nope.toml")


def test_unknown_key_names_key_file_and_line(tmp_path: Path) -> None:
    path = write(tmp_path, GOOD.replace('applications = ["App"]', 'applications = ["App"]\nlegal_nmae = "x"'))
    with pytest.raises(ConfigError) as info:
        load_config(path)
    assert str(info.value) == f"{path}:7: organisation.legal_nmae: unknown key"


def test_wrong_type_names_the_key(tmp_path: Path) -> None:
    path = write(tmp_path, GOOD.replace('applications = ["App"]', 'applications = "App"'))
    with pytest.raises(ConfigError, match=r"organisation\.applications: Input should be a valid list"):
        load_config(path)


def test_malformed_toml(tmp_path: Path) -> None:
    path = write(tmp_path, GOOD + "\n[broken\n")
    with pytest.raises(ConfigError, match="malformed TOML"):
        load_config(path)


def test_password_in_store_url_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path, GOOD + '\n[store]\nurl = "postgresql://u:hunter2@db/x"\n')
    with pytest.raises(ConfigError) as info:
        load_config(path)
    assert "store.url" in str(info.value)
    assert "hunter2" not in str(info.value)


def test_secret_refs_need_exactly_one_origin(tmp_path: Path) -> None:
    path = write(tmp_path, GOOD + '\n[secrets]\npseudonym_key = { env = "A", file = "b" }\n')
    with pytest.raises(ConfigError, match="exactly one"):
        load_config(path)
