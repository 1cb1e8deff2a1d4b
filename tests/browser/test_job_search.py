"""The receptionist finds a customer's job from anywhere: what she knows (the phone's
last four digits, the name) typed into the header box, Enter, then a click."""

from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import WebDriverWait

from models import db
from tests import factories


def test_the_header_box_finds_jobs_by_what_the_customer_says(page, app, staff):
    with app.app_context():
        sp = factories.service_point("SZ01")
        customer = factories.customer(sp, name="Chen Jing", phone="+8613600001111")
        first = factories.job(sp, customer=customer, fault_description="Battery swells")
        second = factories.job(sp, customer=customer, fault_description="No sound")
        other = factories.job(sp, customer=factories.customer(sp, name="Zhou Hui", phone="+8613700002222"))
        db.session.commit()
        first_number, second_number, other_number = first.number, second.number, other.number
    page.login("receptionist")
    page.open("/pickup")  # wherever she is
    page.type("#scan-box", "1111", enter=True)
    page.find("#job-results tr[data-job]")
    rows = [r.get_attribute("data-job") for r in page.all("#job-results tr[data-job]")]
    assert rows == [second_number, first_number]  # newest first
    assert page.focused("#job-search")  # the search stays where one types
    # ... and the next customer's name typed there replaces the last search.
    page.driver.switch_to.active_element.send_keys("Zhou Hui" + Keys.ENTER)
    WebDriverWait(page.driver, 5).until(lambda d: d.current_url.endswith("?q=Zhou+Hui"))
    assert [r.get_attribute("data-job") for r in page.all("#job-results tr[data-job]")] == [other_number]
    page.driver.back()
    page.find("#job-results tr[data-job]")
    page.find(f'#job-results tr[data-job="{first_number}"] a').click()
    assert page.find("#job-number").text == first_number
    # A name that finds one job opens it straight away.
    page.type("#scan-box", "zhou", enter=True)
    WebDriverWait(page.driver, 5).until(lambda d: d.current_url.endswith(f"/jobs/{other_number}"))
    assert page.find("#job-number").text == other_number
