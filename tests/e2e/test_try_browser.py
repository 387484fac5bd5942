"""`salesbot try` in a real browser (headless Chromium through Selenium): the seeded rep types a card,
saves it, qualifies it with the buttons (each answered question edited in place), finds it in
/leads, and then reads the bot in Persian, right to left."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.conftest import _require_emulator

CARD = ["Ivo Horvat", "Voditelj nabave", "Konzum Trgovina d.d.", "Mob: +385 91 555 1234", "ivo.horvat@konzum.hr"]
REP = "7002"  # Ivan, the seeded rep (bot/tryout/seed.py)
WAIT = 30.0
ROOT = Path(__file__).resolve().parents[2]


def _browser() -> tuple[str, str]:
    pytest.importorskip("selenium", reason="selenium is not installed (make install-test installs it)")
    chromium = next((p for p in map(shutil.which, ("chromium", "chromium-browser", "google-chrome")) if p), None)
    driver = shutil.which("chromedriver")
    if chromium is None or driver is None:
        pytest.skip("Chromium and its driver are not installed (Debian: apt-get install chromium chromium-driver)")
    return chromium, driver


@pytest.fixture
def try_url(tmp_path) -> Iterator[str]:
    """`salesbot try` as a subprocess; the URL it prints."""
    _require_emulator()
    proc = subprocess.Popen(
        [sys.executable, "-m", "bot", "try", "--port", "0", "--no-browser"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        cwd=str(tmp_path),
        # This checkout's code, also when PYTHONPATH names it relatively.
        env={**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])},
    )
    assert proc.stdout is not None
    lines: list[str] = []
    found = threading.Event()

    def read() -> None:
        assert proc.stdout is not None
        for line in proc.stdout:
            lines.append(line)
            if re.search(r"Open http://127\.0\.0\.1:\d+/", line):
                found.set()

    threading.Thread(target=read, daemon=True).start()
    try:
        if not found.wait(60):
            raise AssertionError("salesbot try did not print its URL:\n" + "".join(lines))
        url = re.search(r"http://127\.0\.0\.1:\d+/", "".join(lines))
        assert url is not None
        yield url.group(0)
    finally:
        proc.terminate()
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    assert proc.returncode == 0, "".join(lines)  # SIGTERM stops it cleanly, within the time allowed
    assert "Traceback" not in "".join(lines)


@pytest.fixture
def browser() -> Iterator[Any]:
    chromium, driver_path = _browser()
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for arg in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu", "--window-size=400,860"):
        options.add_argument(arg)
    driver = webdriver.Chrome(service=Service(driver_path), options=options)
    try:
        yield driver
    finally:
        driver.quit()


class Page:
    """The web chat as a person uses it. The page redraws a chat on every change, so everything is
    read and clicked in one script run (no element is held across a redraw)."""

    def __init__(self, driver: Any) -> None:
        from selenium.webdriver.common.by import By
        from selenium.webdriver.support.ui import WebDriverWait

        self.d, self.By = driver, By
        self.wait = WebDriverWait(driver, WAIT, poll_frequency=0.1)

    def type(self, *lines: str) -> None:
        from selenium.webdriver.common.keys import Keys

        box = self.d.find_element(self.By.ID, "text")
        for i, line in enumerate(lines):
            if i:
                box.send_keys(Keys.SHIFT, Keys.ENTER)
            box.send_keys(line)
        box.send_keys(Keys.ENTER)

    def bot_messages(self) -> list[tuple[str, str]]:
        """(key, text) of every bot message on screen."""
        script = (
            "return [...document.querySelectorAll(\".msg[data-from='bot']\")].map(m => [m.dataset.key, m.innerText])"
        )
        return [(str(key), str(text)) for key, text in self.d.execute_script(script)]

    def bot_says(self, text: str, *, after: int = 0) -> str:
        """The text of the first bot message (from the `after`-th on) holding `text`."""

        def found(_: Any) -> str | bool:
            return next((shown for _, shown in self.bot_messages()[after:] if text in shown), False)

        return str(self.wait.until(found, f"no bot message saying {text!r}"))

    def press(self, label: str, *, not_on: str | None = None) -> str:
        """Press the button `label` on the newest bot message that has it (other than `not_on`);
        return that message's key."""
        script = """
            const [label, notOn] = arguments;
            for (const m of [...document.querySelectorAll(".msg[data-from='bot']")].reverse()) {
              if (m.dataset.key === notOn) continue;
              for (const b of m.querySelectorAll(".kb button")) {
                if (!b.disabled && b.textContent.trim().endsWith(label)) { b.click(); return m.dataset.key; }
              }
            }
            return null;"""
        key = self.wait.until(lambda d: d.execute_script(script, label, not_on), f"no button {label!r}")
        return str(key)

    def buttons_of(self, key: str) -> list[str]:
        return list(
            self.d.execute_script(
                "const m = document.querySelector(`.msg[data-key='${arguments[0]}']`);"
                "return m ? [...m.querySelectorAll('.kb button')].map(b => b.textContent) : null;",
                key,
            )
            or []
        )


def test_a_card_typed_saved_qualified_and_listed_in_the_browser(try_url, browser):
    from selenium.webdriver.support.ui import Select

    browser.get(try_url)
    page = Page(browser)
    page.wait.until(lambda d: d.find_elements(page.By.CSS_SELECTOR, "#person option"))
    Select(browser.find_element(page.By.ID, "person")).select_by_value(REP)
    assert "Ivan Horvat · rep" in browser.find_element(page.By.ID, "person").text

    page.type(*CARD)
    preview = page.bot_says("Ivo Horvat")
    assert "Konzum Trgovina d.d." in preview and "ivo.horvat@konzum.hr" in preview
    page.press("Save")
    page.press("Qualify now")
    page.bot_says("Does the company need what we sell?")
    answered = None
    for _ in range(3):
        answered = page.press("Yes", not_on=answered)
        # Answered: the question is edited in place and loses its buttons.
        page.wait.until(lambda _d, key=answered: page.buttons_of(key) == [], "the answered question kept its buttons")
    page.bot_says("When will they buy?")
    page.type("in two months")
    page.press("Yes", not_on=answered)
    seen = len(page.bot_messages())
    page.type("25.000 EUR")
    assert "score 100/100" in page.bot_says("score", after=seen)

    seen = len(page.bot_messages())
    page.type("/leads")
    listing = page.bot_says("records", after=seen)
    assert "Ivo Horvat" in listing and "Petra Jurić" in listing  # the new one and a seeded one

    # The rep's Telegram in Persian: the page turns right to left and the bot answers in Persian.
    Select(browser.find_element(page.By.ID, "lang")).select_by_value("fa")
    page.wait.until(lambda d: d.find_element(page.By.TAG_NAME, "html").get_attribute("dir") == "rtl")
    seen = len(page.bot_messages())
    page.type("/help")
    assert "دستیار" in page.bot_says("/leads", after=seen)
