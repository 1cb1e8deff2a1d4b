"""Headless Chromium (Debian's chromium + chromium-driver) driving the real UI
served by a live server thread on 127.0.0.1."""

from __future__ import annotations

import shutil
import tempfile
import threading

import pytest
from werkzeug.serving import make_server

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMEDRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"


def pytest_collection_modifyitems(items):
    # (tests/conftest.py keeps browser tests on SQLite: their subject is the UI.)
    for item in items:
        if "tests/browser/" in str(item.path):
            item.add_marker(pytest.mark.browser)


@pytest.fixture
def live_server(app):
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=5)


@pytest.fixture(scope="session")
def _driver_session():
    try:
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service
    except ImportError as exc:  # pragma: no cover - selenium is in requirements-dev
        pytest.skip(f"selenium not installed: {exc}")
    if not (shutil.which(CHROMIUM) and shutil.which(CHROMEDRIVER)):
        pytest.skip("Debian packages chromium and chromium-driver are not installed (.ci/run installs them)")
    profile = tempfile.mkdtemp(prefix="chromium-profile-")
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic",
                 "--disable-dev-shm-usage", "--force-prefers-reduced-motion", "--window-size=1400,1000", f"--user-data-dir={profile}"):
        options.add_argument(flag)
    # The console log is read by tests/browser/test_csp.py (CSP violations show up there).
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(executable_path=CHROMEDRIVER), options=options)
    driver.implicitly_wait(0)
    yield driver
    driver.quit()
    shutil.rmtree(profile, ignore_errors=True)


@pytest.fixture
def browser(_driver_session):
    yield _driver_session
    _driver_session.delete_all_cookies()


class Page:
    """Small helpers over Selenium for the counter's pages."""

    def __init__(self, driver, base_url):
        self.driver = driver
        self.base = base_url

    def open(self, path):
        self.driver.get(self.base + path)

    def find(self, css, timeout=5):
        from selenium.webdriver.common.by import By
        from selenium.webdriver.support import expected_conditions as ec
        from selenium.webdriver.support.ui import WebDriverWait

        return WebDriverWait(self.driver, timeout).until(ec.presence_of_element_located((By.CSS_SELECTOR, css)))

    def focused(self, css, timeout=5) -> bool:
        """True once the element ``css`` finds has the keyboard focus (autofocus is applied
        when the page is rendered, a moment after it is found)."""
        from selenium.common.exceptions import TimeoutException
        from selenium.webdriver.support.ui import WebDriverWait

        target = self.find(css, timeout)
        try:
            WebDriverWait(self.driver, timeout).until(lambda d: d.switch_to.active_element == target)
        except TimeoutException:
            return False
        return True

    def all(self, css):
        from selenium.webdriver.common.by import By

        return self.driver.find_elements(By.CSS_SELECTOR, css)

    def submit(self, css, timeout=10):
        """Click what ``css`` finds and wait until the browser has loaded the next page."""
        from selenium.webdriver.support import expected_conditions as ec
        from selenium.webdriver.support.ui import WebDriverWait

        old = self.find("html")
        target = self.find(css)
        # Bootstrap scrolls smoothly: jump instead, so the click lands where the button is
        self.driver.execute_script("arguments[0].scrollIntoView({block: 'center', behavior: 'instant'});", target)
        target.click()
        WebDriverWait(self.driver, timeout).until(ec.staleness_of(old))
        return self.find("body")

    def type(self, css, text, enter=False):
        from selenium.webdriver.common.keys import Keys

        el = self.find(css)
        el.clear()
        el.send_keys(text + (Keys.ENTER if enter else ""))
        return el

    def login(self, username, password="correct-horse-9"):
        self.open("/login")
        self.type("#username", username)
        self.type("#password", password, enter=True)
        self.find("#who")

    def screenshot(self, path):
        self.driver.save_screenshot(str(path))


@pytest.fixture
def page(browser, live_server):
    return Page(browser, live_server)
