"""The signing key: one loader for the auditor pack and the sign-off, with one rule for a missing file.

The rule: no key configured means unsigned; a key file that is configured (or given with
``--key``) but cannot be read is the user's error, naming the file. The one exception is a
``[signing]`` table that says ``skip_if_missing = true`` (the sample config names a throwaway
key only `make demo` creates): its absent file means unsigned, with a note saying so. A
sign-off has nothing to do without a key, so for it (``required``) both are errors.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from evidence.config.schema import Config
from evidence.errors import ConfigError
from evidence.pack.signing import Signer, load_signer


@dataclass(frozen=True)
class KeyFile:
    """A PKCS#12 key and certificate as read from its file, with the file's password."""

    path: Path
    data: bytes
    password: bytes | None


@dataclass(frozen=True)
class KeyChoice:
    """The key to sign with, or None with the reason the output goes unsigned."""

    key: KeyFile | None
    note: str | None = None


def signing_key_file(
    config: Config,
    *,
    required: bool = False,
    given: Path | None = None,
    password: bytes | None = None,
) -> KeyChoice:
    """Read the signing key: ``given`` (``--key``, with ``password``) or the one ``[signing]`` names.

    A file that is named but missing or unreadable is a ConfigError naming it. Without a key
    the choice is "unsigned", unless ``required`` (a sign-off), when it is a ConfigError too.
    """
    if given is not None:
        return KeyChoice(_read(given, f"--key {given}", password))
    signing = config.signing
    if signing is None:
        if required:
            raise ConfigError("sign-off needs the signer's key: give --key FILE.p12, or name it in [signing]")
        return KeyChoice(None)
    path = config.resolve(signing.pkcs12)
    if not path.exists() and signing.skip_if_missing and not required:
        return KeyChoice(None, f"not signed: {path} does not exist ([signing] skip_if_missing)")
    key = _read(path, f"[signing] pkcs12 = {str(signing.pkcs12)!r}", password)
    if password is None and signing.password is not None:  # resolved once the file is known to exist
        password = signing.password.resolve(config.base_dir).get_secret_value().encode()
        key = KeyFile(path=key.path, data=key.data, password=password)
    return KeyChoice(key)


def _read(path: Path, named: str, password: bytes | None) -> KeyFile:
    if not path.is_file():
        raise ConfigError(f"{named}: no such file ({path})")
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ConfigError(f"{named}: cannot read {path}: {exc.strerror}") from None
    return KeyFile(path=path, data=data, password=password)


def unsigned_note(config: Config) -> str | None:
    """Why the reports just written are unsigned, when a signing key is configured.

    Reports are always rendered unsigned: they are signed when a person approves them with
    `evidence sign-off` (evidence/pipeline/signoff.py), which records the approval in the chain.
    """
    if config.signing is None:
        return None
    return (
        f"reports not signed yet: `evidence sign-off --as NAME` signs them with "
        f"{config.resolve(config.signing.pkcs12)} once approved"
    )


def signer(config: Config) -> Signer | None:
    """The pack's signer from the configured key (see the module's rule); None means unsigned."""
    choice = signing_key_file(config)
    if choice.key is None:
        return None
    return load_signer(choice.key.path, choice.key.password)
