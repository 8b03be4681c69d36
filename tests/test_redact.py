import pytest

from evidence.redact import SECRET, Redactor, find_pii


@pytest.fixture
def redactor() -> Redactor:
    return Redactor(b"0123456789abcdef0123456789abcdef")


def test_pseudonyms_are_keyed_stable_and_not_bare_hashes(redactor: Redactor) -> None:
    import hashlib

    first = redactor.address("203.0.113.9")
    assert first == redactor.address("203.0.113.9")
    assert first.startswith("ip:")
    assert hashlib.sha256(b"203.0.113.9").hexdigest()[:12] not in first
    other = Redactor(b"another key of sixteen+ bytes!!")
    assert other.address("203.0.113.9") != first


@pytest.mark.parametrize(
    ("text", "planted"),
    [
        ("login from alice.buyer@example.com ok", "alice.buyer@example.com"),
        ("client 198.51.100.23 connected", "198.51.100.23"),
        ("DNS resolver 198.51.100.7.", "198.51.100.7"),
        ("peer 2001:db8::5 closed", "2001:db8::5"),
        ("call +1 206-555-0142 now", "206-555-0142"),
        ("ship to 410 Terry Avenue North", "410 Terry Avenue"),
        ("password=Hunter2!x", "Hunter2!x"),
        ('"MasterUserPassword": "Sup3rS3cret"', "Sup3rS3cret"),
        ("postgresql://app:pa55word@db:5432/x", "pa55word"),
        ("secret amzn1.oa2-cs.v1.3f9c2e7d1a", "amzn1.oa2-cs.v1.3f9c2e7d1a"),
        ("token Atzr|IwEBIExampleRefreshToken", "Atzr|IwEBIExampleRefreshToken"),
        ("Authorization: Bearer abcdefghijklmnop", "abcdefghijklmnop"),
    ],
)
def test_scrub_removes_planted_values(redactor: Redactor, text: str, planted: str) -> None:
    assert planted not in redactor.scrub(text)


def test_scrub_keeps_ordinary_log_content(redactor: Redactor) -> None:
    line = '"GET /orders?page=2 HTTP/1.1" 200 2326 "-" "Mozilla/5.0 (X11; Linux x86_64) Chrome/120.0.6099.109" 12:34:56'
    assert redactor.scrub(line) == line


def test_structured_redaction_by_field(redactor: Redactor) -> None:
    data = {
        "BuyerEmail": "x@example.com",
        "ShippingAddress": {"AddressLine1": "1 Main St"},
        "password": "pw",
        "AllowUsersToChangePassword": True,
        "Name": "orders-bucket",
    }
    out = redactor.scrub_data(data)
    assert out["BuyerEmail"] != "x@example.com"
    assert out["ShippingAddress"] == "[REDACTED PII]"
    assert out["password"] == SECRET
    assert out["AllowUsersToChangePassword"] is True
    assert out["Name"] == "orders-bucket"


def test_find_pii_counts_without_values() -> None:
    counts = find_pii("a@example.com and b@example.org from 198.51.100.1 at 12:00:01")
    assert counts == {"email": 2, "ipv4": 1}


def test_short_keys_are_refused() -> None:
    with pytest.raises(ValueError, match="16 bytes"):
        Redactor(b"short")


def test_pseudonyms_are_keyed_hmac_sha256_whatever_the_key_length() -> None:
    import hashlib
    import hmac

    for key in (b"k" * 16, b"k" * 32, b"x" * 64, b"y" * 100):
        redactor = Redactor(key)
        for value in ("alice", " Dana@Corp.example ", "名前"):
            mac = hmac.new(key, f"user\x00{value.strip().lower()}".encode(), hashlib.sha256).hexdigest()
            assert redactor.principal(value) == f"user:{mac[:12]}"


@pytest.mark.parametrize(
    ("text", "planted"),
    [
        ("key id AKIAIOSFODNN7EXAMPLE in free text", "AKIAIOSFODNN7EXAMPLE"),
        ("temporary ASIAZ7PLANTED0KEY1X2 seen", "ASIAZ7PLANTED0KEY1X2"),
        ("the secret is wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY, keep it", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"),
        ('{"sk": "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"}', "wJalrXUtnFEMI"),
        ("flows via https://svc.example/cb?user=a&pw=Hunter22x", "Hunter22x"),
        ("Server=db;Database=x;User Id=app;Password=S3cr3tPw!;", "S3cr3tPw!"),
        ("redis://:redispass9@cache:6379/0", "redispass9"),
        ("token ghp_abcdefghijklmnopqrstuvwxyz0123456789 pushed", "abcdefghijklmnopqrstuvwxyz0123456789"),
        ("slack xoxb-123456789012-1234567890123-abcdefghijklmnopqrstuvwx", "abcdefghijklmnopqrstuvwx"),
        ("card 4111111111111111 charged", "4111111111111111"),
        ("card 4111 1111 1111 1111 charged", "1111 1111"),
        ("card 4111-1111-1111-1111 charged", "1111-1111"),
        ("GET /o?buyer_name=Zelda+Quartermaine&x=1", "Quartermaine"),
        ("ship to Zelda Quartermaine tomorrow", "Quartermaine"),
        ("call 020 7946 0958 (London)", "7946"),
        ("ssn 219-09-9999 on file", "219-09-9999"),
        ("iban GB82 WEST 1234 5698 7654 32 paid", "5698"),
    ],
)
def test_detectors_find_what_no_single_pattern_did(redactor: Redactor, text: str, planted: str) -> None:
    assert planted not in redactor.scrub(text)


def test_overlapping_finds_are_merged_so_no_piece_is_left(redactor: Redactor) -> None:
    text = "deliver to 410 Terry Avenue North, Seattle, call +1 206-555-0142; card 4111 1111 1111 1111 9"
    out = redactor.scrub(text)
    for piece in ("410", "Terry", "Avenue North", "206", "555", "0142", "4111", "1111"):
        assert piece not in out, out
    assert "[REDACTED street_address]" in out and "[REDACTED phone]" in out


def test_evidence_that_identifies_no_one_is_kept(redactor: Redactor) -> None:
    kept = [
        "sha256 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
        "arn:aws:iam::111122223333:role/parcelpilot-labels",
        "account 111122223333 at 2026-07-01T00:00:01Z, job task=build bypass=on",
        "bucket parcelpilot-label-archive-prod-2026 in eu-west-1",
        "GET /api/v1/orders/FF42442700/items?page=2 HTTP/1.1",
        "tls://127.0.0.1:51243 accepts TLSv1.0",
    ]
    for text in kept:
        assert redactor.scrub(text) == text


def test_known_names_and_person_like_name_fields(redactor: Redactor) -> None:
    staff = Redactor(b"0123456789abcdef0123456789abcdef", names=["Dana Whitfield"])
    assert "Whitfield" not in staff.scrub("offboarded dana whitfield yesterday")
    data = redactor.scrub_data({"name": "Jane Doe", "Name": "orders-bucket", "description": "key AKIAIOSFODNN7EXAMPLE"})
    assert data["name"] == "[REDACTED name]"
    assert data["Name"] == "orders-bucket"
    assert "AKIA" not in data["description"]


def test_the_network_address_policy_lives_in_one_place() -> None:
    from evidence.redact import addresses

    assert addresses.keep_in_clear("127.0.0.1")
    assert not addresses.keep_in_clear("198.51.100.7")
