"""Steps shared by the browser tests."""

from __future__ import annotations

from pathlib import Path

from PIL import Image


def make_jpeg(path: Path, size=(800, 600)) -> Path:
    """A small real photo-like JPEG (a gradient, so it is not a trivially compressible block)."""
    image = Image.new("RGB", size)
    width, height = size
    image.putdata([(x * 255 // width, y * 255 // height, 90) for y in range(height) for x in range(width)])
    image.save(path, "JPEG", quality=80)
    return path


def log_in(page, live_server, phone: str, password: str) -> None:
    """Log in through the login form and wait until the site has moved on from it."""
    page.goto(live_server("/login"))
    page.get_by_label("Mobile number").fill(phone)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(lambda url: "/login" not in url)


def horizontal_overflow(page) -> int:
    """How many CSS pixels the page is wider than the viewport (0 when nothing scrolls sideways)."""
    return page.evaluate("document.documentElement.scrollWidth - window.innerWidth")


def open_menu(page) -> None:
    """Open the site menu (a <details> in the header) unless it is open already."""
    menu = page.locator("details.menu")
    if menu.get_attribute("open") is None:
        menu.locator("summary").click()
