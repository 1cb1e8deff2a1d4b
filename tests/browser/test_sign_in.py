"""Sign in as each role, see that role's navigation, sign out."""

import pytest

EXPECTED_NAV = {
    "receptionist": {"main.index"},
    "engineer": {"main.index"},
    "clerk": {"main.index"},
    "manager": {"main.index", "admin.users"},
    "admin": {"main.index", "admin.users", "admin.service_points"},
}


@pytest.mark.parametrize("role", sorted(EXPECTED_NAV))
def test_sign_in_navigation_sign_out(page, staff, role):
    page.open("/")
    page.find("#login-form")  # redirected to sign in
    page.login(role)
    assert page.find("#who").get_attribute("data-role") == role
    nav = {a.get_attribute("data-nav") for a in page.all("#main-nav [data-nav]")}
    assert EXPECTED_NAV[role] <= nav
    forbidden = {"admin.users", "admin.service_points"} - EXPECTED_NAV[role]
    assert not (nav & forbidden)
    page.find("#logout").click()
    page.find("#login-form")
    assert "signed out" in page.driver.page_source


def test_wrong_password_shows_error_beside_field(page, staff):
    page.open("/login")
    page.type("#username", "clerk")
    page.type("#password", "nope", enter=True)
    err = page.find(".invalid-feedback")
    assert "Wrong username or password" in err.text
    assert page.find("#username").get_attribute("value") == "clerk"


def test_scan_box_reports_unknown_code(page, staff):
    page.login("engineer")
    page.type("#scan-box", "SZ01-000999", enter=True)
    alert = page.find(".alert-warning")
    assert "SZ01-000999" in alert.text


@pytest.mark.parametrize("locale", ["en", "zh_Hans"])
def test_the_managers_bar_fits_a_1400_px_screen(page, app, staff, locale):
    from models import User, db

    with app.app_context():
        db.session.get(User, staff["manager"]).locale = locale
        db.session.commit()
    page.driver.set_window_size(1400, 1000)
    page.login("manager")
    bar = page.find("#main-nav")
    widths = page.driver.execute_script(
        "return [document.documentElement.scrollWidth, document.documentElement.clientWidth]")
    assert widths[0] <= widths[1], f"the page scrolls sideways: {widths}"
    assert bar.size["height"] < 70  # one line
    # Setting-up pages sit in one menu, opened by a click.
    page.find("#manage-menu").click()
    assert page.find('[data-nav="admin.users"]').is_displayed()
