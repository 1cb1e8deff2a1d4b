from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DecimalField,
    HiddenField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional
from wtforms.widgets import CheckboxInput, ListWidget

PAYMENT_METHODS = [
    SelectChoice("cash", _l("Cash")),
    SelectChoice("card", _l("Bank card")),
    SelectChoice("wechat", _l("WeChat Pay")),
    SelectChoice("alipay", _l("Alipay")),
    SelectChoice("transfer", _l("Bank transfer")),
]
LEND_CONDITIONS = [SelectChoice("good", _l("Good")), SelectChoice("worn", _l("Worn (scratches, scuffs)"))]
RETURN_CONDITIONS = [*LEND_CONDITIONS, SelectChoice("damaged", _l("Damaged"))]


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class ScanForm(FlaskForm):
    """The pickup counter's scan box (GET; opens a page, changes nothing)."""

    class Meta:
        csrf = False

    code = StringField(_l("Scan the ticket or type the job number"), validators=[DataRequired(), Length(max=40)],
                       render_kw={"autofocus": True, "autocomplete": "off"})


class VerifyForm(FlaskForm):
    method = RadioField(_l("How is the customer verified?"), default="stub",
                        choices=[SelectChoice("stub", _l("Receipt stub scanned")),
                                 SelectChoice("phone_id", _l("Last 4 phone digits and ID document"))])
    stub_code = StringField(_l("Scan the customer's receipt stub"), validators=[Optional(), Length(max=40)],
                            render_kw={"autocomplete": "off", "data-scan-target": True, "data-next-action": True})
    phone_last4 = StringField(_l("Last 4 digits of the customer's phone"), validators=[Optional(), Length(max=4)],
                              render_kw={"inputmode": "numeric", "maxlength": 4, "autocomplete": "off"})
    id_checked = BooleanField(_l("I checked the customer's ID document and the name matches"))
    submit = SubmitField(_l("Verify"))


class ChargeForm(FlaskForm):
    kind = HiddenField(validators=[DataRequired()])
    amount = DecimalField(_l("Amount"), places=2, validators=[InputRequired(), NumberRange(min=0)])
    reason = StringField(_l("Reason"), validators=[Length(max=300)])
    submit = SubmitField(_l("Set"))


class CollectForm(FlaskForm):
    method = SelectField(_l("Payment method"), choices=PAYMENT_METHODS, validators=[Optional()])
    amount = DecimalField(_l("Amount received"), places=2, validators=[Optional()])
    reference = StringField(_l("Reference (card slip, transaction no.)"), validators=[Length(max=80)])
    accessories = MultiCheckboxField(_l("Accessories handed back"), choices=[], validate_choice=False)
    accessories_note = StringField(_l("Note on accessories not handed back"), validators=[Length(max=300)])
    note = StringField(_l("Note"), validators=[Length(max=300)])
    submit = SubmitField(_l("Hand over: collected"))


class DepositForm(FlaskForm):
    method = SelectField(_l("Payment method"), choices=PAYMENT_METHODS)
    amount = DecimalField(_l("Deposit"), places=2, validators=[InputRequired(), NumberRange(min=0.01)])
    reference = StringField(_l("Reference"), validators=[Length(max=80)])
    submit = SubmitField(_l("Take deposit"))


class LoanerForm(FlaskForm):
    imei = StringField(_l("IMEI"), validators=[DataRequired(), Length(max=40)], render_kw={"autocomplete": "off"})
    brand = StringField(_l("Brand"), validators=[Length(max=80)])
    model = StringField(_l("Model"), validators=[Length(max=120)])
    condition = SelectField(_l("Condition"), choices=LEND_CONDITIONS)
    condition_notes = StringField(_l("Condition notes"), validators=[Length(max=300)])
    submit = SubmitField(_l("Add to the pool"))


class LendForm(FlaskForm):
    loaner = SelectField(_l("Loaner phone"), coerce=int, validate_choice=False)
    notes = StringField(_l("Notes (deposit, charger lent...)"), validators=[Length(max=300)])
    submit = SubmitField(_l("Lend"))


class ReturnForm(FlaskForm):
    condition = SelectField(_l("Condition on return"), choices=RETURN_CONDITIONS)
    notes = TextAreaField(_l("Notes (required when damaged)"), validators=[Length(max=500)], render_kw={"rows": 2})
    submit = SubmitField(_l("Record return"))


class RetireForm(FlaskForm):
    reason = StringField(_l("Why is it retired?"), validators=[DataRequired(), Length(max=300)])
    submit = SubmitField(_l("Retire"))


class ActionForm(FlaskForm):
    """A button that POSTs (CSRF token only)."""

    submit = SubmitField(_l("Go"))
