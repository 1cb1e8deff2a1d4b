"""Templates translate through a per-request catalogue lookup (workshop/i18n.py) that
still follows the request's locale and ``force_locale``."""

from flask import render_template_string
from flask_babel import force_locale


def test_templates_follow_the_request_locale_and_force_locale(app):
    page = "{{ _('Status') }}|{{ ngettext('%(num)d job', '%(num)d jobs', 2) }}"
    with app.test_request_context("/", headers={"Accept-Language": "zh-CN"}):
        assert render_template_string(page).startswith("状态|")
        with force_locale("en"):
            assert render_template_string(page) == "Status|2 jobs"
        assert render_template_string(page).startswith("状态|")
    with app.test_request_context("/", headers={"Accept-Language": "en"}):
        assert render_template_string(page) == "Status|2 jobs"
    with app.app_context():  # outside a request: English
        assert render_template_string(page) == "Status|2 jobs"
