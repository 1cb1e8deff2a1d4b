from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DecimalField,
    IntegerField,
    PasswordField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from models import ROLE_VALUES
from workshop.vocabulary import ROLE_LABELS

ROLE_CHOICES = [SelectChoice(r, ROLE_LABELS[r]) for r in ROLE_VALUES]


class UserForm(FlaskForm):
    username = StringField(_l("Username"), validators=[DataRequired(), Length(max=64)])
    display_name = StringField(_l("Display name"), validators=[Length(max=120)])
    role = SelectField(_l("Role"), choices=ROLE_CHOICES)
    service_point = SelectField(_l("Service point"), coerce=int)
    password = PasswordField(_l("Password"), validators=[Optional(), Length(min=8, max=200)])
    engineer_level = IntegerField(_l("Engineer level (1 = screen/battery, 2 = board)"),
                                  validators=[Optional(), NumberRange(min=1, max=3)])
    brands = StringField(_l("Brands (comma separated; empty = all)"), validators=[Length(max=500)])
    active = BooleanField(_l("Active"), default=True)
    submit = SubmitField(_l("Save"))


class ServicePointForm(FlaskForm):
    code = StringField(_l("Code"), validators=[DataRequired(), Length(min=2, max=6)])
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=120)])
    address = StringField(_l("Address"), validators=[Length(max=300)])
    phone = StringField(_l("Phone"), validators=[Length(max=40)])
    timezone = StringField(_l("Timezone (IANA name)"), validators=[Optional(), Length(max=64)])
    submit = SubmitField(_l("Create"))


class ServicePointSettingsForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=120)])
    address = StringField(_l("Address"), validators=[Length(max=300)])
    phone = StringField(_l("Phone"), validators=[Length(max=40)])
    timezone = StringField(_l("Timezone (IANA name)"), validators=[DataRequired(), Length(max=64)])
    label_size = SelectField(_l("Device tag label stock"))
    receipt_format = SelectField(_l("Customer receipt format"))
    printer_dpi = SelectField(_l("Label printer resolution (dpi)"), coerce=int)
    repair_warranty_days = IntegerField(_l("Warranty on our repairs (days)"),
                                        validators=[DataRequired(), NumberRange(min=0, max=3650)])
    reminder_after_days = IntegerField(_l("Remind uncollected handsets after (days)"),
                                       validators=[DataRequired(), NumberRange(min=1, max=365)])
    staff_remedy_limit = DecimalField(_l("Discount or gift front-line staff may grant without a manager"),
                                      places=2, validators=[Optional(), NumberRange(min=0, max=100000)])
    followup_after_days = IntegerField(_l("Follow-up call after pickup (days)"),
                                       validators=[Optional(), NumberRange(min=0, max=90)])
    receipt_terms = TextAreaField(_l("Terms printed on receipts (empty: the built-in terms)"),
                                  validators=[Length(max=4000)], render_kw={"rows": 4})
    submit = SubmitField(_l("Save settings"))
