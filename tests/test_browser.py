"""The theme browser (`export html`) in a real browser: Debian's chromium, driven by Playwright.

Playwright's own browser download is not used (nor available): the tests point it at /usr/bin/chromium,
with a fresh profile each time and every background service of Chromium switched off, and they route
every request the page makes, so a request that leaves the page would be seen (and refused).
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import missing
from tests.helpers import ok
from tests.test_export_html import HOSTILE_CODE, HOSTILE_SHORT, HOSTILE_TEXT, hostile_project

pytestmark = pytest.mark.slow

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]


@pytest.fixture
def browser(tmp_path: Path) -> Iterator[Any]:
    """A Chromium context with a fresh profile (Debian's chromium; nothing downloaded)."""
    executable = shutil.which("chromium") or (CHROMIUM if Path(CHROMIUM).exists() else None)
    if executable is None:
        missing("chromium", "install it with `apt-get install chromium`")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        missing("playwright", "install the test tools: pip install -e . --group test")
    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(tmp_path / "profile"), executable_path=executable, args=ARGS, headless=True,
            viewport={"width": 1280, "height": 900}, locale="da-DK")
        try:
            yield context
        finally:
            context.close()


class Watched:
    """A page with every request routed through us (only the file itself may load) and every dialog,
    console error and script error recorded."""

    def __init__(self, context: Any, file: Path) -> None:
        self.url = file.resolve().as_uri()
        self.requests: list[str] = []
        self.dialogs: list[str] = []
        self.errors: list[str] = []
        self.page = context.new_page()
        self.page.route("**/*", self._route)
        self.page.on("dialog", self._dialog)
        self.page.on("pageerror", lambda error: self.errors.append(str(error)))
        self.page.on("console", lambda message: self.errors.append(message.text)
                     if message.type == "error" else None)
        self.page.goto(self.url)

    def _route(self, route: Any) -> None:
        self.requests.append(route.request.url)
        if route.request.url == self.url:
            route.continue_()
        else:
            route.abort()

    def _dialog(self, dialog: Any) -> None:
        self.dialogs.append(dialog.message)
        dialog.dismiss()

    def listed_ids(self) -> list[str]:
        return list(self.page.locator("#panel-list > li").evaluate_all("items => items.map(i => i.dataset.id)"))

    def cell(self, view: str, row: str, column: str, *, dated: bool = False) -> Any:
        """The heat map's button for a row (a code's name) and a column, found by its accessible name (a
        `dated` column, a phase, is named with its dates after `column`: "Fase 2 · 1. aug. 2025 – 31. jan. 2026")."""
        named = f"{row} × {column} · " if dated else f"{row} × {column}: "
        return self.page.locator(f"#view-{view} button.cell[aria-label^={_quoted(named)}]")


def _quoted(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


@pytest.fixture(scope="module")
def demo_html(english_demo: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("html") / "temaoversigt æøå.html"
    ok("--db", english_demo, "--lang", "da", "export", "html", out, "--no-pseudonymize")
    return out


def test_a_click_on_a_cell_lists_exactly_the_matrix_cells_excerpts(english_demo: Path, demo_html: Path,
                                                                   browser: Any, tmp_path: Path) -> None:
    watched = Watched(browser, demo_html)
    page = watched.page
    cells = [("Sparringskultur og ledelse", "Fjordby"), ("Sagsfremstilling", "Søholm"),
             ("Tro på borgerens jobchance", "Lyngå")]
    for row, column in cells:
        path = {"Sagsfremstilling": "Kommunikation om borger/Sagsfremstilling"}.get(row, row)
        expected = ok("--db", english_demo, "matrix", "--by", "municipality", "--cell", path, column, "--json").json
        assert expected, (row, column)
        watched.cell("municipality", row, column).click()
        assert page.locator("#panel").is_visible()
        assert watched.listed_ids() == [e["id"] for e in expected]
        title = page.locator("#panel-title").inner_text()
        assert title.startswith(f"{row} × {column}") and f"{len(expected)} uddrag" in title
        # each excerpt with its text, citation line, rating and memo as the command line has them
        first = page.locator("#panel-list > li").first
        assert expected[0]["text"] in first.inner_text()
        assert expected[0]["document_title"] in first.locator(".cite").inner_text()
    rated = [e for e in expected if e["rating"] is not None]
    assert rated and any(f"Vurdering: {rated[0]['rating']}/5" in t
                         for t in page.locator("#panel-list > li").all_inner_texts())
    page.screenshot(path=str(tmp_path / "celle.png"), full_page=True)
    assert (tmp_path / "celle.png").stat().st_size > 20_000
    # switch to the phases: the municipality map is hidden, and a phase cell opens its own excerpts
    page.get_by_role("button", name="Efter fase").click()
    assert page.locator("#view-phase").is_visible() and not page.locator("#view-municipality").is_visible()
    assert not page.locator("#panel").is_visible()
    expected = ok("--db", english_demo, "matrix", "--by", "phase", "--cell", "Sparringskultur og ledelse", "2",
                  "--json").json
    phase_cell = watched.cell("phase", "Sparringskultur og ledelse", "Fase 2", dated=True)
    assert re.fullmatch(r"Sparringskultur og ledelse × Fase 2 · 1\. \w+\.? \d{4} – \d+\. \w+\.? \d{4}: \d+",
                        phase_cell.get_attribute("aria-label") or ""), phase_cell.get_attribute("aria-label")
    phase_cell.click()
    assert watched.listed_ids() == [e["id"] for e in expected]
    page.screenshot(path=str(tmp_path / "faser.png"))
    assert watched.requests == [watched.url], "no request leaves the page"
    assert watched.errors == [] and watched.dialogs == []


def test_keyboard_only_tab_to_a_cell_enter_opens_escape_returns(demo_html: Path, browser: Any) -> None:
    watched = Watched(browser, demo_html)
    page = watched.page
    for _step in range(40):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.matches('button.cell')"):
            break
    else:
        pytest.fail("Tab never reached a cell of the heat map")
    label = page.evaluate("document.activeElement.getAttribute('aria-label')")
    page.keyboard.press("Enter")
    assert page.locator("#panel").is_visible()
    assert page.evaluate("document.activeElement.id") == "panel-title"
    count = int(label.rsplit(": ", 1)[1].replace(".", ""))
    assert page.locator("#panel-list > li").count() == count
    page.keyboard.press("Escape")
    assert not page.locator("#panel").is_visible()
    assert page.evaluate("document.activeElement.getAttribute('aria-label')") == label
    # readable contrast: the darkest cell's number against its shade (WCAG AA, 4.5:1)
    from fieldnotes.analysis.charts import contrast

    colours = page.locator("td.s4 button.cell").first.evaluate(
        "b => [getComputedStyle(b).color, getComputedStyle(b.parentElement).backgroundColor]")
    ink, fill = (_hex(colour) for colour in colours)
    assert contrast(ink, fill) >= 4.5
    assert watched.requests == [watched.url] and watched.errors == []


def _hex(css: str) -> str:
    red, green, blue = (int(part) for part in css[css.index("(") + 1:css.index(")")].split(",")[:3])
    return f"#{red:02x}{green:02x}{blue:02x}"


def test_script_in_a_document_a_code_name_and_a_memo_stays_text(browser: Any, tmp_path: Path) -> None:
    project = hostile_project(tmp_path)
    out = tmp_path / "fjendtlig.html"
    ok("--db", project, "--lang", "da", "export", "html", out)
    watched = Watched(browser, out)
    page = watched.page
    heat = page.locator("#heat").inner_text()
    assert HOSTILE_CODE in heat
    watched.cell("municipality", HOSTILE_CODE, "Lyngå").click()
    listed = page.locator("#panel-list").inner_text()
    assert HOSTILE_TEXT in listed
    assert "</script><script>alert('memo')</script> onerror=alert(3)" in listed  # the memo, as text
    assert HOSTILE_SHORT in page.locator("#codebook").inner_text()
    assert page.locator("#panel img, #heat img, #codebook img").count() == 0
    assert page.evaluate("document.scripts.length") == 2
    assert watched.dialogs == [], "a script from the material ran"
    assert watched.requests == [watched.url], "the <img src=x> was fetched"
