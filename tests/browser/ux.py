"""Helpers for the browser tests of the student pages: logging in through the form,
the code editor, and screenshots for review (into SCREENSHOT_DIR when it is set)."""

from __future__ import annotations

import os
from pathlib import Path

from django.contrib.auth.models import User
from playwright.sync_api import Locator, Page, expect

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


def log_in(page: Page, base: str, path: str, username: str = "student") -> None:
    """Open ``path`` logged out, log in through the form, and land on it."""
    if not User.objects.filter(username=username).exists():
        User.objects.create_user(username, password=f"{username}-password-1")
    page.goto(f"{base}{path}")
    page.fill("#id_username", username)
    page.fill("#id_password", f"{username}-password-1")
    page.click("form button[type=submit]")
    expect(page.locator("header .who")).to_have_text(username)
    # The page's scripts (htmx, the editor) have run: keys typed before htmx listens
    # would ask for no preview at all.
    page.wait_for_load_state("load")


def set_code(page: Page, code: str) -> None:
    """Put ``code`` in the CodeMirror editor, as a paste would."""
    page.wait_for_selector(".CodeMirror")
    page.evaluate("code => document.querySelector('.CodeMirror').CodeMirror.setValue(code)", code)


def code(page: Page) -> str:
    """What the form will send: the textarea CodeMirror keeps current."""
    return page.input_value("textarea[name=answer]")


def screenshot_dir() -> Path | None:
    """Where screenshots for review go: SCREENSHOT_DIR, or nowhere when it is unset."""
    folder = os.environ.get("SCREENSHOT_DIR")
    if not folder:
        return None
    Path(folder).mkdir(parents=True, exist_ok=True)
    return Path(folder)


def shot(target: Page | Locator, name: str) -> None:
    """One screenshot of a page (whole) or of one element, when SCREENSHOT_DIR is set."""
    folder = screenshot_dir()
    if folder is None:
        return
    if isinstance(target, Page):
        target.screenshot(path=str(folder / name), full_page=True)
    else:
        target.screenshot(path=str(folder / name))


def shoot(page: Page, name: str) -> None:
    """Screenshots at 1280 px and 390 px, when SCREENSHOT_DIR is set."""
    folder = screenshot_dir()
    if folder is None:
        return
    size = page.viewport_size
    for label, viewport in (("1280", DESKTOP), ("390", PHONE)):
        page.set_viewport_size(viewport)
        page.screenshot(path=f"{folder}/{name}-{label}.png", full_page=True)
    if size:
        page.set_viewport_size(size)
