"""The signing key the config names, loaded one way for packs, reports and sign-offs."""

from __future__ import annotations

from evidence.config.schema import Config
from evidence.errors import ConfigError
from evidence.pack.signing import Signer, load_signer
from evidence.render.sign import SigningKey, load_signing_key


def signing_key(config: Config) -> tuple[SigningKey | None, str | None]:
    """Load the key ``[signing]`` names (None when unset), so a bad password fails early.

    With ``skip_if_missing`` an absent file gives no key and a note instead of an error.
    """
    signing = config.signing
    if signing is None:
        return None, None
    path = config.resolve(signing.pkcs12)
    if not path.is_file():
        if signing.skip_if_missing:
            return None, f"reports not signed: {path} does not exist ([signing] skip_if_missing)"
        raise ConfigError(f"[signing] pkcs12 = {str(signing.pkcs12)!r}: no such file ({path})")
    password = None
    if signing.password is not None:
        password = signing.password.resolve(config.base_dir).get_secret_value().encode()
    return load_signing_key(path.read_bytes(), password, str(path)), None


def unsigned_note(config: Config) -> str | None:
    """Why the reports just written are unsigned, when a signing key is configured.

    Reports are always rendered unsigned: they are signed when a person approves them with
    `evidence sign-off` (evidence/signoff.py), which records the approval in the chain.
    """
    if config.signing is None:
        return None
    return (
        f"reports not signed yet: `evidence sign-off --as NAME` signs them with "
        f"{config.resolve(config.signing.pkcs12)} once approved"
    )


def signer(config: Config) -> Signer | None:
    """Load the configured signing key (``[signing]``) for the pack; None when none is configured.

    Like the reports, a key file that does not exist is skipped when ``skip_if_missing`` is set.
    """
    if config.signing is None:
        return None
    if config.signing.skip_if_missing and not config.resolve(config.signing.pkcs12).is_file():
        return None
    ref = config.signing.password
    password = ref.resolve(config.base_dir).get_secret_value().encode() if ref else None
    return load_signer(config.resolve(config.signing.pkcs12), password)
