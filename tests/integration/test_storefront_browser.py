"""The storefront page in a real browser (Debian's chromium driven by Playwright) against the real stack:
filters and live counts, evidence, the URL and the back button, phone width, and a hostile title."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, Route, expect, sync_playwright

from tests.integration.conftest import Stack
from tests.integration.test_end_to_end import wait_tagged

pytestmark = pytest.mark.integration

CHROMIUM = Path("/usr/bin/chromium")
ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "tests" / "artifacts"
SEEDS = ROOT / "seeds" / "catalog.jsonl"
HOSTILE = "<img src=x onerror=alert(1)>"

if not CHROMIUM.exists():
    pytest.skip(f"{CHROMIUM} is absent: install Debian's chromium (.ci/run does)", allow_module_level=True)


@pytest.fixture(scope="module")
def catalog(stack: Stack) -> dict[str, dict[str, Any]]:
    """The seed catalog plus a product whose title and brand are markup, tagged by the real workers."""
    suffix = "browser"
    products = [json.loads(line) for line in SEEDS.read_text().splitlines() if line.strip()]
    products = [{**p, "sku": f"{p['sku']}-{suffix}"} for p in products]
    products.append(
        {
            "sku": f"hostile-{suffix}",
            "title": HOSTILE,
            "brand": "<b>Markup & Co</b>",
            "description": "A deeply hydrating gel with hyaluronic acid and a calming lavender aroma.",
        }
    )
    for product in products:
        assert stack.post("/v1/products", json=product).status_code in (200, 202)
    return wait_tagged(stack, [p["sku"] for p in products])


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield launched
        launched.close()


class Watched:
    """A page whose dialogs, script errors and requests to other origins are recorded."""

    def __init__(self, page: Page, origin: str) -> None:
        self.page = page
        self.dialogs: list[str] = []
        self.errors: list[str] = []
        self.elsewhere: list[str] = []
        page.on("dialog", self._dialog)
        page.on("pageerror", lambda error: self.errors.append(str(error)))
        page.on("console", self._console)
        page.on(
            "requestfailed",
            lambda r: self.errors.append(f"failed: {r.url}") if r.url.startswith(origin) else None,
        )

        def route(r: Route) -> None:
            if r.request.url.startswith(origin):
                r.continue_()
            else:  # hermetic: product images point at the retailer's CDN, which is not reachable here
                self.elsewhere.append(r.request.url)
                r.abort()

        page.route("**/*", route)

    def _console(self, message: Any) -> None:
        # The aborted image requests above log "Failed to load resource"; own-origin failures are
        # caught by requestfailed instead.
        if message.type == "error" and not message.text.startswith("Failed to load resource"):
            self.errors.append(message.text)

    def _dialog(self, dialog: Any) -> None:
        self.dialogs.append(dialog.message)
        dialog.dismiss()


@pytest.fixture
def watched(browser: Browser, stack: Stack) -> Iterator[Watched]:
    context = browser.new_context(viewport={"width": 1366, "height": 900})
    watched = Watched(context.new_page(), stack.url)
    yield watched
    context.close()


def facet(page: Page, tag: str) -> int:
    return int(page.locator(f'label:has(input[data-tag="{tag}"]) .facet-count').inner_text())


def api_facets(stack: Stack, query: str) -> dict[str, int]:
    return stack.get(f"/v1/products?{query}&facets=true&sort=relevance").json()["facets"]


def test_tick_a_benefit_and_see_list_and_counts_change(watched: Watched, stack: Stack, catalog: Any) -> None:
    page = watched.page
    page.goto(stack.url + "/")
    expect(page.locator(".card").first).to_be_visible()
    expect(page.locator('input[data-tag="hydration"]')).to_be_attached()
    everything = api_facets(stack, "")
    assert facet(page, "hydration") == everything["hydration"]
    summary_before = page.locator("#summary").inner_text()
    neuro_before = {t: facet(page, t) for t in ("neuroscent", "sensory-touch", "neuroactive")}

    page.locator('label:has(input[data-tag="hydration"])').click()
    expect(page).to_have_url(re.compile(r"[?&]benefit=hydration"))
    expect(page.locator("#summary")).not_to_have_text(summary_before)
    expect(page.locator('input[data-tag="hydration"]')).to_be_checked()
    hydrating = api_facets(stack, "benefit=hydration")
    # The list: every card carries the ticked tag, and the summary counts what the facet promised.
    expect(page.locator("#summary")).to_contain_text(f"of {everything['hydration']} products")
    cards = page.locator(".card")
    assert cards.count() == min(24, everything["hydration"])
    for i in range(cards.count()):
        expect(cards.nth(i).locator('.chip[data-tag="hydration"]')).to_have_count(1)
    # The counts: the other group narrows to hydrating products; the ticked group's own counts stay.
    for tag in neuro_before:
        expect(page.locator(f'label:has(input[data-tag="{tag}"]) .facet-count')).to_have_text(
            str(hydrating[tag])
        )
    assert {t: hydrating[t] for t in neuro_before} != neuro_before
    assert facet(page, "soothing") == everything["soothing"]

    # The URL is shareable: a fresh page opened on it shows the same filter ticked.
    other = page.context.new_page()
    other.goto(page.url)
    expect(other.locator('input[data-tag="hydration"]')).to_be_checked()
    expect(other.locator("#summary")).to_have_text(page.locator("#summary").inner_text())
    other.close()

    # The back button returns to the unfiltered catalog.
    page.go_back()
    expect(page.locator('input[data-tag="hydration"]')).not_to_be_checked()
    expect(page.locator("#summary")).to_have_text(summary_before)
    assert not watched.dialogs and not watched.errors, (watched.dialogs, watched.errors)
    assert all(
        not url.startswith(("http://", "https://")) or "shop.example.com" in url for url in watched.elsewhere
    )


def test_open_a_products_evidence(watched: Watched, stack: Stack, catalog: dict[str, dict[str, Any]]) -> None:
    page = watched.page
    sku = next(s for s in catalog if s.startswith("acure-ultra-hydrating"))
    page.goto(stack.url + "/?q=acure")
    card = page.locator(f'.card[data-sku="{sku}"]')
    expect(card).to_be_visible()
    tag = next(t for t in catalog[sku]["tags"] if t["evidence"])
    chip = card.locator(f'.chip[data-tag="{tag["id"]}"]')
    expect(card.locator(".evidence")).to_be_hidden()
    chip.click()
    expect(chip).to_have_attribute("aria-expanded", "true")
    panel = card.locator(".evidence")
    expect(panel).to_be_visible()
    expect(panel).to_contain_text(tag["label"])
    shown = panel.locator(".evidence__list q").all_inner_texts()
    assert shown == [e["text"] for e in tag["evidence"]]
    chip.click()
    expect(panel).to_be_hidden()


def test_hostile_title_renders_as_text_and_runs_nothing(watched: Watched, stack: Stack, catalog: Any) -> None:
    page = watched.page
    page.goto(stack.url + "/?q=onerror")
    card = page.locator('.card[data-sku="hostile-browser"]')
    expect(card).to_be_visible()
    expect(card.locator(".card__title")).to_have_text(HOSTILE)
    expect(card.locator(".card__brand")).to_have_text("<b>Markup & Co</b>")
    assert card.locator(".card__title img, .card__brand b").count() == 0
    assert page.locator('img[src="x"]').count() == 0
    page.wait_for_timeout(300)  # an onerror handler would have fired by now
    assert watched.dialogs == []
    assert not any("alert" in e for e in watched.errors)


def test_pagination_and_screenshots(browser: Browser, stack: Stack, catalog: Any) -> None:
    """Next and Previous over cursors; then desktop and phone screenshots kept as artefacts."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    context = browser.new_context(viewport={"width": 1366, "height": 900})
    watched = Watched(context.new_page(), stack.url)
    page = watched.page
    page.goto(stack.url + "/")
    expect(page.locator(".card").first).to_be_visible()
    first = page.locator(".card").first.get_attribute("data-sku")
    page.locator("#next").click()
    expect(page).to_have_url(re.compile(r"cursor="))
    expect(page.locator("#page-where")).to_contain_text("Page 2")
    expect(page.locator(".card").first).not_to_have_attribute("data-sku", first or "")
    page.locator("#prev").click()
    expect(page.locator(".card").first).to_have_attribute("data-sku", first or "")
    page.goto(stack.url + "/?benefit=hydration,stress-defense&neurocosmetic=neuroscent")
    expect(page.locator(".card").first).to_be_visible()
    page.screenshot(path=str(ARTIFACTS / "storefront-desktop.png"), full_page=False)
    first_card = page.locator(".card").first
    first_card.locator(".chip").first.click()
    expect(first_card.locator(".evidence")).to_be_visible()
    first_card.screenshot(path=str(ARTIFACTS / "storefront-evidence.png"))
    context.close()

    phone = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    watched = Watched(phone.new_page(), stack.url)
    page = watched.page
    page.goto(stack.url + "/?benefit=hydration")
    expect(page.locator(".card").first).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390, "no sideways scrolling on a phone"
    expect(page.locator("#filters")).not_to_be_in_viewport()
    page.screenshot(path=str(ARTIFACTS / "storefront-phone.png"))
    page.locator("#open-filters").click()
    expect(page.locator("#filters")).to_be_in_viewport()
    page.locator('label:has(input[data-tag="soothing"])').click()
    expect(page).to_have_url(re.compile(r"benefit=hydration(%2C|,)soothing"))
    page.wait_for_timeout(250)  # the sheet's slide-in transition
    page.screenshot(path=str(ARTIFACTS / "storefront-phone-filters.png"))
    page.locator("#done-filters").click()
    expect(page.locator("#filters")).not_to_be_in_viewport()
    assert not watched.dialogs and not watched.errors, (watched.dialogs, watched.errors)
    phone.close()
