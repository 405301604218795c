"""The home page in Debian's Chromium, driven by Playwright."""

import pytest
from playwright.sync_api import sync_playwright

from tests.factories import ServizioFactory

CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_home_page_shows_the_counters_in_italian(live_server, chromium_path):
    for _ in range(3):
        ServizioFactory()
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium_path, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(locale="en-US")
            page.goto(live_server.url + "/")
            assert page.locator("html").get_attribute("lang") == "it"
            assert page.locator('.contatori [data-contatore="enti"]').inner_text() == "3"
            assert page.locator('.contatori [data-contatore="olp"]').inner_text() == "3"
            assert page.locator('.contatori [data-contatore="volontari"]').inner_text() == "3"
            assert page.get_by_role("heading", name="Volontari attivi").is_visible()
            # The vendored design system is served: its stylesheet sets the font.
            assert "Titillium Web" in page.evaluate("getComputedStyle(document.body).fontFamily")
            # The language switch leads to the English page.
            page.get_by_role("link", name="EN - English").click()
            page.wait_for_load_state()
            assert page.locator("html").get_attribute("lang") == "en"
            assert page.get_by_role("heading", name="Active volunteers").is_visible()
        finally:
            browser.close()
