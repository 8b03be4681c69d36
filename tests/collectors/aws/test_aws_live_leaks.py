"""Planted secrets and buyer PII in a live AWS account (moto on loopback) reach no output.

The live collector's input shape is the account itself: tags, descriptions, user names, a
secret's value and a database's master password. The same planted values as the file-based
leak test (tests/test_no_leaks.py) go into each; after `evidence run --json` and `evidence pack`,
none of them may be found in the store, the stored copies, the PDFs, the pack or the output.
"""

from __future__ import annotations

from pathlib import Path

from moto_support import (
    REGION,
    Moto,
    moto_fixture,  # noqa: F401  (the fixture `moto`)
    moto_server_fixture,  # noqa: F401  (the fixture `moto_server`)
)

from tests.test_no_leaks import AWS_SECRET, BUYER, DB_PASSWORD, EMAIL, FREE_TEXT, LIVE_CONFIG_HEAD, run_and_search


def plant(moto: Moto) -> None:
    s3 = moto.client("s3")
    s3.create_bucket(Bucket="planted-orders", CreateBucketConfiguration={"LocationConstraint": REGION})
    s3.put_bucket_tagging(
        Bucket="planted-orders", Tagging={"TagSet": [{"Key": "Owner", "Value": FREE_TEXT[:250]}]}
    )
    kms = moto.client("kms")
    kms.create_key(Description=FREE_TEXT[:250], Tags=[{"TagKey": "buyer", "TagValue": BUYER}])
    iam = moto.client("iam")
    iam.create_user(UserName=EMAIL, Tags=[{"Key": "note", "Value": FREE_TEXT[:250]}])
    iam.update_account_password_policy(MinimumPasswordLength=8)
    moto.client("secretsmanager").create_secret(
        Name="planted/orders-db", SecretString=AWS_SECRET, Description=FREE_TEXT[:250]
    )
    moto.client("rds").create_db_instance(
        DBInstanceIdentifier="planted-orders-db",
        DBInstanceClass="db.t3.micro",
        Engine="postgres",
        MasterUsername="app",
        MasterUserPassword=DB_PASSWORD,
        AllocatedStorage=20,
        StorageEncrypted=True,
        Tags=[{"Key": "contact", "Value": f"ship to {BUYER}"}],
    )


def test_planted_values_in_a_live_account_reach_no_output(moto: Moto, tmp_path: Path) -> None:
    plant(moto)
    config = tmp_path / "evidence.toml"
    config.write_text(
        f"""{LIVE_CONFIG_HEAD}[[sources]]
collector = "aws"
name = "account"
regions = ["{REGION}"]
endpoint_url = "{moto.endpoint}"
credential_report_wait_seconds = 5
""",
        encoding="utf-8",
    )
    leaks = run_and_search(config, tmp_path)
    assert not leaks, "\n".join(leaks[:40])
    # The account was read: the planted bucket and database are named in the evidence.
    stored = [p for p in (tmp_path / ".evidence").rglob("*") if p.is_file() and p.suffix != ".db"]
    text = b"".join(p.read_bytes() for p in sorted(stored))
    assert b"planted-orders" in text and b"planted-orders-db" in text
