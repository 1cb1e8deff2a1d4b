"""Forms of the bench pages and of the workbench panel on the job page."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    DecimalField,
    HiddenField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, NumberRange, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from models import JobStatus
from workshop.jobs import workflow
from workshop.jobs.notes import QC_WORDS

S = JobStatus

#: Status names as the counter reads them.
STATUS_LABELS = {
    S.RECEIVED: _l("Received"),
    S.DIAGNOSING: _l("Diagnosing"),
    S.AWAITING_APPROVAL: _l("Awaiting approval"),
    S.AWAITING_PARTS: _l("Awaiting parts"),
    S.REPAIRING: _l("Repairing"),
    S.QC: _l("QC"),
    S.READY: _l("Ready"),
    S.COLLECTED: _l("Collected"),
    S.CANCELLED: _l("Cancelled"),
    S.UNREPAIRABLE: _l("Unrepairable"),
}

#: The workflow's QC checklist, translated (same codes as workflow.QC_CHECKS).
QC_LABELS = {code: words for code, words in QC_WORDS.items() if code != "other"}

CHANNEL_LABELS = {
    "phone": _l("By phone"),
    "in_person": _l("In person"),
    "message": _l("By text message / WeChat"),
    "email": _l("By email"),
}

NEXT_LABELS = {
    S.REPAIRING: _l("Repair now (parts on hand)"),
    S.AWAITING_PARTS: _l("Needs parts"),
    S.UNREPAIRABLE: _l("Cannot be repaired"),
}


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class MoveForm(FlaskForm):
    """One button per move the user may make now; the note is the reason where needed."""

    to = SelectField(_l("Move to"), choices=[SelectChoice(s.value, label) for s, label in STATUS_LABELS.items()],
                     validators=[DataRequired()])
    note = TextAreaField(_l("Reason or note (needed to cancel or give up)"),
                         validators=[Optional(), Length(max=2000)])


class AssignForm(FlaskForm):
    engineer = SelectField(_l("Engineer"), coerce=int, validators=[DataRequired()])
    proposed = HiddenField(default="")
    submit = SubmitField(_l("Assign"))


class AssignAllForm(FlaskForm):
    submit = SubmitField(_l("Assign all proposed"))


class DiagnosisForm(FlaskForm):
    findings = TextAreaField(_l("Findings"), validators=[DataRequired(), Length(max=4000)],
                             render_kw={"rows": 3, "placeholder": _l("What is wrong, and what it needs")})
    estimate = DecimalField(_l("Price (parts + labour)"), places=2,
                            validators=[Optional(), NumberRange(min=0)],
                            render_kw={"inputmode": "decimal"})
    next_status = SelectField(_l("Next"), choices=[SelectChoice(s.value, label) for s, label in NEXT_LABELS.items()])
    submit = SubmitField(_l("Record diagnosis"))


class RepairForm(FlaskForm):
    actions = TextAreaField(_l("Repair actions"), validators=[DataRequired(), Length(max=4000)],
                            render_kw={"rows": 3, "placeholder": _l("What you did")})
    parts_fitted = StringField(_l("Parts fitted (part numbers, serials)"), validators=[Length(max=500)])
    save = SubmitField(_l("Save repair notes"))
    hand_to_qc = SubmitField(_l("Repair done: hand to QC"))


class QCForm(FlaskForm):
    checks = MultiCheckboxField(_l("Checklist (tick what passed)"),
                                choices=[SelectChoice(code, QC_LABELS[code]) for code in workflow.QC_CHECKS])
    note = TextAreaField(_l("QC note"), validators=[Optional(), Length(max=2000)], render_kw={"rows": 2})
    passed = SubmitField(_l("QC passed"))
    failed = SubmitField(_l("QC failed: back to repair"))


class ApprovalForm(FlaskForm):
    channel = SelectField(_l("The customer answered"), choices=[SelectChoice(code, label) for code, label in CHANNEL_LABELS.items()])
    note = TextAreaField(_l("Note"), validators=[Optional(), Length(max=2000)], render_kw={"rows": 2})
    approve = SubmitField(_l("Customer approved"))
    decline = SubmitField(_l("Customer declined: return unrepaired"))
