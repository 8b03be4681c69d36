"""Opening a pack refuses crafted zips: traversal, absolute names, links, special files, bombs."""

from __future__ import annotations

import stat
import zipfile
from pathlib import Path

import pytest

from evidence.errors import PackError
from evidence.pack.safezip import Limits, SafeZip
from evidence.pack.verify import verify_pack
from tests.support import run_cli


def crafted(path: Path, entries: list[tuple[zipfile.ZipInfo | str, bytes]]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for info, content in entries:
            archive.writestr(info, content)
    return path


def unix_entry(name: str, mode: int) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name)
    info.create_system = 3
    info.external_attr = mode << 16
    return info


@pytest.mark.parametrize(
    ("name", "why"),
    [
        ("../evil.txt", "path traversal"),
        ("reports/../../evil.txt", "path traversal"),
        ("/etc/cron.d/evil", "absolute path"),
        ("C:/Windows/evil.dll", "absolute path"),
        ("reports\\..\\evil.txt", "backslash in the name"),
        ("reports//evil.txt", "empty or '.' path component"),
        ("./README.txt", "empty or '.' path component"),
    ],
)
def test_unsafe_names_are_refused(tmp_path: Path, name: str, why: str) -> None:
    path = crafted(tmp_path / "names.zip", [("README.txt", b"ok"), (name, b"x")])
    with pytest.raises(PackError, match=why) as caught:
        SafeZip(path)
    assert f"refused entry {name!r}" in str(caught.value)


def test_a_symlink_is_refused(tmp_path: Path) -> None:
    path = crafted(
        tmp_path / "link.zip", [(unix_entry("manifest.json", stat.S_IFLNK | 0o777), b"/etc/passwd")]
    )
    with pytest.raises(PackError, match="refused entry 'manifest.json': symbolic link"):
        SafeZip(path)


@pytest.mark.parametrize("kind", [stat.S_IFIFO, stat.S_IFCHR, stat.S_IFBLK, stat.S_IFSOCK])
def test_special_files_are_refused(tmp_path: Path, kind: int) -> None:
    path = crafted(tmp_path / "special.zip", [(unix_entry("evidence/device", kind | 0o644), b"")])
    with pytest.raises(PackError, match=r"not a regular file \(device, FIFO or socket\)"):
        SafeZip(path)


def test_directories_and_plain_files_are_accepted(tmp_path: Path) -> None:
    path = crafted(
        tmp_path / "plain.zip",
        [
            (unix_entry("reports/", stat.S_IFDIR | 0o755), b""),
            (unix_entry("reports/a.pdf", stat.S_IFREG | 0o644), b"pdf"),
        ],
    )
    with SafeZip(path) as pack:
        assert pack.names == ["reports/a.pdf"]
        assert pack.read("reports/a.pdf") == b"pdf"


def test_a_highly_compressed_entry_is_refused_as_a_bomb(tmp_path: Path) -> None:
    path = crafted(tmp_path / "bomb.zip", [("evidence/zeros.log", b"\0" * (20 << 20))])
    with pytest.raises(
        PackError,
        match=r"compression ratio [\d,]+:1 is over the limit of 200:1 \(possible zip bomb\)",
    ):
        SafeZip(path)


def test_total_size_and_entry_count_limits(tmp_path: Path) -> None:
    path = crafted(tmp_path / "many.zip", [(f"evidence/{i}.txt", bytes(1000)) for i in range(20)])
    with pytest.raises(
        PackError, match=r"entries inflate to more than 10,000 bytes \(possible zip bomb\)"
    ):
        SafeZip(path, Limits(max_total_bytes=10_000))
    with pytest.raises(PackError, match=r"20 entries, over the limit of 10 \(possible zip bomb\)"):
        SafeZip(path, Limits(max_entries=10))


def test_overlapping_entries_are_refused(tmp_path: Path) -> None:
    # The "overlapping files" bomb: two central-directory entries share one compressed stream.
    path = crafted(tmp_path / "overlap.zip", [("a.txt", b"A" * 1000), ("b.txt", b"B" * 1000)])
    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as archive:
        first, second = archive.infolist()
    central = data.rfind(b"PK\x01\x02")  # the second central-directory record
    offset_field = central + 42
    data[offset_field : offset_field + 4] = first.header_offset.to_bytes(4, "little")
    assert second.header_offset != first.header_offset
    path.write_bytes(bytes(data))
    with pytest.raises(PackError, match="overlaps another entry|listed twice"):
        SafeZip(path)


def test_duplicate_and_encrypted_entries_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "dup.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("manifest.json", b"{}")
        with pytest.warns(UserWarning, match="Duplicate name"):
            archive.writestr("manifest.json", b'{"forged": true}')
    with pytest.raises(PackError, match="listed twice"):
        SafeZip(path)
    encrypted = crafted(tmp_path / "enc.zip", [("secret.txt", b"x")])
    data = bytearray(encrypted.read_bytes())
    central = data.rfind(b"PK\x01\x02")
    data[central + 8] |= 0x1  # general purpose flag bit 0: the entry is encrypted
    encrypted.write_bytes(bytes(data))
    with pytest.raises(PackError, match="refused entry 'secret.txt': encrypted"):
        SafeZip(encrypted)


def test_not_a_zip(tmp_path: Path) -> None:
    path = tmp_path / "pack.zip"
    path.write_bytes(b"%PDF-1.7")
    with pytest.raises(PackError, match="not a readable zip file"):
        verify_pack(path)


def test_the_cli_reports_a_crafted_pack_clearly(tmp_path: Path) -> None:
    path = crafted(tmp_path / "evil.zip", [("../../etc/evil", b"x")])
    result = run_cli("verify", path)
    assert result.code == 2
    assert "error:" in result.stderr
    assert "refused entry '../../etc/evil': path traversal ('..')" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path.parent / "etc").exists()
