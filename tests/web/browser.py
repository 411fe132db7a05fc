"""Debian's Chromium driven by Playwright, and axe-core's WCAG 2.1 A/AA verdict on the page it shows."""

from __future__ import annotations

import os
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from playwright.async_api import Browser, Page, async_playwright

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
AXE = ROOT / "services" / "web" / "node_modules" / "axe-core" / "axe.min.js"
WCAG_21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
DESKTOP = {"width": 1280, "height": 900}
NARROW = {"width": 320, "height": 640}  # WCAG 1.4.10 (reflow)


@asynccontextmanager
async def chromium() -> AsyncIterator[Browser]:
    """Headless Chromium from Debian's package (no browser is ever downloaded); --no-sandbox: tests run as root."""
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=["--no-sandbox"])
        try:
            yield browser
        finally:
            await browser.close()


async def axe_violations(page: Page) -> list[dict[str, Any]]:
    """axe-core's violations of the WCAG 2.1 A and AA rules on the page as it is now.

    axe is evaluated through the DevTools protocol, which the page's Content-Security-Policy does not
    govern: the policy under test stays as strict as in production.
    """
    if not await page.evaluate("() => typeof window.axe !== 'undefined'"):
        await page.evaluate(AXE.read_text())
    result = await page.evaluate(
        "async (tags) => (await axe.run(document, {runOnly: {type: 'tag', values: tags}})).violations"
        ".map(v => ({id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map(n => n.target.join(' ')).slice(0, 5)}))",
        WCAG_21_AA)
    return result


async def assert_accessible(page: Page, what: str = "") -> None:
    found = await axe_violations(page)
    assert not found, f"axe-core on {what or page.url}:\n" + "\n".join(
        f"  {v['id']} ({v['impact']}): {v['help']} at {v['nodes']}" for v in found)


async def horizontal_overflow(page: Page) -> int:
    """How many CSS pixels the page is wider than the window (0: no horizontal scrolling)."""
    return await page.evaluate("() => document.documentElement.scrollWidth - document.documentElement.clientWidth")


async def widest(page: Page) -> list[str]:
    """What sticks out past the window's right edge, outermost first: to say what to fix when a page scrolls
    sideways."""
    return await page.evaluate("""() => [...document.querySelectorAll('body *')]
      .filter(e => e.getBoundingClientRect().right > document.documentElement.clientWidth + 0.5)
      .slice(0, 8).map(e => `${e.tagName.toLowerCase()}.${[...e.classList].join('.')}`
        + ` ${Math.round(e.getBoundingClientRect().right)}px: ${(e.textContent || '').trim().slice(0, 40)}`)""")


async def assert_fits(page: Page, what: str) -> None:
    """No horizontal scrolling at the window's width; if there is, what sticks out."""
    overflow, width = await horizontal_overflow(page), (page.viewport_size or {}).get("width")
    assert overflow == 0, f"{what}: {overflow} px of horizontal scrolling at {width} px; widest: {await widest(page)}"


async def assert_accessible_and_narrow(page: Page, what: str) -> None:
    """axe-core at the window's width (desktop), then no horizontal scrolling at 320 px; the window gets its width
    back whatever the verdict."""
    await assert_accessible(page, what)
    width = page.viewport_size or DESKTOP
    await page.set_viewport_size(NARROW)
    try:
        await assert_fits(page, what)
    finally:
        await page.set_viewport_size(width)


def starting(text: str) -> re.Pattern[str]:
    """A label or name that begins with `text`: a DSFR label also holds its hint and « (facultatif) », and a plain
    substring would take « Nom » for « Prénom » too."""
    return re.compile("^" + re.escape(text))


async def sign_in(page: Page, email: str, password: str) -> None:
    """Types the address and password on the sign-in page and sends them (the page's context has the site as
    base_url); the caller expects what follows, the space or the refusal."""
    await page.goto("/connexion")
    await page.get_by_label(starting("Adresse électronique")).fill(email)
    await page.get_by_label(starting("Mot de passe")).fill(password)
    await page.get_by_role("button", name="Se connecter", exact=True).click()
