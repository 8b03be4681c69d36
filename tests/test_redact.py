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
