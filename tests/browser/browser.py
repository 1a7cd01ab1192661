"""Shared helpers for the browser tests: a headless Chromium, login, screenshots."""
import os
import time
import unittest

from selenium import webdriver
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.common.exceptions import NoSuchElementException, StaleElementReferenceException, WebDriverException
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import WebDriverWait

BASE = os.environ.get("BASE_URL", "http://127.0.0.1:8080")
SHOTS = os.environ.get("SHOTS", "/tmp")
PASSWORD = "demo-2026-fazhi"


def submit(d, button):
    """Click a submit button and wait for the next page: the button's page is gone. Chromium
    reports a node of the page just left either as stale or as "does not belong to the document"
    (a plain WebDriverException); both mean the next page is there."""
    button.click()

    def gone(_):
        try:
            button.is_enabled()
            return False
        except (StaleElementReferenceException, WebDriverException):
            return True

    WebDriverWait(d, 15).until(gone)
    WebDriverWait(d, 10).until(lambda d: d.find_elements(By.TAG_NAME, "body"))


def option_text(o):
    """An option's text even when its select waits hidden behind the organisation picker
    (Selenium's .text is the visible text only)."""
    return (o.get_attribute("textContent") or "").strip()


def pick_org(d, select, text):
    """Choose a unit as a person does where a select carries the organisation picker: type part
    of its name into the picker's box and click the match whose name is `text`. Returns the
    select's value afterwards."""
    from selenium.webdriver.support.ui import Select

    box = d.find_element(By.ID, select.get_attribute("id") + "-search")
    d.execute_script("arguments[0].scrollIntoView({block: 'center'})", box)
    box.clear()
    box.send_keys(text)
    picker = box.find_element(By.XPATH, "./ancestor::*[contains(concat(' ', normalize-space(@class), ' '), ' orgpick ')][1]")

    def match(_):
        for item in picker.find_elements(By.CSS_SELECTOR, ".orgpick-list .orgpick-item"):
            names = item.find_elements(By.CSS_SELECTOR, ".orgpick-name")
            if names and names[0].text.strip().rstrip(" ✓") == text:
                return item
        return False

    WebDriverWait(d, 5).until(match).click()
    return Select(select).first_selected_option.get_attribute("value")


def driver(width=1366, height=900):
    o = Options()
    for a in ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
              "--disable-dev-shm-usage", "--disable-component-update", "--no-first-run", f"--window-size={width},{height}"]:
        o.add_argument(a)
    o.binary_location = os.environ.get("CHROMIUM", "/usr/bin/chromium")
    d = webdriver.Chrome(service=Service(os.environ.get("CHROMEDRIVER", "/usr/bin/chromedriver")), options=o)
    d.implicitly_wait(2)
    return d


class BrowserTest(unittest.TestCase):
    width, height = 1366, 900

    def setUp(self):
        self.d = driver(self.width, self.height)

    def tearDown(self):
        self.d.quit()

    def go(self, path):
        self.d.get(BASE + path)

    def shot(self, name):
        self.d.save_screenshot(os.path.join(SHOTS, f"{name}.png"))

    def login(self, username):
        self.go("/login")
        self.d.find_element(By.NAME, "username").send_keys(username)
        self.d.find_element(By.NAME, "password").send_keys(PASSWORD)
        self.d.find_element(By.CSS_SELECTOR, "form.login button[type=submit]").click()
        WebDriverWait(self.d, 10).until(EC.presence_of_element_located((By.CSS_SELECTOR, "header.topbar")))

    def logout(self):
        self.d.find_element(By.CSS_SELECTOR, "header.topbar form button").click()
        WebDriverWait(self.d, 10).until(EC.presence_of_element_located((By.NAME, "username")))

    def text(self):
        return self.d.find_element(By.TAG_NAME, "body").text

    def open_step(self, name):
        """Open the <details> of a step by its title and return it."""
        for det in self.d.find_elements(By.CSS_SELECTOR, "details.step"):
            summary = det.find_element(By.TAG_NAME, "summary")
            if summary.text.split("\n")[0].strip() == name:
                if det.get_attribute("open") is None:
                    summary.click()
                    time.sleep(0.1)
                return det
        self.fail(f"no step {name!r} on the page; steps: {[d.text[:20] for d in self.d.find_elements(By.CSS_SELECTOR, 'details.step')]}")

    def wait_text(self, needle, timeout=10):
        WebDriverWait(self.d, timeout, ignored_exceptions=(StaleElementReferenceException, NoSuchElementException)).until(
            lambda d: needle in d.find_element(By.TAG_NAME, "body").text)
