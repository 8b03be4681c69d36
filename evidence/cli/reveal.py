"""`evidence reveal`: print a pack's key to its pseudonyms, decrypted with the auditor's private key."""

from __future__ import annotations

import zipfile
from pathlib import Path
from typing import Annotated

import orjson
import typer

from evidence.cli.options import JsonOption
from evidence.cli.output import print_json
from evidence.errors import ExitCode, PackError
from evidence.pack import reveal as reveal_key


def reveal(
    pack: Annotated[Path, typer.Argument(help="The auditor pack (zip) written with --reveal-to.")],
    key: Annotated[
        Path, typer.Option("--key", "-k", help="The auditor's private key (PEM) matching the certificate.")
    ],
    cert: Annotated[
        Path | None,
        typer.Option(
            "--cert",
            help="The auditor's certificate (default: the recipient certificate in the pack).",
        ),
    ] = None,
    password_env: Annotated[
        str | None,
        typer.Option("--password-env", metavar="NAME", help="Environment variable holding the key's password."),
    ] = None,
    json: JsonOption = False,
) -> ExitCode:
    """Print the pseudonym -> value map of staff and system identities in a pack.

    The same file opens without dpp-evidence:
    openssl cms -decrypt -inform PEM -in reveal/pseudonyms.p7m.pem -inkey KEY -recip CERT
    """
    import os

    try:
        with zipfile.ZipFile(pack) as archive:
            names = set(archive.namelist())
            if reveal_key.MEMBER not in names:
                raise PackError(
                    f"{pack}: holds no key to its pseudonyms ({reveal_key.MEMBER}); "
                    "ask for a pack written with `evidence pack --reveal-to YOUR_CERT`"
                )
            data = archive.read(reveal_key.MEMBER)
            recipient = archive.read(reveal_key.RECIPIENT) if reveal_key.RECIPIENT in names else None
    except (OSError, zipfile.BadZipFile) as exc:
        raise PackError(f"{pack}: cannot read the pack: {exc}") from None
    try:
        key_pem = key.read_bytes()
        cert_pem = cert.read_bytes() if cert is not None else recipient
    except OSError as exc:
        raise PackError(f"cannot read {exc.filename}: {exc.strerror}") from None
    password = None
    if password_env:
        value = os.environ.get(password_env)
        if not value:
            raise PackError(f"environment variable {password_env} is not set")
        password = value.encode()
    content = orjson.loads(reveal_key.open_envelope(data, cert_pem, key_pem, password))
    if json:
        print_json(content)
        return ExitCode.OK
    pseudonyms = content.get("pseudonyms", {})
    typer.echo(f"# {len(pseudonyms)} pseudonyms of run {content.get('run')} ({content.get('period')})")
    for pseudonym, value in sorted(pseudonyms.items()):
        typer.echo(f"{pseudonym}\t{value}")
    return ExitCode.OK
