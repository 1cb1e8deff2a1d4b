from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField, SubmitField
from wtforms.validators import DataRequired, Length, Regexp


class TrackForm(FlaskForm):
    """The lookup form.  It is sent with GET and changes nothing, so it carries no
    CSRF token (the link in a notification must work on its own)."""

    class Meta:
        csrf = False

    number = StringField(_l("Job number"), validators=[DataRequired(), Length(max=20)],
                         render_kw={"autocomplete": "off", "placeholder": "SZ01-000123"})
    phone_last4 = StringField(
        _l("Last 4 digits of your phone number"),
        validators=[DataRequired(), Regexp(r"^\d{4}$", message=_l("Enter the last 4 digits."))],
        render_kw={"inputmode": "numeric", "maxlength": 4, "autocomplete": "off"},
    )
    submit = SubmitField(_l("Check status"))
