"""Forms of the front desk: intake, the TAC upload, the blocked register and
warranty policies.  Field names of the intake form are the API's dotted names with
``_`` (``device.imei`` -> ``device_imei``) so service errors land beside their field."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    DateField,
    HiddenField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, NumberRange, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from models import BLOCKED_REASONS
from workshop.vocabulary import (  # noqa: F401  (re-exported: intake views and templates use them)
    ACCESSORY_LABELS,
    BLOCKED_REASON_LABELS,
    COMPONENT_LABELS,
    FAULT_LABELS,
    FLAG_LABELS,
    PROOF_LABELS,
    REMEDY_LABELS,
    WARRANTY_CLASS,
    WARRANTY_LABELS,
    template_labels,
)


def _choices(labels: dict) -> list[SelectChoice]:
    return [SelectChoice(value, label) for value, label in labels.items()]


class CheckboxesField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class IntakeForm(FlaskForm):
    intake_token = HiddenField()
    service_point = SelectField(_l("Service point"), validate_choice=False)

    device_imei = StringField(_l("IMEI"), render_kw={
        "autofocus": True, "autocomplete": "off", "inputmode": "numeric", "spellcheck": "false",
        "placeholder": _l("Scan or type — *#06#")})
    device_imei2 = StringField(_l("Second IMEI (dual SIM)"), render_kw={"autocomplete": "off", "inputmode": "numeric"})
    device_serial_number = StringField(_l("Serial no. (no IMEI)"), render_kw={
        "autocomplete": "off", "title": _l("For a device without an IMEI, e.g. a Wi-Fi tablet")})
    device_brand = StringField(_l("Brand"))
    device_model = StringField(_l("Model"))
    device_colour = StringField(_l("Colour"))

    customer_phone = StringField(_l("Phone"), render_kw={"autocomplete": "off", "inputmode": "tel"})
    customer_name = StringField(lazy_pgettext("person", "Name"), render_kw={"autocomplete": "off"})
    customer_email = StringField(_l("E-mail (optional)"), render_kw={"autocomplete": "off", "inputmode": "email"})
    customer_update = BooleanField(_l("Correct the customer's name"))
    customer_previous_phone = StringField(_l("Their phone until now"), validators=[Optional(), Length(max=40)],
                                          render_kw={"autocomplete": "off", "inputmode": "tel"})

    proof_kind = SelectField(_l("Proof of purchase"), choices=_choices(PROOF_LABELS), validate_choice=False)
    proof_number = StringField(_l("Invoice / card number"))
    proof_purchase_date = DateField(_l("Purchase date"), validators=[Optional()])
    proof_seller = StringField(_l("Seller"))
    proof_imei = StringField(_l("IMEI on the invoice / card"), render_kw={"autocomplete": "off", "inputmode": "numeric"})

    fault_category = SelectField(_l("Fault"), choices=_choices({"": _l("Choose…"), **FAULT_LABELS}),
                                 validate_choice=False)
    fault_component = SelectField(_l("Component"), choices=_choices(COMPONENT_LABELS), validate_choice=False)
    fault_description = TextAreaField(_l("Fault as the customer describes it"), render_kw={"rows": 2})

    condition_liquid_damage = BooleanField(_l("Liquid damage"))
    condition_physical_damage = BooleanField(_l("Physical damage (dropped, crushed)"))
    condition_seals_intact = BooleanField(_l("Seals intact"), default=True)
    condition_unauthorised_repair = BooleanField(_l("Opened or repaired elsewhere"))
    condition_documents_altered = BooleanField(_l("Documents altered"))
    condition_notes = TextAreaField(_l("Cosmetic condition"), render_kw={
        "rows": 2, "placeholder": _l("Scratches, dents, cracked back…")})
    accessories = CheckboxesField(_l("Left with the handset"), choices=_choices(ACCESSORY_LABELS),
                                  validate_choice=False)

    consent_data_disclaimer = BooleanField(_l("Customer accepts the data disclaimer (data may be lost)"))
    consent_lock_removed = BooleanField(_l("Screen lock / cloud account removed"))

    estimate_amount = StringField(_l("Estimate (parts + labour)"), render_kw={"inputmode": "decimal",
                                                                             "placeholder": "0.00"})
    estimate_ceiling = StringField(_l("Ask again above"), render_kw={"inputmode": "decimal"})
    promised_by = DateField(_l("Promised by"), validators=[Optional()])
    policy = SelectField(_l("Warranty policy"), validate_choice=False)

    blocked_override_reason = TextAreaField(_l("Manager override: reason"), render_kw={"rows": 2})
    open_job_override_reason = TextAreaField(_l("Manager: why take it in again while its job is open?"),
                                             render_kw={"rows": 2})

    submit = SubmitField(_l("Take in and print ticket"))


class TacUploadForm(FlaskForm):
    file = FileField(_l("TAC file (CSV)"), validators=[FileRequired()])
    submit = SubmitField(_l("Import"))


class BlockedForm(FlaskForm):
    imei = StringField(_l("IMEI"), validators=[DataRequired()], render_kw={"autocomplete": "off",
                                                                           "inputmode": "numeric"})
    reason = SelectField(_l("Reported"), choices=[SelectChoice(r, BLOCKED_REASON_LABELS[r]) for r in BLOCKED_REASONS])
    reference = StringField(_l("Reference (police report, case number)"), validators=[Length(max=120)])
    note = TextAreaField(_l("Note"), render_kw={"rows": 2})
    submit = SubmitField(_l("Block"))


class LiftForm(FlaskForm):
    lift_reason = StringField(_l("Why is it no longer blocked?"))
    submit = SubmitField(_l("Lift"))


def _days(label):
    return IntegerField(label, validators=[Optional(), NumberRange(min=0)])


class PolicyForm(FlaskForm):
    code = StringField(_l("Code"), validators=[Length(max=40)])
    name = StringField(_l("Name"), validators=[Length(max=120)])
    return_days = _days(_l("Refund period (days; empty: none)"))
    exchange_days = _days(_l("Exchange period (days; empty: none)"))
    component_months_handset = _days(_l("Handset (months)"))
    component_months_battery = _days(_l("Battery (months)"))
    component_months_charger = _days(_l("Charger (months)"))
    component_months_wired_headset = _days(_l("Wired headset (months)"))
    proof_required = BooleanField(_l("Free service needs an invoice or warranty card"), default=True)
    restart_on_exchange = BooleanField(_l("An exchanged handset starts a new warranty"))
    promise_days = _days(_l("Service promise (days)"))
    loaner_after_days = _days(_l("Loaner due after (days; empty: never)"))
    exchange_after_days = _days(_l("Exchange due after (days; empty: never)"))
    repair_warranty_days = _days(_l("Our repair warranty (days)"))
    repeat_fault_exchange_after = _days(_l("Exchange after this many repairs of the same fault (empty: never)"))
    chain_default = BooleanField(_l("Chain default"))
    service_points = SelectMultipleField(_l("Default at these service points"), coerce=int, validate_choice=False)
    active = BooleanField(_l("Active"), default=True)
    submit = SubmitField(_l("Save"))




def show_errors(form: FlaskForm, errors: dict[str, list[str]], message: str) -> None:
    """Put each service error beside its field (``device.imei`` -> ``device_imei``);
    errors without a field of their own, or none at all, go above the form."""
    for name, messages in errors.items():
        field = getattr(form, name.replace(".", "_"), None)
        if field is not None and hasattr(field, "errors"):
            field.errors = [*field.errors, *messages]
        else:
            form.form_errors.extend(messages)
    if not errors:
        form.form_errors.append(message)
