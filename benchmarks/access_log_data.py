"""Synthetic inputs for the access-log benchmarks: CloudTrail delivery files and an access log.

Events are realistic in shape and size (about 1.4 KB of JSON each: S3 data events with TLS
details, EC2 and KMS calls by roles, console sign-ins by IAM users, STS calls by AWS services),
built from pre-serialised templates so that writing a million takes seconds, not minutes.
Files go to a temporary folder, never into the checkout.
"""

from __future__ import annotations

import base64
import gzip
import json
import random
from datetime import UTC, datetime, timedelta
from pathlib import Path

ACCOUNT = "111122223333"
START = datetime(2026, 7, 1, tzinfo=UTC)


def _templates() -> list[str]:
    tls = {
        "tlsVersion": "TLSv1.3",
        "cipherSuite": "TLS_AES_128_GCM_SHA256",
        "clientProvidedHostHeader": "ff-label-archive-prod.s3.eu-west-1.amazonaws.com",
    }
    role = {
        "type": "AssumedRole",
        "principalId": "AROAEXAMPLEID:i-0abc",
        "accountId": ACCOUNT,
        "arn": f"arn:aws:sts::{ACCOUNT}:assumed-role/parcelpilot-labels/@SESSION@",
        "accessKeyId": "ASIAEXAMPLEKEY",
        "sessionContext": {
            "sessionIssuer": {
                "type": "Role",
                "principalId": "AROAEXAMPLEID",
                "accountId": ACCOUNT,
                "arn": f"arn:aws:iam::{ACCOUNT}:role/parcelpilot-labels",
                "userName": "parcelpilot-labels",
            },
            "attributes": {"creationDate": "2026-07-01T00:00:00Z", "mfaAuthenticated": "false"},
            "ec2RoleDelivery": "2.0",
        },
    }
    user = {
        "type": "IAMUser",
        "principalId": "AIDAEXAMPLEUSER",
        "arn": f"arn:aws:iam::{ACCOUNT}:user/@USER@",
        "accountId": ACCOUNT,
        "accessKeyId": "AKIAEXAMPLEKEY",
        "userName": "@USER@",
    }
    common = {
        "eventVersion": "1.09",
        "eventTime": "@TIME@",
        "awsRegion": "eu-west-1",
        "requestID": "@RID@",
        "eventID": "@EID@",
        "recipientAccountId": ACCOUNT,
        "sourceIPAddress": "@IP@",
        "userAgent": "[aws-sdk-go-v2/1.30.3 os/linux lang/go#1.22.5 md/GOOS#linux md/GOARCH#amd64 api/s3#1.58.2]",
    }
    s3 = {
        **common,
        "userIdentity": role,
        "eventSource": "s3.amazonaws.com",
        "eventName": "GetObject",
        "requestParameters": {
            "bucketName": "ff-label-archive-prod",
            "Host": tls["clientProvidedHostHeader"],
            "key": "labels/2026/07/@KEY@.pdf",
            "x-id": "GetObject",
        },
        "responseElements": None,
        "additionalEventData": {
            "SignatureVersion": "SigV4",
            "CipherSuite": "TLS_AES_128_GCM_SHA256",
            "bytesTransferredIn": 0,
            "AuthenticationMethod": "AuthHeader",
            "x-amz-id-2": "@XID@",
            "bytesTransferredOut": 48211,
        },
        "resources": [
            {
                "type": "AWS::S3::Object",
                "ARN": "arn:aws:s3:::ff-label-archive-prod/labels/2026/07/@KEY@.pdf",
            },
            {
                "accountId": ACCOUNT,
                "type": "AWS::S3::Bucket",
                "ARN": "arn:aws:s3:::ff-label-archive-prod",
            },
        ],
        "eventType": "AwsApiCall",
        "managementEvent": False,
        "readOnly": True,
        "eventCategory": "Data",
        "tlsDetails": tls,
    }
    put = json.loads(json.dumps(s3).replace("GetObject", "PutObject"))
    ec2 = {
        **common,
        "userIdentity": user,
        "eventSource": "ec2.amazonaws.com",
        "eventName": "DescribeInstances",
        "requestParameters": {
            "instancesSet": {},
            "filterSet": {
                "items": [{"name": "tag:app", "valueSet": {"items": [{"value": "parcelpilot"}]}}]
            },
        },
        "responseElements": None,
        "eventType": "AwsApiCall",
        "managementEvent": True,
        "readOnly": True,
        "eventCategory": "Management",
        "tlsDetails": {**tls, "clientProvidedHostHeader": "ec2.eu-west-1.amazonaws.com"},
    }
    kms = {
        **common,
        "userIdentity": role,
        "eventSource": "kms.amazonaws.com",
        "eventName": "Decrypt",
        "requestParameters": {
            "encryptionAlgorithm": "SYMMETRIC_DEFAULT",
            "encryptionContext": {
                "aws:s3:arn": "arn:aws:s3:::ff-label-archive-prod/labels/@KEY@.pdf"
            },
        },
        "responseElements": None,
        "resources": [
            {
                "accountId": ACCOUNT,
                "type": "AWS::KMS::Key",
                "ARN": f"arn:aws:kms:eu-west-1:{ACCOUNT}:key/0f3c2a10-4b8e-4d1a-9c55-2e0f6a9b1d34",
            }
        ],
        "eventType": "AwsApiCall",
        "managementEvent": True,
        "readOnly": True,
        "eventCategory": "Management",
    }
    sts = {
        **common,
        "userIdentity": {"type": "AWSService", "invokedBy": "ec2.amazonaws.com"},
        "eventSource": "sts.amazonaws.com",
        "eventName": "AssumeRole",
        "sourceIPAddress": "ec2.amazonaws.com",
        "requestParameters": {
            "roleArn": f"arn:aws:iam::{ACCOUNT}:role/parcelpilot-labels",
            "roleSessionName": "i-0abc",
        },
        "responseElements": {
            "credentials": {
                "accessKeyId": "ASIAEXAMPLEKEY",
                "expiration": "Jul 1, 2026, 6:00:00 PM",
                "sessionToken": "IQoJb3JpZ2luX2VjEXAMPLETOKEN",
            }
        },
        "eventType": "AwsApiCall",
        "managementEvent": True,
        "readOnly": True,
        "eventCategory": "Management",
    }
    login = {
        **common,
        "userIdentity": user,
        "eventSource": "signin.amazonaws.com",
        "eventName": "ConsoleLogin",
        "requestParameters": None,
        "responseElements": {"ConsoleLogin": "Success"},
        "additionalEventData": {
            "LoginTo": "https://console.aws.amazon.com/console/home",
            "MobileVersion": "No",
            "MFAUsed": "Yes",
        },
        "eventType": "AwsConsoleSignIn",
        "managementEvent": True,
        "readOnly": False,
        "eventCategory": "Management",
    }
    weights = [(s3, 45), (put, 15), (ec2, 15), (kms, 15), (sts, 9), (login, 1)]
    return [json.dumps(t, separators=(",", ":")) for t, n in weights for _ in range(n)]


def write_cloudtrail(
    root: Path, files: int = 1000, per_file: int = 1000, seed: int = 7
) -> list[Path]:
    """``files`` gzip delivery files of ``per_file`` events each, in the S3 folder layout."""
    rng = random.Random(seed)
    templates = _templates()
    users = ["tom.okafor", "lena.voss", "sam.ito", "priya.raman"]
    step = timedelta(days=92) / (files * per_file)
    paths, moment = [], START
    for index in range(files):
        records = []
        for _ in range(per_file):
            moment += step
            text = rng.choice(templates)
            text = (
                text.replace("@TIME@", moment.strftime("%Y-%m-%dT%H:%M:%SZ"))
                .replace("@RID@", f"{rng.getrandbits(64):016X}")
                .replace(
                    "@XID@", base64.b64encode(rng.getrandbits(480).to_bytes(60, "big")).decode()
                )
                .replace("@EID@", f"{rng.getrandbits(128):032x}")
                .replace("@KEY@", f"{rng.getrandbits(40):010x}")
                .replace("@USER@", rng.choice(users))
                .replace("@SESSION@", f"i-0{rng.getrandbits(56):014x}")
                .replace("@IP@", f"198.51.100.{rng.randrange(1, 255)}")
            )
            records.append(text)
        body = ('{"Records":[' + ",".join(records) + "]}").encode()
        name = f"{ACCOUNT}_CloudTrail_eu-west-1_{moment:%Y%m%dT%H%MZ}_{index:06d}.json.gz"
        path = (
            root
            / "AWSLogs"
            / ACCOUNT
            / "CloudTrail"
            / "eu-west-1"
            / moment.strftime("%Y/%m/%d")
            / name
        )
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(gzip.compress(body, compresslevel=6, mtime=0))
        paths.append(path)
    return paths


def write_access_log(path: Path, lines: int = 1_000_000, seed: int = 7) -> Path:
    """Write a combined-format access log of ``lines`` requests over the quarter."""
    rng = random.Random(seed)
    agents = [
        "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0",
        "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko) "
        "Version/17.5 Safari/605.1.15",
        "ParcelPilot-Mobile/3.2 (iPhone; iOS 17.5; Scale/3.00)",
        "curl/8.5.0",
    ]
    paths_ = [
        "/",
        "/track",
        "/api/v1/rates",
        "/static/app.3f9a1c.js",
        "/static/app.css",
        "/api/v1/orders?page=2",
        "/api/v1/orders/114-3941689-8772232/address",
        "/login",
        "/favicon.ico",
    ]
    step = timedelta(days=92) / lines
    moment = START
    with path.open("w", encoding="utf-8") as out:
        chunk = []
        for n in range(lines):
            moment += step
            chunk.append(
                f"203.0.113.{rng.randrange(1, 255)} - - [{moment:%d/%b/%Y:%H:%M:%S} +0000] "
                f'"{rng.choice(["GET", "GET", "GET", "POST"])} {rng.choice(paths_)} HTTP/1.1" '
                f"{rng.choice([200, 200, 200, 304, 404, 302])} {rng.randrange(100, 90000)} "
                f'"https://parcelpilot.example/" "{rng.choice(agents)}"\n'
            )
            if n % 10000 == 9999:
                out.write("".join(chunk))
                chunk = []
        out.write("".join(chunk))
    return path
