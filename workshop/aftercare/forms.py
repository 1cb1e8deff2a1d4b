"""HTML forms of after-sales care.  They check shapes; the rules are the domain's
(``workshop.aftercare``), whose errors the views place beside these fields."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    HiddenField,
    RadioField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional

from .words import (
    CATEGORY_WORDS,
    CHANNEL_WORDS,
    CONTACT_KIND_WORDS,
    LEVEL_WORDS,
    REMEDY_WORDS,
    ROOT_CAUSE_WORDS,
)


def choices(words: dict, *, blank: str | None = None) -> list[SelectChoice]:
    items = [SelectChoice(k, v) for k, v in words.items()]
    return ([SelectChoice("", blank)] if blank is not None else []) + items


def pairs(*items: tuple[str, str]) -> list[SelectChoice]:
    return [SelectChoice(value, label) for value, label in items]


class ScanForm(FlaskForm):
    """The first box of a new complaint: scan a ticket or IMEI, or type a phone number."""

    class Meta:
        csrf = False  # a GET lookup that changes nothing

    code = StringField(_l("Scan the job ticket or IMEI, or type the phone number"),
                       render_kw={"autofocus": True, "autocomplete": "off"})


class ComplaintForm(FlaskForm):
    once = HiddenField()
    job = HiddenField()
    customer_name = StringField(_l("Customer name"), validators=[Length(max=120)])
    customer_phone = StringField(_l("Phone"), validators=[Length(max=40)])
    channel = SelectField(_l("Channel"), choices=choices(CHANNEL_WORDS), default="walk_in")
    level = SelectField(_l("Level"), choices=choices(LEVEL_WORDS, blank=_l("By channel")), default="")
    category = SelectField(_l("Category"), choices=choices(CATEGORY_WORDS), default="repair_quality")
    description = TextAreaField(_l("What the customer complains about"), render_kw={"rows": 3})
    demand = TextAreaField(_l("The customer's demand (诉求)"), render_kw={"rows": 2})
    staff_involved = StringField(_l("Staff member concerned"), validators=[Length(max=120)])
    promised_on = DateField(_l("Date promised to the customer"), validators=[Optional()])
    submit = SubmitField(_l("Register the complaint"))


class NoteForm(FlaskForm):
    note = TextAreaField(_l("Note"), render_kw={"rows": 2})


class RespondForm(NoteForm):
    submit = SubmitField(_l("Record the response"))


class EscalateForm(NoteForm):
    submit = SubmitField(_l("Escalate to a manager"))


class LevelForm(NoteForm):
    level = SelectField(_l("Raise the level to"), choices=choices(LEVEL_WORDS))
    submit = SubmitField(_l("Raise the level"))


class ReportForm(FlaskForm):
    report = TextAreaField(_l("Written complaint report (投诉报告)"), render_kw={"rows": 4})
    founded = SelectField(_l("Complaint founded?"), choices=pairs(("", _l("Not decided")), ("yes", _l("Founded")),
                                                          ("no", _l("Not founded"))), default="")
    responsible = StringField(_l("Responsible person"), validators=[Length(max=120)])
    submit = SubmitField(_l("Save the report"))


class RemedyForm(FlaskForm):
    kind = SelectField(_l("Remedy"), choices=choices(REMEDY_WORDS))
    amount = StringField(_l("Amount"), render_kw={"inputmode": "decimal", "placeholder": "0.00"})
    job = StringField(_l("Job to link (free re-repair; empty: a new job)"), validators=[Length(max=20)])
    note = StringField(_l("Note"), validators=[Length(max=4000)])
    submit = SubmitField(_l("Add the remedy"))


class RemedyDoneForm(NoteForm):
    submit = SubmitField(_l("Carried out"))


class ApproveForm(NoteForm):
    submit = SubmitField(_l("Approve"))


class AgreementForm(NoteForm):
    preferred_solution = TextAreaField(_l("The customer's preferred solution"), render_kw={"rows": 2})
    accepted = RadioField(_l("The customer's word"), choices=pairs(("yes", _l("Accepted and signed")),
                                                           ("no", _l("Not accepted"))),
                          validators=[DataRequired(_l("Choose whether the customer accepted."))])
    submit = SubmitField(_l("Record the customer's word"))


class CloseForm(NoteForm):
    root_cause = SelectField(_l("Root cause"), choices=choices(ROOT_CAUSE_WORDS, blank="—"), default="")
    preventive_action = TextAreaField(_l("Preventive action"), render_kw={"rows": 2})
    submit = SubmitField(_l("Close the case"))


class CallForm(FlaskForm):
    """One follow-up call: the questions, and how it ended."""

    fixed = SelectField(_l("Is the fault fixed?"), choices=pairs(("", "—"), ("yes", _l("Yes")), ("no", _l("No"))),
                        default="")
    satisfaction = RadioField(_l("How satisfied are you, 1 to 5?"),
                              choices=[SelectChoice(str(i), str(i)) for i in range(1, 6)], validators=[Optional()])
    comment = TextAreaField(_l("Comments"), render_kw={"rows": 2})
    anything_else = StringField(_l("Anything else we can do?"), validators=[Length(max=4000)])
    channel = SelectField(_l("By"), choices=pairs(("phone", _l("Phone")), ("sms", _l("SMS")), ("email", _l("E-mail")),
                                           ("visit", _l("Visit"))), default="phone")
    reached = SubmitField(_l("Reached: save the answers"))
    no_answer = SubmitField(_l("No answer"))
    refused = SubmitField(_l("Refused"))


class PublicAnswerForm(FlaskForm):
    satisfaction = RadioField(_l("How satisfied are you with our repair?"),
                              choices=[SelectChoice(str(i), str(i)) for i in range(1, 6)],
                              validators=[DataRequired(_l("Choose a number from 1 to 5."))])
    comment = TextAreaField(_l("Anything you want to tell us (optional)"), validators=[Length(max=2000)],
                            render_kw={"rows": 3})
    submit = SubmitField(_l("Send"))


class ContactForm(FlaskForm):
    kind = SelectField(_l("Kind"), choices=choices(CONTACT_KIND_WORDS), default="enquiry")
    channel = SelectField(_l("Channel"), choices=pairs(("phone", _l("Phone")), ("walk_in", _l("Walk-in")),
                                                ("email", _l("E-mail")), ("online", _l("Online")),
                                                ("social_media", _l("Social media"))), default="phone")
    phone = StringField(_l("Phone"), validators=[Length(max=40)])
    name = StringField(lazy_pgettext("person", "Name"), validators=[Length(max=120)])
    job = StringField(_l("Job"), validators=[Length(max=20)])
    note = StringField(_l("What it was about"), validators=[Length(max=4000)])
    submit = SubmitField(_l("Log it"))


class ReportFilter(FlaskForm):
    class Meta:
        csrf = False

    overdue = BooleanField(_l("Overdue only"))
