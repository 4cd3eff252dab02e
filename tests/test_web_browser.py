"""End to end in headless Chromium (Debian's package) against the app on loopback: search,
an event's highlighted quote, the map's click-to-filter, review (accept, correct, reject) with
its audit entries, and report text that tries to run script. Screenshots of the main pages are
saved as artifacts in ``$NKWATCH_ARTIFACTS`` (default ``test-artifacts/``)."""

from __future__ import annotations

import os
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from nkwatch import store as store_module
from tests.conftest import copy_store, in_ci

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
ARTIFACTS = Path(os.environ.get("NKWATCH_ARTIFACTS", "test-artifacts"))

if CHROMIUM is None:
    if in_ci():
        raise RuntimeError("CI needs Chromium for the browser tests: apt-get install chromium")
    pytest.skip("no Chromium here (apt-get install chromium)", allow_module_level=True)

from playwright.sync_api import Page, expect, sync_playwright  # noqa: E402


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def site(
    web_store_template: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[str, str]]:
    """The app on a loopback port over a copy of the example store; yields (URL, token)."""
    import uvicorn

    from nkwatch.web.app import create_app

    db = copy_store(web_store_template, tmp_path_factory.mktemp("browser") / "web.db")
    with store_module.open(str(db)) as s:
        token = s.create_token("reviewer")
    port = _free_port()
    server = uvicorn.Server(
        uvicorn.Config(create_app(str(db)), host="127.0.0.1", port=port, log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert time.monotonic() < deadline, "the app did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}", token
    server.should_exit = True
    thread.join(10)


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield b
        b.close()


@pytest.fixture
def page(browser: object) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})  # type: ignore[attr-defined]
    pg = context.new_page()
    errors: list[str] = []
    pg.on("pageerror", lambda exc: errors.append(str(exc)))
    yield pg
    context.close()
    assert not errors, errors


def _shot(page: Page, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=False)


def test_search_then_open_an_event_and_see_its_quote(site: tuple[str, str], page: Page) -> None:
    base, _ = site
    page.goto(base + "/")
    page.fill("input[name=q]", "phone*")
    page.click("form.filters button[type=submit]")
    expect(page.locator("li.hit").first).to_be_visible()
    assert "q=phone" in page.url  # the URL keeps the query: shareable
    _shot(page, "search")
    evidence = page.locator("table.events a.evidence").first
    quote = evidence.inner_text().strip("“”")
    evidence.click()
    expect(page.locator("h1")).to_contain_text("event")
    focus = page.locator("blockquote.paragraph mark.focus")
    expect(focus.first).to_be_visible()
    assert "".join(focus.all_inner_texts()).replace("\n", " ") in quote.replace("\n", " ")
    _shot(page, "event")


def test_clicking_a_province_on_the_map_filters_the_list(site: tuple[str, str], page: Page) -> None:
    base, _ = site
    page.goto(base + "/map")
    shaded = page.locator("svg.map path.unit:not([data-count='0'])").first
    count = int(shaded.get_attribute("data-count") or 0)
    assert count > 0
    _shot(page, "map")
    shaded.click()
    page.wait_for_url("**/events?**admin1=KP-**")
    expect(page.locator("p.muted").first).to_contain_text(f"{count} events")
    rows = page.locator("tr.event-row")
    assert rows.count() == min(count, 50)
    page.goto(base + "/timeline")
    expect(page.locator("svg.timeline rect").first).to_be_visible()
    _shot(page, "timeline")


def test_review_accept_correct_reject_with_audit(site: tuple[str, str], page: Page) -> None:
    base, token = site
    page.goto(base + "/review")
    expect(page.locator("text=Sign in with a token")).to_be_visible()
    page.goto(base + "/login?next=/review")
    page.fill("input[name=token]", token)
    page.click("form.login button")
    page.wait_for_url("**/review")
    expect(page.locator(".who")).to_contain_text("reviewer")
    items = page.locator("li.queue-item")
    ids = [items.nth(i).get_attribute("data-event") for i in range(3)]
    # Accept the first from the queue: it leaves the queue.
    items.first.locator("button.accept").click()
    page.wait_for_url("**/review**")
    expect(page.locator(f"li.queue-item[data-event='{ids[0]}']")).to_have_count(0)
    _shot(page, "review")
    # Correct the second on its page.
    page.goto(f"{base}/events/{ids[1]}")
    page.click("details summary")
    page.fill("input[name=c_count]", "42")
    page.click("form.correct button[type=submit]")
    expect(page.locator("tr.corrected")).to_contain_text("42")
    expect(page.locator("tr.audit-entry").first).to_contain_text("correct")
    expect(page.locator("tr.audit-entry").first).to_contain_text("count = 42")
    # Reject the third.
    page.goto(f"{base}/events/{ids[2]}")
    page.click("form.review-actions button.reject")
    expect(page.locator("h1 .badge")).to_have_text("rejected")
    page.goto(base + "/audit")
    entries = page.locator("tr.audit-entry")
    expect(entries).to_have_count(3)
    assert [entries.nth(i).locator("td").nth(2).inner_text() for i in range(3)] == [
        "reject", "correct", "accept"
    ]  # fmt: skip
    expect(entries.first).to_contain_text("reviewer")
    _shot(page, "audit")


def test_script_in_a_report_stays_inert(site: tuple[str, str], page: Page) -> None:
    base, _ = site
    page.goto(base + "/reports/xss-1")
    expect(page.locator("h1")).to_contain_text("<script>window.__pwned = 1</script>")
    expect(page.locator("article.report-text")).to_contain_text('<img src=x onerror="window')
    assert page.evaluate("window.__pwned") is None
    assert page.locator("article.report-text img").count() == 0
    page.goto(base + "/?q=Hyesan")
    assert page.evaluate("window.__pwned") is None
    _shot(page, "report")


def test_an_incident_is_split_in_the_browser(site: tuple[str, str], page: Page) -> None:
    base, token = site
    page.goto(base + "/incidents")
    rows = page.locator("tr.incident-row")
    expect(rows.first).to_be_visible()
    _shot(page, "incidents")
    href = rows.first.locator("a").first.get_attribute("href")
    assert href is not None
    page.goto(f"{base}/login?next={href}")
    page.fill("input[name=token]", token)
    page.click("form.login button")
    page.wait_for_url(f"**{href}")
    expect(page.locator("h1")).to_contain_text("Incident")
    boxes = page.locator("input[name=event]")
    assert boxes.count() >= 2
    boxes.first.check()
    page.click("button[value=split]")
    page.wait_for_url("**/incidents/*")
    assert not page.url.endswith(href)  # the new incident
    expect(page.locator("p.muted").first).to_contain_text("as a reviewer left it")
    page.goto(base + "/audit")
    expect(page.locator("tr.audit-entry").first).to_contain_text("incident split")
