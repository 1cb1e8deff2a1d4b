"""The job page of a handset with damage flags (the intake summary lists them)."""

from models import db
from tests import factories


def test_job_page_lists_damage_flags_and_still_translates(app, client, auth, staff):
    with app.app_context():
        number = factories.job(liquid_damage=True, physical_damage=True, seals_intact=False).number
        db.session.commit()
    auth.login("receptionist")
    r = client.get(f"/jobs/{number}")
    assert r.status_code == 200
    page = r.get_data(as_text=True)
    assert page.count("text-bg-danger") >= 3 and "Accessories" in page
