"""From a job to the printed documents: builds the plain data ``labels`` lays out,
and records every print (and reprint) as an event on the job."""

from __future__ import annotations

import datetime as dt

from flask_babel import force_locale, gettext
from flask_babel import gettext as _
from sqlalchemy import select

import labels
from models import Job, JobEvent, Part, ValidationError, db
from workshop.core import clock
from workshop.core.locale import language_for
from workshop.jobs import receipt_stub
from workshop.vocabulary import template_labels, warranty_reasons

TERMS = {
    "en": (
        "We repair the fault described above. Back up your data before leaving the handset: repairs may "
        "erase it and we are not liable for lost data. Work beyond the agreed ceiling is done only with your "
        "consent. Handsets not collected within 90 days of the ready notice may be disposed of as the law "
        "allows. Damage from liquid, drops or opening by others is not covered by warranty. Parts replaced "
        "under warranty become our property."
    ),
    "zh": (
        "本店仅维修上述故障。请在送修前自行备份数据，维修可能导致数据丢失，本店不承担数据丢失责任。"
        "超出约定费用上限的维修须经您同意后方可进行。自通知取机之日起90日内未取机的，本店将依法处理。"
        "进水、摔落、非本店拆修造成的损坏不在保修范围内。保修期内更换下的旧件归本店所有。"
    ),
}

def receipt_words(lang: str) -> dict:
    """The printed names of codes (fault, warranty, accessories...) in a receipt's
    language (en|zh): the same words the screens show (``workshop.vocabulary``)."""
    with force_locale("zh_Hans" if lang == "zh" else "en"):
        shown = template_labels()
        words = {key: {code: str(text) for code, text in shown[key].items()}
                 for key in ("warranty", "remedy", "fault", "accessory", "flag")}
        words["consent"] = {"lock_removed": _("Screen lock removed"),
                            "data_disclaimer_accepted": _("Data disclaimer accepted")}
        words["yes"], words["no"] = _("Yes"), _("No")
    return words


def receipt_language(job: Job) -> str:
    """``zh`` or ``en``: one customer, one language on every receipt and message
    (``core.locale.language_for``: their recorded locale, else Chinese for a +86 number,
    else the default).  The counter's own language does not change what the customer
    is given."""
    return "zh" if language_for(job.customer) == "zh_Hans" else "en"


def tag_label(job: Job) -> labels.TagLabel:
    fault = job.fault_description or job.fault_category
    return labels.TagLabel(
        job.number, brand=job.brand, model=job.model, fault=fault, promised_on=job.promised_by,
        service_point_code=job.service_point.code, service_point_name=job.service_point.name,
        imei=job.imei or "", imei2=job.imei2 or "",
    )


def _sp(job: Job) -> labels.ServicePoint:
    sp = job.service_point
    return labels.ServicePoint(sp.code, sp.name, sp.address or "", sp.phone or "")


def intake_receipt(job: Job, *, lang: str, status_url: str, words: dict) -> labels.IntakeReceipt:
    """The customer's intake receipt (受理单) for ``job`` in ``lang`` (en|zh).

    ``words`` holds the printed names of codes in that language, from the same labels
    the screens use: ``warranty``, ``remedy``, ``fault``, ``accessory``, ``flag`` and
    ``consent`` (code -> text) and ``yes``/``no``.  The warranty reasons are said in
    ``lang`` from their codes (the stored English sentences on older jobs).
    """
    yes_no = {True: words["yes"], False: words["no"]}
    flags = {"liquid_damage": job.liquid_damage, "physical_damage": job.physical_damage,
             "seals_broken": not job.seals_intact, "unauthorised_repair": job.unauthorised_repair,
             "documents_altered": job.documents_altered}
    consent = {"lock_removed": job.lock_removed, "data_disclaimer_accepted": job.data_disclaimer_accepted}
    checklist = [(words["flag"][code], yes_no[bool(v)]) for code, v in flags.items()]
    checklist += [(words["consent"][code], yes_no[bool(v)]) for code, v in consent.items()]
    warranty = None
    if job.warranty_status:
        with force_locale("zh_Hans" if lang == "zh" else "en"):
            reasons = warranty_reasons(job.warranty_reason_codes, job.warranty_reason_args,
                                       job.warranty_reasons)
        warranty = labels.WarrantyDecision(
            status=words["warranty"].get(job.warranty_status, job.warranty_status),
            chargeable=job.warranty_chargeable,
            remedies=[words["remedy"].get(r, r) for r in job.warranty_remedies or []],
            reasons=reasons,
            ends_on=job.warranty_ends_on,
        )
    return labels.IntakeReceipt(
        service_point=_sp(job), job_number=job.number,
        customer=labels.Customer(job.customer_name or job.customer.name, job.customer.phone),
        handset=labels.Handset(job.brand, job.model, job.colour or "", job.imei or "", job.imei2 or "",
                               job.serial_number or ""),
        # On the service point's clock, as every page shows it (stored UTC).
        received_at=clock.local_now(job.service_point, job.received_at).replace(tzinfo=None),
        terms=job.service_point.receipt_terms or TERMS[lang],
        status_url=status_url, captions=lang,
        fault_category=words["fault"].get(job.fault_category, job.fault_category),
        fault_description=job.fault_description or "",
        checklist=checklist, cosmetic_notes=job.condition_notes or "",
        accessories_left=[words["accessory"].get(a, a) for a in job.accessories or []],
        estimate=job.estimate_amount, estimate_ceiling=job.estimate_ceiling,
        warranty=warranty, promised_on=job.promised_by,
        stub_code=receipt_stub.stub_code(job),
    )


def check_choice(value: str | None, allowed, default: str, field: str) -> str:
    """``value`` if it is one of ``allowed`` (default when empty); ValidationError otherwise."""
    if not value:
        return default
    if value not in allowed:
        raise ValidationError(gettext("Unknown %(field)s %(value)s; choose one of: %(choices)s.",
                                      field=field, value=repr(value), choices=', '.join(allowed)),
                              errors={field: [gettext("Choose one of: %(choices)s.", choices=', '.join(allowed))]})
    return value


def record_print(job: Job, actor, document: str, variant: str) -> JobEvent:
    """Append a print event (marked as a reprint when this document was printed before)."""
    earlier = db.session.scalar(
        select(JobEvent.id).where(JobEvent.job_id == job.id, JobEvent.kind == "print",
                                  JobEvent.data["document"].as_string() == document).limit(1)
    )
    reprint = earlier is not None
    if job.customer_name is None:  # jobs taken in before the name was kept on the job
        job.customer_name = job.customer.name
    note = f"{'Reprinted' if reprint else 'Printed'} {document.replace('_', ' ')} ({variant})"
    return job.add_event("print", actor, note=note, data={"document": document, "variant": variant,
                                                         "reprint": reprint})


def bin_labels_pdf(parts_to_print, *, size: str, dpi: int) -> bytes:
    """One PDF of bin labels; ValidationError naming every SKU a label cannot carry."""
    try:
        return labels.bin_labels_pdf([labels.BinLabel(p.sku, p.name, p.bin_location or "") for p in parts_to_print],
                                     size=size, dpi=dpi)
    except ValueError:
        pass
    bad = []
    for part in parts_to_print:  # only when something does not fit: name each one that doesn't
        try:
            labels.bin_labels_pdf([labels.BinLabel(part.sku, part.name, part.bin_location or "")], size=size, dpi=dpi)
        except ValueError as exc:
            bad.append(str(exc))
    raise ValidationError(gettext("Some SKUs cannot be printed on a bin label."), errors={"sku": bad})


def parts_on_shelf(shelf: str | None, skus: list[str]):
    """Active parts whose bin starts with ``shelf`` (e.g. ``A-01``) or whose SKU is listed."""
    stmt = select(Part).where(Part.active.is_(True))
    if skus:
        stmt = stmt.where(Part.sku.in_([s.strip().upper() for s in skus]))
    elif shelf:
        stmt = stmt.where(Part.bin_location.startswith(shelf.strip().upper(), autoescape=True))
    else:
        raise ValidationError(gettext("Name a shelf or at least one SKU."), errors={"shelf": [gettext("Name a shelf, e.g. A-01.")]})
    return list(db.session.scalars(stmt.order_by(Part.bin_location, Part.sku)))


def jobs_received_on(user, day: dt.date) -> list[Job]:
    """The jobs taken in on ``day`` at the user's own service point, oldest first."""
    return list(db.session.scalars(
        select(Job).where(Job.service_point_id == user.service_point_id, Job.received_on == day).order_by(Job.id)
    ))
