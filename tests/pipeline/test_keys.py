"""The one signing-key loader: unconfigured means unsigned; a named file that is missing is an error."""

from __future__ import annotations

from pathlib import Path

import pytest

from evidence.config import load_config
from evidence.config.schema import Config
from evidence.errors import ConfigError
from evidence.pipeline.keys import signer, signing_key_file
from tests.pack.conftest import PASSWORD, PASSWORD_ENV, make_key, with_signing
from tests.small_config import small_config


def config_with(tmp_path: Path, signing: str | None) -> Config:
    path = small_config(tmp_path / "dev")
    if signing is not None:
        path.write_text(path.read_text(encoding="utf-8") + "\n[signing]\n" + signing, encoding="utf-8")
    return load_config(path)


def test_no_key_configured_means_unsigned(tmp_path: Path) -> None:
    config = config_with(tmp_path, None)
    choice = signing_key_file(config)
    assert choice.key is None
    assert choice.note is None
    assert signer(config) is None


def test_no_key_configured_is_an_error_for_a_sign_off(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"sign-off needs the signer's key: give --key"):
        signing_key_file(config_with(tmp_path, None), required=True)


@pytest.mark.parametrize("required", [False, True])
def test_a_configured_key_file_that_is_missing_names_the_file(tmp_path: Path, required: bool) -> None:
    config = config_with(tmp_path, 'pkcs12 = "keys/gone.p12"\n')
    missing = tmp_path / "dev" / "keys" / "gone.p12"
    expected = rf"\[signing\] pkcs12 = 'keys/gone.p12': no such file \({missing}\)"
    with pytest.raises(ConfigError, match=expected):
        signing_key_file(config, required=required)
    if not required:  # the pack's signer goes through the same loader
        with pytest.raises(ConfigError, match=expected):
            signer(config)


def test_skip_if_missing_leaves_packs_unsigned_with_a_note_but_not_a_sign_off(tmp_path: Path) -> None:
    config = config_with(tmp_path, 'pkcs12 = "keys/gone.p12"\nskip_if_missing = true\n')
    missing = tmp_path / "dev" / "keys" / "gone.p12"
    choice = signing_key_file(config)
    assert choice.key is None
    assert choice.note == f"not signed: {missing} does not exist ([signing] skip_if_missing)"
    assert signer(config) is None
    with pytest.raises(ConfigError, match=r"\[signing\] pkcs12 = 'keys/gone.p12': no such file"):
        signing_key_file(config, required=True)


def test_a_key_given_on_the_command_line_that_is_missing_names_it(tmp_path: Path) -> None:
    config = config_with(tmp_path, None)
    given = tmp_path / "elsewhere.p12"
    with pytest.raises(ConfigError, match=rf"--key {given}: no such file"):
        signing_key_file(config, required=True, given=given, password=b"x")


def test_a_configured_key_is_read_with_its_password(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(PASSWORD_ENV, PASSWORD)
    key = make_key(tmp_path / "keys", "signer", kind="ec")
    config_path = with_signing(small_config(tmp_path / "dev"), key.p12)
    config = load_config(config_path)
    choice = signing_key_file(config, required=True)
    assert choice.key is not None
    assert choice.key.path == key.p12
    assert choice.key.data == key.p12.read_bytes()
    assert choice.key.password == PASSWORD.encode()
    loaded = signer(config)
    assert loaded is not None
    assert loaded.certificate == key.certificate


def test_a_key_given_on_the_command_line_wins_over_the_configured_one(tmp_path: Path) -> None:
    given = make_key(tmp_path / "mine", "mine")
    config = config_with(tmp_path, 'pkcs12 = "keys/gone.p12"\n')
    choice = signing_key_file(config, required=True, given=given.p12, password=b"typed")
    assert choice.key is not None
    assert (choice.key.path, choice.key.password) == (given.p12, b"typed")


def test_a_missing_key_file_is_named_before_its_password_is_looked_for(tmp_path: Path) -> None:
    config = config_with(tmp_path, 'pkcs12 = "keys/gone.p12"\npassword = { file = "keys/gone.password" }\n')
    with pytest.raises(ConfigError, match=r"\[signing\] pkcs12 = 'keys/gone.p12': no such file"):
        signing_key_file(config, required=True)
