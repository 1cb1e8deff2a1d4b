"""Finding jobs: the list behind ``GET /api/v1/jobs`` (status, engineer, free text),
always limited to the service points the caller may see."""

from __future__ import annotations

import re
import unicodedata

import phonenumbers
from flask_babel import gettext
from sqlalchemy import Row, Select, func, literal_column, select, true, union
from sqlalchemy.orm import aliased

from models import Customer, Job, JobStatus, ServicePoint, User, ValidationError, db
from models.jobs import open_jobs, phone_tail
from workshop.intake import customers
from workshop.intake.devices import imei as imei_service
from workshop.jobs import fulltext, name_index, paging

MAX_LIMIT = 200
#: A name's beginning (a lone letter) is looked for among this many of the newest job ids
#: first (see _customers_page).
NAME_WINDOW = 200_000
_PHONEISH = re.compile(r"[+\d\s()-]+")
_NUMBERISH = re.compile(r"[A-Z0-9]{2,6}-\d*")
_JOB_NUMBER = re.compile(r"[A-Z0-9]{2,6}-\d{6,}")

_Engineer = aliased(User)
_Earlier = aliased(Job)
#: What a job in the list shows (``workshop.jobs.schemas.JobListItemSchema``), read as
#: rows in one statement with its customer, service point, engineer and earlier job:
#: a page of 50 whole jobs as ORM objects cost ~3 ms to load (53 columns each, four
#: more statements for the relations) and ~2.5 ms to dump, which the list never shows.
LISTED = select(Job.id, Job.number, Job.status, Job.location, ServicePoint.code.label("service_point"),
                Job.received_on, Job.promised_by, _Engineer.username.label("engineer"),
                # as User.label: the display name, or the username when it is empty
                func.coalesce(func.nullif(_Engineer.display_name, ""), _Engineer.username).label("engineer_label"),
                Customer.name.label("customer_name"), Customer.phone.label("customer_phone"),
                Job.imei, Job.serial_number, Job.brand, Job.model, Job.fault_category,
                Job.fault_description, _Earlier.number.label("rerepair_of")) \
    .join(Customer, Customer.id == Job.customer_id) \
    .join(ServicePoint, ServicePoint.id == Job.service_point_id) \
    .outerjoin(_Engineer, _Engineer.id == Job.engineer_id) \
    .outerjoin(_Earlier, _Earlier.id == Job.rerepair_of_id)


def _statuses(values) -> list[str]:
    wanted: list[str] = []
    for value in values or []:
        wanted += [v.strip() for v in str(value).split(",") if v.strip()]
    known = {s.value for s in JobStatus}
    unknown = [v for v in wanted if v not in known]
    if unknown:
        raise ValidationError(gettext("Unknown status."), errors={
            "status": [gettext("Unknown status %(unknown)s; use %(choices)s.",
                               unknown=', '.join(unknown), choices=', '.join(s.value for s in JobStatus))]})
    return wanted


def search(actor, *, statuses=None, engineer: str | None = None, q: str | None = None,
           after: int | None = None, limit: int = 50) -> tuple[list[Row], int | None]:
    """Jobs ``actor`` may see, newest first, as rows of :data:`LISTED`, and the cursor
    of the next page (or None).

    ``statuses``: status names (a comma-separated string counts as several).
    ``engineer``: the assigned engineer's username.  ``q`` is normalised, then matched
    exactly or by prefix, each on its own index: the job number (upper case), an IMEI
    (digits; 8 or more match by prefix) or serial number, the customer's phone
    (a whole number in E.164; exactly 4 digits: its last four; 5 or more: its first
    digits by prefix); then the customer's name (:mod:`workshop.jobs.name_index`)
    and the fault description (:mod:`workshop.jobs.fulltext`), each word typed
    beginning a word there, so a name typed from its start matches too.  ``after``
    is the cursor from the previous page.
    Raises ValidationError for an unknown status.
    """
    limit = max(1, min(int(limit or 50), MAX_LIMIT))
    conditions = [Job.service_point_id.in_(actor.service_point_ids)]
    wanted = _statuses(statuses)
    if wanted:
        conditions.append(Job.status.in_(wanted))
        if JobStatus.COLLECTED.value not in wanted:
            conditions.append(open_jobs())  # on the partial index of open jobs
    if engineer:
        conditions.append(Job.engineer_id.in_(
            select(User.id).where(func.lower(User.username) == engineer.strip().lower())))
    if after:
        conditions.append(Job.id < after)
    text = (q or "").strip()
    stmt = LISTED
    if text:
        # Each way of matching is its own indexed lookup, newest first and no more than
        # a page; the page is the newest of their union.  (Ordered by ``id + 0``: the
        # planner must then find the rows by the match's index and sort the few it
        # finds, instead of walking every job newest first until a page matches.)
        pages = [select(Job.id).where(match, *conditions).order_by((Job.id + 0).desc()).limit(limit + 1)
                 .subquery() for match in _matches(text, actor.service_point_ids)]
        if not _PHONEISH.fullmatch(text):
            found = fulltext.words(text)
            if found:  # the fault text, on its full-text index
                pages.append(fulltext.fault_page(found, conditions, limit + 1, before=after).subquery())
            # The name, by the beginnings of its words; by its own beginning when the
            # text has no word to look up (a lone Latin letter, "É").
            named = name_index.jobs_named(text, actor.service_point_ids, conditions, limit + 1, before=after)
            if named is not None:
                pages.append(named.subquery())
            elif _any(starting := _named_from_the_start(text, actor.service_point_ids)):
                pages.append(_customers_page(starting, conditions, limit + 1, after).subquery())
        if not pages:  # nothing the text could mean (no word, no number, no name begins so)
            return [], None
        ids = union(*[select(page.c.id) for page in pages]).subquery()
        stmt = stmt.where(Job.id.in_(select(ids.c.id)))
    else:
        stmt = stmt.where(*conditions)
    rows = db.session.execute(stmt.order_by(Job.id.desc()).limit(limit + 1)).all()
    more = len(rows) > limit
    rows = rows[:limit]
    return rows, (rows[-1].id if more and rows else None)


def _matches(text: str, service_point_ids) -> list:
    """The WHERE terms on jobs that ``text`` (as typed) may mean."""
    matches = []
    upper = unicodedata.normalize("NFKC", text).upper()
    compact = imei_service.normalise(text)
    if _NUMBERISH.fullmatch(upper):
        matches.append(Job.number == upper if _JOB_NUMBER.fullmatch(upper) else fulltext.starts_with(Job.number, upper))
    if compact and compact.isdigit() and len(compact) >= 8:
        if len(compact) >= 15:
            matches += [Job.imei == compact, Job.imei2 == compact]
        else:
            matches += [fulltext.starts_with(Job.imei, compact), fulltext.starts_with(Job.imei2, compact)]
    if compact and compact.isascii() and compact.isalnum() and len(compact) >= 4:
        matches.append(Job.serial_number == compact)
    digits = "".join(c for c in compact if c.isdigit())
    # Customers are looked up at the service points one may see, on (service point, phone).
    here = Customer.service_point_id.in_(list(service_point_ids))
    if len(digits) == 4 and _PHONEISH.fullmatch(text):  # "the last four digits?"
        matches.append(Job.customer_id.in_(select(Customer.id).where(here, phone_tail() == digits)))
    elif len(digits) > 4 and _PHONEISH.fullmatch(text):
        matches.append(Job.customer_id.in_(select(Customer.id).where(here, _phone_match(text, digits))))
    return matches


def _named_from_the_start(text: str, service_point_ids) -> Select:
    """The customers at ``service_point_ids`` whose name begins with ``text``, on
    (service point, name): for text with no word :mod:`workshop.jobs.name_index` can
    look up (a lone Latin letter, "J", "É")."""
    return select(Customer.id).where(fulltext.starts_with(Customer.name, " ".join(text.split())),
                                     Customer.service_point_id.in_(list(service_point_ids)))


def _any(ids: Select) -> bool:
    """Whether ``ids`` selects anything (read on its index, stopping at the first):
    a name nobody's begins with walks no jobs."""
    return db.session.scalar(select(literal_column("1")).select_from(ids.subquery()).limit(1)) is not None


def _customers_page(named: Select, conditions: list, limit: int, before: int | None):
    """A select of the ids of the newest ``limit`` jobs (meeting ``conditions``) of the
    customers ``named`` selects.

    A beginning thousands of customers share ("J") would cost thousands of jobs to
    fetch by customer and sort, so the service point's newest jobs are walked on
    (service point, id, customer) and the walk stops at a page; only when the newest
    :data:`NAME_WINDOW` ids hold less than a page (a rare name) are the customers'
    jobs looked up by customer (:func:`workshop.jobs.paging.newest_first`)."""
    by_customer = select(Job.id).where(Job.customer_id.in_(named), *conditions)
    # IS TRUE: the customers are read once into a hash and the walk checks each job
    # against it (a bare IN would let the planner join them instead, row by row).
    walk = select(Job.id).where(Job.customer_id.in_(named).is_(true()), *conditions)
    return paging.newest_first(walk, by_customer, limit, window=NAME_WINDOW, before=before)


def _phone_match(text: str, digits: str):
    """A whole phone number matches its E.164 form; the first digits of one, by prefix."""
    try:
        return Customer.phone == customers.normalise_phone(text)
    except ValueError:
        pass
    if text.startswith("+"):
        return fulltext.starts_with(Customer.phone, "+" + digits)
    if digits.startswith("00"):
        return fulltext.starts_with(Customer.phone, "+" + digits[2:])
    code = phonenumbers.country_code_for_region(customers.phone_region())
    return fulltext.starts_with(Customer.phone, f"+{code}{digits.lstrip('0')}")
