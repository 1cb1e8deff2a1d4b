"""The front desk's blueprint: intake, the TAC table, the blocked register and
warranty policies (each in its own module, all on this blueprint)."""

from flask import Blueprint

from workshop.jobs import panels as job_panels
from workshop.vocabulary import warranty_reasons

from .forms import template_labels

bp = Blueprint("intake", __name__)

job_panels.register("intake", "intake/_summary.html", order=10)


@bp.app_context_processor
def _intake_labels():
    # The job page (another blueprint) shows the intake summary with the same labels.
    return {"intake_labels": template_labels(), "warranty_reasons": warranty_reasons}
