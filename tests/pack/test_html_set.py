"""The HTML report set in the auditor pack, opened in a real browser: Debian's Chromium.

Selenium drives /usr/bin/chromium through /usr/bin/chromedriver (both from `make system-deps`);
naming both means Selenium Manager downloads nothing. Every page loads without a console error,
fetches nothing outside the pack, fits a 1280 px window, and every link resolves, down to its
fragment; the index filters its controls by status and family.
"""

from __future__ import annotations

import json
import re
import shutil
import zipfile
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from PIL import Image
from selenium import webdriver
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support.ui import Select

from tests.pack.conftest import Packed

pytestmark = pytest.mark.slow

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
WIDTH, HEIGHT = 1280, 900

#: Every element's box, left and right, against the window (the whole page, not only what shows).
OUTSIDE_THE_WINDOW = """
const out = [];
for (const element of document.querySelectorAll('body *')) {
  const box = element.getBoundingClientRect();
  if (box.width > 0 && (box.left < -0.5 || box.right > window.innerWidth + 0.5)) {
    out.push(`${element.tagName}.${element.className} ${Math.round(box.left)}..${Math.round(box.right)}: `
             + (element.textContent || '').trim().slice(0, 60));
  }
}
return out.slice(0, 10);
"""
LINKS = """
return Array.from(document.querySelectorAll('a[href], link[href], script[src], img[src]'))
  .map(e => e.href || e.src);
"""
FETCHED = "return performance.getEntriesByType('resource').map(e => e.name);"


@pytest.fixture(scope="module")
def html_set(packed: Packed, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The signed pack, unzipped as an auditor would; its html/ folder."""
    root = tmp_path_factory.mktemp("unzipped")
    with zipfile.ZipFile(packed.signed) as archive:
        archive.extractall(root)
    return root / "html"


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[WebDriver]:
    """Headless Chromium with a fresh profile; its absence fails the test, never skips it."""
    missing = [str(p) for p in (CHROMIUM, CHROMEDRIVER) if not p.is_file()]
    if missing:
        pytest.fail(f"{', '.join(missing)} missing: run `make system-deps` (chromium, chromium-driver)")
    options = Options()
    options.binary_location = str(CHROMIUM)
    for flag in (
        "--headless",
        "--no-sandbox",  # the tests run as root
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        f"--user-data-dir={tmp_path_factory.mktemp('chromium-profile')}",
        f"--window-size={WIDTH},{HEIGHT}",
    ):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)
    try:
        yield driver
    finally:
        driver.quit()


def pages(html_set: Path) -> list[Path]:
    found = sorted(html_set.glob("*.html"))
    assert {p.name for p in found} >= {"index.html", "evidence.html"}
    return found


def test_the_pack_holds_the_set_and_its_readme_points_to_it(packed: Packed, html_set: Path) -> None:
    names = [p.name for p in pages(html_set)]
    assert "attestation-amazon-dpp-2025-11-2026-Q3.html" in names
    assert "gap-report-2026-Q3.html" in names
    readme = (html_set.parent / "README.txt").read_text(encoding="utf-8")
    assert "html/index.html" in readme
    roles = {f["path"]: f["role"] for f in json.loads((html_set.parent / "pack.json").read_text())["files"]}
    assert roles["html/index.html"] == "html"
    for line in (html_set.parent / "SHA256SUMS").read_text().splitlines():
        if " html/" in line:
            break
    else:
        raise AssertionError("SHA256SUMS does not cover the HTML set")


def test_every_page_loads_clean_fits_1280_px_and_fetches_nothing_from_outside(
    browser: WebDriver, html_set: Path, tmp_path: Path
) -> None:
    for page in pages(html_set):
        browser.get(page.as_uri())
        errors = [e for e in browser.get_log("browser") if e["level"] in ("SEVERE", "WARNING")]
        assert errors == [], f"{page.name}: {errors}"
        assert browser.execute_script(OUTSIDE_THE_WINDOW) == [], page.name
        scroll = browser.execute_script("return [document.documentElement.scrollWidth, window.innerWidth]")
        assert scroll[0] <= scroll[1], f"{page.name} scrolls sideways: {scroll}"
        for url in browser.execute_script(FETCHED):
            assert _inside(url, html_set), f"{page.name} fetched {url}"
        shot = tmp_path / f"{page.stem}.png"
        assert browser.save_screenshot(str(shot))
        image = Image.open(shot)
        assert image.width == WIDTH
        assert sum(image.convert("L").histogram()[:96]) > 2000, f"{page.name} shows no text"


def test_every_link_resolves_down_to_its_fragment(browser: WebDriver, html_set: Path) -> None:
    pack = html_set.parent
    checked = evidence_files = 0
    ids: dict[Path, set[str]] = {}
    for page in pages(html_set):
        browser.get(page.as_uri())
        for url in browser.execute_script(LINKS):
            parts = urlsplit(url)
            assert parts.scheme == "file", f"{page.name} links outside the pack: {url}"
            target = Path(unquote(parts.path))
            assert target.is_file(), f"{page.name}: {url} does not exist"
            assert target.resolve().is_relative_to(pack.resolve()), f"{page.name}: {url}"
            if parts.fragment:
                known = ids.setdefault(target, _ids(target))
                assert unquote(parts.fragment) in known, f"{page.name}: no #{parts.fragment} in {target.name}"
            evidence_files += target.is_relative_to(pack / "evidence")
            checked += 1
    assert checked > 500
    assert evidence_files > 50, "evidence ids link to their files in evidence/"


def test_evidence_ids_on_a_control_page_link_to_their_files(browser: WebDriver, html_set: Path) -> None:
    browser.get((html_set / "attestation-amazon-dpp-2025-11-2026-Q3.html").as_uri())
    links = browser.execute_script(
        "return Array.from(document.querySelectorAll('a.evidence')).map(a => [a.textContent, a.href]);"
    )
    assert len(links) > 50
    for text, href in links:
        assert re.fullmatch(r"EV-[0-9A-F]{12}", text)
        assert "/evidence/" in href or href.endswith(f"evidence.html#{text}"), (text, href)


def test_the_index_filters_controls_by_status_and_family(
    browser: WebDriver, html_set: Path, packed: Packed
) -> None:
    evaluation = json.loads((html_set.parent / "evaluation.json").read_text())
    not_met = sum(1 for r in evaluation["results"] if r["status"] == "not_met")
    browser.get((html_set / "index.html").as_uri())
    rows = "#controls tbody tr"
    visible = f"return Array.from(document.querySelectorAll('{rows}')).filter(r => !r.hidden)"
    total = browser.execute_script(f"return document.querySelectorAll('{rows}').length")
    assert total == len(evaluation["results"])
    Select(browser.find_element("id", "filter-status")).select_by_value("not_met")
    shown = browser.execute_script(f"{visible}.map(r => r.dataset.status);")
    assert shown == ["not_met"] * not_met
    assert browser.find_element("id", "shown").text == f"{not_met} of {total} controls shown"
    Select(browser.find_element("id", "filter-status")).select_by_value("")
    Select(browser.find_element("id", "filter-family")).select_by_value("amazon-dpp:encryption")
    families = browser.execute_script(f"{visible}.map(r => r.dataset.family);")
    assert families and set(families) == {"amazon-dpp:encryption"}


def _ids(page: Path) -> set[str]:
    if page.suffix != ".html":
        return set()
    return set(re.findall(r'\bid="([^"]+)"', page.read_text(encoding="utf-8")))


def _inside(url: str, root: Path) -> bool:
    parts = urlsplit(url)
    return parts.scheme == "file" and Path(unquote(parts.path)).resolve().is_relative_to(
        root.resolve()
    )


def test_the_browser_is_where_make_system_deps_puts_it() -> None:
    # The browser fixture fails (never skips) when these are absent; here, without the pack.
    makefile = (Path(__file__).resolve().parents[2] / "Makefile").read_text(encoding="utf-8")
    assert "chromium chromium-driver" in makefile
    assert shutil.which("chromium") == str(CHROMIUM)
    assert shutil.which("chromedriver") == str(CHROMEDRIVER)
