"""Screenshots of the counter for docs/COUNTER.md: intake, job page and pickup, in English
and Chinese, taken in headless Chromium from a running demo (``python run.py`` on a
fresh SQLite file: its demo jobs SP01-000001..4 and the reception user).

    DATABASE_URL=sqlite:////tmp/walk.db PORT=5071 WORKSHOP_TIMEZONE=Asia/Shanghai python run.py
    python docs/counter/walk.py http://127.0.0.1:5071 reception <password printed by run.py>

Writes docs/counter/counter-{intake,job,pickup}-{en,zh}.png.  Not a test: the counts
and behaviour are checked by tests/browser/test_counter_speed.py.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import Select, WebDriverWait
from stdnum import luhn

OUT = Path(__file__).resolve().parent
#: A returning demo customer (陈静, 13600001111) brings another handset of a known TAC.
IMEI_BODY = "35381208" + "512345"
IMEI = IMEI_BODY + luhn.calc_check_digit(IMEI_BODY)
READY_JOB = "SP01-000004"


def main(base: str, username: str, password: str) -> None:
    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                 "--window-size=1400,1000", "--hide-scrollbars"):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
    wait = WebDriverWait(driver, 10)
    try:
        driver.get(base + "/login")
        driver.find_element(By.NAME, "username").send_keys(username)
        driver.find_element(By.NAME, "password").send_keys(password + Keys.ENTER)
        wait.until(lambda d: d.find_elements(By.ID, "who"))
        for locale, tag in (("en", "en"), ("zh_Hans", "zh")):
            driver.get(base + "/profile")
            Select(driver.find_element(By.NAME, "locale")).select_by_value(locale)
            driver.find_element(By.ID, "profile-form").submit()
            time.sleep(0.5)
            # Intake: the handset scanned (a keyboard-wedge burst), a returning customer's phone.
            driver.get(base + "/intake")
            imei = driver.find_element(By.ID, "device_imei")
            imei.send_keys(IMEI + Keys.ENTER)
            wait.until(lambda d: "success" in d.find_element(By.ID, "imei-valid").get_attribute("class"))
            driver.switch_to.active_element.send_keys("13600001111" + Keys.ENTER)
            wait.until(lambda d: "陈静" in d.find_element(By.ID, "customer-hint").text)
            driver.find_element(By.CSS_SELECTOR, "#customer-new-phone summary").click()
            driver.find_element(By.ID, "customer_name").click()
            time.sleep(0.3)
            driver.save_screenshot(str(OUT / f"counter-intake-{tag}.png"))
            # The job page of a repaired handset: IMEI, history notes in the reader's language.
            driver.get(f"{base}/jobs/{READY_JOB}")
            wait.until(lambda d: d.find_elements(By.ID, "timeline"))
            time.sleep(0.3)  # the focus goes to the next action ("Hand over"), lower down
            focused = driver.switch_to.active_element.get_attribute("id")
            print(f"{tag}: job page focus on #{focused}")
            driver.execute_script("document.documentElement.style.scrollBehavior = 'auto'; window.scrollTo(0, 0)")
            time.sleep(0.3)
            driver.save_screenshot(str(OUT / f"counter-job-{tag}.png"))
            # Pickup: the stub field waits for the scan.
            driver.get(f"{base}/pickup/{READY_JOB}")
            wait.until(lambda d: d.find_elements(By.ID, "job-imei"))
            driver.save_screenshot(str(OUT / f"counter-pickup-{tag}.png"))
    finally:
        driver.quit()


if __name__ == "__main__":
    main(*sys.argv[1:4])
