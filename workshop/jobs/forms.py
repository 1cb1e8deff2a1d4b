from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import IntegerField, SearchField
from wtforms.validators import Length, NumberRange, Optional

#: Longer text is no job number, IMEI, phone or name anyone types at a counter.
SEARCH_MAX = 100


class JobSearchForm(FlaskForm):
    """The jobs page's search (GET; finds, changes nothing)."""

    class Meta:
        csrf = False

    q = SearchField(_l("Job number, IMEI or serial, phone (or its last 4 digits), name or fault"),
                    validators=[Optional(), Length(max=SEARCH_MAX)],
                    # the last search selected: typing starts the next (static/js/counter.js)
                    render_kw={"autofocus": True, "autocomplete": "off", "data-select-on-load": True})
    # The cursor of the next page (the id of the last job shown).
    after = IntegerField(validators=[Optional(), NumberRange(min=1, max=2**31 - 1)])
